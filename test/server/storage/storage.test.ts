// Both storage implementations honour one contract (get/put/delete/list with Vault's list
// semantics); the file storage also keeps tight modes, leaves no temporary files and survives a
// reopen.

import { readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileStorage } from '../../../server/storage/file-storage.js';
import { MemoryStorage } from '../../../server/storage/memory-storage.js';
import { deletePrefix, storageView, type Storage } from '../../../server/storage/storage.js';
import { makeScratchDir, removeScratchDir } from '../../helpers/scratch.js';

let dir: string;
beforeAll(() => {
  dir = makeScratchDir('storage');
});
afterAll(() => removeScratchDir(dir));

const implementations: Array<[string, () => Storage]> = [
  ['memory', () => new MemoryStorage()],
  ['file', () => new FileStorage(join(dir, `contract-${Math.random().toString(36).slice(2)}`))],
];

describe.each(implementations)('%s storage', (_name, make) => {
  it('gets what it put, and nothing after delete', async () => {
    const s = make();
    expect(await s.get('a/b')).toBeUndefined();
    await s.put('a/b', Buffer.from('one'));
    await s.put('a/b', Buffer.from('two'));
    expect((await s.get('a/b'))?.toString()).toBe('two');
    await s.delete('a/b');
    await s.delete('a/b');
    expect(await s.get('a/b')).toBeUndefined();
  });

  it('lists immediate children, folders with a trailing slash, sorted', async () => {
    const s = make();
    for (const k of ['roles/prod', 'roles/dev', 'roles/team/x', 'config/ca', 'top']) await s.put(k, Buffer.from(k));
    expect(await s.list('')).toEqual(['config/', 'roles/', 'top']);
    expect(await s.list('roles/')).toEqual(['dev', 'prod', 'team/']);
    expect(await s.list('nothing/')).toEqual([]);
    await deletePrefix(s, 'roles/');
    expect(await s.list('roles/')).toEqual([]);
    expect((await s.get('config/ca'))?.toString()).toBe('config/ca');
  });

  it('keeps views apart', async () => {
    const s = make();
    const a = storageView(s, 'logical/a/');
    const b = storageView(s, 'logical/b/');
    await a.put('roles/x', Buffer.from('a'));
    expect(await b.get('roles/x')).toBeUndefined();
    expect(await s.list('logical/')).toEqual(['a/']);
  });

  it('applies writes to one key in the order they were made', async () => {
    const s = make();
    await Promise.all(Array.from({ length: 50 }, (_, i) => s.put('k', Buffer.from(String(i)))));
    expect((await s.get('k'))?.toString()).toBe('49');
  });
});

describe('file storage on disk', () => {
  it('writes files 0600 in directories 0700, leaves no temporary files, and reopens with the same data', async () => {
    const root = join(dir, 'disk');
    const s = new FileStorage(root);
    await s.put('logical/uuid-1/roles/dev', Buffer.from('{"x":1}'));
    const file = join(root, 'logical', 'uuid-1', 'roles', 'dev');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(join(root, 'logical', 'uuid-1')).mode & 0o777).toBe(0o700);
    expect(readdirSync(join(root, 'logical', 'uuid-1', 'roles'))).toEqual(['dev']);
    writeFileSync(join(root, 'logical', 'uuid-1', 'roles', '.abc123.tmp'), 'half a write');
    const reopened = new FileStorage(root);
    expect(readdirSync(join(root, 'logical', 'uuid-1', 'roles'))).toEqual(['dev']);
    expect((await reopened.get('logical/uuid-1/roles/dev'))?.toString()).toBe('{"x":1}');
  });

  it('keeps every key inside the data directory, even `..`, `.`, empty and temporary-looking segments', async () => {
    const root = join(dir, 'safe');
    const s = new FileStorage(root);
    const keys = ['../escape', 'p/./x', 'p//x', 'p/.abc123.tmp', 'p/.hidden'];
    for (const k of keys) await s.put(k, Buffer.from(k));
    expect(readdirSync(dir)).not.toContain('escape');
    expect(readdirSync(root).sort()).toEqual(['%2E.', 'p']);
    expect(await s.list('p/')).toEqual(['./', '.abc123.tmp', '.hidden', '/']);
    // Reopening removes interrupted writes' temporary files, never a key that looks like one.
    const reopened = new FileStorage(root);
    for (const k of keys) expect((await reopened.get(k))?.toString()).toBe(k);
    for (const k of keys) await reopened.delete(k);
    expect(readdirSync(root)).toEqual([]);
  });
});
