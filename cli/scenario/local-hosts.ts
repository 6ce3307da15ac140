// Local stand-ins for the dev and prod hosts: one sshd per environment on a loopback address,
// configured from the rendered host-trust files (drop-in first, as Debian includes it), checked with
// `sshd -t` before it starts, and ended by its own pid.

import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { HostTrust } from '../../core/render/host-trust.js';
import { probeArgs } from '../ssh-probe.js';
import { renderPrincipalsFiles, renderSshdDropIn, renderTrustedCaKeys } from '../../core/render/sshd-files.js';

export const SSHD = '/usr/sbin/sshd';

/** A running local host. */
export interface LocalHost {
  readonly environment: string;
  readonly address: string;
  readonly port: number;
  readonly knownHostsLine: string;
  stop(): Promise<void>;
}

/** Why local hosts cannot run here, or undefined when they can. */
export function localHostsUnavailable(): string | undefined {
  if (!existsSync(SSHD)) return 'openssh-server is not installed (apt-get install -y openssh-server)';
  if (process.getuid?.() !== 0) return 'sshd needs root to switch to the logging-in account';
  return undefined;
}

/** A port nobody listens on at `address` right now. */
export const freePort = (address: string) =>
  new Promise<number>((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, address, () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

/** Write the host's files from `trust` (whose paths point into `dir`) and start its sshd. */
export async function startLocalHost(
  environment: string,
  address: string,
  dir: string,
  trust: HostTrust,
): Promise<LocalHost> {
  mkdirSync(join(dir, 'sshd_config.d'), { recursive: true });
  chmodSync(dir, 0o711); // sshd reads principals files as the logging-in account
  mkdirSync(trust.paths.principalsDir, { recursive: true, mode: 0o755 });
  writeFileSync(trust.paths.dropIn, renderSshdDropIn(trust), { mode: 0o644 });
  writeFileSync(trust.paths.trustedCaKeys, renderTrustedCaKeys(trust), { mode: 0o644 });
  for (const f of renderPrincipalsFiles(trust)) writeFileSync(f.path, f.content, { mode: 0o644 });
  const hostKey = join(dir, 'ssh_host_ed25519_key');
  if (!existsSync(hostKey))
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', `${environment}-host`, '-f', hostKey]);
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  const port = await freePort(address);
  const config = join(dir, 'sshd_config');
  writeFileSync(
    config,
    [
      `Include ${join(dir, 'sshd_config.d')}/*.conf`,
      `ListenAddress ${address}`,
      `Port ${port}`,
      `HostKey ${hostKey}`,
      `PidFile ${join(dir, 'sshd.pid')}`,
      'AuthorizedKeysFile none',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'UsePAM no',
      'StrictModes no',
      'LogLevel VERBOSE',
      '',
    ].join('\n'),
  );
  const test = spawnSync(SSHD, ['-t', '-f', config], { encoding: 'utf8' });
  if (test.status !== 0) throw new Error(`sshd -t refused the ${environment} configuration: ${test.stderr.trim()}`);
  const child: ChildProcess = spawn(SSHD, ['-D', '-e', '-f', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (log += d));
  for (let i = 0; i < 500 && !log.includes('Server listening') && child.exitCode === null; i++) await sleep(10);
  if (!log.includes('Server listening')) {
    child.kill('SIGKILL');
    throw new Error(`sshd for ${environment} did not start: ${log.trim()}`);
  }
  const hostKeyLine = readFileSync(`${hostKey}.pub`, 'utf8').split(' ').slice(0, 2).join(' ');
  return {
    environment,
    address,
    port,
    knownHostsLine: `[${address}]:${port} ${hostKeyLine}`,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await new Promise((r) => child.once('exit', r));
      }
    },
  };
}

/** Try a login with a key and its certificate; true when the host let it in. */
export function tryLogin(host: LocalHost, user: string, identityFile: string, knownHosts: string): boolean {
  const args = probeArgs({
    identityFile,
    certificateFile: `${identityFile}-cert.pub`,
    knownHosts,
    strictHostKeyChecking: 'yes',
    port: host.port,
    destination: `${user}@${host.address}`,
  });
  const r = spawnSync('ssh', args, { stdio: 'ignore', timeout: 15_000 });
  return r.status === 0;
}
