// The one validator and the spec ⇄ wire mappers of a token role (`auth/token/roles/:role_name`,
// issue 24, point 3): which policies tokens created with the role may (or may not) get, whether they
// are orphans, renewable, periodic, and their type. Vault's refusals (token_store.go's
// pathRoleCreateUpdate, with its messages), then our stricter defaults, which only the Pulumi and
// CDKTF surfaces apply: the role names the policies it allows, never `root`.
// Vault's token roles take no `token_ttl`/`token_max_ttl` (the creating call and the mount decide):
// the spec has none.

import { decodeMembers } from './approle-role-spec.js';
import { parseDurationSeconds } from './duration.js';
import type { Issue } from './errors.js';
import type { FieldSchema } from './fields.js';

/** A token role in camelCase, as the IaC surfaces take it. */
export interface TokenRoleSpec {
  /**
   * Policies tokens created with the role may get (`default` is always allowed).
   * @default - none: refused here unless `allowedPoliciesGlob` names some (with neither, Vault lets a
   * token get any of its creator's policies)
   */
  readonly allowedPolicies?: readonly string[];
  /** Policies tokens created with the role may not get. @default - none */
  readonly disallowedPolicies?: readonly string[];
  /** Glob patterns of policies tokens may get. @default - none */
  readonly allowedPoliciesGlob?: readonly string[];
  /** Glob patterns of policies tokens may not get. @default - none */
  readonly disallowedPoliciesGlob?: readonly string[];
  /** Entity aliases a token created with the role may be bound to. @default - none */
  readonly allowedEntityAliases?: readonly string[];
  /** Create orphan tokens (no parent: they outlive the token that created them). @default - false */
  readonly orphan?: boolean;
  /** Whether its tokens may be renewed. @default - true */
  readonly renewable?: boolean;
  /** A suffix of the tokens' path (`auth/token/create/<role>/<suffix>`), e.g. a version. @default - none */
  readonly pathSuffix?: string;
  /** Renewal period: its tokens are periodic. @default - none: tokens are not periodic */
  readonly tokenPeriod?: string | number;
  /** A hard cap on its tokens' lifetime, renewals included. @default - none */
  readonly tokenExplicitMaxTtl?: string | number;
  /** CIDR blocks its tokens may be used from. @default - none: from any address */
  readonly tokenBoundCidrs?: readonly string[];
  /** Leave the `default` policy off its tokens. @default - false */
  readonly tokenNoDefaultPolicy?: boolean;
  /** Uses of each token; 0 for unlimited. @default - 0 */
  readonly tokenNumUses?: number;
  /** `service`, `batch`, `default-service` or `default-batch`. @default - `default-service` */
  readonly tokenType?: string;
}

const list = (description: string) => ({ type: 'comma-string-slice', description }) as const;
const duration = (description: string) => ({ type: 'duration', description }) as const;

/**
 * `auth/token/roles/:role_name` fields, as Vault's token store types them (token_* limited to its allow
 * list, the deprecated names kept): the server's schema and the IaC validator's coercion.
 */
export const TOKEN_ROLE_FIELDS: FieldSchema = {
  allowed_policies: list('Policies tokens created against this role may get; any others are refused.'),
  disallowed_policies: list('Policies tokens created against this role may never get.'),
  allowed_policies_glob: list('Like allowed_policies, with glob patterns.'),
  disallowed_policies_glob: list('Like disallowed_policies, with glob patterns.'),
  orphan: { type: 'bool', description: 'Tokens created against this role are orphans.' },
  period: duration("Use 'token_period' instead."),
  path_suffix: { type: 'string', description: "Appended to the tokens' path (auth/token/create/<role>/<suffix>)." },
  explicit_max_ttl: duration("Use 'token_explicit_max_ttl' instead."),
  renewable: { type: 'bool', description: 'Tokens created against this role can be renewed (default true).' },
  bound_cidrs: list("Use 'token_bound_cidrs' instead."),
  allowed_entity_aliases: list('Entity aliases allowed at token creation (not supported here).'),
  token_bound_cidrs: list('CIDR blocks the tokens may be used from.'),
  token_explicit_max_ttl: duration("Hard cap on the tokens' lifetime, renewals included."),
  token_period: duration('Renewal period: the tokens are periodic.'),
  token_type: { type: 'string', description: 'Type of the tokens (service, default-service; batch is refused).' },
  token_no_default_policy: { type: 'bool', description: 'Leave the default policy off the tokens.' },
  token_num_uses: { type: 'int', description: 'Maximum uses of each token (0 = unlimited).' },
};

