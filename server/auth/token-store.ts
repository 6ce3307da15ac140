// Tokens of the embedded server, as Vault's token store keeps them: stored under the SHA-256 of the
// token (never in clear) and compared in constant time, with an accessor index, a parent → children
// index (revoking a token revokes its descendants), TTLs and explicit maximum TTLs, use counts,
// renewal, and display names as Vault forms them.

import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { RequestError } from '../../core/errors.js';
import { deletePrefix, getJson, putJson, type Storage } from '../storage/storage.js';

/** Vault's system maximum TTL (768h), which caps every token. */
export const SYSTEM_MAX_TOKEN_TTL = 768 * 3600;

/** What the server knows about a live token. */
export interface TokenEntry {
  /** Storage id (hex SHA-256 of the token). */
  readonly hash: string;
  readonly accessor: string;
  readonly displayName: string;
  /** Sorted, unique; `default` included unless excluded at creation; `["root"]` for root tokens. */
  readonly policies: readonly string[];
  readonly meta: Readonly<Record<string, string>> | null;
  /** Remaining uses; 0 = unlimited. */
  readonly numUses: number;
  /** Unix seconds. */
  readonly creationTime: number;
  /** Seconds the token was created (or last renewed) for; 0 = never expires. */
  readonly creationTtl: number;
  /** Seconds; 0 = none. */
  readonly explicitMaxTtl: number;
  /** Unix seconds when it expires; 0 = never. */
  readonly expireTime: number;
  /** Unix seconds of the last renewal (creation if never renewed). */
  readonly issueTime: number;
  readonly renewable: boolean;
  readonly orphan: boolean;
  /** The parent's hash, unless orphan. */
  readonly parent?: string;
  /** Where it was created: `auth/token/root`, `auth/token/create`, `auth/userpass/login/alice`. */
  readonly path: string;
}

/** What a new token gets. */
export interface NewToken {
  /** The token string; generated when absent. */
  readonly id?: string;
  readonly displayName: string;
  readonly policies: readonly string[];
  readonly meta?: Readonly<Record<string, string>> | null;
  readonly numUses?: number;
  /** Seconds; 0 = never expires (root policy only). */
  readonly ttl: number;
  readonly explicitMaxTtl?: number;
  readonly renewable?: boolean;
  /** The parent's hash; absent = orphan. */
  readonly parent?: string;
  readonly path: string;
}

const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** `n` random base62 characters. */
function base62(n: number): string {
  let out = '';
  while (out.length < n) {
    for (const b of randomBytes(2 * n)) {
      if (b < 248) out += BASE62[b % 62];
      if (out.length === n) break;
    }
  }
  return out;
}

/** A new token in Vault's service-token format: `hvs.` + 24 random base62 characters. */
export const generateToken = (): string => `hvs.${base62(24)}`;

const hashToken = (token: string): Buffer => createHash('sha256').update(token, 'utf8').digest();

const TOKENS = 'core/tokens/';
const ACCESSORS = 'core/token-accessors/';
const CHILDREN = 'core/token-children/';

/** Token storage, lookup, use counting, renewal and revocation. */
export class TokenStore {
  /** @param now - the clock in Unix seconds */
  constructor(
    private readonly storage: Storage,
    private readonly now: () => number = () => Math.floor(Date.now() / 1000),
  ) {}

  /** Store a token and return its string and entry. */
  async create(spec: NewToken): Promise<{ token: string; entry: TokenEntry }> {
    const token = spec.id ?? generateToken();
    const hash = hashToken(token).toString('hex');
    if (await getJson(this.storage, TOKENS + hash)) throw new RequestError('cannot create a token with a duplicate ID');
    const now = this.now();
    const entry: TokenEntry = {
      hash,
      accessor: base62(24),
      displayName: spec.displayName,
      policies: [...new Set(spec.policies)].sort(),
      meta: spec.meta ?? null,
      numUses: spec.numUses ?? 0,
      creationTime: now,
      creationTtl: spec.ttl,
      explicitMaxTtl: spec.explicitMaxTtl ?? 0,
      expireTime: spec.ttl > 0 ? now + spec.ttl : 0,
      issueTime: now,
      renewable: spec.renewable ?? true,
      orphan: spec.parent === undefined,
      ...(spec.parent !== undefined ? { parent: spec.parent } : {}),
      path: spec.path,
    };
    if (spec.parent !== undefined) await putJson(this.storage, `${CHILDREN}${spec.parent}/${hash}`, true);
    await putJson(this.storage, ACCESSORS + entry.accessor, hash);
    await putJson(this.storage, TOKENS + hash, entry);
    return { token, entry };
  }

  /** Store a root token (given, or freshly generated) and return it. */
  async createRoot(id?: string): Promise<string> {
    const { token } = await this.create({
      ...(id !== undefined ? { id } : {}),
      displayName: 'root',
      policies: ['root'],
      ttl: 0,
      renewable: false,
      path: 'auth/token/root',
    });
    return token;
  }

