// The seal, as Vault's Shamir seal: `sys/init` makes a random 32-byte unseal key, splits it into
// shares (shamir-secret-sharing: HashiCorp's format, the x coordinate as the last byte; one share is
// the key itself, as in Vault), and stores in clear only the seal configuration (`core/seal-config`)
// and the keyring encrypted under the unseal key (`core/keyring`). Unsealing takes the shares one per
// call, with Vault's progress and nonce, combines them at the threshold and decrypts the keyring; that
// opens the barrier. Sealing forgets the unseal key and the keyring.

import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
// The library checks for plain Uint8Arrays (not Buffers), hence the copies below.
import { combine, split } from 'shamir-secret-sharing';
import { InternalError, RequestError } from '../../core/errors.js';
import { getJson, putJson, type Storage } from '../storage/storage.js';
import { open, seal } from './aead.js';
import { BarrierStorage, KEYRING_KEY, SEAL_CONFIG_KEY } from './barrier-storage.js';
import { Keyring } from './keyring.js';

/** The stored seal configuration (Vault's SealConfig fields we use). */
export interface SealConfig {
  readonly type: 'shamir';
  readonly secret_shares: number;
  readonly secret_threshold: number;
  /** Set by `sshca operator migrate` until every entry is encrypted. */
  readonly migrating?: boolean;
}

/** How to initialise. */
export interface InitOptions {
  /** Mark the configuration `migrating` (sshca operator migrate). @default not marked */
  readonly migrating?: boolean;
  /** Called with the shares before anything is stored (to keep them in a file first). @default none */
  readonly onShares?: (shares: readonly Buffer[]) => void;
}

/** Vault's `sys/seal-status` fields that the seal decides. */
export interface SealProgress {
  readonly initialized: boolean;
  readonly sealed: boolean;
  readonly t: number;
  readonly n: number;
  readonly progress: number;
  readonly nonce: string;
}

const KEY_BYTES = 32;
/** Vault's bounds on a submitted key: the barrier's 16 to 32 bytes, plus one byte of share overhead. */
const MIN_KEY = 16;
const MAX_KEY = KEY_BYTES + 1;

/** Vault's checks of `secret_shares` and `secret_threshold`, in Vault's order; undefined when valid. */
export function validateSealConfig(shares: number, threshold: number): string | undefined {
  if (shares < 1) return 'shares must be at least one';
  if (threshold < 1) return 'threshold must be at least one';
  if (shares > 1 && threshold === 1) return 'threshold must be greater than one for multiple shares';
  if (shares > 255) return 'shares must be less than 256';
  if (threshold > 255) return 'threshold must be less than 256';
  if (threshold > shares) return 'threshold cannot be larger than shares';
  return undefined;
}

/** Decode a submitted key as Vault does: hex of a plausible length, else base64. */
export function decodeKey(text: string): Buffer | undefined {
  if (/^(?:[0-9a-fA-F]{2})+$/.test(text)) {
    const hex = Buffer.from(text, 'hex');
    if (hex.length >= MIN_KEY && hex.length <= MAX_KEY) return hex;
  }
  // Go's StdEncoding: padded, standard alphabet.
  if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(text)) return undefined;
  return Buffer.from(text, 'base64');
}

/** Encrypt the keyring under the unseal key (same format as barrier values, term 0). */
const wrapKeyring = (unsealKey: Buffer, keyring: Keyring): Buffer =>
  seal(unsealKey, 0, KEYRING_KEY, keyring.serialize());

/** The seal of one physical storage. */
export class Seal {
  private progressParts: Buffer[] = [];
  private progressNonce = '';
  private unsealKey: Buffer | undefined;
  private barrierStorage: BarrierStorage | undefined;

  private constructor(
    private readonly physical: Storage,
    private config: SealConfig | undefined,
  ) {}

  /** Read the seal configuration of `physical`. */
  static async load(physical: Storage): Promise<Seal> {
    return new Seal(physical, await getJson<SealConfig>(physical, SEAL_CONFIG_KEY));
  }

  get initialized(): boolean {
    return this.config !== undefined;
  }

  get sealed(): boolean {
    return this.barrierStorage === undefined;
  }

  /** The open barrier (undefined while sealed). */
  get barrier(): BarrierStorage | undefined {
    return this.barrierStorage;
  }

  get configuration(): SealConfig | undefined {
    return this.config;
  }

  progress(): SealProgress {
    return {
      initialized: this.initialized,
      sealed: this.sealed,
      t: this.config?.secret_threshold ?? 0,
      n: this.config?.secret_shares ?? 0,
      progress: this.progressParts.length,
      nonce: this.progressNonce,
    };
  }