/** Vault's pathSuffixSanitize, used unanchored as Vault does (MatchString). */
export const TOKEN_ROLE_PATH_SUFFIX = String.raw`\w[\w-.]+\w`;

/** Vault's refusal of a token role's `path_suffix`, in its order, or undefined (server and IaC). */
export function pathSuffixRefusal(suffix: string): string | undefined {
  if (suffix !== '' && !new RegExp(TOKEN_ROLE_PATH_SUFFIX).test(suffix)) {
    return `given role path suffix contains invalid characters; must match ${TOKEN_ROLE_PATH_SUFFIX}`;
  }
  if (suffix.includes('..')) return 'error registering path suffix: path cannot contain parent references';
  return undefined;
}

/** Spec member → wire field. */
export const TOKEN_ROLE_WIRE_NAMES: Readonly<Record<string, string>> = {
  allowedPolicies: 'allowed_policies',
  disallowedPolicies: 'disallowed_policies',
  allowedPoliciesGlob: 'allowed_policies_glob',
  disallowedPoliciesGlob: 'disallowed_policies_glob',
  allowedEntityAliases: 'allowed_entity_aliases',
  orphan: 'orphan',
  renewable: 'renewable',
  pathSuffix: 'path_suffix',
  tokenPeriod: 'token_period',
  tokenExplicitMaxTtl: 'token_explicit_max_ttl',
  tokenBoundCidrs: 'token_bound_cidrs',
  tokenNoDefaultPolicy: 'token_no_default_policy',
  tokenNumUses: 'token_num_uses',
  tokenType: 'token_type',
};

/** Token types a token role's tokens may have (`default` is stored as `default-service`). */
const TOKEN_ROLE_TYPES = ['default', 'service', 'batch', 'default-service', 'default-batch'];

/**
 * Every problem of a token role the IaC surfaces write, fields in camelCase: Vault's refusals (field
 * coercion, token type, negative uses, a `..` path suffix, what a batch token cannot be), then ours
 * (allowed policies named, no root).
 */
export function validateTokenRoleSpec(spec: TokenRoleSpec): Issue[] {
  const issues: Issue[] = [];
  const d = decodeMembers(spec, TOKEN_ROLE_WIRE_NAMES, TOKEN_ROLE_FIELDS, issues);
  const tokenType = (d.tokenType as string | undefined) ?? 'default-service';
  if (!TOKEN_ROLE_TYPES.includes(tokenType)) {
    issues.push({ field: 'tokenType', message: `invalid 'token_type' value ${JSON.stringify(tokenType)}` });
  }
  if (typeof d.tokenNumUses === 'number' && d.tokenNumUses < 0) {
    issues.push({ field: 'tokenNumUses', message: "'token_num_uses' cannot be negative" });
  }
  const suffixRefusal = typeof d.pathSuffix === 'string' ? pathSuffixRefusal(d.pathSuffix) : undefined;
  if (suffixRefusal !== undefined) issues.push({ field: 'pathSuffix', message: suffixRefusal });
  if (tokenType === 'batch') {
    const batch = (field: string, what: string) =>
      issues.push({ field, message: `'token_type' cannot be 'batch' when role is set to generate ${what}` });
    if (d.orphan !== true) batch('orphan', 'non-orphan tokens');
    if (typeof d.tokenPeriod === 'number' && d.tokenPeriod !== 0) batch('tokenPeriod', 'periodic tokens');
    if (d.renewable !== false) batch('renewable', 'renewable tokens');
    if (typeof d.tokenExplicitMaxTtl === 'number' && d.tokenExplicitMaxTtl !== 0) {
      batch('tokenExplicitMaxTtl', 'tokens with an explicit max TTL');
    }
  }
  // Our rules.
  if ((spec.allowedPolicies ?? []).length === 0 && (spec.allowedPoliciesGlob ?? []).length === 0) {
    issues.push({
      field: 'allowedPolicies',
      message:
        "name allowedPolicies (or allowedPoliciesGlob): with none, a token made with this role may get any of its creator's policies",
    });
  }
  if ((spec.allowedPolicies ?? []).includes('root')) {
    issues.push({
      field: 'allowedPolicies',
      message: 'a token role may not allow the root policy: name the policies it needs',
    });
  }
  return issues;
}

