// The README's "Audit" commands (issue 21, point 1) run exactly as written, in bash, with `sshca` on
// PATH, against an embedded test server (VAULT_ADDR, VAULT_TOKEN) whose file audit device writes
// vault_audit.log in the working directory; web1-auth.log is an auth.log with testuser's certificate
// login in OpenSSH's format. test/e2e/audit.test.ts proves the same against real sshd hosts.

import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { makeScratchDir, removeScratchDir } from './helpers/scratch.js';
import { makeSshcaBin, runBlock as runReadmeBlock, sectionBlocks } from './helpers/readme.js';
import { mountSshCa, startTestServer, type TestServer } from './helpers/vault-server.js';

let server: TestServer;
let dir: string;
let bin: string;

beforeAll(async () => {
  dir = makeScratchDir('readme-audit');
  bin = makeSshcaBin(dir);
  server = await startTestServer();
});

afterAll(async () => {
  await server?.close();
  if (dir) removeScratchDir(dir);
});

const runBlock = (code: string, cwd: string) =>
  runReadmeBlock(code, { cwd, bin, env: { VAULT_ADDR: server.url, VAULT_TOKEN: server.token } });

it('prints testuser\'s login and writes logins.json as the "Audit" section says', async () => {
  const blocks = sectionBlocks('## Audit');
  expect(blocks.map((b) => b.lang)).toEqual(['sh']);
  const folder = join(dir, 'work');
  mkdirSync(folder);
  const ok = async (path: string, body: unknown, token?: string | null) => {
    const r = await server.request('POST', path, body, token);
    if (r.status >= 300) throw new Error(`POST ${path} answered ${r.status}: ${r.body}`);
    return r;
  };
  await ok('/v1/sys/audit/file', { type: 'file', options: { file_path: join(folder, 'vault_audit.log') } });
  await mountSshCa(server, 'ssh-dev', {
    developer: { key_type: 'ca', allow_user_certificates: true, allowed_users: 'ubuntu', default_user: 'ubuntu' },
  });
  await ok('/v1/sys/policies/acl/ssh-access', {
    policy: 'path "ssh-dev/sign/developer" { capabilities = ["update"] }',
  });
  await ok('/v1/sys/auth/userpass', { type: 'userpass' });
  await ok('/v1/auth/userpass/users/testuser', { password: 'pw', token_policies: 'ssh-access' });
  const token = (await ok('/v1/auth/userpass/login/testuser', { password: 'pw' }, null)).json.auth.client_token;
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', '', '-f', join(folder, 'id')]);
  const signed = await ok(
    '/v1/ssh-dev/sign/developer',
    { public_key: readFileSync(join(folder, 'id.pub'), 'utf8') },
    token,
  );
  const serial = BigInt(`0x${signed.json.data.serial_number}`).toString();
  // An auth.log line as sshd writes it, a minute ago (syslog: no year, read as UTC).
  const when = new Date(Math.floor(Date.now() / 1000) * 1000 - 60_000);
  const stamp = `${when.toUTCString().slice(8, 11)} ${String(when.getUTCDate()).padStart(2, ' ')} ${when.toISOString().slice(11, 19)}`;
  writeFileSync(
    join(folder, 'web1-auth.log'),
    `${stamp} web1 sshd[4242]: Accepted publickey for ubuntu from 10.0.0.7 port 50122 ssh2: ED25519-CERT SHA256:AbC ID developer (serial ${serial}) CA ED25519 SHA256:DeF\n`,
  );

  const r = await runBlock(blocks[0]!.code, folder);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  const rows = r.stdout.split('\n').map((l) => l.split(/ {2,}/));
  expect(rows.slice(0, 3)).toEqual([
    ['Logins:'],
    ['TIME', 'HOST', 'ACCOUNT', 'FROM', 'SERIAL', 'SIGNED BY', 'METHOD', 'ROLE', 'SIGNED AT'],
    [
      when.toISOString(),
      'web1',
      'ubuntu',
      '10.0.0.7',
      serial,
      'testuser',
      'userpass',
      'ssh-dev/developer',
      expect.stringMatching(/Z$/),
    ],
  ]);
  const report = JSON.parse(readFileSync(join(folder, 'logins.json'), 'utf8'));
  expect(
    report.logins.map((l: any) => [l.login.host, l.login.account, l.certificate.displayName, l.certificate.role]),
  ).toEqual([['web1', 'ubuntu', 'userpass-testuser', 'developer']]);
  expect(report.unused).toEqual([]);
  expect(report.unknown).toEqual([]);
});
