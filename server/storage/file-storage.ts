// Durable file storage for `sshca serve --data-dir`: one file per key, written atomically
// (temporary file, fsync, rename, fsync of the directory) so that no acknowledged write is ever lost
// or half-written, even on `kill -9` or power loss. Files are 0600, directories 0700. Writes to the
// same key are applied in the order they were made.

import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  renameSync,
  rmdirSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { RequestError } from '../../core/errors.js';
import { KeyedLock } from '../keyed-lock.js';
import type { Storage } from './storage.js';

const TMP_SUFFIX = '.tmp';

/**
 * A key segment as a file name: percent-encoded, with a leading `.` encoded too (so no key can be `.`,
 * `..` or look like a temporary file, which start with `.`), and an empty segment as `%`, which
 * percent-encoding never produces. Keys come from request paths (policy names, audit paths,
 * accessors), so every string must map to a safe path inside the data directory.
 */
function encodeSegment(segment: string): string {
  if (segment === '') return '%';
  const encoded = encodeURIComponent(segment);
  return encoded.startsWith('.') ? `%2E${encoded.slice(1)}` : encoded;
}

const decodeSegment = (name: string): string => (name === '%' ? '' : decodeURIComponent(name));

const codeOf = (e: unknown): string | undefined => (e as NodeJS.ErrnoException).code;

/**
 * Errors that mean "no such key": a folder or an over-long name where the key would be, or an entry
 * where one of its folders would be (`a` stored, `a/b` asked for).
 */
const ABSENT = new Set(['ENOENT', 'EISDIR', 'ERR_FS_EISDIR', 'ENOTDIR', 'ENAMETOOLONG']);

/**
 * Why `key` cannot be a file here, as a user error: unlike memory (and Vault's own storage), one
 * file per key cannot hold an entry and a folder of the same name, nor a name over 255 bytes.
 */
function unstorable(key: string, e: unknown): unknown {
  const shown = JSON.stringify(key.length > 100 ? `${key.slice(0, 100)}…` : key);
  switch (codeOf(e)) {
    case 'ENOTDIR':
    case 'EEXIST':
      return new RequestError(`cannot store ${shown}: a shorter name it starts with is already an entry`);
    case 'EISDIR':
    case 'ENOTEMPTY':
      return new RequestError(`cannot store ${shown}: it is already a folder of other entries`);
    case 'ENAMETOOLONG':
      return new RequestError(
        `cannot store ${shown}: a part of the name is over the 255 bytes a file name holds once percent-encoded`,
      );
    default:
      return e;
  }
}

function fsyncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Write `value` to `path`: temporary file, fsync, rename, fsync of the directory (and of new parents). */
function writeDurably(path: string, value: Buffer): void {
  const dir = dirname(path);
  const created = mkdirSync(dir, { recursive: true, mode: 0o700 });
  const tmp = join(dir, `.${randomBytes(6).toString('hex')}${TMP_SUFFIX}`);
  try {
    const fd = openSync(tmp, 'wx', 0o600);
    try {
      writeSync(fd, value);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (e) {
    // Leave nothing of a write that failed: no temporary file, no folder made for it.
    rmSync(tmp, { force: true });
    for (let d = dir; created && d !== dirname(created) && readdirSync(d).length === 0; d = dirname(d)) rmdirSync(d);
    throw e;
  }
  fsyncDir(dir);
  // New directories are durable only once their parents are synced too.
  if (created) {
    for (let d = dir; d !== dirname(created);) {
      d = dirname(d);
      fsyncDir(d);
    }
  }
}

/** Durable storage under a directory. */
export class FileStorage implements Storage {
  private readonly writes = new KeyedLock();

  /** Open (creating if needed) the data directory and remove temporary files an interrupted write left. */
  constructor(private readonly dir: string) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    this.removeLeftovers(dir);
  }

  private removeLeftovers(dir: string): void {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) this.removeLeftovers(path);
      else if (entry.name.startsWith('.') && entry.name.endsWith(TMP_SUFFIX)) rmSync(path, { force: true });
    }
  }

  private pathOf(key: string): string {
    return join(this.dir, ...key.split('/').map(encodeSegment));
  }

  /** Run `op` after every earlier write to the same key. */
  private serialize(key: string, op: () => void): Promise<void> {
    return this.writes.run(key, async () => op());
  }

  async get(key: string): Promise<Buffer | undefined> {
    try {
      return await readFile(this.pathOf(key));
    } catch (e) {
      if (ABSENT.has(codeOf(e) ?? '')) return undefined;
      throw e;
    }
  }

  async put(key: string, value: Buffer): Promise<void> {
    const path = this.pathOf(key);
    return this.serialize(key, () => {
      try {
        writeDurably(path, value);
      } catch (e) {
        throw unstorable(key, e);
      }
    });
  }

  async delete(key: string): Promise<void> {
    const path = this.pathOf(key);
    return this.serialize(key, () => {
      try {
        rmSync(path);
      } catch (e) {
        if (ABSENT.has(codeOf(e) ?? '')) return;
        throw e;
      }
      // Remove directories the delete left empty, so lists show only folders that hold keys.
      let dir = dirname(path);
      while (dir !== this.dir && readdirSync(dir).length === 0) {
        rmdirSync(dir);
        dir = dirname(dir);
      }
      fsyncDir(dir);
    });
  }

  async list(prefix: string): Promise<string[]> {
    const dir = prefix === '' ? this.dir : this.pathOf(prefix.replace(/\/$/, ''));
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (e) {
      if (ABSENT.has(codeOf(e) ?? '')) return [];
      throw e;
    }
    return entries
      .filter((e) => !(e.name.startsWith('.') && e.name.endsWith(TMP_SUFFIX)))
      .map((e) => decodeSegment(e.name) + (e.isDirectory() ? '/' : ''))
      .sort();
  }
}
