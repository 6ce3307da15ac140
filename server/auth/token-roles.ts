// Token roles (`auth/token/roles/:role_name`, Vault's tsRoleEntry in vault/token_store.go): the
// policies tokens created against a role may or may not get, whether they are orphans, periodic or
// renewable, their explicit max TTL, path suffix, bound CIDRs, use limit and type. Stored in the
// system storage under `core/token-roles/`. Messages and read shape are Vault's.

import { RequestError } from '../../core/errors.js';
import { pathSuffixRefusal, TOKEN_ROLE_FIELDS } from '../../core/token-role-spec.js';
import type { LogicalRequest, PathSpec } from '../framework.js';
import { getJson, putJson, type Storage } from '../storage/storage.js';
import { rolePaths } from './role-paths.js';
import { SYSTEM_MAX_TOKEN_TTL } from './token-store.js';

/** A stored token role, in Vault's field names. */
export interface TokenRole {
  readonly name: string;
  readonly allowed_policies: string[];
  readonly disallowed_policies: string[];
  readonly allowed_policies_glob: string[];
  readonly disallowed_policies_glob: string[];
  readonly orphan: boolean;
  readonly path_suffix: string;
  readonly renewable: boolean;
  /** Set only through the deprecated `period`; `token_period` is the one in force. */
  readonly period: number;
  readonly token_period: number;
  /** Set only through the deprecated `explicit_max_ttl`. */
  readonly explicit_max_ttl: number;
  readonly token_explicit_max_ttl: number;
  /** Set only through the deprecated `bound_cidrs`. */
  readonly bound_cidrs: string[];
  readonly token_bound_cidrs: string[];
  readonly token_no_default_policy: boolean;
  readonly token_num_uses: number;
  /** `default-service`, `service`, `batch` or `default-batch`. */
  readonly token_type: string;
  readonly allowed_entity_aliases: string[] | null;
}

/** The role name as Vault's GenericNameRegex takes it. */

const ROLES = 'core/token-roles/';

/** A stored role, with the deprecated fields folded into the token_* ones as Vault reads it. */
export async function readTokenRole(storage: Storage, name: string): Promise<TokenRole | undefined> {
  const role = await getJson<TokenRole>(storage, ROLES + name);
  if (!role) return undefined;
  return {
    ...role,
    token_period: role.token_period || role.period,
    token_explicit_max_ttl: role.token_explicit_max_ttl || role.explicit_max_ttl,
    token_bound_cidrs: role.token_bound_cidrs.length > 0 ? role.token_bound_cidrs : role.bound_cidrs,
  };
}

/** Trimmed, lowercased, unique, sorted; `default` added when asked unless `root` is there (policyutil.SanitizePolicies). */
export function sanitizePolicies(policies: readonly string[], addDefault: boolean): string[] {
  const out = policies.map((p) => p.trim().toLowerCase()).filter((p) => p !== '');
  if (addDefault && !out.includes('root')) out.push('default');
  return [...new Set(out)].sort();
}

/** Lowercased, unique, sorted (strutil.RemoveDuplicates with lowercase). */
const removeDuplicates = (items: readonly string[]): string[] =>
  [...new Set(items.map((p) => p.trim().toLowerCase()).filter((p) => p !== ''))].sort();

/** Whether `value` matches one of the glob patterns (`*` matches anything, as go-glob). */
export function matchesGlob(patterns: readonly string[], value: string): boolean {
  return patterns.some((p) =>
    new RegExp(
      `^${p
        .split('*')
        .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
        .join('.*')}$`,
    ).test(value),
  );
}

/** Go's `%q` of a string slice: `["a" "b"]`. */
export const goQuoteList = (items: readonly string[]): string => `[${items.map((i) => JSON.stringify(i)).join(' ')}]`;

