// Typed calls for token roles (`auth/token/roles/:role_name`, Vault's token store), issue 24.

import type { VaultClient } from './vault-client.js';

/** Create or update `auth/token/roles/<name>`; returns Vault's warnings. */
export async function writeTokenRole(
  client: VaultClient,
  name: string,
  body: Readonly<Record<string, unknown>>,
): Promise<readonly string[]> {
  return (await client.write(`auth/token/roles/${name}`, body, true))?.warnings ?? [];
}

/** A token role as Vault reads it, or undefined. */
export async function readTokenRole(client: VaultClient, name: string): Promise<Record<string, unknown> | undefined> {
  return (await client.read(`auth/token/roles/${name}`))?.data;
}

export const deleteTokenRole = (client: VaultClient, name: string): Promise<void> =>
  client.delete(`auth/token/roles/${name}`);
