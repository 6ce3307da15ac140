// The README's "CA rotation" commands (issue 20, point 2) run exactly as written, in bash, with
// `sshca` on PATH as an installed package puts it there, against an embedded test server named by
// VAULT_ADDR and VAULT_TOKEN; the mount ssh-dev with its CA and a role is created by the test.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { makeSshcaBin, runBlock, sectionBlocks } from './helpers/readme.js';
import { makeScratchDir, removeScratchDir } from './helpers/scratch.js';
import { startTestServer, type TestServer } from './helpers/vault-server.js';

let server: TestServer;
let dir: string;
let bin: string;

beforeAll(async () => {
  dir = makeScratchDir('readme-rotation');
  bin = makeSshcaBin(dir);
  server = await startTestServer();
  await server.request('POST', '/v1/sys/mounts/ssh-dev', { type: 'ssh' });
  await server.request('POST', '/v1/ssh-dev/config/ca', { key_type: 'ed25519' });
  await server.request('POST', '/v1/ssh-dev/roles/dev', {
    key_type: 'ca',
    allow_user_certificates: true,
    max_ttl: '1h',
  });
});
afterAll(async () => {
  await server?.close();
  if (dir) removeScratchDir(dir);
});

it('runs the README’s CA rotation block as written', async () => {
  const blocks = sectionBlocks('## CA rotation');
  expect(blocks.map((x) => x.lang)).toEqual(['bash']);
  const r = await runBlock(blocks[0]!.code, {
    cwd: dir,
    bin,
    env: { VAULT_ADDR: server.url, VAULT_TOKEN: server.token },
  });
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  expect(r.stdout).toContain('stage 1: new key staged-');
  expect(
    readFileSync(join(dir, 'trusted_user_ca_keys'), 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('ssh-ed25519 ')),
  ).toHaveLength(2);
  const status = JSON.parse(readFileSync(join(dir, 'rotation.json'), 'utf8'));
  expect(status).toMatchObject({
    mount: 'ssh-dev',
    stage: 2,
    longest_ttl: 3600,
    longest_ttl_role: 'dev',
    stage3_allowed: false,
  });
});
