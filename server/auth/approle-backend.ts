// The AppRole auth method (`approle`), after Vault's builtin/credential/approle: this file only
// assembles the path table. Roles and role-id are approle-role.ts, secret IDs approle-secret-id.ts,
// `login` approle-login.ts, `tidy/secret-id` approle-tidy.ts, storage and locks approle-store.ts,
// pure rules core/approle.ts.

import type { Backend } from '../framework.js';
import { APPROLE_LOGIN_PATH } from './approle-login.js';
import { APPROLE_ROLE_PATHS } from './approle-role.js';
import { APPROLE_SECRET_ID_PATHS } from './approle-secret-id.js';
import { APPROLE_TIDY_PATH } from './approle-tidy.js';

/** The AppRole auth backend. */
export function approleBackend(): Backend {
  return {
    type: 'approle',
    paths: [...APPROLE_ROLE_PATHS, ...APPROLE_SECRET_ID_PATHS, APPROLE_LOGIN_PATH, APPROLE_TIDY_PATH],
  };
}
