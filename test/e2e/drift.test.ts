// `sshca drift` (issue 20, point 3) against real sshd hosts on loopback and the embedded server: the
// built CLI logs in to each host with an automation certificate, reads sshd -T and the files it names,
// and reports a clean host as clean, a host trusting a key the mount no longer has, a host with an old
// KRL, a host with wrong principals, and an unreachable host, with exact rows, JSON and exit codes; a
// host that does not trust the key `sshca rotate --stage 1` staged (the embedded server's issuers API),
// and a host where the probe's account is not root and `sudo -n` refuses (the non-root test account).

import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fingerprint, parseSshPublicKey } from '../../core/keys/public-key.js';
import { makeScratchDir, removeScratchDir } from '../helpers/scratch.js';
import { runSshca } from '../helpers/sshca-bin.js';
import { startSshdHosts, stopAll, type SshdHost } from '../helpers/sshd.js';
import { ensureTestUser } from '../helpers/test-user.js';
import { mountSshCa, startTestServer, type TestServer } from '../helpers/vault-server.js';

let server: TestServer;
let dir: string;
let hosts: SshdHost[] = [];
let devCa: string;
let rotCa: string;
let account: string;
let staleKey: string;
let env: Record<string, string>;
const fp = (k: string) => fingerprint(parseSshPublicKey(k).blob);

beforeAll(async () => {
  dir = makeScratchDir('drift');
  server = await startTestServer();
  devCa = await mountSshCa(server, 'ssh-dev', {
    automation: { key_type: 'ca', allow_user_certificates: true, allowed_users: 'drift-probe', default_user: 'drift-probe', ttl: '10m' },
  });
  rotCa = await mountSshCa(server, 'ssh-rot', {
    automation: { key_type: 'ca', allow_user_certificates: true, allowed_users: 'drift-probe', default_user: 'drift-probe', ttl: '10m' },
  });
  account = await ensureTestUser();
  expect((await server.request('POST', '/v1/sys/mounts/sshca', { type: 'kv-v2' })).status).toBe(204);
  env = { VAULT_ADDR: server.url, VAULT_TOKEN: server.token, SSHCA_HOME: join(dir, 'home') };
  execFileSync('ssh-keygen', ['-t', 'ed25519', '-N', '', '-q', '-f', join(dir, 'stale')]);
  staleKey = readFileSync(join(dir, 'stale.pub'), 'utf8').split(' ').slice(0, 2).join(' ');
  // KRL version 1, then one more revocation: the backend is at version 2.
  expect((await runSshca(['revoke', '--mount', 'ssh-dev', '--serial', '11', '--reason', 'test'], env)).code).toBe(0);
  expect((await runSshca(['render', '--format', 'krl', '--mount', 'ssh-dev', '--out', join(dir, 'krl-v1')], env)).code).toBe(0);
  expect((await runSshca(['revoke', '--mount', 'ssh-dev', '--serial', '12', '--reason', 'test'], env)).code).toBe(0);
  expect((await runSshca(['render', '--format', 'krl', '--mount', 'ssh-dev', '--out', join(dir, 'krl-v2')], env)).code).toBe(0);
  const ok = { root: ['drift-probe'] };
  hosts = await startSshdHosts([
    { name: 'clean', address: '127.0.0.41', trustedUserCaKeys: [devCa], principals: ok, revokedKeys: join(dir, 'krl-v2') },
    { name: 'stage1', address: '127.0.0.42', trustedUserCaKeys: [devCa, staleKey], principals: ok, revokedKeys: join(dir, 'krl-v2') },
    { name: 'oldkrl', address: '127.0.0.43', trustedUserCaKeys: [devCa], principals: ok, revokedKeys: join(dir, 'krl-v1') },
    { name: 'principals', address: '127.0.0.44', trustedUserCaKeys: [devCa], principals: { root: ['drift-probe', 'mallory'] }, revokedKeys: join(dir, 'krl-v2') },
    { name: 'rot', address: '127.0.0.46', trustedUserCaKeys: [rotCa], principals: ok },
    { name: 'nonroot', address: '127.0.0.47', trustedUserCaKeys: [devCa], principals: { [account]: ['drift-probe'] }, revokedKeys: join(dir, 'krl-v2') },
  ]);
}, 60_000);

