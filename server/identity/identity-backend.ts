// The identity backend (`identity/`, always mounted, as in Vault): only assembles the path table of
// the entity and entity-alias paths over the server's identity store.

import type { Backend } from '../framework.js';
import type { MountEntry } from '../sys/mount-table.js';
import type { IdentityStore } from './identity-store.js';
import { entityAliasPaths } from './paths-entity-alias.js';
import { entityPaths } from './paths-entity.js';

/** The built-in identity mount (Vault's `identity/`, type `identity`). */
export const IDENTITY_MOUNT: MountEntry = {
  path: 'identity/',
  type: 'identity',
  description: 'identity store',
  accessor: 'identity_00000000',
  uuid: '00000000-0000-0000-0000-000000000002',
  config: { default_lease_ttl: 0, max_lease_ttl: 0, force_no_cache: false },
  local: false,
  seal_wrap: false,
  options: null,
};

/** The identity backend over `store`. */
export function identityBackend(store: IdentityStore): Backend {
  return { type: 'identity', paths: [...entityPaths(store), ...entityAliasPaths(store)] };
}
