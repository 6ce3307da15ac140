// Key generation for config/ca and issue off the event loop: node:crypto's asynchronous
// generateKeyPair runs in libuv's thread pool, so an RSA-4096 key (about a second of CPU) no longer
// stops every other request. The rules and texts are core's (`planKeyGeneration`).

import { generateKeyPair as generateNodeKeyPair, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { keyPairFromPrivateKey, planKeyGeneration, type GeneratedKeyPair } from '../../core/keys/ca-key.js';

const generate = promisify(generateNodeKeyPair);

/** Generate a key pair with Vault's `key_type`/`key_bits` rules, asynchronously. */
export async function generateKeyPairAsync(keyType: string, keyBits: number): Promise<GeneratedKeyPair> {
  const plan = planKeyGeneration(keyType, keyBits);
  let privateKey: KeyObject;
  if (plan.type === 'rsa') privateKey = (await generate('rsa', plan.options)).privateKey;
  else if (plan.type === 'ec') privateKey = (await generate('ec', plan.options)).privateKey;
  else privateKey = (await generate('ed25519', undefined)).privateKey;
  return keyPairFromPrivateKey(privateKey);
}
