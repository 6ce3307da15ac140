// CA signing keys: parsing any private-key format a user may import (PKCS#1, PKCS#8, SEC1 PEM and
// OpenSSH), Vault's `key_type`/`key_bits` rules and error texts for generation (the generation itself
// draws randomness, so it lives outside core: server/ssh/generate-key-pair.ts), and the public
// half as an SSH blob. Signing happens through node:crypto KeyObjects (fast, and never SHA-1 unless a
// role asks); sshpk only reads and writes the OpenSSH private-key container.
//
// npm packages and Node built-ins are loaded with createRequire so that this code survives Pulumi's
// closure serialization (see docs/architecture.md, "Data flow: `pulumi up` of `SshEnvironment`").

import { createRequire } from 'node:module';
import type { KeyObject } from 'node:crypto';
import type * as SshpkModule from 'sshpk';
import { InternalError, type Issue } from '../errors.js';
import { WireWriter } from './wire.js';

const load = createRequire(import.meta.url);
const nodeCrypto: typeof import('node:crypto') = load('node:crypto');
const sshpk: typeof SshpkModule = load('sshpk');

/** Families a CA key can have. */
export type CaKeyFamily = 'rsa' | 'ecdsa' | 'ed25519';

/** A CA key ready to sign. */
export interface CaKey {
  readonly family: CaKeyFamily;
  /** The key's own SSH algorithm name: `ssh-ed25519`, `ssh-rsa`, `ecdsa-sha2-nistp256`, … */
  readonly algorithm: string;
  readonly bits: number;
  /** SSH wire blob of the public key (the certificate's "signature key"). */
  readonly publicBlob: Buffer;
  readonly privateKey: KeyObject;
}

const JWK_CURVES: Readonly<Record<string, { name: string; bits: number }>> = {
  'P-256': { name: 'nistp256', bits: 256 },
  'P-384': { name: 'nistp384', bits: 384 },
  'P-521': { name: 'nistp521', bits: 521 },
};
const SSHPK_CURVES: Readonly<Record<string, string>> = { nistp256: 'P-256', nistp384: 'P-384', nistp521: 'P-521' };

const b64u = (b: string | undefined): Buffer => Buffer.from(b ?? '', 'base64url');

/** Build the CA view of a node private key. */
export function caKeyFromKeyObject(privateKey: KeyObject): CaKey {
  const jwk = privateKey.export({ format: 'jwk' });
  const w = new WireWriter();
  switch (privateKey.asymmetricKeyType) {
    case 'ed25519':
      w.string('ssh-ed25519').bytes(b64u(jwk.x));
      return { family: 'ed25519', algorithm: 'ssh-ed25519', bits: 256, publicBlob: w.toBuffer(), privateKey };
    case 'rsa': {
      w.string('ssh-rsa').mpint(b64u(jwk.e)).mpint(b64u(jwk.n));
      const bits = privateKey.asymmetricKeyDetails?.modulusLength ?? 0;
      return { family: 'rsa', algorithm: 'ssh-rsa', bits, publicBlob: w.toBuffer(), privateKey };
    }
    case 'ec': {
      const curve = JWK_CURVES[jwk.crv ?? ''];
      if (!curve) throw new Error(`unsupported curve ${String(jwk.crv)}`);
      const algorithm = `ecdsa-sha2-${curve.name}`;
      const point = Buffer.concat([Buffer.from([4]), b64u(jwk.x), b64u(jwk.y)]);
      w.string(algorithm).string(curve.name).bytes(point);
      return { family: 'ecdsa', algorithm, bits: curve.bits, publicBlob: w.toBuffer(), privateKey };
    }
    default:
      throw new Error(`unsupported CA key type ${String(privateKey.asymmetricKeyType)}`);
  }
}

/** Unsigned big-endian bytes of an sshpk part, left-padded to `size` when given. */
function unsigned(data: Buffer, size?: number): Buffer {
  let i = 0;
  while (i < data.length - 1 && data[i] === 0) i++;
  const body = data.subarray(i);
  return size && body.length < size ? Buffer.concat([Buffer.alloc(size - body.length), body]) : body;
}

const toBig = (b: Buffer) => BigInt(`0x${b.toString('hex') || '0'}`);
const fromBig = (n: bigint) => {
  const hex = n.toString(16);
  return Buffer.from(hex.length % 2 ? `0${hex}` : hex, 'hex');
};