async function writeRole(req: LogicalRequest) {
  const name = req.captures.role_name!;
  const existing = await readStoredRole(req.storage, name);
  const f = req.fields;
  const has = (k: string) => f.has(k);
  const get = <T>(k: string) => f.get(k) as T;
  const warnings: string[] = [];
  const role: Record<string, unknown> = {
    name,
    allowed_policies: [],
    disallowed_policies: [],
    allowed_policies_glob: [],
    disallowed_policies_glob: [],
    orphan: false,
    path_suffix: '',
    renewable: true,
    period: 0,
    token_period: 0,
    explicit_max_ttl: 0,
    token_explicit_max_ttl: 0,
    bound_cidrs: [],
    token_bound_cidrs: [],
    token_no_default_policy: false,
    token_num_uses: 0,
    token_type: 'default-service',
    allowed_entity_aliases: null,
    ...existing,
  };
  if (has('orphan')) role.orphan = get<boolean>('orphan');
  if (has('renewable')) role.renewable = get<boolean>('renewable');
  if (has('path_suffix')) role.path_suffix = get<string>('path_suffix');
  const suffixRefusal = pathSuffixRefusal(role.path_suffix as string);
  if (suffixRefusal !== undefined) throw new RequestError(suffixRefusal);
  if (has('allowed_policies')) role.allowed_policies = sanitizePolicies(get<string[]>('allowed_policies'), false);
  if (has('disallowed_policies')) role.disallowed_policies = removeDuplicates(get<string[]>('disallowed_policies'));
  if (has('allowed_policies_glob')) {
    role.allowed_policies_glob = sanitizePolicies(get<string[]>('allowed_policies_glob'), false);
  }
  if (has('disallowed_policies_glob')) {
    role.disallowed_policies_glob = removeDuplicates(get<string[]>('disallowed_policies_glob'));
  }
  if (has('token_type')) {
    const type = get<string>('token_type');
    if (!['service', 'batch', 'default-service', 'default-batch'].includes(type)) {
      throw new RequestError(`invalid 'token_type' value ${JSON.stringify(type)}`);
    }
    role.token_type = type;
  }
  if (has('token_no_default_policy')) role.token_no_default_policy = get<boolean>('token_no_default_policy');
  if (has('token_num_uses')) {
    const uses = get<number>('token_num_uses');
    if (uses < 0) throw new RequestError("error parsing role fields: 'token_num_uses' cannot be negative");
    role.token_num_uses = uses;
  }
  // Vault's backwards compatibility: the token_* field wins, and the deprecated one is kept only
  // when it alone was given (so a read shows what was written).
  const legacy = (field: string, old: string) => {
    if (has(field)) {
      role[field] = get(field);
      if (has(old)) {
        warnings.push(`Both '${field}' and deprecated '${old}' value supplied, ignoring the deprecated value`);
      }
      role[old] = Array.isArray(role[old]) ? [] : 0;
    } else if (has(old)) {
      role[old] = get(old);
      role[field] = get(old);
    }
  };
  legacy('token_period', 'period');
  legacy('token_bound_cidrs', 'bound_cidrs');
  legacy('token_explicit_max_ttl', 'explicit_max_ttl');
  const finalExplicitMaxTtl = (role.token_explicit_max_ttl as number) || (role.explicit_max_ttl as number);
  if (finalExplicitMaxTtl > SYSTEM_MAX_TOKEN_TTL) {
    warnings.push(
      `Given explicit max TTL of ${finalExplicitMaxTtl} is greater than system/mount allowed value of ${SYSTEM_MAX_TOKEN_TTL} seconds; until this is fixed attempting to create tokens against this role will result in an error`,
    );
  }
  if (role.token_type === 'batch') {
    if (!role.orphan) {
      throw new RequestError("'token_type' cannot be 'batch' when role is set to generate non-orphan tokens");
    }
    if (role.token_period || role.period) {
      throw new RequestError("'token_type' cannot be 'batch' when role is set to generate periodic tokens");
    }
    if (role.renewable) {
      throw new RequestError("'token_type' cannot be 'batch' when role is set to generate renewable tokens");
    }
    if (finalExplicitMaxTtl) {
      throw new RequestError(
        "'token_type' cannot be 'batch' when role is set to generate tokens with an explicit max TTL",
      );
    }
  }
  if (has('allowed_entity_aliases'))
    role.allowed_entity_aliases = removeDuplicates(get<string[]>('allowed_entity_aliases'));
  await putJson(req.storage, ROLES + name, role);
  return warnings.length > 0 ? { data: null, warnings } : undefined;
}

/** The stored role as written (deprecated fields not folded). */
const readStoredRole = (storage: Storage, name: string) => getJson<TokenRole>(storage, ROLES + name);

/** Vault's read shape (tokenStoreRoleRead). */
function roleData(role: TokenRole): Record<string, unknown> {
  return {
    allowed_entity_aliases: role.allowed_entity_aliases,
    allowed_policies: role.allowed_policies,
    allowed_policies_glob: role.allowed_policies_glob,
    disallowed_policies: role.disallowed_policies,
    disallowed_policies_glob: role.disallowed_policies_glob,
    explicit_max_ttl: role.explicit_max_ttl,
    name: role.name,
    orphan: role.orphan,
    path_suffix: role.path_suffix,
    period: role.period,
    renewable: role.renewable,
    token_explicit_max_ttl: role.token_explicit_max_ttl,
    token_no_default_policy: role.token_no_default_policy,
    token_period: role.token_period,
    token_type: role.token_type,
    ...(role.token_bound_cidrs.length > 0 ? { token_bound_cidrs: role.token_bound_cidrs } : {}),
    ...(role.bound_cidrs.length > 0 ? { bound_cidrs: role.bound_cidrs } : {}),
    ...(role.token_num_uses > 0 ? { token_num_uses: role.token_num_uses } : {}),
  };
}

/** `roles/` (list) and `roles/:role_name` (read, create, update, delete). */
export const TOKEN_ROLE_PATHS: readonly PathSpec[] = rolePaths({
  prefix: 'roles',
  storagePrefix: ROLES,
  fields: TOKEN_ROLE_FIELDS,
  read: readTokenRole,
  toWire: roleData,
  write: writeRole,
  async delete(req) {
    await req.storage.delete(ROLES + req.captures.role_name!);
    return undefined;
  },
});
