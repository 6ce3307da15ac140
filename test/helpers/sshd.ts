// Real OpenSSH sshd "hosts" for tests: each on its own loopback address and a free port, with its own
// host key, TrustedUserCAKeys and AuthorizedPrincipalsFile, started as `/usr/sbin/sshd -D -e` with its
// log captured in memory, and ended by its own pid. A test file starts its hosts in beforeAll and
// always calls `stopAll(hosts)` in afterAll; hosts still running when the test process exits are
// killed then as a last resort.
//
// PAM hosts (OTP logins): give a spec `pam: { auth: [...] }` (or `pam: { content }`). That host's sshd
// then runs with `UsePAM yes` and keyboard-interactive on, under a PAM service of its own: it is started
// through a symlink named `sshd-otp-<random>` (Debian's sshd takes its PAM service name from its program
// name) and the harness writes `/etc/pam.d/sshd-otp-<random>`, removed again by `stop()` (or at process
// exit). The machine's own /etc/pam.d/sshd and /etc/ssh/sshd_config are never read or written. Public-key
// (certificate) logins keep working beside keyboard-interactive unless `extraConfig` says otherwise,
// e.g. `AuthenticationMethods keyboard-interactive`. For the shipped OTP helper, see ./sshd-otp.ts.
//
// Host certificates (issue 17): give a spec `hostCertificate`, a function that signs the host's own
// public key (e.g. through a test server's host CA role). The host then presents that certificate
// beside its key (`HostCertificate`), and `host.hostCertificate` holds it.

import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { makeScratchDir, removeScratchDir, writeFileAtomically } from './scratch.js';

/** Where Debian's openssh-server installs sshd; sshd must be started by its absolute path. */
export const SSHD_PATH = '/usr/sbin/sshd';

const START_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 3_000;
const START_ATTEMPTS = 5;

/** What one host trusts and who may log in to it as which account. */
export interface SshdHostSpec {
  /** Label used in the scratch directory name and in error messages. */
  readonly name: string;
  /** Loopback address to listen on, e.g. `127.0.0.2` (all of 127.0.0.0/8 is local on Linux). */
  readonly address: string;
  /** authorized_keys-format CA public key lines for TrustedUserCAKeys. */
  readonly trustedUserCaKeys: readonly string[];
  /** Local account → the principals accepted for it (its AuthorizedPrincipalsFile). */
  readonly principals: Readonly<Record<string, readonly string[]>>;
  /**
   * More sshd_config lines. They come first, so they override the harness's own settings: for most
   * keywords sshd keeps the first value it reads.
   * @default none
   */
  readonly extraConfig?: readonly string[];
  /**
   * Run this host with PAM under a service of its own (see the header): keyboard-interactive logins go
   * through the given stack.
   * @default none: `UsePAM no`, no keyboard-interactive
   */
  readonly pam?: SshdPamSpec;
  /**
   * Present a host certificate: called with the host's public key (`ssh-ed25519 AAAA…`) before sshd
   * starts, it returns the certificate (`ssh-ed25519-cert-v01@openssh.com AAAA…`), which sshd serves
   * beside the key through `HostCertificate`.
   * @default none: the host presents its plain key
   */
  readonly hostCertificate?: (hostPublicKey: string) => string | Promise<string>;
  /**
   * Path of a key revocation list (KRL) for `RevokedKeys` (issue 20): sshd reads it at every public
   * key authentication and refuses the certificates and keys it revokes. It must exist before logins.
   * @default none: no RevokedKeys line
   */
  readonly revokedKeys?: string;
  /**
   * Accept plain public keys from this AuthorizedKeysFile (sshd's tokens, e.g. `%h/.ssh/authorized_keys`)
   * beside certificates: for the legacy dynamic keys (issue 23), which install such lines.
   * @default none: `AuthorizedKeysFile none`, certificates only
   */
  readonly authorizedKeysFile?: string;
}

/** The PAM service of one host. Give `auth` or `content`. */
export interface SshdPamSpec {
  /**
   * The service's `auth` lines, e.g. the pam_exec line of an OTP helper. The harness adds
   * `auth optional pam_unix.so not_set_pass use_first_pass nodelay` after them (without it a login
   * accepted by pam_exec is dropped at `pam_setcred()`), then `account required pam_unix.so` and
   * `session required pam_unix.so`.
   */
  readonly auth?: readonly string[];
  /** The whole service file instead, written as given (e.g. one rendered by an Ansible role). */
  readonly content?: string;
}

