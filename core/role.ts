// The SSH role model: every field of a Vault SSH role, write-time validation in Vault's order with
// Vault's messages, full-replace semantics (a write rebuilds the role from the request and the
// defaults), and the read shape. Wire/storage use Vault's snake_case; TypeScript uses camelCase;
// `parseRoleWrite` and `roleToWire` are the one mapper between them.

import { parseCidr } from './cidr.js';
import { RequestError, InternalError, type Issue } from './errors.js';
import { parseFields, toStringMap, type FieldSchema } from './fields.js';

/** `algorithm_signer` values Vault accepts. `default` = rsa-sha2-256 on RSA CAs, the key's own algorithm otherwise. */
export const ALGORITHM_SIGNERS = ['default', 'ssh-rsa', 'rsa-sha2-256', 'rsa-sha2-512'] as const;
export type AlgorithmSigner = (typeof ALGORITHM_SIGNERS)[number];

/** A role that signs certificates (`key_type=ca`). Durations are whole seconds; 0 = the mount's value. */
export interface CaRole {
  readonly keyType: 'ca';
  /** Comma list of user principals; `""` = none allowed, `*` = any. */
  readonly allowedUsers: string;
  readonly allowedUsersTemplate: boolean;
  /** Comma list of host principal domains; `*` = any. */
  readonly allowedDomains: string;
  readonly allowedDomainsTemplate: boolean;
  /** Principal used for user certificates when the request names none. */
  readonly defaultUser: string;
  readonly defaultUserTemplate: boolean;
  readonly ttl: number;
  readonly maxTtl: number;
  /** Comma list; `""` = any critical option may be requested. */
  readonly allowedCriticalOptions: string;
  /** Comma list; `""` = no extension may be requested, `*` = any. */
  readonly allowedExtensions: string;
  readonly allowUserCertificates: boolean;
  readonly allowHostCertificates: boolean;
  readonly allowBareDomains: boolean;
  readonly allowSubdomains: boolean;
  readonly allowUserKeyIds: boolean;
  /** Template for the key id; `""` = `vault-{{token_display_name}}-{{public_key_hash}}`. */
  readonly keyIdFormat: string;
  readonly defaultCriticalOptions: Readonly<Record<string, string>>;
  /** Empty by default: certificates then carry no `permit-pty`. */
  readonly defaultExtensions: Readonly<Record<string, string>>;
  readonly defaultExtensionsTemplate: boolean;
  /** Key type name → exact allowed sizes; empty = no restriction at all. */
  readonly allowedUserKeyLengths: Readonly<Record<string, readonly number[]>>;
  readonly algorithmSigner: AlgorithmSigner;
  /** Seconds ValidAfter is backdated for clock skew. */
  readonly notBeforeDuration: number;
  /** Off by default: a certificate with no principals is valid for anyone (CVE-2024-7594). */
  readonly allowEmptyPrincipals: boolean;
}

/** A one-time-password role (`key_type=otp`). */
export interface OtpRole {
  readonly keyType: 'otp';
  readonly defaultUser: string;
  readonly allowedUsers: string;
  readonly cidrList: string;
  readonly excludeCidrList: string;
  readonly port: number;
}

export type Role = CaRole | OtpRole;

/** The parameters `POST <mount>/roles/:name` knows, with their framework types. */
export const ROLE_FIELDS: FieldSchema = {
  key_type: 'string',
  default_user: 'string',
  default_user_template: 'bool',
  allowed_users: 'string',
  allowed_users_template: 'bool',
  allowed_domains: 'string',
  allowed_domains_template: 'bool',
  cidr_list: 'string',
  exclude_cidr_list: 'string',
  port: 'int',
  ttl: 'duration',
  max_ttl: 'duration',
  allowed_critical_options: 'string',
  allowed_extensions: 'string',
  default_critical_options: 'map',
  default_extensions: 'map',
  default_extensions_template: 'bool',
  allow_user_certificates: 'bool',
  allow_host_certificates: 'bool',
  allow_bare_domains: 'bool',
  allow_subdomains: 'bool',
  allow_user_key_ids: 'bool',
  key_id_format: 'string',
  allowed_user_key_lengths: 'map',
  algorithm_signer: 'string',
  not_before_duration: 'duration',
  allow_empty_principals: 'bool',
};

