// Leases, as Vault's expiration manager keeps them: a secret a backend hands out with a lease (an OTP
// credential) is registered under `<request path>/<uuid>`, persisted under `sys/expire/id/`, revoked
// through its backend when it expires, when it is revoked by id or prefix, or when its mount is
// disabled — and, after a restart, leases that expired while the server was down are revoked first.
// A lease whose secret cannot be revoked at expiry is retried with growing gaps and, after
// MAX_REVOKE_ATTEMPTS, kept as irrevocable (Vault's revocation retries; see revokeRetryDelay).

import { randomUUID } from 'node:crypto';
import { RequestError } from '../../core/errors.js';
import { KeyedLock } from '../keyed-lock.js';
import { getJson, putJson, type Storage } from '../storage/storage.js';
import { ExpiryTimer } from './expiry-timer.js';

const LEASES = 'sys/expire/id/';
/**
 * Expiry runs on whole seconds (ExpiryTimer): one pass then revokes every lease due in that second,
 * instead of one pass over the table per lease. A lease is never honoured late meanwhile: backends
 * check expiry too.
 */
const TICK_MS = 1000;

/**
 * Attempts at revoking an expired lease before it is marked irrevocable: Vault's maxRevokeAttempts (6).
 * An irrevocable lease is kept (stored, listed, looked up) with its last error (`revoke_err`, Vault's
 * RevokeErr) and is not retried by expiry, not even after a restart, as in Vault; revoking it by id
 * tries once more, and revoke-force removes it.
 */
export const MAX_REVOKE_ATTEMPTS = 6;
/**
 * The gap after the first failed attempt, as Vault's (10 s); each next gap doubles, as Vault's: 20 s …
 * 320 s, so a host that is down for up to some ten minutes still loses its key once it is back, and a
 * host that stays down costs six attempts and six log lines, then the lease is irrevocable. The
 * doubling ends with the attempts, so no cap is needed. Tests pass a shorter base.
 */
export const DEFAULT_REVOKE_RETRY_BASE_MS = 10_000;

/** The wait after failed attempt `attempt` (1-based), from the first gap `baseMs`. */
export const revokeRetryDelay = (attempt: number, baseMs: number = DEFAULT_REVOKE_RETRY_BASE_MS): number =>
  baseMs * 2 ** (attempt - 1);

/** One lease, as stored. Times are Unix milliseconds. */
export interface LeaseEntry {
  readonly lease_id: string;
  /** The request path that created it, e.g. `ssh/creds/otp_key_role`. */
  readonly path: string;
  readonly mount_accessor: string;
  readonly issue_time: number;
  readonly expire_time: number;
  readonly renewable: boolean;
  /** What the backend needs to revoke the secret (never the secret itself). */
  readonly internal: Readonly<Record<string, unknown>>;
  /** Renewable leases: the TTL a renewal without `increment` grants, seconds. */
  readonly ttl?: number;
  /** Renewable leases: no renewal reaches past this (issue time + the mount's max lease TTL), Unix ms. */
  readonly max_expire_time?: number;
  /**
   * Set when expiry gave up after MAX_REVOKE_ATTEMPTS: the last error (no secret, as the backends'
   * messages never hold one). The lease is irrevocable: kept, not retried by expiry.
   */
  readonly revoke_err?: string;
}

/** What a backend returns with a leased secret. */
export interface NewLease {
  readonly path: string;
  readonly mountAccessor: string;
  /** Seconds. */
  readonly ttl: number;
  readonly renewable: boolean;
  readonly internal: Readonly<Record<string, unknown>>;
  /** Renewable leases: the longest life from issue, seconds (the mount's max lease TTL). @default ttl */
  readonly maxTtl?: number;
}

/** Revokes the secret behind a lease through its backend. */
export type SecretRevoker = (lease: LeaseEntry) => Promise<void>;

/** The lease table of one server. */
export class ExpirationManager {
  private readonly leases = new Map<string, LeaseEntry>();
  private readonly lock = new KeyedLock();
  private readonly timer: ExpiryTimer;
  /** Expired leases whose revocation failed: attempts so far and when the next is due (Unix ms). */
  private readonly retries = new Map<string, { readonly attempts: number; readonly at: number }>();