/** How to start the hosts. */
export interface SshdOptions {
  /** The sshd binary. @default {@link SSHD_PATH} */
  readonly sshdPath?: string;
}

/** A running sshd. */
export interface SshdHost {
  readonly name: string;
  readonly address: string;
  readonly port: number;
  /** The sshd listener's process id. */
  readonly pid: number;
  /** The host's scratch directory: config, host key, CA keys and principals files. */
  readonly dir: string;
  /** With `pam`: the PAM service name, `sshd-otp-<random>`. */
  readonly pamService?: string;
  /** With `pam`: the service file, `/etc/pam.d/<pamService>`; PAM reads it at every login. */
  readonly pamFile?: string;
  /** The host's public key, `ssh-ed25519 AAAA…` (no comment). */
  readonly hostPublicKey: string;
  /** `[address]:port <host key>`, a known_hosts line for this host. */
  readonly knownHostsLine: string;
  /** With `hostCertificate`: the certificate the host presents, as its function returned it. */
  readonly hostCertificate?: string;
  /** Everything sshd has logged so far, lines ending in `\n`. */
  log(): string;
  /**
   * Resolve with the first complete log line at or after offset `from` that matches `pattern`.
   * Take `from` as `host.log().length` before the action, so that earlier lines do not count. sshd
   * may log the reason for a refusal after the client has already exited, hence the waiting.
   * @param from - @default 0 (the whole log)
   * @param timeoutMs - @default 5000, then it rejects with the log since `from`
   */
  waitForLog(pattern: RegExp, from?: number, timeoutMs?: number): Promise<string>;
  /** Replace the TrustedUserCAKeys file; sshd reads it at every login. */
  setTrustedUserCaKeys(lines: readonly string[]): void;
  /** Replace `account`'s AuthorizedPrincipalsFile; sshd reads it at every login. */
  setPrincipals(account: string, principals: readonly string[]): void;
  /**
   * End sshd by its pid (SIGTERM, then SIGKILL after 3 s) and remove its directory and its PAM
   * service file. Idempotent.
   */
  stop(): Promise<void>;
}

/** Listener pids not stopped yet, killed when the test process exits. */
const running = new Set<number>();
/** PAM service files not removed yet, removed when the test process exits. */
const pamFiles = new Set<string>();
process.on('exit', () => {
  for (const pid of running) signal(pid, 'SIGKILL');
  for (const file of pamFiles) rmSync(file, { force: true });
});

/** Where PAM looks for service files. */
const PAM_DIR = '/etc/pam.d';

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ESRCH') throw e; // it has already gone
  }
}

/** A port that is free on `address` right now (sshd may still lose it to someone else: retried). */
function freePort(address: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, address, () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

const lines = (values: readonly string[]) => values.map((v) => `${v}\n`).join('');

/** One sshd process with its output collected. */
interface Daemon {
  readonly child: ChildProcess;
  /** Its output so far, lines ending in `\n` (`sshd -e` ends them with `\r\n`). */
  readonly log: () => string;
  readonly exited: Promise<void>;
}

function launch(sshdPath: string, config: string): Daemon {
  const child = spawn(sshdPath, ['-D', '-e', '-f', config], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const collect = (d: string) => (output += d);
  child.stdout!.setEncoding('utf8').on('data', collect);
  child.stderr!.setEncoding('utf8').on('data', collect);
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.once('error', (e) => {
      collect(`cannot run ${sshdPath}: ${e.message}\n`);
      resolve();
    });
  });
  return { child, log: () => output.replace(/\r\n/g, '\n'), exited };
}

const isRunning = (child: ChildProcess) =>
  child.pid !== undefined && child.exitCode === null && child.signalCode === null;

/** Resolve true if `promise` settles within `ms`, false otherwise. */
async function within(promise: Promise<unknown>, ms: number): Promise<boolean> {
  const timeout = new AbortController();
  const expired = sleep(ms, false, { signal: timeout.signal }).catch(() => false);
  const result = await Promise.race([promise.then(() => true), expired]);
  timeout.abort();
  return result;
}

/** The files sshd reads, and setters that replace the ones tests change while it runs. */
interface HostFiles {
  readonly hostKey: string;
  readonly hostPublicKey: string;
  readonly caFile: string;
  readonly principalsDir: string;
  readonly setTrustedUserCaKeys: SshdHost['setTrustedUserCaKeys'];
  readonly setPrincipals: SshdHost['setPrincipals'];
  /** With `hostCertificate`: the certificate file, `<hostKey>-cert.pub`. */
  hostCertificateFile?: string;
}

