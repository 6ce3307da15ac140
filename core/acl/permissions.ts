// What one path rule grants beyond its capabilities, as Vault keeps it (`ACLPermissions` in
// vault/policy.go and vault/acl.go): allowed, denied and required parameters and the wrapping TTL
// bounds; and how the rules of one pattern are merged across a token's policies (`NewACL`).

import type { Capability } from './policy-document.js';

/**
 * A value of a parameter list in a policy, as hashicorp/hcl v1 decodes it into Go's `interface{}`:
 * the Go type decides what it can equal (`reflect.DeepEqual` compares types first).
 */
export type PolicyValue =
  | { readonly type: 'string'; readonly value: string }
  | { readonly type: 'int'; readonly value: bigint }
  | { readonly type: 'float64'; readonly value: number }
  | { readonly type: 'bool'; readonly value: boolean }
  | { readonly type: '[]interface {}'; readonly value: readonly PolicyValue[] }
  | { readonly type: '[]map[string]interface {}'; readonly value: readonly ReadonlyMap<string, PolicyValue>[] }
  | { readonly type: 'map[string]interface {}'; readonly value: ReadonlyMap<string, PolicyValue> };

/** Parameter name (lower-cased, as Vault stores it) → allowed or denied values; an empty list means any value. */
export type ParameterValues = ReadonlyMap<string, readonly PolicyValue[]>;

/** Vault's `ACLPermissions` of one pattern (MFA, control groups and event types left out: not enforced here). */
export interface Permissions {
  /** The capabilities granted; exactly `deny` when denied. */
  readonly capabilities: ReadonlySet<Capability>;
  /** `allowed_parameters`; undefined when no rule set it (Go's nil map). */
  readonly allowedParameters?: ParameterValues;
  /** `denied_parameters`; undefined when no rule set it. */
  readonly deniedParameters?: ParameterValues;
  /** `required_parameters` as written (Vault lower-cases them only when checking). */
  readonly requiredParameters: readonly string[];
  /** `min_wrapping_ttl` in seconds; 0 when unset. */
  readonly minWrappingTtl: number;
  /** `max_wrapping_ttl` in seconds; 0 when unset. */
  readonly maxWrappingTtl: number;
}

/** The permissions of a rule that grants `capabilities` and nothing else. */
export const plainPermissions = (capabilities: ReadonlySet<Capability>): Permissions => ({
  capabilities,
  requiredParameters: [],
  minWrappingTtl: 0,
  maxWrappingTtl: 0,
});

/**
 * Vault's merge of an allowed or denied parameter map into the one already held: keys of `added`
 * take `[]` when either side's list for them is empty (any value), else the new values followed by
 * the held ones. `"*"` is an ordinary key here: its meaning is applied when checking.
 */
function mergeParameters(
  held: ParameterValues | undefined,
  added: ParameterValues | undefined,
): ParameterValues | undefined {
  if (!added || added.size === 0) return held;
  if (!held) return new Map(added);
  const merged = new Map(held);
  for (const [key, values] of added) {
    const existing = held.get(key);
    merged.set(key, values.length === 0 || (existing && existing.length === 0) ? [] : [...values, ...(existing ?? [])]);
  }
  return merged;
}

/** The lesser of two bounds where 0 means unset (Vault prefers the shorter wrapping lifetime). */
const lesser = (held: number, added: number): number => (added > 0 && (held === 0 || added < held) ? added : held);

/**
 * Merge one more rule of the same pattern into the permissions held for it, as Vault's `NewACL`
 * does: a held deny keeps everything out; a new deny leaves only deny; otherwise capabilities are
 * joined, wrapping bounds take the lesser set value, parameter maps are merged (see above) and
 * required parameters are joined without repeats.
 */
export function mergePermissions(held: Permissions | undefined, added: Permissions): Permissions {
  if (!held) return added;
  if (held.capabilities.has('deny')) return held;
  if (added.capabilities.has('deny')) {
    // Vault clears the parameter maps but keeps the rest; none of it is read once denied.
    return { ...held, capabilities: new Set(['deny']), allowedParameters: undefined, deniedParameters: undefined };
  }
  const required = [...held.requiredParameters];
  for (const r of added.requiredParameters) if (!required.includes(r)) required.push(r);
  return {
    capabilities: new Set([...held.capabilities, ...added.capabilities]),
    allowedParameters: mergeParameters(held.allowedParameters, added.allowedParameters),
    deniedParameters: mergeParameters(held.deniedParameters, added.deniedParameters),
    requiredParameters: held.requiredParameters.length === 0 ? added.requiredParameters : required,
    minWrappingTtl: lesser(held.minWrappingTtl, added.minWrappingTtl),
    maxWrappingTtl: lesser(held.maxWrappingTtl, added.maxWrappingTtl),
  };
}
