// The legacy dynamic-key mode's one effect on hosts (issue 23): log in to a host as the role's admin
// account with OpenSSH's own `ssh` client and install or uninstall one authorized_keys line for an
// account. ssh checks the host's key against the role's pins (known_hosts lines, `@cert-authority`
// included) in a temporary known_hosts file; the admin key lives in a 0600 file of a 0700 temporary
// directory for the length of the connection only. One connection at a time per host: parallel
// credentials would otherwise meet sshd's MaxStartups and the host script's lock.
//
// On the host: with no `install_script`, `sudo -n /usr/local/sbin/sshca-authorized-key install|uninstall
// USER` with the key line on stdin (ansible/roles/ssh_dynamic_keys_admin). A custom script (Vault's
// way) arrives on stdin into a temporary file in the admin's home and runs as
// `sh FILE install|uninstall PUBLIC_KEY_FILE /home/USER/.ssh/authorized_keys`, then both files go.

import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { vaultAuthorizedKeysPath } from '../../core/dynamic-keys.js';
import { KeyedLock } from '../keyed-lock.js';

/** The helper the default install runs on hosts, through sudo. */
export const AUTHORIZED_KEY_HELPER = '/usr/local/sbin/sshca-authorized-key';

const CONNECT_TIMEOUT_S = 10;
/** The whole session (connect, sudo, the script), after which ssh is ended by its pid. */
const SESSION_TIMEOUT_MS = 60_000;
const MAX_STDERR = 4096;

/** Where and as whom to connect, and how the host's key is checked. */
export interface DynamicHostTarget {
  readonly ip: string;
  readonly port: number;
  readonly adminUser: string;
  /** The admin's private key (PEM or OpenSSH). Written to a 0600 file for the connection only. */
  readonly adminKey: string;
  /** known_hosts lines the host's key must match (ignored with `insecureIgnoreHostKey`). */
  readonly knownHosts: string;
  readonly insecureIgnoreHostKey: boolean;
}

/** One change of one account's authorized_keys. */
export interface AuthorizedKeyChange {
  readonly action: 'install' | 'uninstall';
  /** The account whose authorized_keys changes (checked by core's isSafeAccountName). */
  readonly username: string;
  /** The authorized_keys line, options included. */
  readonly keyLine: string;
  /** The role's custom install script; empty: the host's sshca-authorized-key. */
  readonly installScript: string;
}

/** What sshca-authorized-key's exit codes mean (its contract). */
const HELPER_EXITS: Readonly<Record<number, string>> = {
  2: `${AUTHORIZED_KEY_HELPER} refused its arguments (usage)`,
  3: `${AUTHORIZED_KEY_HELPER} refused the key line`,
  4: 'the account does not exist on the host',
  5: `${AUTHORIZED_KEY_HELPER} refused an unsafe authorized_keys file or directory (owner or mode)`,
  6: `${AUTHORIZED_KEY_HELPER} timed out waiting for the authorized_keys lock`,
};

const hosts = new KeyedLock();

/** The remote command line (account names are checked, the key line is base64: nothing to quote). */
function remoteCommand(change: AuthorizedKeyChange): { command: string; stdin: string } {
  if (change.installScript === '') {
    return {
      command: `sudo -n ${AUTHORIZED_KEY_HELPER} ${change.action} ${change.username}`,
      stdin: `${change.keyLine}\n`,
    };
  }
  const key = Buffer.from(`${change.keyLine}\n`).toString('base64');
  const command = [
    'umask 077',
    'd=$(mktemp -d "$HOME/.sshca-dynamic-XXXXXXXX") || exit 70',
    `trap 'rm -rf "$d"' EXIT`,
    'cat > "$d/install.sh"',
    `printf '%s' '${key}' | base64 -d > "$d/key.pub"`,
    `sh "$d/install.sh" ${change.action} "$d/key.pub" ${vaultAuthorizedKeysPath(change.username)}`,
  ].join('; ');
  return { command, stdin: change.installScript };
}