afterAll(async () => {
  await stopAll(hosts);
  await server?.close();
  if (dir) removeScratchDir(dir);
});

function inventory(file: string, entries: readonly { name: string; address: string; port: number }[]): string {
  const path = join(dir, file);
  writeFileSync(
    path,
    [
      'all:',
      '  vars:',
      '    ansible_user: root',
      '    ssh_ca_trust_mount: ssh-dev',
      '    ssh_ca_trust_principals:',
      '      root:',
      '        - drift-probe',
      '  children:',
      '    dev:',
      '      hosts:',
      ...entries.flatMap((e) => [`        ${e.name}:`, `          ansible_host: ${e.address}`, `          ansible_port: ${e.port}`]),
      '    prod:',
      '      hosts:',
      '        prod-1:',
      '          ssh_ca_trust_mount: ssh-prod',
      '',
    ].join('\n'),
  );
  return path;
}

const host = (name: string) => hosts.find((h) => h.name === name)!;

describe('sshca drift', () => {
  it('reports a clean host as clean (exit 0)', async () => {
    const inv = inventory('clean.yml', [{ name: 'clean', address: host('clean').address, port: host('clean').port }]);
    const r = await runSshca(['drift', '--inventory', inv, '--mount', 'ssh-dev', '--role', 'automation'], env);
    expect(r.stderr).toBe("sshca drift: left out 1 host(s) whose ssh_ca_trust_mount is not ssh-dev\n");
    expect(r.stdout).toBe('HOST   STATUS  FINDINGS\nclean  clean   -\n\n1 host(s): 1 clean, 0 warning, 0 drifted, 0 unreachable\n');
    expect(r.code).toBe(0);
  }, 30_000);

  it('reports a host trusting a retired key, an old KRL and wrong principals (exit 1; table and JSON)', async () => {
    const inv = inventory(
      'all.yml',
      ['clean', 'stage1', 'oldkrl', 'principals'].map((n) => ({ name: n, address: host(n).address, port: host(n).port })),
    );
    const table = await runSshca(['drift', '--inventory', inv, '--mount', 'ssh-dev', '--role', 'automation', '--principals', 'drift-probe'], env);
    const pdir = (n: string) => join(host(n).dir, 'principals', 'root');
    expect(table.stdout).toBe(
      [
        'HOST        STATUS   FINDINGS',
        'clean       clean    -',
        `stage1      drifted  trusts ${fp(staleKey)}, which is not a key of ssh-dev (a key retired by a rotation, or another CA's): remove it from ${join(host('stage1').dir, 'trusted_user_ca_keys')}`,
        `oldkrl      drifted  KRL ${join(dir, 'krl-v1')} is version 1, the backend's is 2: later revocations are not enforced; render it again (sshca render --format krl --mount ssh-dev)`,
        `principals  drifted  principals of root (${pdir('principals')}) differ from ssh_ca_trust_principals: extra mallory`,
        '',
        '4 host(s): 1 clean, 0 warning, 3 drifted, 0 unreachable',
        '',
      ].join('\n'),
    );
    expect(table.code).toBe(1);

    const json = await runSshca(['drift', '--inventory', inv, '--mount', 'ssh-dev', '--json'], env);
    expect(json.code).toBe(1);
    const out = JSON.parse(json.stdout);
    expect(out.mount).toBe('ssh-dev');
    expect(out.krl_version).toBe(2);
    expect(out.hosts.map((h: { host: string; status: string; findings: { code: string }[] }) => [h.host, h.status, h.findings.map((f) => f.code)])).toEqual([
      ['clean', 'clean', []],
      ['stage1', 'drifted', ['unknown-key-trusted']],
      ['oldkrl', 'drifted', ['krl-old']],
      ['principals', 'drifted', ['principals-differ']],
    ]);
    expect(out.hosts[0]).toEqual({ host: 'clean', address: '127.0.0.41', port: host('clean').port, user: 'root', status: 'clean', findings: [] });
  }, 60_000);

  it('a host not trusting the signing key refuses the probe: drifted, exit 1', async () => {
    host('stage1').setTrustedUserCaKeys([staleKey]);
    try {
      const inv = inventory('refused.yml', [{ name: 'stage1', address: host('stage1').address, port: host('stage1').port }]);
      const r = await runSshca(['drift', '--inventory', inv, '--mount', 'ssh-dev', '--json'], env);
      expect(JSON.parse(r.stdout).hosts[0].findings).toEqual([
        {
          code: 'probe-failed',
          severity: 'drift',
          message: "the host refused the probe's certificate as root: it does not trust ssh-dev's CA, or does not authorise the certificate's principals for root",
        },
      ]);
      expect(r.code).toBe(1);
    } finally {
      host('stage1').setTrustedUserCaKeys([devCa, staleKey]);
    }
  }, 30_000);

  it('rotation stage 1 through the issuers API: a host without the staged key is staged-key-not-trusted (exit 1)', async () => {
    const keysFile = join(dir, 'rot-trusted');
    const staged = await runSshca(['rotate', '--mount', 'ssh-rot', '--stage', '1', '--trusted-keys-out', keysFile], env);
    expect(staged.code).toBe(0);
    const keys = readFileSync(keysFile, 'utf8').split('\n').filter((l) => l && !l.startsWith('#'));
    const stagedKey = keys.find((k) => fp(k) !== fp(rotCa))!;
    expect(keys.map(fp).sort()).toEqual([fp(rotCa), fp(stagedKey)].sort());
    const path = join(dir, 'rot.yml');
    writeFileSync(
      path,
      `all:\n  hosts:\n    rot:\n      ansible_host: ${host('rot').address}\n      ansible_port: ${host('rot').port}\n      ansible_user: root\n      ssh_ca_trust_principals:\n        root:\n          - drift-probe\n`,
    );
    const r = await runSshca(['drift', '--inventory', path, '--mount', 'ssh-rot', '--json'], env);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout).hosts[0].findings).toEqual([
      {
        code: 'staged-key-not-trusted',
        severity: 'drift',
        message: `does not trust ssh-rot's staged key ${fp(stagedKey)} (rotation stage 1): stage 2 would lock it out; give it the trusted keys of stage 1`,
      },
    ]);
    expect(r.code).toBe(1);
    // Given the stage-1 file, the same host is clean.
    host('rot').setTrustedUserCaKeys(keys);
    const clean = await runSshca(['drift', '--inventory', path, '--mount', 'ssh-rot'], env);
    expect(clean.stdout).toBe('HOST  STATUS  FINDINGS\nrot   clean   -\n\n1 host(s): 1 clean, 0 warning, 0 drifted, 0 unreachable\n');
    expect(clean.code).toBe(0);
  }, 60_000);

  it('a non-root probe account whose sudo -n fails: the documented message, exit 1', async () => {
    const path = join(dir, 'nonroot.yml');
    writeFileSync(
      path,
      `all:\n  hosts:\n    nonroot:\n      ansible_host: ${host('nonroot').address}\n      ansible_port: ${host('nonroot').port}\n      ansible_user: ${account}\n      ssh_ca_trust_principals:\n        ${account}:\n          - drift-probe\n`,
    );
    const r = await runSshca(['drift', '--inventory', path, '--mount', 'ssh-dev', '--json'], env);
    expect(JSON.parse(r.stdout).hosts[0]).toEqual({
      host: 'nonroot',
      address: host('nonroot').address,
      port: host('nonroot').port,
      user: account,
      status: 'drifted',
      findings: [
        {
          code: 'probe-failed',
          severity: 'drift',
          message:
            `cannot read sshd's configuration as ${account}: sshd -T needs root, and sudo -n refused (sudo: a password is required); ` +
            `give ${account} passwordless sudo, or list the host with ansible_user root`,
        },
      ],
    });
    expect(r.code).toBe(1);
  }, 30_000);

  it('an unreachable host is exit 4', async () => {
    const inv = inventory('down.yml', [
      { name: 'clean', address: host('clean').address, port: host('clean').port },
      { name: 'down', address: '127.0.0.45', port: 9 },
    ]);
    const r = await runSshca(['drift', '--inventory', inv, '--mount', 'ssh-dev'], env);
    expect(r.stdout).toContain('down   unreachable  connection refused: nothing listens on that port\n');
    expect(r.code).toBe(4);
  }, 30_000);

  it('bad command lines are exit 2', async () => {
    const r = await runSshca(['drift', '--mount', 'ssh-dev'], env);
    expect(r.stderr).toBe('sshca drift: missing required option --inventory\nRun "sshca drift --help" for usage.\n');
    expect(r.code).toBe(2);
  });
});
