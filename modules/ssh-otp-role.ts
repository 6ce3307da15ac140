// `SshOtpRole`: a `vault_ssh_secret_backend_role` with `key_type = "otp"` from the same OtpRoleSpec the
// Pulumi `SshOtpRole` takes, with the same validators (a role that can issue nothing, or that opens
// every address unless asked, fails synthesis). The resource has no `exclude_cidr_list` and no `port`
// attribute in the Vault provider 5.x: a spec that sets them fails synthesis too.

import type { SshSecretBackendRole } from '@cdktf/provider-vault/lib/ssh-secret-backend-role/index.js';
import { Construct } from 'constructs';
import { OTP_ROLE_KIND } from '../core/role-kinds.js';
import type { OtpRoleSpec } from '../core/role-spec-otp.js';
import type { MountProps } from './mount-prop.js';
import { roleResource } from './role-construct.js';

/** Props of an SshOtpRole: where the role lives (`mount`, `name`) and its OtpRoleSpec fields (defaults there). */
export interface SshOtpRoleProps extends OtpRoleSpec, MountProps {
  /** Role name, used in `<mount>/creds/<name>`. */
  readonly name: string;
}

/** A one-time-password role on an SSH mount. */
export class SshOtpRole extends Construct {
  /** The `vault_ssh_secret_backend_role` resource (construct id `role`). */
  readonly role: SshSecretBackendRole;

  constructor(scope: Construct, id: string, props: SshOtpRoleProps) {
    super(scope, id);
    this.role = roleResource(this, OTP_ROLE_KIND, props);
  }
}
