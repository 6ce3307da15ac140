// The SSH role model: every field of a Vault SSH role, write-time validation in Vault's order with
// Vault's messages, full-replace semantics (a write rebuilds the role from the request and the
// defaults), and the read shape. Wire/storage use Vault's snake_case; TypeScript uses camelCase;
// `parseRoleWrite` and `roleToWire` are the one mapper between them.

import { toCamelCase } from './case.js';
import { parseCidr } from './cidr.js';
import { RequestError, InternalError, type Issue } from './errors.js';
import { parseFields, type FieldSchema } from './fields.js';
import { parseCommaList, parseIntSlice } from './go-lists.js';
import { planDynamicRoleIssues } from './dynamic-keys.js';
import {
  ALGORITHM_SIGNERS,
  CURRENT_ROLE_FIELD_ROWS,
  ROLE_FIELD_ROWS,
  rowsOf,
  type RoleKind,
  type StoredRole,
} from './role-fields.js';

export { ALGORITHM_SIGNERS, type AlgorithmSigner } from './role-fields.js';

/**
 * A role that signs certificates (`key_type=ca`), every member from core/role-fields.ts (descriptions
 * there). Durations are whole seconds; 0 = the mount's value.
 */
export type CaRole = StoredRole<'ca'>;

/** A one-time-password role (`key_type=otp`), members from core/role-fields.ts. */
export type OtpRole = StoredRole<'otp'>;

/**
 * A role of Vault 1.12's removed dynamic-key mode (`key_type=dynamic`), stored only by a server
 * started with `--legacy-dynamic-keys` (issue 23); members from core/role-fields.ts.
 */
export type DynamicRole = StoredRole<'dynamic'>;

export type Role = CaRole | OtpRole | DynamicRole;

/** The parameters `POST <mount>/roles/:name` knows, with their framework types and descriptions. */
export const ROLE_FIELDS: FieldSchema = Object.fromEntries(
  CURRENT_ROLE_FIELD_ROWS.map(([wire, row]) => [wire, { type: row.type, description: row.description }]),
);

/** ROLE_FIELDS plus the legacy dynamic-key fields: the schema of a `--legacy-dynamic-keys` server. */
export const LEGACY_ROLE_FIELDS: FieldSchema = Object.fromEntries(
  ROLE_FIELD_ROWS.map(([wire, row]) => [wire, { type: row.type, description: row.description }]),
);

/** How a role write is judged (the server's mode and what only storage knows). */
export interface RoleWriteContext {
  /** Accept Vault 1.12's `key_type=dynamic` roles (`sshca serve --legacy-dynamic-keys`). @default false */
  readonly legacyDynamicKeys?: boolean;
  /** Whether `keys/<key>` exists (the server looks it up). @default false */
  readonly keyExists?: boolean;
}

const ROLE_NAME = /^\w(([\w\-.@]+)?\w)?$/;

/** Vault's role-name rule; a name that fails it makes the whole path unmatched (404 unsupported path). */
export const isValidRoleName = (name: string): boolean => ROLE_NAME.test(name);

interface RoleRule {
  readonly field: string;
  readonly status: 400 | 500;
  readonly check: (f: ReadonlyMap<string, unknown>, ctx: RoleWriteContext) => string | undefined;
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
    check: (f, ctx) =>
      keyTypeOf(f) === 'dynamic' && !ctx.legacyDynamicKeys
        ? 'dynamic key type roles are no longer supported'
        : undefined,
  },
  // Vault 1.12's dynamic-key checks, in its order, plus ours (issue 23): core/dynamic-keys.ts.
  {
    field: 'key_type',
    status: 400,
    check: (f, ctx) =>
      keyTypeOf(f) === 'dynamic' && ctx.legacyDynamicKeys
        ? planDynamicRoleIssues(f, ctx.keyExists ?? false)[0]
        : undefined,
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
export function validateRoleWrite(raw: Readonly<Record<string, unknown>>, ctx: RoleWriteContext = {}): Issue[] {
  let fields: ReadonlyMap<string, unknown>;
  try {
    fields = parseFields(ctx.legacyDynamicKeys ? LEGACY_ROLE_FIELDS : ROLE_FIELDS, raw).values;
  } catch (e) {
    return [{ field: 'role', message: (e as Error).message }];
  }
  const issues: Issue[] = [];
  for (const rule of ROLE_RULES) {
    const message = rule.check(fields, ctx);
    if (message !== undefined) issues.push({ field: rule.field, message });
  }
  return issues;
}

/** A stored value, copied so the caller cannot change the role through the read shape. */
const copy = (v: unknown): unknown =>
  v !== null && typeof v === 'object'
    ? Array.isArray(v)
      ? [...(v as unknown[])]
      : Object.fromEntries(Object.entries(v).map(([k, x]) => [k, copy(x)]))
    : v;

/** The stored role from coerced fields: each of the kind's fields as supplied, or Vault's default. */
function buildRole(f: ReadonlyMap<string, unknown>): Role {
  const keyType = keyTypeOf(f);
  const kind: RoleKind = keyType === 'otp' || keyType === 'dynamic' ? keyType : 'ca';
  const role: Record<string, unknown> = { keyType: kind };
  for (const [wire, camel, row] of rowsOf(kind)) {
    role[camel] = f.has(wire) ? (row.store ? row.store(f.get(wire)) : f.get(wire)) : copy(row.vaultDefault);
  }
  return role as unknown as Role;
}

/** A CA role with every field at Vault's default: it allows no certificate at all. */
export const EMPTY_CA_ROLE = buildRole(new Map([['key_type', 'ca']])) as CaRole;

/**
 * Build a role from a write request, as `POST <mount>/roles/:name` does: full replace (omitted fields
 * take their defaults), Vault's checks in Vault's order. Throws the first failure: `RequestError` (400)
 * or, where Vault answers 500, `InternalError`.
 */
export const parseRoleWrite = (raw: Readonly<Record<string, unknown>>): Role =>
  roleFromFields(parseFields(ROLE_FIELDS, raw).values);

/** parseRoleWrite for fields already coerced with ROLE_FIELDS (the server's request fields). */
export function roleFromFields(fields: ReadonlyMap<string, unknown>, ctx: RoleWriteContext = {}): Role {
  for (const rule of ROLE_RULES) {
    const message = rule.check(fields, ctx);
    if (message !== undefined) throw rule.status === 500 ? new InternalError(message) : new RequestError(message);
  }
  return buildRole(fields);
}

/** The role as `GET <mount>/roles/:name` returns it (durations in integer seconds). */
export function roleToWire(role: Role): Record<string, unknown> {
  const stored = role as unknown as Readonly<Record<string, unknown>>;
  const wire: Record<string, unknown> = {};
  for (const [name, row] of ROLE_FIELD_ROWS) {
    if (name === 'key_type') wire.key_type = role.keyType;
    else if ((row.kinds as readonly RoleKind[]).includes(role.keyType)) wire[name] = copy(stored[toCamelCase(name)]);
  }
  return wire;
}
