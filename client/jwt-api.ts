// Typed calls for the JWT auth method (Vault's jwt plugin): its config, its roles and the login of a
// job token (issue 18). The token is sent in the body only; no call here puts it in an error.

import { InternalError } from '../core/errors.js';
import type { AuthBlock, VaultClient } from './vault-client.js';

/** Write `auth/<mount>/config` (a write replaces the whole config). */
export async function writeJwtConfig(
  client: VaultClient,
  mount: string,
  body: Readonly<Record<string, unknown>>,
): Promise<void> {
  await client.write(`auth/${mount}/config`, body, true);
}

/** `auth/<mount>/config` as Vault reads it, or undefined before one was written. */
export async function readJwtConfig(client: VaultClient, mount: string): Promise<Record<string, unknown> | undefined> {
  return (await client.read(`auth/${mount}/config`))?.data;
}

/**
 * Log in with a job token (`auth/<mount>/login`); `role` undefined uses the mount's default role.
 * The answer's `auth` block holds the Vault token.
 */
export async function loginJwt(
  client: VaultClient,
  mount: string,
  jwt: string,
  role: string | undefined,
): Promise<AuthBlock> {
  const r = await client.call('PUT', `auth/${mount}/login`, {
    body: { jwt, ...(role !== undefined ? { role } : {}) },
    anonymous: true,
  });
  if (!r?.auth) throw new InternalError(`the backend answered the JWT login on auth/${mount} without a token`);
  return r.auth;
}
