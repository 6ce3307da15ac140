// Tokens of the embedded server, as Vault's token store keeps them: stored under the SHA-256 of the
// token (never in clear) and compared in constant time, with an accessor index, a parent → children
// index (revoking a token revokes its descendants), TTLs and explicit maximum TTLs, use counts,
// renewal, and display names as Vault forms them. Every read-modify-write of one token (spending a
// use, renewing, revoking, adding a child) runs under that token's lock, so parallel requests cannot
// spend a use twice or resurrect a revoked token (issue 13). Expiry is active, as in Vault's
// expiration manager: at a token's expiry it and its descendants are revoked, and the tokens that
// expired while the server was down are revoked once the server has opened. That pass reads every
// token, so it runs in the background after open (issue 22: 100,000 tokens must not delay the first
// answer); until it has, an expired token is refused (and revoked) when it is presented, as always.

import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { RequestError } from '../../core/errors.js';
import { resolveTokenTtl } from '../../core/token-ttl.js';
import { KeyedLock } from '../keyed-lock.js';
import { ExpiryTimer } from '../leases/expiry-timer.js';
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
  /** Where it may be used from (`token_bound_cidrs`); absent = anywhere. */
  readonly boundCidrs?: readonly string[];
  /** The identity entity it belongs to (Vault's `entity_id`); absent = none. */
  readonly entityId?: string;
  /** Seconds: a periodic token is renewed to this, with no max TTL but an explicit one; absent = not periodic. */
  readonly period?: number;
  /** The token role it was created against (`auth/token/create/:role`); absent = none. */
  readonly role?: string;
}

/** What bounds a renewal: the period and explicit max TTL in force (a token role's current ones, as in Vault). */
export interface RenewLimits {
  readonly period: number;
  readonly explicitMaxTtl: number;
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
  /** Where it may be used from; a child without its own inherits its parent's, as in Vault. */
  readonly boundCidrs?: readonly string[];
  /** The identity entity (a login's, or the parent's for a child token, as in Vault). */
  readonly entityId?: string;
  /** Seconds; 0 or absent = not periodic. */
  readonly period?: number;
  /** The token role it is created against. */
  readonly role?: string;
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

/** Vault's answer when the parent of a new token is gone (or on its last use: revocation pending). */
const NO_PARENT = 'parent token lookup failed: no parent found';
/** Vault's answer when a use-limited token asks for a child: it could escape its use count. */
export const RESTRICTED_USE = 'restricted use token cannot generate child tokens';

/** Token storage, lookup, use counting, renewal, revocation and expiry. */
export class TokenStore {
  private readonly lock = new KeyedLock();
  /** Hash → Unix seconds of expiry, for every token that expires. */
  private readonly expiries = new Map<string, number>();
  private timer: ExpiryTimer | undefined;
  private stopping = false;
  /** Open's pass over the stored tokens has ended: every expired token is revoked or indexed to be. */
  private indexed = false;
  /** The background pass of open over the stored tokens; settles when it is done. */
  private scan: Promise<void> = Promise.resolve();

  /** @param now - the clock in Unix seconds */
  constructor(
    private readonly storage: Storage,
    private readonly now: () => number = () => Math.floor(Date.now() / 1000),
  ) {}

  /**
   * Open the tokens in storage with active expiry: those that expired meanwhile are revoked with their
   * descendants, the others when their time comes. The stored tokens are read in the background,
   * after open has returned (see `loaded`).
   *
   * @param clock - Unix milliseconds
   */
  static async open(storage: Storage, clock: () => number, log: (line: string) => void): Promise<TokenStore> {
    const store = new TokenStore(storage, () => Math.floor(clock() / 1000));
    store.timer = new ExpiryTimer(clock, (nowMs) => store.expireDue(nowMs), log);
    store.scan = store.loadExpiries(log);
    return store;
  }

  /** Settles once open's background pass has indexed every stored token's expiry and revoked the expired ones. */
  loaded(): Promise<void> {
    return this.scan;
  }

  /** Read every stored token's expiry into the index, a slice at a time, then revoke those due. */
  private async loadExpiries(log: (line: string) => void): Promise<void> {
    // Not before open has returned: the server listens first.
    await new Promise((resolve) => setImmediate(resolve));
    const started = Date.now();
    try {
      const hashes = await this.storage.list(TOKENS);
      const SLICE = 256;
      for (let i = 0; i < hashes.length && !this.stopping; i += SLICE) {
        await Promise.all(
          hashes.slice(i, i + SLICE).map(async (hash) => {
            const entry = await getJson<TokenEntry>(this.storage, TOKENS + hash);
            // A token created or renewed meanwhile is indexed already, with its newest expiry.
            if (entry && entry.expireTime !== 0 && !this.expiries.has(hash)) this.expiries.set(hash, entry.expireTime);
          }),
        );
        // Requests go on between slices.
        await new Promise((resolve) => setImmediate(resolve));
      }
      if (!this.stopping) {
        await this.timer?.runNow();
        this.indexed = true;
      }
      if (hashes.length >= 10_000) log(`token store: ${hashes.length} tokens indexed in ${Date.now() - started} ms`);
    } catch (e) {
      // Sealed or closing under it: the pass ends, nothing is lost (expired tokens are still refused when used).
      if (!this.stopping) log(`token store: indexing stored tokens failed: ${(e as Error).message}`);
    }
  }

