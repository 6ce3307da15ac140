// KV version 2 `metadata/:path`: read a key's versions and times, delete a key with every version,
// list keys. Shapes as hashicorp/vault-plugin-secrets-kv path_metadata.go answers them.

import type { PathSpec } from '../framework.js';
import { goDuration, kvTime } from './kv-store.js';
import { storeOf } from './paths-data.js';

export const metadataPath: PathSpec = {
  pattern: /^metadata\/(?<path>.*)$/,
  fields: {},
  operations: {
    async list(req) {
      const prefix = req.captures.path!;
      if (prefix !== '' && !prefix.endsWith('/')) return undefined;
      const keys = await storeOf(req).list(prefix);
      return keys.length === 0 ? undefined : { data: { keys } };
    },
    async read(req) {
      const meta = await storeOf(req).metadata(req.captures.path!);
      if (!meta) return undefined;
      const versions = Object.fromEntries(
        Object.entries(meta.versions).map(([n, v]) => [
          n,
          { created_time: kvTime(v.created_time), deletion_time: kvTime(v.deletion_time), destroyed: v.destroyed },
        ]),
      );
      return {
        data: {
          cas_required: meta.cas_required,
          created_time: kvTime(meta.created_time),
          current_version: meta.current_version,
          custom_metadata: meta.custom_metadata,
          delete_version_after: goDuration(meta.delete_version_after),
          max_versions: meta.max_versions,
          oldest_version: meta.oldest_version,
          updated_time: kvTime(meta.updated_time),
          versions,
        },
      };
    },
    async delete(req) {
      const key = req.captures.path!;
      const store = storeOf(req);
      await store.exclusive(key, async () => {
        const meta = await store.metadata(key);
        if (!meta) return;
        for (const n of Object.keys(meta.versions)) await store.deleteVersion(key, Number(n));
        await store.deleteMetadata(key);
      });
      return undefined;
    },
  },
};
