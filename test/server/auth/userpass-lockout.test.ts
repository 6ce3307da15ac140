// Userpass lockout under concurrency (issue 13, finding 1), over real HTTP in memory and on durable
// file storage: however many wrong passwords arrive at once, only the threshold's worth are checked,
// the user is then locked (the right password too), a late failure never resets the lock, and the
// lock holds across a restart until its time is up.

import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileStorage } from '../../../server/storage/file-storage.js';
import { MemoryStorage } from '../../../server/storage/memory-storage.js';
import type { Storage } from '../../../server/storage/storage.js';
import { makeScratchDir, removeScratchDir } from '../../helpers/scratch.js';
import { startTestServer, type TestServer } from '../../helpers/vault-server.js';

const DENIED = { status: 403, json: { errors: ['1 error occurred:\n\t* permission denied\n\n'] } };
const INVALID = { status: 400, json: { errors: ['invalid username or password'] } };

let dir: string;
let nowMs: number;
let server: TestServer | undefined;

async function open(storage: Storage): Promise<TestServer> {
  await server?.close();
  server = await startTestServer({ storage, clock: () => nowMs });
  return server;
}

async function setUp(s: TestServer): Promise<void> {
  expect((await s.request('POST', '/v1/sys/auth/userpass', { type: 'userpass' })).status).toBe(204);
  expect((await s.request('POST', '/v1/auth/userpass/users/alice', { password: 'right' })).status).toBe(204);
}

const login = (s: TestServer, password: string) =>
  s.request('POST', '/v1/auth/userpass/login/alice', { password }, null);

/** `n` wrong passwords at once; the statuses they got, counted. */
async function burst(s: TestServer, n: number): Promise<Record<number, number>> {
  const all = await Promise.all(Array.from({ length: n }, (_, i) => login(s, `wrong-${i}`)));
  const counts: Record<number, number> = {};
  for (const r of all) {
    counts[r.status] = (counts[r.status] ?? 0) + 1;
    expect(r).toMatchObject(r.status === 400 ? INVALID : DENIED);
  }
  return counts;
}

beforeEach(() => {
  dir = makeScratchDir('lockout');
  nowMs = Date.UTC(2027, 0, 15, 8, 0, 0);
});

afterEach(async () => {
  await server?.close();
  server = undefined;
  removeScratchDir(dir);
});

describe.each([
  ['memory', () => new MemoryStorage()],
  ['file', () => new FileStorage(join(dir, 'storage'))],
])('userpass lockout with %s storage', (_name, storage) => {
  it('checks only the threshold of 50 parallel wrong passwords; then the right one is refused', async () => {
    const s = await open(storage());
    await setUp(s);
    expect(await burst(s, 50)).toEqual({ 400: 5, 403: 45 });
    expect(await login(s, 'right')).toMatchObject(DENIED);
  });

  it('counts a tuned threshold exactly under 20 parallel wrong passwords', async () => {
    const s = await open(storage());
    await setUp(s);
    await s.request('POST', '/v1/sys/auth/userpass/tune', { user_lockout_config: { lockout_threshold: 3 } });
    expect(await burst(s, 20)).toEqual({ 400: 3, 403: 17 });
    expect(await login(s, 'right')).toMatchObject(DENIED);
  });

  it('a late wave of failures does not reset the lock, which ends at its time and not before', async () => {
    const s = await open(storage());
    await setUp(s);
    await burst(s, 10);
    nowMs += 10 * 60 * 1000;
    expect(await burst(s, 10)).toEqual({ 403: 10 });
    nowMs += 5 * 60 * 1000 - 1000;
    expect(await login(s, 'right')).toMatchObject(DENIED);
    nowMs += 1000;
    expect((await login(s, 'right')).status).toBe(200);
  });
});

describe('userpass lockout across a restart (file storage)', () => {
  it('a user locked by a parallel burst is still locked after a restart, until the lock ends', async () => {
    let s = await open(new FileStorage(join(dir, 'storage')));
    await setUp(s);
    expect(await burst(s, 30)).toEqual({ 400: 5, 403: 25 });
    s = await open(new FileStorage(join(dir, 'storage')));
    expect(await burst(s, 30)).toEqual({ 403: 30 });
    expect(await login(s, 'right')).toMatchObject(DENIED);
    nowMs += 15 * 60 * 1000;
    s = await open(new FileStorage(join(dir, 'storage')));
    expect((await login(s, 'right')).status).toBe(200);
  });
});
