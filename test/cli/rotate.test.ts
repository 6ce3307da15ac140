// `sshca rotate` as users run it (the built binary; issue 20, point 2): --status as a table and as
// JSON at each stage, stage 3 refused with the time it becomes allowed, usage errors (exit 2), and a
// backend without OpenBao's issuers API (Vault) named with the second-mount path (exit 1).

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runSshca } from '../helpers/sshca-bin.js';
import { startTestServer, type TestServer } from '../helpers/vault-server.js';

let srv: TestServer;
let env: Record<string, string>;

beforeAll(async () => {
  srv = await startTestServer();
  await srv.request('POST', '/v1/sys/mounts/ssh-dev', { type: 'ssh', config: { max_lease_ttl: '2h' } });
  await srv.request('POST', '/v1/ssh-dev/config/ca', { key_type: 'ed25519' });
  await srv.request('POST', '/v1/ssh-dev/roles/dev', { key_type: 'ca', allow_user_certificates: true, max_ttl: '30m' });
  await srv.request('POST', '/v1/ssh-dev/roles/ci', { key_type: 'ca', allow_user_certificates: true });
  env = { VAULT_ADDR: srv.url, VAULT_TOKEN: srv.token };
});
afterAll(() => srv.close());

it('shows the status at each stage, as a table and as JSON, and refuses stage 3 before its time', async () => {
  const steady = await runSshca(['rotate', '--mount', 'ssh-dev', '--status'], env);
  expect(steady.code).toBe(0);
  expect(steady.stdout).toMatch(/^mount ssh-dev: several CA keys on one mount \(OpenBao issuers API\)\nsteady: one signing key, no rotation in progress\n\nISSUER +NAME +DEFAULT +ROLE +KEY\n\S+ +- +yes +current +ssh-ed25519 /);
  // The longest lifetime is the mount's 2h: role ci has no max_ttl.
  expect(steady.stdout).toContain('hosts trust 1 key(s); longest certificate lifetime 7200s (role ci)\n');

  expect((await runSshca(['rotate', '--mount', 'ssh-dev', '--stage', '2'], env))).toMatchObject({
    code: 1,
    stderr: expect.stringContaining('no key is staged: run stage 1 first'),
  });
  expect((await runSshca(['rotate', '--mount', 'ssh-dev', '--stage', '1'], env)).code).toBe(0);
  const one = JSON.parse((await runSshca(['rotate', '--mount', 'ssh-dev', '--status', '--json'], env)).stdout);
  expect(one).toMatchObject({ mount: 'ssh-dev', backend: 'issuers', stage: 1, stage3_allowed: false, longest_ttl: 7200 });
  expect(one.issuers.map((i: any) => [i.role, i.default])).toEqual([
    ['current', true],
    ['staged', false],
  ]);
  expect(one.trusted_keys).toHaveLength(2);

  expect((await runSshca(['rotate', '--mount', 'ssh-dev', '--stage', '2'], env)).code).toBe(0);
  const two = JSON.parse((await runSshca(['rotate', '--mount', 'ssh-dev', '--status', '--json'], env)).stdout);
  expect(two).toMatchObject({ stage: 2, stage3_allowed: false });
  expect(Date.parse(two.stage3_allowed_at) - Date.parse(two.stage2_at)).toBe(7200_000);
  expect(two.issuers.map((i: any) => [i.role, i.default, i.name.replace(/\d+$/, 'N')])).toEqual([
    ['current', true, 'active-N'],
    ['retired', false, 'retired-N'],
  ]);
  const table = (await runSshca(['rotate', '--mount', 'ssh-dev', '--status'], env)).stdout;
  expect(table).toContain('stage 2: the backend signs with the new key; hosts still trust the old key\n');
  expect(table).toMatch(/\nstage 3 allowed from \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \(in 7[12]\d\ds\)\n$/);
  const early = await runSshca(['rotate', '--mount', 'ssh-dev', '--stage', '3'], env);
  expect(early.code).toBe(1);
  expect(early.stderr).toMatch(/stage 3 is allowed from \S+ \(role ci: certificates live up to 7200s\), in \d+s/);
});

it.each([
  [['rotate', '--stage', '1'], 'missing required option --mount'],
  [['rotate', '--mount', 'ssh-dev'], 'give exactly one of --stage 1|2|3 and --status'],
  [['rotate', '--mount', 'ssh-dev', '--stage', '4'], '--stage must be 1, 2 or 3, got "4"'],
])('refuses %j as a usage error', async (args, message) => {
  const r = await runSshca(args, env);
  expect(r.code).toBe(2);
  expect(r.stderr).toContain(message);
});

it('names the second-mount path on a backend without the issuers API (Vault)', async () => {
  // Vault answers a path its SSH engine does not have with 404 and no errors list.
  const vault = createServer((_req, res) => {
    res.writeHead(404, { 'content-type': 'application/json' }).end('{"errors":[]}');
  });
  await new Promise<void>((done) => vault.listen(0, '127.0.0.1', done));
  try {
    const url = `http://127.0.0.1:${(vault.address() as AddressInfo).port}`;
    const r = await runSshca(['rotate', '--mount', 'ssh-dev', '--status'], { VAULT_ADDR: url, VAULT_TOKEN: 't' });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("mount ssh-dev is on a backend without OpenBao's issuers API (Vault keeps one CA per mount): the rotation takes the second-mount path");
  } finally {
    vault.close();
  }
});
