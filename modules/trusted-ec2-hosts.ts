// `TrustedEc2Hosts`: EC2 instances of one environment whose sshd trusts that environment's CA only,
// from cloud-init user-data rendered by core/render with the CA public key as a Terraform reference
// (hosts get it at apply time; user-data holds public keys only), behind a security group that opens
// port 22 to the given CIDRs (required). Safe by default: the AMI from a data source (Ubuntu 24.04
// LTS by Canonical's owner id) unless given, IMDSv2 required, an encrypted gp3 root volume. A trust
// change (new CA key, other principals) changes the user-data, which cloud-init applies at first boot
// only: by default (`trustUpdates: "ansible"`) the instances are kept and Terraform ignores user-data
// changes, so running hosts get new trust from the Ansible role ssh_ca_trust; `"replace"` replaces the
// instances instead (`user_data_replace_on_change`), for fleets that are cattle.

import { DataAwsAmi } from '@cdktf/provider-aws/lib/data-aws-ami/index.js';
import { Instance } from '@cdktf/provider-aws/lib/instance/index.js';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group/index.js';
import { Token } from 'cdktf';
import { Construct } from 'constructs';
import {
  CANONICAL_OWNER,
  DEFAULT_INSTANCE_TYPE,
  ENCRYPTED_ROOT_VOLUME,
  IMDS_V2,
  UBUNTU_LTS_AMI_FILTERS,
  splitCidrFamilies,
  sshCidrIssues,
} from '../core/ec2-hosts.js';
import { EC2_USER_DATA_LIMIT, renderCloudConfig, type CloudConfigOptions } from '../core/render/cloud-config.js';
import { renderWithCaReference } from './host-trust-reference.js';
import type { SshEnvironment } from './ssh-environment.js';
import { validateWith } from './validation.js';

/** How running instances get a trust change: through Ansible (kept) or by replacement. */
export type TrustUpdates = 'ansible' | 'replace';

/** Props of a TrustedEc2Hosts. */
export interface TrustedEc2HostsProps {
  /** The environment whose CA and host principals the instances trust. */
  readonly environment: SshEnvironment;
  /** One instance per name, e.g. `["web-1", "web-2"]`. */
  readonly names: readonly string[];
  /**
   * The instances' AMI id.
   * @default - the newest Ubuntu 24.04 LTS AMI of Canonical (`099720109477`), looked up by a data source
   */
  readonly ami?: string;
  /**
   * An EC2 key pair for break-glass access (certificates are the way in; leave it out to have none).
   * @default - none: no key pair, only certificates of the environment's CA log in
   */
  readonly keyName?: string;
  /**
   * How running instances get a trust change (CA key, principals): `ansible` keeps them and ignores
   * user-data changes (run the Ansible role ssh_ca_trust); `replace` replaces them.
   * @default - `ansible`: instances are never replaced because trust changed
   */
  readonly trustUpdates?: TrustUpdates;
  /** Root volume size in GiB. @default - the AMI's size */
  readonly rootVolumeSize?: number;
  /** @default - `t3.micro` */
  readonly instanceType?: string;
  /** Subnet of the instances. @default - none: AWS picks a default subnet of the default VPC */
  readonly subnetId?: string;
  /** VPC of the security group. @default - none: the region's default VPC */
  readonly vpcId?: string;
  /**
   * CIDRs allowed to reach port 22 (required), or a Terraform variable's list (`listValue`), which the
   * plan asks for. `0.0.0.0/0` and `::/0` need `allowSshFromAnywhere`.
   */
  readonly sshCidrs: readonly string[];
  /** Opt in to `0.0.0.0/0` or `::/0` in sshCidrs. @default - false: a block of every address fails synthesis */
  readonly allowSshFromAnywhere?: boolean;
  /**
   * Tags of the security group and instances, over ours.
   * @default - `Environment` and `ManagedBy: vault-ssh-ca` only (and `Name` on each instance)
   */
  readonly tags?: Readonly<Record<string, string>>;
  /**
   * How instances check and reload sshd (see core/render/cloud-config.ts).
   * @default - `/usr/sbin/sshd` checks; reload sshd.service, else ssh.service, if running
   */
  readonly cloudConfig?: CloudConfigOptions;
}

