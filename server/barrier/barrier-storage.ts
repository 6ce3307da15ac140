// The barrier (Vault's security barrier): a `Storage` that encrypts every value with AES-256-GCM
// under the keyring's active term before it reaches the physical storage, and decrypts with the term
// a value names. The storage key is the additional data, so a value moved to another key does not
// decrypt. Keys (paths) stay in clear: they are not secret here. Token entries are stored under the
// token's SHA-256 and never under the token itself; other paths name mounts, roles, policies, users
// and accessors, which Vault keeps in clear too (in its physical paths).

import { InternalError, SealedError } from '../../core/errors.js';
import type { Storage } from '../storage/storage.js';
import { open, seal, termOf } from './aead.js';
import type { Keyring } from './keyring.js';

/** Physical keys outside the barrier: what is needed to unseal. The barrier neither shows nor writes them. */
export const SEAL_CONFIG_KEY = 'core/seal-config';
export const KEYRING_KEY = 'core/keyring';
const OUTSIDE = [SEAL_CONFIG_KEY, KEYRING_KEY];

/** Vault's `sys/key-status` data. */
export interface KeyStatus {
  readonly term: number;
  readonly install_time: string;
  /** Values encrypted since this server unsealed (Vault counts them per term; we count in memory). */
  readonly encryptions: number;
}

/** An encrypting view of physical storage; sealing it forgets the keys. */
export class BarrierStorage implements Storage {
  private keyring: Keyring | undefined;
  private encryptions = 0;

  constructor(
    private readonly physical: Storage,
    keyring: Keyring,
  ) {
    this.keyring = keyring;
  }

  private keys(): Keyring {
    if (!this.keyring) throw new SealedError();
    return this.keyring;
  }

  private check(key: string): void {
    if (OUTSIDE.includes(key)) throw new InternalError(`${key} is reserved for the seal`);
  }

  async get(key: string): Promise<Buffer | undefined> {
    const keyring = this.keys();
    this.check(key);
    const raw = await this.physical.get(key);
    if (raw === undefined) return undefined;
    const term = termOf(raw);
    const k = term === undefined ? undefined : keyring.term(term);
    if (!k) {
      throw new InternalError(
        term === undefined
          ? `storage entry ${JSON.stringify(key)} is not encrypted: an unencrypted data directory must be migrated first`
          : `storage entry ${JSON.stringify(key)} names key term ${term}, which the keyring does not hold`,
      );
    }
    try {
      return open(k.key, key, raw);
    } catch {
      throw new InternalError(
        `storage entry ${JSON.stringify(key)} does not decrypt: it was changed, or copied from another entry`,
      );
    }
  }

  async put(key: string, value: Buffer): Promise<void> {
    const active = this.keys().active();
    this.check(key);
    this.encryptions++;
    await this.physical.put(key, seal(active.key, active.term, key, value));
  }

  async delete(key: string): Promise<void> {
    this.keys();
    this.check(key);
    await this.physical.delete(key);
  }

  async list(prefix: string): Promise<string[]> {
    this.keys();
    const children = await this.physical.list(prefix);
    return children.filter((c) => !OUTSIDE.includes(prefix + c));
  }

  /** The active term, as `sys/key-status` reports it. */
  keyStatus(): KeyStatus {
    const active = this.keys().active();
    return {
      term: active.term,
      install_time: new Date(active.installTime).toISOString(),
      encryptions: this.encryptions,
    };
  }

  /** Add a key term (`sys/rotate`); `persist` stores the new keyring before any value uses it. */
  async rotate(now: number, persist: (keyring: Keyring) => Promise<void>): Promise<void> {
    const next = this.keys().rotate(now);
    await persist(next);
    this.keyring = next;
    this.encryptions = 0;
  }

  /** Forget the keys: every later call answers "Vault is sealed". */
  seal(): void {
    this.keyring?.wipe();
    this.keyring = undefined;
  }
}
