// The real OpenSSH client for tests: one login attempt against an SshdHost with a key and an
// optional certificate; no agent, no config files, no connection sharing (ControlPath=none, so an
// earlier good login can never carry a later one), and strict host-key checking against the hosts'
// own keys. A refused login is a result, not an exception.

import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomically } from './scratch.js';
import type { SshdHost } from './sshd.js';

/** Where Debian's openssh-client installs ssh. */
export const SSH_PATH = '/usr/bin/ssh';

/** One login attempt. */
export interface SshLoginOptions {
  readonly host: SshdHost;
  /** The local account on the host. */
  readonly user: string;
  /** The private key (`ssh -i`). */
  readonly identityFile: string;
  /** The certificate for that key (`-o CertificateFile=`). @default none: ssh tries `<identityFile>-cert.pub` */
  readonly certificateFile?: string;
  /** Remote command. @default 'true' */
  readonly command?: string;
  /** Ask for a pty (`-tt`); otherwise `-T`. @default false */
  readonly tty?: boolean;
  /** known_hosts file to check the host key against. @default one written with `host.knownHostsLine` */
  readonly knownHostsFile?: string;
  /**
   * Kill ssh after this long. Without a pty, sshd does not signal the remote command when the client
   * goes away: that command runs on to its end.
   * @default 15000
   */
  readonly timeoutMs?: number;
}

/** The outcome of a login attempt. */
export interface SshResult {
  /**
   * ssh's exit code: the remote command's code, or 255 when ssh itself failed (refused
   * authentication, host key mismatch…); 128 + signal number if ssh was killed (137 on timeout).
   */
  readonly code: number;
  readonly stdout: string;
  /** ssh's and the remote command's stderr; after a timeout, it ends with a line saying so. */
  readonly stderr: string;
}

/** Write `<dir>/known_hosts` with one line per host and return its path. */
export function writeKnownHosts(hosts: readonly SshdHost[], dir: string): string {
  const file = join(dir, 'known_hosts');
  writeFileAtomically(file, hosts.map((h) => `${h.knownHostsLine}\n`).join(''));
  return file;
}

/**
 * The options that keep a test's ssh to itself: no agent, no connection sharing, the host key checked
 * strictly against `knownHostsFile` only, and a 5 s connect timeout.
 */
export function isolationOptions(knownHostsFile: string): string[] {
  return [
    '-o',
    'IdentityAgent=none',
    '-o',
    'ControlPath=none',
    '-o',
    'StrictHostKeyChecking=yes',
    '-o',
    `UserKnownHostsFile=${knownHostsFile}`,
    '-o',
    'GlobalKnownHostsFile=none',
    '-o',
    'ConnectTimeout=5',
  ];
}

/** Run `ssh` once and collect the result. Rejects only if ssh cannot be run at all. */
export function sshLogin(o: SshLoginOptions): Promise<SshResult> {
  const timeoutMs = o.timeoutMs ?? 15_000;
  const args = [
    '-F',
    'none',
    '-o',
    'BatchMode=yes',
    '-o',
    'IdentitiesOnly=yes',
    ...isolationOptions(o.knownHostsFile ?? writeKnownHosts([o.host], o.host.dir)),
    '-i',
    o.identityFile,
    ...(o.certificateFile === undefined ? [] : ['-o', `CertificateFile=${o.certificateFile}`]),
    o.tty ? '-tt' : '-T',
    '-p',
    String(o.host.port),
    `${o.user}@${o.host.address}`,
    o.command ?? 'true',
  ];
  return runSsh(args, { timeoutMs, label: 'sshLogin' });
}

/**
 * Run `ssh` with `args` (stdin /dev/null) and collect the result; after `timeoutMs` ssh is killed and
 * stderr ends with `<label>: ssh killed after <timeoutMs> ms`. Rejects only if ssh cannot be run at all.
 */
export function runSsh(
  args: readonly string[],
  o: {
    readonly timeoutMs: number;
    /** Names the caller in the timeout line. */
    readonly label: string;
    /** @default this process's environment */
    readonly env?: NodeJS.ProcessEnv;
  },
): Promise<SshResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(SSH_PATH, args, { stdio: ['ignore', 'pipe', 'pipe'], ...(o.env ? { env: o.env } : {}) });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, o.timeoutMs);
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`cannot run ${SSH_PATH}: ${e.message}`));
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      if (timedOut) stderr += `${o.label}: ssh killed after ${o.timeoutMs} ms\n`;
      resolve({ code: code ?? 128 + constants.signals[signal!], stdout, stderr });
    });
  });
}
