// Typed calls for the AppRole auth method (issue 24): a role's role_id, new secret IDs (plain or
// response-wrapped, as `vault write -wrap-ttl=… -f auth/approle/role/R/secret-id`), and the login of a
// role_id and secret ID. The secret ID travels in the body only; no call here puts it in an error.

import { InternalError } from '../core/errors.js';
import type { AuthBlock, VaultClient, WrapInfo } from './vault-client.js';

/** What `auth/<mount>/role/<role>/secret-id` answers for a new secret ID. */
export interface SecretIdInfo {
  readonly secret_id: string;
  readonly secret_id_accessor: string;
  /** Seconds; 0 = never expires. */
  readonly secret_id_ttl: number;
  /** 0 = unlimited. */
  readonly secret_id_num_uses: number;
}

/** A role's role_id (`auth/<mount>/role/<role>/role-id`). */
export async function readApproleRoleId(client: VaultClient, mount: string, role: string): Promise<string> {
  const r = await client.read<{ role_id: string }>(`auth/${mount}/role/${role}/role-id`);
  if (typeof r?.data?.role_id !== 'string') {
    throw new InternalError(`the backend answered auth/${mount}/role/${role}/role-id without a role_id`);
  }
  return r.data.role_id;
}

/** A new secret ID of `role`; `metadata` becomes the login token's metadata. */
export async function createSecretId(
  client: VaultClient,
  mount: string,
  role: string,
  metadata?: Readonly<Record<string, string>>,
): Promise<SecretIdInfo> {
  const r = await client.call<SecretIdInfo>('PUT', `auth/${mount}/role/${role}/secret-id`, {
    body: metadata ? { metadata: JSON.stringify(metadata) } : {},
  });
  if (!r?.data?.secret_id)
    throw new InternalError(`the backend answered auth/${mount}/role/${role}/secret-id without a secret ID`);
  return r.data;
}

/** A new secret ID of `role` handed on wrapped for `ttl`: only the wrapping token comes back. */
export async function createSecretIdWrapped(
  client: VaultClient,
  mount: string,
  role: string,
  ttl: string | number,
): Promise<WrapInfo> {
  const r = await client.call('PUT', `auth/${mount}/role/${role}/secret-id`, { body: {}, wrapTtl: ttl });
  if (!r?.wrapInfo)
    throw new InternalError(`the backend answered auth/${mount}/role/${role}/secret-id without wrap_info`);
  return r.wrapInfo;
}

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
