// `DELETE <mount>/tidy/dynamic-keys`: removes host keys that Vault's removed dynamic-key mode left in
// storage (`keys/`), reporting how many (reference §2.15). Without `--legacy-dynamic-keys` this server
// never stores such keys, so on its own mounts the answer is "Removed 0 of 0 host keys."; the path
// exists so scripts written for Vault run unchanged. With the flag, `keys/` holds the admin keys of
// dynamic roles (paths-keys.ts), and tidying removes them as Vault 1.13 does after an upgrade: leases
// of dynamic keys then cannot be revoked until their key is written again.

import type { PathSpec } from '../framework.js';

export const tidyDynamicKeysPath: PathSpec = {
  pattern: /^tidy\/dynamic-keys$/,
  fields: {},
  operations: {
    async delete(req) {
      const keys = (await req.storage.list('keys/')).filter((k) => !k.endsWith('/'));
      let removed = 0;
      for (const key of keys) {
        await req.storage.delete(`keys/${key}`);
        removed++;
      }
      return { data: { message: `Removed ${removed} of ${keys.length} host keys.` } };
    },
  },
};
