// Connection settings by Vault's client conventions: VAULT_ADDR, VAULT_TOKEN, VAULT_CACERT,
// VAULT_SKIP_VERIFY, VAULT_NAMESPACE, with OpenBao's BAO_ADDR / BAO_TOKEN / BAO_CACERT /
// BAO_SKIP_VERIFY / BAO_NAMESPACE accepted when the Vault names are unset.

import { createRequire } from 'node:module';
import { RequestError, UsageError } from '../core/errors.js';
import { parseGoBool } from '../core/fields.js';

// Loaded with createRequire so providers that reach this code survive closure serialization.
const nodeFs: typeof import('node:fs') = createRequire(import.meta.url)('node:fs');

/** How to reach a Vault-compatible server. */
export interface VaultClientOptions {
  /** e.g. `https://vault.example.com:8200`. */
  readonly address: string;
  readonly token?: string;
  /** PEM CA bundle to verify the server's certificate with. */
  readonly caCert?: string;
  /** Skip TLS verification (like VAULT_SKIP_VERIFY; for tests only). @default false */
  readonly skipVerify?: boolean;
  /** Vault Enterprise / OpenBao namespace (X-Vault-Namespace). */
  readonly namespace?: string;
  /** Retries of idempotent calls on connection errors and 5xx. @default 3 */
  readonly retries?: number;
  /** Per-request timeout in milliseconds. @default 30000 */
  readonly timeoutMs?: number;
  /**
   * Wrap every answer for this long (`X-Vault-Wrap-TTL`, like the Vault CLI's `-wrap-ttl`); a call's
   * own `wrapTtl` wins. @default not wrapped
   */
  readonly wrapTtl?: string | number;
}

const pick = (env: Readonly<Record<string, string | undefined>>, name: string): string | undefined =>
  env[`VAULT_${name}`] || env[`BAO_${name}`] || undefined;

/** VAULT_SKIP_VERIFY as the Vault CLI reads it (strconv.ParseBool). */
const isTrue = (v: string | undefined): boolean => v !== undefined && parseGoBool(v) === true;

/**
 * An address as Vault's client takes it: an http or https URL, without trailing slashes. Vault's Go
 * client refuses a scheme-less `127.0.0.1:8200` too (url.Parse: "first path segment in URL cannot
 * contain colon"); we refuse it rather than guess, since https would fail against a plain server and
 * http would send the token in clear to a TLS one. `name` says where the address came from.
 * Throws a UsageError whose message shows the expected form with the given host.
 */
export function validateVaultAddress(address: string, name: string): string {
  let url: URL | undefined;
  try {
    url = new URL(address);
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.host === '') {
    const bare = address.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '').replace(/\/+$/, '') || '127.0.0.1:8200';
    throw new UsageError(
      `${name} must be an http:// or https:// URL, e.g. http://${bare} or https://${bare}; got ${JSON.stringify(address)}`,
    );
  }
  return address.replace(/\/+$/, '');
}

/**
 * Options from the environment; `overrides` win. Throws when no address is known or it is not an
 * http(s) URL (`addressName` names an overriding address in that message).
 *
 * @param addressName - @default "address"
 */
export function clientOptionsFromEnv(
  env: Readonly<Record<string, string | undefined>> = process.env,
  overrides: Partial<VaultClientOptions> = {},
  addressName = 'address',
): VaultClientOptions {
  const address = overrides.address ?? pick(env, 'ADDR');
  if (!address) {
    throw new RequestError(
      'no Vault address: set VAULT_ADDR (or BAO_ADDR), e.g. export VAULT_ADDR=http://127.0.0.1:8200',
    );
  }
  const source = overrides.address !== undefined ? addressName : env.VAULT_ADDR ? 'VAULT_ADDR' : 'BAO_ADDR';
  const checked = validateVaultAddress(address, source);
  const caPath = pick(env, 'CACERT');
  let caCert = overrides.caCert;
  if (caCert === undefined && caPath) {
    try {
      caCert = nodeFs.readFileSync(caPath, 'utf8');
    } catch (e) {
      throw new RequestError(`cannot read VAULT_CACERT ${caPath}: ${(e as Error).message}`);
    }
  }
  const token = overrides.token ?? pick(env, 'TOKEN');
  const namespace = overrides.namespace ?? pick(env, 'NAMESPACE');
  return {
    ...overrides,
    address: checked,
    ...(token !== undefined ? { token } : {}),
    ...(caCert !== undefined ? { caCert } : {}),
    skipVerify: overrides.skipVerify ?? isTrue(pick(env, 'SKIP_VERIFY')),
    ...(namespace !== undefined ? { namespace } : {}),
  };
}
