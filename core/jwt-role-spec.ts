// The one validator and the spec ⇄ wire mappers of a JWT auth role (`auth/<jwt mount>/role/:name`,
// issue 18, point 3): Vault's own refusals with the messages the server answers (core/jwt-role.ts
// holds its rules), then our stricter defaults, which only the Pulumi and CDKTF surfaces apply: the
// role must bind the jobs it admits beyond their audience (bound claims or a bound subject), a `*`
// in a glob bound claim only when asked, no `root` policy, short token TTLs when none are given.

import type { Issue } from './errors.js';
import { parseDurationSeconds } from './duration.js';
import { formatGoValue, parseFields } from './fields.js';
import {
  parseSignedDurationSeconds,
  resolveBoundClaimsType,
  validateClaimMappings,
  validateGlobBoundClaims,
  validateJwtRoleConstraints,
} from './jwt-role.js';
import { TOKEN_FIELDS } from './path-fields.js';

/** A bound claim: one value or a list, any of which must match. */
export type BoundClaimValue = string | readonly string[];

/** A JWT role in camelCase, as the IaC surfaces take it. */
export interface JwtRoleSpec {
  /** The role type; only JWT logins (no browser flow) are managed here. @default - `jwt` */
  readonly roleType?: 'jwt';
  /**
   * Audiences (`aud`) a job token must name, one is enough.
   * @default - none: tokens that name an audience are refused (Vault's rule), so CI tokens need one
   */
  readonly boundAudiences?: readonly string[];
  /** The `sub` a job token must carry. @default - any subject: then `boundClaims` must bind the job */
  readonly boundSubject?: string;
  /**
   * Claims (names or /JSON/pointers) and the value, or list of values, each must have, e.g.
   * `{ project_path: 'infra/deploy', ref: 'main', ref_type: 'branch' }`.
   * @default - none: then `boundSubject` must bind the job
   */
  readonly boundClaims?: Readonly<Record<string, BoundClaimValue>>;
  /** How `boundClaims` values match: `string` (exactly) or `glob` (`*` wildcards). @default - `string` */
  readonly boundClaimsType?: 'string' | 'glob';
  /**
   * Allow a `*` in a glob bound claim (it admits any value there, e.g. every branch).
   * @default - false: a glob bound claim with `*` is refused
   */
  readonly allowWildcardBoundClaims?: boolean;
  /** The claim whose value names the identity alias of the job, e.g. `project_path` or `sub`. */
  readonly userClaim: string;
  /** Claims copied into the alias metadata, claim → metadata key. @default - none */
  readonly claimMappings?: Readonly<Record<string, string>>;
  /** Policies of the tokens its logins get (plus `default`). @default - none: tokens get `default` only */
  readonly tokenPolicies?: readonly string[];
  /** TTL of its login tokens, a Vault duration. @default - 15 minutes (`"15m"`) */
  readonly tokenTtl?: string | number;
  /** Max TTL of its login tokens, renewals included. @default - 1 hour (`"1h"`) */
  readonly tokenMaxTtl?: string | number;
  /** A hard cap on its tokens' lifetime that no setting raises. @default - none (`tokenMaxTtl` caps) */
  readonly tokenExplicitMaxTtl?: string | number;
  /** CIDR blocks its tokens may be used from. @default - none: from any address */
  readonly tokenBoundCidrs?: readonly string[];
  /** Leeway on `exp`, a duration; -1 for none. @default - Vault's 150 seconds (sent as 0) */
  readonly expirationLeeway?: string | number;
  /** Leeway on `nbf`, a duration; -1 for none. @default - Vault's 150 seconds (sent as 0) */
  readonly notBeforeLeeway?: string | number;
  /** Clock skew allowed on `exp`, `nbf` and `iat`, a duration; -1 for none. @default - Vault's 60 seconds (sent as 0) */
  readonly clockSkewLeeway?: string | number;
}

/** Our token TTLs when a spec gives none: a job needs its token for minutes. */
export const JWT_ROLE_DEFAULT_TOKEN_TTL = '15m';
export const JWT_ROLE_DEFAULT_TOKEN_MAX_TTL = '1h';

