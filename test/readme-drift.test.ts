// The README's "Drift" commands (issue 20, point 3) run exactly as written, in bash, with `sshca` on
// PATH as an installed package puts it there, against an embedded test server named by VAULT_ADDR and
// VAULT_TOKEN (the test creates the ssh-dev mount with the automation role, whose default user is
// gitlab-runner, and the KV version 2 mount sshca). In a scratch folder both inventories the block names,
// ansible/inventories/example/hosts.yml and hosts.yml, list real sshd hosts on loopback that trust
// ssh-dev and authorise gitlab-runner for root: the block exits 0 and drift.json holds the clean hosts.
// The first command is also run in the repository's root, where it reads the real example inventory:
// its hosts (*.example.internal) do not resolve here, so the exact table and exit code 4.

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { makeScratchDir, removeScratchDir } from './helpers/scratch.js';
import { ROOT, makeSshcaBin, runBlock as runReadmeBlock, sectionBlocks } from './helpers/readme.js';
import { startSshdHosts, stopAll, type SshdHost } from './helpers/sshd.js';
import { mountSshCa, startTestServer, type TestServer } from './helpers/vault-server.js';

let server: TestServer;
let dir: string;
let bin: string;
let hosts: SshdHost[] = [];

beforeAll(async () => {
  dir = makeScratchDir('readme-drift');
  bin = makeSshcaBin(dir);
  server = await startTestServer();
  const devCa = await mountSshCa(server, 'ssh-dev', {
    automation: {
      key_type: 'ca',
      allow_user_certificates: true,
      allowed_users: 'gitlab-runner',
      default_user: 'gitlab-runner',
      ttl: '10m',
    },
  });
  expect((await server.request('POST', '/v1/sys/mounts/sshca', { type: 'kv-v2' })).status).toBe(204);
  hosts = await startSshdHosts([
    { name: 'dev-web-1', address: '127.0.0.61', trustedUserCaKeys: [devCa], principals: { root: ['gitlab-runner'] } },
    { name: 'dev-web-2', address: '127.0.0.62', trustedUserCaKeys: [devCa], principals: { root: ['gitlab-runner'] } },
  ]);
}, 60_000);

afterAll(async () => {
  await stopAll(hosts);
  await server?.close();
  if (dir) removeScratchDir(dir);
});

const runBlock = (code: string, cwd: string, home: string) =>
  runReadmeBlock(code, { cwd, bin, home, env: { VAULT_ADDR: server.url, VAULT_TOKEN: server.token } });

/** A YAML inventory of the two loopback hosts, as root, dev hosts of mount ssh-dev. */
function inventory(): string {
  return [
    'all:',
    '  vars:',
    '    ansible_user: root',
    '    ssh_ca_trust_mount: ssh-dev',
    '    ssh_ca_trust_principals:',
    '      root:',
    '        - gitlab-runner',
    '  children:',
    '    dev:',
    '      hosts:',
    ...hosts.flatMap((h) => [
      `        ${h.name}:`,
      `          ansible_host: ${h.address}`,
      `          ansible_port: ${h.port}`,
    ]),
    '',
  ].join('\n');
}

const block = () => {
  const blocks = sectionBlocks('## Drift');
  expect(blocks.map((b) => b.lang)).toEqual(['sh']);
  return blocks[0]!.code;
};

it('runs the "Drift" block as written against loopback sshd hosts: clean table, drift.json, exit 0', async () => {
  const folder = join(dir, 'work');
  mkdirSync(join(folder, 'ansible', 'inventories', 'example'), { recursive: true });
  writeFileSync(join(folder, 'ansible', 'inventories', 'example', 'hosts.yml'), inventory());
  writeFileSync(join(folder, 'hosts.yml'), inventory());

  const r = await runBlock(block(), folder, folder);
  expect(r).toEqual({
    code: 0,
    stderr: '',
    stdout: [
      'HOST       STATUS  FINDINGS',
      'dev-web-1  clean   -',
      'dev-web-2  clean   -',
      '',
      '2 host(s): 2 clean, 0 warning, 0 drifted, 0 unreachable',
      '',
    ].join('\n'),
  });
  expect(JSON.parse(readFileSync(join(folder, 'drift.json'), 'utf8'))).toEqual({
    mount: 'ssh-dev',
    krl_version: 0,
    hosts: hosts.map((h) => ({
      host: h.name,
      address: h.address,
      port: h.port,
      user: 'root',
      status: 'clean',
      findings: [],
    })),
  });
}, 60_000);

it("the block's first command in the repository's root reads the example inventory: its hosts do not resolve, exit 4", async () => {
  const first = block().split('\n').slice(0, 2).join('\n');
  expect(first).toBe(
    'sshca drift --inventory ansible/inventories/example/hosts.yml --mount ssh-dev \\\n  --role automation --principals gitlab-runner',
  );
  const home = join(dir, 'home-root');
  mkdirSync(home);
  const r = await runBlock(first, ROOT, home);
  expect(r).toEqual({
    code: 4,
    stderr: 'sshca drift: left out 1 host(s) whose ssh_ca_trust_mount is not ssh-dev\n',
    stdout: [
      'HOST                        STATUS       FINDINGS',
      'dev-web-1.example.internal  unreachable  the host name does not resolve',
      'dev-web-2.example.internal  unreachable  the host name does not resolve',
      '',
      '2 host(s): 0 clean, 0 warning, 0 drifted, 2 unreachable',
      '',
    ].join('\n'),
  });
}, 60_000);