  private constructor(
    private readonly storage: Storage,
    private readonly revokeSecret: SecretRevoker,
    /** Unix milliseconds. */
    private readonly clock: () => number,
    private readonly log: (line: string) => void,
    private readonly retryBaseMs: number,
  ) {
    this.timer = new ExpiryTimer(clock, (now) => this.expireDue(now), log);
  }

  /** Load every stored lease, revoke those that expired meanwhile, and schedule the rest. */
  static async open(
    storage: Storage,
    revokeSecret: SecretRevoker,
    clock: () => number,
    log: (line: string) => void,
    retryBaseMs: number = DEFAULT_REVOKE_RETRY_BASE_MS,
  ): Promise<ExpirationManager> {
    const manager = new ExpirationManager(storage, revokeSecret, clock, log, retryBaseMs);
    const walk = async (prefix: string): Promise<void> => {
      for (const child of await storage.list(LEASES + prefix)) {
        if (child.endsWith('/')) await walk(prefix + child);
        else {
          const lease = await getJson<LeaseEntry>(storage, LEASES + prefix + child);
          if (lease) manager.leases.set(lease.lease_id, lease);
        }
      }
    };
    await walk('');
    await manager.timer.runNow();
    return manager;
  }

  /** Register a leased secret; resolves once the lease is durable. */
  async register(spec: NewLease): Promise<LeaseEntry> {
    const now = this.clock();
    const lease: LeaseEntry = {
      lease_id: `${spec.path}/${randomUUID()}`,
      path: spec.path,
      mount_accessor: spec.mountAccessor,
      issue_time: now,
      expire_time: now + spec.ttl * 1000,
      renewable: spec.renewable,
      internal: spec.internal,
      ...(spec.renewable ? { ttl: spec.ttl, max_expire_time: now + (spec.maxTtl ?? spec.ttl) * 1000 } : {}),
    };
    await putJson(this.storage, LEASES + lease.lease_id, lease);
    this.leases.set(lease.lease_id, lease);
    this.timer.schedule(lease.expire_time);
    return lease;
  }

  /**
   * The lease with this id: a live one, or an expired one kept because its secret could not be revoked
   * (being retried, or irrevocable) — the operator must be able to find those.
   */
  lookup(leaseId: string): LeaseEntry | undefined {
    const lease = this.leases.get(leaseId);
    if (!lease) return undefined;
    const kept = lease.revoke_err !== undefined || this.retries.has(leaseId);
    return lease.expire_time > this.clock() || kept ? lease : undefined;
  }

  /** `sys/leases/lookup`'s body for a lease: RFC 3339 times and the whole seconds left, as Vault's. */
  describe(lease: LeaseEntry): Record<string, unknown> {
    const now = Math.round(this.clock() / 1000) * 1000;
    return {
      id: lease.lease_id,
      issue_time: new Date(lease.issue_time).toISOString(),
      expire_time: new Date(lease.expire_time).toISOString(),
      last_renewal: null,
      renewable: lease.renewable,
      ttl: Math.max(0, Math.trunc((lease.expire_time - now) / 1000)),
    };
  }

  /** Immediate children of a lease-id prefix, as storage lists them (folders end with `/`). */
  list(prefix: string): Promise<string[]> {
    return this.storage.list(LEASES + prefix);
  }

  /**
   * Renew a lease. OTP leases are not renewable: refused with Vault's reasons in Vault's order
   * (`leaseEntry.renewable`), as plain 400s. Renewable leases (legacy dynamic keys, issue 23) are
   * extended as Vault's `framework.LeaseExtend(0, 0)`: by `increment` seconds, or by the lease's own
   * TTL when none is given, from now, never past issue time + the mount's max lease TTL.
   */
  renew(leaseId: string, increment = 0): Promise<LeaseEntry> {
    return this.lock.run(leaseId, async () => {
      const lease = this.leases.get(leaseId);
      if (!lease) throw new RequestError('lease not found');
      const now = this.clock();
      if (lease.expire_time <= now) throw new RequestError('lease expired');
      if (!lease.renewable) throw new RequestError('lease is not renewable');
      const ttl = increment > 0 ? increment : (lease.ttl ?? 0);
      const max = lease.max_expire_time ?? lease.expire_time;
      const renewed: LeaseEntry = { ...lease, expire_time: Math.min(now + ttl * 1000, max) };
      await putJson(this.storage, LEASES + leaseId, renewed);
      this.leases.set(leaseId, renewed);
      this.timer.schedule(renewed.expire_time);
      return renewed;
    });
  }

