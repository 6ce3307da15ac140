// The host-trust model every renderer shares: which CA public keys one environment's hosts trust,
// which principals may log in as which local account, and where sshd finds those files. The
// validator runs before anything is rendered, so a bad input fails as a whole with every problem
// named, and never produces a file that could lock anyone out.

import { ValidationError, type Issue } from '../errors.js';
import { formatAuthorizedKey, parseSshPublicKey } from '../keys/public-key.js';
import { byCodePoint, checkDropInName, checkOverlaps, checkPath } from './path-checks.js';

/** Where the rendered files live on a host. */
export interface HostTrustPaths {
  /** The sshd drop-in. Its name must sort before `50-cloud-init.conf` (sshd keeps the first value it reads). */
  readonly dropIn: string;
  /** The TrustedUserCAKeys file. */
  readonly trustedCaKeys: string;
  /** The directory of AuthorizedPrincipalsFile `<dir>/%u`, one file per account. */
  readonly principalsDir: string;
}

/** Debian, Ubuntu, Amazon Linux 2023 and RHEL 9 include `/etc/ssh/sshd_config.d/*.conf` first. */
export const DEFAULT_HOST_TRUST_PATHS: HostTrustPaths = {
  dropIn: '/etc/ssh/sshd_config.d/10-sshca.conf',
  trustedCaKeys: '/etc/ssh/sshca/trusted_user_ca_keys',
  principalsDir: '/etc/ssh/sshca/principals',
};

/** What the hosts of one environment trust. */
export interface HostTrustSpec {
  /** Environment name, e.g. `dev` or `prod`. */
  readonly environment: string;
  /** CA public keys (authorized_keys lines; comments are dropped). Several allow rotation overlap. */
  readonly caKeys: readonly string[];
  /**
   * Local account → principals that may log in as it, e.g. `{ ubuntu: ['ubuntu', 'dev-admin'] }`.
   * An account without a file here accepts no certificate.
   */
  readonly principals: Readonly<Record<string, readonly string[]>>;
  /** @default DEFAULT_HOST_TRUST_PATHS */
  readonly paths?: Partial<HostTrustPaths>;
}

/** A validated spec: keys normalised to `<type> <base64>`, accounts and principals sorted and unique. */
export interface HostTrust {
  readonly environment: string;
  readonly caKeys: readonly string[];
  readonly principals: ReadonlyArray<readonly [account: string, principals: readonly string[]]>;
  readonly paths: HostTrustPaths;
}