/** Spec member → wire field, for the fields the wire form carries. */
export const JWT_ROLE_WIRE_NAMES: Readonly<Record<string, string>> = {
  roleType: 'role_type',
  boundAudiences: 'bound_audiences',
  boundSubject: 'bound_subject',
  boundClaims: 'bound_claims',
  boundClaimsType: 'bound_claims_type',
  userClaim: 'user_claim',
  claimMappings: 'claim_mappings',
  tokenPolicies: 'token_policies',
  tokenTtl: 'token_ttl',
  tokenMaxTtl: 'token_max_ttl',
  tokenExplicitMaxTtl: 'token_explicit_max_ttl',
  tokenBoundCidrs: 'token_bound_cidrs',
  expirationLeeway: 'expiration_leeway',
  notBeforeLeeway: 'not_before_leeway',
  clockSkewLeeway: 'clock_skew_leeway',
};

const TOKEN_DURATIONS = ['tokenTtl', 'tokenMaxTtl', 'tokenExplicitMaxTtl'] as const;
const LEEWAYS = ['expirationLeeway', 'notBeforeLeeway', 'clockSkewLeeway'] as const;

const valuesOf = (v: BoundClaimValue): readonly string[] => (typeof v === 'string' ? [v] : v);

/**
 * Every problem of a JWT role the IaC surfaces write, fields in camelCase: first Vault's refusals
 * with the server's messages (role type, token settings through Vault's field coercion, leeways,
 * bound claims type, glob bound claims that are not strings, claim mapping targets, a user claim,
 * at least one bound constraint, TTL ≤ max TTL), then our rules.
 */
export function validateJwtRoleSpec(spec: JwtRoleSpec): Issue[] {
  const issues: Issue[] = [];
  const roleType = spec.roleType ?? 'jwt';
  if (roleType !== 'jwt') {
    issues.push(
      roleType === ('oidc' as string)
        ? { field: 'roleType', message: 'only "jwt" roles are managed here: an "oidc" role needs a browser login flow' }
        : { field: 'roleType', message: `invalid 'role_type': ${String(roleType)}` },
    );
  }
  const seconds: Partial<Record<(typeof TOKEN_DURATIONS)[number], number>> = {};
  for (const member of TOKEN_DURATIONS) {
    const value = spec[member];
    if (value === undefined) continue;
    try {
      const parsed = parseFields(TOKEN_FIELDS, { [JWT_ROLE_WIRE_NAMES[member]!]: value });
      seconds[member] = parsed.values.get(JWT_ROLE_WIRE_NAMES[member]!) as number;
    } catch (e) {
      issues.push({ field: member, message: (e as Error).message });
    }
  }
  for (const member of LEEWAYS) {
    const value = spec[member];
    if (value === undefined) continue;
    const parsed = parseSignedDurationSeconds(value);
    if (typeof parsed !== 'number') {
      issues.push({
        field: member,
        message: `Field validation failed: error converting input ${formatGoValue(value)} for field "${JWT_ROLE_WIRE_NAMES[member]}": ${parsed.error}`,
      });
    }
  }
  const claimsType = resolveBoundClaimsType(spec.boundClaimsType);
  if (typeof claimsType !== 'string') issues.push({ field: 'boundClaimsType', message: claimsType.error });
  const boundClaims = spec.boundClaims ?? {};
  if (claimsType === 'glob') {
    const refused = validateGlobBoundClaims(boundClaims);
    if (refused) issues.push({ field: 'boundClaims', message: refused });
  }
  const mappingRefused = validateClaimMappings(spec.claimMappings ?? {});
  if (mappingRefused) issues.push({ field: 'claimMappings', message: mappingRefused });
  const ttl = seconds.tokenTtl ?? parseDurationSeconds(JWT_ROLE_DEFAULT_TOKEN_TTL);
  const maxTtl = seconds.tokenMaxTtl ?? parseDurationSeconds(JWT_ROLE_DEFAULT_TOKEN_MAX_TTL);
  const refused = validateJwtRoleConstraints({
    roleType: 'jwt',
    userClaim: typeof spec.userClaim === 'string' ? spec.userClaim : '',
    allowedRedirectUris: [],
    boundAudiences: spec.boundAudiences ?? [],
    boundSubject: spec.boundSubject ?? '',
    boundClaims,
    tokenBoundCidrs: spec.tokenBoundCidrs ?? [],
    tokenTtl: ttl,
    tokenMaxTtl: maxTtl,
  });
  if (refused) {
    const field = refused.startsWith('a user claim')
      ? 'userClaim'
      : refused.startsWith('must have')
        ? 'boundClaims'
        : 'tokenTtl';
    issues.push({ field, message: refused });
  }
  // Our rules.
  if ((spec.boundSubject ?? '') === '' && Object.keys(boundClaims).length === 0) {
    issues.push({
      field: 'boundClaims',
      message:
        'bind the jobs this role admits: give boundClaims (e.g. project_path and ref) or boundSubject; an audience alone admits every job of the issuer',
    });
  }
  for (const claim of Object.keys(boundClaims).sort()) {
    const values = boundClaims[claim]!;
    if (typeof values !== 'string' && !Array.isArray(values)) continue; // Vault's rule above names it
    for (const value of valuesOf(values)) {
      if (typeof value !== 'string') continue;
      if (value.includes(',')) {
        issues.push({
          field: 'boundClaims',
          message: `bound claim ${claim} value ${JSON.stringify(value)} contains a comma: give a list of values instead (the Terraform provider splits values at commas)`,
        });
      }
      if (claimsType === 'glob' && value.includes('*') && spec.allowWildcardBoundClaims !== true) {
        issues.push({
          field: 'boundClaims',
          message: `bound claim ${claim} value ${JSON.stringify(value)} is a glob with *: it admits any value there; set allowWildcardBoundClaims to mean it, or bind exact values with boundClaimsType "string"`,
        });
      }
    }
  }
  if ((spec.tokenPolicies ?? []).includes('root')) {
    issues.push({
      field: 'tokenPolicies',
      message: 'a JWT login may not get the root policy: name the policies it needs',
    });
  }
  return issues;
}

