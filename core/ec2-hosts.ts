// The EC2 defaults both infrastructure surfaces give the hosts of an environment (the CDKTF
// TrustedEc2Hosts construct and the Pulumi example's instances), written once: the AMI looked up by a
// data source (Ubuntu 24.04 LTS from Canonical's account), IMDSv2 required, an encrypted gp3 root
// volume, and the check of the CIDRs that may reach port 22. Data and pure checks only.

import { parseCidr } from './cidr.js';
import type { Issue } from './errors.js';

/** Canonical's AWS account, the owner of the official Ubuntu AMIs. */
export const CANONICAL_OWNER = '099720109477';

/** The AMI name pattern of Ubuntu 24.04 LTS (amd64, gp3), the default image. */
export const UBUNTU_LTS_AMI_NAME = 'ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-*';

/** The AMI lookup: the newest image of Canonical's account matching these filters. */
export const UBUNTU_LTS_AMI_FILTERS: ReadonlyArray<{ readonly name: string; readonly values: readonly string[] }> = [
  { name: 'name', values: [UBUNTU_LTS_AMI_NAME] },
  { name: 'virtualization-type', values: ['hvm'] },
];

/** Instance metadata: IMDSv2 only (session tokens), not reachable from containers one hop further. */
export const IMDS_V2 = { httpEndpoint: 'enabled', httpTokens: 'required', httpPutResponseHopLimit: 1 } as const;

/** The root volume: encrypted gp3. */
export const ENCRYPTED_ROOT_VOLUME = { encrypted: true, volumeType: 'gp3' } as const;

/** The instance type unless told otherwise. */
export const DEFAULT_INSTANCE_TYPE = 't3.micro';

/**
 * Problems with the CIDRs that may reach port 22 (field `sshCidrs`): none given, a block that is not a
 * CIDR, or a block of every address (`0.0.0.0/0`, `::/0`) without `allowSshFromAnywhere`.
 */
export function sshCidrIssues(cidrs: readonly string[], allowSshFromAnywhere = false): Issue[] {
  if (cidrs.length === 0) return [{ field: 'sshCidrs', message: 'give the CIDRs that may reach port 22' }];
  return [
    ...cidrs
      .filter((c) => parseCidr(c) === undefined)
      .map((c) => ({ field: 'sshCidrs', message: `${JSON.stringify(c)} is not a CIDR block, e.g. 10.0.0.0/8` })),
    ...cidrs
      .filter((c) => parseCidr(c)?.prefix === 0 && !allowSshFromAnywhere)
      .map((c) => ({ field: 'sshCidrs', message: `sshCidrs contains ${c}: set allowSshFromAnywhere to mean it` })),
  ];
}

/** The IPv4 and the IPv6 blocks of a list, apart (security group rules keep them in two lists). */
export function splitCidrFamilies(cidrs: readonly string[]): { ipv4: string[]; ipv6: string[] } {
  const v6 = (c: string) => parseCidr(c)?.bytes.length === 16;
  return { ipv4: cidrs.filter((c) => !v6(c)), ipv6: cidrs.filter(v6) };
}
