// `sys/mounts`: enable, disable, read, list and tune secrets engines (reference §5.1). The embedded
// server has the `ssh` engine and KV version 2 (`kv` with options.version "2", or `kv-v2`: where
// revocations are kept, issue 20); other types are refused as Vault refuses an unknown plugin.

import { parseDurationSeconds } from '../../core/duration.js';
import { RequestError } from '../../core/errors.js';
import { formatGoValue, toStringMap } from '../../core/fields.js';
import { sanitizeMountPath, validateMountPathVault } from '../../core/mount-path.js';
import { MOUNT_FIELDS, MOUNT_TUNE_FIELDS } from '../../core/path-fields.js';
import { fieldOf, suppliedFields, type LogicalRequest, type PathSpec } from '../framework.js';
import type { ExpirationManager } from '../leases/expiration-manager.js';
import { deletePrefix } from '../storage/storage.js';
import { effectiveTtls, mountStoragePrefix, type MountEntry, type MountTable } from './mount-table.js';
import type { Storage } from '../storage/storage.js';

/** Engine types the server can mount. */
export const ENGINE_TYPES = new Set(['ssh', 'kv']);

/** A mount entry as the API shows it. */
export function describeMount(m: MountEntry): Record<string, unknown> {
  return {
    accessor: m.accessor,
    config: { ...m.config },
    description: m.description,
    external_entropy_access: false,
    local: m.local,
    options: m.options,
    plugin_version: '',
    running_plugin_version: '',
    running_sha256: '',
    seal_wrap: m.seal_wrap,
    type: m.type,
    uuid: m.uuid,
  };
}

function parseTtl(raw: unknown, label: 'default' | 'max'): number {
  if (raw === undefined || raw === null || raw === '' || raw === 'system') return 0;
  try {
    const seconds = parseDurationSeconds(raw);
    if (seconds < 0) throw new Error(`cannot provide negative value '${seconds}'`);
    return seconds;
  } catch (e) {
    throw new RequestError(`unable to parse ${label} TTL of ${formatGoValue(raw)}: ${(e as Error).message}`);
  }
}

export function parseConfigTtls(raw: Record<string, unknown>, current = { default_lease_ttl: 0, max_lease_ttl: 0 }) {
  const def = 'default_lease_ttl' in raw ? parseTtl(raw.default_lease_ttl, 'default') : current.default_lease_ttl;
  const max = 'max_lease_ttl' in raw ? parseTtl(raw.max_lease_ttl, 'max') : current.max_lease_ttl;
  if (def !== 0 && max !== 0 && def > max)
    throw new RequestError('given default lease TTL greater than given max lease TTL');
  return { default_lease_ttl: def, max_lease_ttl: max };
}

/** A mount path as Vault's `sanitizePath` makes it (core/mount-path.ts). */
export const normalise = sanitizeMountPath;

/**
 * The sys/mounts paths over a mount table, the root storage (to drop a disabled mount's data) and the
 * leases (a disabled mount's leases are revoked first, as Vault does).
 */
export function mountPaths(table: MountTable, rootStorage: Storage, expiration: ExpirationManager): PathSpec[] {
  async function enable(req: LogicalRequest) {
    const path = normalise(req.captures.path!);
    let type = fieldOf<string>(req, 'type') ?? '';
    if (type === '') throw new RequestError('backend type must be specified as a string');
    // Vault answers the first problem only (core/mount-path.ts).
    const [refused] = validateMountPathVault(path, 'secrets');
    if (refused) throw new RequestError(refused.message);
    const existing = table.conflict(path);
    if (existing) throw new RequestError(`path is already in use at ${existing.path}`);
    let options = fieldOf<Record<string, unknown>>(req, 'options') ?? {};
    // Vault's aliases kv-v1 and kv-v2 set the KV version (logical_system.go handleMount).
    if (type === 'kv-v1' || type === 'kv-v2') {
      options = { ...options, version: type.slice(-1) };
      type = 'kv';
    }
    if (!ENGINE_TYPES.has(type)) throw new RequestError(`plugin not found in the catalog: ${type}`);
    if (type !== 'kv' && 'version' in options) {
      throw new RequestError(`secrets engine "${type}" does not allow setting a version`);
    }
    if (type === 'kv' && String(options.version ?? '1') !== '2') {
      throw new RequestError(
        'the embedded server implements KV version 2 only: enable "kv-v2", or "kv" with options {"version": "2"}',
      );
    }
    // The `config` map's sub-keys are decoded by Vault's handler itself (mapstructure into
    // MountConfigInput), not by the framework: the map arrives whole and parseConfigTtls reads it.
    const config = parseConfigTtls(fieldOf<Record<string, unknown>>(req, 'config') ?? {});
    await table.add({
      path,
      type,
      description: fieldOf<string>(req, 'description') ?? '',
      config: { ...config, force_no_cache: false },
      local: fieldOf<boolean>(req, 'local') ?? false,
      seal_wrap: fieldOf<boolean>(req, 'seal_wrap') ?? false,
      options: toStringMap(options),
    });
    return undefined;
  }

  return [
    {
      pattern: /^mounts\/?$/,
      fields: {},
      operations: {
        async read() {
          return { data: Object.fromEntries(table.all().map((m) => [m.path, describeMount(m)])) };
        },
      },
    },
    {
      pattern: /^mounts\/(?<path>.+?)\/tune\/?$/,
      fields: MOUNT_TUNE_FIELDS,
      operations: {
        async read(req) {
          const m = table.get(normalise(req.captures.path!));
          if (!m) throw new RequestError(`cannot fetch sysview for path "${normalise(req.captures.path!)}"`);
          const { defaultLeaseTtl, maxLeaseTtl } = effectiveTtls(m);
          return {
            data: {
              default_lease_ttl: defaultLeaseTtl,
              max_lease_ttl: maxLeaseTtl,
              force_no_cache: m.config.force_no_cache,
              description: m.description,
            },
          };
        },
        async update(req) {
          const m = table.get(normalise(req.captures.path!));
          if (!m) throw new RequestError(`cannot fetch sysview for path "${normalise(req.captures.path!)}"`);
          const config = parseConfigTtls(suppliedFields(req, ['default_lease_ttl', 'max_lease_ttl']), m.config);
          const description = fieldOf<string>(req, 'description') ?? m.description;
          await table.replace({ ...m, description, config: { ...m.config, ...config } });
          return undefined;
        },
      },
    },
    {
      pattern: /^mounts\/(?<path>.+)$/,
      fields: MOUNT_FIELDS,
      operations: {
        update: enable,
        async read(req) {
          const m = table.get(normalise(req.captures.path!));
          return m ? { data: describeMount(m) } : undefined;
        },
        async delete(req) {
          const path = normalise(req.captures.path!);
          if (path === 'sys/') throw new RequestError('cannot unmount "sys/"');
          if (table.get(path)) await expiration.revokePrefix(path);
          const removed = await table.remove(path);
          if (removed) await deletePrefix(rootStorage, mountStoragePrefix(removed));
          return undefined;
        },
      },
    },
  ];
}