/** EC2 instances trusting one environment's CA, behind a security group opening port 22 to `sshCidrs`. */
export class TrustedEc2Hosts extends Construct {
  /** The `aws_security_group` (construct id `ssh`). */
  readonly securityGroup: SecurityGroup;
  /** One `aws_instance` per name (construct id: the name). */
  readonly instances: readonly Instance[];
  /** The user-data every instance gets, with the CA key as a Terraform reference. */
  readonly userData: string;
  /** The AMI data source (construct id `ami`) when no `ami` was given. */
  readonly amiLookup: DataAwsAmi | undefined;

  constructor(scope: Construct, id: string, props: TrustedEc2HostsProps) {
    super(scope, id);
    const env = props.environment;
    const referencedCidrs = Token.isUnresolved(props.sshCidrs);
    const rendered = renderWithCaReference(
      {
        environment: env.environment,
        hostPrincipals: env.hostPrincipals,
        caPublicKey: env.authority.publicKey,
        // Every key hosts trust now: the old and the next one during a rotation's stages 1 and 2.
        caPublicKeys: env.authority.trustedKeys,
      },
      (trust) => renderCloudConfig(trust, props.cloudConfig),
    );
    this.userData = rendered.text;
    validateWith(this, () => [
      ...(props.names.length === 0 ? [{ field: 'names', message: 'name at least one instance' }] : []),
      // A Terraform variable (a list token) is checked by the plan, not here.
      ...(referencedCidrs ? [] : sshCidrIssues(props.sshCidrs, props.allowSshFromAnywhere)),
      ...(rendered.maxBytes > EC2_USER_DATA_LIMIT
        ? [
            {
              field: 'userData',
              message: `the ${env.environment} user-data could exceed EC2's limit of ${EC2_USER_DATA_LIMIT} bytes`,
            },
          ]
        : []),
    ]);
    const tags = { Environment: env.environment, ManagedBy: 'vault-ssh-ca', ...props.tags };
    this.amiLookup = props.ami
      ? undefined
      : new DataAwsAmi(this, 'ami', {
          mostRecent: true,
          owners: [CANONICAL_OWNER],
          filter: UBUNTU_LTS_AMI_FILTERS.map((f) => ({ name: f.name, values: [...f.values] })),
        });
    const replace = (props.trustUpdates ?? 'ansible') === 'replace';
    const { ipv4, ipv6 } = referencedCidrs
      ? { ipv4: [...props.sshCidrs], ipv6: [] }
      : splitCidrFamilies(props.sshCidrs);
    this.securityGroup = new SecurityGroup(this, 'ssh', {
      name: `${env.environment}-${id}-ssh`,
      description: `SSH to ${env.environment} hosts, certificates of the ${env.environment} CA only`,
      ...(props.vpcId ? { vpcId: props.vpcId } : {}),
      ingress: [
        {
          description: 'SSH',
          protocol: 'tcp',
          fromPort: 22,
          toPort: 22,
          cidrBlocks: ipv4,
          ...(ipv6.length > 0 ? { ipv6CidrBlocks: ipv6 } : {}),
        },
      ],
      egress: [{ description: 'all', protocol: '-1', fromPort: 0, toPort: 0, cidrBlocks: ['0.0.0.0/0'] }],
      tags,
    });
    this.instances = props.names.map(
      (name) =>
        new Instance(this, name, {
          ami: props.ami ?? this.amiLookup!.id,
          instanceType: props.instanceType ?? DEFAULT_INSTANCE_TYPE,
          ...(props.subnetId ? { subnetId: props.subnetId } : {}),
          ...(props.keyName ? { keyName: props.keyName } : {}),
          vpcSecurityGroupIds: [this.securityGroup.id],
          userData: this.userData,
          userDataReplaceOnChange: replace,
          ...(replace ? {} : { lifecycle: { ignoreChanges: ['user_data'] } }),
          metadataOptions: { ...IMDS_V2 },
          rootBlockDevice: {
            ...ENCRYPTED_ROOT_VOLUME,
            ...(props.rootVolumeSize !== undefined ? { volumeSize: props.rootVolumeSize } : {}),
          },
          tags: { ...tags, Name: `${env.environment}-${name}` },
        }),
    );
  }
}