  /** Stop the expiry timer (the server is closing); resolves once the background pass of open has ended. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.timer?.stop();
    await this.scan;
  }

  /**
   * Store a token and return its string and entry. A child is added under its parent's lock, so a
   * parent being revoked, used up or expired gets no new child.
   */
  async create(spec: NewToken): Promise<{ token: string; entry: TokenEntry }> {
    const token = spec.id ?? generateToken();
    const hash = hashToken(token).toString('hex');
    const add = async (parent: TokenEntry | undefined) =>
      this.lock.run(hash, async () => {
        if (await getJson(this.storage, TOKENS + hash)) {
          throw new RequestError('cannot create a token with a duplicate ID');
        }
        const now = this.now();
        const boundCidrs = spec.boundCidrs ?? parent?.boundCidrs ?? [];
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
          ...(boundCidrs.length > 0 ? { boundCidrs: [...boundCidrs] } : {}),
          ...(spec.entityId ? { entityId: spec.entityId } : {}),
          ...(spec.period ? { period: spec.period } : {}),
          ...(spec.role ? { role: spec.role } : {}),
        };
        if (spec.parent !== undefined) await putJson(this.storage, `${CHILDREN}${spec.parent}/${hash}`, true);
        await putJson(this.storage, ACCESSORS + entry.accessor, hash);
        await putJson(this.storage, TOKENS + hash, entry);
        this.track(entry);
        return { token, entry };
      });
    if (spec.parent === undefined) return add(undefined);
    return this.lock.run(spec.parent, async () => {
      const parent = await this.readLive(spec.parent!);
      if (!parent) throw new RequestError(NO_PARENT);
      if (parent.numUses > 0) throw new RequestError(RESTRICTED_USE);
      return add(parent);
    });
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
    if (this.expired(entry)) {
      await this.revoke(entry);
      return undefined;
    }
    // Until open's pass has revoked the tokens that expired while the server was down, a token whose
    // ancestor expired is still stored: the ancestor is revoked now, with its descendants.
    if (!this.indexed && entry.parent !== undefined && (await this.revokeExpiredAncestor(entry))) return undefined;
    return entry;
  }

  /** Revoke the nearest expired ancestor of `entry`, if any; answers whether there was one. */
  private async revokeExpiredAncestor(entry: TokenEntry): Promise<boolean> {
    for (let hash = entry.parent; hash !== undefined;) {
      const ancestor = await getJson<TokenEntry>(this.storage, TOKENS + hash);
      if (!ancestor) return false;
      if (this.expired(ancestor)) {
        await this.revoke(ancestor);
        return true;
      }
      hash = ancestor.parent;
    }
    return false;
  }

  /** The live entry with this accessor. */
  async byAccessor(accessor: string): Promise<TokenEntry | undefined> {
    if (!/^[A-Za-z0-9]+$/.test(accessor)) return undefined;
    const hash = await getJson<string>(this.storage, ACCESSORS + accessor);
    return hash === undefined ? undefined : this.byHash(hash);
  }

  /**
   * Count one use of a token with limited uses and return the entry as the request sees it (uses
   * left after this one); the use that spends the last one revokes the token. Undefined when the
   * token is gone meanwhile (used up, revoked or expired by a parallel request): the request is refused.
   */
  async use(entry: TokenEntry): Promise<TokenEntry | undefined> {
    // A token's use count never goes from unlimited to limited.
    if (entry.numUses === 0) return entry;
    return this.lock.run(entry.hash, async () => {
      const current = await this.readLive(entry.hash);
      if (!current) return undefined;
      if (current.numUses === 0) return current;
      const used = { ...current, numUses: current.numUses - 1 };
      if (used.numUses === 0) await this.revokeLocked(current.hash);
      else await putJson(this.storage, TOKENS + current.hash, used);
      return used;
    });
  }

  /** Seconds left; 0 for a token that never expires. */
  ttlOf(entry: TokenEntry): number {
    return entry.expireTime === 0 ? 0 : Math.max(0, entry.expireTime - this.now());
  }

