// The `token_*` parameters every auth method's roles and users share (Vault's sdk/helper/tokenutil):
// the stored shape, the read shape, and the grant a login turns into a token. The schema
// (`TOKEN_FIELDS`) is core's (core/path-fields.ts), shared with the IaC policy validators.

import { RequestError } from '../../core/errors.js';
import { TOKEN_FIELDS } from '../../core/path-fields.js';
import type { LoginGrant } from '../framework.js';

/** Stored token settings. */
export interface TokenSettings {
  readonly token_policies: string[];
  /** Set when the deprecated `policies` parameter was used (read then shows `policies` too). */
  readonly legacy_policies: boolean;
  readonly token_ttl: number;
  readonly token_max_ttl: number;
  readonly token_explicit_max_ttl: number;
  readonly token_no_default_policy: boolean;
  readonly token_num_uses: number;
  readonly token_period: number;
  readonly token_type: string;
  readonly token_bound_cidrs: string[];
}

export const DEFAULT_TOKEN_SETTINGS: TokenSettings = {
  token_policies: [],
  legacy_policies: false,
  token_ttl: 0,
  token_max_ttl: 0,
  token_explicit_max_ttl: 0,
  token_no_default_policy: false,
  token_num_uses: 0,
  token_period: 0,
  token_type: 'default',
  token_bound_cidrs: [],
};

/** Apply supplied fields over `current` (absent fields keep their value). */
export function updateTokenSettings(current: TokenSettings, fields: ReadonlyMap<string, unknown>): TokenSettings {
  const next = { ...current } as Record<string, unknown>;
  for (const name of Object.keys(TOKEN_FIELDS)) {
    if (name === 'policies' || !fields.has(name)) continue;
    next[name] = fields.get(name);
  }
  if (fields.has('policies') && !fields.has('token_policies')) {
    next.token_policies = fields.get('policies');
    next.legacy_policies = true;
  }
  const type = next.token_type as string;
  if (!['default', 'service', 'batch', 'default-service', 'default-batch'].includes(type)) {
    throw new RequestError(`invalid 'token_type' value ${JSON.stringify(type)}`);
  }
  return next as unknown as TokenSettings;
}

/** Vault's `tokenutil.ParseTokenFields` checks (core/approle.ts, shared with the IaC validators). */
export { validateTokenSettings } from '../../core/approle.js';

/** The read shape of stored settings. */
export function readTokenSettings(s: TokenSettings): Record<string, unknown> {
  return {
    token_bound_cidrs: s.token_bound_cidrs,
    token_explicit_max_ttl: s.token_explicit_max_ttl,
    token_max_ttl: s.token_max_ttl,
    token_no_default_policy: s.token_no_default_policy,
    token_num_uses: s.token_num_uses,
    token_period: s.token_period,
    token_policies: s.token_policies,
    token_ttl: s.token_ttl,
    token_type: s.token_type,
    ...(s.legacy_policies ? { policies: s.token_policies } : {}),
  };
}

/** What a successful login with these settings grants. */
export function grantOf(s: TokenSettings, displayName: string, metadata: Record<string, string>): LoginGrant {
  return {
    displayName,
    policies: s.token_policies,
    metadata,
    ttl: s.token_ttl,
    maxTtl: s.token_max_ttl,
    explicitMaxTtl: s.token_explicit_max_ttl,
    period: s.token_period ?? 0,
    numUses: s.token_num_uses,
    noDefaultPolicy: s.token_no_default_policy,
    boundCidrs: s.token_bound_cidrs ?? [],
  };
}
