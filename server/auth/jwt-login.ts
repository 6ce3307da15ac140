// `auth/<jwt mount>/login` (Vault's jwt plugin, path_login.go): a CI job presents its signed job
// token (GitLab `id_tokens`, GitHub Actions OIDC) and a role; the token's signature, issuer,
// audience, time window, subject and bound claims are checked in Vault's order, with its messages,
// and the login grants the role's token settings with an identity alias named by `user_claim`
// whose metadata are the `claim_mappings` (plus `role`). The JWT is a secret: it is never logged
// and no error repeats it (core/fields.ts SENSITIVE_FIELDS makes the audit log HMAC it).

import { PermissionDeniedError, RequestError } from '../../core/errors.js';
import type { FieldSchema } from '../../core/fields.js';
import {
  extractClaimMetadata,
  resolveGroups,
  resolveUserClaim,
  validateBoundClaims,
  validateJwtClaims,
  validateUnboundAudience,
} from '../../core/jwt-claims.js';
import { fieldOf, type LogicalRequest, type LogicalResponse, type PathSpec } from '../framework.js';
import { remoteAddrIsOk } from './bound-cidrs.js';
import { readJwtConfig, type JwtConfig } from './jwt-config.js';
import type { MountKeySets } from './jwt-jwks-cache.js';
import { readJwtRole } from './jwt-role.js';
import { parsePublicKeyPem, verifyWithPublicKeys, verifyWithRemoteKeySet, type VerifiedJwt } from './jwt-signature.js';
import { grantOf } from './token-fields.js';

/** `auth/<jwt mount>/login` fields. */
export const JWT_LOGIN_FIELDS: FieldSchema = {
  role: { type: 'lowercase-string', description: 'The role to log in against; default_role when omitted.' },
  jwt: { type: 'string', description: 'The signed JWT to validate (a secret: never logged).' },
};

/** Verify the token's signature with the mount's keys; throws Vault's `error validating token: …`. */
async function verifySignature(
  req: LogicalRequest,
  config: JwtConfig,
  keySets: MountKeySets,
  token: string,
): Promise<VerifiedJwt> {
  let keys;
  if (config.jwks_url === '') {
    try {
      keys = config.jwt_validation_pubkeys.map(parsePublicKeyPem);
    } catch (e) {
      throw new RequestError(`error configuring token validator: keyset configuration error: ${(e as Error).message}`);
    }
  }
  try {
    return keys
      ? await verifyWithPublicKeys(token, keys)
      : await verifyWithRemoteKeySet(token, keySets.remote(req.mount.uuid, config));
  } catch (e) {
    throw new RequestError(`error validating token: error verifying token signature: ${(e as Error).message}`);
  }
}

/** The login path over the server's key sets. */
export function jwtLoginPath(keySets: MountKeySets): PathSpec {
  async function login(req: LogicalRequest): Promise<LogicalResponse> {
    const config = await readJwtConfig(req.storage);
    if (!config) throw new RequestError('could not load configuration');
    const roleName = fieldOf<string>(req, 'role') || config.default_role;
    if (!roleName) throw new RequestError('missing role');
    const role = await readJwtRole(req.storage, roleName);
    if (!role) throw new RequestError(`role ${JSON.stringify(roleName)} could not be found`);
    if (role.role_type === 'oidc') throw new RequestError('role with oidc role_type is not allowed');
    const token = fieldOf<string>(req, 'jwt') ?? '';
    if (token === '') throw new RequestError('missing token');
    // Before any key work, as Vault: a login from outside the role's CIDRs costs no verification.
    if (role.token_bound_cidrs.length > 0 && !remoteAddrIsOk(req.remoteAddress, role.token_bound_cidrs)) {
      throw new PermissionDeniedError();
    }

    const { claims, algorithm } = await verifySignature(req, config, keySets, token);
    const invalid = validateJwtClaims(
      claims,
      {
        algorithm,
        supportedAlgorithms: config.jwt_supported_algs,
        issuer: config.bound_issuer,
        subject: role.bound_subject,
        audiences: role.bound_audiences ?? [],
        expirationLeeway: role.expiration_leeway,
        notBeforeLeeway: role.not_before_leeway,
        clockSkewLeeway: role.clock_skew_leeway,
      },
      req.now,
    );
    if (invalid) throw new RequestError(`error validating token: ${invalid}`);
    const unboundAudience = validateUnboundAudience(role.bound_audiences ?? [], claims);
    if (unboundAudience) throw new RequestError(unboundAudience);

    // The alias (Vault's createIdentity), then the bound claims, in Vault's order.
    const user = resolveUserClaim(claims, role.user_claim, role.user_claim_json_pointer);
    if ('error' in user) throw new RequestError(user.error);
    const mapped = extractClaimMetadata(claims, role.claim_mappings ?? {});
    if ('error' in mapped) throw new RequestError(mapped.error);
    const metadata = { ...mapped.metadata, role: roleName };
    if (role.groups_claim !== '') {
      const groups = resolveGroups(claims, role.groups_claim);
      if ('error' in groups) throw new RequestError(groups.error);
    }
    const unmatched = validateBoundClaims(role.bound_claims_type, role.bound_claims ?? {}, claims);
    if (unmatched) throw new RequestError(`error validating claims: ${unmatched}`);

    return { login: { ...grantOf(role, user.name, metadata), alias: { name: user.name, metadata } } };
  }

  return {
    pattern: /^login\/?$/,
    fields: JWT_LOGIN_FIELDS,
    unauthenticated: ['update'],
    operations: { update: login },
  };
}
