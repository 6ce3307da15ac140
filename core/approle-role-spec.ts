// The one validator and the spec ⇄ wire mappers of an AppRole role (`auth/<approle mount>/role/:name`,
// issue 24, point 3): Vault's own refusals with the messages the server answers (core/approle.ts holds
// its rules: token settings, CIDR lists, the constraint rule), then our stricter defaults, which only
// the Pulumi and CDKTF surfaces apply: a secret ID is always bound, secret IDs expire, no `root`
// policy, and short-lived secret IDs and tokens when none are given (a deploy logs in once).
// The role_id is always Vault's (a UUID): the surfaces output it and take no custom one.

import { validateAppRoleConstraints, validateCidrList, validateTokenSettings } from './approle.js';
import { parseDurationSeconds } from './duration.js';
import type { Issue } from './errors.js';
import { parseFields, type FieldSchema } from './fields.js';
import { TOKEN_FIELDS } from './path-fields.js';

/** An AppRole role in camelCase, as the IaC surfaces take it. */
export interface AppRoleRoleSpec {
  /** Require a secret ID at login. Only `true` is accepted here. @default - true */
  readonly bindSecretId?: boolean;
  /** CIDR blocks logins with this role's secret IDs may come from. @default - none: from any address */
  readonly secretIdBoundCidrs?: readonly string[];
  /** Logins each secret ID allows; 0 for unlimited. @default - 1: one login per secret ID */
  readonly secretIdNumUses?: number;
  /** Lifetime of its secret IDs, a Vault duration. @default - 10 minutes (`"10m"`) */
  readonly secretIdTtl?: string | number;
  /** Policies of the tokens its logins get (plus `default`). @default - none: tokens get `default` only */
  readonly tokenPolicies?: readonly string[];
  /** TTL of its login tokens. @default - 15 minutes (`"15m"`) */
  readonly tokenTtl?: string | number;
  /** Max TTL of its login tokens, renewals included. @default - 1 hour (`"1h"`) */
  readonly tokenMaxTtl?: string | number;
  /** A hard cap on its tokens' lifetime that no setting raises. @default - none (`tokenMaxTtl` caps) */
  readonly tokenExplicitMaxTtl?: string | number;
  /** Leave the `default` policy off its tokens. @default - false */
  readonly tokenNoDefaultPolicy?: boolean;
  /** Uses of each token; 0 for unlimited. @default - 0 */
  readonly tokenNumUses?: number;
  /** Renewal period of periodic tokens. @default - none: tokens are not periodic */
  readonly tokenPeriod?: string | number;
  /** `service`, `batch`, `default`, `default-service` or `default-batch`. @default - `default` (the mount's) */
  readonly tokenType?: string;
  /** CIDR blocks its tokens may be used from. @default - none: from any address */
  readonly tokenBoundCidrs?: readonly string[];
}

/** Our secret ID and token defaults when a spec gives none: a deploy logs in once, within minutes. */
export const APPROLE_ROLE_DEFAULTS = {
  secretIdNumUses: 1,
  secretIdTtl: '10m',
  tokenTtl: '15m',
  tokenMaxTtl: '1h',
} as const;

/** The default AppRole mount. */
export const DEFAULT_APPROLE_AUTH_PATH = 'approle';

/** Spec member → wire field. */
export const APPROLE_ROLE_WIRE_NAMES: Readonly<Record<string, string>> = {
  bindSecretId: 'bind_secret_id',
  secretIdBoundCidrs: 'secret_id_bound_cidrs',
  secretIdNumUses: 'secret_id_num_uses',
  secretIdTtl: 'secret_id_ttl',
  tokenPolicies: 'token_policies',
  tokenTtl: 'token_ttl',
  tokenMaxTtl: 'token_max_ttl',
  tokenExplicitMaxTtl: 'token_explicit_max_ttl',
  tokenNoDefaultPolicy: 'token_no_default_policy',
  tokenNumUses: 'token_num_uses',
  tokenPeriod: 'token_period',
  tokenType: 'token_type',
  tokenBoundCidrs: 'token_bound_cidrs',
};

/** The role's own fields, as Vault's path_role.go types them (the token_* ones are TOKEN_FIELDS). */
const SECRET_ID_FIELDS: FieldSchema = {
  bind_secret_id: { type: 'bool', description: 'Require a secret_id at login.' },
  secret_id_bound_cidrs: { type: 'comma-string-slice', description: 'CIDR blocks logins may come from.' },
  secret_id_num_uses: { type: 'int', description: 'Logins each secret ID allows.' },
  secret_id_ttl: { type: 'duration', description: 'Lifetime of secret IDs.' },
};