/** Seconds of a duration, or 0 when not given. */
const secondsOr = (v: string | number | undefined, dflt: string | number = 0): number =>
  parseDurationSeconds(v ?? dflt);

/**
 * The body the IaC surfaces write for a valid spec: every field, our defaults applied, so that an
 * update also clears what a spec no longer sets. Durations in seconds.
 */
export function jwtRoleSpecToWire(spec: JwtRoleSpec): Record<string, unknown> {
  return {
    role_type: spec.roleType ?? 'jwt',
    bound_audiences: [...(spec.boundAudiences ?? [])],
    bound_subject: spec.boundSubject ?? '',
    bound_claims_type: spec.boundClaimsType ?? 'string',
    bound_claims: Object.fromEntries(
      Object.entries(spec.boundClaims ?? {}).map(([k, v]) => [k, typeof v === 'string' ? v : [...v]]),
    ),
    user_claim: spec.userClaim,
    claim_mappings: { ...(spec.claimMappings ?? {}) },
    token_policies: [...(spec.tokenPolicies ?? [])],
    token_ttl: secondsOr(spec.tokenTtl, JWT_ROLE_DEFAULT_TOKEN_TTL),
    token_max_ttl: secondsOr(spec.tokenMaxTtl, JWT_ROLE_DEFAULT_TOKEN_MAX_TTL),
    token_explicit_max_ttl: secondsOr(spec.tokenExplicitMaxTtl),
    token_bound_cidrs: [...(spec.tokenBoundCidrs ?? [])],
    expiration_leeway: secondsOr(spec.expirationLeeway),
    not_before_leeway: secondsOr(spec.notBeforeLeeway),
    clock_skew_leeway: secondsOr(spec.clockSkewLeeway),
  };
}

