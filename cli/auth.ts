// How the CLI authenticates to the backend, like Vault's CLI: a token from --token, VAULT_TOKEN /
// BAO_TOKEN or the ~/.vault-token file `vault login` writes; a userpass login whose password
// comes from an environment variable (for CI) or a prompt that does not echo; or a JWT login with a
// CI job's token (GitLab `id_tokens`, GitHub Actions OIDC) from an environment variable or a file
// (issue 18); or an AppRole login (issue 24) with a role_id and a secret ID from an environment variable,
// a file, or a response-wrapping token that holds it. The password, the job token and the secret ID are
// secrets: no message names their values, and none is ever taken from the command line.

import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { loginUserpass } from '../client/access-api.js';
import { loginApprole } from '../client/approle-api.js';
import { loginJwt } from '../client/jwt-api.js';
import { clientOptionsFromEnv, type VaultClientOptions } from '../client/env.js';
import { VaultClient, isVaultApiError } from '../client/vault-client.js';
import { unwrap } from '../client/wrapping-api.js';
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

/**
 * A refused unwrap (400 or 403: used, expired, or not a wrapping token) in words, as an
 * AuthenticationError; undefined for anything else. The one wording of `--unwrap-token` and
 * `--secret-id-wrapped`.
 */
export function unwrapRefusal(e: unknown): AuthenticationError | undefined {
  if (!isVaultApiError(e) || (e.status !== 400 && e.status !== 403)) return undefined;
  return new AuthenticationError(
    `unwrapping failed: ${e.errors.join('; ') || `status ${e.status}`} (a wrapping token works once and expires: ` +
      'this one was already used, has expired or is not a wrapping token; if you did not use it, someone else ' +
      'may have: ask for a new one)',
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
  /** The AppRole role's role_id (approle method). */
  readonly roleId?: string;
  /** File holding the role_id (approle method). */
  readonly roleIdFile?: string;
  /** Environment variable holding the secret ID (approle method). @default SSHCA_SECRET_ID */
  readonly secretIdEnv?: string;
  /** File holding the secret ID (approle method). */
  readonly secretIdFile?: string;
  /** A response-wrapping token (or `@FILE` holding one) whose unwrap gives the secret ID (approle method). */
  readonly secretIdWrapped?: string;
}

/** The text of a file named by `flag`, trimmed; a usage error if it cannot be read or is empty. */
function readFlagFile(flag: string, file: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`${flag} ${file}: cannot read it (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  if (text.trim() === '') throw new UsageError(`${flag} ${file}: the file is empty`);
  return text.trim();
}

/** The role_id the options name: --role-id or --role-id-file (exactly one). */
export function readRoleId(o: AuthOptions): string {
  if ((o.roleId === undefined) === (o.roleIdFile === undefined)) {
    throw new UsageError("--method approle needs the role's role_id: --role-id ID or --role-id-file FILE, not both");
  }
  if (o.roleId !== undefined) {
    if (o.roleId.trim() === '') throw new UsageError('--role-id is empty');
    return o.roleId.trim();
  }
  return readFlagFile('--role-id-file', o.roleIdFile!);
}

/**
 * The secret ID the options name: from --secret-id-env (default SSHCA_SECRET_ID), --secret-id-file, or
 * the unwrap of --secret-id-wrapped (which spends that wrapping token). At most one of the three.
 */
export async function readSecretId(o: AuthOptions, base: VaultClientOptions): Promise<string> {
  const given = [
    ['--secret-id-env', o.secretIdEnv],
    ['--secret-id-file', o.secretIdFile],
    ['--secret-id-wrapped', o.secretIdWrapped],
  ].filter(([, v]) => v !== undefined);
  if (given.length > 1) {
    throw new UsageError(`${given.map(([f]) => f).join(' and ')} exclude each other: give the secret ID one way`);
  }
  if (o.secretIdFile !== undefined) return readFlagFile('--secret-id-file', o.secretIdFile);
  if (o.secretIdWrapped !== undefined) {
    const token = o.secretIdWrapped.startsWith('@')
      ? readFlagFile('--secret-id-wrapped', o.secretIdWrapped.slice(1))
      : o.secretIdWrapped.trim();
    if (token === '') throw new UsageError('--secret-id-wrapped is empty (give the wrapping token, or @FILE)');
    let data: Record<string, unknown> | undefined;
    try {
      data = (await unwrap(new VaultClient({ ...base, token: '' }), token)).data;
    } catch (e) {
      throw unwrapRefusal(e) ?? e;
    }
    const secretId = data?.secret_id;
    if (typeof secretId !== 'string' || secretId === '') {
      throw new AuthenticationError(
        '--secret-id-wrapped: the wrapping token held no secret_id (wrap the answer of auth/approle/role/ROLE/secret-id, ' +
          'e.g. vault write -wrap-ttl=10m -f auth/approle/role/ROLE/secret-id)',
      );
    }
    return secretId;
  }
  const variable = o.secretIdEnv ?? 'SSHCA_SECRET_ID';
  const value = process.env[variable];
  if (value === undefined || value.trim() === '') {
    throw new UsageError(
      `--method approle needs a secret ID: ${variable} is not set or empty (set it, name another variable with ` +
        '--secret-id-env, or use --secret-id-file FILE or --secret-id-wrapped TOKEN|@FILE)',
    );
  }
  return value.trim();
}

/** A usage error for an AppRole flag given without --method approle. */
export function refuseApproleFlags(o: AuthOptions): void {
  for (const [flag, value] of [
    ['--role-id', o.roleId],
    ['--role-id-file', o.roleIdFile],
    ['--secret-id-env', o.secretIdEnv],
    ['--secret-id-file', o.secretIdFile],
    ['--secret-id-wrapped', o.secretIdWrapped],
  ] as const) {
    if (value !== undefined) throw new UsageError(`${flag} needs --method approle`);
  }
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
  if (method !== 'approle') refuseApproleFlags(o);
  if (method === 'approle') {
    if (o.username !== undefined) throw new UsageError('--username is for --method userpass, not approle');
    refuseJwtFlags(o);
    const roleId = readRoleId(o);
    const mount = o.authMount ?? 'approle';
    const secretId = await readSecretId(o, base);
    try {
      const auth = await loginApprole(new VaultClient({ ...base, token: '' }), mount, roleId, secretId);
      const role = auth.metadata?.role_name;
      return {
        client: new VaultClient({ ...base, token: auth.client_token }),
        describe: `AppRole role ${role ?? '(unnamed)'} on auth/${mount}`,
      };
    } catch (e) {
      // Vault's words ("invalid role or secret ID", a CIDR refusal), never the secret ID.
      if (isVaultApiError(e) && (e.status === 400 || e.status === 403)) {
        throw new AuthenticationError(
          `AppRole login on auth/${mount} failed: ${e.errors.join('; ') || `status ${e.status}`} ` +
            '(check the role_id and the secret ID: a secret ID may have expired, used up its uses, or been destroyed)',
        );
      }
      throw e;
    }
  }
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
    throw new UsageError(`--method must be token, userpass, jwt or approle, got ${JSON.stringify(method)}`);
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
