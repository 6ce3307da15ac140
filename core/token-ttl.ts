// A token's TTL at creation and at each renewal, as Vault's `framework.CalculateTTL` computes it: a
// periodic token lives for its period (capped by the mount's max TTL) and is renewed to it again,
// bounded only by an explicit max TTL; any other token lives for the increment, its own TTL or the
// default, within the max TTL counted from its start. Capping adds Vault's warnings, verbatim.

import { RequestError } from './errors.js';
import { formatGoDuration } from './duration.js';

/** What the TTL is calculated from; every value in seconds (Unix seconds for times). */
export interface TokenTtlInput {
  /** The renewal's increment; 0 at creation or when none was asked for. */
  readonly increment: number;
  /** The TTL the token was created with or asked for; 0 = the default. */
  readonly ttl: number;
  /** The renewal period; 0 = not periodic. */
  readonly period: number;
  /** The auth method's max TTL (`token_max_ttl`); 0 = none. */
  readonly backendMaxTtl: number;
  /** The token's explicit max TTL; 0 = none. */
  readonly explicitMaxTtl: number;
  /** The mount's (or system's) max lease TTL. */
  readonly mountMaxTtl: number;
  /** The mount's (or system's) default lease TTL. */
  readonly mountDefaultTtl: number;
  /** When the token was created. */
  readonly startTime: number;
  readonly now: number;
}

/** The TTL and the warnings capping produced. */
export interface TokenTtl {
  readonly ttl: number;
  readonly warnings: readonly string[];
}

/** Vault's `humanDuration`: Go's duration text without zero minutes and seconds (`2h`, `1h30m`, `45s`). */
export function formatHumanDuration(seconds: number): string {
  let s = formatGoDuration(seconds);
  if (s.endsWith('m0s')) s = s.slice(0, -2);
  const idx = s.indexOf('h0m');
  if (idx > 0) s = s.slice(0, idx + 1) + s.slice(idx + 3);
  return s;
}

/**
 * The TTL of a token being created or renewed. Throws Vault's `past the max TTL, cannot renew` when the
 * max TTL has passed.
 */
export function resolveTokenTtl(input: TokenTtlInput): TokenTtl {
  const warnings: string[] = [];
  let maxTtl = input.mountMaxTtl;
  if (input.backendMaxTtl > 0 && input.backendMaxTtl < maxTtl) maxTtl = input.backendMaxTtl;
  if (input.explicitMaxTtl > 0 && input.explicitMaxTtl < maxTtl) maxTtl = input.explicitMaxTtl;
  if (maxTtl <= 0) throw new RequestError('max TTL must be greater than zero');
  let ttl: number;
  let maxValidTime = 0;
  if (input.period > 0) {
    let period = input.period;
    if (period > maxTtl) {
      warnings.push(
        `period of ${JSON.stringify(formatHumanDuration(period))} exceeded the effective max_ttl of ${JSON.stringify(formatHumanDuration(maxTtl))}; period value is capped accordingly`,
      );
      period = maxTtl;
    }
    ttl = period;
    if (input.explicitMaxTtl > 0) maxValidTime = input.startTime + input.explicitMaxTtl;
  } else {
    ttl = input.increment > 0 ? input.increment : input.ttl > 0 ? input.ttl : input.mountDefaultTtl;
    maxValidTime = input.startTime + maxTtl;
  }
  if (maxValidTime !== 0) {
    const maxValidTtl = maxValidTime - input.now;
    if (maxValidTtl <= 0) throw new RequestError('past the max TTL, cannot renew');
    if (ttl > maxValidTtl) {
      warnings.push(
        `TTL of ${JSON.stringify(formatHumanDuration(ttl))} exceeded the effective max_ttl of ${JSON.stringify(formatHumanDuration(maxValidTtl))}; TTL value is capped accordingly`,
      );
      ttl = maxValidTtl;
    }
  }
  return { ttl, warnings };
}
