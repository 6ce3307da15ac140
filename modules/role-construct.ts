// The body both role constructs share (CA roles in `SshRole`, one-time-password roles in
// `SshOtpRole`): the mount from `mount` or the deprecated `backend`, the role name checked, the
// kind's validators (core/role-kinds.ts) run at synthesis, and one `vault_ssh_secret_backend_role`
// with the kind's Terraform attributes.

import { SshSecretBackendRole } from '@cdktf/provider-vault/lib/ssh-secret-backend-role/index.js';
import type { Construct } from 'constructs';
import type { RoleSpecKind } from '../core/role-kinds.js';
import { isValidRoleName } from '../core/role.js';
import { resolveMount, type MountProps } from './mount-prop.js';
import { validateWith } from './validation.js';

/** The `vault_ssh_secret_backend_role` (construct id `role`) for `props` under `scope`. */
export function roleResource<S extends object>(
  scope: Construct,
  kind: RoleSpecKind<S>,
  props: S & MountProps & { readonly name: string },
): SshSecretBackendRole {
  const { mount: _mount, backend: _backend, name, ...rest } = props;
  const spec = rest as unknown as S;
  const { mount, issues: mountIssues } = resolveMount(props);
  validateWith(scope, () => [
    ...mountIssues,
    ...(isValidRoleName(name) ? [] : [{ field: 'name', message: `invalid role name ${JSON.stringify(name)}` }]),
    ...kind.validate(spec),
    ...kind.terraformIssues(spec),
  ]);
  return new SshSecretBackendRole(scope, 'role', { backend: mount, name, ...kind.toTerraform(spec) });
}
