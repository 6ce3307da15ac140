// The JWT auth method (`jwt`, also enabled as `oidc` for JWT logins), after Vault's
// hashicorp/vault-plugin-auth-jwt: this file only assembles the path table; `config` is
// jwt-config.ts, `role` jwt-role.ts, `login` jwt-login.ts, the JWKS cache jwt-jwks-cache.ts and
// signature checks jwt-signature.ts. Claim rules are core/jwt-claims.ts and core/jwt-role.ts.

import type { Backend } from '../framework.js';
import { jwtConfigPath } from './jwt-config.js';
import { fetchJwks, MountKeySets, type Jwk, type JwksSource } from './jwt-jwks-cache.js';
import { jwtLoginPath } from './jwt-login.js';
import { JWT_ROLE_PATHS } from './jwt-role.js';

/** Options of a JWT backend. */
export interface JwtBackendOptions {
  /** How JWKS documents are fetched. @default fetchJwks (bounded HTTP(S) GET) */
  readonly fetchJwks?: (source: JwksSource) => Promise<Jwk[]>;
}

/** A JWT auth backend for mounts of `type` (`jwt` or `oidc`); its JWKS caches live as long as it does. */
export function jwtBackend(type: 'jwt' | 'oidc' = 'jwt', options: JwtBackendOptions = {}): Backend {
  const keySets = new MountKeySets(options.fetchJwks ?? fetchJwks);
  return {
    type,
    paths: [jwtConfigPath(keySets), ...JWT_ROLE_PATHS, jwtLoginPath(keySets)],
  };
}
