// Durable state across restarts (file storage behind the barrier, as `sshca serve --data-dir` has it
// since issue 22; a new server process-equivalent each time, unsealed with the same key): policies,
// auth methods, users, tokens and audit devices survive; lockouts and token expiry keep counting.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { Seal } from '../../server/barrier/seal.js';
import { FileStorage } from '../../server/storage/file-storage.js';
import { makeScratchDir, removeScratchDir } from '../helpers/scratch.js';
import { startTestServer, type TestServer } from '../helpers/vault-server.js';

let dir: string;
let nowMs: number;
let server: TestServer | undefined;

let unsealKey: Buffer | undefined;

/** (Re)open the server on the same data directory, as `sshca serve --data-dir` does: through the barrier. */
async function reopen(): Promise<TestServer> {
  await server?.close();
  const seal = await Seal.load(new FileStorage(join(dir, 'storage')));
  if (!seal.initialized) unsealKey = (await seal.initialize(1, 1, nowMs)).unsealKey;
  const storage = await seal.openWith(Buffer.from(unsealKey!));
  server = await startTestServer({ storage, clock: () => nowMs });
  return server;
}

beforeEach(() => {
  dir = makeScratchDir('persist');
  nowMs = Date.UTC(2027, 0, 15, 8, 0, 0);
});

afterEach(async () => {
  await server?.close();
  server = undefined;
  removeScratchDir(dir);
});

it('keeps policies, auth methods, users, tokens and audit devices', async () => {
  let s = await reopen();
  const audit = join(dir, 'audit.log');
  await s.request('POST', '/v1/sys/audit/file', { type: 'file', options: { file_path: audit } });
  await s.request('POST', '/v1/sys/policies/acl/ssh-access', {
    policy: 'path "ssh/sign/x" { capabilities = ["update"] }',
  });
  await s.request('POST', '/v1/sys/auth/userpass', { type: 'userpass' });
  await s.request('POST', '/v1/auth/userpass/users/testuser', { password: 'pw', token_policies: 'ssh-access' });
  const token = (await s.request('POST', '/v1/auth/userpass/login/testuser', { password: 'pw' }, null)).json.auth
    .client_token;
  const hashBefore = (await s.request('POST', '/v1/sys/audit-hash/file', { input: 'x' })).json.data.hash;

  s = await reopen();
  expect((await s.request('GET', '/v1/sys/policies/acl/ssh-access')).json.data.policy).toBe(
    'path "ssh/sign/x" { capabilities = ["update"] }',
  );
  expect(Object.keys((await s.request('GET', '/v1/sys/auth')).json.data)).toEqual(['token/', 'userpass/']);
  const look = await s.request('GET', '/v1/auth/token/lookup-self', undefined, token);
  expect(look.json.data.display_name).toBe('userpass-testuser');
  expect((await s.request('POST', '/v1/auth/userpass/login/testuser', { password: 'pw' }, null)).status).toBe(200);
  // The same device, with the same salt: hashes are stable across restarts.
  expect((await s.request('POST', '/v1/sys/audit-hash/file', { input: 'x' })).json.data.hash).toBe(hashBefore);
  expect(readFileSync(audit, 'utf8')).toContain('"path":"auth/userpass/login/testuser"');
});

it('keeps counting lockouts and token TTLs across a restart', async () => {
  let s = await reopen();
  await s.request('POST', '/v1/sys/auth/userpass', { type: 'userpass' });
  await s.request('POST', '/v1/auth/userpass/users/u', { password: 'pw', token_ttl: '10m' });
  const token = (await s.request('POST', '/v1/auth/userpass/login/u', { password: 'pw' }, null)).json.auth.client_token;
  for (let i = 0; i < 3; i++) await s.request('POST', '/v1/auth/userpass/login/u', { password: 'bad' }, null);

  s = await reopen();
  for (let i = 0; i < 2; i++) await s.request('POST', '/v1/auth/userpass/login/u', { password: 'bad' }, null);
  expect((await s.request('POST', '/v1/auth/userpass/login/u', { password: 'pw' }, null)).status).toBe(403);
  nowMs += 10 * 60 * 1000;

  s = await reopen();
  expect((await s.request('GET', '/v1/auth/token/lookup-self', undefined, token)).status).toBe(403);
  nowMs += 5 * 60 * 1000;
  expect((await s.request('POST', '/v1/auth/userpass/login/u', { password: 'pw' }, null)).status).toBe(200);
});
