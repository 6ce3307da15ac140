// Key generation with Vault's `key_type`/`key_bits` rules, the one place keys are drawn (core/ takes
// them as inputs: a key cannot be passed in like a serial, so generation stays out of core). The
// server generates asynchronously: node:crypto's generateKeyPair runs in libuv's thread pool, so an
// RSA-4096 key (about a second of CPU) does not stop every other request. The synchronous variant is
// for the CLI (`sshca keygen-ca`, `sshca login`'s ephemeral keys), tests and benchmarks; request
// handlers never call it. The rules and texts are core's (`planKeyGeneration`), and so is the
// conversion of the generated key (`keyPairFromPrivateKey`).

import { generateKeyPair as generateNodeKeyPair, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { keyPairFromPrivateKey, planKeyGeneration, type GeneratedKeyPair } from '../../core/keys/ca-key.js';

const generate = promisify(generateNodeKeyPair);

/** Generate a key pair with Vault's `key_type`/`key_bits` rules, asynchronously (the server's way). */
export async function generateKeyPairAsync(keyType: string, keyBits: number): Promise<GeneratedKeyPair> {
  const plan = planKeyGeneration(keyType, keyBits);
  let privateKey: KeyObject;
  if (plan.type === 'rsa') privateKey = (await generate('rsa', plan.options)).privateKey;
  else if (plan.type === 'ec') privateKey = (await generate('ec', plan.options)).privateKey;
  else privateKey = (await generate('ed25519', undefined)).privateKey;
  return keyPairFromPrivateKey(privateKey);
}

/**
 * Generate a key pair with Vault's `key_type`/`key_bits` rules, synchronously: for the CLI, tests and
 * benchmarks, never in a request handler (an RSA-4096 key blocks the event loop for about a second).
 * A refused type or size throws core's `InternalError` with Vault's text.
 */
export function generateKeyPair(keyType: string, keyBits: number): GeneratedKeyPair {
  const plan = planKeyGeneration(keyType, keyBits);
  // One call per type: node's overloads do not accept a union of type names.
  const { privateKey } =
    plan.type === 'rsa'
      ? generateKeyPairSync('rsa', plan.options)
      : plan.type === 'ec'
        ? generateKeyPairSync('ec', plan.options)
        : generateKeyPairSync('ed25519');
  return keyPairFromPrivateKey(privateKey);
}
