// Response-wrapping TTLs as Vault resolves them: the `X-Vault-Wrap-TTL` request header (a duration
// string or seconds, parsed like every Vault duration; a bad or negative value is a 400), the TTL
// an endpoint asks for itself (sys/wrapping/rewrap keeps the original TTL), the shorter of the two
// winning. The `min_wrapping_ttl` / `max_wrapping_ttl` bounds of policies are checked by the ACL's
// decision (core/acl/acl.ts), which gets the requested TTL from here.

import { parseDurationSeconds } from '../../core/duration.js';
import { RequestError } from '../../core/errors.js';

/** The request header that asks for a wrapped response. */
export const WRAP_TTL_HEADER = 'x-vault-wrap-ttl';

/**
 * Parse the `X-Vault-Wrap-TTL` header: undefined when absent or empty, else whole seconds (0 means
 * "not wrapped", as in Vault). Throws Vault's 400 `error parsing X-Vault-Wrap-TTL header: …`.
 */
export function parseWrapTtlHeader(value: string | readonly string[] | undefined): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (typeof text !== 'string' || text === '') return undefined;
  let seconds: number;
  try {
    seconds = parseDurationSeconds(text);
  } catch (e) {
    throw new RequestError(`error parsing X-Vault-Wrap-TTL header: ${(e as Error).message}`);
  }
  if (seconds < 0)
    throw new RequestError('error parsing X-Vault-Wrap-TTL header: requested wrap ttl cannot be negative');
  return seconds;
}

/**
 * The TTL a response is wrapped for (vault/request_handling.go): the endpoint's own TTL unless the
 * request asks for a shorter one; 0 means the response is not wrapped.
 */
export function resolveWrapTtl(requested: number | undefined, endpoint: number | undefined): number {
  const fromEndpoint = endpoint !== undefined && endpoint > 0 ? endpoint : 0;
  const fromRequest = requested !== undefined && requested > 0 ? requested : 0;
  if (fromEndpoint === 0) return fromRequest;
  if (fromRequest === 0) return fromEndpoint;
  return Math.min(fromEndpoint, fromRequest);
}
