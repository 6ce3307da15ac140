// Typed calls for Vault's response wrapping (`sys/wrapping/*`) and for the wrapped logins and
// token creations that hand a credential on: unwrap as Vault's Go client does (a client without a
// token unwraps with the wrapping token itself; one with its own token names the wrapping token in
// the body), lookup without using the token, rewrap, and wrap arbitrary data.

import { InternalError } from '../core/errors.js';
import { isVaultApiError, type VaultClient, type VaultResponse, type WrapInfo } from './vault-client.js';

/** What `sys/wrapping/lookup` tells about a wrapping token. */
export interface WrappingLookup {
  /** Seconds the token was created for. */
  readonly creation_ttl: number;
  readonly creation_time: string;
  /** The request path whose answer is wrapped (e.g. `auth/userpass/login/alice`). */
  readonly creation_path: string;
}

function wrapInfoOf(r: VaultResponse | undefined, what: string): WrapInfo {
  if (!r?.wrapInfo) throw new InternalError(`the backend answered ${what} without wrap_info`);
  return r.wrapInfo;
}

/**
 * Unwrap a wrapping token (its single use) and return the answer it held. With no token of its
 * own the client sends the wrapping token as `X-Vault-Token`; otherwise as `token` in the body.
 */
export async function unwrap<T = Record<string, unknown>>(
  client: VaultClient,
  wrappingToken: string,
): Promise<VaultResponse<T>> {
  const own = client.options.token;
  const r =
    own && own !== wrappingToken
      ? await client.call<T>('PUT', 'sys/wrapping/unwrap', { body: { token: wrappingToken } })
      : await client.call<T>('PUT', 'sys/wrapping/unwrap', { token: wrappingToken });
  if (!r) throw new InternalError('the backend answered the unwrap with nothing');
  return r;
}

/** The token a wrapped login or token creation held (`auth.client_token`, else `data.token`). */
export async function unwrapToken(client: VaultClient, wrappingToken: string): Promise<string> {
  const r = await unwrap<{ token?: unknown }>(client, wrappingToken);
  const token = r.auth?.client_token ?? r.data?.token;
  if (typeof token !== 'string' || token === '') {
    throw new InternalError('the wrapping token held no token (neither auth.client_token nor data.token)');
  }
  return token;
}

/** Look up a wrapping token without using it (unauthenticated, as in Vault). */
export async function lookupWrapping(client: VaultClient, wrappingToken: string): Promise<WrappingLookup> {
  const r = await client.call<WrappingLookup>('PUT', 'sys/wrapping/lookup', {
    body: { token: wrappingToken },
    anonymous: true,
  });
  if (!r?.data) throw new InternalError('the backend answered the wrapping lookup without data');
  return r.data;
}

/** Rewrap: a new wrapping token for the same answer and TTL; the old token stops working. */
export async function rewrap(client: VaultClient, wrappingToken: string): Promise<WrapInfo> {
  return wrapInfoOf(await client.call('PUT', 'sys/wrapping/rewrap', { body: { token: wrappingToken } }), 'the rewrap');
}

/** Wrap arbitrary data for `ttl` (seconds or a duration such as `"10m"`). */
export async function wrapData(
  client: VaultClient,
  data: Readonly<Record<string, unknown>>,
  ttl: string | number,
): Promise<WrapInfo> {
  return wrapInfoOf(await client.call('PUT', 'sys/wrapping/wrap', { body: data, wrapTtl: ttl }), 'the wrap');
}

/** A userpass login whose token is handed on wrapped: only the wrapping token comes back. */
export async function loginUserpassWrapped(
  client: VaultClient,
  mount: string,
  username: string,
  password: string,
  ttl: string | number,
): Promise<WrapInfo> {
  const r = await client.call('PUT', `auth/${mount}/login/${username}`, {
    body: { password },
    anonymous: true,
    wrapTtl: ttl,
  });
  return wrapInfoOf(r, `the login of ${username}`);
}

/** What a new child token gets (`auth/token/create`); unset fields take Vault's defaults. */
export interface TokenCreateInput {
  readonly policies?: readonly string[];
  /** e.g. `"1h"`. */
  readonly ttl?: string;
  readonly explicitMaxTtl?: string;
  readonly displayName?: string;
  readonly numUses?: number;
  readonly noDefaultPolicy?: boolean;
  readonly renewable?: boolean;
  readonly meta?: Readonly<Record<string, string>>;
}

/** `auth/token/create`'s body for an input (Vault's field names). */
export function tokenCreateBody(t: TokenCreateInput): Record<string, unknown> {
  return {
    ...(t.policies ? { policies: [...t.policies] } : {}),
    ...(t.ttl !== undefined ? { ttl: t.ttl } : {}),
    ...(t.explicitMaxTtl !== undefined ? { explicit_max_ttl: t.explicitMaxTtl } : {}),
    ...(t.displayName !== undefined ? { display_name: t.displayName } : {}),
    ...(t.numUses !== undefined ? { num_uses: t.numUses } : {}),
    ...(t.noDefaultPolicy !== undefined ? { no_default_policy: t.noDefaultPolicy } : {}),
    ...(t.renewable !== undefined ? { renewable: t.renewable } : {}),
    ...(t.meta ? { meta: { ...t.meta } } : {}),
  };
}

/** Create a child token of the client's token, handed on wrapped (`vault token create -wrap-ttl`). */
export async function createTokenWrapped(
  client: VaultClient,
  input: TokenCreateInput,
  ttl: string | number,
): Promise<WrapInfo> {
  return wrapInfoOf(
    await client.call('PUT', 'auth/token/create', { body: tokenCreateBody(input), wrapTtl: ttl }),
    'the token creation',
  );
}

/** Whether the token with this accessor is still live (`auth/token/lookup-accessor`). */
export async function tokenAccessorExists(client: VaultClient, accessor: string): Promise<boolean> {
  try {
    return (await client.call('PUT', 'auth/token/lookup-accessor', { body: { accessor } })) !== undefined;
  } catch (e) {
    // Vault answers an unknown accessor with 400 ("invalid accessor"); gone is gone.
    if (isVaultApiError(e) && (e.status === 400 || e.status === 404)) return false;
    throw e;
  }
}

/** Revoke the token with this accessor (and its children); an already gone token is not an error. */
export async function revokeTokenAccessor(client: VaultClient, accessor: string): Promise<void> {
  if (await tokenAccessorExists(client, accessor)) {
    await client.call('PUT', 'auth/token/revoke-accessor', { body: { accessor } });
  }
}
