// Shared fixtures for the core unit tests: real keys made by `ssh-keygen` in a private temporary
// directory, a seeded PRNG for property tests, a fixed clock and deterministic serials/nonces, and a
// helper that captures a thrown error so tests can assert its exact message, name and status.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CaRole } from '../../core/role.js';
import { parseRoleWrite } from '../../core/role.js';

/** A fixed "now" for unit tests: 2027-01-15T08:00:00Z. */
export const FIXED_NOW = 1_800_000_000;

/** A deterministic nonce: 32 bytes of `fill`. */
export const fixedNonce = (fill = 7): Buffer => Buffer.alloc(32, fill);

/** mulberry32: a tiny seeded PRNG, so every run sees the same inputs. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** What a thrown value looked like: message, `name` and `status` (undefined for plain Errors). */
export interface Caught {
  readonly message: string;
  readonly name: string;
  readonly status: number | undefined;
}

/** Run `fn`, expect it to throw, and return the error's message, name and status. */
export function caught(fn: () => unknown): Caught {
  try {
    fn();
  } catch (e) {
    const err = e as Error & { status?: number };
    return { message: err.message, name: err.name, status: err.status };
  }
  throw new Error('expected the call to throw, but it returned');
}

/** A CA role written through the real role parser (so defaults are Vault's), with overrides. */
export function caRole(body: Readonly<Record<string, unknown>> = {}): CaRole {
  const role = parseRoleWrite({ key_type: 'ca', allow_user_certificates: true, ...body });
  if (role.keyType !== 'ca') throw new Error('expected a CA role');
  return role;
}

/** The subject key kinds the tests generate with ssh-keygen. */
export type KeyKind = 'ed25519' | 'rsa2048' | 'rsa1024' | 'rsa3072' | 'ecdsa256' | 'ecdsa384' | 'ecdsa521' | 'dsa';

const KEYGEN_ARGS: Readonly<Record<KeyKind, readonly string[]>> = {
  ed25519: ['-t', 'ed25519'],
  rsa2048: ['-t', 'rsa', '-b', '2048'],
  rsa1024: ['-t', 'rsa', '-b', '1024'],
  rsa3072: ['-t', 'rsa', '-b', '3072'],
  ecdsa256: ['-t', 'ecdsa', '-b', '256'],
  ecdsa384: ['-t', 'ecdsa', '-b', '384'],
  ecdsa521: ['-t', 'ecdsa', '-b', '521'],
  dsa: ['-t', 'dsa'],
};

/** A key pair written by ssh-keygen: the `.pub` line (with comment and trailing newline) and the private key path. */
export interface GeneratedSshKey {
  readonly publicLine: string;
  readonly privatePath: string;
}

/** A private temporary directory with ssh-keygen keys in it; `dispose()` removes it. */
export class KeyDir {
  readonly dir: string;
  private readonly cache = new Map<string, GeneratedSshKey>();

  constructor(label: string) {
    this.dir = mkdtempSync(join(tmpdir(), `sshca-${label}-`));
  }

  /** Generate (once per name) a key of `kind` with `-C comment` and no passphrase. */
  key(kind: KeyKind, name: string = kind, extraArgs: readonly string[] = []): GeneratedSshKey {
    const hit = this.cache.get(name);
    if (hit) return hit;
    const privatePath = join(this.dir, name);
    execFileSync('ssh-keygen', [
      '-q',
      ...KEYGEN_ARGS[kind],
      ...extraArgs,
      '-N',
      '',
      '-C',
      `${name}@test`,
      '-f',
      privatePath,
    ]);
    const key = { publicLine: readFileSync(`${privatePath}.pub`, 'utf8'), privatePath };
    this.cache.set(name, key);
    return key;
  }

  /** The `.pub` line of a key of `kind`. */
  pub(kind: KeyKind): string {
    return this.key(kind).publicLine;
  }

  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** The base64 field of an authorized_keys line. */
export const base64Of = (line: string): string => line.trim().split(' ')[1]!;

/** The wire blob of an authorized_keys line. */
export const blobOf = (line: string): Buffer => Buffer.from(base64Of(line), 'base64');

/**
 * Go's offset for well-formed base64 cut to `length` characters (no newlines), by the rule in
 * core/keys/go-base64.ts: a partial last quantum of j characters fails at `length - j`; a whole
 * number of quanta decodes (undefined).
 */
export const goTruncationOffset = (length: number): number | undefined =>
  length % 4 === 0 ? undefined : length - (length % 4);
