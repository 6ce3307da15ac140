// The claim rules of Vault's JWT auth method (hashicorp/vault-plugin-auth-jwt claims.go and
// path_login.go, with hashicorp/cap's jwt.Validator): the registered-claim checks (iss, sub, aud),
// the time window of exp/nbf/iat with the role's leeways and clock skew, bound claims (string or
// glob, list values, JSON-pointer claims), the user claim and claim_mappings. Pure: the signature is
// verified elsewhere, and `now` (Unix seconds) is a parameter. Messages are Vault's, verbatim.

import { formatGoValue } from './fields.js';

/** A JWT's verified claims set, as JSON. */
export type JwtClaims = Readonly<Record<string, unknown>>;

/** cap's default leeway for `exp` and `nbf` when a role's leeway is 0 (seconds). */
export const DEFAULT_CLAIM_LEEWAY = 150;
/** go-jose's default clock skew leeway when a role's `clock_skew_leeway` is 0 (seconds). */
export const DEFAULT_CLOCK_SKEW_LEEWAY = 60;

/** The algorithms Vault's JWT method accepts: asymmetric only (cap's supported set, in its order). */
export const ASYMMETRIC_JWT_ALGS: readonly string[] = [
  'RS256',
  'RS384',
  'RS512',
  'ES256',
  'ES384',
  'ES512',
  'PS256',
  'PS384',
  'PS512',
  'EdDSA',
];

/** The registered claim names cap decodes into go-jose's `jwt.Claims` (RFC 7519 §4.1). */
const REGISTERED_CLAIMS = ['iss', 'sub', 'aud', 'exp', 'nbf', 'iat', 'jti'];

/** `bound_claims_type` values. */
export const BOUND_CLAIMS_TYPES = ['string', 'glob'] as const;
export type BoundClaimsType = (typeof BOUND_CLAIMS_TYPES)[number];

/** What a role expects of a token's registered claims and time window (cap's `jwt.Expected`). */
export interface JwtExpectations {
  /** The `alg` the token was signed with. */
  readonly algorithm: string;
  /** `jwt_supported_algs` of the config; empty = every asymmetric algorithm. */
  readonly supportedAlgorithms: readonly string[];
  /** `bound_issuer` of the config; empty = any. */
  readonly issuer: string;
  /** `bound_subject`; empty = any. */
  readonly subject: string;
  /** `bound_audiences`; empty = skipped here (the login then refuses any `aud`). */
  readonly audiences: readonly string[];
  /** Seconds; 0 = 150, negative = none. */
  readonly expirationLeeway: number;
  /** Seconds; 0 = 150, negative = none. */
  readonly notBeforeLeeway: number;
  /** Seconds; 0 = 60, negative = none. */
  readonly clockSkewLeeway: number;
}

/** A number as Go's `json.Number` holds it: compared by its decimal text, never equal to a string. */
interface GoNumber {
  readonly goNumber: string;
}

const isGoNumber = (v: unknown): v is GoNumber =>
  typeof v === 'object' && v !== null && typeof (v as { goNumber?: unknown }).goNumber === 'string';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Resolve one JSON pointer (RFC 6901) in `root`; undefined when any step is missing. */
function resolvePointer(root: unknown, pointer: string): unknown {
  let node = root;
  for (const raw of pointer.split('/').slice(1)) {
    const step = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(node)) {
      if (!/^(0|[1-9][0-9]*)$/.test(step)) return undefined;
      node = node[Number(step)];
    } else if (isObject(node)) {
      node = Object.hasOwn(node, step) ? node[step] : undefined;
    } else {
      return undefined;
    }
    if (node === undefined) return undefined;
  }
  return node;
}

/**
 * A claim's value, as Vault's `getClaim`: a name starting with `/` is a JSON pointer into nested
 * claims, anything else a top-level claim. JSON numbers become integers (Vault truncates the float
 * go-oidc decoded). `null` and missing claims give undefined.
 */
export function resolveClaim(claims: JwtClaims, claim: string): unknown {
  const value = claim.startsWith('/')
    ? resolvePointer(claims, claim)
    : Object.hasOwn(claims, claim)
      ? claims[claim]
      : undefined;
  if (typeof value === 'number') return { goNumber: String(Math.trunc(value)) } satisfies GoNumber;
  return value === null ? undefined : value;
}

/** Vault's `normalizeList`: a string, bool or number becomes a one-item list; anything else but a list fails. */
function normalizeList(raw: unknown): unknown[] | undefined {
  if (Array.isArray(raw)) return raw;
  if (typeof raw === 'string' || typeof raw === 'boolean' || isGoNumber(raw)) return [raw];
  if (typeof raw === 'number') return [{ goNumber: String(raw) } satisfies GoNumber];
  return undefined;
}

/** Go's `%v` of a claim value (json.Number prints as its text). */
function formatClaim(v: unknown): string {
  if (isGoNumber(v)) return v.goNumber;
  return formatGoValue(v);
}

