// `SshRole`: a `vault_ssh_secret_backend_role` from the same RoleSpec the Pulumi providers take, with
// the same defaults and the same validators (an insecure role fails synthesis).

import type { SshSecretBackendRole } from '@cdktf/provider-vault/lib/ssh-secret-backend-role/index.js';
import { Construct } from 'constructs';
import { CA_ROLE_KIND } from '../core/role-kinds.js';
import type { RoleSpec } from '../core/role-spec.js';
import type { MountProps } from './mount-prop.js';
import { roleResource } from './role-construct.js';

/** Props of an SshRole: where the role lives (`mount`, `name`) and its RoleSpec fields (defaults there). */
export interface SshRoleProps extends RoleSpec, MountProps {
  /** Role name, used in `<mount>/sign/<name>`. */
  readonly name: string;
}

/** A CA role on an SSH mount, as a `vault_ssh_secret_backend_role`. */
export class SshRole extends Construct {
  /** The `vault_ssh_secret_backend_role` resource (construct id `role`). */
  readonly role: SshSecretBackendRole;

  constructor(scope: Construct, id: string, props: SshRoleProps) {
    super(scope, id);
    this.role = roleResource(this, CA_ROLE_KIND, props);
  }
}
