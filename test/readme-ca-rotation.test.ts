// The README's "CA rotation" commands (issue 20, point 2) run exactly as written, in bash, with
// `sshca` on PATH as an installed package puts it there, against an embedded test server named by
// VAULT_ADDR and VAULT_TOKEN; the mount ssh-dev with its CA and a role is created by the test.

import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { makeScratchDir, removeScratchDir } from './helpers/scratch.js';
import { SSHCA_BIN } from './helpers/sshca-bin.js';
import { startTestServer, type TestServer } from './helpers/vault-server.js';

const ROOT = resolve(import.meta.dirname, '..');
let server: TestServer;
let dir: string;

beforeAll(async () => {
  dir = makeScratchDir('readme-rotation');
  mkdirSync(join(dir, 'bin'));
  writeFileSync(join(dir, 'bin', 'sshca'), `#!/bin/sh\nexec "${process.execPath}" "${SSHCA_BIN}" "$@"\n`, {
    mode: 0o755,
  });
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
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf('\n## CA rotation\n');
  expect(start).toBeGreaterThan(0);
  const section = readme.slice(start, readme.indexOf('\n## ', start + 1));
  const [block] = [...section.matchAll(/^```bash\n([\s\S]*?)^```$/gm)].map((m) => m[1]!);
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(VAULT|BAO|SSHCA)_/.test(k)));
  const r = await new Promise<ReturnType<typeof spawnSync>>((done) => {
    // Asynchronously: the in-process server answers meanwhile.
    import('node:child_process').then(({ execFile }) =>
      execFile(
        'bash',
        ['-e', '-c', block!],
        {
          cwd: dir,
          env: {
            ...base,
            PATH: `${join(dir, 'bin')}:${process.env.PATH}`,
            VAULT_ADDR: server.url,
            VAULT_TOKEN: server.token,
          },
        },
        (error, stdout, stderr) => done({ status: error ? 1 : 0, stdout, stderr } as any),
      ),
    );
  });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  expect(String(r.stdout)).toContain('stage 1: new key staged-');
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
