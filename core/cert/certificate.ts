// OpenSSH certificates (PROTOCOL.certkeys): encoding and signing, and decoding for inspection.
// The encoding is written here rather than through sshpk because sshpk's public certificate API
// cannot set extensions or critical options and signs RSA with SHA-1, and because building the
// bytes directly keeps signing near node:crypto's raw rate (bench/sign measures both).

import { createRequire } from 'node:module';
import type { CaKey } from '../keys/ca-key.js';
import { keyBodyOf, parseSshPublicKeyBlob, type SshPublicKey } from '../keys/public-key.js';
import { decodeGoBase64 } from '../keys/go-base64.js';
import { WireReader, WireWriter, packStrings } from '../keys/wire.js';

const nodeCrypto: typeof import('node:crypto') = createRequire(import.meta.url)('node:crypto');

/** Signature algorithms a CA may use. `ssh-rsa` (SHA-1) exists only for roles that ask for it explicitly. */
export type SignatureAlgorithm =
  | 'ssh-ed25519'
  | 'rsa-sha2-256'
  | 'rsa-sha2-512'
  | 'ssh-rsa'
  | 'ecdsa-sha2-nistp256'
  | 'ecdsa-sha2-nistp384'
  | 'ecdsa-sha2-nistp521';

export type CertType = 'user' | 'host';

/** Everything a certificate says, computed before signing. Times are Unix seconds. */
export interface CertificateFields {
  readonly certType: CertType;
  readonly keyId: string;
  readonly principals: readonly string[];
  readonly validAfter: bigint;
  readonly validBefore: bigint;
  readonly criticalOptions: Readonly<Record<string, string>>;
  readonly extensions: Readonly<Record<string, string>>;
  readonly serial: bigint;
  /** 32 random bytes. */
  readonly nonce: Uint8Array;
}

const CERT_TYPE_CODE: Readonly<Record<CertType, number>> = { user: 1, host: 2 };

/** The certificate algorithm name for a subject key algorithm (`ssh-ed25519` → `ssh-ed25519-cert-v01@openssh.com`). */
export function certificateAlgorithm(keyAlgorithm: string): string {
  const at = keyAlgorithm.indexOf('@');
  return at < 0
    ? `${keyAlgorithm}-cert-v01@openssh.com`
    : `${keyAlgorithm.slice(0, at)}-cert-v01${keyAlgorithm.slice(at)}`;
}

/** Name/value pairs sorted by name; an empty value is empty data, otherwise an SSH string of the value. */
function encodeOptions(options: Readonly<Record<string, string>>): Buffer {
  const w = new WireWriter();
  for (const name of Object.keys(options).sort()) {
    const value = options[name]!;
    w.string(name);
    w.bytes(value === '' ? Buffer.alloc(0) : new WireWriter().string(value).toBuffer());
  }
  return w.toBuffer();
}

const HASH: Readonly<Record<SignatureAlgorithm, string | null>> = {
  'ssh-ed25519': null,
  'rsa-sha2-256': 'sha256',
  'rsa-sha2-512': 'sha512',
  'ssh-rsa': 'sha1',
  'ecdsa-sha2-nistp256': 'sha256',
  'ecdsa-sha2-nistp384': 'sha384',
  'ecdsa-sha2-nistp521': 'sha512',
};

/** Sign `data` with the CA key and return the SSH signature blob (`string algorithm, string signature`). */
function signBlob(data: Buffer, ca: CaKey, algorithm: SignatureAlgorithm): Buffer {
  const w = new WireWriter().string(algorithm);
  if (ca.family === 'ecdsa') {
    const rs = nodeCrypto.sign(HASH[algorithm], data, { key: ca.privateKey, dsaEncoding: 'ieee-p1363' });
    const half = rs.length / 2;
    return w.bytes(new WireWriter().mpint(rs.subarray(0, half)).mpint(rs.subarray(half)).toBuffer()).toBuffer();
  }
  return w.bytes(nodeCrypto.sign(HASH[algorithm], data, ca.privateKey)).toBuffer();
}

/** The bytes a certificate's signature covers: every field before the signature itself. */
export function encodeToBeSigned(subject: SshPublicKey, ca: CaKey, fields: CertificateFields): Buffer {
  return new WireWriter()
    .string(certificateAlgorithm(subject.algorithm))
    .bytes(fields.nonce)
    .raw(keyBodyOf(subject.blob))
    .uint64(fields.serial)
    .uint32(CERT_TYPE_CODE[fields.certType])
    .string(fields.keyId)
    .bytes(packStrings(fields.principals))
    .uint64(fields.validAfter)
    .uint64(fields.validBefore)
    .bytes(encodeOptions(fields.criticalOptions))
    .bytes(encodeOptions(fields.extensions))
    .bytes(Buffer.alloc(0))
    .bytes(ca.publicBlob)
    .toBuffer();
}