  /**
   * Revoke one lease (its secret first, then the lease); an unknown id is not an error, as in Vault.
   * When the secret cannot be revoked the error is thrown and the lease stays (expiry retries it, see
   * expireDue; an irrevocable one is tried again only by this call), unless `force`: then the failure is
   * logged and the lease goes anyway (Vault's revoke-force).
   */
  revoke(leaseId: string, options: { readonly force?: boolean } = {}): Promise<void> {
    return this.lock.run(leaseId, async () => {
      const lease = this.leases.get(leaseId);
      if (!lease) return;
      try {
        await this.revokeSecret(lease);
      } catch (e) {
        if (!options.force) throw e;
        this.log(
          `lease ${leaseId} removed by revoke-force although its secret was not revoked: ${(e as Error).message}`,
        );
      }
      await this.storage.delete(LEASES + leaseId);
      this.leases.delete(leaseId);
      this.retries.delete(leaseId);
    });
  }

  /** Revoke every lease under a prefix (a trailing `/` is added, as Vault does); `force` as in revoke. */
  async revokePrefix(prefix: string, options: { readonly force?: boolean } = {}): Promise<void> {
    const p = prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/`;
    for (const id of [...this.leases.keys()].filter((k) => k.startsWith(p))) await this.revoke(id, options);
  }

  /** Stop the expiry timer (the server is closing). */
  stop(): void {
    this.timer.stop();
  }

  /**
   * Revoke every lease whose time (or whose retry's time) has come; answers when the next one is due.
   * A failed attempt is logged once (lease id, attempt, next try, the backend's message: never a
   * secret) and retried after revokeRetryDelay; after MAX_REVOKE_ATTEMPTS the lease is marked
   * irrevocable. Its backend refuses the expired secret meanwhile (OTPs check expiry themselves).
   */
  private async expireDue(now: number): Promise<number> {
    // Passes run on whole seconds; retries are counted from the pass's second, so the gaps are whole too.
    const tick = Math.round(now / TICK_MS) * TICK_MS;
    for (const lease of [...this.leases.values()]) {
      if (lease.expire_time > now || lease.revoke_err !== undefined) continue;
      const retry = this.retries.get(lease.lease_id);
      if (retry && retry.at > now) continue;
      try {
        await this.revoke(lease.lease_id);
      } catch (e) {
        await this.recordFailure(lease.lease_id, (retry?.attempts ?? 0) + 1, tick, (e as Error).message);
      }
    }
    // Taken after the awaits: leases registered meanwhile count too.
    let next = Infinity;
    for (const lease of this.leases.values()) {
      if (lease.revoke_err !== undefined) continue;
      const at = lease.expire_time > now ? lease.expire_time : this.retries.get(lease.lease_id)?.at;
      if (at !== undefined) next = Math.min(next, at);
    }
    return next;
  }

  /** Note failed attempt `attempts` at revoking an expired lease: retry later, or mark it irrevocable. */
  private recordFailure(leaseId: string, attempts: number, tick: number, message: string): Promise<void> {
    return this.lock.run(leaseId, async () => {
      const lease = this.leases.get(leaseId);
      if (!lease) return; // revoked meanwhile (revoke-force)
      if (attempts < MAX_REVOKE_ATTEMPTS) {
        const delay = revokeRetryDelay(attempts, this.retryBaseMs);
        this.retries.set(leaseId, { attempts, at: tick + delay });
        this.log(
          `lease ${leaseId} could not be revoked at expiry (attempt ${attempts} of ${MAX_REVOKE_ATTEMPTS}, ` +
            `next in ${delay / 1000} s): ${message}`,
        );
        return;
      }
      const irrevocable: LeaseEntry = { ...lease, revoke_err: message };
      await putJson(this.storage, LEASES + leaseId, irrevocable);
      this.leases.set(leaseId, irrevocable);
      this.retries.delete(leaseId);
      this.log(
        `lease ${leaseId} marked irrevocable after ${attempts} failed attempts, no more retries ` +
          `(revoke it again once the cause is fixed, or remove it with sys/leases/revoke-force): ${message}`,
      );
    });
  }
}