  /** True when at least one token exists (the server was initialised). */
  async initialized(): Promise<boolean> {
    return (await this.storage.list(TOKENS)).length > 0;
  }

  /** The live entry for a presented token; an expired token is revoked and yields undefined. */
  async lookup(token: string): Promise<TokenEntry | undefined> {
    if (token === '') return undefined;
    const hash = hashToken(token);
    const entry = await this.byHash(hash.toString('hex'));
    if (!entry || !timingSafeEqual(Buffer.from(entry.hash, 'hex'), hash)) return undefined;
    return entry;
  }

  /** The live entry with this storage id. */
  async byHash(hash: string): Promise<TokenEntry | undefined> {
    const entry = await getJson<TokenEntry>(this.storage, TOKENS + hash);
    if (!entry) return undefined;
    if (entry.expireTime !== 0 && entry.expireTime <= this.now()) {
      await this.revoke(entry);
      return undefined;
    }
    return entry;
  }

  /** The live entry with this accessor. */
  async byAccessor(accessor: string): Promise<TokenEntry | undefined> {
    if (!/^[A-Za-z0-9]+$/.test(accessor)) return undefined;
    const hash = await getJson<string>(this.storage, ACCESSORS + accessor);
    return hash === undefined ? undefined : this.byHash(hash);
  }

  /**
   * Count one use of a token with limited uses and return the entry as the request sees it (uses
   * left after this one); the use that spends the last one revokes the token.
   */
  async use(entry: TokenEntry): Promise<TokenEntry> {
    if (entry.numUses === 0) return entry;
    const used = { ...entry, numUses: entry.numUses - 1 };
    if (used.numUses === 0) await this.revoke(entry);
    else await putJson(this.storage, TOKENS + entry.hash, used);
    return used;
  }

  /** Seconds left; 0 for a token that never expires. */
  ttlOf(entry: TokenEntry): number {
    return entry.expireTime === 0 ? 0 : Math.max(0, entry.expireTime - this.now());
  }

  /**
   * Renew for `increment` seconds (default: the TTL it was created with), capped by its explicit
   * maximum TTL and the system maximum counted from its creation.
   */
  async renew(entry: TokenEntry, increment?: number): Promise<TokenEntry> {
    if (entry.expireTime === 0) return entry;
    if (!entry.renewable) throw new RequestError('lease is not renewable');
    const now = this.now();
    let ttl = increment && increment > 0 ? increment : entry.creationTtl;
    const caps = [entry.creationTime + SYSTEM_MAX_TOKEN_TTL];
    if (entry.explicitMaxTtl > 0) caps.push(entry.creationTime + entry.explicitMaxTtl);
    ttl = Math.min(ttl, ...caps.map((c) => c - now));
    if (ttl <= 0) throw new RequestError('past the max TTL, cannot renew');
    const renewed: TokenEntry = { ...entry, expireTime: now + ttl, issueTime: now };
    await putJson(this.storage, TOKENS + entry.hash, renewed);
    return renewed;
  }

  /** Revoke a token and every descendant (orphans created by it are left alone, as in Vault). */
  async revoke(entry: TokenEntry): Promise<void> {
    for (const child of await this.storage.list(`${CHILDREN}${entry.hash}/`)) {
      const childEntry = await getJson<TokenEntry>(this.storage, TOKENS + child);
      if (childEntry) await this.revoke(childEntry);
    }
    await deletePrefix(this.storage, `${CHILDREN}${entry.hash}/`);
    if (entry.parent !== undefined) await this.storage.delete(`${CHILDREN}${entry.parent}/${entry.hash}`);
    await this.storage.delete(ACCESSORS + entry.accessor);
    await this.storage.delete(TOKENS + entry.hash);
  }

  /** Revoke every token created under `prefix` (e.g. `auth/userpass/` when that method is disabled). */
  async revokeByPathPrefix(prefix: string): Promise<void> {
    for (const hash of await this.storage.list(TOKENS)) {
      const entry = await getJson<TokenEntry>(this.storage, TOKENS + hash);
      if (entry?.path.startsWith(prefix)) await this.revoke(entry);
    }
  }

  /** Revoke a token but make its children orphans. */
  async revokeOrphan(entry: TokenEntry): Promise<void> {
    for (const child of await this.storage.list(`${CHILDREN}${entry.hash}/`)) {
      const childEntry = await getJson<TokenEntry>(this.storage, TOKENS + child);
      if (childEntry) {
        const { parent: _parent, ...rest } = childEntry;
        await putJson(this.storage, TOKENS + child, { ...rest, orphan: true });
      }
    }
    await deletePrefix(this.storage, `${CHILDREN}${entry.hash}/`);
    await this.revoke(entry);
  }
}
