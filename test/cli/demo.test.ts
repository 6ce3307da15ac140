// The main job (`npm start` = `sshca demo`), the built binary on this machine: the whole seed
// scenario on the embedded server with real sshd hosts (one of them taking one-time passwords through
// its own PAM service and the shipped helper), its summary checked line by line; a second run reuses
// everything and changes nothing, and no PAM service file is left behind.

import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parse } from 'yaml';
import { makeScratchDir, removeScratchDir } from '../helpers/scratch.js';
import { runSshca, type SshcaRun } from '../helpers/sshca-bin.js';

let dir: string;
let out: string;
let first: SshcaRun;

/** A folder holding an executable `sshca` (a stand-in: the demo only looks for it on PATH). */
function fakeSshcaIn(folder: string): string {
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, 'sshca'), '#!/bin/sh\nexit 0\n');
  chmodSync(join(folder, 'sshca'), 0o755);
  return folder;
}

/** This machine's PATH without any folder that holds an `sshca`, with `first` in front. */
const pathWith = (first: string) =>
  [first, ...(process.env.PATH ?? '').split(delimiter).filter((d) => d && !existsSync(join(d, 'sshca')))].join(
    delimiter,
  );

beforeAll(async () => {
  dir = makeScratchDir('demo');
  out = join(dir, 'out');
  // As under `npm start` or `npx` in a clone: sshca only in a node_modules/.bin folder that npm put on
  // PATH for the demo, which the user's shell does not have.
  first = await runSshca(['demo', '--out', out], { PATH: pathWith(fakeSshcaIn(join(dir, 'node_modules', '.bin'))) });
}, 120_000);

afterAll(() => removeScratchDir(dir));

const MATRIX = [
  '   who       credential (principal)              dev host  prod host OTP host',
  '   testuser  developer@ssh-dev (ubuntu)          in        refused   in',
  '   testuser  developer@ssh-prod (ubuntu)         refused   in        refused',
  '   oncall    emergency@ssh-dev (root)            in        refused   in',
  '   ci        automation@ssh-dev (gitlab-runner)  in        refused   refused',
  '   testuser  emergency@ssh-dev (root)            not signed: your token may not sign on ssh-dev/sign/emergency: it needs a policy with "update" on that path',
  '   testuser  OTP otp@ssh-dev (root)              -         -         in',
  '   testuser  the same OTP again                  -         -         refused',
  "   (the dev host maps ci's gitlab-runner to its deploy account, root here; prod trusts only the prod CA, and the OTP host has no deploy account)",
  '   (an OTP is issued for one host address and works once; the OTP host takes dev certificates too)',
];

it('runs every step and prints the access matrix from real logins', () => {
  expect(first.stderr).toBe('');
  expect(first.code).toBe(0);
  const lines = first.stdout.split('\n');
  expect(lines[0]).toMatch(
    new RegExp(`^1\\. Embedded server at http://127\\.0\\.0\\.1:\\d+, new state in ${out}/server$`),
  );
  expect(lines[1]).toBe('2. Provisioned dev and prod through the Pulumi providers: 24 created');
  expect(lines[2]).toBe(
    `3. Host trust rendered: ${out}/dev, ${out}/prod (user-data.yaml, ansible-vars.yml, 10-sshca.conf, …)`,
  );
  expect(lines[3]).toBe('4. Synthesizing examples/cdktf-dev-prod with cdktf (a few seconds) …');
  expect(lines[4]).toBe(`   Terraform JSON for dev and prod in ${out}/cdktf/stacks`);
  expect(lines[5]).toMatch(
    /^5\. Access matrix: real ssh logins as root to local sshd hosts \(dev 127\.0\.0\.2:\d+, prod 127\.0\.0\.3:\d+, OTP 127\.0\.0\.4:\d+\)$/,
  );
  expect(lines.slice(6, 16)).toEqual(MATRIX);
  expect(lines.slice(16)).toEqual([
    `6. Access report: ${out}/report/index.html (open it in a browser)`,
    // The matrix's certificate logins ("in" with a certificate: 6), each attributed; the users, not CI's
    // token, are identities; no certificate of the run went unused.
    '   2 environments, 2 identities, 5 identity-role grants, 6 certificate logins, 0 certificates never used, 0 unknown certificates',
    '',
    `Done. Keep the backend running with: npx sshca serve --data-dir ${out}/server`,
    `(root token in ${out}/server/root-token, demo passwords in ${out}/credentials.json)`,
    '',
  ]);
});