const ROLE_NAME = /^\w(([\w\-.@]+)?\w)?$/;

/** Vault's role-name rule; a name that fails it makes the whole path unmatched (404 unsupported path). */
export const isValidRoleName = (name: string): boolean => ROLE_NAME.test(name);

/**
 * Go's `sort.Strings` order: UTF-8 bytes, i.e. code points. JavaScript's default sort compares UTF-16
 * units, which puts characters above U+FFFF (surrogates D800–DFFF) before U+E000–U+FFFF.
 */
export function compareGoStrings(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) {
      x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
      y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
    }
    return x - y;
  }
  return a.length - b.length;
}

/** Vault's `strutil.ParseDedupAndSortStrings(s, ",")`: split, trim, drop empties, de-duplicate, sort (Go byte order). */
export function parseCommaList(s: string): string[] {
  return [
    ...new Set(
      s
        .split(',')
        .map((x) => x.trim())
        .filter((x) => x !== ''),
    ),
  ].sort(compareGoStrings);
}

/** Go's `%v` of a string slice. */
export const formatGoList = (items: readonly string[]): string => `[${items.join(' ')}]`;

/** `parseutil.SafeParseIntSlice` as the role write uses it for `allowed_user_key_lengths` values. */
function parseIntSlice(v: unknown): number[] {
  const parseInt64 = (x: unknown): number => {
    if (typeof x === 'number' && Number.isInteger(x)) return x;
    if (typeof x === 'string') {
      if (x === '') return 0;
      if (/^[+-]?[0-9]+$/.test(x)) return Number(x);
      throw new Error(`strconv.ParseInt: parsing ${JSON.stringify(x)}: invalid syntax`);
    }
    throw new Error('could not parse value from input');
  };
  if ((typeof v === 'number' && Number.isInteger(v)) || (typeof v === 'string' && !v.includes(','))) {
    return [parseInt64(v)];
  }
  const items = typeof v === 'string' ? v.split(',') : Array.isArray(v) ? v : undefined;
  if (!items) throw new Error('could not parse value from input');
  return items
    .map((x) => (typeof x === 'string' ? x.trim() : typeof x === 'number' ? String(x) : x))
    .filter((x) => x !== '')
    .map(parseInt64);
}

interface RoleRule {
  readonly field: string;
  readonly status: 400 | 500;
  readonly check: (f: ReadonlyMap<string, unknown>) => string | undefined;
}

const str = (f: ReadonlyMap<string, unknown>, k: string): string => (f.get(k) as string | undefined) ?? '';
const bool = (f: ReadonlyMap<string, unknown>, k: string): boolean => (f.get(k) as boolean | undefined) ?? false;
const num = (f: ReadonlyMap<string, unknown>, k: string): number => (f.get(k) as number | undefined) ?? 0;
const keyTypeOf = (f: ReadonlyMap<string, unknown>): string => str(f, 'key_type').toLowerCase();

function cidrRule(field: 'cidr_list' | 'exclude_cidr_list', prefix: string): RoleRule {
  return {
    field,
    status: 500,
    check: (f) => {
      const bad = parseCommaList(str(f, field)).find((c) => parseCidr(c) === undefined);
      return bad === undefined ? undefined : `${prefix}: invalid CIDR address: ${bad}`;
    },
  };
}

