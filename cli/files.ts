// File I/O for the CLI: reading inputs with clear errors, and writing outputs atomically (temporary
// file, fsync, rename, fsync of the directory) with tight modes, so an interrupted run never leaves
// a half-written key or certificate behind.

import { closeSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeSync, existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { RequestError } from '../core/errors.js';

/** Read a text file, or standard input for `-`; a missing or unreadable file is a clear error. */
export function readText(path: string, what: string): string {
  try {
    return readFileSync(path === '-' ? 0 : path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (e as Error).message;
    throw new RequestError(`cannot read ${what} ${path}: ${reason}`);
  }
}

/** Options for `writeFileAtomic`. */
export interface WriteOptions {
  /** File mode, e.g. 0o600 for private keys. */
  readonly mode: number;
  /** Replace an existing file; otherwise an existing file is an error. @default false */
  readonly overwrite?: boolean;
}

/** Write `content` (text, or bytes such as a KRL) to `path` atomically with `mode`; never leaves a partial file. */
export function writeFileAtomic(path: string, content: string | Uint8Array, options: WriteOptions): void {
  if (!options.overwrite && existsSync(path)) {
    throw new RequestError(`${path} already exists; use --force to replace it`);
  }
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  let fd: number | undefined;
  try {
    fd = openSync(tmp, 'wx', options.mode);
    writeSync(fd, typeof content === 'string' ? Buffer.from(content) : content);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, path);
  } catch (e) {
    if (fd !== undefined) closeSync(fd);
    rmSync(tmp, { force: true });
    throw new RequestError(`cannot write ${path}: ${(e as Error).message}`);
  }
  const dirFd = openSync(dir, 'r');
  try {
    fsyncSync(dirFd);
  } finally {
    closeSync(dirFd);
  }
}
