// Typed calls for the AppRole auth method (issue 24): a role's `role-id` (for the IaC; the role itself
// through client/auth-role-api.ts) and the login of a role_id and secret ID (for `sshca login --method
// approle`). The role_id is not a secret on its own; the secret ID travels in the login's body only,
// and no call here puts it in an error.

import { InternalError } from '../core/errors.js';
import type { AuthBlock, VaultClient } from './vault-client.js';

/** A role's role_id, or undefined when the role does not exist. */
export async function readAppRoleRoleId(client: VaultClient, mount: string, name: string): Promise<string | undefined> {
  return (await client.read<{ role_id: string }>(`auth/${mount}/role/${name}/role-id`))?.data?.role_id;
}

/** Log in with a role_id and secret ID (`auth/<mount>/login`); the `auth` block holds the token. */
export async function loginApprole(
  client: VaultClient,
  mount: string,
  roleId: string,
  secretId: string,
): Promise<AuthBlock> {
  const r = await client.call('PUT', `auth/${mount}/login`, {
    body: { role_id: roleId, secret_id: secretId },
    anonymous: true,
  });
  if (!r?.auth) throw new InternalError(`the backend answered the AppRole login on auth/${mount} without a token`);
  return r.auth;
}