  /**
   * Renew as Vault's `CalculateTTL` does (`core/token-ttl.ts`): a periodic token for its period again
   * (the increment is ignored), capped only by its explicit max TTL; any other for `increment` seconds
   * (default: the TTL it was created with) within its explicit max TTL and the system maximum, both
   * counted from its creation. `limits` default to the token's own period and explicit max TTL.
   */
  renew(
    entry: TokenEntry,
    increment: number,
    limits?: RenewLimits,
  ): Promise<{ entry: TokenEntry; warnings: readonly string[] }> {
    return this.lock.run(entry.hash, async () => {
      const current = await this.readLive(entry.hash);
      if (!current) throw new RequestError('token not found');
      if (current.expireTime === 0) return { entry: current, warnings: [] };
      if (!current.renewable) throw new RequestError('lease is not renewable');
      const now = this.now();
      const { ttl, warnings } = resolveTokenTtl({
        increment,
        ttl: current.creationTtl,
        period: limits?.period ?? current.period ?? 0,
        backendMaxTtl: 0,
        explicitMaxTtl: limits?.explicitMaxTtl ?? current.explicitMaxTtl,
        mountMaxTtl: SYSTEM_MAX_TOKEN_TTL,
        mountDefaultTtl: SYSTEM_MAX_TOKEN_TTL,
        startTime: current.creationTime,
        now,
      });
      const renewed: TokenEntry = { ...current, expireTime: now + ttl, issueTime: now };
      await putJson(this.storage, TOKENS + current.hash, renewed);
      this.track(renewed);
      return { entry: renewed, warnings };
    });
  }

  /** Revoke a token and every descendant (orphans created by it are left alone, as in Vault). */
  revoke(entry: TokenEntry): Promise<void> {
    return this.lock.run(entry.hash, () => this.revokeLocked(entry.hash));
  }

  /** Revoke every token created under `prefix` (e.g. `auth/userpass/` when that method is disabled). */
  async revokeByPathPrefix(prefix: string): Promise<void> {
    for (const hash of await this.storage.list(TOKENS)) {
      const entry = await getJson<TokenEntry>(this.storage, TOKENS + hash);
      if (entry?.path.startsWith(prefix)) await this.revoke(entry);
    }
  }

  /** Revoke a token but make its children orphans. */
  revokeOrphan(entry: TokenEntry): Promise<void> {
    return this.lock.run(entry.hash, async () => {
      for (const child of await this.storage.list(`${CHILDREN}${entry.hash}/`)) {
        await this.lock.run(child, async () => {
          const childEntry = await getJson<TokenEntry>(this.storage, TOKENS + child);
          if (childEntry) {
            const { parent: _parent, ...rest } = childEntry;
            await putJson(this.storage, TOKENS + child, { ...rest, orphan: true });
          }
        });
      }
      await deletePrefix(this.storage, `${CHILDREN}${entry.hash}/`);
      await this.revokeLocked(entry.hash);
    });
  }

  private expired(entry: TokenEntry): boolean {
    return entry.expireTime !== 0 && entry.expireTime <= this.now();
  }

  /** The stored entry if it is live; an expired one is revoked. Caller holds the token's lock. */
  private async readLive(hash: string): Promise<TokenEntry | undefined> {
    const entry = await getJson<TokenEntry>(this.storage, TOKENS + hash);
    if (!entry) return undefined;
    if (this.expired(entry)) {
      await this.revokeLocked(hash);
      return undefined;
    }
    return entry;
  }

  /**
   * Revoke a token and its descendants; the caller holds the token's lock. Locks are always taken
   * parent before child, so revoking a tree cannot deadlock with another request.
   */
  private async revokeLocked(hash: string): Promise<void> {
    for (const child of await this.storage.list(`${CHILDREN}${hash}/`)) {
      await this.lock.run(child, () => this.revokeLocked(child));
    }
    await deletePrefix(this.storage, `${CHILDREN}${hash}/`);
    const entry = await getJson<TokenEntry>(this.storage, TOKENS + hash);
    if (entry) {
      if (entry.parent !== undefined) await this.storage.delete(`${CHILDREN}${entry.parent}/${hash}`);
      await this.storage.delete(ACCESSORS + entry.accessor);
      await this.storage.delete(TOKENS + hash);
    }
    this.expiries.delete(hash);
  }

  /** Note a token's expiry for the timer. */
  private track(entry: TokenEntry): void {
    if (entry.expireTime === 0) return;
    this.expiries.set(entry.hash, entry.expireTime);
    this.timer?.schedule(entry.expireTime * 1000);
  }

  /** Revoke every token whose time has come (with its descendants); answers the next expiry, in ms. */
  private async expireDue(nowMs: number): Promise<number> {
    for (const [hash, expireTime] of [...this.expiries]) {
      if (expireTime * 1000 > nowMs) continue;
      await this.lock.run(hash, async () => {
        // Renewed meanwhile: readLive keeps it and the new expiry stays in the index.
        if (!(await this.readLive(hash))) this.expiries.delete(hash);
      });
    }
    let next = Infinity;
    for (const expireTime of this.expiries.values()) next = Math.min(next, expireTime * 1000);
    return next;
  }
}
