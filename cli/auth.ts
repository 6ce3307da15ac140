// How the CLI authenticates to the backend, like Vault's CLI: a token from --token, VAULT_TOKEN /
// BAO_TOKEN or the ~/.vault-token file `vault login` writes; or a userpass login whose password
// comes from an environment variable (for CI) or a prompt that does not echo.

import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { loginUserpass } from '../client/access-api.js';
import { clientOptionsFromEnv } from '../client/env.js';
import { VaultClient, isVaultApiError } from '../client/vault-client.js';
import { RequestError, UsageError } from '../core/errors.js';
import { readSecret } from './prompt.js';

/** A failed login (exit code 3). */
export class AuthenticationError extends RequestError {
  readonly exitCode = 3;
}

/**
 * The backend's answer to a token it does not know (never issued, revoked, expired, its uses spent):
 * 403 with `invalid token` among its errors, as Vault answers (a policy refusal says only
 * `permission denied`). In words, as an AuthenticationError (exit code 3); undefined for anything else.
 */
export function invalidTokenError(e: unknown): AuthenticationError | undefined {
  if (!isVaultApiError(e) || e.status !== 403) return undefined;
  if (!e.errors.some((text) => /^\t?\*? ?invalid token$/m.test(text))) return undefined;
  return new AuthenticationError(
    'the token is invalid or expired (revoked, past its TTL or its uses, or never issued): get a new one ' +
      '(sshca login --method userpass, vault login, or VAULT_TOKEN / --token) ' +
      '(backend said: permission denied, invalid token)',
  );
}

/** What the command line says about authentication. */
export interface AuthOptions {
  readonly address?: string;
  readonly token?: string;
  /** `token` (default) or `userpass`. */
  readonly method?: string;
  readonly username?: string;
  /** Environment variable holding the password. @default SSHCA_PASSWORD */
  readonly passwordEnv?: string;
  /** Where userpass is mounted. @default userpass */
  readonly authMount?: string;
}

/** The token file Vault's CLI writes on `vault login`. */
export const vaultTokenFile = (): string => join(homedir(), '.vault-token');

/** A client for the backend, authenticated as the options say; `describe` names the identity used. */
export async function authenticate(o: AuthOptions): Promise<{ client: VaultClient; describe: string }> {
  const base = clientOptionsFromEnv(process.env, o.address ? { address: o.address } : {}, '--address');
  const method = o.method ?? 'token';
  if (method === 'userpass') {
    if (!o.username) throw new UsageError('--method userpass needs --username');
    const variable = o.passwordEnv ?? 'SSHCA_PASSWORD';
    const password =
      process.env[variable] ??
      (await readSecret(`Password for ${o.username}: `, `set ${variable} or run in a terminal`));
    const anonymous = new VaultClient({ ...base, token: '' });
    try {
      const auth = await loginUserpass(anonymous, o.authMount ?? 'userpass', o.username, password);
      return {
        client: new VaultClient({ ...base, token: auth.client_token }),
        describe: `userpass user ${o.username}`,
      };
    } catch (e) {
      if (isVaultApiError(e) && (e.status === 400 || e.status === 403)) {
        const why =
          e.status === 403 ? 'permission denied (the user may be locked out after failed logins)' : e.errors.join('; ');
        throw new AuthenticationError(`login as ${o.username} failed: ${why}`);
      }
      throw e;
    }
  }
  if (method !== 'token') throw new UsageError(`--method must be token or userpass, got ${JSON.stringify(method)}`);
  const file = vaultTokenFile();
  const token = o.token ?? base.token ?? (existsSync(file) ? readFileSync(file, 'utf8').trim() : undefined);
  if (!token) {
    throw new AuthenticationError(
      `no token: pass --token, set VAULT_TOKEN, run "vault login", or use --method userpass`,
    );
  }
  return { client: new VaultClient({ ...base, token }), describe: 'token' };
}
