// Typed calls for AppRole roles (`auth/<mount>/role/:name` and its `role-id`), issue 24. The role_id is
// not a secret on its own; no secret ID is read or written here.

import type { VaultClient } from './vault-client.js';

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