function writeHostFiles(spec: SshdHostSpec, dir: string): HostFiles {
  const hostKey = join(dir, 'host_ed25519');
  execFileSync('ssh-keygen', ['-t', 'ed25519', '-N', '', '-q', '-C', `${spec.name}-host`, '-f', hostKey]);
  const hostPublicKey = readFileSync(`${hostKey}.pub`, 'utf8').split(' ').slice(0, 2).join(' ');
  const caFile = join(dir, 'trusted_user_ca_keys');
  const principalsDir = join(dir, 'principals');
  mkdirSync(principalsDir, { mode: 0o755 });
  const setTrustedUserCaKeys = (keys: readonly string[]) => writeFileAtomically(caFile, lines(keys));
  const setPrincipals = (account: string, principals: readonly string[]) =>
    writeFileAtomically(join(principalsDir, account), lines(principals));
  setTrustedUserCaKeys(spec.trustedUserCaKeys);
  for (const [account, principals] of Object.entries(spec.principals)) setPrincipals(account, principals);
  return { hostKey, hostPublicKey, caFile, principalsDir, setTrustedUserCaKeys, setPrincipals };
}

function renderConfig(spec: SshdHostSpec, dir: string, port: number, files: HostFiles): string {
  return lines([
    ...(spec.extraConfig ?? []),
    `ListenAddress ${spec.address}`,
    `Port ${port}`,
    `HostKey ${files.hostKey}`,
    ...(files.hostCertificateFile !== undefined ? [`HostCertificate ${files.hostCertificateFile}`] : []),
    `PidFile ${join(dir, 'sshd.pid')}`,
    `TrustedUserCAKeys ${files.caFile}`,
    ...(spec.revokedKeys !== undefined ? [`RevokedKeys ${spec.revokedKeys}`] : []),
    `AuthorizedPrincipalsFile ${files.principalsDir}/%u`,
    `AuthorizedKeysFile ${spec.authorizedKeysFile ?? 'none'}`,
    'PasswordAuthentication no',
    ...(spec.pam
      ? ['KbdInteractiveAuthentication yes', 'UsePAM yes', 'UseDNS no']
      : ['KbdInteractiveAuthentication no', 'UsePAM no']),
    'StrictModes no', // with yes, sshd refuses files under /tmp ("bad ownership or modes for directory /tmp")
    'Subsystem sftp internal-sftp',
    'LogLevel VERBOSE',
  ]);
}

/** Start sshd on a free port and wait until it listens; retry when the port was taken meanwhile. */
/** Write the host's PAM service file and the sshd symlink whose name selects it; return both paths. */
function writePamService(spec: SshdHostSpec, sshdPath: string, dir: string) {
  const pam = spec.pam!;
  if ((pam.auth === undefined) === (pam.content === undefined)) {
    throw new Error(`sshd ${spec.name}: give exactly one of pam.auth and pam.content`);
  }
  const service = `sshd-otp-${randomBytes(6).toString('hex')}`;
  const pamFile = join(PAM_DIR, service);
  const content =
    pam.content ??
    lines([
      `# PAM service of the vault-ssh-ca test sshd ${spec.name}; removed when the test stops it.`,
      ...pam.auth!,
      'auth optional pam_unix.so not_set_pass use_first_pass nodelay',
      'account required pam_unix.so',
      'session required pam_unix.so',
    ]);
  pamFiles.add(pamFile);
  writeFileSync(pamFile, content, { mode: 0o644, flag: 'wx' });
  const program = join(dir, service);
  symlinkSync(sshdPath, program); // sshd re-executes itself, so it needs this absolute path
  return { service, pamFile, program };
}

async function listen(spec: SshdHostSpec, sshdPath: string, dir: string, files: HostFiles) {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort(spec.address);
    const config = join(dir, 'sshd_config');
    writeFileAtomically(config, renderConfig(spec, dir, port, files));
    const daemon = launch(sshdPath, config);
    const listening = `Server listening on ${spec.address} port ${port}.`;
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (!daemon.log().includes(listening) && isRunning(daemon.child) && Date.now() < deadline) {
      await sleep(10);
    }
    if (daemon.log().includes(listening)) return { daemon, port };

    const why = isRunning(daemon.child) ? `it did not listen within ${START_TIMEOUT_MS} ms` : 'it exited';
    if (isRunning(daemon.child)) signal(daemon.child.pid!, 'SIGKILL');
    await daemon.exited;
    if (!daemon.log().includes('Address already in use') || attempt === START_ATTEMPTS) {
      throw new Error(`sshd ${spec.name} did not start on ${spec.address}:${port} (${why}); its log:\n${daemon.log()}`);
    }
  }
}

