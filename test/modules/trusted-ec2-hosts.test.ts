// TrustedEc2Hosts' safe defaults (issue 19, point 3) through real cdktf synthesis (Testing.synth, no
// Terraform binary): the AMI from a data source unless given, IMDSv2 required, an encrypted gp3 root
// volume, a key pair only when asked, SSH CIDRs checked (IPv6 in its own list), and the documented
// choice between keeping instances on a trust change (the default) and replacing them.

import { AwsProvider } from '@cdktf/provider-aws/lib/provider/index.js';
import { VaultProvider } from '@cdktf/provider-vault/lib/provider/index.js';
import { Testing, TerraformStack } from 'cdktf';
import { describe, expect, it } from 'vitest';
import { SshEnvironment, TrustedEc2Hosts } from '../../modules/index.js';
import { CANONICAL_OWNER, UBUNTU_LTS_AMI_NAME } from '../../core/ec2-hosts.js';
import type { TrustedEc2HostsProps } from '../../modules/trusted-ec2-hosts.js';

type Json = Record<string, Record<string, Record<string, Record<string, unknown>>>>;

/** Synthesize one environment's hosts with `props` over the defaults; the JSON, metadata removed. */
function synth(props: Partial<Omit<TrustedEc2HostsProps, 'environment'>>, runValidations = false): Json {
  const stack = new TerraformStack(Testing.app(), 'prod');
  new VaultProvider(stack, 'vault', {});
  new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
  const env = new SshEnvironment(stack, 'ssh', {
    environment: 'prod',
    roles: { developer: { allowedUsers: ['ubuntu'], defaultUser: 'ubuntu' } },
    hostPrincipals: { ubuntu: ['ubuntu'] },
  });
  new TrustedEc2Hosts(stack, 'web', { environment: env, names: ['web-1'], sshCidrs: ['10.20.0.0/16'], ...props });
  return JSON.parse(Testing.synth(stack, runValidations)) as Json;
}

const instance = (json: Json) => {
  const [attrs] = Object.values(json.resource!.aws_instance!);
  return attrs!;
};

describe('TrustedEc2Hosts defaults', () => {
  it("looks up the newest Ubuntu 24.04 LTS AMI of Canonical's account when no AMI is given", () => {
    const json = synth({});
    const [[id, ami]] = Object.entries(json.data!.aws_ami!) as [[string, Record<string, unknown>]];
    expect(ami).toMatchObject({
      most_recent: true,
      owners: [CANONICAL_OWNER],
      filter: [
        { name: 'name', values: [UBUNTU_LTS_AMI_NAME] },
        { name: 'virtualization-type', values: ['hvm'] },
      ],
    });
    expect(instance(json).ami).toBe(`\${data.aws_ami.${id}.id}`);
    expect(synth({ ami: 'ami-0abc' }).data).toBeUndefined();
    expect(instance(synth({ ami: 'ami-0abc' })).ami).toBe('ami-0abc');
  });

  it('requires IMDSv2, encrypts a gp3 root volume and has no key pair unless given', () => {
    const i = instance(synth({}));
    expect(i.metadata_options).toEqual({
      http_endpoint: 'enabled',
      http_tokens: 'required',
      http_put_response_hop_limit: 1,
    });
    expect(i.root_block_device).toEqual({ encrypted: true, volume_type: 'gp3' });
    expect('key_name' in i).toBe(false);
    const asked = instance(synth({ keyName: 'break-glass', rootVolumeSize: 20, subnetId: 'subnet-1' }));
    expect([asked.key_name, asked.root_block_device, asked.subnet_id]).toEqual([
      'break-glass',
      { encrypted: true, volume_type: 'gp3', volume_size: 20 },
      'subnet-1',
    ]);
  });

  it('keeps instances on a trust change unless trustUpdates is "replace"', () => {
    const kept = instance(synth({}));
    expect([kept.user_data_replace_on_change, kept.lifecycle]).toEqual([false, { ignore_changes: ['user_data'] }]);
    const replaced = instance(synth({ trustUpdates: 'replace' }));
    expect([replaced.user_data_replace_on_change, replaced.lifecycle]).toEqual([true, undefined]);
  });

  it('puts IPv6 blocks in their own list', () => {
    const sg = Object.values(synth({ sshCidrs: ['10.20.0.0/16', '2001:db8::/32'] }).resource!.aws_security_group!)[0]!;
    expect(sg.ingress).toMatchObject([{ cidr_blocks: ['10.20.0.0/16'], ipv6_cidr_blocks: ['2001:db8::/32'] }]);
  });

  it.each([
    [['10.0.0.0/8', 'office'], 'sshCidrs: "office" is not a CIDR block, e.g. 10.0.0.0/8'],
    [['::/0'], 'sshCidrs: sshCidrs contains ::/0: set allowSshFromAnywhere to mean it'],
    [['0.0.0.0/0'], 'sshCidrs: sshCidrs contains 0.0.0.0/0: set allowSshFromAnywhere to mean it'],
  ])('fails synthesis for sshCidrs %j', (sshCidrs, message) => {
    expect(() => synth({ sshCidrs }, true)).toThrow(message);
  });
});
