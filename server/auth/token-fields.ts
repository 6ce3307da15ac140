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

/**
 * The checks Vault's `tokenutil.ParseTokenFields` makes after decoding, in its order; the first
 * message, or undefined. AppRole and userpass run them; jwt keeps its plugin's own checks.
 */
export function validateTokenSettings(s: TokenSettings): string | undefined {
  if (s.token_type === 'batch' || s.token_type === 'default-batch') {
    if (s.token_period !== 0) {
      return "'token_type' cannot be 'batch' or 'default_batch' when set to generate periodic tokens";
    }
    if (s.token_num_uses !== 0) {
      return "'token_type' cannot be 'batch' or 'default_batch' when set to generate tokens with limited use count";
    }
  }
  if (s.token_ttl < 0) return "'token_ttl' cannot be negative";
  if (s.token_ttl > 0 && s.token_max_ttl > 0 && s.token_ttl > s.token_max_ttl) {
    return "'token_ttl' cannot be greater than 'token_max_ttl'";
  }
  if (s.token_num_uses < 0) return "'token_num_uses' cannot be negative";
  return undefined;
}

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
