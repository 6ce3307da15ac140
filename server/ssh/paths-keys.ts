// `<mount>/keys/:name` of the legacy dynamic-key mode (Vault 1.12's path_keys.go; issue 23), only on a
// server started with `--legacy-dynamic-keys`: write registers an admin private key (validated, stored
// through the barrier like every value), delete removes it. The key is never readable: a read is
// Vault's 405, as the path has no read operation. `tidy/dynamic-keys` removes what is left of them.

import { RequestError } from '../../core/errors.js';
import { parseCaPrivateKey } from '../../core/keys/ca-key.js';
import type { PathSpec } from '../framework.js';
import { getJson, putJson, type Storage } from '../storage/storage.js';

/** A stored admin key, as Vault stored it. */
interface StoredHostKey {
  readonly key: string;
}

/** The admin private key registered under `name`, or undefined. */
export async function readAdminKey(storage: Storage, name: string): Promise<string | undefined> {
  return (await getJson<StoredHostKey>(storage, `keys/${name}`))?.key;
}

/** Whether `text` is an unencrypted private key ssh can use (PKCS#1, PKCS#8, SEC1 PEM or OpenSSH). */
function isUsablePrivateKey(text: string): boolean {
  try {
    parseCaPrivateKey(text);
    return true;
  } catch {
    return false;
  }
}

/** Vault's `framework.GenericNameRegex("key_name")`. */
const KEY_NAME = String.raw`\w(?:[\w-.]*\w)?`;

export const keysPath: PathSpec = {
  pattern: new RegExp(`^keys/(?<key_name>${KEY_NAME})$`),
  fields: {
    key: { type: 'string', description: 'SSH private key with root privileges for host' },
  },
  operations: {
    async update(req) {
      const key = (req.fields.get('key') as string | undefined) ?? '';
      // Vault parses first, so an empty key is "Invalid key" too.
      if (!isUsablePrivateKey(key)) throw new RequestError('Invalid key');
      await putJson(req.storage, `keys/${req.captures.key_name}`, { key } satisfies StoredHostKey);
      return undefined;
    },
    async delete(req) {
      await req.storage.delete(`keys/${req.captures.key_name}`);
      return undefined;
    },
  },
};
