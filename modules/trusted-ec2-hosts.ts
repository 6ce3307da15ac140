// `TrustedEc2Hosts`: EC2 instances of one environment whose sshd trusts that environment's CA only,
// from cloud-init user-data rendered by core/render with the CA public key as a Terraform reference
// (hosts get it at apply time; user-data holds public keys only), behind a security group that opens
// port 22 to the given CIDRs. Changing the user-data replaces the instances
// (`user_data_replace_on_change`), so a host never runs with stale trust.

import { Instance } from '@cdktf/provider-aws/lib/instance/index.js';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group/index.js';
import { Construct } from 'constructs';
import { EC2_USER_DATA_LIMIT, renderCloudConfig, type CloudConfigOptions } from '../core/render/cloud-config.js';
import { validateHostTrust } from '../core/render/host-trust.js';
import type { SshEnvironment } from './ssh-environment.js';
import { validateWith } from './validation.js';

/** A well-formed key that stands in for the CA key while rendering; replaced by the reference. */
const PLACEHOLDER_KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPA3ki9BtyKijY6LUw/gXwNwpx1P3NylkUGpcy4uq82P';
/** The longest CA public key line the backend can serve (RSA 4096), for the size check. */
const LONGEST_KEY = 730;

/** Props of a TrustedEc2Hosts. */
export interface TrustedEc2HostsProps {
  /** The environment whose CA and host principals the instances trust. */
  readonly environment: SshEnvironment;
  /** One instance per name, e.g. `["web-1", "web-2"]`. */
  readonly names: readonly string[];
  /** The instances' AMI. */
  readonly ami: string;
  /** @default - `t3.micro` */
  readonly instanceType?: string;
  /** Subnet of the instances. @default - none: AWS picks a default subnet of the default VPC */
  readonly subnetId?: string;
  /** VPC of the security group. @default - none: the region's default VPC */
  readonly vpcId?: string;
  /** CIDRs allowed to reach port 22. `0.0.0.0/0` needs `allowSshFromAnywhere`. */
  readonly sshCidrs: readonly string[];
  /** Opt in to `0.0.0.0/0` in sshCidrs. @default - false: `0.0.0.0/0` fails synthesis */
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

  constructor(scope: Construct, id: string, props: TrustedEc2HostsProps) {
    super(scope, id);
    const env = props.environment;
    const rendered = renderCloudConfig(
      validateHostTrust({ environment: env.environment, caKeys: [PLACEHOLDER_KEY], principals: env.hostPrincipals }),
      props.cloudConfig,
    );
    this.userData = rendered.replace(PLACEHOLDER_KEY, `${env.authority.publicKey}`);
    validateWith(this, () => [
      ...(props.names.length === 0 ? [{ field: 'names', message: 'name at least one instance' }] : []),
      ...(props.sshCidrs.length === 0 ? [{ field: 'sshCidrs', message: 'give the CIDRs that may reach port 22' }] : []),
      ...(props.sshCidrs.includes('0.0.0.0/0') && !props.allowSshFromAnywhere
        ? [{ field: 'sshCidrs', message: 'sshCidrs contains 0.0.0.0/0: set allowSshFromAnywhere to mean it' }]
        : []),
      ...(Buffer.byteLength(rendered) - PLACEHOLDER_KEY.length + LONGEST_KEY > EC2_USER_DATA_LIMIT
        ? [
            {
              field: 'userData',
              message: `the ${env.environment} user-data could exceed EC2's limit of ${EC2_USER_DATA_LIMIT} bytes`,
            },
          ]
        : []),
    ]);
    const tags = { Environment: env.environment, ManagedBy: 'vault-ssh-ca', ...props.tags };
    this.securityGroup = new SecurityGroup(this, 'ssh', {
      name: `${env.environment}-${id}-ssh`,
      description: `SSH to ${env.environment} hosts, certificates of the ${env.environment} CA only`,
      ...(props.vpcId ? { vpcId: props.vpcId } : {}),
      ingress: [{ description: 'SSH', protocol: 'tcp', fromPort: 22, toPort: 22, cidrBlocks: [...props.sshCidrs] }],
      egress: [{ description: 'all', protocol: '-1', fromPort: 0, toPort: 0, cidrBlocks: ['0.0.0.0/0'] }],
      tags,
    });
    this.instances = props.names.map(
      (name) =>
        new Instance(this, name, {
          ami: props.ami,
          instanceType: props.instanceType ?? 't3.micro',
          ...(props.subnetId ? { subnetId: props.subnetId } : {}),
          vpcSecurityGroupIds: [this.securityGroup.id],
          userData: this.userData,
          userDataReplaceOnChange: true,
          tags: { ...tags, Name: `${env.environment}-${name}` },
        }),
    );
  }
}