/** Go's interface equality between a bound value and a claim value. */
function sameValue(expected: unknown, actual: unknown): boolean {
  const e = typeof expected === 'number' ? { goNumber: String(expected) } : expected;
  const a = typeof actual === 'number' ? { goNumber: String(Math.trunc(actual)) } : actual;
  if (isGoNumber(e) || isGoNumber(a)) return isGoNumber(e) && isGoNumber(a) && e.goNumber === a.goNumber;
  return (typeof e === 'string' || typeof e === 'boolean') && e === a;
}

/**
 * ryanuber/go-glob's `Glob`, which Vault's glob bound claims use: `*` matches any run of characters
 * (the only wildcard), everything else is literal; pattern pieces are found left to right.
 */
export function matchGlob(pattern: string, subject: string): boolean {
  if (pattern === '' || !pattern.includes('*')) return subject === pattern;
  if (pattern === '*') return true;
  const pieces = pattern.split('*');
  const last = pieces.length - 1;
  let rest = subject;
  for (let i = 0; i < last; i++) {
    const piece = pieces[i]!;
    const at = rest.indexOf(piece);
    // The first piece is anchored at the start (a leading `*` makes it empty, found at 0).
    if (i === 0 ? at !== 0 : at < 0) return false;
    rest = rest.slice(at + piece.length);
  }
  return pattern.endsWith('*') || rest.endsWith(pieces[last]!);
}

/**
 * Vault's `validateBoundClaims`: every bound claim must be present and one of its values must equal
 * (or, for `glob`, match) one of the claim's values. Returns the error (without the login's
 * `error validating claims: ` prefix), or undefined.
 */
export function validateBoundClaims(
  type: BoundClaimsType,
  boundClaims: Readonly<Record<string, unknown>>,
  claims: JwtClaims,
): string | undefined {
  for (const claim of Object.keys(boundClaims).sort()) {
    const actual = resolveClaim(claims, claim);
    if (actual === undefined) return `claim ${JSON.stringify(claim)} is missing`;
    const actualValues = normalizeList(actual);
    if (!actualValues) return `received claim is not a string, bool, int or list: ${formatClaim(actual)}`;
    const expectedValues = normalizeList(boundClaims[claim]);
    if (!expectedValues) return `bound claim is not a string, bool, int or list: ${formatClaim(boundClaims[claim])}`;
    const found = expectedValues.some((expected) =>
      actualValues.some((value) =>
        type === 'glob'
          ? typeof expected === 'string' && typeof value === 'string' && matchGlob(expected, value)
          : sameValue(expected, value),
      ),
    );
    if (!found) return `claim ${JSON.stringify(claim)} does not match any associated bound claim values`;
  }
  return undefined;
}

/** A leeway as cap applies it: 0 means the default, a negative value means none. */
export function resolveLeeway(seconds: number, defaultSeconds: number): number {
  if (seconds < 0) return 0;
  return seconds === 0 ? defaultSeconds : seconds;
}

/** go-jose's NumericDate: a JSON number, truncated to whole seconds; 0 when absent. */
function numericDate(claims: JwtClaims, name: string): number | string {
  const v = claims[name];
  if (v === undefined || v === null) return 0;
  if (typeof v !== 'number') return 'go-jose/go-jose/jwt: failed to unmarshal JSON NumericDate';
  return Math.trunc(v);
}

/** The `aud` claim as go-jose's `Audience`: a string or a list of strings. */
function audienceOf(claims: JwtClaims): string[] | string {
  const v = claims.aud;
  if (v === undefined || v === null) return [];
  if (typeof v === 'string') return [v];
  if (Array.isArray(v) && v.every((item) => typeof item === 'string')) return v as string[];
  return 'go-jose/go-jose/jwt: expected string or array value to unmarshal to Audience';
}

/** A string registered claim, or Go's unmarshal error for another JSON type. */
function stringClaim(claims: JwtClaims, name: string): string | { error: string } {
  const v = claims[name];
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v;
  const kind =
    typeof v === 'number' ? 'number' : typeof v === 'boolean' ? 'bool' : Array.isArray(v) ? 'array' : 'object';
  return { error: `json: cannot unmarshal ${kind} into Go struct field Claims.${name} of type string` };
}

/**
 * cap's checks after the signature (jwt.Validator.Validate): no claim that collides with a
 * registered one under case folding, the `alg` among the supported ones, the registered claims'
 * types, the expected issuer, subject and audiences, then the time window. Returns the error (without the login's
 * `error validating token: ` prefix), or undefined when the token is valid at `now`.
 */
