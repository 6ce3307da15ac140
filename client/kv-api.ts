// Typed calls for the KV version 2 secrets engine (Vault, OpenBao and the embedded server): read and
// write a key's data with check-and-set, its metadata, the engine's config, and a read-modify-write
// loop that retries when another writer got in first, so that concurrent updates never lose each other.

import { isVaultApiError, type VaultClient } from './vault-client.js';

/** A version's metadata as `data/:path` reads and writes answer it. */
export interface KvVersionMetadata {
  readonly version: number;
  readonly created_time: string;
  readonly deletion_time: string;
  readonly destroyed: boolean;
  readonly custom_metadata: Readonly<Record<string, string>> | null;
}

/** A key's data at one version. */
export interface KvSecret<T> {
  readonly data: T;
  readonly metadata: KvVersionMetadata;
}

/** `metadata/:path` as Vault answers it. */
export interface KvKeyMetadata {
  readonly current_version: number;
  readonly oldest_version: number;
  readonly created_time: string;
  readonly updated_time: string;
  readonly max_versions: number;
  readonly cas_required: boolean;
  readonly delete_version_after: string;
  readonly custom_metadata: Readonly<Record<string, string>> | null;
  readonly versions: Readonly<Record<string, { created_time: string; deletion_time: string; destroyed: boolean }>>;
}

const enc = (path: string): string => path.split('/').map(encodeURIComponent).join('/');

/** The current (or a given) version of `path` on KV v2 `mount`; undefined when absent, deleted or destroyed. */
export async function readKvData<T = Record<string, unknown>>(
  client: VaultClient,
  mount: string,
  path: string,
  version?: number,
): Promise<KvSecret<T> | undefined> {
  const r = await client.read<KvSecret<T>>(
    `${mount}/data/${enc(path)}`,
    version !== undefined ? { version: String(version) } : undefined,
  );
  return r?.data;
}

/**
 * Write a new version of `path`. With `cas`, only if the current version is `cas` (0: only if the key
 * does not exist); a mismatch throws a VaultApiError that `isCasMismatch` recognises.
 */
export async function writeKvData(
  client: VaultClient,
  mount: string,
  path: string,
  data: Readonly<Record<string, unknown>>,
  options: { readonly cas?: number } = {},
): Promise<KvVersionMetadata> {
  const r = await client.write<KvVersionMetadata>(`${mount}/data/${enc(path)}`, {
    ...(options.cas !== undefined ? { options: { cas: options.cas } } : {}),
    data,
  });
  return r!.data!;
}

/** A key's metadata (versions, current version); undefined when the key does not exist. */
export async function readKvMetadata(
  client: VaultClient,
  mount: string,
  path: string,
): Promise<KvKeyMetadata | undefined> {
  return (await client.read<KvKeyMetadata>(`${mount}/metadata/${enc(path)}`))?.data;
}

/** Delete a key with all its versions. */
export const deleteKvMetadata = (client: VaultClient, mount: string, path: string): Promise<void> =>
  client.delete(`${mount}/metadata/${enc(path)}`);

/** The check-and-set refusal of KV v2 (another writer wrote first). */
export const isCasMismatch = (e: unknown): boolean =>
  isVaultApiError(e) &&
  e.status === 400 &&
  e.errors.includes('check-and-set parameter did not match the current version');

/**
 * The current data and the version a check-and-set write must name. A deleted or destroyed current
 * version reads as absent, yet the next write must still name its number: then the metadata gives it,
 * and the data at exactly that version is read again (another writer may have written in between).
 */
async function readForUpdate<T>(
  client: VaultClient,
  mount: string,
  path: string,
): Promise<{ current: KvSecret<T> | undefined; version: number }> {
  const current = await readKvData<T>(client, mount, path);
  if (current) return { current, version: current.metadata.version };
  const version = (await readKvMetadata(client, mount, path))?.current_version ?? 0;
  if (version === 0) return { current: undefined, version };
  return { current: await readKvData<T>(client, mount, path, version), version };
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Read `path`, compute the next data with `update` and write it with check-and-set against the
 * version read; when another writer got in between, read again and retry (up to `attempts` times).
 * `update` returns undefined to write nothing. Resolves with the data written (or left) and its version.
 */
export async function updateKvData<T extends Record<string, unknown>>(
  client: VaultClient,
  mount: string,
  path: string,
  update: (current: T | undefined) => T | undefined,
  options: { readonly attempts?: number } = {},
): Promise<{ data: T | undefined; version: number; written: boolean }> {
  const attempts = options.attempts ?? 50;
  for (let attempt = 1; ; attempt++) {
    const { current, version } = await readForUpdate<T>(client, mount, path);
    const next = update(current?.data);
    if (next === undefined) return { data: current?.data, version, written: false };
    try {
      const written = await writeKvData(client, mount, path, next, { cas: version });
      return { data: next, version: written.version, written: true };
    } catch (e) {
      if (!isCasMismatch(e) || attempt >= attempts) throw e;
      // Spread the retries of writers that collided so that one of them wins the next round.
      await pause(Math.floor(Math.random() * 10 * Math.min(attempt, 10)));
    }
  }
}
