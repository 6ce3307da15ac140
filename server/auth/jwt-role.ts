// `auth/<jwt mount>/role/:name` and `LIST role` (Vault's jwt plugin, path_role.go): what a job
// token must carry (bound audiences, subject and claims), which claim names the alias
// (`user_claim`) and which claims become its metadata (`claim_mappings`), the time leeways, and the
// shared `token_*` settings of the tokens a login issues. Write-time rules are core/jwt-role.ts.

import { formatGoDuration } from '../../core/duration.js';
import { RequestError } from '../../core/errors.js';
import { formatGoValue, type FieldSchema } from '../../core/fields.js';
import type { BoundClaimsType } from '../../core/jwt-claims.js';
import {
  parseSignedDurationSeconds,
  resolveBoundClaimsType,
  resolveJwtRoleType,
  validateClaimMappings,
  validateGlobBoundClaims,
  validateJwtRoleConstraints,
  type JwtRoleType,
} from '../../core/jwt-role.js';
import { TOKEN_FIELDS } from '../../core/path-fields.js';
import { fieldOf, type LogicalRequest, type PathSpec } from '../framework.js';
import { getJson, putJson, type Storage } from '../storage/storage.js';
import { effectiveTtls } from '../sys/mount-table.js';
import { rolePaths } from './role-paths.js';
import { DEFAULT_TOKEN_SETTINGS, readTokenSettings, updateTokenSettings, type TokenSettings } from './token-fields.js';

/** A stored JWT role. Unset lists and maps stay null, as Vault's nil values read back. */
export interface JwtRole extends TokenSettings {
  readonly role_type: JwtRoleType;
  /** Seconds; 0 = cap's default (150), negative = none. */
  readonly expiration_leeway: number;
  readonly not_before_leeway: number;
  /** Seconds; 0 = go-jose's default (60), negative = none. */
  readonly clock_skew_leeway: number;
  readonly bound_audiences: string[] | null;
  readonly bound_subject: string;
  readonly bound_claims_type: BoundClaimsType;
  readonly bound_claims: Record<string, unknown> | null;
  readonly claim_mappings: Record<string, string> | null;
  readonly user_claim: string;
  readonly user_claim_json_pointer: boolean;
  readonly groups_claim: string;
  readonly oidc_scopes: string[] | null;
  readonly allowed_redirect_uris: string[] | null;
  readonly verbose_oidc_logging: boolean;
  readonly max_age: number;
}

/** Vault's GenericNameRegex for role names. */
const roleKey = (name: string) => `role/${name.toLowerCase()}`;

/** A role by name (names are lower-cased, as Vault's TypeLowerCaseString does). */
export const readJwtRole = (storage: Storage, name: string): Promise<JwtRole | undefined> =>
  getJson<JwtRole>(storage, roleKey(name));

const LEEWAY_FIELDS = ['expiration_leeway', 'not_before_leeway', 'clock_skew_leeway'] as const;

