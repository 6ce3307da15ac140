// The write-time rules of a JWT auth role (Vault's jwt plugin, path_role.go), pure and in Vault's
// order, with its messages: role type, signed leeways, bound claims type and values, claim mapping
// targets, the user claim, OIDC redirect URIs, the bound-constraint rule of jwt roles, TTL ≤ max TTL.

import { parseDurationSeconds } from './duration.js';
import { formatGoValue } from './fields.js';
import { BOUND_CLAIMS_TYPES, type BoundClaimsType } from './jwt-claims.js';

/** `role_type` values; an omitted type is `oidc`, as in Vault. */
export const JWT_ROLE_TYPES = ['jwt', 'oidc'] as const;
export type JwtRoleType = (typeof JWT_ROLE_TYPES)[number];

/** Metadata keys a claim mapping may not write (the login sets them). */
export const RESERVED_JWT_METADATA = ['role'];

/** The role type a write stores, or Vault's error: omitted means `oidc` on every write. */
export function resolveJwtRoleType(given: string | undefined): JwtRoleType | { error: string } {
  const type = given === undefined || given === '' ? 'oidc' : given;
  return (JWT_ROLE_TYPES as readonly string[]).includes(type)
    ? (type as JwtRoleType)
    : { error: `invalid 'role_type': ${type}` };
}

/** The bound claims type a write stores (default `string` on every write), or Vault's error. */
export function resolveBoundClaimsType(given: string | undefined): BoundClaimsType | { error: string } {
  const type = given ?? 'string';
  return (BOUND_CLAIMS_TYPES as readonly string[]).includes(type)
    ? (type as BoundClaimsType)
    : { error: `invalid 'bound_claims_type': ${type}` };
}

/**
 * Vault's TypeSignedDurationSecond: seconds as a number or a Go duration string, negative allowed
 * (a leeway of -1 disables it). Returns the cause of a parse failure as an error.
 */
export function parseSignedDurationSeconds(raw: unknown): number | { error: string } {
  try {
    return parseDurationSeconds(raw);
  } catch (e) {
    return { error: (e as Error).message };
  }
}

/** Glob bound claims must be strings or lists of strings (checked only for `glob`, as in Vault). */
export function validateGlobBoundClaims(boundClaims: Readonly<Record<string, unknown>>): string | undefined {
  for (const claim of Object.keys(boundClaims).sort()) {
    const values = boundClaims[claim];
    const list = Array.isArray(values)
      ? values
      : typeof values === 'string' || typeof values === 'boolean' || typeof values === 'number'
        ? [values]
        : undefined;
    if (!list) return `claim is not a string or list: ${formatGoValue(values)}`;
    const bad = list.find((v) => typeof v !== 'string');
    if (bad !== undefined) return `claim is not a string: ${formatGoValue(bad)}`;
  }
  return undefined;
}

/** Claim mappings may not target a reserved key, nor two claims one key. */
export function validateClaimMappings(mappings: Readonly<Record<string, string>>): string | undefined {
  const targets = new Set<string>();
  for (const source of Object.keys(mappings).sort()) {
    const key = mappings[source]!;
    if (RESERVED_JWT_METADATA.includes(key)) {
      return `metadata key ${JSON.stringify(key)} is reserved and may not be a mapping destination`;
    }
    if (targets.has(key)) return `multiple keys are mapped to metadata key ${JSON.stringify(key)}`;
    targets.add(key);
  }
  return undefined;
}

/** What the final role checks look at. */
export interface JwtRoleConstraints {
  readonly roleType: JwtRoleType;
  readonly userClaim: string;
  readonly allowedRedirectUris: readonly string[];
  readonly boundAudiences: readonly string[];
  readonly boundSubject: string;
  readonly boundClaims: Readonly<Record<string, unknown>>;
  readonly tokenBoundCidrs: readonly string[];
  /** Seconds. */
  readonly tokenTtl: number;
  /** Seconds. */
  readonly tokenMaxTtl: number;
}

/**
 * The checks Vault makes once the role is assembled, in its order: a user claim, redirect URIs for
 * OIDC roles, at least one bound constraint for jwt roles (audiences, subject, claims or CIDRs),
 * and a TTL within the max TTL. Returns the first message, or undefined.
 */
export function validateJwtRoleConstraints(role: JwtRoleConstraints): string | undefined {
  if (role.userClaim === '') return 'a user claim must be defined on the role';
  if (role.roleType === 'oidc' && role.allowedRedirectUris.length === 0) {
    return "'allowed_redirect_uris' must be set if 'role_type' is 'oidc' or unspecified.";
  }
  if (
    role.roleType !== 'oidc' &&
    role.boundAudiences.length === 0 &&
    role.tokenBoundCidrs.length === 0 &&
    role.boundSubject === '' &&
    Object.keys(role.boundClaims).length === 0
  ) {
    return 'must have at least one bound constraint when creating/updating a role';
  }
  if (role.tokenMaxTtl > 0 && role.tokenTtl > role.tokenMaxTtl) return 'ttl should not be greater than max ttl';
  return undefined;
}
