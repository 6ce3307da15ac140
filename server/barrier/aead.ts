// The barrier's value format: [0x01 version][uint32 BE term][12-byte random nonce][AES-256-GCM
// ciphertext][16-byte tag], with the storage key as additional data, so a value copied to another
// key does not decrypt. The keyring itself uses the same format under the unseal key (term 0).

import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/** The first byte of every barrier value. */
export const BARRIER_VERSION = 0x01;
const HEADER = 1 + 4;
const NONCE = 12;
const TAG = 16;

/** Encrypt `plain` under `key` for storage key `aad`, labelled with `term`. */
export function seal(key: Buffer, term: number, aad: string, plain: Buffer): Buffer {
  const nonce = randomBytes(NONCE);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const header = Buffer.alloc(HEADER);
  header[0] = BARRIER_VERSION;
  header.writeUInt32BE(term, 1);
  return Buffer.concat([header, nonce, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
}

/** The term a stored value names, or undefined when it is not a barrier value at all. */
export function termOf(value: Buffer): number | undefined {
  return value.length >= HEADER + NONCE + TAG && value[0] === BARRIER_VERSION ? value.readUInt32BE(1) : undefined;
}

/** Decrypt a value made by `seal`; throws when the key, the storage key or the bytes do not match. */
export function open(key: Buffer, aad: string, value: Buffer): Buffer {
  if (termOf(value) === undefined) throw new Error('not a barrier value');
  const nonce = value.subarray(HEADER, HEADER + NONCE);
  const decipher = createDecipheriv('aes-256-gcm', key, nonce);
  decipher.setAAD(Buffer.from(aad, 'utf8'));
  decipher.setAuthTag(value.subarray(value.length - TAG));
  return Buffer.concat([decipher.update(value.subarray(HEADER + NONCE, value.length - TAG)), decipher.final()]);
}
