// Vault ACL policy documents, HCL or JSON: `path "<pattern>" { capabilities = [...] }` blocks (or
// the old `policy = "read"` shorthand), validated as Vault validates them, with its messages
// (`failed to parse policy: …`). Parameter constraints and wrapping TTLs are accepted and ignored:
// the SSH workflow needs none of them.

import { RequestError, isRequestError } from '../errors.js';
import { parseHcl, type HclItem, type HclObject, type HclValue } from './hcl.js';

/** Vault's capabilities. */
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
] as const;
export type Capability = (typeof CAPABILITIES)[number];

/** One path rule. */
export interface PathRule {
  /** Without a leading `/`; `*` only as the last character (prefix), `+` as a whole segment. */
  readonly pattern: string;
  readonly capabilities: ReadonlySet<Capability>;
}

/** A parsed policy. */
export interface Policy {
  readonly name: string;
  readonly rules: readonly PathRule[];
}

const SHORTHAND: Readonly<Record<string, readonly Capability[]>> = {
  deny: ['deny'],
  read: ['read', 'list'],
  write: ['create', 'read', 'update', 'delete', 'list'],
  sudo: ['create', 'read', 'update', 'delete', 'list', 'sudo'],
};

// An array, not a Set: Pulumi's closure serializer (providers reach this module) turns module-level
// Sets into plain objects.
const PATH_KEYS: readonly string[] = [
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

const isObject = (v: HclValue): v is HclObject => typeof v === 'object' && !Array.isArray(v);

/** JSON `{"path": {"a": {...}}}` as the HCL items it stands for. */
function fromJson(value: unknown, line = 1): HclValue {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  if (Array.isArray(value)) return value.map((v) => fromJson(v, line));
  if (value === null) throw new RequestError('null is not a valid value');
  const items: HclItem[] = [];
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    if (key === 'path' && typeof v === 'object' && v !== null && !Array.isArray(v)) {
      for (const [pattern, body] of Object.entries(v))
        items.push({ key, labels: [pattern], value: fromJson(body, line), line });
    } else {
      items.push({ key, labels: [], value: fromJson(v, line), line });
    }
  }
  return { items };
}

function pathRule(item: HclItem): PathRule {
  const raw = item.labels[0];
  if (raw === undefined || item.labels.length !== 1 || !isObject(item.value)) {
    throw new RequestError(`path block on line ${item.line} must be: path "<pattern>" { … }`);
  }
  const pattern = raw.replace(/^\/+/, '');
  if (pattern.includes('+*'))
    throw new RequestError(`path ${JSON.stringify(raw)}: invalid use of wildcards ('+*' is forbidden)`);
  const caps = new Set<Capability>();
  for (const entry of item.value.items) {
    if (!PATH_KEYS.includes(entry.key))
      throw new RequestError(
        `path ${JSON.stringify(raw)}: invalid key ${JSON.stringify(entry.key)} on line ${entry.line}`,
      );
    if (entry.key === 'policy') {
      const shorthand = typeof entry.value === 'string' ? SHORTHAND[entry.value] : undefined;
      if (!shorthand)
        throw new RequestError(`path ${JSON.stringify(raw)}: invalid policy ${JSON.stringify(entry.value)}`);
      shorthand.forEach((c) => caps.add(c));
    } else if (entry.key === 'capabilities') {
      const list = Array.isArray(entry.value) ? entry.value : [entry.value];
      for (const c of list) {
        if (typeof c !== 'string' || !(CAPABILITIES as readonly string[]).includes(c)) {
          throw new RequestError(`path ${JSON.stringify(raw)}: invalid capability ${JSON.stringify(c)}`);
        }
        caps.add(c as Capability);
      }
    }
  }
  return { pattern, capabilities: caps.has('deny') ? new Set<Capability>(['deny']) : caps };
}

/** Parse a policy document; throws a RequestError `failed to parse policy: …` when it is not valid. */
export function parsePolicy(name: string, text: string): Policy {
  try {
    let doc: HclObject;
    if (/^\s*\{/.test(text)) {
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch (e) {
        throw new RequestError((e as Error).message);
      }
      const converted = fromJson(json);
      if (!isObject(converted)) throw new RequestError('a policy document is an object');
      doc = converted;
    } else {
      doc = parseHcl(text);
    }
    const rules: PathRule[] = [];
    for (const item of doc.items) {
      if (item.key === 'name') continue;
      if (item.key !== 'path') throw new RequestError(`invalid key ${JSON.stringify(item.key)} on line ${item.line}`);
      rules.push(pathRule(item));
    }
    return { name, rules };
  } catch (e) {
    if (isRequestError(e)) throw new RequestError(`failed to parse policy: ${e.message}`);
    throw e;
  }
}