  /**
   * Initialise (Vault's `sys/init`): a new unseal key and keyring, stored keyring first and seal
   * configuration last (the configuration is what makes the storage initialised). Returns the
   * shares and the unseal key; the server stays sealed.
   */
  async initialize(
    shares: number,
    threshold: number,
    now: number,
    options: InitOptions = {},
  ): Promise<{ shares: Buffer[]; unsealKey: Buffer }> {
    const invalid = validateSealConfig(shares, threshold);
    if (invalid) throw new RequestError(`invalid seal configuration: ${invalid}`);
    if (this.config) throw new RequestError('Vault is already initialized');
    const unsealKey = randomBytes(KEY_BYTES);
    const parts =
      shares === 1
        ? [Buffer.from(unsealKey)]
        : (await split(new Uint8Array(unsealKey), shares, threshold)).map((s) => Buffer.from(s));
    const config: SealConfig = {
      type: 'shamir',
      secret_shares: shares,
      secret_threshold: threshold,
      ...(options.migrating ? { migrating: true } : {}),
    };
    // Before anything is stored: a crash then leaves shares that a new initialisation replaces,
    // never an initialised storage whose key nobody kept.
    options.onShares?.(parts);
    await this.physical.put(KEYRING_KEY, wrapKeyring(unsealKey, Keyring.create(now)));
    await putJson(this.physical, SEAL_CONFIG_KEY, config);
    this.config = config;
    return { shares: parts, unsealKey };
  }

  /** Rewrite the seal configuration (the migration marker). */
  async updateConfig(config: SealConfig): Promise<void> {
    await putJson(this.physical, SEAL_CONFIG_KEY, config);
    this.config = config;
  }

  /** Forget the shares submitted so far (Vault's `reset`). */
  resetProgress(): void {
    for (const p of this.progressParts) p.fill(0);
    this.progressParts = [];
    this.progressNonce = '';
  }

  /**
   * Submit one share (Vault's `sys/unseal`). A share already given is ignored; at the threshold the
   * shares are combined and the progress resets, whether the key was right or not.
   */
  async submit(key: Buffer): Promise<void> {
    if (!this.config) throw new RequestError('Vault is not initialized');
    if (key.length < MIN_KEY) throw new RequestError(`invalid key: key is shorter than minimum ${MIN_KEY} bytes`);
    if (key.length > MAX_KEY) throw new RequestError(`invalid key: key is longer than maximum ${MAX_KEY} bytes`);
    if (!this.sealed) return;
    if (this.progressParts.some((p) => p.length === key.length && timingSafeEqual(p, key))) return;
    if (this.progressParts.length === 0) this.progressNonce = randomUUID();
    this.progressParts.push(Buffer.from(key));
    if (this.progressParts.length < this.config.secret_threshold) return;
    const parts = this.progressParts;
    this.progressParts = [];
    this.progressNonce = '';
    let unsealKey: Buffer;
    try {
      unsealKey =
        this.config.secret_threshold === 1
          ? Buffer.from(parts[0]!)
          : Buffer.from(await combine(parts.map((p) => new Uint8Array(p))));
    } catch (e) {
      throw new RequestError(`invalid key: failed to compute combined key: ${(e as Error).message}`);
    } finally {
      for (const p of parts) p.fill(0);
    }
    await this.openWith(unsealKey);
  }

  /** Open the barrier with the whole unseal key; a wrong key is Vault's 400. */
  async openWith(unsealKey: Buffer): Promise<BarrierStorage> {
    const wrapped = await this.physical.get(KEYRING_KEY);
    if (!wrapped) throw new InternalError(`${KEYRING_KEY} is missing: the data directory is damaged`);
    let keyring: Keyring;
    try {
      if (unsealKey.length !== KEY_BYTES) throw new Error('wrong length');
      keyring = Keyring.parse(open(unsealKey, KEYRING_KEY, wrapped));
    } catch {
      unsealKey.fill(0);
      // Vault's answer when the combined key does not open its stored keys.
      throw new RequestError('cipher: message authentication failed');
    }
    this.unsealKey = unsealKey;
    this.barrierStorage = new BarrierStorage(this.physical, keyring);
    return this.barrierStorage;
  }

  /** Add a key term (Vault's `sys/rotate`): the new keyring is stored before values use it. */
  async rotate(now: number): Promise<void> {
    const barrier = this.barrierStorage;
    const unsealKey = this.unsealKey;
    if (!barrier || !unsealKey) throw new RequestError('Vault is sealed');
    await barrier.rotate(now, (keyring) => this.physical.put(KEYRING_KEY, wrapKeyring(unsealKey, keyring)));
  }

  /** Seal: forget the unseal key and the keyring. */
  seal(): void {
    this.barrierStorage?.seal();
    this.barrierStorage = undefined;
    this.unsealKey?.fill(0);
    this.unsealKey = undefined;
    this.resetProgress();
  }
}
