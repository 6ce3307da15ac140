// The barrier's keyring, as Vault's: numbered key terms, each a 32-byte AES-256-GCM key with the
// time it was installed. The highest term encrypts new values; every term stays to read old ones.
// Serialized as JSON (keys in base64) and kept encrypted under the unseal key at `core/keyring`.

import { randomBytes } from 'node:crypto';

/** One key term. */
export interface KeyTerm {
  readonly term: number;
  readonly key: Buffer;
  /** Milliseconds since the epoch. */
  readonly installTime: number;
}

/** The stored form of one term (Vault's snake_case names). */
interface StoredTerm {
  readonly term: number;
  readonly value: string;
  readonly install_time: string;
}

/** The barrier's key terms. */
export class Keyring {
  private constructor(private readonly terms: readonly KeyTerm[]) {}

  /** A keyring with one new random term, term 1. */
  static create(now: number): Keyring {
    return new Keyring([{ term: 1, key: randomBytes(32), installTime: now }]);
  }

  /** Parse the serialized keyring. */
  static parse(raw: Buffer): Keyring {
    const stored = JSON.parse(raw.toString('utf8')) as { keys: StoredTerm[] };
    return new Keyring(
      stored.keys.map((t) => ({
        term: t.term,
        key: Buffer.from(t.value, 'base64'),
        installTime: Date.parse(t.install_time),
      })),
    );
  }

  /** The serialized keyring (secret: it is only ever stored encrypted). */
  serialize(): Buffer {
    const keys: StoredTerm[] = this.terms.map((t) => ({
      term: t.term,
      value: t.key.toString('base64'),
      install_time: new Date(t.installTime).toISOString(),
    }));
    return Buffer.from(JSON.stringify({ keys }), 'utf8');
  }

  /** The term new values are encrypted with: the highest. */
  active(): KeyTerm {
    return this.terms.reduce((a, b) => (b.term > a.term ? b : a));
  }

  /** The key of `term`, if this keyring has it. */
  term(term: number): KeyTerm | undefined {
    return this.terms.find((t) => t.term === term);
  }

  /** A keyring with one more term (Vault's `sys/rotate`). */
  rotate(now: number): Keyring {
    return new Keyring([...this.terms, { term: this.active().term + 1, key: randomBytes(32), installTime: now }]);
  }

  /** Overwrite the key bytes in memory (on seal). */
  wipe(): void {
    for (const t of this.terms) t.key.fill(0);
  }
}
