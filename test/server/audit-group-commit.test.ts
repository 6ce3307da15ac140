// The file audit device commits in groups (issue 22) and stays fail-closed: under 64 parallel requests
// each answer's request and response entries are in the file, in that order, when the client reads
// the answer; when the device cannot write (its directory removed), every parallel request fails with
// Vault's error and none is carried out; once it can again, requests pass.

import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { generateKeyPair } from '../../server/ssh/generate-key-pair.js';
import { makeScratchDir, removeScratchDir } from '../helpers/scratch.js';
import { mountSshCa, startTestServer, type TestServer } from '../helpers/vault-server.js';

let server: TestServer;
let dir: string;

beforeEach(async () => {
  dir = makeScratchDir('audit-group');
  server = await startTestServer();
});

afterEach(async () => {
  await server.close();
  removeScratchDir(dir);
});

/** The type (`request`/`response`) of each entry for `requestId`, in file order. */
const entriesOf = (file: string, requestId: string): string[] =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l))
    .filter((e) => e.request.id === requestId)
    .map((e) => e.type);

const INTERNAL = { errors: ['1 error occurred:\n\t* internal error\n\n'] };

it('has written both entries of every one of 64 parallel requests, in order, before the client reads the answer', async () => {
  const file = join(dir, 'audit.log');
  expect(
    (await server.request('POST', '/v1/sys/audit/file', { type: 'file', options: { file_path: file } })).status,
  ).toBe(204);
  await mountSshCa(server, 'ssh', {
    dev: { key_type: 'ca', allow_user_certificates: true, allowed_users: '*', default_user: 'ubuntu' },
  });
  const body = { public_key: generateKeyPair('ed25519', 0).publicKey };
  const seen = await Promise.all(
    Array.from({ length: 64 }, async () => {
      const r = await server.request('POST', '/v1/ssh/sign/dev', body);
      // Read at once, as the answer arrives.
      return [r.status, entriesOf(file, r.json.request_id)];
    }),
  );
  expect(seen).toEqual(Array.from({ length: 64 }, () => [200, ['request', 'response']]));
});

it('fails every parallel request while the device cannot write, and carries none of them out', async () => {
  const logs = join(dir, 'logs');
  mkdirSync(logs);
  const file = join(logs, 'audit.log');
  await server.request('POST', '/v1/sys/audit/file', { type: 'file', options: { file_path: file } });
  rmSync(logs, { recursive: true });
  const answers = await Promise.all(
    Array.from({ length: 16 }, async (_, i) => {
      const r = await server.request('POST', `/v1/sys/mounts/ssh-${i}`, { type: 'ssh' });
      return [r.status, r.json];
    }),
  );
  expect(answers).toEqual(Array.from({ length: 16 }, () => [500, INTERNAL]));
  mkdirSync(logs);
  const mounts = await server.request('GET', '/v1/sys/mounts');
  expect(mounts.status).toBe(200);
  expect(Object.keys(mounts.json.data).filter((m) => m.startsWith('ssh-'))).toEqual([]);
  expect(entriesOf(file, mounts.json.request_id)).toEqual(['request', 'response']);
});
