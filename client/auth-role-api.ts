// Typed calls for the roles of an auth method at `auth/<mount>/role/<name>` (JWT, OIDC and AppRole
// share the path): write, read, delete, list. What a role holds is each method's own (core/*-spec.ts).

import type { VaultClient } from './vault-client.js';

/** Create or update `auth/<mount>/role/<name>`; returns Vault's warnings. */
export async function writeAuthRole(
  client: VaultClient,
  mount: string,
  name: string,
  body: Readonly<Record<string, unknown>>,
): Promise<readonly string[]> {
  return (await client.write(`auth/${mount}/role/${name}`, body, true))?.warnings ?? [];
}

/** A role as Vault reads it, or undefined. */
export async function readAuthRole(
  client: VaultClient,
  mount: string,
  name: string,
): Promise<Record<string, unknown> | undefined> {
  return (await client.read(`auth/${mount}/role/${name}`))?.data;
}

export const deleteAuthRole = (client: VaultClient, mount: string, name: string): Promise<void> =>
  client.delete(`auth/${mount}/role/${name}`);

/** The role names of a mount. */
export const listAuthRoles = (client: VaultClient, mount: string): Promise<string[]> =>
  client.list(`auth/${mount}/role`);
