// OTP logins against a real sshd whose PAM stack runs the shipped vault-ssh-helper
// (ansible/roles/ssh_otp_helper/files/vault-ssh-helper), and the real ssh client typing the OTP through
// SSH_ASKPASS. How to use it:
//
//   const dir = makeScratchDir('otp');
//   const config = writeOtpHelperConfig(dir, { vault_addr: server.url, allowed_roles: '*' });
//   const log = join(dir, 'helper.log');
//   const [host] = await startSshdHosts([{ name: 'otp', address: '127.0.0.9', trustedUserCaKeys: [],
//     principals: {}, pam: { auth: [otpAuthLine({ config, log, dev: true })] } }]);
//   const r = await sshOtpLogin({ host, user: 'sshca-test', otp });   // r.code 0 = logged in, 255 = refused
//   readFileSync(log, 'utf8')   // the helper's decision lines ("accepted …", "refused …")
//   await stopAll([host]);      // ends sshd by its pid, removes /etc/pam.d/sshd-otp-<random>
//
// Tests that render their own PAM file (the Ansible role) pass `pam: { content }` or overwrite
// `host.pamFile` instead. The OTP ends up in a scratch file only (the askpass script reads it from the
// environment), never on a command line.

import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomically } from './scratch.js';
import { isolationOptions, runSsh, writeKnownHosts, type SshResult } from './ssh-client.js';
import type { SshdHost } from './sshd.js';

/** The helper the repository ships (and the Ansible role installs). */
export const OTP_HELPER_PATH = join(
  import.meta.dirname,
  '..',
  '..',
  'ansible',
  'roles',
  'ssh_otp_helper',
  'files',
  'vault-ssh-helper',
);

/** Keys of the helper's config file, as vault-ssh-helper names them. */
export interface OtpHelperConfig {
  readonly vault_addr: string;
  readonly ssh_mount_point?: string;
  readonly namespace?: string;
  readonly ca_cert?: string;
  readonly ca_path?: string;
  readonly tls_skip_verify?: boolean;
  readonly tls_server_name?: string;
  readonly allowed_roles?: string;
  readonly allowed_cidr_list?: string;
}

/** Render a config in vault-ssh-helper's HCL form. */
export function renderOtpHelperConfig(config: OtpHelperConfig): string {
  return Object.entries(config)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k} = ${typeof v === 'boolean' ? String(v) : JSON.stringify(v)}\n`)
    .join('');
}

/** Write `<dir>/<name>` (default `config.hcl`) and return its path. */
export function writeOtpHelperConfig(dir: string, config: OtpHelperConfig, name = 'config.hcl'): string {
  const path = join(dir, name);
  writeFileAtomically(path, renderOtpHelperConfig(config), 0o600);
  return path;
}

/** The PAM auth line that runs the helper, as vault-ssh-helper's README has it. */
export function otpAuthLine(o: {
  readonly config: string;
  /** File that pam_exec appends the helper's output to. */
  readonly log: string;
  /** Pass `-dev` (plain http backends). @default false */
  readonly dev?: boolean;
  /** @default {@link OTP_HELPER_PATH} */
  readonly helper?: string;
}): string {
  return [
    'auth requisite pam_exec.so quiet expose_authtok',
    `log=${o.log}`,
    o.helper ?? OTP_HELPER_PATH,
    `-config=${o.config}`,
    ...(o.dev ? ['-dev'] : []),
  ].join(' ');
}

/** The helper's outcome. */
export interface OtpHelperResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Run the helper as pam_exec does: by its own shebang, with no PATH, the given environment plus
 * `PAM_TYPE=auth` (e.g. `{ PAM_USER: 'alice' }`), and `stdin` as its standard input.
 */
export function runOtpHelper(
  args: readonly string[],
  o: { readonly stdin?: string; readonly env?: Readonly<Record<string, string>>; readonly helper?: string } = {},
): Promise<OtpHelperResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(o.helper ?? OTP_HELPER_PATH, args, {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { PAM_TYPE: 'auth', ...o.env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.stdin.on('error', () => {}); // the helper may exit without reading (usage errors)
    child.stdin.end(o.stdin ?? '');
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ code: code ?? 128 + constants.signals[signal!], stdout, stderr }));
  });
}

/** One keyboard-interactive login attempt. */
export interface SshOtpLoginOptions {
  readonly host: SshdHost;
  /** The local account on the host. */
  readonly user: string;
  /** What ssh types at the password prompt. */
  readonly otp: string;
  /** Remote command. @default 'true' */
  readonly command?: string;
  /** @default 15000, then ssh is killed (code 137) */
  readonly timeoutMs?: number;
}

let askpassCount = 0;

/**
 * Run `ssh` once with keyboard-interactive only, typing `otp` through SSH_ASKPASS
 * (SSH_ASKPASS_REQUIRE=force, one prompt, stdin /dev/null; no agent, no keys, no connection sharing,
 * strict host-key checking). Refused logins give code 255 and
 * `<user>@<address>: Permission denied (…).` on stderr.
 */
export function sshOtpLogin(o: SshOtpLoginOptions): Promise<SshResult> {
  const timeoutMs = o.timeoutMs ?? 15_000;
  const askpass = join(o.host.dir, `askpass-${process.pid}-${++askpassCount}`);
  writeFileAtomically(askpass, '#!/bin/sh\nprintf \'%s\\n\' "$SSHCA_TEST_OTP"\n', 0o700);
  const args = [
    '-F',
    'none',
    '-o',
    'PreferredAuthentications=keyboard-interactive',
    '-o',
    'NumberOfPasswordPrompts=1',
    '-o',
    'PubkeyAuthentication=no',
    ...isolationOptions(writeKnownHosts([o.host], o.host.dir)),
    '-T',
    '-p',
    String(o.host.port),
    `${o.user}@${o.host.address}`,
    o.command ?? 'true',
  ];
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? '/root',
    SSH_ASKPASS: askpass,
    SSH_ASKPASS_REQUIRE: 'force',
    SSHCA_TEST_OTP: o.otp,
  };
  return runSsh(args, { timeoutMs, label: 'sshOtpLogin', env });
}
