// The README's host-certificate commands (issue 17, point 3) run exactly as written, in bash, with
// `sshca` on PATH as an installed package puts it there, against an embedded test server named by
// VAULT_ADDR (the commands name the host CA mounts ssh-dev-host and ssh-prod-host, which the test
// creates): the `sshca render --format known-hosts` block of "Host certificates: clients trust the
// host CA", and the `sshca login --host-ca-mount` block of "An engineer's login" (its first block is
// test/readme-snippets.test.ts's). test/e2e/host-certificates.test.ts proves the same command forms
// against real sshd hosts with real ssh.

import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { makeScratchDir, removeScratchDir } from './helpers/scratch.js';
import { makeSshcaBin, runBlock as runReadmeBlock, sectionBlocks } from './helpers/readme.js';
import { mountSshCa, startTestServer, type TestServer } from './helpers/vault-server.js';

let server: TestServer;
let dir: string;
let bin: string;
let devHostCa: string;
let prodHostCa: string;

beforeAll(async () => {
  dir = makeScratchDir('readme-host-certs');
  bin = makeSshcaBin(dir);
  server = await startTestServer();
  const ok = async (path: string, body: unknown) => {
    const r = await server.request('POST', path, body);
    if (r.status >= 300) throw new Error(`POST ${path} answered ${r.status}: ${r.body}`);
  };
  await mountSshCa(server, 'ssh-prod', {
    developer: { key_type: 'ca', allow_user_certificates: true, allowed_users: 'ubuntu', default_user: 'ubuntu' },
  });
  const hostRole = {
    host: { key_type: 'ca', allow_host_certificates: true, allowed_domains: 'example.com', allow_subdomains: true },
  };
  devHostCa = await mountSshCa(server, 'ssh-dev-host', hostRole);
  prodHostCa = await mountSshCa(server, 'ssh-prod-host', hostRole);
  await ok('/v1/sys/policies/acl/prod-developer', {
    policy: 'path "ssh-prod/sign/developer" { capabilities = ["update"] }',
  });
  await ok('/v1/sys/auth/userpass', { type: 'userpass' });
  await ok('/v1/auth/userpass/users/alice', { password: 'alice-pw', token_policies: 'prod-developer' });
});

afterAll(async () => {
  await server?.close();
  if (dir) removeScratchDir(dir);
});

const runBlock = (code: string, cwd: string, env: Record<string, string> = {}) =>
  runReadmeBlock(code, { cwd, bin, env: { VAULT_ADDR: server.url, ...env } });

it('renders the known_hosts line of "Host certificates: clients trust the host CA" as written', async () => {
  const blocks = sectionBlocks('### Host certificates: clients trust the host CA');
  expect(blocks.map((b) => b.lang)).toEqual(['sh']);
  const folder = join(dir, 'render');
  mkdirSync(folder);
  const r = await runBlock(blocks[0]!.code, folder);
  expect(r).toEqual({ code: 0, stdout: '', stderr: '' });
  const file = join(folder, 'dev_known_hosts');
  expect(readFileSync(file, 'utf8')).toBe(`@cert-authority *.dev.example.com,10.1.0.* ${devHostCa}\n`);
  expect(statSync(file).mode & 0o777).toBe(0o644);
}, 60_000);

it("logs in with the host CA as the engineer's login says, and ssh takes the config it wrote", async () => {
  const blocks = sectionBlocks("### An engineer's login");
  expect(blocks.map((b) => b.lang)).toEqual(['sh', 'sh']);
  const folder = join(dir, 'engineer');
  mkdirSync(folder);
  const r = await runBlock(blocks[1]!.code, folder, { SSHCA_PASSWORD: 'alice-pw', SSH_AUTH_SOCK: '' });
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  const home = join(folder, '.ssh', 'sshca');
  const knownHosts = join(home, 'known_hosts');
  const config = join(home, 'config');
  const identity = join(home, 'ssh-prod-developer');
  expect(r.stdout.split('\n')).toEqual([
    expect.stringMatching(new RegExp(`^Signed ${identity}-cert\\.pub as userpass user alice: principals ubuntu; `)),
    `Trusting host certificates of ssh-prod-host for *.prod.example.com in ${knownHosts}; ssh config for those ` +
      `hosts in ${config} (ssh -F ${config} HOST, or "Include ${config}" at the top of ~/.ssh/config).`,
    `No ssh-agent: use ssh -i ${identity} (the certificate is found beside it).`,
    '',
  ]);
  expect(readFileSync(knownHosts, 'utf8')).toBe(`@cert-authority *.prod.example.com ${prodHostCa}\n`);
  const effective = execFileSync('ssh', ['-G', '-F', config, 'web-1.prod.example.com'], { encoding: 'utf8' });
  expect(effective).toMatch(new RegExp(`^userknownhostsfile ${knownHosts}$`, 'm'));
  expect(effective).toMatch(/^stricthostkeychecking true$/m);
  expect(effective).toMatch(new RegExp(`^certificatefile ${identity}-cert\\.pub$`, 'm'));
  // Other hosts are not this block's business.
  const other = execFileSync('ssh', ['-G', '-F', config, 'web-1.dev.example.com'], { encoding: 'utf8' });
  expect(other).not.toContain(knownHosts);
}, 60_000);
