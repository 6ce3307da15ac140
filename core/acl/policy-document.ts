// Vault ACL policy documents (HCL, JSON, or either base64-encoded), parsed and validated as Vault
// 1.21 does (vault/policy.go on hashicorp/hcl v1): `path "<pattern>" { capabilities = [...] }`
// blocks, the old `policy = "read"` shorthand, `name`, and every other path key Vault knows
// (parameter constraints, wrapping TTLs, MFA methods, control groups, event types) checked the
// same way. Parameter constraints and wrapping TTLs are kept on the rule (Vault's `Permissions`) and
// enforced by the ACL; MFA methods, control groups and event types are checked only. Errors are
// RequestErrors with Vault's texts, e.g. `failed to parse policy: path "x": invalid capability "foo"`.

import { parseGoDuration } from '../duration.js';
import { RequestError } from '../errors.js';
import {
  GoFailure,
  GoPanic,
  decodeRune,
  fromByteString,
  goParseInt,
  goQuote,
  isGoError,
  isGoFailure,
  toByteString,
} from './hcl/go-text.js';
import { typeName, type Node } from './hcl/ast.js';
import {
  INT,
  INTERFACE,
  STRING,
  decodeObject,
  filter,
  keyValue,
  mapOf,
  ptrTo,
  sliceOf,
  struct,
  type Dynamic,
  type GoValue,
} from './hcl/decode.js';
import { parseHclJson } from './hcl/json.js';
import { parseHcl } from './hcl/parser.js';
import { plainPermissions, type ParameterValues, type Permissions, type PolicyValue } from './permissions.js';

/** Vault's capabilities (`recover` is Vault 1.20's, for snapshot recovery). */
export const CAPABILITIES = [
  'create',
  'read',
  'update',
  'patch',
  'delete',
  'list',
  'sudo',
  'deny',
  'subscribe',
  'recover',
] as const;
export type Capability = (typeof CAPABILITIES)[number];

/**
 * One `path` block: its pattern and what it grants (Vault's `Permissions`: capabilities, exactly
 * `deny` when it denies, empty when it names none; parameter constraints; wrapping TTL bounds).
 */
export interface PathRule extends Permissions {
  /**
   * The pattern as written without its leading `/`: an exact path, a prefix ending in `*`, or one
   * with `+` segments (`ssh/+/dev`, `ssh/+/sign/*`).
   */
  readonly pattern: string;
}

/** A parsed policy. */
export interface Policy {
  readonly name: string;
  /** The policy text Vault stores and `sys/policies/acl/:name` returns: base64 already decoded. */
  readonly raw: string;
  /** The path blocks in document order (the same pattern may appear more than once). */
  readonly rules: readonly PathRule[];
  /** Whether a pattern uses identity templating (`{{identity.entity.id}}`); such patterns stay literal here. */
  readonly templated: boolean;
}

export interface ParsePolicyOptions {
  /**
   * Decode text that is valid base64 first, as `POST sys/policies/acl/:name` does.
   * @default true - pass false for text already stored (Vault stores the decoded text)
   */
  readonly base64?: boolean;
}

const SHORTHAND: Readonly<Record<string, readonly string[]>> = {
  read: ['read', 'list'],
  write: ['create', 'read', 'update', 'delete', 'list'],
  sudo: ['create', 'read', 'update', 'delete', 'list', 'sudo'],
};

const PATH_KEYS = [
  'comment',
  'policy',
  'capabilities',
  'allowed_parameters',
  'denied_parameters',
  'required_parameters',
  'min_wrapping_ttl',
  'max_wrapping_ttl',
  'mfa_methods',
  'control_group',
  'subscribe_event_types',
];

