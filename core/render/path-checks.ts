// Input checks the host renderers share: the form of an absolute path they may write, the sshd
// drop-in's name, and the string order Python and Jinja sort in (the Ansible templates must match).

import type { Issue } from '../errors.js';

const PATH = /^\/[A-Za-z0-9._/-]+$/;

/** Code-point order, the same as Python's and Jinja's `sort` on strings. */
export const byCodePoint = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Adds an issue unless `path` is absolute, of letters, digits and `._/-`, without `.` or `..`
 * segments. Returns whether the path passed.
 */
export function checkPath(field: string, path: string, issues: Issue[]): boolean {
  if (!PATH.test(path) || path.split('/').some((s) => s === '.' || s === '..')) {
    issues.push({
      field,
      message: `${field} must be an absolute path of letters, digits and ._/-, got ${JSON.stringify(path)}`,
    });
    return false;
  }
  return true;
}

/** Adds an issue unless the drop-in's name ends in `.conf` and sorts before `50-cloud-init.conf` (sshd keeps the first value it reads). */
export function checkDropInName(dropIn: string, issues: Issue[]): void {
  const name = dropIn.slice(dropIn.lastIndexOf('/') + 1);
  if (!name.endsWith('.conf') || byCodePoint(name, '50-cloud-init.conf') >= 0) {
    issues.push({
      field: 'paths.drop_in',
      message: `the drop-in's name must end in .conf and sort before 50-cloud-init.conf, got ${name}`,
    });
  }
}