/** `auth/<jwt mount>/role/:name` fields (plus the shared token_* fields). */
export const JWT_ROLE_FIELDS: FieldSchema = {
  ...TOKEN_FIELDS,
  role_type: { type: 'string', description: "Type of the role: 'jwt' (logins with a JWT) or 'oidc' (default)." },
  bound_audiences: {
    type: 'comma-string-slice',
    description: 'Audiences (aud) accepted at login; any match is enough; without them, tokens naming one are refused.',
  },
  bound_subject: { type: 'string', description: 'Value the sub claim must equal; empty accepts any.' },
  bound_claims_type: {
    type: 'string',
    description: "How bound_claims values match: 'string' (exact, default) or 'glob'.",
  },
  bound_claims: {
    type: 'map',
    description: 'Claims (names or /JSON/pointers) and the values, one or a list, that must match at login.',
  },
  claim_mappings: { type: 'map', description: 'Claims (names or /JSON/pointers) copied to alias metadata keys.' },
  user_claim: { type: 'string', description: 'Claim whose string value names the identity alias (required).' },
  user_claim_json_pointer: { type: 'bool', description: 'Read user_claim as a JSON pointer into nested claims.' },
  groups_claim: { type: 'string', description: 'Claim listing the group names (checked; group aliases are not made).' },
  expiration_leeway: {
    type: 'string',
    description: 'Seconds of leeway on exp (a duration); 0 means 150, -1 none.',
  },
  not_before_leeway: {
    type: 'string',
    description: 'Seconds of leeway on nbf (a duration); 0 means 150, -1 none.',
  },
  clock_skew_leeway: {
    type: 'string',
    description: 'Seconds of clock skew allowed on exp, nbf and iat (a duration); 0 means 60, -1 none.',
  },
  allowed_redirect_uris: {
    type: 'comma-string-slice',
    description: 'Redirect URIs of OIDC roles (stored; no OIDC flow here).',
  },
  oidc_scopes: { type: 'comma-string-slice', description: 'OIDC scopes of OIDC roles (stored; no OIDC flow here).' },
  verbose_oidc_logging: { type: 'bool', description: 'Log OIDC responses (stored; no OIDC flow here).' },
  max_age: {
    type: 'duration',
    description: 'Allowed time since the last OIDC authentication (stored; no OIDC flow here).',
  },
};

const EMPTY_ROLE: Omit<JwtRole, keyof TokenSettings | 'role_type'> = {
  expiration_leeway: 0,
  not_before_leeway: 0,
  clock_skew_leeway: 0,
  bound_audiences: null,
  bound_subject: '',
  bound_claims_type: 'string',
  bound_claims: null,
  claim_mappings: null,
  user_claim: '',
  user_claim_json_pointer: false,
  groups_claim: '',
  oidc_scopes: null,
  allowed_redirect_uris: null,
  verbose_oidc_logging: false,
  max_age: 0,
};

/** Vault's TypeKVPairs from a map: values weakly decoded to strings (numbers, bools), nothing nested. */
function kvPairs(raw: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (typeof v === 'string') out[k] = v;
    else if (typeof v === 'number') out[k] = String(v);
    else if (typeof v === 'boolean') out[k] = v ? '1' : '0';
    else {
      throw new RequestError(
        `Field validation failed: error converting input ${formatGoValue(raw)} for field "claim_mappings": '[${k}]' expected type 'string', got unconvertible type '${Array.isArray(v) ? '[]interface {}' : 'map[string]interface {}'}'`,
      );
    }
  }
  return out;
}

const fail = (message: string): never => {
  throw new RequestError(message);
};