// The Go structs Vault decodes into, in field order (which decides which decode error comes first).
const POLICY = struct({ name: 'Name', tag: 'name', type: STRING });
const IDENTITY_FACTOR = struct(
  { name: 'GroupIDs', tag: 'group_ids', type: sliceOf(STRING) },
  { name: 'GroupNames', tag: 'group_names', type: sliceOf(STRING) },
  { name: 'ApprovalsRequired', tag: 'approvals', type: INT },
);
const CONTROL_GROUP_FACTOR = struct(
  { name: 'Name', type: STRING },
  { name: 'Identity', tag: 'identity', type: ptrTo(IDENTITY_FACTOR) },
  { name: 'ControlledCapabilities', tag: 'controlled_capabilities', type: sliceOf(STRING) },
);
const CONTROL_GROUP = struct(
  { name: 'TTL', tag: 'ttl', type: INTERFACE },
  { name: 'Factors', tag: 'factor', type: mapOf(ptrTo(CONTROL_GROUP_FACTOR)) },
);
const PATH_RULES = struct(
  { name: 'Policy', type: STRING },
  { name: 'Capabilities', type: sliceOf(STRING) },
  { name: 'MinWrappingTTL', tag: 'min_wrapping_ttl', type: INTERFACE },
  { name: 'MaxWrappingTTL', tag: 'max_wrapping_ttl', type: INTERFACE },
  { name: 'AllowedParameters', tag: 'allowed_parameters', type: mapOf(sliceOf(INTERFACE)) },
  { name: 'DeniedParameters', tag: 'denied_parameters', type: mapOf(sliceOf(INTERFACE)) },
  { name: 'RequiredParameters', tag: 'required_parameters', type: sliceOf(STRING) },
  { name: 'MFAMethods', tag: 'mfa_methods', type: sliceOf(STRING) },
  { name: 'ControlGroup', tag: 'control_group', type: ptrTo(CONTROL_GROUP) },
  { name: 'SubscribeEventTypes', tag: 'subscribe_event_types', type: sliceOf(STRING) },
);

type Fields = { readonly [field: string]: GoValue };

/** go-multierror's list format. */
const multiError = (errs: readonly string[]): string =>
  errs.length === 1
    ? `1 error occurred:\n\t* ${errs[0]}\n\n`
    : `${errs.length} errors occurred:\n\t${errs.map((e) => `* ${e}`).join('\n\t')}\n\n`;

/** Vault's `hclutil.CheckHCLKeys`: every unknown key, or an error for a value that is not an object. */
function unknownKeys(node: Node, valid: readonly string[]): string[] {
  const list = node.kind === 'list' ? node : node.kind === 'object' ? node.list : undefined;
  if (!list) throw new GoFailure(`cannot check HCL keys of type ${typeName(node)}`);
  const errs: string[] = [];
  for (const item of list.items) {
    if (item.keys.length === 0) throw new GoPanic('runtime error: index out of range [0] with length 0');
    const key = keyValue(item.keys[0]!.token);
    if (!valid.includes(key)) errs.push(`invalid key ${goQuote(key)} on line ${item.assign.line}`);
  }
  return errs;
}

/** identitytpl's validity check: whether `{{…}}` is used; unbalanced braces are an error. */
function isTemplated(key: string): boolean {
  if (key === '') return false;
  const pieces = key.split('{{');
  const unbalanced = () => new GoFailure('failed to validate policy templating: unbalanced templating characters');
  if (pieces[0]!.includes('}}')) throw unbalanced();
  for (const piece of pieces.slice(1)) if (piece.split('}}').length !== 2) throw unbalanced();
  return pieces.length > 1;
}

const NANOS = 1_000_000_000n;
const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;

/** go-secure-stdlib's `overflowMul` for durations. */
function overflowMul(a: bigint, b: bigint): bigint {
  const x = a * b;
  if (x < INT64_MIN || x > INT64_MAX) {
    throw new GoFailure('multiplication of durations resulted in overflow, one operand may be too large');
  }
  return x;
}

/** go-secure-stdlib's `ParseDurationSecond` of a decoded `interface{}`, in nanoseconds. */
function durationNanos(v: Dynamic): bigint {
  switch (v.type) {
    case 'string': {
      const s = v.value as string;
      if (s === '') return 0n;
      let seconds: bigint | undefined;
      try {
        seconds = goParseInt(s, 10);
      } catch {
        // not an integer: days or a Go duration
      }
      if (seconds !== undefined) return overflowMul(seconds, NANOS);
      if (s.endsWith('d')) return overflowMul(goParseInt(s.slice(0, -1), 10), 86_400n * NANOS);
      try {
        return parseGoDuration(fromByteString(s));
      } catch (e) {
        throw new GoFailure(toByteString((e as Error).message));
      }
    }
    case 'int':
      return overflowMul(v.value as bigint, NANOS);
    case 'float64': {
      const f = v.value as number;
      // Go converts out-of-range floats to the minimum int64 on amd64.
      const whole = Math.abs(f) >= 2 ** 63 ? INT64_MIN : BigInt(Math.trunc(f));
      return overflowMul(whole, NANOS);
    }
    default:
      throw new GoFailure('could not parse duration from input');
  }
}

