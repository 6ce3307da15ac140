// Parsing of SSH public keys as Vault's sign path does it (`parsePublicSSHKey` + x/crypto/ssh
// `ParsePublicKey`), with the same error texts, and the facts the signing policy needs: the key
// family, its size and its wire blob. Only the blob counts: the type prefix of an authorized_keys
// line is not cross-checked, exactly as in Vault.

import { createRequire } from 'node:module';
import { RequestError } from '../errors.js';
import { decodeGoBase64 } from './go-base64.js';
import { WireReader } from './wire.js';

// Loaded with createRequire so this module survives Pulumi's closure serialization (ARCHITECTURE.md).
const nodeCrypto: typeof import('node:crypto') = createRequire(import.meta.url)('node:crypto');

/** Key families as Vault's key-length rules name them. */
export type KeyFamily = 'rsa' | 'dsa' | 'ecdsa' | 'ed25519';

/** A parsed SSH public key. */
export interface SshPublicKey {
  /** Wire algorithm name: `ssh-ed25519`, `ssh-rsa`, `ecdsa-sha2-nistp256`, `sk-ssh-ed25519@openssh.com`, … */
  readonly algorithm: string;
  readonly family: KeyFamily;
  /** RSA modulus bits, DSA P bits, ECDSA curve bits, 256 for Ed25519. */
  readonly bits: number;
  /** ECDSA curve name (`nistp256`, …) when the family is ecdsa. */
  readonly curve?: string;
  /** The SSH wire-format public key blob. */
  readonly blob: Buffer;
}

const CURVE_BITS: Readonly<Record<string, number>> = { nistp256: 256, nistp384: 384, nistp521: 521 };

/** Bit length of an unsigned big-endian integer given as an SSH mpint body. */
function bitLength(mpint: Buffer): number {
  let i = 0;
  while (i < mpint.length && mpint[i] === 0) i++;
  if (i === mpint.length) return 0;
  return (mpint.length - i - 1) * 8 + (32 - Math.clz32(mpint[i]!));
}

function parseBlob(blob: Buffer): SshPublicKey {
  const r = new WireReader(blob);
  const algorithm = r.string();
  let key: SshPublicKey;
  switch (algorithm) {
    case 'ssh-rsa': {
      const e = r.bytes();
      const n = r.bytes();
      if (bitLength(e) > 24) throw new Error('ssh: exponent too large');
      const ev = e.length === 0 ? 0 : Number(BigInt(`0x${e.toString('hex')}`));
      if (ev < 3 || ev % 2 === 0) throw new Error('ssh: incorrect exponent');
      key = { algorithm, family: 'rsa', bits: bitLength(n), blob };
      break;
    }
    case 'ssh-dss': {
      const p = r.bytes();
      r.bytes();
      r.bytes();
      r.bytes();
      key = { algorithm, family: 'dsa', bits: bitLength(p), blob };
      break;
    }
    case 'ecdsa-sha2-nistp256':
    case 'ecdsa-sha2-nistp384':
    case 'ecdsa-sha2-nistp521':
    case 'sk-ecdsa-sha2-nistp256@openssh.com': {
      const curve = r.string();
      const point = r.bytes();
      const bits = CURVE_BITS[curve];
      if (bits === undefined) throw new Error('ssh: unsupported curve');
      const expected = algorithm.startsWith('sk-') ? 'nistp256' : algorithm.slice('ecdsa-sha2-'.length);
      if (curve !== expected) throw new Error('ssh: unsupported curve');
      const coordinate = Math.ceil(bits / 8);
      if (point.length !== 1 + 2 * coordinate || point[0] !== 4) throw new Error('ssh: invalid curve point');
      if (algorithm.startsWith('sk-')) r.string(); // application
      key = { algorithm, family: 'ecdsa', bits, curve, blob };
      break;
    }
    case 'ssh-ed25519':
    case 'sk-ssh-ed25519@openssh.com': {
      const pk = r.bytes();
      if (pk.length !== 32) throw new Error(`invalid size ${pk.length} for Ed25519 public key`);
      if (algorithm.startsWith('sk-')) r.string(); // application
      key = { algorithm, family: 'ed25519', bits: 256, blob };
      break;
    }
    default:
      if (algorithm.includes('-cert-v01@openssh.com')) {
        throw new Error('a certificate cannot be signed: send the public key it certifies');
      }
      throw new Error(`ssh: unknown key algorithm: ${algorithm}`);
  }
  if (r.remaining > 0) throw new Error('ssh: trailing junk in public key');
  return key;
}

/**
 * Parse a public key the way Vault's sign path does: split on single spaces, base64-decode the second
 * part (or the whole string), parse the wire blob. Throws a 400 with Vault's
 * `failed to parse public_key as SSH key: <cause>`.
 */
export function parseSshPublicKey(text: string): SshPublicKey {
  const parts = text.split(' ');
  const b64 = parts.length > 1 ? parts[1]! : text;
  try {
    return parseBlob(decodeGoBase64(b64));
  } catch (e) {
    throw new RequestError(`failed to parse public_key as SSH key: ${(e as Error).message}`);
  }
}

/** Parse a wire blob (e.g. from a certificate) without the authorized_keys text layer. */
export function parseSshPublicKeyBlob(blob: Buffer): SshPublicKey {
  try {
    return parseBlob(blob);
  } catch (e) {
    throw new RequestError(`failed to parse public_key as SSH key: ${(e as Error).message}`);
  }
}

/** Lower-case hex SHA-256 of the key blob: Vault's `{{public_key_hash}}`. */
export function publicKeyHash(blob: Buffer): string {
  return nodeCrypto.createHash('sha256').update(blob).digest('hex');
}

/** OpenSSH's fingerprint: `SHA256:<unpadded base64 of the blob's SHA-256>`. */
export function fingerprint(blob: Buffer): string {
  return `SHA256:${nodeCrypto.createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

/** The authorized_keys line for a blob (`<algorithm> <base64>`), optionally with a comment. */
export function formatAuthorizedKey(blob: Buffer, comment?: string): string {
  const algorithm = new WireReader(blob).string();
  return comment ? `${algorithm} ${blob.toString('base64')} ${comment}` : `${algorithm} ${blob.toString('base64')}`;
}

/** The part of a key blob after its algorithm name: what a certificate embeds. */
export function keyBodyOf(blob: Buffer): Buffer {
  const r = new WireReader(blob);
  r.string();
  return r.rest();
}