/** A role as Vault reads it back, in the wire form `jwtRoleSpecToWire` writes (nulls as empties). */
export function jwtRoleWireFromRead(data: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const list = (v: unknown) => (Array.isArray(v) ? [...(v as string[])] : []);
  const map = (v: unknown) => (v && typeof v === 'object' ? { ...(v as Record<string, unknown>) } : {});
  return {
    role_type: data.role_type,
    bound_audiences: list(data.bound_audiences),
    bound_subject: data.bound_subject ?? '',
    bound_claims_type: data.bound_claims_type ?? 'string',
    bound_claims: map(data.bound_claims),
    user_claim: data.user_claim ?? '',
    claim_mappings: map(data.claim_mappings),
    token_policies: list(data.token_policies),
    token_ttl: Number(data.token_ttl ?? 0),
    token_max_ttl: Number(data.token_max_ttl ?? 0),
    token_explicit_max_ttl: Number(data.token_explicit_max_ttl ?? 0),
    token_bound_cidrs: list(data.token_bound_cidrs),
    expiration_leeway: Number(data.expiration_leeway ?? 0),
    not_before_leeway: Number(data.not_before_leeway ?? 0),
    clock_skew_leeway: Number(data.clock_skew_leeway ?? 0),
  };
}

/** The spec of a role read back (durations in seconds; every member set). */
export function jwtRoleSpecFromWire(
  wire: Readonly<Record<string, unknown>>,
): Required<Omit<JwtRoleSpec, 'allowWildcardBoundClaims'>> {
  const w = jwtRoleWireFromRead(wire);
  return {
    roleType: w.role_type as 'jwt',
    boundAudiences: w.bound_audiences as string[],
    boundSubject: w.bound_subject as string,
    boundClaims: w.bound_claims as Record<string, BoundClaimValue>,
    boundClaimsType: w.bound_claims_type as 'string' | 'glob',
    userClaim: w.user_claim as string,
    claimMappings: w.claim_mappings as Record<string, string>,
    tokenPolicies: w.token_policies as string[],
    tokenTtl: w.token_ttl as number,
    tokenMaxTtl: w.token_max_ttl as number,
    tokenExplicitMaxTtl: w.token_explicit_max_ttl as number,
    tokenBoundCidrs: w.token_bound_cidrs as string[],
    expirationLeeway: w.expiration_leeway as number,
    notBeforeLeeway: w.not_before_leeway as number,
    clockSkewLeeway: w.clock_skew_leeway as number,
  };
}

/**
 * The `vault_jwt_auth_backend_role` attributes of a valid spec (besides `backend` and `role_name`):
 * our defaults applied, durations in seconds, list values of bound claims joined with commas (the
 * provider splits them again), empty values left out as the provider leaves them unset.
 */
export function jwtRoleSpecToTerraform(spec: JwtRoleSpec): Record<string, unknown> {
  const wire = jwtRoleSpecToWire(spec);
  const claims = wire.bound_claims as Record<string, string | string[]>;
  const nonEmpty = (v: unknown) =>
    !(
      v === '' ||
      (Array.isArray(v) && v.length === 0) ||
      (typeof v === 'object' && v !== null && Object.keys(v).length === 0)
    );
  const out: Record<string, unknown> = {
    roleType: wire.role_type,
    userClaim: wire.user_claim,
    boundClaimsType: wire.bound_claims_type,
    tokenTtl: wire.token_ttl,
    tokenMaxTtl: wire.token_max_ttl,
  };
  const optional: Record<string, unknown> = {
    boundAudiences: wire.bound_audiences,
    boundSubject: wire.bound_subject,
    boundClaims: Object.fromEntries(
      Object.entries(claims).map(([k, v]) => [k, typeof v === 'string' ? v : v.join(',')]),
    ),
    claimMappings: wire.claim_mappings,
    tokenPolicies: wire.token_policies,
    tokenBoundCidrs: wire.token_bound_cidrs,
  };
  for (const [k, v] of Object.entries(optional)) if (nonEmpty(v)) out[k] = v;
  for (const [k, w] of [
    ['tokenExplicitMaxTtl', 'token_explicit_max_ttl'],
    ['expirationLeeway', 'expiration_leeway'],
    ['notBeforeLeeway', 'not_before_leeway'],
    ['clockSkewLeeway', 'clock_skew_leeway'],
  ] as const) {
    if (wire[w] !== 0) out[k] = wire[w];
  }
  return out;
}