function wrappingTtl(value: GoValue, what: string): bigint {
  try {
    return durationNanos(value as Dynamic);
  } catch (e) {
    if (!isGoError(e)) throw e;
    throw new GoFailure(`${what}: ${e.message}`);
  }
}

/** Vault's checks of a `control_group` block. */
function checkControlGroup(cg: Fields, capabilities: readonly string[]): void {
  if (cg['TTL'] !== undefined) wrappingTtl(cg['TTL'], 'error parsing control group max ttl');
  let factors = 0;
  const byName = cg['Factors'] as Map<string, GoValue> | undefined;
  for (const factor of byName?.values() ?? []) {
    const identity = (factor as Fields | undefined)?.['Identity'] as Fields | undefined;
    if (identity === undefined) throw new GoFailure('no control_group factor provided');
    const approvals = (identity['ApprovalsRequired'] as bigint | undefined) ?? 0n;
    const ids = (identity['GroupIDs'] as string[] | undefined) ?? [];
    const names = (identity['GroupNames'] as string[] | undefined) ?? [];
    if (approvals <= 0n || (ids.length === 0 && names.length === 0)) {
      throw new GoFailure('must provide more than one identity group and approvals > 0');
    }
    const controlled = ((factor as Fields)['ControlledCapabilities'] as string[] | undefined) ?? [];
    if (controlled.some((c) => !capabilities.includes(c))) {
      throw new GoFailure("control group factor capabilities must be a subset of the policy's capabilities");
    }
    factors++;
  }
  if (factors === 0) throw new GoFailure('no control group factors provided');
}

/** One `path` block, checked in Vault's order; `key` is the pattern as written. */
function parsePath(key: string, body: Node): PathRule {
  const prefix = `path ${goQuote(key)}:`;
  let errs: string[];
  try {
    errs = unknownKeys(body, PATH_KEYS);
  } catch (e) {
    if (isGoError(e)) throw new GoFailure(`${prefix} ${e.message}`);
    throw e;
  }
  if (errs.length > 0) throw new GoFailure(multiError(errs.map((e) => `${prefix} ${e}`)));
  let pc: Fields;
  try {
    pc = decodeObject(body, PATH_RULES);
  } catch (e) {
    if (isGoError(e)) throw new GoFailure(`${prefix} ${e.message}`);
    throw e;
  }

  const path = key.startsWith('/') ? key.slice(1) : key;
  if (path.includes('+*')) throw new GoFailure(`path ${goQuote(path)}: invalid use of wildcards ('+*' is forbidden)`);

  let capabilities = [...((pc['Capabilities'] as string[] | undefined) ?? [])];
  const policy = (pc['Policy'] as string | undefined) ?? '';
  if (policy !== '') {
    if (policy === 'deny') capabilities = ['deny'];
    else if (SHORTHAND[policy]) capabilities.push(...SHORTHAND[policy]);
    else throw new GoFailure(`${prefix} invalid policy ${goQuote(policy)}`);
  }

  const granted = new Set<Capability>();
  for (const cap of capabilities) {
    if (cap === 'deny') {
      // Vault stops here: nothing after a deny, not even the other keys, is checked.
      return { pattern: fromByteString(path), ...plainPermissions(new Set(['deny'])) };
    }
    if (!(CAPABILITIES as readonly string[]).includes(cap)) {
      throw new GoFailure(`${prefix} invalid capability ${goQuote(cap)}`);
    }
    granted.add(cap as Capability);
  }

  const min =
    pc['MinWrappingTTL'] === undefined ? 0n : wrappingTtl(pc['MinWrappingTTL'], 'error parsing min_wrapping_ttl');
  const max =
    pc['MaxWrappingTTL'] === undefined ? 0n : wrappingTtl(pc['MaxWrappingTTL'], 'error parsing max_wrapping_ttl');
  if (pc['ControlGroup'] !== undefined) checkControlGroup(pc['ControlGroup'] as Fields, capabilities);
  if (min !== 0n && max !== 0n && max < min)
    throw new GoFailure('max_wrapping_ttl cannot be less than min_wrapping_ttl');
  return {
    pattern: fromByteString(path),
    capabilities: granted,
    allowedParameters: parameterValues(pc['AllowedParameters']),
    deniedParameters: parameterValues(pc['DeniedParameters']),
    requiredParameters: ((pc['RequiredParameters'] as string[] | undefined) ?? []).map(fromByteString),
    minWrappingTtl: Number(min) / 1e9,
    maxWrappingTtl: Number(max) / 1e9,
  };
}