/** The last non-empty line of ssh's stderr, shortened: enough to say why, nothing secret. */
const lastLine = (stderr: string): string =>
  (
    stderr
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter(Boolean)
      .pop() ?? 'no message'
  ).slice(0, 200);

/** Why a session failed, in one sentence naming the host and what to fix. */
function failure(target: DynamicHostTarget, change: AuthorizedKeyChange, code: number | null, stderr: string): string {
  const host = `${target.ip}:${target.port}`;
  if (code === 255 && /Host key verification failed|REMOTE HOST IDENTIFICATION HAS CHANGED/.test(stderr)) {
    return `the host key of ${host} does not match the role's known_hosts pins (Host key verification failed); nothing was changed`;
  }
  if (code === 255) {
    return `cannot log in to ${host} as ${target.adminUser} with the role's admin key: ${lastLine(stderr)}`;
  }
  if (code === null) return `the session with ${host} did not end within ${SESSION_TIMEOUT_MS / 1000} s`;
  if (change.installScript === '') {
    if (/a password is required|not allowed to execute|may not run sudo/.test(stderr)) {
      return `sudo refused on ${host}: ${target.adminUser} needs passwordless sudo for ${AUTHORIZED_KEY_HELPER}`;
    }
    if (/command not found|No such file/.test(stderr)) return `${AUTHORIZED_KEY_HELPER} is not installed on ${host}`;
    const known = HELPER_EXITS[code];
    if (known) return `${change.action} of the key for ${change.username} on ${host}: ${known}`;
  }
  return `${change.action} of the key for ${change.username} on ${host} failed (exit ${code}): ${lastLine(stderr)}`;
}

/** Run ssh with `args`, feeding `stdin`; resolves with its exit code (null: ended by the timeout). */
function runSsh(args: readonly string[], stdin: string): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('ssh', args, { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    let timedOut = false;
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      if (stderr.length < MAX_STDERR) stderr += d;
    });
    const timer = setTimeout(() => {
      timedOut = true;
      if (child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
    }, SESSION_TIMEOUT_MS);
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`cannot run ssh: ${e.message}`));
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code: timedOut ? null : code, stderr });
    });
    child.stdin.on('error', () => undefined); // the remote side may close early; the exit code says why
    child.stdin.end(stdin);
  });
}

/**
 * Install or uninstall one authorized_keys line on a host through its admin account. Resolves when
 * the host reported success; rejects with a message that names the host and the fix (never key
 * material). One session at a time per host.
 */
export function changeAuthorizedKey(target: DynamicHostTarget, change: AuthorizedKeyChange): Promise<void> {
  return hosts.run(`${target.ip}:${target.port}`, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sshca-dynamic-'));
    try {
      const keyFile = join(dir, 'admin-key');
      await writeFile(keyFile, target.adminKey.endsWith('\n') ? target.adminKey : `${target.adminKey}\n`, {
        mode: 0o600,
      });
      let hostKeyOptions: string[];
      if (target.insecureIgnoreHostKey) {
        hostKeyOptions = ['-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null'];
      } else {
        const knownHostsFile = join(dir, 'known_hosts');
        await writeFile(knownHostsFile, `${target.knownHosts.trim()}\n`, { mode: 0o600 });
        hostKeyOptions = ['-o', 'StrictHostKeyChecking=yes', '-o', `UserKnownHostsFile=${knownHostsFile}`];
      }
      const { command, stdin } = remoteCommand(change);
      const args = [
        '-F',
        'none',
        '-i',
        keyFile,
        '-o',
        'IdentitiesOnly=yes',
        '-o',
        'BatchMode=yes',
        '-o',
        `ConnectTimeout=${CONNECT_TIMEOUT_S}`,
        ...hostKeyOptions,
        '-o',
        'GlobalKnownHostsFile=/dev/null',
        '-o',
        'UpdateHostKeys=no',
        '-o',
        'LogLevel=ERROR',
        '-p',
        String(target.port),
        '-l',
        target.adminUser,
        target.ip,
        command,
      ];
      const { code, stderr } = await runSsh(args, stdin);
      if (code !== 0) throw new Error(failure(target, change, code, stderr));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
}
