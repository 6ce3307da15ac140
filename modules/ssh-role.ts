// `SshRole`: a `vault_ssh_secret_backend_role` from the same RoleSpec the Pulumi providers take, with
// the same defaults and the same validators (an insecure role fails synthesis).

import { SshSecretBackendRole } from '@cdktf/provider-vault/lib/ssh-secret-backend-role/index.js';
import { Construct } from 'constructs';
import { isValidRoleName } from '../core/role.js';
import { validateRoleSpec, type RoleSpec } from '../core/role-spec.js';
import { roleSpecToTerraform, terraformRoleIssues } from '../core/role-spec-terraform.js';
import { resolveMount, type MountProps } from './mount-prop.js';
import { validateWith } from './validation.js';

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
    const { mount: _mount, backend: _backend, name, ...spec } = props;
    const { mount, issues: mountIssues } = resolveMount(props);
    validateWith(this, () => [
      ...mountIssues,
      ...(isValidRoleName(name) ? [] : [{ field: 'name', message: `invalid role name ${JSON.stringify(name)}` }]),
      ...validateRoleSpec(spec),
      ...terraformRoleIssues(spec),
    ]);
    this.role = new SshSecretBackendRole(this, 'role', { backend: mount, name, ...roleSpecToTerraform(spec) });
  }
}
