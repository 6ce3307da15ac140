// Vault's audit hashing: every string value of request and response data (recursively), client
// tokens and (unless disabled) accessors become `hmac-sha256:<hex>`, keyed by the device's salt.

import { createHmac } from 'node:crypto';

/** `hmac-sha256:<64 hex>` of `value` under `salt`. */
export const hmacValue = (salt: string, value: string): string =>
  `hmac-sha256:${createHmac('sha256', salt).update(value, 'utf8').digest('hex')}`;

/** A copy of `value` with every string replaced by its HMAC; numbers, booleans and null stay clear. */
export function hashStrings(salt: string, value: unknown): unknown {
  if (typeof value === 'string') return hmacValue(salt, value);
  if (Array.isArray(value)) return value.map((v) => hashStrings(salt, v));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, hashStrings(salt, v)]));
  }
  return value;
}
