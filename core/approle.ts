// Pure rules of the AppRole auth method (Vault's builtin/credential/approle, cidrutil and strutil):
// CIDR list validation with Go's `net.ParseCIDR`, the "secret ID CIDRs within the role's CIDRs"
// subset rule, secret ID metadata parsing (`strutil.ParseArbitraryKeyValues`), and the role's
// constraint rule. Every message is Vault's text; no I/O.

import { cidrContains, parseCidr } from './cidr.js';

/** Vault's `maxHmacInputLength`: role names and secret IDs longer than this cannot be HMAC'd. */
export const APPROLE_MAX_HMAC_INPUT = 4096;

/** Go's `%q` of a `[]string`: `["a" "b"]`. */
export function formatGoStringSlice(items: readonly string[]): string {
  return `[${items.map((s) => JSON.stringify(s)).join(' ')}]`;
}

/**
 * `cidrutil.ValidateCIDRListSlice`: every entry (trimmed) must be a CIDR block. Returns Go's error for
 * the first one that is not (`invalid CIDR address: <entry>`), or undefined.
 */
export function validateCidrList(blocks: readonly string[]): string | undefined {
  for (const block of blocks) {
    const trimmed = block.trim();
    if (!parseCidr(trimmed)) return `invalid CIDR address: ${trimmed}`;
  }
  return undefined;
}

/** `cidrutil.Subset`: `inner` lies within `outer` (its mask no shorter, its address inside). */
function cidrSubset(outer: string, inner: string): boolean {
  const a = parseCidr(outer.trim());
  const b = parseCidr(inner.trim());
  return a !== undefined && b !== undefined && a.prefix <= b.prefix && cidrContains(a, b.bytes);
}

/**
 * Vault's `verifyCIDRRoleSecretIDSubset`: a secret ID's CIDR blocks must each lie within one of the
 * role's (when both have some). Returns Vault's error text, or undefined. Role entries without a mask
 * are read as `/32`, as Vault does. The `%!w(<nil>)` tail is Vault's own: it formats a nil error.
 */
export function verifyCidrSubset(secretIdCidrs: readonly string[], roleCidrs: readonly string[]): string | undefined {
  if (secretIdCidrs.length === 0 || roleCidrs.length === 0) return undefined;
  const role = roleCidrs.map((block) => (block.includes('/') ? block : `${block}/32`));
  const subset = secretIdCidrs.every((inner) => role.some((outer) => cidrSubset(outer, inner)));
  if (subset) return undefined;
  return `failed to verify subset relationship between CIDR blocks on the role ${formatGoStringSlice(role)} and CIDR blocks on the secret ID ${formatGoStringSlice(secretIdCidrs)}: %!w(<nil>)`;
}

/** Go's strict standard base64 (`base64.StdEncoding.DecodeString`), or undefined. */
function decodeStdBase64(s: string): string | undefined {
  if (s.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(s)) return undefined;
  return Buffer.from(s, 'base64').toString('utf8');
}

/**
 * A secret ID's `metadata` as Vault's `strutil.ParseArbitraryKeyValues` reads it: optionally base64,
 * then a JSON object of strings, else `key=value` pairs separated by commas (lower-cased, as Vault's
 * `ParseKeyValues` does). Returns the map, or `{ error }` with Vault's full message.
 */
export function parseSecretIdMetadata(input: string): Record<string, string> | { error: string } {
  const fail = (why: string) => ({ error: `failed to parse metadata: ${why}` });
  let text = input.trim();
  if (text === '') return {};
  text = decodeStdBase64(text) ?? text;
  let out: Record<string, string> | undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed === null) out = {};
    else if (
      typeof parsed === 'object' &&
      !Array.isArray(parsed) &&
      Object.values(parsed as object).every((v) => typeof v === 'string')
    ) {
      out = { ...(parsed as Record<string, string>) };
    }
  } catch {
    out = undefined;
  }
  if (!out) {
    out = {};
    const pairs = [
      ...new Set(
        text
          .split(',')
          .map((p) => p.trim().toLowerCase())
          .filter((p) => p !== ''),
      ),
    ].sort();
    for (const pair of pairs) {
      const shards = pair.split('=');
      if (shards.length !== 2) return fail('failed to parse the input: invalid <key,value> format');
      const key = shards[0]!.trim();
      const value = shards[1]!.trim();
      if (key === '' || value === '') {
        return fail(
          `failed to parse the input: invalid <key,value> pair: key: ${JSON.stringify(key)} value: ${JSON.stringify(value)}`,
        );
      }
      out[key] = value;
    }
  }
  for (const [key, value] of Object.entries(out)) {
    if (key !== '' && value === '') return fail(`invalid value for key ${JSON.stringify(key)}`);
  }
  return out;
}

/** What a role's constraint rule looks at. */
export interface AppRoleConstraints {
  readonly bindSecretId: boolean;
  readonly secretIdBoundCidrs: readonly string[];
  readonly tokenBoundCidrs: readonly string[];
}

/**
 * Vault's `validateRoleConstraints`: a role needs `bind_secret_id`, or `secret_id_bound_cidrs`, or
 * `token_bound_cidrs`. Returns Vault's message, or undefined.
 */
export function validateAppRoleConstraints(role: AppRoleConstraints): string | undefined {
  if (role.bindSecretId || role.secretIdBoundCidrs.length > 0 || role.tokenBoundCidrs.length > 0) return undefined;
  return 'at least one constraint should be enabled on the role';
}

/** The token settings `validateTokenSettings` looks at (Vault's `tokenutil.TokenParams`). */
export interface TokenSettingsChecked {
  readonly token_type: string;
  readonly token_period: number;
  readonly token_num_uses: number;
  readonly token_ttl: number;
  readonly token_max_ttl: number;
}

/**
 * The checks Vault's `tokenutil.ParseTokenFields` makes after decoding, in its order; the first
 * message, or undefined. AppRole and userpass run them (and the IaC validators); jwt keeps its plugin's own checks.
 */
export function validateTokenSettings(s: TokenSettingsChecked): string | undefined {
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
