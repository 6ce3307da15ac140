// The README's "Revocation" block ends with the host side (issue 20, point 1): `sshca render --format
// cloud-init ... --krl-url URL`. test/readme-revocation.test.ts runs the whole block as written; this
// test runs that line as written too, against an embedded test server, and checks the user-data it
// writes is the core renderer's, KRL part included, byte for byte.

import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { renderCloudConfig } from '../core/render/cloud-config.js';
import { validateHostTrust } from '../core/render/host-trust.js';
import { validateKrlRefresh } from '../core/render/krl-refresh.js';
import { makeScratchDir, removeScratchDir } from './helpers/scratch.js';
import { SSHCA_BIN } from './helpers/sshca-bin.js';
import { mountSshCa, startTestServer, type TestServer } from './helpers/vault-server.js';

const ROOT = resolve(import.meta.dirname, '..');
let server: TestServer;
let dir: string;
let devCa: string;

beforeAll(async () => {
  dir = makeScratchDir('readme-revocation-hosts');
  mkdirSync(join(dir, 'bin'));
  writeFileSync(join(dir, 'bin', 'sshca'), `#!/bin/sh\nexec "${process.execPath}" "${SSHCA_BIN}" "$@"\n`, {
    mode: 0o755,
  });
  server = await startTestServer();
  devCa = await mountSshCa(server, 'ssh-dev', {});
});

afterAll(async () => {
  await server?.close();
  if (dir) removeScratchDir(dir);
});

it('the --krl-url line of the "Revocation" block writes the host-trust user-data with the KRL part', async () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('\n## Revocation\n'), readme.indexOf('\n## Drift\n'));
  const line = section.split('\n').find((l) => l.includes('--krl-url'))!;
  expect(line).toBe(
    'sshca render --mount ssh-dev --format cloud-init --principals ubuntu=ubuntu --krl-url https://krl.example.com/dev/revoked_keys > dev-user-data.yaml',
  );
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(VAULT|BAO|SSHCA)_/.test(k)));
  // The server runs in this process: spawn asynchronously.
  const r = await new Promise<{ code: number | null; stderr: string }>((done) => {
    const child = spawn('bash', ['-e', '-c', line], {
      cwd: dir,
      env: {
        ...base,
        HOME: dir,
        PATH: `${join(dir, 'bin')}:${process.env.PATH}`,
        VAULT_ADDR: server.url,
        VAULT_TOKEN: server.token,
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('exit', (code: number | null) => done({ code, stderr }));
  });
  expect(r).toEqual({ code: 0, stderr: '' });
  const trust = validateHostTrust({ environment: 'dev', caKeys: [devCa], principals: { ubuntu: ['ubuntu'] } });
  const krl = validateKrlRefresh({ environment: 'dev', url: 'https://krl.example.com/dev/revoked_keys' });
  expect(readFileSync(join(dir, 'dev-user-data.yaml'), 'utf8')).toBe(renderCloudConfig(trust, { krl }));
  const schema = spawnSync('cloud-init', ['schema', '--config-file', join(dir, 'dev-user-data.yaml')], {
    encoding: 'utf8',
  });
  expect(schema.status).toBe(0);
}, 60_000);