export function validateJwtClaims(claims: JwtClaims, expected: JwtExpectations, now: number): string | undefined {
  for (const key of Object.keys(claims)) {
    for (const name of REGISTERED_CLAIMS) {
      if (key !== name && (key.toUpperCase() === name.toUpperCase() || key.toLowerCase() === name)) {
        return `ambiguous claim: key ${JSON.stringify(key)} collides with registered claim ${JSON.stringify(name)} under case folding`;
      }
    }
  }
  const supported = expected.supportedAlgorithms.length > 0 ? expected.supportedAlgorithms : ASYMMETRIC_JWT_ALGS;
  if (!supported.includes(expected.algorithm)) {
    return 'invalid algorithm (alg) header parameter: token signed with unexpected algorithm';
  }
  const issuer = stringClaim(claims, 'iss');
  const subject = stringClaim(claims, 'sub');
  const id = stringClaim(claims, 'jti');
  for (const s of [issuer, subject, id]) if (typeof s !== 'string') return s.error;
  const audience = audienceOf(claims);
  if (typeof audience === 'string') return audience;
  const dates = [numericDate(claims, 'exp'), numericDate(claims, 'nbf'), numericDate(claims, 'iat')];
  const badDate = dates.find((d) => typeof d === 'string');
  if (badDate !== undefined) return badDate as string;
  let [exp, nbf] = dates as number[];
  const iat = dates[2] as number;

  if (expected.issuer !== '' && expected.issuer !== issuer) return 'invalid issuer (iss) claim';
  if (expected.subject !== '' && expected.subject !== subject) return 'invalid subject (sub) claim';
  if (expected.audiences.length > 0 && !expected.audiences.some((a) => audience.includes(a))) {
    return 'invalid audience (aud) claim: audience claim does not match any expected audience';
  }

  if (iat === 0 && exp === 0 && nbf === 0) {
    return 'no issued at (iat), not before (nbf), or expiration time (exp) claims in token';
  }
  // Without exp, a token expires an expiration leeway after its latest start (iat or nbf).
  if (exp === 0) exp = Math.max(iat, nbf!) + resolveLeeway(expected.expirationLeeway, DEFAULT_CLAIM_LEEWAY);
  // Without nbf, a token is valid from iat, or else a not-before leeway before exp.
  if (nbf === 0) nbf = iat !== 0 ? iat : exp! - resolveLeeway(expected.notBeforeLeeway, DEFAULT_CLAIM_LEEWAY);
  const skew = resolveLeeway(expected.clockSkewLeeway, DEFAULT_CLOCK_SKEW_LEEWAY);
  if (now + skew < nbf!) return 'invalid not before (nbf) claim: token not yet valid';
  if (now - skew > exp!) return 'invalid expiration time (exp) claim: token is expired';
  if (now + skew < iat) return 'invalid issued at (iat) claim: token issued in the future';
  return undefined;
}

/** Vault's rule for a role without `bound_audiences`: a token naming any audience is refused. */
export function validateUnboundAudience(boundAudiences: readonly string[], claims: JwtClaims): string | undefined {
  if (boundAudiences.length > 0) return undefined;
  const aud = claims.aud;
  const named = Array.isArray(aud) ? aud.length > 0 : typeof aud === 'string' && aud !== '';
  return named ? 'audience claim found in JWT but no audiences bound to the role' : undefined;
}

/**
 * The alias name: the `user_claim` value, which must be a string. With `user_claim_json_pointer`
 * the claim may be a JSON pointer; otherwise it is a top-level claim name, as in Vault.
 */
export function resolveUserClaim(
  claims: JwtClaims,
  userClaim: string,
  jsonPointer: boolean,
): { name: string } | { error: string } {
  const raw = jsonPointer
    ? resolveClaim(claims, userClaim)
    : Object.hasOwn(claims, userClaim) && claims[userClaim] !== null
      ? claims[userClaim]
      : undefined;
  if (raw === undefined) return { error: `claim ${JSON.stringify(userClaim)} not found in token` };
  if (typeof raw !== 'string') return { error: `claim ${JSON.stringify(userClaim)} could not be converted to string` };
  return { name: raw };
}

/**
 * Vault's `extractMetadata`: each mapped claim that is present (a name or a JSON pointer) must be a
 * string and lands under its metadata key; absent claims are skipped.
 */
export function extractClaimMetadata(
  claims: JwtClaims,
  claimMappings: Readonly<Record<string, string>>,
): { metadata: Record<string, string> } | { error: string } {
  const metadata: Record<string, string> = {};
  for (const source of Object.keys(claimMappings).sort()) {
    const value = resolveClaim(claims, source);
    if (value === undefined) continue;
    if (typeof value !== 'string') return { error: `error converting claim '${source}' to string` };
    metadata[claimMappings[source]!] = value;
  }
  return { metadata };
}

/**
 * The group names of `groups_claim`, as Vault reads them for group aliases: the claim must be
 * present and a string or a list of strings; empty names are dropped.
 */
export function resolveGroups(claims: JwtClaims, groupsClaim: string): { groups: string[] } | { error: string } {
  const raw = resolveClaim(claims, groupsClaim);
  if (raw === undefined)
    return { error: `failed to fetch groups: ${JSON.stringify(groupsClaim)} claim not found in token` };
  const list = normalizeList(raw);
  if (!list) return { error: `${JSON.stringify(groupsClaim)} claim could not be converted to string list` };
  const groups: string[] = [];
  for (const item of list) {
    if (typeof item !== 'string')
      return { error: `value ${formatClaim(item)} in groups claim could not be parsed as string` };
    if (item !== '') groups.push(item);
  }
  return { groups };
}