/** Convert an sshpk private key to a node KeyObject through JWK (sshpk's own PKCS#8 output is not always OpenSSL-readable). */
function keyObjectFromSshpk(key: SshpkModule.PrivateKey): KeyObject {
  const part = (name: string): Buffer => {
    const p = (key.part as unknown as Record<string, { data: Buffer } | undefined>)[name];
    if (!p) throw new Error(`key is missing its ${name} part`);
    return p.data;
  };
  switch (key.type) {
    case 'ed25519':
      return nodeCrypto.createPrivateKey({
        format: 'jwk',
        key: {
          kty: 'OKP',
          crv: 'Ed25519',
          x: part('A').toString('base64url'),
          d: part('k').subarray(0, 32).toString('base64url'),
        },
      });
    case 'rsa': {
      // OpenSSH keys carry no CRT exponents; computing them keeps OpenSSL on its fast path.
      const d = toBig(unsigned(part('d')));
      const p = toBig(unsigned(part('p')));
      const q = toBig(unsigned(part('q')));
      const enc = (b: Buffer) => b.toString('base64url');
      return nodeCrypto.createPrivateKey({
        format: 'jwk',
        key: {
          kty: 'RSA',
          n: enc(unsigned(part('n'))),
          e: enc(unsigned(part('e'))),
          d: enc(fromBig(d)),
          p: enc(fromBig(p)),
          q: enc(fromBig(q)),
          dp: enc(fromBig(d % (p - 1n))),
          dq: enc(fromBig(d % (q - 1n))),
          qi: enc(unsigned(part('iqmp'))),
        },
      });
    }
    case 'ecdsa': {
      const curveName = part('curve').toString('latin1');
      const crv = SSHPK_CURVES[curveName];
      if (!crv) throw new Error(`unsupported curve ${curveName}`);
      const size = Math.ceil(JWK_CURVES[crv]!.bits / 8);
      const q = part('Q');
      return nodeCrypto.createPrivateKey({
        format: 'jwk',
        key: {
          kty: 'EC',
          crv,
          x: q.subarray(1, 1 + size).toString('base64url'),
          y: q.subarray(1 + size).toString('base64url'),
          d: unsigned(part('d'), size).toString('base64url'),
        },
      });
    }
    default:
      throw new Error(`ssh: unsupported key type ${JSON.stringify(key.type)}`);
  }
}

/**
 * Parse a CA private key in any format `ssh.ParsePrivateKey` accepts (PKCS#1, PKCS#8, SEC1 PEM,
 * OpenSSH). Throws an Error whose message is the cause only (callers add their context); a
 * passphrase-protected key gives `ssh: this private key is passphrase protected`.
 */
export function parseCaPrivateKey(text: string): CaKey {
  // PKCS#8 ("ENCRYPTED PRIVATE KEY") and PKCS#1 ("Proc-Type: 4,ENCRYPTED") say so in the armor;
  // an encrypted OpenSSH key is recognised by sshpk below.
  if (text.includes('ENCRYPTED')) throw new Error('ssh: this private key is passphrase protected');
  if (/-----BEGIN (RSA |EC |)PRIVATE KEY-----/.test(text)) {
    try {
      return caKeyFromKeyObject(nodeCrypto.createPrivateKey(text));
    } catch {
      // fall through to sshpk, which explains what is wrong
    }
  }
  let key: SshpkModule.PrivateKey;
  try {
    key = sshpk.parsePrivateKey(text, 'auto');
  } catch (e) {
    if ((e as Error).name === 'KeyEncryptedError') throw new Error('ssh: this private key is passphrase protected');
    throw new Error('ssh: no key found');
  }
  if (key.type === 'dsa') throw new Error('ssh: DSA keys cannot be CA keys');
  return caKeyFromKeyObject(keyObjectFromSshpk(key));
}

/** A freshly generated CA key pair, as Vault's config/ca and issue produce it. */
export interface GeneratedKeyPair {
  /** authorized_keys line with a trailing newline and no comment (Vault's `MarshalAuthorizedKey`). */
  readonly publicKey: string;
  /** PEM: PKCS#1 for RSA, SEC1 for EC, OpenSSH for Ed25519. */
  readonly privateKey: string;
  readonly caKey: CaKey;
}

/** OpenSSH's largest RSA modulus (SSH_RSA_MAXIMUM_MODULUS_SIZE). */
const RSA_MAX_BITS = 16384;

/** What to generate, as node:crypto's `generateKeyPair` takes it. */
export type KeyGenerationPlan =
  | { readonly type: 'rsa'; readonly options: { readonly modulusLength: number } }
  | { readonly type: 'ec'; readonly options: { readonly namedCurve: string } }
  | { readonly type: 'ed25519'; readonly options: Record<string, never> };

