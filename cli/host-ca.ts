// The client side of host certificates for `sshca render`, `login`, `config` and `check-host` (issue
// 17, point 3): a CA public key from the backend (/v1/<mount>/public_key, no token) or from files,
// the host patterns it may vouch for checked as usage errors, and the known_hosts file holding its
// `@cert-authority` lines written atomically. The lines themselves come from core/render/known-hosts.ts.

import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { clientOptionsFromEnv } from '../client/env.js';
import { readCaPublicKey } from '../client/ssh-api.js';
import { VaultClient, isVaultApiError } from '../client/vault-client.js';
import { RequestError, UsageError } from '../core/errors.js';
import {
  checkHostPatterns,
  parseHostPatterns,
  renderKnownHostsFile,
  validateCertAuthority,
  type CertAuthorityTrust,
} from '../core/render/known-hosts.js';
import { normaliseMount } from './args.js';
import { readText, writeFileAtomic } from './files.js';
import { noSuchMount } from './mount-errors.js';

/**
 * The CA public key a mount serves at /v1/<mount>/public_key (unauthenticated), from the backend at
 * `address` (else VAULT_ADDR or BAO_ADDR). `flag` names the option that gave the mount, for the
 * "no such mount" message.
 */
export async function fetchCaPublicKey(mount: string, address: string | undefined, flag = '--mount'): Promise<string> {
  const client = new VaultClient(clientOptionsFromEnv(process.env, address ? { address } : {}, '--address'));
  let key: string | undefined;
  try {
    key = await readCaPublicKey(client, mount);
  } catch (e) {
    // public_key is unauthenticated on an SSH mount: a 403 (Vault) or "unsupported path" means none is there.
    if (
      isVaultApiError(e) &&
      (e.status === 403 || e.errors.some((m) => /unsupported path|no handler for route/.test(m)))
    ) {
      const said = e.errors.join('; ').replace(/^1 error occurred:\n\t\* (.*)\n\n$/s, '$1') || `HTTP ${e.status}`;
      throw new RequestError(`${noSuchMount(mount).replace('check --mount', `check ${flag}`)} (backend said: ${said})`);
    }
    throw e;
  }
  if (!key || key.trim() === '') {
    throw new RequestError(`no CA public key on mount ${mount} at ${client.options.address}: configure its CA first`);
  }
  return key;
}

/** Where a host CA's keys come from: a mount of the backend, files, or both (a rotation overlap). */
export interface HostCaSource {
  readonly mount?: string | undefined;
  readonly keyFiles?: readonly string[] | undefined;
  readonly address?: string | undefined;
}

/** Whether any host CA was given. */
export const hasHostCa = (s: HostCaSource): boolean => s.mount !== undefined || (s.keyFiles?.length ?? 0) > 0;

/** The host CA as the user named it, for messages: `mount ssh-dev-host`, `host-ca.pub`. */
export function describeHostCa(s: HostCaSource): string {
  return [...(s.mount !== undefined ? [`mount ${s.mount}`] : []), ...(s.keyFiles ?? [])].join(' and ');
}

/** The host CA options shared by login, config and check-host, parsed: `--host-ca-mount`, `--host-ca-key`. */
export function hostCaSourceOf(values: {
  readonly 'host-ca-mount'?: string | undefined;
  readonly 'host-ca-key'?: readonly string[] | undefined;
  readonly address?: string | undefined;
}): HostCaSource {
  return {
    mount: normaliseMount(values['host-ca-mount'], 'host-ca-mount'),
    keyFiles: values['host-ca-key'] ?? [],
    address: values.address,
  };
}

/** The host CA's public keys: the mount's first, then the files'. */
export async function readHostCaKeys(s: HostCaSource): Promise<string[]> {
  return [
    ...(s.mount !== undefined ? [await fetchCaPublicKey(s.mount, s.address, '--host-ca-mount')] : []),
    ...(s.keyFiles ?? []).map((f) => readText(f, 'host CA key')),
  ];
}

/**
 * Host patterns from an option (comma or white-space list), checked: a mistake, an empty list, or a
 * pattern that matches every host without `allowAnyHost` is a UsageError naming `flag`.
 */
export function hostPatternsOf(text: string | undefined, flag: string, allowAnyHost: boolean): string[] {
  if (text === undefined) throw new UsageError(`missing required option ${flag}`);
  const hosts = parseHostPatterns(text);
  const issues = checkHostPatterns(hosts, { allowAnyHost });
  if (issues.length > 0) throw new UsageError(`${flag}: ${issues.map((i) => i.message).join('; ')}`);
  return hosts;
}

/**
 * ssh_config `Host` patterns that also name the hosts of `@cert-authority` lines: checked as
 * {@link hostPatternsOf}, and without `[host]:port` (ssh_config matches names, not ports; ssh checks a
 * host certificate against the bare name on every port).
 */
export function configHostPatternsOf(text: string | undefined, flag: string, allowAnyHost: boolean): string[] {
  const hosts = hostPatternsOf(text, flag, allowAnyHost);
  const bracketed = hosts.find((h) => h.includes('['));
  if (bracketed !== undefined) {
    throw new UsageError(
      `${flag}: ${JSON.stringify(bracketed)} is a known_hosts [host]:port form, which an ssh_config Host line ` +
        'never matches; give the host pattern alone: ssh checks host certificates against the bare name on every port',
    );
  }
  return hosts;
}

/** The trust of `keys` for `hosts`, validated (a bad key is refused with exit code 1). */
export const certAuthorityOf = (hosts: readonly string[], keys: readonly string[]): CertAuthorityTrust =>
  validateCertAuthority({ hosts, caKeys: keys, allowAnyHost: true }); // patterns were checked by hostPatternsOf

/**
 * Write `trust`'s `@cert-authority` lines into the known_hosts file `file` (0644, atomically; the
 * directory made 0700 if missing): other lines are kept, older lines for the same patterns replaced.
 */
export function writeKnownHosts(file: string, trust: CertAuthorityTrust): void {
  if (!existsSync(dirname(file))) mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const existing = existsSync(file) ? readFileSync(file, 'utf8') : '';
  writeFileAtomic(file, renderKnownHostsFile(existing, trust), { mode: 0o644, overwrite: true });
}
