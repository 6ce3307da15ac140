// The AppRole auth method's storage (one mount's view), laid out as Vault's approle backend keeps it:
//
//   salt                          the mount's random salt for the index keys
//   role/<name>                   a role (names lower-cased), with its role_id and per-role HMAC key
//   role_id/<HMAC(salt, role_id)> → { name }: which role a role_id logs in to
//   secret_id/<HMAC(k, role name)>/<HMAC(k, secret ID)> → the secret ID's properties (k: the role's key)
//   accessor/<HMAC(salt, accessor)> → { secret_id_hmac }: the accessor index
//
// A secret ID is never stored, logged or answered in clear after its creation: only its HMAC under
// the role's key names its entry. Work on one role, one secret ID or the salt runs under a per-key
// lock (server/keyed-lock.ts), so a read-modify-write (a login spending a use) never interleaves.

import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { APPROLE_MAX_HMAC_INPUT } from '../../core/approle.js';
import { InternalError } from '../../core/errors.js';
import type { LogicalRequest } from '../framework.js';
import { KeyedLock } from '../keyed-lock.js';
import { getJson, putJson, type Storage } from '../storage/storage.js';
import type { TokenSettings } from './token-fields.js';

/** A stored AppRole role. */
export interface AppRole extends TokenSettings {
  readonly role_id: string;
  /** Key of the HMACs that name this role's secret IDs (a UUID, as Vault's). */
  readonly hmac_key: string;
  readonly bind_secret_id: boolean;
  /** Null until set, as Vault's nil list reads back. */
  readonly secret_id_bound_cidrs: string[] | null;
  readonly secret_id_num_uses: number;
  /** Seconds; 0 = secret IDs do not expire. */
  readonly secret_id_ttl: number;
  readonly local_secret_ids: boolean;
}

/** A stored secret ID (never the secret ID itself). Times are Unix milliseconds; 0 = unset. */
export interface SecretIdEntry {
  readonly secret_id_accessor: string;
  /** Logins left; 0 = unlimited. */
  readonly secret_id_num_uses: number;
  /** Seconds, as asked (the read shape shows it; expiry uses `expiration_time`). */
  readonly secret_id_ttl: number;
  readonly creation_time: number;
  readonly expiration_time: number;
  readonly last_updated_time: number;
  readonly metadata: Record<string, string>;
  readonly cidr_list: string[];
  readonly token_bound_cidrs: string[];
}

interface AccessorEntry {
  readonly secret_id_hmac: string;
}

// Keys carry the mount's UUID (unique across servers in one process), so one lock serves every mount.
const locks = new KeyedLock();

/** Run `work` alone for this key of this mount. */
export const withLock = <T>(req: Pick<LogicalRequest, 'mount'>, key: string, work: () => Promise<T>): Promise<T> =>
  locks.run(`${req.mount.uuid}/${key}`, work);

/** Vault's `createHMAC`: hex HMAC-SHA256; a value over 4096 bytes is an internal error naming `what`. */
export function hmacOf(key: string, value: string, what: string): string {
  if (Buffer.byteLength(value, 'utf8') > APPROLE_MAX_HMAC_INPUT) {
    throw new InternalError(
      `failed to create HMAC of ${what}: value is longer than maximum of ${APPROLE_MAX_HMAC_INPUT} bytes`,
    );
  }
  return createHmac('sha256', key).update(value, 'utf8').digest('hex');
}

/** The mount's salt for index keys, made once. */
async function saltOf(req: Pick<LogicalRequest, 'mount' | 'storage'>): Promise<string> {
  const existing = await getJson<string>(req.storage, 'salt');
  if (existing) return existing;
  return withLock(req, 'salt', async () => {
    const again = await getJson<string>(req.storage, 'salt');
    if (again) return again;
    const salt = randomBytes(32).toString('hex');
    await putJson(req.storage, 'salt', salt);
    return salt;
  });
}

const roleKey = (name: string) => `role/${name.toLowerCase()}`;

/** A role by name (names are case-insensitive: stored lower-cased). */
export const readAppRole = (storage: Storage, name: string): Promise<AppRole | undefined> =>
  getJson<AppRole>(storage, roleKey(name));

export const writeAppRole = (storage: Storage, name: string, role: AppRole): Promise<void> =>
  putJson(storage, roleKey(name), role);