/** Write-time rules in the order Vault checks them; each applies only when the earlier ones pass. */
const ROLE_RULES: readonly RoleRule[] = [
  cidrRule('cidr_list', 'failed to validate cidr_list'),
  cidrRule('exclude_cidr_list', 'failed to validate exclude_cidr_list entry'),
  { field: 'key_type', status: 400, check: (f) => (keyTypeOf(f) === '' ? 'missing key type' : undefined) },
  {
    field: 'default_user',
    status: 400,
    check: (f) => (keyTypeOf(f) === 'otp' && str(f, 'default_user') === '' ? 'missing default user' : undefined),
  },
  {
    field: 'key_type',
    status: 400,
    check: (f) => (keyTypeOf(f) === 'dynamic' ? 'dynamic key type roles are no longer supported' : undefined),
  },
  {
    field: 'algorithm_signer',
    status: 500,
    check: (f) => {
      const v = str(f, 'algorithm_signer');
      return keyTypeOf(f) === 'ca' && v !== '' && !(ALGORITHM_SIGNERS as readonly string[]).includes(v)
        ? `unknown algorithm signer ${JSON.stringify(v)}`
        : undefined;
    },
  },
  {
    field: 'allow_user_certificates',
    status: 400,
    check: (f) =>
      keyTypeOf(f) === 'ca' && !bool(f, 'allow_user_certificates') && !bool(f, 'allow_host_certificates')
        ? "Either 'allow_user_certificates' or 'allow_host_certificates' must be set to 'true'"
        : undefined,
  },
  {
    field: 'allowed_user_key_lengths',
    status: 400,
    check: (f) => {
      if (keyTypeOf(f) !== 'ca') return undefined;
      const lengths = (f.get('allowed_user_key_lengths') as Record<string, unknown> | undefined) ?? {};
      for (const k of Object.keys(lengths).sort()) {
        try {
          parseIntSlice(lengths[k]);
        } catch (e) {
          return `error processing allowed_user_key_lengths: ${(e as Error).message}`;
        }
      }
      return undefined;
    },
  },
  {
    field: 'ttl',
    status: 400,
    check: (f) =>
      keyTypeOf(f) === 'ca' && num(f, 'ttl') !== 0 && num(f, 'max_ttl') !== 0 && num(f, 'ttl') > num(f, 'max_ttl')
        ? '"ttl" value must be less than "max_ttl" when both are specified'
        : undefined,
  },
  {
    field: 'key_type',
    status: 400,
    check: (f) => (['ca', 'otp', '', 'dynamic'].includes(keyTypeOf(f)) ? undefined : 'invalid key type'),
  },
];

/** Every write-time problem of a role request (all of them, for surfaces that show a list). */
export function validateRoleWrite(raw: Readonly<Record<string, unknown>>): Issue[] {
  let fields: ReadonlyMap<string, unknown>;
  try {
    fields = parseFields(ROLE_FIELDS, raw).values;
  } catch (e) {
    return [{ field: 'role', message: (e as Error).message }];
  }
  const issues: Issue[] = [];
  for (const rule of ROLE_RULES) {
    const message = rule.check(fields);
    if (message !== undefined) issues.push({ field: rule.field, message });
  }
  return issues;
}