const ENVIRONMENT = /^[a-z0-9][a-z0-9_-]{0,31}$/;
// POSIX portable user names (useradd's default pattern, upper case allowed as on most systems).
const ACCOUNT = /^[A-Za-z_][A-Za-z0-9_.-]{0,31}$/;
// Printable ASCII without spaces or commas (Vault splits principals on commas), not a comment.
const PRINCIPAL = /^(?!#)[!-+\--~]+$/;
// cloud-init's ssh module deletes these on first boot (ssh_deletekeys).
const HOST_KEY_GLOB = /^\/etc\/ssh\/ssh_host_.*key/;

/** checkPath, and not a file cloud-init deletes. Returns whether the path has the right form. */
function checkHostPath(field: string, path: string, issues: Issue[]): boolean {
  if (!checkPath(field, path, issues)) return false;
  if (HOST_KEY_GLOB.test(path)) {
    issues.push({
      field,
      message: `${field} ${path} matches /etc/ssh/ssh_host_*key*, which cloud-init deletes on first boot`,
    });
  }
  return true;
}

/**
 * The files sshd itself needs where these renderers' files go (Debian's and the Ansible role's
 * defaults): no path of ours may be one of them, and the principals directory may not contain them.
 */
export const SSHD_FILES = { config: '/etc/ssh/sshd_config', command: '/usr/sbin/sshd' } as const;

/**
 * Refuses paths that overlap (issue 13, finding 8: a principals directory that held sshd_config or
 * the trusted keys file had them removed as "principals files of unmapped accounts"). Same rules and
 * words as the Ansible role's tasks/validate.yml.
 */
function checkHostOverlaps(paths: HostTrustPaths, issues: Issue[]): void {
  checkOverlaps(
    [
      { field: 'paths.principals_dir', name: 'the principals directory', path: paths.principalsDir, written: true },
      { field: 'paths.drop_in', name: 'the drop-in', path: paths.dropIn, written: true },
      { field: 'paths.trusted_ca_keys', name: 'the trusted CA keys file', path: paths.trustedCaKeys, written: true },
      { field: 'sshd_config', name: 'the sshd config', path: SSHD_FILES.config, written: false },
      { field: 'sshd_command', name: 'the sshd command', path: SSHD_FILES.command, written: false },
    ],
    issues,
  );
}

function normaliseCaKeys(keys: readonly string[], issues: Issue[]): string[] {
  if (keys.length === 0) issues.push({ field: 'ca_keys', message: 'at least one CA public key is required' });
  const out: string[] = [];
  keys.forEach((raw, i) => {
    const text = raw.trim();
    const field = `ca_keys[${i}]`;
    if (/PRIVATE KEY/.test(text)) {
      issues.push({ field, message: `${field} is a private key: hosts need only the CA public key` });
      return;
    }
    try {
      const key = parseSshPublicKey(text.split(/\s+/).slice(0, 2).join(' '));
      if (key.family === 'dsa') {
        issues.push({ field, message: `${field} is a DSA key, which OpenSSH no longer accepts from a CA` });
        return;
      }
      const line = formatAuthorizedKey(key.blob);
      if (!out.includes(line)) out.push(line);
    } catch (e) {
      issues.push({ field, message: `${field} is not an SSH public key: ${(e as Error).message}` });
    }
  });
  return out;
}

function normalisePrincipals(
  mapping: Readonly<Record<string, readonly string[]>>,
  issues: Issue[],
): Array<readonly [string, string[]]> {
  const accounts = Object.keys(mapping).sort(byCodePoint);
  return accounts.map((account) => {
    const field = `principals.${account}`;
    if (!ACCOUNT.test(account))
      issues.push({ field, message: `${JSON.stringify(account)} is not a valid account name` });
    const list = [...new Set(mapping[account] ?? [])].sort(byCodePoint);
    if (list.length === 0) issues.push({ field, message: `account ${account} has no principals` });
    for (const p of list) {
      if (!PRINCIPAL.test(p)) {
        issues.push({
          field,
          message: `principal ${JSON.stringify(p)} must be printable ASCII without spaces or commas, not starting with #`,
        });
      } else if (p === '*') {
        issues.push({ field, message: 'principal "*" is refused: sshd matches principals literally' });
      }
    }
    return [account, list] as const;
  });
}

/** Validate and normalise a spec; throws a ValidationError listing every problem. */
export function validateHostTrust(spec: HostTrustSpec): HostTrust {
  const issues: Issue[] = [];
  if (!ENVIRONMENT.test(spec.environment)) {
    issues.push({
      field: 'environment',
      message: `environment must be 1-32 lower-case letters, digits, _ or -, got ${JSON.stringify(spec.environment)}`,
    });
  }
  const caKeys = normaliseCaKeys(spec.caKeys, issues);
  const principals = normalisePrincipals(spec.principals, issues);
  const paths = { ...DEFAULT_HOST_TRUST_PATHS, ...spec.paths };
  const formed = [
    checkHostPath('paths.drop_in', paths.dropIn, issues),
    checkHostPath('paths.trusted_ca_keys', paths.trustedCaKeys, issues),
    checkHostPath('paths.principals_dir', paths.principalsDir, issues),
  ].every(Boolean);
  checkDropInName(paths.dropIn, issues);
  if (formed) checkHostOverlaps(paths, issues);
  if (issues.length > 0) throw new ValidationError(issues);
  return { environment: spec.environment, caKeys, principals, paths };
}
