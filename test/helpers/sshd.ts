// Real OpenSSH sshd "hosts" for tests: each on its own loopback address and port, with its own host
// key, TrustedUserCAKeys and AuthorizedPrincipalsFile, started as `/usr/sbin/sshd -D -e` with its
// log captured, and ended by its own pid. Tests call `stopAll` in afterAll.

import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { makeScratchDir, removeScratchDir } from './scratch.js';

/** What a host trusts and who may log in as which account. */
export interface SshdHostSpec {
  readonly name: string;
  /** Loopback address, e.g. 127.0.0.2. */
  readonly address: string;
  /** authorized_keys-format CA public key lines for TrustedUserCAKeys. */
  readonly trustedUserCaKeys: readonly string[];
  /** Local account → principals accepted for it (AuthorizedPrincipalsFile). */
  readonly principals: Readonly<Record<string, readonly string[]>>;
  /** More sshd_config lines. */
  readonly extraConfig?: readonly string[];
}

/** Options for `startSshdHosts`. */
export interface SshdOptions {
  /** The sshd binary. @default '/usr/sbin/sshd' */
  readonly sshdPath?: string;
}

/** A running sshd. */
export interface SshdHost {
  readonly name: string;
  readonly address: string;
  readonly port: number;
  readonly pid: number;
  readonly dir: string;
  readonly hostPublicKey: string;
  /** `[address]:port <host key>` for a known_hosts file. */
  readonly knownHostsLine: string;
  /** Everything sshd has logged so far. */
  log(): string;
  /** Resolve with the first log line at or after `from` (a `log().length` mark) matching `pattern`. */
  waitForLog(pattern: RegExp, from?: number, timeoutMs?: number): Promise<string>;
  setTrustedUserCaKeys(lines: readonly string[]): void;
  setPrincipals(account: string, principals: readonly string[]): void;
  /** End the process by its pid (SIGTERM, then SIGKILL) and remove its directory. */
  stop(): Promise<void>;
}

function freePort(address: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, address, () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise((r) => child.once('exit', () => r()));
}

async function startOne(spec: SshdHostSpec, sshdPath: string): Promise<SshdHost> {
  const dir = makeScratchDir(`sshd-${spec.name}`);
  chmodSync(dir, 0o755); // sshd reads the principals file as the logging-in account
  const hostKey = join(dir, 'host_ed25519');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', `${spec.name}-host`, '-f', hostKey]);
  const hostPublicKey = readFileSync(`${hostKey}.pub`, 'utf8').trim().split(' ').slice(0, 2).join(' ');
  const caFile = join(dir, 'trusted-user-ca-keys.pem');
  const principalsDir = join(dir, 'principals');
  mkdirSync(principalsDir);
  const setTrustedUserCaKeys = (lines: readonly string[]) => writeFileSync(caFile, lines.map((l) => `${l}\n`).join(''));
  const setPrincipals = (account: string, principals: readonly string[]) =>
    writeFileSync(join(principalsDir, account), principals.map((p) => `${p}\n`).join(''));
  setTrustedUserCaKeys(spec.trustedUserCaKeys);
  for (const [account, principals] of Object.entries(spec.principals)) setPrincipals(account, principals);

  for (let attempt = 1; ; attempt++) {
    const port = await freePort(spec.address);
    const config = join(dir, 'sshd_config');
    writeFileSync(
      config,
      [
        `ListenAddress ${spec.address}`,
        `Port ${port}`,
        `HostKey ${hostKey}`,
        `PidFile ${join(dir, 'sshd.pid')}`,
        `TrustedUserCAKeys ${caFile}`,
        `AuthorizedPrincipalsFile ${principalsDir}/%u`,
        'AuthorizedKeysFile none',
        'PasswordAuthentication no',
        'KbdInteractiveAuthentication no',
        'UsePAM no',
        'StrictModes no', // the files live under the temporary directory
        'Subsystem sftp internal-sftp',
        'LogLevel VERBOSE',
        ...(spec.extraConfig ?? []),
        '',
      ].join('\n'),
    );
    const child = spawn(sshdPath, ['-D', '-e', '-f', config], { stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (log += d));
    const deadline = Date.now() + 10_000;
    while (!/Server listening on/.test(log) && child.exitCode === null && Date.now() < deadline) await sleep(10);
    if (/Server listening on/.test(log)) {
      const host: SshdHost = {
        name: spec.name,
        address: spec.address,
        port,
        pid: child.pid!,
        dir,
        hostPublicKey,
        knownHostsLine: `[${spec.address}]:${port} ${hostPublicKey}`,
        log: () => log,
        async waitForLog(pattern, from = 0, timeoutMs = 5_000) {
          const until = Date.now() + timeoutMs;
          for (;;) {
            const line = log
              .slice(from)
              .split(/\r?\n/) // sshd -e ends its lines with CRLF
              .find((l) => pattern.test(l));
            if (line !== undefined) return line;
            if (Date.now() > until) throw new Error(`sshd ${spec.name} never logged ${pattern}; its log:\n${log}`);
            await sleep(20);
          }
        },
        setTrustedUserCaKeys,
        setPrincipals,
        async stop() {
          if (child.exitCode === null && child.signalCode === null) {
            process.kill(child.pid!, 'SIGTERM');
            const killed = await Promise.race([exited(child).then(() => true), sleep(3_000).then(() => false)]);
            if (!killed) {
              process.kill(child.pid!, 'SIGKILL');
              await exited(child);
            }
          }
          removeScratchDir(dir);
        },
      };
      return host;
    }
    if (child.exitCode === null) process.kill(child.pid!, 'SIGKILL');
    await exited(child);
    if (!/Address already in use/.test(log) || attempt >= 5) {
      removeScratchDir(dir);
      throw new Error(`sshd ${spec.name} did not start on ${spec.address}:${port}; its log:\n${log}`);
    }
  }
}

/** Start one sshd per spec. Needs root and openssh-server. */
export async function startSshdHosts(specs: readonly SshdHostSpec[], options: SshdOptions = {}): Promise<SshdHost[]> {
  const sshdPath = options.sshdPath ?? '/usr/sbin/sshd';
  if (!existsSync(sshdPath)) {
    throw new Error(
      `openssh-server is not installed: ${sshdPath} not found. Install it with: apt-get install -y openssh-server`,
    );
  }
  if (process.getuid?.() !== 0) throw new Error('the sshd test hosts need root (sshd switches to the test account)');
  mkdirSync('/run/sshd', { recursive: true }); // sshd's privilege separation directory
  const hosts: SshdHost[] = [];
  try {
    for (const spec of specs) hosts.push(await startOne(spec, sshdPath));
  } catch (e) {
    await stopAll(hosts);
    throw e;
  }
  return hosts;
}

/** Stop every host (safe to call with hosts that are already stopped). */
export async function stopAll(hosts: readonly SshdHost[]): Promise<void> {
  await Promise.all(hosts.map((h) => h.stop()));
}
