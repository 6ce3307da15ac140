// Storage of the KV version 2 engine (hashicorp/vault-plugin-secrets-kv): the engine's config, one
// metadata entry per key (its versions, current and oldest version, times) and one entry per kept
// version. Writes to one key run one at a time (Vault's per-key lock), so a check-and-set compares
// against the version the write will follow.

import { KeyedLock } from '../keyed-lock.js';
import { getJson, putJson, type Storage } from '../storage/storage.js';

/** Versions kept per key unless the config or the key's metadata says otherwise (Vault's defaultMaxVersions). */
export const DEFAULT_MAX_VERSIONS = 10;

/** The engine's `config` (Vault's Configuration). */
export interface KvConfig {
  readonly max_versions: number;
  readonly cas_required: boolean;
  /** Seconds; 0 = versions are never deleted automatically. */
  readonly delete_version_after: number;
}

export const DEFAULT_KV_CONFIG: KvConfig = { max_versions: 0, cas_required: false, delete_version_after: 0 };

/** One version's metadata; times are Unix seconds, 0 = not set. */
export interface KvVersionMetadata {
  readonly created_time: number;
  readonly deletion_time: number;
  readonly destroyed: boolean;
}

/** A key's metadata (Vault's KeyMetadata). */
export interface KvKeyMetadata {
  readonly key: string;
  readonly versions: Readonly<Record<string, KvVersionMetadata>>;
  readonly current_version: number;
  readonly oldest_version: number;
  readonly created_time: number;
  readonly updated_time: number;
  readonly max_versions: number;
  readonly cas_required: boolean;
  readonly delete_version_after: number;
  readonly custom_metadata: Readonly<Record<string, string>> | null;
}

/** Go's `time.RFC3339Nano` of Unix seconds (ptypes.TimestampString); "" for an unset time. */
export const kvTime = (seconds: number): string =>
  seconds === 0 ? '' : new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');

/** Go's `time.Duration.String()` for whole seconds: `0s`, `1h0m0s`, `90s` → `1m30s`. */
export function goDuration(seconds: number): string {
  if (seconds === 0) return '0s';
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return h > 0 ? `${h}h${m}m${s}s` : m > 0 ? `${m}m${s}s` : `${s}s`;
}

const metadataKey = (key: string): string => `metadata/${key}`;
const versionKey = (key: string, version: number): string => `versions/${key}/${version}`;

/** Writes to one key of one mount run one at a time (keys are `<mount uuid>\0<key>`). */
const WRITES = new KeyedLock();

/** The KV v2 entries of one mount's storage view. */
export class KvStore {
  constructor(
    private readonly storage: Storage,
    private readonly mountUuid: string,
  ) {}

  /** Run `work` alone among the writes to `key` of this mount. */
  exclusive<T>(key: string, work: () => Promise<T>): Promise<T> {
    return WRITES.run(`${this.mountUuid}\0${key}`, work);
  }

  async config(): Promise<KvConfig> {
    return { ...DEFAULT_KV_CONFIG, ...(await getJson<Partial<KvConfig>>(this.storage, 'config')) };
  }

  writeConfig(config: KvConfig): Promise<void> {
    return putJson(this.storage, 'config', config);
  }

  metadata(key: string): Promise<KvKeyMetadata | undefined> {
    return getJson<KvKeyMetadata>(this.storage, metadataKey(key));
  }

  writeMetadata(meta: KvKeyMetadata): Promise<void> {
    return putJson(this.storage, metadataKey(meta.key), meta);
  }

  version(key: string, version: number): Promise<Record<string, unknown> | undefined> {
    return getJson<Record<string, unknown>>(this.storage, versionKey(key, version));
  }

  writeVersion(key: string, version: number, data: Record<string, unknown>): Promise<void> {
    return putJson(this.storage, versionKey(key, version), data);
  }

  deleteVersion(key: string, version: number): Promise<void> {
    return this.storage.delete(versionKey(key, version));
  }

  deleteMetadata(key: string): Promise<void> {
    return this.storage.delete(metadataKey(key));
  }

  /** Immediate children under `metadata/<prefix>` (folders end with `/`). */
  list(prefix: string): Promise<string[]> {
    return this.storage.list(metadataKey(prefix));
  }
}
