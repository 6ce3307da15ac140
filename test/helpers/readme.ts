// Running the README's blocks as written: the fenced blocks of a section, an `sshca` on PATH as an
// installed package puts it there (the built binary), and a block run with `bash -e` in a folder of
// its own, with none of the test's own VAULT_*, BAO_* or SSHCA_* variables; whatever the block left
// running in the background (e.g. `sshca serve &`) is ended with its process group.

import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { expect } from 'vitest';
import { SSHCA_BIN } from './sshca-bin.js';

/** The repository's root. */
export const ROOT = resolve(import.meta.dirname, '../..');

/** A fenced block: its info string (`sh`, `yaml`, or empty) and its text. */
export interface ReadmeBlock {
  readonly lang: string;
  readonly code: string;
}

/** The fenced blocks of the README section under `heading` (e.g. `## Title`), up to the next heading. */
export function sectionBlocks(heading: string): ReadmeBlock[] {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf(`\n${heading}\n`);
  expect(start, `README has no section ${heading}`).toBeGreaterThan(0);
  // The next heading outside a fenced block (a shell comment such as `# 1. …` in a block is no heading).
  const next = /\n(?:#{1,3} |```)/g;
  next.lastIndex = start + 1;
  let end = readme.length;
  let fenced = false;
  for (let m = next.exec(readme); m; m = next.exec(readme)) {
    if (m[0].endsWith('```')) fenced = !fenced;
    else if (!fenced) {
      end = m.index;
      break;
    }
  }
  return [...readme.slice(start, end).matchAll(/^```(\w*)\n([\s\S]*?)^```$/gm)].map((m) => ({
    lang: m[1]!,
    code: m[2]!,
  }));
}

/** A folder `bin` in `dir` holding an `sshca` that runs the built binary; returns the folder. */
export function makeSshcaBin(dir: string): string {
  const bin = join(dir, 'bin');
  mkdirSync(bin, { recursive: true });
  writeFileSync(join(bin, 'sshca'), `#!/bin/sh\nexec "${process.execPath}" "${SSHCA_BIN}" "$@"\n`, { mode: 0o755 });
  return bin;
}

/** How a block ran. */
export interface BlockRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Where and with what a block runs. */
export interface BlockOptions {
  readonly cwd: string;
  /** The folder of `makeSshcaBin`, put first on PATH. */
  readonly bin: string;
  /** Variables the block gets (VAULT_ADDR, VAULT_TOKEN, …). */
  readonly env?: Readonly<Record<string, string>>;
  /** HOME. @default cwd */
  readonly home?: string;
}

/** Run a block with `bash -e -c` (stop at the first failing command); then end its process group. */
export function runBlock(code: string, options: BlockOptions): Promise<BlockRun> {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(VAULT|BAO|SSHCA)_/.test(k)));
  return new Promise((done) => {
    const child = spawn('bash', ['-e', '-c', code], {
      cwd: options.cwd,
      detached: true,
      env: { ...base, HOME: options.home ?? options.cwd, PATH: `${options.bin}:${process.env.PATH}`, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('exit', (exitCode) => {
      try {
        process.kill(-child.pid!, 'SIGTERM'); // whatever the block left running in the background
      } catch {
        // nothing was left running
      }
      done({ code: exitCode ?? 1, stdout, stderr });
    });
  });
}