/** Create or update a role as Vault's pathRoleCreateUpdate. */
async function writeRole(req: LogicalRequest): Promise<{ warnings: string[] } | undefined> {
  const name = req.captures.name!.toLowerCase();
  const existing = await readJwtRole(req.storage, name);
  const roleType = resolveJwtRoleType(fieldOf<string>(req, 'role_type'));
  if (typeof roleType !== 'string') return fail(roleType.error);
  const tokenSettings = updateTokenSettings(existing ?? DEFAULT_TOKEN_SETTINGS, req.fields);
  const maxLeaseTtl = effectiveTtls(req.mount).maxLeaseTtl;
  if (tokenSettings.token_period > maxLeaseTtl) {
    fail(
      `'period' of '${JSON.stringify(formatGoDuration(tokenSettings.token_period))}' is greater than the backend's maximum lease TTL of '${JSON.stringify(formatGoDuration(maxLeaseTtl))}'`,
    );
  }
  const role: Record<string, unknown> = { ...EMPTY_ROLE, ...existing, ...tokenSettings, role_type: roleType };
  for (const field of LEEWAY_FIELDS) {
    if (!req.fields.has(field)) continue;
    const raw = req.fields.get(field);
    const seconds = parseSignedDurationSeconds(raw);
    if (typeof seconds !== 'number') {
      fail(
        `Field validation failed: error converting input ${formatGoValue(raw)} for field "${field}": ${seconds.error}`,
      );
    }
    role[field] = seconds;
  }
  if (req.fields.has('bound_audiences')) role.bound_audiences = req.fields.get('bound_audiences');
  if (req.fields.has('bound_subject')) role.bound_subject = req.fields.get('bound_subject');
  if (req.fields.has('verbose_oidc_logging')) role.verbose_oidc_logging = req.fields.get('verbose_oidc_logging');
  if (req.fields.has('max_age')) role.max_age = req.fields.get('max_age');
  const claimsType = resolveBoundClaimsType(fieldOf<string>(req, 'bound_claims_type'));
  if (typeof claimsType !== 'string') return fail(claimsType.error);
  role.bound_claims_type = claimsType;
  const boundClaims = fieldOf<Record<string, unknown>>(req, 'bound_claims');
  if (boundClaims !== undefined) {
    role.bound_claims = boundClaims;
    if (claimsType === 'glob') {
      const refused = validateGlobBoundClaims(boundClaims);
      if (refused) fail(refused);
    }
  }
  const rawMappings = fieldOf<Record<string, unknown>>(req, 'claim_mappings');
  if (rawMappings !== undefined) {
    const mappings = kvPairs(rawMappings);
    const refused = validateClaimMappings(mappings);
    if (refused) fail(refused);
    role.claim_mappings = mappings;
  }
  for (const field of [
    'user_claim',
    'user_claim_json_pointer',
    'groups_claim',
    'oidc_scopes',
    'allowed_redirect_uris',
  ]) {
    if (req.fields.has(field)) role[field] = req.fields.get(field);
  }
  const stored = role as unknown as JwtRole;
  const refused = validateJwtRoleConstraints({
    roleType,
    userClaim: stored.user_claim,
    allowedRedirectUris: stored.allowed_redirect_uris ?? [],
    boundAudiences: stored.bound_audiences ?? [],
    boundSubject: stored.bound_subject,
    boundClaims: stored.bound_claims ?? {},
    tokenBoundCidrs: stored.token_bound_cidrs,
    tokenTtl: stored.token_ttl,
    tokenMaxTtl: stored.token_max_ttl,
  });
  if (refused) fail(refused);
  const warnings: string[] = [];
  if (stored.token_max_ttl > maxLeaseTtl) {
    warnings.push(
      "token max ttl is greater than the system or backend mount's maximum TTL value; issued tokens' max TTL value will be truncated",
    );
  }
  if (stored.verbose_oidc_logging) {
    warnings.push(
      'verbose_oidc_logging has been enabled for this role. This is not recommended in production since sensitive information may be present in OIDC responses.',
    );
  }
  await putJson(req.storage, roleKey(name), stored);
  return warnings.length > 0 ? { warnings } : undefined;
}

/** The read shape of a role (Vault's pathRoleRead). */
function roleToWire(role: JwtRole): Record<string, unknown> {
  return {
    role_type: role.role_type,
    expiration_leeway: role.expiration_leeway,
    not_before_leeway: role.not_before_leeway,
    clock_skew_leeway: role.clock_skew_leeway,
    bound_audiences: role.bound_audiences,
    bound_subject: role.bound_subject,
    bound_claims_type: role.bound_claims_type,
    bound_claims: role.bound_claims,
    claim_mappings: role.claim_mappings,
    user_claim: role.user_claim,
    user_claim_json_pointer: role.user_claim_json_pointer,
    groups_claim: role.groups_claim,
    allowed_redirect_uris: role.allowed_redirect_uris,
    oidc_scopes: role.oidc_scopes,
    verbose_oidc_logging: role.verbose_oidc_logging,
    max_age: role.max_age,
    ...readTokenSettings(role),
  };
}

/** The role paths: LIST `role`, and read, write, delete of `role/:name` (Vault's capture for JWT roles). */
export const JWT_ROLE_PATHS: readonly PathSpec[] = rolePaths({
  prefix: 'role',
  capture: 'name',
  storagePrefix: 'role/',
  fields: JWT_ROLE_FIELDS,
  read: readJwtRole,
  toWire: roleToWire,
  write: writeRole,
  async delete(req) {
    await req.storage.delete(roleKey(req.captures.name!));
    return undefined;
  },
});
