// Local stand-ins for the dev and prod hosts: one sshd per host on a loopback address, configured
// from the rendered host-trust files (drop-in first, as Debian includes it), checked with `sshd -t`
// before it starts, and ended by its own pid. An OTP host also gets the rendered OTP files (helper
// config, PAM include, sshd drop-in) and a PAM service of its own, `/etc/pam.d/sshca-demo-<random>`
// (sshd names its PAM service after the program, so it runs through a symlink of that name), removed
// when the host stops: the machine's own /etc/pam.d/sshd is never touched.

import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { basename, dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { InternalError } from '../../core/errors.js';
import type { HostTrust } from '../../core/render/host-trust.js';
import {
  otpHelperArgs,
  otpPamIncludeLine,
  renderOtpHelperConfig,
  renderOtpPamInclude,
  renderOtpSshdDropIn,
  type OtpHelper,
} from '../../core/render/otp-helper.js';
import { writeOtpAskpass } from '../askpass.js';
import { probeArgs } from '../ssh-probe.js';
import { renderPrincipalsFiles, renderSshdDropIn, renderTrustedCaKeys } from '../../core/render/sshd-files.js';

export const SSHD = '/usr/sbin/sshd';

/** A running local host. */
export interface LocalHost {
  readonly environment: string;
  readonly address: string;
  readonly port: number;
  readonly knownHostsLine: string;
  /** What sshd has logged so far (`sshd -e`: no times), for `sshca audit` and the report. */
  log(): string;
  stop(): Promise<void>;
}

/** Why local hosts cannot run here, or undefined when they can. */
export function localHostsUnavailable(): string | undefined {
  if (!existsSync(SSHD)) return 'openssh-server is not installed (apt-get install -y openssh-server)';
  if (process.getuid?.() !== 0) return 'sshd needs root to switch to the logging-in account';
  return undefined;
}

/** Why the OTP host cannot run here (its helper is a python3 program), or undefined when it can. */
export const otpHostUnavailable = (): string | undefined =>
  existsSync('/usr/bin/python3') ? undefined : 'the OTP helper needs /usr/bin/python3 (apt-get install -y python3)';

/** PAM service files of OTP hosts still running, removed at exit whatever happens. */
const pamServices = new Set<string>();
process.on('exit', () => {
  for (const file of pamServices) rmSync(file, { force: true });
});

/**
 * Write an OTP host's files, check the helper against the backend (`-verify-only`, as the Ansible
 * role and the user-data do before sshd changes), and create its PAM service; returns the program to
 * start sshd as and the PAM file.
 */
async function prepareOtp(otp: OtpHelper, dir: string): Promise<{ program: string; pamFile: string }> {
  mkdirSync(dirname(otp.paths.config), { recursive: true });
  writeFileSync(otp.paths.config, renderOtpHelperConfig(otp), { mode: 0o644 });
  writeFileSync(otp.paths.pamInclude, renderOtpPamInclude(otp), { mode: 0o644 });
  writeFileSync(otp.paths.dropIn, renderOtpSshdDropIn(otp), { mode: 0o644 });
  // Asynchronously: the backend it asks may be served by this very process (sshca demo).
  const check = await run(otp.paths.helper, [...otpHelperArgs(otp), '-verify-only'], {});
  if (check.code !== 0) throw new InternalError(`the OTP helper's -verify-only failed: ${check.stderr.trim()}`);
  writeFileSync(
    otp.paths.pamService,
    [`${otpPamIncludeLine(otp)}`, 'account required pam_unix.so', 'session required pam_unix.so', ''].join('\n'),
    { mode: 0o644, flag: 'wx' },
  );
  pamServices.add(otp.paths.pamService);
  const program = join(dir, basename(otp.paths.pamService));
  symlinkSync(SSHD, program); // sshd re-executes itself by this absolute path
  return { program, pamFile: otp.paths.pamService };
}

/** Run a program without blocking the event loop; its exit code (or 255 when killed) and stderr. */
function run(
  program: string,
  args: readonly string[],
  env: Readonly<Record<string, string>>,
): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(program, [...args], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...env } });
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.on('error', (e) => {
      clearTimeout(timer);
      resolve({ code: 127, stderr: e.message });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 255, stderr });
    });
  });
}

/** A PAM service name for an OTP host: `/etc/pam.d/sshca-demo-<random>`. */
export const newPamService = (): string => `/etc/pam.d/sshca-demo-${randomBytes(4).toString('hex')}`;

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

/**
 * Write the host's files from `trust` (whose paths point into `dir`) and start its sshd; with `otp`
 * (whose drop-in lies in `dir/sshd_config.d`), it also accepts one-time passwords.
 */
export async function startLocalHost(
  environment: string,
  address: string,
  dir: string,
  trust: HostTrust,
  otp?: OtpHelper,
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
      // The demo logs in as the account running it, root. With sshd's default (prohibit-password)
      // sshd hands PAM a deliberately wrong password for root, so no OTP could ever work; this local
      // loopback host permits it. Real OTP hosts keep the default and their OTP roles name other accounts.
      ...(otp ? ['PermitRootLogin yes'] : []),
      'LogLevel VERBOSE',
      '',
    ].join('\n'),
  );
  const pam = otp ? await prepareOtp(otp, dir) : undefined;
  const removePam = () => {
    if (!pam) return;
    rmSync(pam.pamFile, { force: true });
    rmSync(pam.program, { force: true });
    pamServices.delete(pam.pamFile);
  };
  const test = spawnSync(SSHD, ['-t', '-f', config], { encoding: 'utf8' });
  if (test.status !== 0) {
    removePam();
    throw new InternalError(`sshd -t refused the ${environment} configuration: ${test.stderr.trim()}`);
  }
  const child: ChildProcess = spawn(pam?.program ?? SSHD, ['-D', '-e', '-f', config], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (log += d));
  for (let i = 0; i < 500 && !log.includes('Server listening') && child.exitCode === null; i++) await sleep(10);
  if (!log.includes('Server listening')) {
    child.kill('SIGKILL');
    removePam();
    throw new InternalError(`sshd for ${environment} did not start: ${log.trim()}`);
  }
  const hostKeyLine = readFileSync(`${hostKey}.pub`, 'utf8').split(' ').slice(0, 2).join(' ');
  return {
    environment,
    address,
    port,
    knownHostsLine: `[${address}]:${port} ${hostKeyLine}`,
    log: () => log,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await new Promise((r) => child.once('exit', r));
      }
      removePam();
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

/**
 * Try a login with a one-time password only (keyboard-interactive, typed through an SSH_ASKPASS
 * program from a 0600 file, as `sshca ssh --otp` does); true when the host let it in. Asynchronous:
 * the host's helper asks a backend that may be served by this very process.
 */
export async function tryOtpLogin(host: LocalHost, user: string, otp: string, knownHosts: string): Promise<boolean> {
  const askpass = writeOtpAskpass(otp);
  try {
    const options = [
      'PreferredAuthentications=keyboard-interactive',
      'NumberOfPasswordPrompts=1',
      'PubkeyAuthentication=no',
      'IdentityAgent=none',
      'ControlPath=none',
      `UserKnownHostsFile=${knownHosts}`,
      'StrictHostKeyChecking=yes',
      'ConnectTimeout=10',
    ];
    const args = ['-F', 'none', ...options.flatMap((o) => ['-o', o]), '-p', String(host.port), '-T'];
    return (await run('ssh', [...args, `${user}@${host.address}`, 'true'], askpass.env)).code === 0;
  } finally {
    askpass.remove();
  }
}
