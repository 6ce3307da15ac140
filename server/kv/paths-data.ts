// KV version 2 `data/:path`: write a new version (with check-and-set), read the current or a given
// version, soft-delete the current version. Shapes, statuses and error texts are
// hashicorp/vault-plugin-secrets-kv path_data.go's: a read of a deleted or destroyed version answers
// 404 with the version's metadata, a failed check-and-set answers 400.

import { RequestError } from '../../core/errors.js';
import type { FieldSchema } from '../../core/fields.js';
import { fieldOf, type LogicalRequest, type LogicalResponse, type PathSpec } from '../framework.js';
import { DEFAULT_MAX_VERSIONS, KvStore, kvTime, type KvConfig, type KvKeyMetadata } from './kv-store.js';

export const DATA_FIELDS: FieldSchema = {
  version: {
    type: 'int',
    description: 'If provided during a read, the value at the version number will be returned',
  },
  options: {
    type: 'map',
    description: 'Options for writing a KV entry; "cas" makes the write a check-and-set against the current version.',
  },
  data: { type: 'map', description: 'The contents of the data map will be stored and returned on read.' },
};

export const storeOf = (req: Pick<LogicalRequest, 'storage' | 'mount'>): KvStore =>
  new KvStore(req.storage, req.mount.uuid);

/** mapstructure.WeakDecode of `options.cas` into an int; undefined when it does not decode. */
function weakInt(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? Math.trunc(v) : undefined;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (v === null) return 0;
  if (typeof v === 'string') {
    if (v === '') return 0;
    return /^[+-]?\d+$/.test(v) ? Number(v) : undefined;
  }
  return undefined;
}

/** path_data.go `validateCheckAndSetOption`. */
export function checkAndSet(req: LogicalRequest, config: KvConfig, meta: KvKeyMetadata): void {
  const options = fieldOf<Record<string, unknown>>(req, 'options');
  if (options && 'cas' in options) {
    const cas = weakInt(options.cas);
    if (cas === undefined) throw new RequestError('error parsing check-and-set parameter');
    if (cas !== meta.current_version)
      throw new RequestError('check-and-set parameter did not match the current version');
  } else if (config.cas_required || meta.cas_required) {
    throw new RequestError('check-and-set parameter required for this call');
  }
}

/** A fresh key's metadata (Vault starts with version 0 and oldest version 0). */
const freshMetadata = (key: string): KvKeyMetadata => ({
  key,
  versions: {},
  current_version: 0,
  oldest_version: 0,
  created_time: 0,
  updated_time: 0,
  max_versions: 0,
  cas_required: false,
  delete_version_after: 0,
  custom_metadata: null,
});

/** A version's metadata as data reads and writes answer it. */
export const versionView = (meta: KvKeyMetadata, version: number) => {
  const vm = meta.versions[String(version)]!;
  return {
    created_time: kvTime(vm.created_time),
    custom_metadata: meta.custom_metadata,
    deletion_time: kvTime(vm.deletion_time),
    destroyed: vm.destroyed,
    version,
  };
};

/** Whether a version is soft-deleted by now (Vault: deletion time before now; seconds here, so "at or before"). */
const deletedBy = (deletionTime: number, now: number): boolean => deletionTime !== 0 && deletionTime <= now;

/** Vault's RespondWithStatusCode(resp, 404): the whole envelope with the metadata, status 404. */
function notFoundWith(data: Record<string, unknown>): LogicalResponse {
  const body = {
    request_id: '',
    lease_id: '',
    renewable: false,
    lease_duration: 0,
    data,
    wrap_info: null,
    warnings: null,
    auth: null,
    mount_type: 'kv',
  };
  return { raw: { status: 404, contentType: 'application/json', body: JSON.stringify(body) } };
}

async function write(req: LogicalRequest): Promise<LogicalResponse> {
  const key = req.captures.path!;
  const store = storeOf(req);
  const config = await store.config();
  const data = fieldOf<Record<string, unknown>>(req, 'data');
  if (data === undefined) throw new RequestError('no data provided');
  return store.exclusive(key, async () => {
    const meta = (await store.metadata(key)) ?? freshMetadata(key);
    checkAndSet(req, config, meta);
    const version = meta.current_version + 1;
    const after = meta.delete_version_after || config.delete_version_after;
    const vm = { created_time: req.now, deletion_time: after > 0 ? req.now + after : 0, destroyed: false };
    await store.writeVersion(key, version, data);
    const versions: Record<string, (typeof meta.versions)[string]> = { ...meta.versions, [String(version)]: vm };
    const configured = Math.max(meta.max_versions, config.max_versions);
    const maxVersions = configured > 0 ? configured : DEFAULT_MAX_VERSIONS;
    let oldest = meta.oldest_version;
    let toDelete = 0;
    if (version - oldest >= maxVersions) {
      toDelete = version - maxVersions;
      for (let i = oldest; i <= toDelete; i++) delete versions[String(i)];
      oldest = toDelete + 1;
    }
    const next: KvKeyMetadata = {
      ...meta,
      versions,
      current_version: version,
      oldest_version: oldest,
      created_time: meta.created_time || req.now,
      updated_time: req.now,
    };
    await store.writeMetadata(next);
    // path_data.go cleanupOldVersions: drop the stored versions that fell out of the window.
    for (let i = toDelete; i > 0; i--) {
      if ((await store.version(key, i)) === undefined) break;
      await store.deleteVersion(key, i);
    }
    return { data: versionView(next, version) };
  });
}

export const dataPath: PathSpec = {
  pattern: /^data\/(?<path>.*?[^/])$/,
  fields: DATA_FIELDS,
  exists: async (req) => (await new KvStore(req.storage, '').metadata(req.captures.path!)) !== undefined,
  operations: {
    update: write,
    async read(req) {
      const key = req.captures.path!;
      const store = storeOf(req);
      const meta = await store.metadata(key);
      if (!meta) return undefined;
      const asked = fieldOf<number>(req, 'version') ?? 0;
      const version = asked > 0 ? asked : meta.current_version;
      const vm = meta.versions[String(version)];
      if (!vm) return undefined;
      const metadata = versionView(meta, version);
      if (deletedBy(vm.deletion_time, req.now) || vm.destroyed) return notFoundWith({ data: null, metadata });
      const data = await store.version(key, version);
      if (data === undefined) throw new Error('could not find version data');
      return { data: { data, metadata } };
    },
    async delete(req) {
      const key = req.captures.path!;
      const store = storeOf(req);
      await store.exclusive(key, async () => {
        const meta = await store.metadata(key);
        const lv = meta?.versions[String(meta.current_version)];
        if (!meta || !lv || lv.destroyed || deletedBy(lv.deletion_time, req.now)) return;
        await store.writeMetadata({
          ...meta,
          versions: { ...meta.versions, [String(meta.current_version)]: { ...lv, deletion_time: req.now } },
        });
      });
      return undefined;
    },
  },
};
