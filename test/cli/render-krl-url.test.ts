// `sshca render --format cloud-init --krl-url URL [--krl-ca-cert FILE]` (issue 20, point 1): the
// golden user-data with the KRL part from the golden specs' keys (no backend), and the refusals.

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { makeScratchDir, removeScratchDir } from '../helpers/scratch.js';
import { runSshca } from '../helpers/sshca-bin.js';
import { GOLDEN_SPECS } from '../core/render/golden.js';

const KRL_GOLDEN = join(import.meta.dirname, '../golden/krl-refresh');
let dir: string;
let keyArgs: (env: 'dev' | 'prod') => string[];

beforeAll(() => {
  dir = makeScratchDir('render-krl-url');
  keyArgs = (env) =>
    GOLDEN_SPECS[env].caKeys.flatMap((k, i) => {
      const file = join(dir, `${env}-${i}.pub`);
      writeFileSync(file, `${k}\n`);
      return ['--ca-key', file];
    });
});

afterAll(() => {
  if (dir) removeScratchDir(dir);
});

const principalArgs = (env: 'dev' | 'prod') =>
  Object.entries(GOLDEN_SPECS[env].principals).flatMap(([a, p]) => ['--principals', `${a}=${p.join(',')}`]);

it('renders the dev and prod goldens, the prod one with --krl-ca-cert', async () => {
  const dev = await runSshca([
    'render', '--format', 'cloud-init', '--environment', 'dev', ...keyArgs('dev'), ...principalArgs('dev'),
    '--krl-url', 'https://krl.example.com/dev/revoked_keys',
  ]);
  expect(dev).toEqual({ code: 0, stdout: readFileSync(join(KRL_GOLDEN, 'dev/user-data.yaml'), 'utf8'), stderr: '' });
  const prod = await runSshca([
    'render', '--format', 'cloud-init', '--environment', 'prod', ...keyArgs('prod'), ...principalArgs('prod'),
    '--krl-url', 'https://krl.example.com/prod/revoked_keys', '--krl-ca-cert', join(KRL_GOLDEN, 'krl-ca.pem'),
  ]);
  expect(prod).toEqual({ code: 0, stdout: readFileSync(join(KRL_GOLDEN, 'prod/user-data.yaml'), 'utf8'), stderr: '' });
});

it('refuses http, --krl-ca-cert alone, and --krl-url with another format', async () => {
  const base = ['render', '--environment', 'dev', ...keyArgs('dev'), ...principalArgs('dev')];
  const http = await runSshca([...base, '--format', 'cloud-init', '--krl-url', 'http://krl.example.com/k']);
  expect(http.code).toBe(1);
  expect(http.stderr).toContain(
    'url must be https (the KRL decides who may log in), got http://krl.example.com/k; http is for tests only (allowHttp)',
  );
  expect(await runSshca([...base, '--format', 'cloud-init', '--krl-ca-cert', join(KRL_GOLDEN, 'krl-ca.pem')])).toEqual({
    code: 2,
    stdout: '',
    stderr: expect.stringContaining('--krl-ca-cert needs --krl-url'),
  });
  expect(await runSshca([...base, '--format', 'sshd', '--krl-url', 'https://krl.example.com/k'])).toEqual({
    code: 2,
    stdout: '',
    stderr: expect.stringContaining('--krl-url cannot be used with --format sshd'),
  });
});
