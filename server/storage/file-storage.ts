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
import type { Storage } from './storage.js';

const TMP_SUFFIX = '.tmp';

/** A key's segments, each percent-encoded so any key maps to a safe path inside the data directory. */
function encodeKey(key: string): string[] {
  return key.split('/').map((s) => {
    if (s === '' || s === '.' || s === '..') throw new Error(`invalid storage key ${JSON.stringify(key)}`);
    return encodeURIComponent(s);
  });
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
  const fd = openSync(tmp, 'wx', 0o600);
  try {
    writeSync(fd, value);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
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
  private readonly queues = new Map<string, Promise<void>>();

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
    return join(this.dir, ...encodeKey(key));
  }

  /** Run `op` after every earlier write to the same key. */
  private serialize(key: string, op: () => void): Promise<void> {
    const previous = this.queues.get(key) ?? Promise.resolve();
    const next = previous.then(op);
    const settled = next.catch(() => undefined);
    this.queues.set(key, settled);
    void settled.then(() => {
      if (this.queues.get(key) === settled) this.queues.delete(key);
    });
    return next;
  }

  async get(key: string): Promise<Buffer | undefined> {
    try {
      return await readFile(this.pathOf(key));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'EISDIR')
        return undefined;
      throw e;
    }
  }

  async put(key: string, value: Buffer): Promise<void> {
    const path = this.pathOf(key);
    return this.serialize(key, () => writeDurably(path, value));
  }

  async delete(key: string): Promise<void> {
    const path = this.pathOf(key);
    return this.serialize(key, () => {
      try {
        rmSync(path);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
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
      if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ENOTDIR') return [];
      throw e;
    }
    return entries
      .filter((e) => !(e.name.startsWith('.') && e.name.endsWith(TMP_SUFFIX)))
      .map((e) => decodeURIComponent(e.name) + (e.isDirectory() ? '/' : ''))
      .sort();
  }
}