const secondsOr = (v: string | number | undefined): number => parseDurationSeconds(v ?? 0);

/** The body the IaC surfaces write for a valid spec: every field, defaults applied. Durations in seconds. */
export function tokenRoleSpecToWire(spec: TokenRoleSpec): Record<string, unknown> {
  const type = spec.tokenType ?? 'default-service';
  return {
    allowed_policies: [...(spec.allowedPolicies ?? [])],
    disallowed_policies: [...(spec.disallowedPolicies ?? [])],
    allowed_policies_glob: [...(spec.allowedPoliciesGlob ?? [])],
    disallowed_policies_glob: [...(spec.disallowedPoliciesGlob ?? [])],
    allowed_entity_aliases: [...(spec.allowedEntityAliases ?? [])],
    orphan: spec.orphan ?? false,
    renewable: spec.renewable ?? true,
    path_suffix: spec.pathSuffix ?? '',
    token_period: secondsOr(spec.tokenPeriod),
    token_explicit_max_ttl: secondsOr(spec.tokenExplicitMaxTtl),
    token_bound_cidrs: [...(spec.tokenBoundCidrs ?? [])],
    token_no_default_policy: spec.tokenNoDefaultPolicy ?? false,
    token_num_uses: spec.tokenNumUses ?? 0,
    // Vault stores `default` as `default-service`; write what it reads back.
    token_type: type === 'default' ? 'default-service' : type,
  };
}

/** A role as Vault reads it back, in the wire form `tokenRoleSpecToWire` writes (nulls as empties). */
export function tokenRoleWireFromRead(data: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const list = (v: unknown) => (Array.isArray(v) ? [...(v as string[])] : []);
  return {
    allowed_policies: list(data.allowed_policies),
    disallowed_policies: list(data.disallowed_policies),
    allowed_policies_glob: list(data.allowed_policies_glob),
    disallowed_policies_glob: list(data.disallowed_policies_glob),
    allowed_entity_aliases: list(data.allowed_entity_aliases),
    orphan: data.orphan ?? false,
    renewable: data.renewable ?? true,
    path_suffix: data.path_suffix ?? '',
    token_period: Number(data.token_period ?? 0),
    token_explicit_max_ttl: Number(data.token_explicit_max_ttl ?? 0),
    token_bound_cidrs: list(data.token_bound_cidrs),
    token_no_default_policy: data.token_no_default_policy ?? false,
    token_num_uses: Number(data.token_num_uses ?? 0),
    token_type: data.token_type ?? 'default-service',
  };
}

/** The spec of a role read back (durations in seconds; every member set). */
export function tokenRoleSpecFromWire(wire: Readonly<Record<string, unknown>>): Required<TokenRoleSpec> {
  const w = tokenRoleWireFromRead(wire);
  const spec: Record<string, unknown> = {};
  for (const [member, field] of Object.entries(TOKEN_ROLE_WIRE_NAMES)) spec[member] = w[field];
  return spec as unknown as Required<TokenRoleSpec>;
}

/**
 * The `vault_token_auth_backend_role` attributes of a valid spec (besides `role_name`): `orphan`,
 * `renewable` and `token_type` always, empty lists, empty strings and zeros left out.
 */
export function tokenRoleSpecToTerraform(spec: TokenRoleSpec): Record<string, unknown> {
  const w = tokenRoleSpecToWire(spec);
  const out: Record<string, unknown> = { orphan: w.orphan, renewable: w.renewable, tokenType: w.token_type };
  for (const [member, field] of Object.entries(TOKEN_ROLE_WIRE_NAMES)) {
    if (member in out) continue;
    const v = w[field];
    if (v === '' || v === 0 || v === false || (Array.isArray(v) && v.length === 0)) continue;
    out[member] = v;
  }
  return out;
}
