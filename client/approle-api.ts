// Typed calls for the AppRole auth method (issue 24): roles (`auth/<mount>/role/:name` and its
// `role-id`, for the IaC) and the login of a role_id and secret ID (for `sshca login --method
// approle`). The role_id is not a secret on its own; the secret ID travels in the login's body only,
// and no call here puts it in an error.

import { InternalError } from '../core/errors.js';
import type { AuthBlock, VaultClient } from './vault-client.js';

/** Create or update `auth/<mount>/role/<name>`; returns Vault's warnings. */
export async function writeAppRoleRole(
  client: VaultClient,
  mount: string,
  name: string,
  body: Readonly<Record<string, unknown>>,
): Promise<readonly string[]> {
  return (await client.write(`auth/${mount}/role/${name}`, body, true))?.warnings ?? [];
}

/** A role as Vault reads it, or undefined. */
export async function readAppRoleRole(
  client: VaultClient,
  mount: string,
  name: string,
): Promise<Record<string, unknown> | undefined> {
  return (await client.read(`auth/${mount}/role/${name}`))?.data;
}

/** A role's role_id, or undefined when the role does not exist. */
export async function readAppRoleRoleId(client: VaultClient, mount: string, name: string): Promise<string | undefined> {
  return (await client.read<{ role_id: string }>(`auth/${mount}/role/${name}/role-id`))?.data?.role_id;
}

export const deleteAppRoleRole = (client: VaultClient, mount: string, name: string): Promise<void> =>
  client.delete(`auth/${mount}/role/${name}`);

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