/** Token types a role's tokens may have (Vault's tokenutil, plus the adjusted legacy names). */
const TOKEN_TYPES = ['default', 'service', 'batch', 'default-service', 'default-batch'];

/**
 * Each member through Vault's field coercion; decoded values by member, and an issue per member that
 * does not decode (Vault's `Field validation failed` message). Shared with core/token-role-spec.ts.
 */
export function decodeMembers(
  spec: object,
  names: Readonly<Record<string, string>>,
  schema: FieldSchema,
  issues: Issue[],
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [member, wire] of Object.entries(names)) {
    const value = (spec as Record<string, unknown>)[member];
    if (value === undefined || !Object.hasOwn(schema, wire)) continue;
    try {
      out[member] = parseFields(schema, { [wire]: value }).values.get(wire);
    } catch (e) {
      issues.push({ field: member, message: (e as Error).message });
    }
  }
  return out;
}

/** The member a `validateTokenSettings` message is about. */
const tokenSettingsField = (message: string): string =>
  message.includes('periodic')
    ? 'tokenPeriod'
    : message.includes('use count') || message.includes('num_uses')
      ? 'tokenNumUses'
      : 'tokenTtl';

/**
 * Every problem of an AppRole role the IaC surfaces write, fields in camelCase: first Vault's refusals
 * with the server's messages (field coercion, token type, token settings, secret ID CIDRs, negative
 * secret ID uses, the constraint rule), then our rules (bound secret ID, expiring secret IDs, no root).
 */
export function validateAppRoleRoleSpec(spec: AppRoleRoleSpec): Issue[] {
  const issues: Issue[] = [];
  const decoded = decodeMembers(spec, APPROLE_ROLE_WIRE_NAMES, { ...TOKEN_FIELDS, ...SECRET_ID_FIELDS }, issues);
  const tokenType = (decoded.tokenType as string | undefined) ?? 'default';
  if (!TOKEN_TYPES.includes(tokenType)) {
    issues.push({ field: 'tokenType', message: `invalid 'token_type' value ${JSON.stringify(tokenType)}` });
  }
  const num = (member: string, dflt: number | string = 0): number =>
    typeof decoded[member] === 'number' ? (decoded[member] as number) : parseDurationSeconds(dflt);
  const invalid = validateTokenSettings({
    token_type: tokenType,
    token_period: num('tokenPeriod'),
    token_num_uses: num('tokenNumUses'),
    token_ttl: num('tokenTtl', APPROLE_ROLE_DEFAULTS.tokenTtl),
    token_max_ttl: num('tokenMaxTtl', APPROLE_ROLE_DEFAULTS.tokenMaxTtl),
  });
  if (invalid) issues.push({ field: tokenSettingsField(invalid), message: invalid });
  const cidrs = (decoded.secretIdBoundCidrs as string[] | undefined) ?? [];
  const badCidr = cidrs.length > 0 ? validateCidrList(cidrs) : undefined;
  if (badCidr) issues.push({ field: 'secretIdBoundCidrs', message: `failed to validate CIDR blocks: ${badCidr}` });
  if (num('secretIdNumUses', APPROLE_ROLE_DEFAULTS.secretIdNumUses) < 0) {
    issues.push({ field: 'secretIdNumUses', message: 'secret_id_num_uses cannot be negative' });
  }
  const bind = (decoded.bindSecretId as boolean | undefined) ?? true;
  const constraint = validateAppRoleConstraints({
    bindSecretId: bind,
    secretIdBoundCidrs: cidrs,
    tokenBoundCidrs: (decoded.tokenBoundCidrs as string[] | undefined) ?? [],
  });
  if (constraint) issues.push({ field: 'bindSecretId', message: constraint });
  // Our rules.
  if (!bind && !constraint) {
    issues.push({
      field: 'bindSecretId',
      message:
        'bindSecretId false lets the role_id alone log in, and a role_id is not a secret: keep bindSecretId true (secretIdBoundCidrs narrows where logins come from)',
    });
  }
  if (decoded.secretIdTtl === 0) {
    issues.push({
      field: 'secretIdTtl',
      message: 'secretIdTtl 0 makes secret IDs that never expire: give a TTL, e.g. "10m" for a deploy',
    });
  }
  if ((spec.tokenPolicies ?? []).includes('root')) {
    issues.push({
      field: 'tokenPolicies',
      message: 'an AppRole login may not get the root policy: name the policies it needs',
    });
  }
  return issues;
}

/** Seconds of a duration, or of the default. */
const secondsOr = (v: string | number | undefined, dflt: string | number = 0): number =>
  parseDurationSeconds(v ?? dflt);