/**
 * Vault's `key_type`/`key_bits` rules: `ssh-rsa`/`rsa` (0 → 4096 bits, < 2048 refused, > 16384
 * refused as OpenSSH would), `ecdsa-sha2-nistp256|384|521`, `ec` (0/256, 384, 521),
 * `ssh-ed25519`/`ed25519` (bits ignored, as Vault ignores them). A refusal is an issue with Vault's
 * text, on `key_type` or `key_bits`: `validateCaSpec` reports it, `planKeyGeneration` throws it.
 */
export function resolveKeyGeneration(
  keyType: string,
  keyBits: number,
): KeyGenerationPlan | { readonly refused: Issue } {
  switch (keyType) {
    case 'ssh-rsa':
    case 'rsa': {
      const bits = keyBits === 0 ? 4096 : keyBits;
      if (bits < 2048) {
        return {
          refused: { field: 'key_bits', message: `refusing to generate weak ${keyType} key: ${bits} bits < 2048 bits` },
        };
      }
      // Vault sets no ceiling (its generateSSHKeyPair only refuses < 2048); OpenSSH refuses RSA keys
      // over 16384 bits, and a larger key would keep a thread busy for hours (or throw past
      // node:crypto's 2^32 - 1 limit).
      if (bits > RSA_MAX_BITS) {
        return {
          refused: {
            field: 'key_bits',
            message: `refusing to generate ${keyType} key: ${bits} bits > ${RSA_MAX_BITS} bits (OpenSSH's maximum)`,
          },
        };
      }
      return { type: 'rsa', options: { modulusLength: bits } };
    }
    case 'ecdsa-sha2-nistp256':
    case 'ecdsa-sha2-nistp384':
    case 'ecdsa-sha2-nistp521':
    case 'ec': {
      const byName: Record<string, string> = {
        'ecdsa-sha2-nistp256': 'P-256',
        'ecdsa-sha2-nistp384': 'P-384',
        'ecdsa-sha2-nistp521': 'P-521',
      };
      const byBits: Record<number, string> = { 0: 'P-256', 256: 'P-256', 384: 'P-384', 521: 'P-521' };
      const namedCurve = byName[keyType] ?? byBits[keyBits];
      if (!namedCurve) {
        return {
          refused: { field: 'key_bits', message: `unknown ECDSA key pair algorithm and bits: ${keyType} / ${keyBits}` },
        };
      }
      return { type: 'ec', options: { namedCurve } };
    }
    case 'ssh-ed25519':
    case 'ed25519':
      return { type: 'ed25519', options: {} };
    default:
      return { refused: { field: 'key_type', message: `unknown ssh key pair algorithm: ${keyType}` } };
  }
}

/**
 * What to generate for Vault's `key_type`/`key_bits` (see `resolveKeyGeneration`). A refusal is an
 * `InternalError` with Vault's text (Vault answers it with 500).
 */
export function planKeyGeneration(keyType: string, keyBits: number): KeyGenerationPlan {
  const resolved = resolveKeyGeneration(keyType, keyBits);
  if ('refused' in resolved) throw new InternalError(resolved.refused.message);
  return resolved;
}

/**
 * The key pair Vault returns for a freshly generated private key (PEM per family, authorized_keys
 * line), e.g. `keyPairFromPrivateKey(generateKeyPairSync('ed25519').privateKey)` with node:crypto's
 * generator: core takes the key as an input and draws no randomness itself.
 */
export function keyPairFromPrivateKey(privateKey: KeyObject): GeneratedKeyPair {
  let pem: string;
  switch (privateKey.asymmetricKeyType) {
    case 'rsa':
      pem = String(privateKey.export({ type: 'pkcs1', format: 'pem' }));
      break;
    case 'ec':
      pem = String(privateKey.export({ type: 'sec1', format: 'pem' }));
      break;
    default: {
      // Vault labels PKCS#8 bytes "OPENSSH PRIVATE KEY", which no SSH tool reads; we write a real OpenSSH key.
      const pkcs8 = String(privateKey.export({ type: 'pkcs8', format: 'pem' }));
      pem = sshpk.parsePrivateKey(pkcs8, 'pem').toString('openssh');
    }
  }
  const caKey = caKeyFromKeyObject(privateKey);
  return { publicKey: `${caKey.algorithm} ${caKey.publicBlob.toString('base64')}\n`, privateKey: pem, caKey };
}
