// The built `sshca` binary (dist/cli/main.js, made by `npm test`'s build step) run as a child
// process, asynchronously so that an in-process test server can answer it meanwhile.

import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

export const SSHCA_BIN = resolve(import.meta.dirname, '../../dist/cli/main.js');

/** The outcome of one run. */
export interface SshcaRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Run `sshca args…` with `env` added to a clean copy of the environment (no VAULT_* or BAO_* inherited). */
export function runSshca(args: readonly string[], env: Record<string, string> = {}, stdin?: string): Promise<SshcaRun> {
  if (!existsSync(SSHCA_BIN)) throw new Error(`${SSHCA_BIN} is missing: run "npm run build" first (npm test does)`);
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(VAULT|BAO)_/.test(k)));
  return new Promise((done) => {
    const child = execFile(
      process.execPath,
      [SSHCA_BIN, ...args],
      { env: { ...base, ...env }, encoding: 'utf8' },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        done({ code, stdout, stderr });
      },
    );
    // Standard input: `stdin` when given, else none (end of file at once).
    child.stdin?.end(stdin ?? '');
  });
}