async function startOne(spec: SshdHostSpec, sshdPath: string): Promise<SshdHost> {
  const dir = makeScratchDir(`sshd-${spec.name}`);
  // sshd opens the principals file as the logging-in account, which must be able to pass through.
  chmodSync(dir, 0o711);
  let started: Awaited<ReturnType<typeof listen>>;
  let files: HostFiles;
  let pam: ReturnType<typeof writePamService> | undefined;
  const removePamFile = () => {
    if (pam === undefined) return;
    rmSync(pam.pamFile, { force: true });
    pamFiles.delete(pam.pamFile);
  };
  try {
    files = writeHostFiles(spec, dir);
    if (spec.hostCertificate) {
      files.hostCertificateFile = `${files.hostKey}-cert.pub`;
      writeFileAtomically(files.hostCertificateFile, `${(await spec.hostCertificate(files.hostPublicKey)).trim()}\n`);
    }
    if (spec.pam) pam = writePamService(spec, sshdPath, dir);
    started = await listen(spec, pam?.program ?? sshdPath, dir, files);
  } catch (e) {
    removePamFile();
    removeScratchDir(dir);
    throw e;
  }
  const { daemon, port } = started;
  const pid = daemon.child.pid!;
  running.add(pid);
  return {
    name: spec.name,
    address: spec.address,
    port,
    pid,
    dir,
    ...(pam ? { pamService: pam.service, pamFile: pam.pamFile } : {}),
    hostPublicKey: files.hostPublicKey,
    knownHostsLine: `[${spec.address}]:${port} ${files.hostPublicKey}`,
    ...(files.hostCertificateFile !== undefined
      ? { hostCertificate: readFileSync(files.hostCertificateFile, 'utf8').trim() }
      : {}),
    log: daemon.log,
    async waitForLog(pattern, from = 0, timeoutMs = 5_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const log = daemon.log();
        const complete = log.slice(from, log.lastIndexOf('\n') + 1);
        const line = complete.split('\n').find((l) => l.search(pattern) !== -1);
        if (line !== undefined) return line;
        if (Date.now() >= deadline) {
          throw new Error(
            `sshd ${spec.name} did not log ${pattern} within ${timeoutMs} ms; its log:\n${log.slice(from)}`,
          );
        }
        await sleep(20);
      }
    },
    setTrustedUserCaKeys: files.setTrustedUserCaKeys,
    setPrincipals: files.setPrincipals,
    async stop() {
      if (isRunning(daemon.child)) {
        signal(pid, 'SIGTERM');
        if (!(await within(daemon.exited, STOP_TIMEOUT_MS))) {
          signal(pid, 'SIGKILL');
          await daemon.exited;
        }
      }
      running.delete(pid);
      removePamFile();
      removeScratchDir(dir);
    },
  };
}

/**
 * Start one sshd per spec, one after the other. Needs root (sshd switches to the logging-in account)
 * and openssh-server. If one host fails to start, the ones already started are stopped.
 */
export async function startSshdHosts(specs: readonly SshdHostSpec[], options: SshdOptions = {}): Promise<SshdHost[]> {
  const sshdPath = options.sshdPath ?? SSHD_PATH;
  if (!existsSync(sshdPath)) {
    throw new Error(
      `openssh-server is not installed: ${sshdPath} not found. Install it with: apt-get install -y openssh-server`,
    );
  }
  const uid = process.getuid?.();
  if (uid !== 0) {
    throw new Error(`the sshd test hosts need root, because sshd switches to the logging-in account (uid is ${uid})`);
  }
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 }); // sshd's privilege separation directory
  const hosts: SshdHost[] = [];
  try {
    for (const spec of specs) hosts.push(await startOne(spec, sshdPath));
  } catch (e) {
    await stopAll(hosts);
    throw e;
  }
  return hosts;
}

/** Stop every host; safe with hosts that are already stopped. */
export async function stopAll(hosts: readonly SshdHost[]): Promise<void> {
  await Promise.all(hosts.map((h) => h.stop()));
}
