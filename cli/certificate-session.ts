// Getting a certificate for a key from the backend: an existing key, or a fresh ed25519 key kept
// under ~/.ssh/sshca (0600, in a 0700 directory); the certificate written beside it as
// `<key>-cert.pub`; the backend's refusals turned into plain words, Vault's own text kept.

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { signKey } from '../client/ssh-api.js';
import { isVaultApiError, type VaultClient } from '../client/vault-client.js';
import { parseCertificate, type DecodedCertificate } from '../core/cert/certificate.js';
import { formatGoDuration } from '../core/duration.js';
import { RequestError } from '../core/errors.js';
import { generateKeyPair } from '../server/ssh/generate-key-pair.js';
import { invalidTokenError } from './auth.js';
import { writeFileAtomic } from './files.js';
import { noSuchMount } from './mount-errors.js';

/** What to sign. */
export interface CertificateRequest {
  readonly mount: string;
  readonly role: string;
  readonly principals?: readonly string[];
  /** Vault duration; the role's default when absent. */
  readonly ttl?: string;
  /** An existing private key; a fresh ed25519 key when absent. */
  readonly keyFile?: string;
  /** Where a fresh key goes. @default defaultIdentityFile(mount, role) */
  readonly freshKeyFile?: string;
}

/** A certificate in place. */
export interface CertificateOnDisk {
  readonly identityFile: string;
  readonly certificateFile: string;
  readonly certificate: DecodedCertificate;
  readonly signedKey: string;
}

/** Where fresh keys live: $SSHCA_HOME, else ~/.ssh/sshca. */
export const sshcaHome = (): string => process.env.SSHCA_HOME ?? join(homedir(), '.ssh', 'sshca');

/** The key file `sshca login` uses for a mount and role when no --key is given. */
export const defaultIdentityFile = (mount: string, role: string): string =>
  join(sshcaHome(), `${mount.replace(/\//g, '_')}-${role}`);

/** The public key of a private key file: `<key>.pub`, else what `ssh-keygen -y` derives. */
function publicKeyOf(keyFile: string): string {
  if (existsSync(`${keyFile}.pub`)) return readFileSync(`${keyFile}.pub`, 'utf8');
  if (!existsSync(keyFile)) throw new RequestError(`no such key: ${keyFile}`);
  return execFileSync('ssh-keygen', ['-y', '-f', keyFile], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Vault's refusal of a sign request, in plain words. */
function explain(req: CertificateRequest, status: number, errors: readonly string[]): string {
  const vault = errors.join('; ').replace(/^1 error occurred:\n\t\* (.*)\n\n$/s, '$1');
  const where = `${req.mount}/sign/${req.role}`;
  let plain: string;
  if (status === 403) plain = `your token may not sign on ${where}: it needs a policy with "update" on that path`;
  else if (/^Unknown role/.test(vault)) plain = `role ${req.role} does not exist on mount ${req.mount}`;
  else if (/is not a valid value for valid_principals/.test(vault)) {
    plain = `principal ${vault.split(' ')[0]} is not allowed by role ${req.role}`;
  } else if (/^ttl is larger than maximum allowed (\d+)/.test(vault)) {
    plain = `TTL ${req.ttl} is above the role's maximum of ${formatGoDuration(Number(/(\d+)/.exec(vault)![1]))}`;
  } else if (/^empty valid principals not allowed by role/.test(vault)) {
    plain = `role ${req.role} has no default principal: name one with --principals`;
  } else if (/no handler for route/.test(vault)) plain = noSuchMount(req.mount);
  else plain = `the backend refused to sign on ${where}`;
  return `${plain} (backend said: ${vault || `HTTP ${status}`})`;
}

/** Sign a key (existing or fresh) and write the certificate beside it. */
export async function obtainCertificate(client: VaultClient, req: CertificateRequest): Promise<CertificateOnDisk> {
  let identityFile: string;
  let publicKey: string;
  if (req.keyFile) {
    identityFile = req.keyFile;
    publicKey = publicKeyOf(identityFile);
  } else {
    identityFile = req.freshKeyFile ?? defaultIdentityFile(req.mount, req.role);
    mkdirSync(dirname(identityFile), { recursive: true, mode: 0o700 });
    const pair = generateKeyPair('ed25519', 0);
    writeFileAtomic(identityFile, pair.privateKey, { mode: 0o600, overwrite: true });
    writeFileAtomic(`${identityFile}.pub`, pair.publicKey, { mode: 0o644, overwrite: true });
    publicKey = pair.publicKey;
  }
  let signedKey: string;
  try {
    signedKey = (
      await signKey(client, req.mount, req.role, {
        public_key: publicKey,
        ...(req.principals && req.principals.length > 0 ? { valid_principals: req.principals.join(',') } : {}),
        ...(req.ttl ? { ttl: req.ttl } : {}),
      })
    ).signedKey;
  } catch (e) {
    const invalid = invalidTokenError(e);
    if (invalid) throw invalid;
    if (isVaultApiError(e) && e.status >= 400 && e.status < 500)
      throw new RequestError(explain(req, e.status, e.errors));
    throw e;
  }
  const certificateFile = `${identityFile}-cert.pub`;
  writeFileAtomic(certificateFile, signedKey, { mode: 0o644, overwrite: true });
  return { identityFile, certificateFile, certificate: parseCertificate(signedKey), signedKey };
}

/** Whether a public key blob is one of the keys `sshca login` keeps (in sshcaHome). */
export function isSshcaKey(blob: Buffer): boolean {
  const dir = sshcaHome();
  if (!existsSync(dir)) return false;
  return readdirSync(dir)
    .filter((f) => f.endsWith('.pub') && !f.endsWith('-cert.pub'))
    .some((f) => {
      const parts = readFileSync(join(dir, f), 'utf8').trim().split(/\s+/);
      return parts[1] !== undefined && Buffer.from(parts[1], 'base64').equals(blob);
    });
}

/** The certificate already beside a key, if any. */
export function existingCertificate(identityFile: string): DecodedCertificate | undefined {
  const file = `${identityFile}-cert.pub`;
  if (!existsSync(file) || !existsSync(identityFile)) return undefined;
  try {
    return parseCertificate(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}
