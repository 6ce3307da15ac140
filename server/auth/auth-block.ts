// Vault's `auth` block (logins, token create and renew) and token lookup data, from a token entry.

import type { TokenEntry } from './token-store.js';

/** Seconds as Vault's RFC 3339 time, or null for 0. */
export const rfc3339 = (unixSeconds: number): string | null =>
  unixSeconds === 0 ? null : new Date(unixSeconds * 1000).toISOString().replace('.000Z', 'Z');

/** Token policies and the entity's policies together, sorted and unique (Vault's `policies` of an auth block). */
export const allPolicies = (tokenPolicies: readonly string[], identityPolicies: readonly string[]): string[] =>
  identityPolicies.length === 0 ? [...tokenPolicies] : [...new Set([...tokenPolicies, ...identityPolicies])].sort();

/**
 * The `auth` block for a token that was just created or renewed; `ttl` is its lease duration.
 * `identityPolicies` are its entity's policies: Vault adds them to `policies` and shows them as
 * `identity_policies` (left out when none).
 */
export function authBlock(
  token: string,
  entry: TokenEntry,
  ttl: number,
  identityPolicies: readonly string[] = [],
): Record<string, unknown> {
  return {
    client_token: token,
    accessor: entry.accessor,
    policies: allPolicies(entry.policies, identityPolicies),
    token_policies: entry.policies,
    ...(identityPolicies.length > 0 ? { identity_policies: [...identityPolicies] } : {}),
    metadata: entry.meta,
    lease_duration: ttl,
    renewable: entry.renewable,
    entity_id: entry.entityId ?? '',
    token_type: 'service',
    orphan: entry.orphan,
    mfa_requirement: null,
    num_uses: entry.numUses,
  };
}

/**
 * `auth/token/lookup*` data; `id` is empty when looked up by accessor. `identity_policies` (the
 * entity's policies), `period` and `role` are there only when set, as in Vault.
 */
export function lookupData(
  id: string,
  entry: TokenEntry,
  ttl: number,
  identityPolicies: readonly string[] = [],
): Record<string, unknown> {
  return {
    accessor: entry.accessor,
    creation_time: entry.creationTime,
    creation_ttl: entry.creationTtl,
    display_name: entry.displayName,
    entity_id: entry.entityId ?? '',
    expire_time: rfc3339(entry.expireTime),
    explicit_max_ttl: entry.explicitMaxTtl,
    id,
    ...(identityPolicies.length > 0 ? { identity_policies: [...identityPolicies] } : {}),
    issue_time: rfc3339(entry.issueTime),
    meta: entry.meta,
    num_uses: entry.numUses,
    orphan: entry.orphan,
    path: entry.path,
    ...(entry.period ? { period: entry.period } : {}),
    policies: entry.policies,
    renewable: entry.renewable,
    ...(entry.role ? { role: entry.role } : {}),
    ttl,
    type: 'service',
    ...(entry.boundCidrs ? { bound_cidrs: entry.boundCidrs } : {}),
  };
}