it('leaves the rendered artefacts, the synthesized stacks and tight modes on secrets', () => {
  for (const env of ['dev', 'prod']) {
    const userData = readFileSync(join(out, env, 'user-data.yaml'), 'utf8');
    expect(userData.startsWith('#cloud-config\n')).toBe(true);
    const vars = parse(readFileSync(join(out, env, 'ansible-vars.yml'), 'utf8'));
    expect(vars.ssh_ca_trust_environment).toBe(env);
    expect(userData).toContain(vars.ssh_ca_trust_ca_keys[0]);
    expect(
      JSON.parse(readFileSync(join(out, 'cdktf', 'stacks', env, 'cdk.tf.json'), 'utf8')).resource.vault_mount,
    ).toBeDefined();
  }
  // CI's automation principals log in as deploy on dev hosts only (the zero-trust post's CI role).
  expect(
    readFileSync(join(out, 'dev', 'principals', 'deploy'), 'utf8')
      .split('\n')
      .slice(-3),
  ).toEqual(['gitlab-runner', 'jenkins', '']);
  expect(readdirSync(join(out, 'dev', 'principals')).sort()).toEqual(['deploy', 'ec2-user', 'root', 'ubuntu']);
  expect(readdirSync(join(out, 'prod', 'principals')).sort()).toEqual(['ec2-user', 'root', 'ubuntu']);
  expect(parse(readFileSync(join(out, 'dev', 'ansible-vars.yml'), 'utf8')).ssh_ca_trust_principals).toMatchObject({
    deploy: ['gitlab-runner', 'jenkins'],
  });
  expect(readFileSync(join(out, 'prod', 'user-data.yaml'), 'utf8')).not.toContain('gitlab-runner');
  expect(readFileSync(join(out, 'dev', 'trusted_user_ca_keys'), 'utf8')).not.toBe(
    readFileSync(join(out, 'prod', 'trusted_user_ca_keys'), 'utf8'),
  );
  for (const secret of ['credentials.json', 'server/root-token', 'audit.log'])
    expect(statSync(join(out, secret)).mode & 0o777).toBe(0o600);
});

it('is idempotent: a second run reuses the state and changes nothing', async () => {
  // This time sshca is installed on PATH (npm install -g): the closing line says plain `sshca`.
  const again = await runSshca(['demo', '--out', out, '--no-cdktf'], { PATH: pathWith(fakeSshcaIn(join(dir, 'bin'))) });
  expect(again.code).toBe(0);
  const lines = again.stdout.split('\n');
  expect(lines[0]).toMatch(/, reused state in /);
  expect(lines[1]).toBe('2. Provisioned dev and prod through the Pulumi providers: 24 unchanged');
  expect(lines[3]).toBe('4. CDKTF synthesis: skipped (--no-cdktf)');
  expect(lines.slice(5, 15)).toEqual(MATRIX);
  expect(lines[18]).toBe(`Done. Keep the backend running with: sshca serve --data-dir ${out}/server`);
  expect(readdirSync('/etc/pam.d').filter((f) => f.startsWith('sshca-demo-'))).toEqual([]);
}, 120_000);

it('logs the OTP host helper’s decisions without the OTP', () => {
  const log = readFileSync(join(out, 'dev', 'local-otp-host', 'otp-helper.log'), 'utf8');
  expect(log).toMatch(/vault-ssh-helper: accepted user=root ip=127\.0\.0\.4 role=otp: ip is an address of this host/);
  expect(log).toMatch(/vault-ssh-helper: refused user=root: OTP not found/);
  expect(log).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/);
});
