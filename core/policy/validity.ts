// The validity window of a certificate (reference §3.4): the requested TTL or the role's, falling
// back to the mount's default; capped silently at the maximum when it was defaulted, refused when
// it was asked for; ValidAfter backdated by the role's `not_before_duration` for clock skew.

import { RequestError } from '../errors.js';
import type { CaRole } from '../role.js';

/** A mount's effective lease TTLs in seconds (system defaults already applied). */
export interface MountTtls {
  readonly defaultLeaseTtl: number;
  readonly maxLeaseTtl: number;
}

/** Vault's system default for both lease TTLs: 768h (32 days). */
export const SYSTEM_DEFAULT_LEASE_TTL = 768 * 3600;

/** The TTL in seconds. `requestedTtl` is undefined when the request did not supply `ttl`. */
export function resolveTtl(role: CaRole, mount: MountTtls, requestedTtl: number | undefined): number {
  let ttl = requestedTtl ?? role.ttl;
  if (ttl === 0) ttl = mount.defaultLeaseTtl;
  const max = role.maxTtl !== 0 ? role.maxTtl : mount.maxLeaseTtl;
  if (ttl > max) {
    if (requestedTtl === undefined) return max;
    throw new RequestError(`ttl is larger than maximum allowed ${max}`);
  }
  return ttl;
}

/** ValidAfter/ValidBefore in Unix seconds for a TTL, at `now` (Unix seconds). */
export function resolveValidity(role: CaRole, ttl: number, now: number): { validAfter: bigint; validBefore: bigint } {
  return {
    validAfter: BigInt(Math.max(0, now - role.notBeforeDuration)),
    validBefore: BigInt(now + ttl),
  };
}
