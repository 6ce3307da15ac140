// How the CLI authenticates to the backend, like Vault's CLI: a token from --token, VAULT_TOKEN /
// BAO_TOKEN or the ~/.vault-token file `vault login` writes; a userpass login whose password
// comes from an environment variable (for CI) or a prompt that does not echo; or a JWT login with a
// CI job's token (GitLab `id_tokens`, GitHub Actions OIDC) from an environment variable or a file
// (issue 18). The password and the job token are secrets: no message names their values.

import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { loginUserpass } from '../client/access-api.js';
import { loginJwt } from '../client/jwt-api.js';
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
  /** Where the auth method is mounted. @default userpass (jwt for the jwt method) */
  readonly authMount?: string;
  /** Environment variable holding the CI job's token (jwt method). */
  readonly jwtEnv?: string;
  /** File holding the CI job's token (jwt method). */
  readonly jwtFile?: string;
  /** The JWT role to log in to. @default the JWT mount's default_role */
  readonly jwtRole?: string;
}

/** The job token the options name: from --jwt-env or --jwt-file (exactly one), whitespace trimmed. */
export function readJobToken(o: AuthOptions): string {
  if ((o.jwtEnv === undefined) === (o.jwtFile === undefined)) {
    throw new UsageError(
      "--method jwt needs the CI job's token: --jwt-env VARIABLE (e.g. SSHCA_JWT) or --jwt-file FILE, not both",
    );
  }
  let jwt: string;
  if (o.jwtEnv !== undefined) {
    const value = process.env[o.jwtEnv];
    if (value === undefined || value.trim() === '') {
      throw new UsageError(
        `--jwt-env ${o.jwtEnv}: the variable is not set or empty (GitLab: declare it under id_tokens; GitHub: fetch the token with ACTIONS_ID_TOKEN_REQUEST_URL)`,
      );
    }
    jwt = value;
  } else {
    try {
      jwt = readFileSync(o.jwtFile!, 'utf8');
    } catch (e) {
      throw new UsageError(`--jwt-file ${o.jwtFile}: cannot read it (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    if (jwt.trim() === '') throw new UsageError(`--jwt-file ${o.jwtFile}: the file is empty`);
  }
  return jwt.trim();
}

/** A usage error for a --jwt-* flag given without --method jwt. */
export function refuseJwtFlags(o: AuthOptions): void {
  for (const [flag, value] of [
    ['--jwt-env', o.jwtEnv],
    ['--jwt-file', o.jwtFile],
    ['--jwt-role', o.jwtRole],
  ] as const) {
    if (value !== undefined) throw new UsageError(`${flag} needs --method jwt`);
  }
}

/** What a JWT login of these options is called in messages: `JWT role dev-ci on auth/jwt`. */
export const jwtLoginName = (o: AuthOptions): string =>
  `JWT role ${o.jwtRole ?? "(the mount's default role)"} on auth/${o.authMount ?? 'jwt'}`;

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
  if (method === 'jwt') {
    if (o.username !== undefined) throw new UsageError('--username is for --method userpass, not jwt');
    const jwt = readJobToken(o);
    const mount = o.authMount ?? 'jwt';
    const as = jwtLoginName(o);
    try {
      const auth = await loginJwt(new VaultClient({ ...base, token: '' }), mount, jwt, o.jwtRole);
      return { client: new VaultClient({ ...base, token: auth.client_token }), describe: as };
    } catch (e) {
      // The backend's words, never the token (Vault's messages name claims, not values of the token).
      if (isVaultApiError(e) && (e.status === 400 || e.status === 403)) {
        throw new AuthenticationError(`login to ${as} failed: ${e.errors.join('; ') || `status ${e.status}`}`);
      }
      throw e;
    }
  }
  if (method !== 'token') {
    throw new UsageError(`--method must be token, userpass or jwt, got ${JSON.stringify(method)}`);
  }
  refuseJwtFlags(o);
  const file = vaultTokenFile();
  const token = o.token ?? base.token ?? (existsSync(file) ? readFileSync(file, 'utf8').trim() : undefined);
  if (!token) {
    throw new AuthenticationError(
      `no token: pass --token, set VAULT_TOKEN, run "vault login", or use --method userpass`,
    );
  }
  return { client: new VaultClient({ ...base, token }), describe: 'token' };
}
