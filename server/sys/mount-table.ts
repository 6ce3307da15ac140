// The mount table: which secrets engine is mounted at which path, with its TTL tuning, persisted
// as one storage entry so that enabling or tuning a mount is a single atomic write.

import { randomBytes, randomUUID } from 'node:crypto';
import { SYSTEM_DEFAULT_LEASE_TTL, type MountTtls } from '../../core/policy/validity.js';
import { getJson, putJson, type Storage } from '../storage/storage.js';

/** One mount, in the shape `GET /v1/sys/mounts` lists (snake_case, as stored). */
export interface MountEntry {
  /** With a trailing slash: `ssh/`, `team/ssh-dev/`. */
  readonly path: string;
  readonly type: string;
  readonly description: string;
  readonly accessor: string;
  readonly uuid: string;
  readonly config: {
    /** Seconds; 0 = the system value. */
    readonly default_lease_ttl: number;
    readonly max_lease_ttl: number;
    readonly force_no_cache: boolean;
    /** Auth mounts: Vault's user lockout settings, when tuned. */
    readonly user_lockout_config?: UserLockoutConfig;
  };
  readonly local: boolean;
  readonly seal_wrap: boolean;
  readonly options: Record<string, string> | null;
}

/** Vault's `user_lockout_config` of an auth mount (durations in seconds). */
export interface UserLockoutConfig {
  readonly lockout_threshold: number;
  readonly lockout_duration: number;
  readonly lockout_counter_reset: number;
  readonly lockout_disable: boolean;
}

/** The built-in token auth method, always present in the auth table. */
export const TOKEN_AUTH_MOUNT: MountEntry = {
  path: 'token/',
  type: 'token',
  description: 'token based credentials',
  accessor: 'auth_token_00000000',
  uuid: '00000000-0000-0000-0000-000000000001',
  config: { default_lease_ttl: 0, max_lease_ttl: 0, force_no_cache: false },
  local: false,
  seal_wrap: false,
  options: null,
};

/** The system mount, always present. */
export const SYS_MOUNT: MountEntry = {
  path: 'sys/',
  type: 'system',
  description: 'system endpoints used for control, policy and debugging',
  accessor: 'system_00000000',
  uuid: '00000000-0000-0000-0000-000000000000',
  config: { default_lease_ttl: 0, max_lease_ttl: 0, force_no_cache: false },
  local: false,
  seal_wrap: true,
  options: null,
};

/** Effective TTLs of a mount (0 resolved to the system default). */
export function effectiveTtls(mount: MountEntry): MountTtls {
  return {
    defaultLeaseTtl: mount.config.default_lease_ttl || SYSTEM_DEFAULT_LEASE_TTL,
    maxLeaseTtl: mount.config.max_lease_ttl || SYSTEM_DEFAULT_LEASE_TTL,
  };
}

/** Storage prefix of a mount's own data. */
export const mountStoragePrefix = (mount: MountEntry): string => `logical/${mount.uuid}/`;

/** A mount table (secrets engines, or auth methods), cached in memory and written through to storage. */
export class MountTable {
  private mounts: MountEntry[] = [];

  /**
   * @param key - storage key of the table: `core/mounts` for secrets engines, `core/auth` for auth methods
   * @param builtin - the mount that is always there (`sys/`, or the token auth method)
   */
  constructor(
    private readonly storage: Storage,
    private readonly key = 'core/mounts',
    private readonly builtin: MountEntry = SYS_MOUNT,
  ) {}

  async load(): Promise<void> {
    this.mounts = (await getJson<MountEntry[]>(this.storage, this.key)) ?? [];
  }

  /** Every mount including the built-in one, sorted by path. */
  all(): MountEntry[] {
    return [this.builtin, ...this.mounts].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  /** The mount serving `path` (longest matching prefix), if any. Runs on every request: no allocation. */
  find(path: string): MountEntry | undefined {
    const withSlash = path.endsWith('/') ? path : `${path}/`;
    let best = withSlash.startsWith(this.builtin.path) ? this.builtin : undefined;
    for (const m of this.mounts) {
      if (withSlash.startsWith(m.path) && (!best || m.path.length > best.path.length)) best = m;
    }
    return best;
  }

  /** The mount at exactly `path` (with or without the trailing slash). */
  get(path: string): MountEntry | undefined {
    const p = path.endsWith('/') ? path : `${path}/`;
    return this.all().find((m) => m.path === p);
  }

  /** The existing mount that conflicts with `path` (either is a prefix of the other). */
  conflict(path: string): MountEntry | undefined {
    return this.all().find((m) => m.path.startsWith(path) || path.startsWith(m.path));
  }

  async add(entry: Omit<MountEntry, 'accessor' | 'uuid'>): Promise<MountEntry> {
    const full: MountEntry = {
      ...entry,
      accessor: `${this.key === 'core/auth' ? 'auth_' : ''}${entry.type}_${randomBytes(4).toString('hex')}`,
      uuid: randomUUID(),
    };
    await this.save([...this.mounts, full]);
    return full;
  }

  async remove(path: string): Promise<MountEntry | undefined> {
    const entry = this.mounts.find((m) => m.path === path);
    if (entry) await this.save(this.mounts.filter((m) => m !== entry));
    return entry;
  }

  async replace(entry: MountEntry): Promise<void> {
    await this.save(this.mounts.map((m) => (m.path === entry.path ? entry : m)));
  }

  private async save(next: MountEntry[]): Promise<void> {
    await putJson(this.storage, this.key, next);
    this.mounts = next;
  }
}