export const deleteAppRoleEntry = (storage: Storage, name: string): Promise<void> => storage.delete(roleKey(name));

/** The storage key of a role_id's index entry. */
export async function roleIdKey(req: Pick<LogicalRequest, 'mount' | 'storage'>, roleId: string): Promise<string> {
  return `role_id/${createHmac('sha256', await saltOf(req))
    .update(roleId, 'utf8')
    .digest('hex')}`;
}

/** The role name a role_id belongs to. */
export async function roleNameOfRoleId(
  req: Pick<LogicalRequest, 'mount' | 'storage'>,
  roleId: string,
): Promise<string | undefined> {
  return (await getJson<{ name: string }>(req.storage, await roleIdKey(req, roleId)))?.name;
}

async function accessorKey(req: Pick<LogicalRequest, 'mount' | 'storage'>, accessor: string): Promise<string> {
  return `accessor/${createHmac('sha256', await saltOf(req))
    .update(accessor, 'utf8')
    .digest('hex')}`;
}

/** Where one role's secret IDs live, and the entry key of a secret ID's HMAC. */
export interface SecretIdPlace {
  /** `secret_id/<HMAC of the role name>/` */
  readonly prefix: string;
  readonly keyOf: (secretIdHmac: string) => string;
}

export function secretIdPlace(role: AppRole, roleName: string): SecretIdPlace {
  const prefix = `secret_id/${hmacOf(role.hmac_key, roleName.toLowerCase(), 'role_name')}/`;
  return { prefix, keyOf: (h) => prefix + h };
}

/** The HMAC that names a secret ID's entry (the secret ID itself is never stored). */
export const secretIdHmac = (role: AppRole, secretId: string): string => hmacOf(role.hmac_key, secretId, 'secret_id');

export const readSecretId = (storage: Storage, key: string): Promise<SecretIdEntry | undefined> =>
  getJson<SecretIdEntry>(storage, key);

/** The secret ID HMAC an accessor names, if the accessor is known. */
export async function secretIdHmacOfAccessor(
  req: Pick<LogicalRequest, 'mount' | 'storage'>,
  accessor: string,
): Promise<string | undefined> {
  return (await getJson<AccessorEntry>(req.storage, await accessorKey(req, accessor)))?.secret_id_hmac;
}

/** Whether the entry's accessor index is still there (Vault revokes a secret ID that lost it). */
export async function hasAccessor(req: Pick<LogicalRequest, 'mount' | 'storage'>, accessor: string): Promise<boolean> {
  return (await getJson<AccessorEntry>(req.storage, await accessorKey(req, accessor))) !== undefined;
}

/**
 * Store a new secret ID under its HMAC with a fresh accessor (index first, as Vault), under the
 * secret ID's lock. Throws Vault's internal error when one with this value is already registered.
 */
export async function registerSecretId(
  req: Pick<LogicalRequest, 'mount' | 'storage'>,
  place: SecretIdPlace,
  hmac: string,
  entry: Omit<SecretIdEntry, 'secret_id_accessor'>,
): Promise<SecretIdEntry> {
  return withLock(req, `secret/${hmac}`, async () => {
    if ((await readSecretId(req.storage, place.keyOf(hmac))) !== undefined) {
      throw new InternalError('failed to store secret_id: SecretID is already registered');
    }
    const stored: SecretIdEntry = { ...entry, secret_id_accessor: randomUUID() };
    await putJson(req.storage, await accessorKey(req, stored.secret_id_accessor), { secret_id_hmac: hmac });
    await putJson(req.storage, place.keyOf(hmac), stored);
    return stored;
  });
}

/** Delete a secret ID: its accessor index first, then the entry (Vault's order). Call under its lock. */
export async function deleteSecretId(
  req: Pick<LogicalRequest, 'mount' | 'storage'>,
  key: string,
  accessor: string,
): Promise<void> {
  await req.storage.delete(await accessorKey(req, accessor));
  await req.storage.delete(key);
}

/** Whether an entry has expired at `nowSeconds`. */
export const isExpired = (entry: SecretIdEntry, nowSeconds: number): boolean =>
  entry.expiration_time !== 0 && nowSeconds * 1000 >= entry.expiration_time;
