// TokenStore.open indexes the stored tokens in the background (issue 22). Before that pass has ended,
// a token that expired while the server was down, or whose ancestor did, is refused when presented
// (and the expired one revoked with its descendants); the pass then revokes the rest.

import { expect, it } from 'vitest';
import { TokenStore } from '../../../server/auth/token-store.js';
import { MemoryStorage } from '../../../server/storage/memory-storage.js';
import type { Storage } from '../../../server/storage/storage.js';

it('refuses expired tokens and descendants of expired tokens before the pass over stored tokens has ended', async () => {
  const memory = new MemoryStorage();
  let nowMs = Date.UTC(2027, 0, 15, 8, 0, 0);
  const first = await TokenStore.open(
    memory,
    () => nowMs,
    () => {},
  );
  const parent = await first.create({ displayName: 'p', policies: ['default'], ttl: 600, path: 'auth/token/create' });
  const child = await first.create({
    displayName: 'c',
    policies: ['default'],
    ttl: 3600,
    parent: parent.entry.hash,
    path: 'auth/token/create',
  });
  const other = await first.create({ displayName: 'o', policies: ['default'], ttl: 3600, path: 'auth/token/create' });
  const expired = await first.create({ displayName: 'e', policies: ['default'], ttl: 600, path: 'auth/token/create' });
  await first.loaded();
  await first.stop();

  nowMs += 11 * 60 * 1000;
  // The pass cannot list the stored tokens until released.
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  const storage: Storage = {
    get: (k) => memory.get(k),
    put: (k, v) => memory.put(k, v),
    delete: (k) => memory.delete(k),
    list: async (p) => (p === 'core/tokens/' ? held.then(() => memory.list(p)) : memory.list(p)),
  };
  const store = await TokenStore.open(
    storage,
    () => nowMs,
    () => {},
  );
  expect(await store.lookup(child.token)).toBeUndefined();
  expect(await store.lookup(parent.token)).toBeUndefined();
  expect((await store.lookup(other.token))?.displayName).toBe('o');
  // Never presented: still stored until the pass.
  expect(await memory.get(`core/tokens/${expired.entry.hash}`)).toBeDefined();
  release();
  await store.loaded();
  expect(await memory.get(`core/tokens/${expired.entry.hash}`)).toBeUndefined();
  expect((await memory.list('core/tokens/')).length).toBe(1);
  await store.stop();
});
