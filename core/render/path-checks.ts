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

/**
 * Directories a directory the host roles own (and remove files from) must never be: the system's
 * own, the sshd configuration and drop-in directories, and the shared temporary directories. The
 * Ansible role has the same list (`ssh_ca_trust__system_dirs` in its vars/main.yml).
 */
export const SYSTEM_DIRECTORIES: readonly string[] = [
  '/',
  '/bin',
  '/boot',
  '/dev',
  '/etc',
  '/etc/pam.d',
  '/etc/ssh',
  '/etc/ssh/sshd_config.d',
  '/home',
  '/lib',
  '/lib64',
  '/opt',
  '/proc',
  '/root',
  '/run',
  '/sbin',
  '/srv',
  '/sys',
  '/tmp',
  '/usr',
  '/usr/bin',
  '/usr/lib',
  '/usr/local',
  '/usr/local/bin',
  '/usr/local/sbin',
  '/usr/sbin',
  '/var',
  '/var/lib',
  '/var/tmp',
];

/** A path for comparisons: no empty segment, no trailing slash (`/etc//ssh/` is `/etc/ssh`). */
export const normalisePath = (path: string): string =>
  `/${path
    .split('/')
    .filter((s) => s !== '')
    .join('/')}`;

/** One path a host renderer writes or relies on, as the overlap check names it. */
export interface NamedPath {
  /** The issue's field. */
  readonly field: string;
  /** How messages name it, e.g. `the trusted CA keys file`. */
  readonly name: string;
  readonly path: string;
  /** Written by the renderer (true) or only read or run by sshd (false). */
  readonly written: boolean;
}

/** What an overlap message tells the user to do with the principals directory. */
const OWN_DIRECTORY = 'give the principals files a directory of their own, such as /etc/ssh/sshca/principals';

/**
 * Adds an issue for every way the paths overlap (the Ansible role `ssh_ca_trust` has the same rules
 * and words), in this order: the principals directory (`paths[0]`, the one whose stale files are
 * removed) is a system directory; two paths of which at least one is written are the same; the
 * principals directory contains another path. Paths are compared normalised.
 */
export function checkOverlaps(paths: readonly [NamedPath, ...NamedPath[]], issues: Issue[]): void {
  const [dir, ...others] = paths;
  const dirPath = normalisePath(dir.path);
  if (SYSTEM_DIRECTORIES.includes(dirPath)) {
    issues.push({ field: dir.field, message: `${dir.name} ${dir.path} is a system directory: ${OWN_DIRECTORY}` });
  }
  paths.forEach((a, i) => {
    for (const b of paths.slice(i + 1)) {
      if ((a.written || b.written) && normalisePath(a.path) === normalisePath(b.path)) {
        issues.push({
          field: a.field,
          message: `${a.name} and ${b.name} are both ${b.path}: each needs a path of its own`,
        });
      }
    }
  });
  const inside = dirPath === '/' ? '/' : `${dirPath}/`;
  for (const b of others) {
    if (normalisePath(b.path).startsWith(inside)) {
      issues.push({
        field: dir.field,
        message: `${dir.name} ${dir.path} contains ${b.name} ${b.path}: ${OWN_DIRECTORY}`,
      });
    }
  }
}
