// Handing a credential on to another machine with response wrapping, as `vault login -wrap-ttl`
// and `vault unwrap` do: `sshca login --wrap-ttl 10m` logs in (userpass, or a CI job's JWT; with a
// token, it creates a child token) and prints only a single-use wrapping token; `sshca login --unwrap-token TOKEN` on the
// other machine spends it for the token inside and signs with that.

import { existsSync, readFileSync } from 'node:fs';
import { clientOptionsFromEnv } from '../client/env.js';
import { VaultClient, isVaultApiError, type WrapInfo } from '../client/vault-client.js';
import { createTokenWrapped, loginUserpassWrapped, unwrapToken } from '../client/wrapping-api.js';
import { parseDurationSeconds } from '../core/duration.js';
import { InternalError, UsageError } from '../core/errors.js';
import {
  AuthenticationError,
  jwtLoginName,
  readJobToken,
  refuseApproleFlags,
  refuseJwtFlags,
  unwrapRefusal,
  vaultTokenFile,
  type AuthOptions,
} from './auth.js';
import { readSecret } from './prompt.js';

/** Check a `--wrap-ttl` value as Vault would parse it (seconds or a duration); positive only. */
export function parseWrapTtlOption(value: string): number {
  let seconds: number;
  try {
    seconds = parseDurationSeconds(value);
  } catch (e) {
    throw new UsageError(`--wrap-ttl ${JSON.stringify(value)}: ${(e as Error).message} (use e.g. 10m, 1h or 600)`);
  }
  if (seconds <= 0) throw new UsageError(`--wrap-ttl must be positive, got ${JSON.stringify(value)}`);
  return seconds;
}

/**
 * Get a credential wrapped for `ttl` seconds: a userpass or JWT login's token, or for the token
 * method a child token of the caller's (same policies, dies with it). Returns the `wrap_info`.
 */
export async function wrapCredential(o: AuthOptions, ttl: number): Promise<{ wrapInfo: WrapInfo; what: string }> {
  const base = clientOptionsFromEnv(process.env, o.address ? { address: o.address } : {}, '--address');
  const method = o.method ?? 'token';
  if (method !== 'approle') refuseApproleFlags(o);
  if (method === 'userpass') {
    if (!o.username) throw new UsageError('--method userpass needs --username');
    const variable = o.passwordEnv ?? 'SSHCA_PASSWORD';
    const password =
      process.env[variable] ??
      (await readSecret(`Password for ${o.username}: `, `set ${variable} or run in a terminal`));
    try {
      const wrapInfo = await loginUserpassWrapped(
        new VaultClient({ ...base, token: '' }),
        o.authMount ?? 'userpass',
        o.username,
        password,
        ttl,
      );
      return { wrapInfo, what: `a token of userpass user ${o.username}` };
    } catch (e) {
      if (isVaultApiError(e) && (e.status === 400 || e.status === 403)) {
        throw new AuthenticationError(`login as ${o.username} failed: ${e.errors.join('; ') || 'permission denied'}`);
      }
      throw e;
    }
  }
  if (method === 'jwt') {
    if (o.username !== undefined) throw new UsageError('--username is for --method userpass, not jwt');
    const jwt = readJobToken(o);
    const mount = o.authMount ?? 'jwt';
    const as = jwtLoginName(o);
    try {
      // The job token goes in the body only, as for the plain login (client/jwt-api.ts).
      const r = await new VaultClient({ ...base, token: '' }).call('PUT', `auth/${mount}/login`, {
        body: { jwt, ...(o.jwtRole !== undefined ? { role: o.jwtRole } : {}) },
        anonymous: true,
        wrapTtl: ttl,
      });
      if (!r?.wrapInfo)
        throw new InternalError(`the backend answered the JWT login on auth/${mount} without wrap_info`);
      return { wrapInfo: r.wrapInfo, what: `a token of ${as}` };
    } catch (e) {
      if (isVaultApiError(e) && (e.status === 400 || e.status === 403)) {
        throw new AuthenticationError(`login to ${as} failed: ${e.errors.join('; ') || `status ${e.status}`}`);
      }
      throw e;
    }
  }
  if (method !== 'token') {
    throw new UsageError(
      method === 'approle'
        ? '--wrap-ttl does not take --method approle: wrap the secret ID instead (vault write -wrap-ttl=10m -f auth/approle/role/ROLE/secret-id)'
        : `--method must be token, userpass or jwt, got ${JSON.stringify(method)}`,
    );
  }
  refuseJwtFlags(o);
  const file = vaultTokenFile();
  const token = o.token ?? base.token ?? (existsSync(file) ? readFileSync(file, 'utf8').trim() : undefined);
  if (!token) {
    throw new AuthenticationError(
      'no token to derive one from: pass --token, set VAULT_TOKEN, or use --method userpass',
    );
  }
  const wrapInfo = await createTokenWrapped(new VaultClient({ ...base, token }), {}, ttl);
  return { wrapInfo, what: 'a child token of the given token' };
}

/** Spend a wrapping token (its single use) for the token inside it. */
export async function unwrapCredential(address: string | undefined, wrappingToken: string): Promise<string> {
  const base = clientOptionsFromEnv(process.env, address ? { address } : {}, '--address');
  try {
    return await unwrapToken(new VaultClient({ ...base, token: '' }), wrappingToken);
  } catch (e) {
    throw unwrapRefusal(e) ?? e;
  }
}
