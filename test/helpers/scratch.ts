// Scratch directories and files for tests: private (0700) temporary folders, removed by the test,
// and files replaced atomically so that a running sshd or ssh never reads one half written.

import { chmodSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Make a private (0700) temporary directory whose name starts with `sshca-<label>-`. */
export function makeScratchDir(label: string): string {
  const dir = mkdtempSync(join(tmpdir(), `sshca-${label}-`));
  chmodSync(dir, 0o700);
  return dir;
}

/** Remove a scratch directory and everything in it (nothing happens if it is already gone). */
export function removeScratchDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

let writes = 0;

/**
 * Write `content` to `path` with permission bits `mode`, atomically: readers see the old file or the
 * new one, never a truncated one.
 *
 * @param mode - @default 0o644 (readable by the account sshd switches to)
 */
export function writeFileAtomically(path: string, content: string, mode = 0o644): void {
  const temporary = `${path}.${process.pid}.${++writes}.tmp`;
  writeFileSync(temporary, content, { mode });
  chmodSync(temporary, mode); // the umask may have cleared bits of `mode`
  renameSync(temporary, path);
}
