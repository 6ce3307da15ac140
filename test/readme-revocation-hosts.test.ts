// The README's "Revocation" block ends with the host side (issue 20, point 1): `sshca render --format
// cloud-init ... --krl-url URL`. test/readme-revocation.test.ts runs the whole block as written; this
// test runs that line as written too, against an embedded test server, and checks the user-data it
// writes is the core renderer's, KRL part included, byte for byte.

import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { renderCloudConfig } from '../core/render/cloud-config.js';
import { validateHostTrust } from '../core/render/host-trust.js';
import { validateKrlRefresh } from '../core/render/krl-refresh.js';
import { makeSshcaBin, runBlock, sectionBlocks } from './helpers/readme.js';
import { makeScratchDir, removeScratchDir } from './helpers/scratch.js';
import { mountSshCa, startTestServer, type TestServer } from './helpers/vault-server.js';

let server: TestServer;
let dir: string;
let bin: string;
let devCa: string;

beforeAll(async () => {
  dir = makeScratchDir('readme-revocation-hosts');
  bin = makeSshcaBin(dir);
  server = await startTestServer();
  devCa = await mountSshCa(server, 'ssh-dev', {});
});

afterAll(async () => {
  await server?.close();
  if (dir) removeScratchDir(dir);
});

it('the --krl-url line of the "Revocation" block writes the host-trust user-data with the KRL part', async () => {
  const section = sectionBlocks('## Revocation')
    .map((x) => x.code)
    .join('\n');
  const line = section.split('\n').find((l) => l.includes('--krl-url'))!;
  expect(line).toBe(
    'sshca render --mount ssh-dev --format cloud-init --principals ubuntu=ubuntu --krl-url https://krl.example.com/dev/revoked_keys > dev-user-data.yaml',
  );
  const r = await runBlock(line, { cwd: dir, bin, env: { VAULT_ADDR: server.url, VAULT_TOKEN: server.token } });
  expect(r).toEqual({ code: 0, stdout: '', stderr: '' });
  const trust = validateHostTrust({ environment: 'dev', caKeys: [devCa], principals: { ubuntu: ['ubuntu'] } });
  const krl = validateKrlRefresh({ environment: 'dev', url: 'https://krl.example.com/dev/revoked_keys' });
  expect(readFileSync(join(dir, 'dev-user-data.yaml'), 'utf8')).toBe(renderCloudConfig(trust, { krl }));
  const schema = spawnSync('cloud-init', ['schema', '--config-file', join(dir, 'dev-user-data.yaml')], {
    encoding: 'utf8',
  });
  expect(schema.status).toBe(0);
}, 60_000);
