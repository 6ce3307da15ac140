// The real OpenSSH client for tests: one login attempt against an SshdHost with a key and an
// optional certificate, no agent, no config files, no connection sharing (ControlPath=none), and
// strict host-key checking against the host's own key. Never throws on a refused login.

import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SshdHost } from './sshd.js';

/** One login attempt. */
export interface SshLoginOptions {
  readonly host: SshdHost;
  readonly user: string;
  readonly identityFile: string;
  readonly certificateFile?: string;
  /** Remote command. @default 'true' */
  readonly command?: string;
  /** Ask for a pty (`-tt`); otherwise `-T`. @default false */
  readonly tty?: boolean;
  /** @default 15000 */
  readonly timeoutMs?: number;
}

/** The outcome: exit code (255 = ssh's own failure, e.g. refused authentication) and output. */
export interface SshResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Run `ssh` once and collect the result. */
export function sshLogin(o: SshLoginOptions): Promise<SshResult> {
  const knownHosts = join(o.host.dir, 'client_known_hosts');
  writeFileSync(knownHosts, `${o.host.knownHostsLine}\n`);
  const args = [
    '-F',
    'none',
    '-o',
    'BatchMode=yes',
    '-o',
    'IdentitiesOnly=yes',
    '-o',
    'IdentityAgent=none',
    '-o',
    'ControlPath=none',
    '-o',
    'StrictHostKeyChecking=yes',
    '-o',
    `UserKnownHostsFile=${knownHosts}`,
    '-o',
    'ConnectTimeout=5',
    '-i',
    o.identityFile,
    ...(o.certificateFile ? ['-o', `CertificateFile=${o.certificateFile}`] : []),
    o.tty ? '-tt' : '-T',
    '-p',
    String(o.host.port),
    `${o.user}@${o.host.address}`,
    o.command ?? 'true',
  ];
  return new Promise((resolve) => {
    const child = spawn('/usr/bin/ssh', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), o.timeoutMs ?? 15_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 255, stdout, stderr });
    });
  });
}
