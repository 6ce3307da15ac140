// The server's write-through read cache (server/cached-storage.ts): reads are served from memory
// after the first, writes and deletes are seen by the next read, a read that overlapped a write never
// keeps the old value, a failed write forgets the key, and the bounds evict the least recently used.

import { describe, expect, it } from 'vitest';
import { CachedStorage } from '../../server/cached-storage.js';
import { MemoryStorage } from '../../server/storage/memory-storage.js';
import type { Storage } from '../../server/storage/storage.js';

/** A storage that counts reads and can hold a read until released. */
function counted(inner: Storage) {
  const gets: string[] = [];
  let hold: Promise<void> | undefined;
  let failPuts = false;
  const storage: Storage = {
    async get(key) {
      gets.push(key);
      const value = await inner.get(key);
      if (hold) await hold;
      return value;
    },
    async put(key, value) {
      if (failPuts) throw new Error('disk full');
      return inner.put(key, value);
    },
    delete: (key) => inner.delete(key),
    list: (prefix) => inner.list(prefix),
  };
  return {
    storage,
    gets,
    holdReads(): () => void {
      let release!: () => void;
      hold = new Promise((r) => (release = r));
      return () => {
        hold = undefined;
        release();
      };
    },
    failPuts: (on: boolean) => (failPuts = on),
  };
}

const text = (b: Buffer | undefined) => b?.toString('utf8');

describe('CachedStorage', () => {
  it('reads each key from the storage once, absent keys included, and sees its own writes', async () => {
    const inner = new MemoryStorage();
    await inner.put('a', Buffer.from('1'));
    const c = counted(inner);
    const cache = new CachedStorage(c.storage);
    expect([text(await cache.get('a')), text(await cache.get('a')), text(await cache.get('b'))]).toEqual([
      '1',
      '1',
      undefined,
    ]);
    expect(await cache.get('b')).toBeUndefined();
    expect(c.gets).toEqual(['a', 'b']);
    await cache.put('b', Buffer.from('2'));
    await cache.delete('a');
    expect([text(await cache.get('a')), text(await cache.get('b'))]).toEqual([undefined, '2']);
    expect(c.gets).toEqual(['a', 'b']);
    expect(text(await inner.get('b'))).toBe('2');
  });

  it('does not keep what a read returned when a write of the key ended while it ran', async () => {
    const inner = new MemoryStorage();
    await inner.put('k', Buffer.from('old'));
    const c = counted(inner);
    const cache = new CachedStorage(c.storage);
    const release = c.holdReads();
    const reading = cache.get('k');
    await cache.put('k', Buffer.from('new'));
    release();
    expect(text(await reading)).toBe('old');
    expect(text(await cache.get('k'))).toBe('new');
    expect(c.gets).toEqual(['k']);
  });

  it('forgets a key whose write failed', async () => {
    const inner = new MemoryStorage();
    const c = counted(inner);
    const cache = new CachedStorage(c.storage);
    await cache.put('k', Buffer.from('1'));
    c.failPuts(true);
    await expect(cache.put('k', Buffer.from('2'))).rejects.toThrow('disk full');
    expect(text(await cache.get('k'))).toBe('1');
    expect(c.gets).toEqual(['k']);
  });

  it('evicts the least recently used entries beyond its bounds', async () => {
    const inner = new MemoryStorage();
    const c = counted(inner);
    const cache = new CachedStorage(c.storage, { maxEntries: 2 });
    for (const k of ['a', 'b']) await cache.put(k, Buffer.from(k));
    await cache.get('a'); // b is now the least recently used
    await cache.put('c', Buffer.from('c'));
    for (const k of ['c', 'a', 'b']) await cache.get(k);
    expect(c.gets).toEqual(['b']);
  });
});
