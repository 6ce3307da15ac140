// Scratch directories for tests: private (0700) temporary folders, removed by the test.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Make a private temporary directory whose name starts with `sshca-<label>-`. */
export function makeScratchDir(label: string): string {
  return mkdtempSync(join(tmpdir(), `sshca-${label}-`));
}

/** Remove a scratch directory and everything in it. */
export function removeScratchDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
