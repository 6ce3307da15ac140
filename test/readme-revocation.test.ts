// The README's "Revocation" commands (issue 20, point 1) run exactly as written, in bash, with
// `sshca` on PATH as an installed package puts it there, against an embedded test server named by
// VAULT_ADDR and VAULT_TOKEN (the test creates the ssh-dev mount, the KV version 2 mount sshca and
// alice's certificate with key ID vault-root-alice in the working directory). test/e2e/revocation.test.ts
// proves the same commands against a real sshd.

import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { renderKrl } from '../core/krl/krl.js';
import { planKrl } from '../core/krl/revocations.js';
import { makeScratchDir, removeScratchDir } from './helpers/scratch.js';
import { makeSshcaBin, runBlock as runReadmeBlock, sectionBlocks } from './helpers/readme.js';
import { mountSshCa, startTestServer, type TestServer } from './helpers/vault-server.js';

let server: TestServer;
let dir: string;
let bin: string;
let devCa: string;

beforeAll(async () => {
  dir = makeScratchDir('readme-revocation');
  bin = makeSshcaBin(dir);
  server = await startTestServer();
  devCa = await mountSshCa(server, 'ssh-dev', {
    developer: { key_type: 'ca', allow_user_certificates: true, allowed_users: 'ubuntu', allow_user_key_ids: true },
  });
  expect((await server.request('POST', '/v1/sys/mounts/sshca', { type: 'kv-v2' })).status).toBe(204);
});

afterAll(async () => {
  await server?.close();
  if (dir) removeScratchDir(dir);
});

const runBlock = (code: string, cwd: string) =>
  runReadmeBlock(code, { cwd, bin, env: { VAULT_ADDR: server.url, VAULT_TOKEN: server.token } });

it('revokes, lists and renders the KRL as the "Revocation" section says; ssh-keygen -Q finds alice revoked', async () => {
  const blocks = sectionBlocks('## Revocation');
  expect(blocks.map((b) => b.lang)).toEqual(['sh']);
  const folder = join(dir, 'work');
  mkdirSync(folder);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'alice', '-f', join(folder, 'alice')]);
  const signed = await server.request('POST', '/v1/ssh-dev/sign/developer', {
    public_key: readFileSync(join(folder, 'alice.pub'), 'utf8'),
    key_id: 'vault-root-alice',
    valid_principals: 'ubuntu',
  });
  writeFileSync(join(folder, 'alice-cert.pub'), signed.json.data.signed_key);

  const r = await runBlock(blocks[0]!.code, folder);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  const secret = (await server.request('GET', '/v1/sshca/data/revocations/ssh-dev')).json.data;
  const [byKeyId, bySerial] = secret.data.revocations;
  expect(secret.data.revocations).toEqual([
    {
      type: 'key_id',
      key_id: 'vault-root-alice',
      ca_key: devCa,
      reason: 'left the company',
      revoked_at: expect.stringMatching(/Z$/),
      by: 'root',
    },
    {
      type: 'serial',
      serial: '4242',
      ca_key: devCa,
      reason: 'laptop stolen',
      revoked_at: expect.stringMatching(/Z$/),
      by: 'root',
    },
  ]);
  const lines = r.stdout.split('\n');
  expect(lines.slice(0, 4)).toEqual([
    'revoked key ID "vault-root-alice" of ssh-dev: 1 revocation(s) in sshca/data/revocations/ssh-dev (version 1)',
    'hosts refuse it once they have the new KRL: sshca render --format krl --mount ssh-dev --out FILE',
    'revoked serial 4242 of ssh-dev: 2 revocation(s) in sshca/data/revocations/ssh-dev (version 2)',
    'hosts refuse it once they have the new KRL: sshca render --format krl --mount ssh-dev --out FILE',
  ]);
  expect(lines[4]).toMatch(/^TYPE\s+REVOKED\s+CA\s+REVOKED_AT\s+BY\s+REASON$/);
  expect(lines[5]).toContain(byKeyId.revoked_at);
  expect(lines[6]).toContain(bySerial.revoked_at);
  expect(lines.slice(7)).toEqual([
    'wrote revoked_keys: 2 revocation(s) of ssh-dev, KRL version 2',
    'alice-cert.pub (alice-cert.pub): REVOKED',
    'alice is revoked',
    '',
  ]);
  const file = join(folder, 'revoked_keys');
  expect(statSync(file).mode & 0o777).toBe(0o644);
  expect(
    readFileSync(file).equals(
      renderKrl(
        planKrl(secret.data.revocations, {
          caKeys: [devCa],
          krlVersion: 2n,
          generatedDate: BigInt(Date.parse(secret.metadata.created_time) / 1000),
          comment: '',
        }),
      ),
    ),
  ).toBe(true);
}, 60_000);
