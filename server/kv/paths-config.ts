// KV version 2 `config`: the engine-wide max_versions, cas_required and delete_version_after
// (hashicorp/vault-plugin-secrets-kv path_config.go).

import type { FieldSchema } from '../../core/fields.js';
import { fieldOf, type PathSpec } from '../framework.js';
import { goDuration } from './kv-store.js';
import { storeOf } from './paths-data.js';

export const CONFIG_FIELDS: FieldSchema = {
  max_versions: {
    type: 'int',
    description: 'The number of versions to keep for each key. Defaults to 10',
  },
  cas_required: {
    type: 'bool',
    description: 'If true, the backend will require the cas parameter to be set for each write',
  },
  delete_version_after: {
    type: 'duration',
    description:
      'If set, the length of time before a version is deleted. A negative duration disables the use of delete_version_after on all keys. A zero duration clears the current setting.',
  },
};

export const configPath: PathSpec = {
  pattern: /^config$/,
  fields: CONFIG_FIELDS,
  operations: {
    async read(req) {
      const c = await storeOf(req).config();
      return {
        data: {
          cas_required: c.cas_required,
          delete_version_after: goDuration(c.delete_version_after),
          max_versions: c.max_versions,
        },
      };
    },
    async update(req) {
      const store = storeOf(req);
      const c = await store.config();
      await store.writeConfig({
        max_versions: fieldOf<number>(req, 'max_versions') ?? c.max_versions,
        cas_required: fieldOf<boolean>(req, 'cas_required') ?? c.cas_required,
        delete_version_after: fieldOf<number>(req, 'delete_version_after') ?? c.delete_version_after,
      });
      return undefined;
    },
  },
};
