// What the `sshca operator` subcommands that talk to a server share: the client (no token for init,
// unseal and status, as Vault's CLI), the translation of an API error into one line in Vault's words,
// the seal status table `vault status` and `vault operator unseal` print, and the token client of
// seal and rotate.

import { parseArgs } from 'node:util';
import { clientOptionsFromEnv } from '../client/env.js';
import { VaultClient, isVaultApiError } from '../client/vault-client.js';
import { RequestError, UsageError } from '../core/errors.js';
import { usageErrors } from './args.js';
import { authenticate, invalidTokenError } from './auth.js';

/** Vault's `sys/seal-status` body (the fields the table shows). */
export interface SealStatus {
  readonly type?: string;
  readonly initialized: boolean;
  readonly sealed: boolean;
  readonly t: number;
  readonly n: number;
  readonly progress: number;
  readonly nonce?: string;
  readonly version?: string;
  readonly build_date?: string;
  readonly storage_type?: string;
  readonly cluster_name?: string;
  readonly cluster_id?: string;
  readonly [key: string]: unknown;
}

/** A client of the server at --address (or VAULT_ADDR / BAO_ADDR) that sends no token. */
export function anonymousClient(address: string | undefined): VaultClient {
  const options = clientOptionsFromEnv(process.env, address !== undefined ? { address } : {}, '--address');
  return new VaultClient({ ...options, token: '' });
}

/**
 * An API failure as one line headed as Vault's CLI heads it (`Error unsealing: …`): the server's own
 * errors, or why there was no answer. An invalid token is the CLI's authentication error (exit 3).
 */
export function operatorFailure(action: string, e: unknown): unknown {
  if (!isVaultApiError(e)) return e;
  const invalid = invalidTokenError(e);
  if (invalid) return invalid;
  if (e.status === 0) {
    const why =
      e.message
        .split('\n')
        .pop()
        ?.replace(/^Connection error: /, '') ?? 'no answer';
    return new RequestError(`${action}: no answer from ${e.url.replace(/\/v1\/.*$/, '')} (${why})`);
  }
  // Vault wraps some errors as a Go multierror: `1 error occurred:\n\t* permission denied\n\n`.
  const said =
    e.errors.length > 0
      ? e.errors
          .map((text) => text.replace(/^\d+ errors? occurred:\n\t\* (.*?)\n*$/s, '$1').replace(/\n\t\* /g, '; '))
          .join('; ')
      : `HTTP ${e.status}`;
  return new RequestError(`${action}: ${said}`);
}

/** The JSON body of a bare answer (sys/init, sys/unseal, sys/seal-status have no `data` envelope). */
export function bareBody<T>(body: string | undefined, what: string): T {
  try {
    return JSON.parse(body ?? '') as T;
  } catch {
    throw new RequestError(`the server's answer to ${what} is not JSON`);
  }
}

/**
 * Rows as Vault's CLI prints them: the keys padded, four spaces before the values, under a
 * `Key`/`Value` header and rule unless `header` is false.
 */
export function renderTable(rows: readonly (readonly [string, string])[], header = true): string {
  const all: (readonly [string, string])[] = header ? [['Key', 'Value'], ['---', '-----'], ...rows] : [...rows];
  const width = Math.max(...all.map(([k]) => k.length));
  return all.map(([k, v]) => `${k.padEnd(width)}    ${v}`.trimEnd()).join('\n') + '\n';
}

/** The seal status as `vault status` shows it: progress and nonce only while sealed. */
export function renderSealStatus(s: SealStatus): string {
  const rows: [string, string][] = [
    ['Seal Type', s.type ?? 'shamir'],
    ['Initialized', String(s.initialized)],
    ['Sealed', String(s.sealed)],
    ['Total Shares', String(s.n)],
    ['Threshold', String(s.t)],
  ];
  if (s.sealed) {
    rows.push(['Unseal Progress', `${s.progress}/${s.t}`], ['Unseal Nonce', s.nonce ? s.nonce : 'n/a']);
  }
  if (s.version) rows.push(['Version', s.version]);
  if (s.build_date) rows.push(['Build Date', s.build_date]);
  if (s.storage_type) rows.push(['Storage Type', s.storage_type]);
  if (s.cluster_name) rows.push(['Cluster Name', s.cluster_name]);
  if (s.cluster_id) rows.push(['Cluster ID', s.cluster_id]);
  return renderTable(rows);
}

/** Read `sys/seal-status` (unauthenticated). */
export async function fetchSealStatus(client: VaultClient): Promise<SealStatus> {
  const r = await client.call('GET', 'sys/seal-status', { anonymous: true, idempotent: true });
  if (!r) throw new RequestError('the server has no sys/seal-status: it is no Vault-compatible server');
  return bareBody<SealStatus>(r.body, 'sys/seal-status');
}

/** A whole number ≥ 1 from an option, or a UsageError naming it. */
export function parseCount(value: string | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^[1-9][0-9]{0,2}$/.test(value)) {
    throw new UsageError(`--${flag} must be a whole number from 1 to 255, got ${JSON.stringify(value)}`);
  }
  const n = Number(value);
  if (n > 255) throw new UsageError(`--${flag} must be a whole number from 1 to 255, got ${JSON.stringify(value)}`);
  return n;
}

/** A client with the token of `--token`/`--address` (else the environment), for the subcommands that need one. */
export function tokenClientFrom(argv: readonly string[]): Promise<VaultClient> {
  const { values } = usageErrors(() =>
    parseArgs({ args: [...argv], strict: true, options: { token: { type: 'string' }, address: { type: 'string' } } }),
  );
  return authenticate({
    ...(values.address !== undefined ? { address: values.address } : {}),
    ...(values.token !== undefined ? { token: values.token } : {}),
  }).then((a) => a.client);
}
