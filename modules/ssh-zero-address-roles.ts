// `SshZeroAddressRoles`: the zero-address list of an SSH mount (`<mount>/config/zeroaddress`), the
// roles that issue one-time passwords for every IP. The Vault provider 5.x (@cdktf/provider-vault
// 15.6.1) has no resource for this endpoint, so it is a `vault_generic_endpoint` writing
// `{"roles": [...]}` to that path (read back for drift, deleted on destroy). Vault refuses to list a
// role that does not exist: pass the role constructs in `dependsOn` (SshEnvironment does), or role
// names as references (`otpRole.role.name`), so that Terraform writes the roles first.

import { GenericEndpoint } from '@cdktf/provider-vault/lib/generic-endpoint/index.js';
import { Token, type ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { validateZeroAddressRoles, zeroAddressRolesToWire } from '../core/role-spec-otp.js';
import { resolveMount, type MountProps } from './mount-prop.js';
import { validateWith } from './validation.js';

/** Props of an SshZeroAddressRoles. */
export interface SshZeroAddressRolesProps extends MountProps {
  /** Roles of the mount that issue OTPs for every IP (names or references; written sorted, duplicates dropped). */
  readonly roles: readonly string[];
  /**
   * What must exist before the list is written: the roles it names.
   * @default - none: Terraform orders the write only by the references in `roles`
   */
  readonly dependsOn?: readonly ITerraformDependable[];
}

/** The zero-address list of an SSH mount (one per mount). */
export class SshZeroAddressRoles extends Construct {
  /** The `vault_generic_endpoint` resource (construct id `zeroaddress`). */
  readonly endpoint: GenericEndpoint;

  constructor(scope: Construct, id: string, props: SshZeroAddressRolesProps) {
    super(scope, id);
    const { mount, issues: mountIssues } = resolveMount(props);
    // A reference is a role name only once Terraform resolves it: check the literal names.
    validateWith(this, () => [
      ...mountIssues,
      ...validateZeroAddressRoles(props.roles.map((r) => (Token.isUnresolved(r) ? 'ref' : r))),
    ]);
    this.endpoint = new GenericEndpoint(this, 'zeroaddress', {
      path: `${mount}/config/zeroaddress`,
      dataJson: JSON.stringify(zeroAddressRolesToWire(props.roles)),
      ...(props.dependsOn ? { dependsOn: [...props.dependsOn] } : {}),
    });
  }
}
