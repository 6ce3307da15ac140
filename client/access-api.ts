// Typed calls for access control and audit: ACL policies, auth methods, userpass users and logins,
// tokens, and audit devices (reference §5.2–5.5).

import { InternalError } from '../core/errors.js';
import type { AuthBlock, VaultClient } from './vault-client.js';

/** Write an ACL policy (HCL or JSON text). */
export async function writePolicy(client: VaultClient, name: string, policy: string): Promise<void> {
  await client.write(`sys/policies/acl/${name}`, { policy }, true);
}

/** A policy's text, or undefined. */
export async function readPolicy(client: VaultClient, name: string): Promise<string | undefined> {
  return (await client.read<{ policy: string }>(`sys/policies/acl/${name}`))?.data?.policy;
}

export const deletePolicy = (client: VaultClient, name: string): Promise<void> =>
  client.delete(`sys/policies/acl/${name}`);

/** One auth method as `sys/auth` lists it. */
export interface AuthMethodInfo {
  readonly type: string;
  readonly description: string;
  readonly accessor: string;
  readonly [key: string]: unknown;
}

/** Enable an auth method (e.g. `userpass`) at `path`. */
export async function enableAuth(
  client: VaultClient,
  path: string,
  options: { readonly type: string; readonly description?: string },
): Promise<void> {
  await client.write(`sys/auth/${path}`, { type: options.type, description: options.description ?? '' });
}

/** Every auth method, keyed by path with a trailing slash. */
export async function listAuthMethods(client: VaultClient): Promise<Record<string, AuthMethodInfo>> {
  return ((await client.read<Record<string, AuthMethodInfo>>('sys/auth'))?.data ?? {}) as Record<
    string,
    AuthMethodInfo
  >;
}

export const disableAuth = (client: VaultClient, path: string): Promise<void> => client.delete(`sys/auth/${path}`);

/** Create or update a userpass user (`password`, `token_policies`, `token_ttl`, …). */
export async function writeUserpassUser(
  client: VaultClient,
  mount: string,
  username: string,
  body: Readonly<Record<string, unknown>>,
): Promise<void> {
  await client.write(`auth/${mount}/users/${username}`, body, true);
}

/** A user's token settings (never the password), or undefined. */
export async function readUserpassUser(
  client: VaultClient,
  mount: string,
  username: string,
): Promise<Record<string, unknown> | undefined> {
  return (await client.read(`auth/${mount}/users/${username}`))?.data;
}

export const deleteUserpassUser = (client: VaultClient, mount: string, username: string): Promise<void> =>
  client.delete(`auth/${mount}/users/${username}`);

/** Log in with userpass; the answer's `auth` block holds the token. */
export async function loginUserpass(
  client: VaultClient,
  mount: string,
  username: string,
  password: string,
): Promise<AuthBlock> {
  const r = await client.call('PUT', `auth/${mount}/login/${username}`, { body: { password }, anonymous: true });
  if (!r?.auth) throw new InternalError(`the backend answered the login for ${username} without a token`);
  return r.auth;
}

/** One audit device as `sys/audit` lists it. */
export interface AuditDeviceInfo {
  readonly type: string;
  readonly description: string;
  readonly options: Readonly<Record<string, string>>;
  readonly path: string;
  readonly [key: string]: unknown;
}

/** Enable an audit device. */
export async function enableAudit(
  client: VaultClient,
  path: string,
  options: { readonly type: string; readonly description?: string; readonly options: Readonly<Record<string, string>> },
): Promise<void> {
  await client.write(`sys/audit/${path}`, {
    type: options.type,
    description: options.description ?? '',
    options: options.options,
  });
}

/** Every audit device, keyed by path with a trailing slash. */
export async function listAuditDevices(client: VaultClient): Promise<Record<string, AuditDeviceInfo>> {
  return ((await client.read<Record<string, AuditDeviceInfo>>('sys/audit'))?.data ?? {}) as Record<
    string,
    AuditDeviceInfo
  >;
}

export const disableAudit = (client: VaultClient, path: string): Promise<void> => client.delete(`sys/audit/${path}`);