/**
 * The body the IaC surfaces write for a valid spec: every field, our defaults applied, so that an
 * update also clears what a spec no longer sets. Durations in seconds.
 */
export function appRoleRoleSpecToWire(spec: AppRoleRoleSpec): Record<string, unknown> {
  return {
    bind_secret_id: spec.bindSecretId ?? true,
    secret_id_bound_cidrs: [...(spec.secretIdBoundCidrs ?? [])],
    secret_id_num_uses: spec.secretIdNumUses ?? APPROLE_ROLE_DEFAULTS.secretIdNumUses,
    secret_id_ttl: secondsOr(spec.secretIdTtl, APPROLE_ROLE_DEFAULTS.secretIdTtl),
    token_policies: [...(spec.tokenPolicies ?? [])],
    token_ttl: secondsOr(spec.tokenTtl, APPROLE_ROLE_DEFAULTS.tokenTtl),
    token_max_ttl: secondsOr(spec.tokenMaxTtl, APPROLE_ROLE_DEFAULTS.tokenMaxTtl),
    token_explicit_max_ttl: secondsOr(spec.tokenExplicitMaxTtl),
    token_no_default_policy: spec.tokenNoDefaultPolicy ?? false,
    token_num_uses: spec.tokenNumUses ?? 0,
    token_period: secondsOr(spec.tokenPeriod),
    token_type: spec.tokenType ?? 'default',
    token_bound_cidrs: [...(spec.tokenBoundCidrs ?? [])],
  };
}

/** A role as Vault reads it back, in the wire form `appRoleRoleSpecToWire` writes (nulls as empties). */
export function appRoleRoleWireFromRead(data: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const list = (v: unknown) => (Array.isArray(v) ? [...(v as string[])] : []);
  return {
    bind_secret_id: data.bind_secret_id ?? true,
    secret_id_bound_cidrs: list(data.secret_id_bound_cidrs),
    secret_id_num_uses: Number(data.secret_id_num_uses ?? 0),
    secret_id_ttl: Number(data.secret_id_ttl ?? 0),
    token_policies: list(data.token_policies),
    token_ttl: Number(data.token_ttl ?? 0),
    token_max_ttl: Number(data.token_max_ttl ?? 0),
    token_explicit_max_ttl: Number(data.token_explicit_max_ttl ?? 0),
    token_no_default_policy: data.token_no_default_policy ?? false,
    token_num_uses: Number(data.token_num_uses ?? 0),
    token_period: Number(data.token_period ?? 0),
    token_type: data.token_type ?? 'default',
    token_bound_cidrs: list(data.token_bound_cidrs),
  };
}

/** The spec of a role read back (durations in seconds; every member set). */
export function appRoleRoleSpecFromWire(wire: Readonly<Record<string, unknown>>): Required<AppRoleRoleSpec> {
  const w = appRoleRoleWireFromRead(wire);
  const spec: Record<string, unknown> = {};
  for (const [member, field] of Object.entries(APPROLE_ROLE_WIRE_NAMES)) spec[member] = w[field];
  return spec as unknown as Required<AppRoleRoleSpec>;
}

/**
 * The `vault_approle_auth_backend_role` attributes of a valid spec (besides `backend` and
 * `role_name`): our defaults applied, durations in seconds, empty and zero values left out as the
 * provider leaves them unset (Vault's defaults).
 */
export function appRoleRoleSpecToTerraform(spec: AppRoleRoleSpec): Record<string, unknown> {
  const w = appRoleRoleSpecToWire(spec);
  const out: Record<string, unknown> = {
    bindSecretId: w.bind_secret_id,
    secretIdNumUses: w.secret_id_num_uses,
    secretIdTtl: w.secret_id_ttl,
    tokenTtl: w.token_ttl,
    tokenMaxTtl: w.token_max_ttl,
  };
  for (const member of ['secretIdBoundCidrs', 'tokenPolicies', 'tokenBoundCidrs'] as const) {
    const v = w[APPROLE_ROLE_WIRE_NAMES[member]!] as string[];
    if (v.length > 0) out[member] = v;
  }
  for (const member of ['tokenExplicitMaxTtl', 'tokenNumUses', 'tokenPeriod'] as const) {
    const v = w[APPROLE_ROLE_WIRE_NAMES[member]!];
    if (v !== 0) out[member] = v;
  }
  if (w.token_no_default_policy === true) out.tokenNoDefaultPolicy = true;
  if (w.token_type !== 'default') out.tokenType = w.token_type;
  return out;
}
