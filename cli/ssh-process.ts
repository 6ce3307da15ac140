// What `sshca ssh --otp` and `sshca ssh --dynamic` share around the system ssh: whether it reads
// `-P tag`, the IP it will connect to (the backend issues credentials for an IP), and running it with
// the terminal while this process stays alive to clean up after it.

import { execFile, spawn } from 'node:child_process';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { constants } from 'node:os';
import { promisify } from 'node:util';
import { RequestError } from '../core/errors.js';

/** Whether this machine's ssh reads `-P tag` (OpenSSH 9.4 and later); asked only when `-P` is used. */
export async function sshHasTagOption(args: readonly string[]): Promise<boolean> {
  if (!args.some((a) => /^-[^-]*P/.test(a))) return false;
  try {
    const { stderr } = await promisify(execFile)('ssh', ['-V']);
    const m = /OpenSSH_(\d+)\.(\d+)/.exec(stderr);
    return m !== null && (Number(m[1]) > 9 || (Number(m[1]) === 9 && Number(m[2]) >= 4));
  } catch {
    return false;
  }
}

/** The IP ssh will connect to for `host`: itself when it is one, else the first address the resolver gives. */
export async function resolveIp(host: string): Promise<string> {
  if (isIP(host)) return host;
  try {
    return (await lookup(host)).address;
  } catch (e) {
    throw new RequestError(`cannot resolve ${host} to an IP address: ${(e as NodeJS.ErrnoException).code ?? e}`);
  }
}

/**
 * Run ssh with `env` added; resolves with its exit code. SIGINT, SIGTERM and SIGHUP sent to this
 * process go on to ssh instead of ending it: it must outlive ssh to clean up (a password file, a key).
 */
export function runSsh(
  args: readonly string[],
  env: Readonly<Record<string, string>> = {},
): Promise<{ code: number; signalled: boolean }> {
  const child = spawn('ssh', [...args], { stdio: 'inherit', env: { ...process.env, ...env } });
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  let signalled = false;
  const forward = (signal: NodeJS.Signals) => {
    signalled = true;
    child.kill(signal);
  };
  for (const s of signals) process.on(s, forward);
  return new Promise((resolve) => {
    const done = (code: number) => {
      for (const s of signals) process.off(s, forward);
      resolve({ code, signalled });
    };
    child.on('exit', (code, signal) => done(code ?? 128 + (signal ? constants.signals[signal] : 0)));
    child.on('error', () => done(127));
  });
}