function buildRole(f: ReadonlyMap<string, unknown>): Role {
  if (keyTypeOf(f) === 'otp') {
    return {
      keyType: 'otp',
      defaultUser: str(f, 'default_user'),
      allowedUsers: str(f, 'allowed_users'),
      cidrList: str(f, 'cidr_list'),
      excludeCidrList: str(f, 'exclude_cidr_list'),
      port: num(f, 'port') === 0 ? 22 : num(f, 'port'),
    };
  }
  const lengths = (f.get('allowed_user_key_lengths') as Record<string, unknown> | undefined) ?? {};
  return {
    keyType: 'ca',
    allowedUsers: str(f, 'allowed_users'),
    allowedUsersTemplate: bool(f, 'allowed_users_template'),
    allowedDomains: str(f, 'allowed_domains'),
    allowedDomainsTemplate: bool(f, 'allowed_domains_template'),
    defaultUser: str(f, 'default_user'),
    defaultUserTemplate: bool(f, 'default_user_template'),
    ttl: num(f, 'ttl'),
    maxTtl: num(f, 'max_ttl'),
    allowedCriticalOptions: str(f, 'allowed_critical_options'),
    allowedExtensions: str(f, 'allowed_extensions'),
    allowUserCertificates: bool(f, 'allow_user_certificates'),
    allowHostCertificates: bool(f, 'allow_host_certificates'),
    allowBareDomains: bool(f, 'allow_bare_domains'),
    allowSubdomains: bool(f, 'allow_subdomains'),
    allowUserKeyIds: bool(f, 'allow_user_key_ids'),
    keyIdFormat: str(f, 'key_id_format'),
    defaultCriticalOptions: toStringMap((f.get('default_critical_options') as Record<string, unknown>) ?? {}),
    defaultExtensions: toStringMap((f.get('default_extensions') as Record<string, unknown>) ?? {}),
    defaultExtensionsTemplate: bool(f, 'default_extensions_template'),
    allowedUserKeyLengths: Object.fromEntries(Object.entries(lengths).map(([k, v]) => [k, parseIntSlice(v)])),
    algorithmSigner: (str(f, 'algorithm_signer') || 'default') as AlgorithmSigner,
    notBeforeDuration: f.has('not_before_duration') ? num(f, 'not_before_duration') : 30,
    allowEmptyPrincipals: bool(f, 'allow_empty_principals'),
  };
}

/**
 * Build a role from a write request, as `POST <mount>/roles/:name` does: full replace (omitted fields
 * take their defaults), Vault's checks in Vault's order. Throws the first failure: `RequestError` (400)
 * or, where Vault answers 500, `InternalError`.
 */
export function parseRoleWrite(raw: Readonly<Record<string, unknown>>): Role {
  const fields = parseFields(ROLE_FIELDS, raw).values;
  for (const rule of ROLE_RULES) {
    const message = rule.check(fields);
    if (message !== undefined) throw rule.status === 500 ? new InternalError(message) : new RequestError(message);
  }
  return buildRole(fields);
}

/** The role as `GET <mount>/roles/:name` returns it (durations in integer seconds). */
export function roleToWire(role: Role): Record<string, unknown> {
  if (role.keyType === 'otp') {
    return {
      default_user: role.defaultUser,
      cidr_list: role.cidrList,
      exclude_cidr_list: role.excludeCidrList,
      key_type: 'otp',
      port: role.port,
      allowed_users: role.allowedUsers,
    };
  }
  return {
    allowed_users: role.allowedUsers,
    allowed_users_template: role.allowedUsersTemplate,
    allowed_domains: role.allowedDomains,
    allowed_domains_template: role.allowedDomainsTemplate,
    default_user: role.defaultUser,
    default_user_template: role.defaultUserTemplate,
    ttl: role.ttl,
    max_ttl: role.maxTtl,
    allowed_critical_options: role.allowedCriticalOptions,
    allowed_extensions: role.allowedExtensions,
    allow_user_certificates: role.allowUserCertificates,
    allow_host_certificates: role.allowHostCertificates,
    allow_bare_domains: role.allowBareDomains,
    allow_subdomains: role.allowSubdomains,
    allow_user_key_ids: role.allowUserKeyIds,
    key_id_format: role.keyIdFormat,
    key_type: 'ca',
    default_critical_options: { ...role.defaultCriticalOptions },
    default_extensions: { ...role.defaultExtensions },
    default_extensions_template: role.defaultExtensionsTemplate,
    allowed_user_key_lengths: Object.fromEntries(
      Object.entries(role.allowedUserKeyLengths).map(([k, v]) => [k, [...v]]),
    ),
    algorithm_signer: role.algorithmSigner,
    not_before_duration: role.notBeforeDuration,
    allow_empty_principals: role.allowEmptyPrincipals,
  };
}
