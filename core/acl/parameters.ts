// Parameter constraints of a path rule checked against a request's data, as Vault's ACL checks them
// (vault/acl.go `AllowOperation` and `valueIn*ParameterList`): required parameters present, no
// denied parameter with a denied value, every parameter allowed with an allowed value.
//
// Values are compared as Vault compares them: the request's decoded JSON against the policy's
// decoded HCL with `reflect.DeepEqual` (type and value), except that a policy string is a glob
// with a leading and/or trailing `*` (strutil.GlobbedStringsMatch) matched against request strings
// only; a request array matches when one policy value equals it whole or when each element matches
// (denied: when any element matches), and a request string is also split as a comma list
// (parseutil.ParseCommaStringSlice, entries trimmed; "" is the empty list) and matched the same way.
// Vault decodes JSON numbers as `json.Number`, a type no policy value has and that is not a Go
// string: a JSON number in a request never equals a listed value, not even `1` against `[1]`. We
// follow that (it is what Vault answers over HTTP; Vault's own unit tests pass Go ints instead).
// Vault's legacy switch VAULT_LEGACY_EXACT_MATCHING_ON_LIST is not supported.

import { goToLower } from './policy-document.js';
import type { ParameterValues, Permissions, PolicyValue } from './permissions.js';

/** Why parameters refuse a request. */
export type ParameterRefusal = 'required-parameter' | 'denied-parameter' | 'allowed-parameters';

/** strutil.GlobbedStringsMatch: `item` may start and/or end with `*`. */
export function globbedStringsMatch(item: string, value: string): boolean {
  if (Buffer.byteLength(item) < 2) return value === item;
  const prefix = item.startsWith('*');
  const suffix = item.endsWith('*');
  if (prefix && suffix) return value.includes(item.slice(1, -1));
  if (prefix) return value.endsWith(item.slice(1));
  if (suffix) return value.startsWith(item.slice(0, -1));
  return value === item;
}

// Go's unicode.IsSpace, what strings.TrimSpace removes.
const GO_SPACE = '[\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]';

/** parseutil.ParseCommaStringSlice of a string: "" is no entries; entries are trimmed, empty ones kept. */
export function parseCommaStringSlice(value: string): string[] {
  if (value === '') return [];
  const trim = new RegExp(`^${GO_SPACE}+|${GO_SPACE}+$`, 'gu');
  return value.split(',').map((e) => e.replace(trim, ''));
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** reflect.DeepEqual of a policy value and a request value decoded from JSON (or a query/form string). */
function deepEqual(el: PolicyValue, v: unknown): boolean {
  switch (el.type) {
    case 'string':
      return typeof v === 'string' && v === el.value;
    case 'bool':
      return typeof v === 'boolean' && v === el.value;
    case 'int':
    case 'float64':
      // A request number is a json.Number: never a Go int or float64.
      return false;
    case '[]interface {}':
      return Array.isArray(v) && v.length === el.value.length && el.value.every((e, i) => deepEqual(e, v[i]));
    case 'map[string]interface {}':
      return isRecord(v) && mapEqual(el.value, v);
    case '[]map[string]interface {}':
      // A request array is a []interface{}: never a []map[string]interface{}.
      return false;
  }
}

function mapEqual(el: ReadonlyMap<string, PolicyValue>, v: Record<string, unknown>): boolean {
  const keys = Object.keys(v);
  if (keys.length !== el.size) return false;
  return keys.every((k) => {
    const e = el.get(k);
    return e !== undefined && deepEqual(e, v[k]);
  });
}

/** valueInParameterList: a policy string globs a request string; anything else is compared with DeepEqual. */
function valueInParameterList(v: unknown, list: readonly PolicyValue[]): boolean {
  // JSON null is Go's nil, which only a nil list entry (HCL cannot write one) would match.
  if (v === null || v === undefined) return false;
  return list.some((el) =>
    el.type === 'string' ? typeof v === 'string' && globbedStringsMatch(el.value, v) : deepEqual(el, v),
  );
}

/** valueInAllowedParameterList: every element of an array or comma list must be allowed. */
function valueInAllowedList(v: unknown, list: readonly PolicyValue[]): boolean {
  if (list.length === 0 || valueInParameterList(v, list)) return true;
  if (Array.isArray(v)) return v.every((e) => valueInParameterList(e, list));
  if (typeof v === 'string') return parseCommaStringSlice(v).every((e) => valueInParameterList(e, list));
  return false;
}

/** valueInDeniedParameterList: one denied element of an array or comma list denies. */
function valueInDeniedList(v: unknown, list: readonly PolicyValue[]): boolean {
  if (list.length === 0 || valueInParameterList(v, list)) return true;
  if (Array.isArray(v)) return v.some((e) => valueInParameterList(e, list));
  if (typeof v === 'string') return parseCommaStringSlice(v).some((e) => valueInParameterList(e, list));
  return false;
}

const get = (m: ParameterValues, key: string) => m.get(goToLower(key));

/**
 * Check a request's parameters against the winning rule's constraints in Vault's order: required
 * parameters (named in lower case, looked up exactly), then, when there is any data, `"*"` in
 * denied parameters refuses everything, then each denied parameter (names compared lower-cased),
 * then allowed parameters (none, or only `"*"`: anything; otherwise each parameter must be listed,
 * or `"*"` listed, and a listed one must have an allowed value). Returns why it refuses, or
 * undefined when the parameters pass.
 */
export function checkParameters(
  permissions: Permissions,
  data: Readonly<Record<string, unknown>>,
): ParameterRefusal | undefined {
  for (const required of permissions.requiredParameters) {
    if (!Object.hasOwn(data, goToLower(required))) return 'required-parameter';
  }
  const entries = Object.entries(data);
  if (entries.length === 0) return undefined;

  const denied = permissions.deniedParameters;
  if (denied && denied.size > 0) {
    if (denied.has('*')) return 'denied-parameter';
    for (const [name, value] of entries) {
      const list = get(denied, name);
      if (list && valueInDeniedList(value, list)) return 'denied-parameter';
    }
  }

  const allowed = permissions.allowedParameters;
  if (!allowed || allowed.size === 0) return undefined;
  const allowedAll = allowed.has('*');
  if (allowed.size === 1 && allowedAll) return undefined;
  for (const [name, value] of entries) {
    const list = get(allowed, name);
    if (!list && !allowedAll) return 'allowed-parameters';
    if (list && !valueInAllowedList(value, list)) return 'allowed-parameters';
  }
  return undefined;
}
