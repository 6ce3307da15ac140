// Locates this package's root (where package.json lives) from the running file, whether it runs
// from source or from dist/, so the CLI can find its version and bundled examples.

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The directory holding vault-ssh-ca's package.json. */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'package.json');
    if (existsSync(candidate) && JSON.parse(readFileSync(candidate, 'utf8')).name === 'vault-ssh-ca') return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the vault-ssh-ca package root');
    dir = parent;
  }
}

/** The package version from package.json. */
export const packageVersion = (): string =>
  JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')).version as string;
