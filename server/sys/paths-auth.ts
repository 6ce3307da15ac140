// `sys/auth`: enable, disable, read, list and tune auth methods (reference §5.4). Enabling and
// disabling are root-protected (sudo), unlike sys/mounts. Disabling a method revokes the tokens its
// logins issued and drops its data.

import { parseDurationSeconds } from '../../core/duration.js';
import { RequestError } from '../../core/errors.js';
import { validateMountPathVault } from '../../core/mount-path.js';
import { AUTH_MOUNT_FIELDS, AUTH_TUNE_FIELDS } from '../../core/path-fields.js';
import type { TokenStore } from '../auth/token-store.js';
import { fieldOf, suppliedFields, type LogicalRequest, type PathSpec } from '../framework.js';
import { deletePrefix, type Storage } from '../storage/storage.js';
import { mountStoragePrefix, type MountTable, type UserLockoutConfig } from './mount-table.js';
import { describeMount, normalise, parseConfigTtls } from './paths-mounts.js';

/** Auth method types that can be enabled. */
export const AUTH_TYPES = new Set(['userpass', 'jwt', 'oidc', 'approle']);

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function seconds(name: string, raw: unknown): number {
  try {
    return parseDurationSeconds(raw);
  } catch (e) {
    throw new RequestError(`unable to parse ${name}: ${(e as Error).message}`);
  }
}

/** Parse `user_lockout_config` as Vault's tune does (absent fields keep the defaults). */
function parseLockout(raw: unknown, current?: UserLockoutConfig): UserLockoutConfig | undefined {
  if (!isObject(raw)) return current;
  const base = current ?? {
    lockout_threshold: 5,
    lockout_duration: 900,
    lockout_counter_reset: 900,
    lockout_disable: false,
  };
  const given = raw.lockout_threshold;
  const threshold =
    given === undefined ? base.lockout_threshold : given !== null && typeof given === 'object' ? NaN : Number(given);
  if (!Number.isInteger(threshold) || threshold < 0) throw new RequestError('unable to parse lockout_threshold');
  return {
    lockout_threshold: threshold,
    lockout_duration:
      raw.lockout_duration === undefined ? base.lockout_duration : seconds('lockout_duration', raw.lockout_duration),
    lockout_counter_reset:
      raw.lockout_counter_reset === undefined
        ? base.lockout_counter_reset
        : seconds('lockout_counter_reset', raw.lockout_counter_reset),
    lockout_disable:
      raw.lockout_disable === undefined
        ? base.lockout_disable
        : raw.lockout_disable === true || raw.lockout_disable === 'true',
  };
}

/** The sys/auth paths over the auth table, the root storage and the token store. */
export function authPaths(table: MountTable, rootStorage: Storage, tokens: TokenStore): PathSpec[] {
  async function enable(req: LogicalRequest) {
    const path = normalise(req.captures.path!);
    const type = fieldOf<string>(req, 'type') ?? '';
    if (type === '') throw new RequestError('backend type must be specified as a string');
    const [refused] = validateMountPathVault(path, 'auth');
    if (refused) throw new RequestError(refused.message);
    if (type === 'token') throw new RequestError('token credential backend cannot be instantiated');
    const existing = table.conflict(path);
    if (existing) throw new RequestError(`path is already in use at auth/${existing.path}`);
    if (!AUTH_TYPES.has(type)) throw new RequestError(`plugin not found in the catalog: ${type}`);
    // The `config` map's sub-keys are decoded by Vault's handler itself (mapstructure into
    // MountConfigInput), not by the framework: the map arrives whole and is read here.
    const rawConfig = fieldOf<Record<string, unknown>>(req, 'config') ?? {};
    const lockout = parseLockout(rawConfig.user_lockout_config);
    await table.add({
      path,
      type,
      description: fieldOf<string>(req, 'description') ?? '',
      config: {
        ...parseConfigTtls(rawConfig),
        force_no_cache: false,
        ...(lockout ? { user_lockout_config: lockout } : {}),
      },
      local: fieldOf<boolean>(req, 'local') ?? false,
      seal_wrap: fieldOf<boolean>(req, 'seal_wrap') ?? false,
      options: {},
    });
    return undefined;
  }

  async function disable(req: LogicalRequest) {
    const path = normalise(req.captures.path!);
    if (path === 'token/') throw new RequestError('token credential backend cannot be disabled');
    const removed = await table.remove(path);
    if (!removed) return undefined;
    await tokens.revokeByPathPrefix(`auth/${path}`);
    await deletePrefix(rootStorage, mountStoragePrefix(removed));
    return undefined;
  }

  return [
    {
      pattern: /^auth\/?$/,
      fields: {},
      operations: {
        async read() {
          return { data: Object.fromEntries(table.all().map((m) => [m.path, describeMount(m)])) };
        },
      },
    },
    {
      pattern: /^auth\/(?<path>.+?)\/tune\/?$/,
      fields: AUTH_TUNE_FIELDS,
      sudo: true,
      operations: {
        async read(req) {
          const m = table.get(normalise(req.captures.path!));
          if (!m) throw new RequestError(`cannot fetch sysview for path "auth/${normalise(req.captures.path!)}"`);
          return { data: { ...(describeMount(m).config as Record<string, unknown>), description: m.description } };
        },
        async update(req) {
          const m = table.get(normalise(req.captures.path!));
          if (!m) throw new RequestError(`cannot fetch sysview for path "auth/${normalise(req.captures.path!)}"`);
          const config = parseConfigTtls(suppliedFields(req, ['default_lease_ttl', 'max_lease_ttl']), m.config);
          const lockout = parseLockout(req.fields.get('user_lockout_config'), m.config.user_lockout_config);
          const description = fieldOf<string>(req, 'description') ?? m.description;
          await table.replace({
            ...m,
            description,
            config: { ...m.config, ...config, ...(lockout ? { user_lockout_config: lockout } : {}) },
          });
          return undefined;
        },
      },
    },
    {
      pattern: /^auth\/(?<path>.+)$/,
      fields: AUTH_MOUNT_FIELDS,
      sudo: true,
      operations: {
        update: enable,
        delete: disable,
        async read(req) {
          const m = table.get(normalise(req.captures.path!));
          return m ? { data: describeMount(m) } : undefined;
        },
      },
    },
  ];
}
