// Issue 13, finding 11: `sshca check-host` (the built binary) keeps the host keys it meets in
// $SSHCA_HOME/check-host_known_hosts (apart from the known_hosts login and config make strict), so that a host whose key changed between two runs is reported as such
// (exit 5, in words) instead of being learnt afresh every run. A real sshd on 127.0.0.2 whose host key
// file is replaced between runs (sshd re-executes for every connection and reads its host key anew).

import { execFileSync } from 'node:child_process';
import { readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { makeScratchDir, removeScratchDir } from '../helpers/scratch.js';
import { runSshca } from '../helpers/sshca-bin.js';
import { startSshdHosts, stopAll, type SshdHost } from '../helpers/sshd.js';
import { ensureTestUser } from '../helpers/test-user.js';
import { mountSshCa, startTestServer, type TestServer } from '../helpers/vault-server.js';

let server: TestServer;
let dir: string;
let sshcaHome: string;
let account: string;
let hosts: SshdHost[] = [];
let env: Record<string, string>;

beforeAll(async () => {
  dir = makeScratchDir('check-host-keys');
  sshcaHome = join(dir, 'sshca-home');
  account = await ensureTestUser();
  server = await startTestServer();
  const caKey = await mountSshCa(server, 'ssh-dev', {
    developer: {
      key_type: 'ca',
      allow_user_certificates: true,
      allowed_users: account,
      default_user: account,
      ttl: '5m',
    },
  });
  hosts = await startSshdHosts([
    { name: 'rekeyed', address: '127.0.0.2', trustedUserCaKeys: [caKey], principals: { [account]: [account] } },
  ]);
  env = { VAULT_ADDR: server.url, VAULT_TOKEN: server.token, HOME: join(dir, 'home'), SSHCA_HOME: sshcaHome };
});

afterAll(async () => {
  await stopAll(hosts);
  await server?.close();
  if (dir) removeScratchDir(dir);
});

it('learns a host key on first contact, knows it the next time, and reports a changed one with exit code 5', async () => {
  const host = hosts[0]!;
  const target = `${account}@127.0.0.2`;
  const knownHosts = join(sshcaHome, 'check-host_known_hosts');
  const check = () =>
    runSshca(['check-host', '--mount', 'ssh-dev', '--role', 'developer', '--port', String(host.port), target], env);

  const first = await check();
  expect(first).toEqual({
    code: 0,
    stderr: '',
    stdout:
      `OK: ${target}:${host.port}: the host accepts certificates of ssh-dev for ${account}; ` +
      `first contact: its ED25519 host key was added to ${knownHosts}\n`,
  });
  const learnt = readFileSync(knownHosts, 'utf8');
  expect(learnt).toBe(`[127.0.0.2]:${host.port} ${host.hostPublicKey}\n`);

  const second = await check();
  expect(second).toEqual({
    code: 0,
    stderr: '',
    stdout: `OK: ${target}:${host.port}: the host accepts certificates of ssh-dev for ${account}\n`,
  });

  // The host gets a new key (rebuilt, or someone in between).
  const next = join(dir, 'new_host_key');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'new', '-f', next]);
  renameSync(next, join(host.dir, 'host_ed25519'));
  renameSync(`${next}.pub`, join(host.dir, 'host_ed25519.pub'));

  const changed = await check();
  expect(changed).toEqual({
    code: 5,
    stdout: '',
    stderr:
      `FAILED: ${target}:${host.port}: the host's key has changed since it was recorded in ${knownHosts}: ` +
      'someone may be intercepting the connection, or the host was rebuilt. Check the new key with its ' +
      `administrator; if the change is expected, remove the old one with: ssh-keygen -R '[127.0.0.2]:${host.port}' -f ${knownHosts}\n`,
  });
  // The recorded key is kept: the changed one is not learnt.
  expect(readFileSync(knownHosts, 'utf8')).toBe(learnt);

  // In JSON as well.
  const json = await runSshca(
    ['check-host', '--mount', 'ssh-dev', '--role', 'developer', '--port', String(host.port), '--json', target],
    env,
  );
  expect(json.code).toBe(5);
  expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, reason: 'host-key-changed' });
});

it('with --known-hosts, a host not in that file is refused with exit code 4 and nothing is learnt', async () => {
  const host = hosts[0]!;
  const empty = join(dir, 'empty_known_hosts');
  execFileSync('touch', [empty]);
  const r = await runSshca(
    [
      'check-host',
      '--mount',
      'ssh-dev',
      '--role',
      'developer',
      '--port',
      String(host.port),
      '--known-hosts',
      empty,
      `${account}@127.0.0.2`,
    ],
    env,
  );
  expect(r).toEqual({
    code: 4,
    stdout: '',
    stderr: `FAILED: ${account}@127.0.0.2:${host.port}: the host's key is not in ${empty}\n`,
  });
  expect(readFileSync(empty, 'utf8')).toBe('');
});