/** A decoded `interface{}` as a policy value, byte strings made text. */
function policyValue(v: Dynamic): PolicyValue {
  const map = (m: Map<string, GoValue>): ReadonlyMap<string, PolicyValue> =>
    new Map([...m].map(([k, e]) => [fromByteString(k), policyValue(e as Dynamic)]));
  switch (v.type) {
    case 'string':
      return { type: 'string', value: fromByteString(v.value as string) };
    case 'int':
      return { type: 'int', value: v.value as bigint };
    case 'float64':
      return { type: 'float64', value: v.value as number };
    case 'bool':
      return { type: 'bool', value: v.value as boolean };
    case '[]interface {}':
      return { type: v.type, value: ((v.value as GoValue[] | undefined) ?? []).map((e) => policyValue(e as Dynamic)) };
    case '[]map[string]interface {}':
      return {
        type: v.type,
        value: ((v.value as GoValue[] | undefined) ?? []).map((e) => map(e as Map<string, GoValue>)),
      };
    case 'map[string]interface {}':
      return { type: v.type, value: map((v.value as Map<string, GoValue> | undefined) ?? new Map()) };
  }
}

/** `allowed_parameters` / `denied_parameters` as Vault keeps them: keys lower-cased (Go's `strings.ToLower`). */
function parameterValues(decoded: GoValue): ParameterValues | undefined {
  if (decoded === undefined) return undefined;
  const out = new Map<string, readonly PolicyValue[]>();
  for (const [key, values] of decoded as Map<string, GoValue>) {
    out.set(
      goToLower(fromByteString(key)),
      ((values as GoValue[] | undefined) ?? []).map((e) => policyValue(e as Dynamic)),
    );
  }
  return out;
}

/** Go's `strings.ToLower`: one code point for one (JavaScript's `İ` → `i̇` is Go's `i`). */
export function goToLower(s: string): string {
  let out = '';
  for (const c of s) out += String.fromCodePoint(c.toLowerCase().codePointAt(0)!);
  return out;
}

const SPACE = /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]$/u;

/** hcl's `lexMode`: JSON when the first non-space character is `{`. */
function isJson(src: string): boolean {
  for (let i = 0; ;) {
    const [r, n] = decodeRune(src, i);
    if (n > 0 && SPACE.test(String.fromCodePoint(r))) {
      i += n;
      continue;
    }
    return r === 0x7b && n > 0;
  }
}

function parseDocument(src: string): { rules: PathRule[]; templated: boolean } {
  const list = isJson(src) ? parseHclJson(src) : parseHcl(src);
  const errs = unknownKeys(list, ['name', 'path']);
  if (errs.length > 0) throw new GoFailure(multiError(errs));
  decodeObject(list, POLICY);
  const rules: PathRule[] = [];
  let templated = false;
  for (const item of filter(list, 'path').items) {
    const key = item.keys.length > 0 ? keyValue(item.keys[0]!.token) : 'path';
    if (isTemplated(key)) templated = true;
    rules.push(parsePath(key, item.val));
  }
  return { rules, templated };
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * What `POST sys/policies/acl/:name` does with its `policy` text before parsing: when the whole text
 * is valid standard base64 (Go's decoder, which skips `\r` and `\n`), it is replaced by the decoded
 * bytes. Returns a byte string.
 */
function decodeBase64(text: string): string | undefined {
  const t = text.replace(/[\r\n]/g, '');
  return BASE64.test(t) ? Buffer.from(t, 'base64').toString('latin1') : undefined;
}

/**
 * Parse and validate a policy document (HCL or JSON, optionally base64-encoded) as Vault does.
 * The caller lower-cases `name`. Throws a RequestError with Vault's message when the text is empty
 * (`'policy' parameter not supplied or empty`) or not a valid policy (`failed to parse policy: …`).
 */
export function parsePolicy(name: string, text: string, options: ParsePolicyOptions = {}): Policy {
  if (text === '') throw new RequestError("'policy' parameter not supplied or empty");
  const src = (options.base64 !== false ? decodeBase64(text) : undefined) ?? toByteString(text);
  try {
    const { rules, templated } = parseDocument(src);
    return { name, raw: fromByteString(src), rules, templated };
  } catch (e) {
    if (isGoFailure(e)) throw new RequestError(`failed to parse policy: ${fromByteString(e.message)}`);
    throw e;
  }
}
