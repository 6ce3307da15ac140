// The built `sshca serve` as a child process on a loopback port, for tests of the command itself:
// started with the given arguments, ready once it prints `Listening on <url>`, ended by its own pid.

import { spawn, type ChildProcess } from 'node:child_process';
import { SSHCA_BIN } from './sshca-bin.js';

/** A running `sshca serve`. */
export interface ServeProcess {
  readonly url: string;
  /** Everything it has printed on stdout so far. */
  output(): string;
  /** Everything it has printed on stderr so far. */
  errors(): string;
  /** SIGTERM, and wait for the exit. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Start `sshca serve <args>` (give it `--listen 127.0.0.1:0`), with `env` added to the environment;
 * rejects after 10 s without a listener.
 */
export async function startSshcaServe(
  args: readonly string[],
  env: Record<string, string> = {},
): Promise<ServeProcess> {
  const child: ChildProcess = spawn(process.execPath, [SSHCA_BIN, 'serve', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
  };
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      clearInterval(poll);
      void stop().then(() => reject(new Error(`sshca serve did not start:\n${out}\n${err}`)));
    }, 10_000);
    const poll = setInterval(() => {
      const m = /^Listening on (\S+)$/m.exec(out);
      if (m) {
        clearInterval(poll);
        clearTimeout(timer);
        resolve(m[1]!);
      }
    }, 10);
  });
  return { url, output: () => out, errors: () => err, stop };
}
