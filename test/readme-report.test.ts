// The README's "Access report" commands (issue 21, point 2) run exactly as written, in bash, with
// `sshca`, curl and jq on PATH, against an embedded test server (VAULT_ADDR, VAULT_TOKEN as root)
// whose file audit device writes vault_audit.log in the working directory: the block writes the
// read-only policy, creates a token with it alone and writes the page with that token.
// web1-auth.log is an auth.log with testuser's certificate login in OpenSSH's format, and
// group_vars/dev.yml an Ansible vars file holding ssh_ca_trust_principals.

import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { makeScratchDir, removeScratchDir } from './helpers/scratch.js';
import { makeSshcaBin, runBlock as runReadmeBlock, sectionBlocks } from './helpers/readme.js';
import { mountSshCa, startTestServer, type TestServer } from './helpers/vault-server.js';

let server: TestServer;
let dir: string;
let bin: string;

beforeAll(async () => {
  dir = makeScratchDir('readme-report');
  bin = makeSshcaBin(dir);
  server = await startTestServer();
});

afterAll(async () => {
  await server?.close();
  if (dir) removeScratchDir(dir);
});

const runBlock = (code: string, cwd: string) =>
  runReadmeBlock(code, { cwd, bin, env: { VAULT_ADDR: server.url, VAULT_TOKEN: server.token } });

it('writes the read-only policy and the page with a token of its own as the "Access report" section says', async () => {
  const blocks = sectionBlocks('## Access report');
  expect(blocks.map((b) => b.lang)).toEqual(['sh']);
  const folder = join(dir, 'work');
  mkdirSync(join(folder, 'group_vars'), { recursive: true });
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
  writeFileSync(
    join(folder, 'group_vars', 'dev.yml'),
    'ssh_ca_trust_environment: dev\nssh_ca_trust_principals:\n  ubuntu: [ubuntu]\n',
  );

  const r = await runBlock(blocks[0]!.code, folder);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  expect(r.stdout).toBe(
    'wrote report/index.html: 1 environment, 1 identity, 1 identity-role grant, 1 certificate login, 0 certificates never used, 0 unknown certificates\n',
  );
  expect(statSync(join(folder, 'report')).mode & 0o777).toBe(0o700);
  expect(statSync(join(folder, 'report', 'index.html')).mode & 0o777).toBe(0o600);
  const html = readFileSync(join(folder, 'report', 'index.html'), 'utf8');
  expect(html).toContain('<tr data-subject="userpass/testuser" data-role="developer">');
  // Host accounts from group_vars/dev.yml, not sshd's default.
  expect(html).not.toContain('(account = principal)');
  const recent = /<table class="recent-logins">[\s\S]*?<tbody>\n([\s\S]*?)\n<\/tbody>/.exec(html)?.[1];
  expect(recent?.split('\n')).toEqual([
    expect.stringMatching(
      new RegExp(
        `^<tr data-host="web1" data-account="ubuntu"><td>[^<]+</td><td>web1</td><td><code>ubuntu</code></td><td>10\\.0\\.0\\.7</td><th scope="row">testuser</th><td>userpass</td><td><code>ssh-dev/developer</code></td><td>${serial}</td></tr>$`,
      ),
    ),
  ]);

  // The block wrote the policy it printed on the server.
  const policy = await server.request('GET', '/v1/sys/policies/acl/sshca-report');
  expect(policy.status).toBe(200);
  expect(policy.json.data.policy).toBe(readFileSync(join(folder, 'sshca-report.hcl'), 'utf8'));
}, 60_000);