/**
 * Encode and sign a certificate for `subject`. The caller has already checked that `algorithm` suits
 * the CA key (see `resolveSignatureAlgorithm`). Returns the certificate's wire blob.
 */
export function signCertificate(
  subject: SshPublicKey,
  ca: CaKey,
  fields: CertificateFields,
  algorithm: SignatureAlgorithm,
): Buffer {
  const tbs = encodeToBeSigned(subject, ca, fields);
  return new WireWriter()
    .raw(tbs)
    .bytes(signBlob(tbs, ca, algorithm))
    .toBuffer();
}

/** The certificate as an OpenSSH line with a trailing newline and no comment (Vault's `signed_key`). */
export function formatCertificate(blob: Buffer): string {
  return `${new WireReader(blob).string()} ${blob.toString('base64')}\n`;
}

/** A decoded certificate. */
export interface DecodedCertificate extends Omit<CertificateFields, 'nonce' | 'certType'> {
  readonly algorithm: string;
  readonly certType: CertType | `unknown(${number})`;
  /** Public key blob of the certified key. */
  readonly subjectBlob: Buffer;
  readonly signatureKeyBlob: Buffer;
  readonly signatureAlgorithm: string;
  readonly nonce: Buffer;
}

function decodeOptions(buf: Buffer): Record<string, string> {
  const r = new WireReader(buf);
  const out: Record<string, string> = {};
  while (r.remaining > 0) {
    const name = r.string();
    const data = r.bytes();
    out[name] = data.length === 0 ? '' : new WireReader(data).bytes().toString('utf8');
  }
  return out;
}

/** Number of wire fields after the algorithm name in each key type's public blob. */
const KEY_FIELD_COUNT: Readonly<Record<string, number>> = {
  'ssh-rsa': 2,
  'ssh-dss': 4,
  'ssh-ed25519': 1,
  'sk-ssh-ed25519@openssh.com': 2,
  'ecdsa-sha2-nistp256': 2,
  'ecdsa-sha2-nistp384': 2,
  'ecdsa-sha2-nistp521': 2,
  'sk-ecdsa-sha2-nistp256@openssh.com': 3,
};

/** The key algorithm a certificate algorithm certifies (inverse of `certificateAlgorithm`). */
function certifiedKeyAlgorithm(certAlgorithm: string): string {
  const base = certAlgorithm.replace('-cert-v01@openssh.com', '');
  return base.startsWith('sk-') ? `${base}@openssh.com` : base;
}

/** Decode an OpenSSH certificate line (`<type> <base64> [comment]`) or its bare base64. */
export function parseCertificate(text: string): DecodedCertificate {
  const parts = text.trim().split(/\s+/);
  const blob = decodeGoBase64(parts.length > 1 ? parts[1]! : parts[0]!);
  const r = new WireReader(blob);
  const algorithm = r.string();
  const keyAlgorithm = certifiedKeyAlgorithm(algorithm);
  const fieldCount = KEY_FIELD_COUNT[keyAlgorithm];
  if (!algorithm.endsWith('-cert-v01@openssh.com') || fieldCount === undefined) {
    throw new Error(`not an OpenSSH certificate: ${algorithm}`);
  }
  const nonce = r.bytes();
  const keyFields = new WireWriter();
  for (let i = 0; i < fieldCount; i++) keyFields.bytes(r.bytes());
  const subjectBlob = new WireWriter().string(keyAlgorithm).raw(keyFields.toBuffer()).toBuffer();
  parseSshPublicKeyBlob(subjectBlob);
  const serial = r.uint64();
  const typeCode = r.uint32();
  const keyId = r.bytes().toString('utf8');
  const principalsReader = new WireReader(r.bytes());
  const principals: string[] = [];
  while (principalsReader.remaining > 0) principals.push(principalsReader.bytes().toString('utf8'));
  const validAfter = r.uint64();
  const validBefore = r.uint64();
  const criticalOptions = decodeOptions(r.bytes());
  const extensions = decodeOptions(r.bytes());
  r.bytes(); // reserved
  const signatureKeyBlob = r.bytes();
  const signatureAlgorithm = new WireReader(r.bytes()).string();
  const certType = typeCode === 1 ? 'user' : typeCode === 2 ? 'host' : (`unknown(${typeCode})` as const);
  return {
    algorithm,
    certType,
    keyId,
    principals,
    validAfter,
    validBefore,
    criticalOptions,
    extensions,
    serial,
    nonce,
    subjectBlob,
    signatureKeyBlob,
    signatureAlgorithm,
  };
}
