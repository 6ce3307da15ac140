// In-memory storage for tests and `sshca serve --dev`: nothing survives the process.

import { childrenOf, type Storage } from './storage.js';

/** Storage in a Map; values are copied in and out so callers cannot alias them. */
export class MemoryStorage implements Storage {
  private readonly entries = new Map<string, Buffer>();

  async get(key: string): Promise<Buffer | undefined> {
    const v = this.entries.get(key);
    return v === undefined ? undefined : Buffer.from(v);
  }

  async put(key: string, value: Buffer): Promise<void> {
    this.entries.set(key, Buffer.from(value));
  }

  async delete(key: string): Promise<void> {
    this.entries.delete(key);
  }

  async list(prefix: string): Promise<string[]> {
    return childrenOf(this.entries.keys(), prefix);
  }
}
