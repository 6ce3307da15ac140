// The mount's CA key pair in storage: one entry holding both halves (so a crash can never leave half
// a CA), the public key kept byte for byte as submitted or generated, and the parsed private key
// cached per mount so signing does not re-parse PEM on every request.

import { parseCaPrivateKey, type CaKey } from '../../core/keys/ca-key.js';
import { getJson, putJson, type Storage } from '../storage/storage.js';

const CA_KEY = 'config/ca_bundle';

/** The stored CA: authorized_keys text and private key PEM. */
export interface StoredCa {
  readonly public_key: string;
  readonly private_key: string;
}

export const readStoredCa = (storage: Storage): Promise<StoredCa | undefined> => getJson<StoredCa>(storage, CA_KEY);
export const writeStoredCa = (storage: Storage, ca: StoredCa): Promise<void> => putJson(storage, CA_KEY, ca);
export const deleteStoredCa = (storage: Storage): Promise<void> => storage.delete(CA_KEY);

const parsed = new WeakMap<object, { pem: string; key: CaKey }>();

/** The mount's CA ready to sign, or undefined when none is configured. `cacheOwner` scopes the cache. */
export async function loadCaKey(storage: Storage, cacheOwner: object): Promise<CaKey | undefined> {
  const stored = await readStoredCa(storage);
  if (!stored) return undefined;
  const hit = parsed.get(cacheOwner);
  if (hit && hit.pem === stored.private_key) return hit.key;
  const key = parseCaPrivateKey(stored.private_key);
  parsed.set(cacheOwner, { pem: stored.private_key, key });
  return key;
}
