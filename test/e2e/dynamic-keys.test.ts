// The legacy dynamic-key mode end to end (issue 23, points 1 and 2): an embedded server started with
// legacyDynamicKeys (what `sshca serve --legacy-dynamic-keys` sets), real sshd hosts on loopback that
// read `%h/.ssh/authorized_keys`, a real admin account with passwordless sudo for exactly the shipped
// host script (ansible/roles/ssh_dynamic_keys_admin/files/sshca-authorized-key, copied to
// /usr/local/sbin), and the test account sshca-test as the target. The real ssh client logs in with
// the key the creds answer returns; the built `sshca ssh --dynamic` connects and cleans up after
// itself; the README's "Dynamic keys (legacy)" blocks run as written (their admin account is the
// role's default, sshca-admin, so this test's is too). Every account, file and sudoers drop-in this
// test adds is removed in afterAll, and sshca-test's authorized_keys is put back as it was. Only this
// file changes sshca-test's authorized_keys (its tests run in sequence);
// test/ansible/dynamic-keys-admin-e2e.test.ts uses an account, script and drop-in of its own. A third
// host (hostGone) is stopped by the test of an unreachable host; a data-directory server proves that
// revocation still uninstalls after a restart without the flag.

import { execFileSync } from 'node:child_process';
import {
  chownSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDataDir } from '../../server/data-dir.js';
import type { SealableServer } from '../../server/seal/sealable-server.js';
import { makeSshcaBin, runBlock, sectionBlocks } from '../helpers/readme.js';
import { makeScratchDir, removeScratchDir } from '../helpers/scratch.js';
import { runSshca } from '../helpers/sshca-bin.js';
import { sshLogin } from '../helpers/ssh-client.js';
import { startSshdHosts, stopAll, type SshdHost } from '../helpers/sshd.js';
import { ensureTestUser } from '../helpers/test-user.js';
import { startTestServer, type TestServer } from '../helpers/vault-server.js';

/** The admin account: the role ssh_dynamic_keys_admin's default name, as the README's blocks use it. */
const ADMIN = 'sshca-admin';
const HELPER = '/usr/local/sbin/sshca-authorized-key';
const HELPER_SOURCE = join(
  import.meta.dirname,
  '../../ansible/roles/ssh_dynamic_keys_admin/files/sshca-authorized-key',
);
const SUDOERS = `/etc/sudoers.d/${ADMIN.replace(/\./g, '')}`;
const wrapped = (m: string) => `1 error occurred:\n\t* ${m}\n\n`;

let user: string;
let hostA: SshdHost;
let hostB: SshdHost;
/** Stopped by the test of a host that went away. */
let hostGone: SshdHost;
let hosts: SshdHost[] = [];
let vault: TestServer;
let plain: TestServer;
let scratch: string;
let authorizedKeys: string;
let originalAuthorizedKeys: string | undefined;
let createdAdmin = false;
/** Whether this test made sshca-test's ~/.ssh (removed again in afterAll). */
let createdSshDir = false;
let originalHelper: Buffer | undefined;
const serverLog: string[] = [];
/** When each serverLog line arrived (Date.now()), index for index. */
const serverLogTimes: number[] = [];

/** What sshca-test's authorized_keys holds before and after every credential. */
const BASELINE = [
  '# sshca-test keys: kept byte for byte by the dynamic-key tests',
  '',
  'no-pty ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJm4oTTmMBWOjm8YCRX4kqI0LjfzKgJ2SRuMFrqq6Rmg unrelated@example',
  '  # an indented comment',
  '',
].join('\n');

const run = (file: string, args: string[]) => execFileSync(file, args, { stdio: 'pipe' }).toString();
const uidOf = (name: string) => Number(run('id', ['-u', name]).trim());
const gidOf = (name: string) => Number(run('id', ['-g', name]).trim());

/** Write a file owned by `account` (with its ~/.ssh made 0700 and owned by it too). */
function writeOwned(account: string, path: string, content: string): void {
  const dir = path.slice(0, path.lastIndexOf('/'));
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chownSync(dir, uidOf(account), gidOf(account));
  writeFileSync(path, content, { mode: 0o600 });
  chownSync(path, uidOf(account), gidOf(account));
}

const readAuthorizedKeys = () => readFileSync(authorizedKeys, 'utf8');

/** The role body for a dynamic role on `host` with the given extra fields. */
const dynamicRole = (extra: Record<string, unknown>) => ({
  key_type: 'dynamic',
  key: 'admin',
  admin_user: ADMIN,
  default_user: user,
  cidr_list: '127.0.23.0/24',
  port: hostA.port,
  ...extra,
});

/** Log in to hostA as sshca-test with a private key; the ssh exit code (0 = logged in). */
async function loginWith(privateKey: string, host: SshdHost = hostA): Promise<number> {
  const file = join(scratch, `user-key-${Math.random().toString(36).slice(2)}`);
  writeFileSync(file, privateKey, { mode: 0o600 });
  try {
    return (await sshLogin({ host, user, identityFile: file, command: 'echo logged-in' })).code;
  } finally {
    rmSync(file, { force: true });
  }
}

/** Poll until `check` holds (expiry runs on whole seconds) or fail after `ms`. */
async function eventually(check: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`not within ${ms} ms`);
    await sleep(100);
  }
}

beforeAll(async () => {
  user = await ensureTestUser();
  scratch = makeScratchDir('dynamic-keys');
  if (!existsSync(`/home/${ADMIN}`)) {
    run('useradd', ['--create-home', '--shell', '/bin/sh', ADMIN]);
    createdAdmin = true;
  }
  run('usermod', ['-p', '*', ADMIN]); // sshd with UsePAM no refuses a locked ("!") account
  run('ssh-keygen', ['-t', 'ed25519', '-N', '', '-q', '-C', 'sshca-admin-test', '-f', join(scratch, 'admin')]);
  writeOwned(ADMIN, `/home/${ADMIN}/.ssh/authorized_keys`, readFileSync(join(scratch, 'admin.pub'), 'utf8'));

  if (existsSync(HELPER)) originalHelper = readFileSync(HELPER);
  copyFileSync(HELPER_SOURCE, HELPER);
  run('chmod', ['0755', HELPER]);
  const sudoers = join(scratch, 'sudoers');
  writeFileSync(sudoers, `${ADMIN} ALL=(root) NOPASSWD: ${HELPER}\n`, { mode: 0o440 });
  run('visudo', ['-cf', sudoers]);
  copyFileSync(sudoers, SUDOERS);
  run('chmod', ['0440', SUDOERS]);

  authorizedKeys = `/home/${user}/.ssh/authorized_keys`;
  createdSshDir = !existsSync(`/home/${user}/.ssh`);
  if (existsSync(authorizedKeys)) originalAuthorizedKeys = readFileSync(authorizedKeys, 'utf8');
  writeOwned(user, authorizedKeys, BASELINE);

  hosts = await startSshdHosts(
    ['a', 'b', 'gone'].map((name, i) => ({
      name: `dyn-${name}`,
      address: `127.0.23.${i < 2 ? i + 2 : 5}`, // .4 is the README test's host
      trustedUserCaKeys: [],
      principals: {},
      authorizedKeysFile: '%h/.ssh/authorized_keys',
    })),
  );
  [hostA, hostB, hostGone] = hosts as [SshdHost, SshdHost, SshdHost];

  vault = await startTestServer({
    legacyDynamicKeys: true,
    // Vault's 10 s first gap would make the dead-host test take some ten minutes.
    revokeRetryBaseMs: 1000,
    log: (l) => {
      serverLog.push(l);
      serverLogTimes.push(Date.now());
    },
  });
  plain = await startTestServer();
  const ok = async (path: string, body: unknown) => {
    const r = await vault.request('POST', `/v1/${path}`, body);
    expect(r.status, `${path}: ${r.body}`).toBeLessThan(300);
    return r;
  };
  await ok('sys/mounts/ssh', { type: 'ssh' });
  await ok('sys/mounts/ssh-short', { type: 'ssh', config: { default_lease_ttl: '2s', max_lease_ttl: '2s' } });
  const adminKey = readFileSync(join(scratch, 'admin'), 'utf8');
  for (const mount of ['ssh', 'ssh-short']) {
    await ok(`${mount}/keys/admin`, { key: adminKey });
    await ok(`${mount}/roles/dyn`, dynamicRole({ known_hosts: hostA.knownHostsLine }));
  }
}, 60_000);

afterAll(async () => {
  await vault?.close();
  await plain?.close();
  await stopAll(hosts);
  if (originalAuthorizedKeys !== undefined) writeOwned(user, authorizedKeys, originalAuthorizedKeys);
  else if (authorizedKeys) rmSync(authorizedKeys, { force: true });
  if (createdSshDir) rmSync(`/home/${user}/.ssh`, { recursive: true, force: true });
  rmSync(SUDOERS, { force: true });
  if (originalHelper !== undefined) writeFileSync(HELPER, originalHelper, { mode: 0o755 });
  else rmSync(HELPER, { force: true });
  if (createdAdmin) run('userdel', ['--remove', ADMIN]);
  if (scratch) removeScratchDir(scratch);
});

/**
 * `sshca ssh --dynamic` (the built CLI) to hostA as sshca-test with the test's root token, hostA's
 * key as the only known host; the ssh command prints `logged-in`.
 */
async function sshDynamic(server: TestServer, flags: string[]) {
  const knownHosts = join(scratch, 'cli_known_hosts');
  writeFileSync(knownHosts, `${hostA.knownHostsLine}\n`);
  return runSshca(
    [
      'ssh',
      '--dynamic',
      ...flags,
      '--',
      '-p',
      String(hostA.port),
      '-o',
      `UserKnownHostsFile=${knownHosts}`,
      '-o',
      'StrictHostKeyChecking=yes',
      `${user}@${hostA.address}`,
      'echo',
      'logged-in',
    ],
    { VAULT_ADDR: server.url, VAULT_TOKEN: server.token },
  );
}

/** The lease id of the "dynamic key from … installed for …" line `sshca ssh --dynamic` printed. */
const leaseOf = (stderr: string) => /\(lease (ssh-cli\/creds\/dyn\/[\w-]+), /.exec(stderr)?.[1] ?? '';

const installedLine = (lease: string, tail: string) =>
  `sshca: dynamic key from ssh-cli/creds/dyn installed for ${user}@${hostA.address} (lease ${lease}, 2764800s); ${tail}\n`;

describe('dynamic keys with --legacy-dynamic-keys (issue 23)', () => {
  it('installs a key the user logs in with; revoking the lease removes it and leaves the rest byte for byte', async () => {
    const r = await vault.request('POST', '/v1/ssh/creds/dyn', { ip: hostA.address });
    expect(r.status, r.body).toBe(200);
    expect(Object.keys(r.json.data).sort()).toEqual(['ip', 'key', 'key_type', 'port', 'username']);
    expect(r.json.data).toMatchObject({ key_type: 'dynamic', username: user, ip: hostA.address, port: hostA.port });
    expect(r.json.data.key).toMatch(/^-----BEGIN RSA PRIVATE KEY-----\n/);
    expect(r.json.renewable).toBe(true);
    expect(r.json.lease_id).toMatch(/^ssh\/creds\/dyn\//);
    expect(r.json.warnings).toBeNull();

    const installed = readAuthorizedKeys();
    expect(installed.startsWith(BASELINE)).toBe(true);
    expect(installed.slice(BASELINE.length)).toMatch(/^ssh-rsa AAAA[\w+/=]+\n$/);
    expect(await loginWith(r.json.data.key)).toBe(0);

    const renewed = await vault.request('PUT', '/v1/sys/leases/renew', { lease_id: r.json.lease_id });
    expect(renewed.status, renewed.body).toBe(200);
    expect(renewed.json).toMatchObject({ lease_id: r.json.lease_id, renewable: true });

    const revoked = await vault.request('PUT', '/v1/sys/leases/revoke', { lease_id: r.json.lease_id });
    expect(revoked.status, revoked.body).toBe(204);
    expect(readAuthorizedKeys()).toBe(BASELINE);
    expect(await loginWith(r.json.data.key)).toBe(255);
    // The lease's stored data holds what uninstalling needs, never the private key.
    expect(serverLog.join('\n')).not.toContain('PRIVATE KEY');
  });

  it('removes the key when the lease expires', async () => {
    const r = await vault.request('POST', '/v1/ssh-short/creds/dyn', { ip: hostA.address });
    expect(r.status, r.body).toBe(200);
    expect(r.json.lease_duration).toBe(2);
    expect(readAuthorizedKeys()).not.toBe(BASELINE);
    expect(await loginWith(r.json.data.key)).toBe(0);
    await eventually(() => readAuthorizedKeys() === BASELINE, 15_000);
    expect(await loginWith(r.json.data.key)).toBe(255);
  });

  it('refuses a host whose key is not the pinned one, and installs nothing', async () => {
    // hostA's address with hostB's key: what an impostor on hostA's address would present.
    const pins = `[${hostA.address}]:${hostA.port} ${hostB.hostPublicKey}`;
    expect((await vault.request('POST', '/v1/ssh/roles/wrong-pin', dynamicRole({ known_hosts: pins }))).status).toBe(
      204,
    );
    const r = await vault.request('POST', '/v1/ssh/creds/wrong-pin', { ip: hostA.address });
    expect(r.status).toBe(500);
    expect(r.json.errors).toEqual([
      wrapped(
        `failed to add public key to authorized_keys file in target: the host key of ${hostA.address}:${hostA.port} does not match ` +
          "the role's known_hosts pins (Host key verification failed); nothing was changed",
      ),
    ]);
    expect(readAuthorizedKeys()).toBe(BASELINE);
  });

  it('connects unchecked only when the role says insecure_ignore_host_key, and then warns', async () => {
    const warning =
      "insecure_ignore_host_key is set on this role: the host's key was not checked, so the key may have been " +
      'installed on, and the admin key shown to, an impostor. Pin the host keys with known_hosts.';
    expect((await vault.request('POST', '/v1/ssh/roles/no-pins', dynamicRole({}))).status).toBe(204);
    const refused = await vault.request('POST', '/v1/ssh/creds/no-pins', { ip: hostA.address });
    expect(refused.status).toBe(400);
    expect(refused.json.errors).toEqual([
      'role "no-pins" pins no host keys, so this server will not log in to 127.0.23.2: set the role\'s known_hosts ' +
        "to the hosts' known_hosts lines (ssh-keyscan -p PORT HOST) or to an @cert-authority line of their host CA, " +
        'or set insecure_ignore_host_key=true to connect unchecked as Vault 1.12 did',
    ]);
    expect(readAuthorizedKeys()).toBe(BASELINE);

    const insecure = dynamicRole({ insecure_ignore_host_key: true });
    expect((await vault.request('POST', '/v1/ssh/roles/insecure', insecure)).status).toBe(204);
    const r = await vault.request('POST', '/v1/ssh/creds/insecure', { ip: hostA.address });
    expect(r.status, r.body).toBe(200);
    expect(r.json.warnings).toEqual([warning]);
    expect(await loginWith(r.json.data.key)).toBe(0);
    expect((await vault.request('PUT', '/v1/sys/leases/revoke', { lease_id: r.json.lease_id })).status).toBe(204);
    expect(readAuthorizedKeys()).toBe(BASELINE);
  });

  it('pins hosts through their host CA with an @cert-authority line', async () => {
    // hostB's key signs nothing here; a CA line for another key must not let hostA in either.
    const caPins = `@cert-authority 127.0.23.* ${hostB.hostPublicKey}`;
    expect((await vault.request('POST', '/v1/ssh/roles/ca-pin', dynamicRole({ known_hosts: caPins }))).status).toBe(
      204,
    );
    const r = await vault.request('POST', '/v1/ssh/creds/ca-pin', { ip: hostA.address });
    expect(r.status).toBe(500);
    expect(r.json.errors[0]).toContain('Host key verification failed');
    expect(readAuthorizedKeys()).toBe(BASELINE);
  });

  it('issues 10 credentials in parallel: 10 distinct keys installed, all revoked by prefix', async () => {
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => vault.request('POST', '/v1/ssh/creds/dyn', { ip: hostA.address })),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(10).fill(200));
    expect(new Set(answers.map((a) => a.json.data.key)).size).toBe(10);
    const added = readAuthorizedKeys().slice(BASELINE.length).split('\n').filter(Boolean);
    expect(new Set(added).size).toBe(10);
    expect(await loginWith(answers[7]!.json.data.key)).toBe(0);
    const r = await vault.request('PUT', '/v1/sys/leases/revoke-prefix/ssh/creds/dyn');
    expect(r.status, r.body).toBe(204);
    expect(readAuthorizedKeys()).toBe(BASELINE);
  });

  it('refuses key_bits below 2048, bad pins and a missing admin key at write time', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [
        { key_bits: 1024, known_hosts: hostA.knownHostsLine },
        'key_bits 1024 is refused: this server generates RSA keys of 2048 bits or more (Vault allowed 1024); ' +
          'set key_bits to 2048, 3072, 4096 or 8192, or leave it out for 2048',
      ],
      [{ key_bits: 2500 }, 'invalid key_bits field'],
      [{ key: 'nope' }, `invalid 'key': "nope"`],
      [{ key: '' }, 'missing key name'],
      [{ admin_user: '' }, 'missing admin username'],
      [
        { known_hosts: `${hostA.knownHostsLine}\ngarbage` },
        'known_hosts line 2: expected "<host patterns> <key type> <base64 key>", as ssh-keyscan prints',
      ],
      [
        { key_option_specs: 'no-pty\nssh-ed25519 AAAA' },
        'key_option_specs must be one line: a line break would add another authorized_keys entry',
      ],
    ];
    for (const [extra, message] of cases) {
      const r = await vault.request('POST', '/v1/ssh/roles/bad', dynamicRole(extra));
      expect([r.status, r.json?.errors], JSON.stringify(extra)).toEqual([400, [message]]);
    }
  });

  it('never shows the admin key: keys/ has no read, the role reads back without it', async () => {
    const read = await vault.request('GET', '/v1/ssh/keys/admin');
    expect([read.status, read.json]).toEqual([405, { errors: [wrapped('unsupported operation')] }]);
    const bad = await vault.request('POST', '/v1/ssh/keys/other', { key: 'not a key' });
    expect([bad.status, bad.json]).toEqual([400, { errors: ['Invalid key'] }]);
    const role = await vault.request('GET', '/v1/ssh/roles/dyn');
    expect(role.json.data).toEqual({
      allowed_users: '',
      default_user: user,
      key_type: 'dynamic',
      cidr_list: '127.0.23.0/24',
      exclude_cidr_list: '',
      port: hostA.port,
      key: 'admin',
      admin_user: ADMIN,
      key_bits: 2048,
      install_script: '',
      key_option_specs: '',
      known_hosts: hostA.knownHostsLine,
      insecure_ignore_host_key: false,
    });
    expect(JSON.stringify(role.json)).not.toContain('PRIVATE KEY');
  });

  it('answers as Vault >= 1.13 without the flag', async () => {
    await plain.request('POST', '/v1/sys/mounts/ssh', { type: 'ssh' });
    const role = await plain.request('POST', '/v1/ssh/roles/dyn', dynamicRole({ known_hosts: hostA.knownHostsLine }));
    expect([role.status, role.json]).toEqual([400, { errors: ['dynamic key type roles are no longer supported'] }]);
    const key = await plain.request('POST', '/v1/ssh/keys/admin', {
      key: readFileSync(join(scratch, 'admin'), 'utf8'),
    });
    expect([key.status, key.json]).toEqual([404, { errors: [wrapped('unsupported path')] }]);
    const tidy = await plain.request('DELETE', '/v1/ssh/tidy/dynamic-keys');
    expect(tidy.json.data).toEqual({ message: 'Removed 0 of 0 host keys.' });
  });
  it('keeps the lease of a host that went away: retries after 1, 2, 4, 8, 16 s, then irrevocable; revoke-force drops it', async () => {
    const ok = async (path: string, body: unknown) => {
      const r = await vault.request('POST', `/v1/${path}`, body);
      expect(r.status, `${path}: ${r.body}`).toBeLessThan(300);
    };
    // Long enough for the revoke and lookup below to come before expiry.
    await ok('sys/mounts/ssh-gone', { type: 'ssh', config: { default_lease_ttl: '4s', max_lease_ttl: '4s' } });
    await ok('ssh-gone/keys/admin', { key: readFileSync(join(scratch, 'admin'), 'utf8') });
    await ok('ssh-gone/roles/gone', dynamicRole({ port: hostGone.port, known_hosts: hostGone.knownHostsLine }));
    const r = await vault.request('POST', '/v1/ssh-gone/creds/gone', { ip: hostGone.address });
    expect(r.status, r.body).toBe(200);
    const lease: string = r.json.lease_id;
    const installed = readAuthorizedKeys();
    expect(installed.slice(BASELINE.length)).toMatch(/^ssh-rsa AAAA[\w+/=]+\n$/);
    await stopAll([hostGone]);
    try {
      const why =
        `error removing public key from authorized_keys file in target: cannot log in to ${hostGone.address}:${hostGone.port} ` +
        `as ${ADMIN} with the role's admin key: ssh: connect to host ${hostGone.address} port ${hostGone.port}: Connection refused`;
      const revoked = await vault.request('PUT', '/v1/sys/leases/revoke', { lease_id: lease });
      // Vault answers a failed revocation with a 400 carrying the backend's message.
      expect([revoked.status, revoked.json]).toEqual([400, { errors: [why] }]);
      const look = await vault.request('PUT', '/v1/sys/leases/lookup', { lease_id: lease });
      expect([look.status, look.json?.data?.id]).toEqual([200, lease]);

      // Expiry: one line per failed attempt, the gaps doubling, then one line saying irrevocable.
      const mine = () => serverLog.map((l, i) => [l, serverLogTimes[i]!] as const).filter(([l]) => l.includes(lease));
      await eventually(() => mine().some(([l]) => l.includes('marked irrevocable')), 45_000);
      await sleep(2_000); // no attempt after that
      const lines = mine();
      expect(lines.map(([l]) => l)).toEqual([
        ...[1, 2, 3, 4, 5].map(
          (n) => `lease ${lease} could not be revoked at expiry (attempt ${n} of 6, next in ${2 ** (n - 1)} s): ${why}`,
        ),
        `lease ${lease} marked irrevocable after 6 failed attempts, no more retries (revoke it again once the ` +
          `cause is fixed, or remove it with sys/leases/revoke-force): ${why}`,
      ]);
      const gaps = lines.slice(1).map(([, t], i) => (t - lines[i]![1]) / 1000);
      gaps.forEach((gap, i) => {
        expect(gap, `gap ${i + 1} of ${JSON.stringify(gaps)}`).toBeGreaterThan(2 ** i - 0.4);
        expect(gap, `gap ${i + 1} of ${JSON.stringify(gaps)}`).toBeLessThan(2 ** i + 0.4);
      });
      expect(serverLog.join('\n')).not.toContain('PRIVATE KEY');

      // Irrevocable: kept, found by lookup (ttl 0) and list, with its last error.
      const kept = await vault.request('PUT', '/v1/sys/leases/lookup', { lease_id: lease });
      expect([kept.status, kept.json?.data?.id, kept.json?.data?.ttl]).toEqual([200, lease, 0]);
      const listed = await vault.request('LIST', '/v1/sys/leases/lookup/ssh-gone/creds/gone');
      expect(listed.json?.data?.keys).toEqual([lease.slice('ssh-gone/creds/gone/'.length)]);
      expect(vault.server.expiration.lookup(lease)?.revoke_err).toBe(why);

      const forced = await vault.request('PUT', '/v1/sys/leases/revoke-force/ssh-gone/creds/gone');
      expect(forced.status, forced.body).toBe(204);
      const gone = await vault.request('PUT', '/v1/sys/leases/lookup', { lease_id: lease });
      expect([gone.status, gone.json]).toEqual([400, { errors: ['invalid lease'] }]);
      expect(serverLog).toContain(`lease ${lease} removed by revoke-force although its secret was not revoked: ${why}`);
      // The host never heard of it: the key is still in the file (shared with hostA) until removed by hand.
      expect(readAuthorizedKeys()).toBe(installed);
    } finally {
      // Whatever happened: no lease left retrying, and the file as the next tests expect it.
      await vault.request('PUT', '/v1/sys/leases/revoke-force/ssh-gone/creds/gone');
      writeOwned(user, authorizedKeys, BASELINE);
    }
  }, 60_000);

  it('installs the role key_option_specs in front of the key, and sshd honours them (no pty)', async () => {
    const role = dynamicRole({ known_hosts: hostA.knownHostsLine, key_option_specs: 'no-pty,no-port-forwarding' });
    expect((await vault.request('POST', '/v1/ssh/roles/opts', role)).status).toBe(204);
    /** `tty` run over ssh -tt with a fresh key of `roleName`; the lease is revoked afterwards. */
    const ttyWith = async (roleName: string) => {
      const r = await vault.request('POST', `/v1/ssh/creds/${roleName}`, { ip: hostA.address });
      expect(r.status, r.body).toBe(200);
      const line = readAuthorizedKeys().slice(BASELINE.length);
      const file = join(scratch, `${roleName}-key`);
      writeFileSync(file, r.json.data.key, { mode: 0o600 });
      try {
        const login = await sshLogin({ host: hostA, user, identityFile: file, command: 'tty', tty: true });
        return { line, login };
      } finally {
        rmSync(file, { force: true });
        const revoked = await vault.request('PUT', '/v1/sys/leases/revoke', { lease_id: r.json.lease_id });
        expect(revoked.status, revoked.body).toBe(204);
        expect(readAuthorizedKeys()).toBe(BASELINE);
      }
    };
    // The control: the same login with a key without options gets a terminal.
    const plainKey = await ttyWith('dyn');
    expect([plainKey.login.code, plainKey.login.stdout], plainKey.login.stderr).toEqual([
      0,
      expect.stringMatching(/^\/dev\/pts\/\d+\r?\n$/),
    ]);
    const withOptions = await ttyWith('opts');
    expect(withOptions.line).toMatch(/^no-pty,no-port-forwarding ssh-rsa AAAA[\w+/=]+\n$/);
    // sshd refuses the pty; ssh -tt (RequestTTY=force) then gives up: OpenSSH's answer to no-pty.
    expect(withOptions.login).toEqual({
      code: 255,
      stdout: '',
      stderr: 'PTY allocation request failed on channel 0\r\n',
    });
  });

  it("runs a custom install_script Vault's way, as the admin, and leaves no temporary file in its home", async () => {
    const trace = `/home/${ADMIN}/install-script.trace`;
    // Vault's contract: $1 install|uninstall, $2 the public key file, $3 the authorized_keys path.
    const script = [
      '#!/bin/sh',
      'set -e',
      'user=$(basename "$(dirname "$(dirname "$3")")")',
      'echo "$1 $user $(id -un)" >> "$HOME/install-script.trace"',
      `sudo -n ${HELPER} "$1" "$user" < "$2"`,
      '',
    ].join('\n');
    const role = dynamicRole({ known_hosts: hostA.knownHostsLine, install_script: script });
    expect((await vault.request('POST', '/v1/ssh/roles/scripted', role)).status).toBe(204);
    const temporary = () => readdirSync(`/home/${ADMIN}`).filter((f) => f.startsWith('.sshca-dynamic-'));
    try {
      const r = await vault.request('POST', '/v1/ssh/creds/scripted', { ip: hostA.address });
      expect(r.status, r.body).toBe(200);
      expect(readAuthorizedKeys().slice(BASELINE.length)).toMatch(/^ssh-rsa AAAA[\w+/=]+\n$/);
      expect(await loginWith(r.json.data.key)).toBe(0);
      expect(temporary()).toEqual([]);
      const revoked = await vault.request('PUT', '/v1/sys/leases/revoke', { lease_id: r.json.lease_id });
      expect(revoked.status, revoked.body).toBe(204);
      expect(readAuthorizedKeys()).toBe(BASELINE);
      expect(await loginWith(r.json.data.key)).toBe(255);
      expect(temporary()).toEqual([]);
      expect(readFileSync(trace, 'utf8')).toBe(`install ${user} ${ADMIN}\nuninstall ${user} ${ADMIN}\n`);
    } finally {
      rmSync(trace, { force: true });
    }
  });

  it('uninstalls on revocation after a restart of a --data-dir server without the flag', async () => {
    const dir = join(scratch, 'data-dir');
    const writeSecret = (path: string, content: string) => writeFileSync(path, content, { mode: 0o600 });
    let front: SealableServer | undefined;
    let listener: Server | undefined;
    let url = '';
    const open = async (legacyDynamicKeys: boolean) => {
      const opened = await openDataDir(
        dir,
        { version: '0.0.0-test', log: () => {}, ...(legacyDynamicKeys ? { legacyDynamicKeys } : {}) },
        writeSecret,
      );
      front = opened.server;
      ({ server: listener, url } = await front.listen('127.0.0.1', 0));
    };
    const close = async () => {
      if (front && listener) await front.close(listener);
      front = undefined;
    };
    const call = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${url}/v1/${path}`, {
        method,
        headers: { 'X-Vault-Token': readFileSync(join(dir, 'root-token'), 'utf8').trim() },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await res.text();
      return { status: res.status, json: text === '' ? undefined : JSON.parse(text) };
    };
    try {
      await open(true);
      for (const [path, body] of [
        ['sys/mounts/ssh', { type: 'ssh' }],
        ['ssh/keys/admin', { key: readFileSync(join(scratch, 'admin'), 'utf8') }],
        ['ssh/roles/dyn', dynamicRole({ known_hosts: hostA.knownHostsLine })],
      ] as const) {
        const w = await call('POST', path, body);
        expect(w.status, `${path}: ${JSON.stringify(w.json)}`).toBeLessThan(300);
      }
      const r = await call('POST', 'ssh/creds/dyn', { ip: hostA.address });
      expect(r.status, JSON.stringify(r.json)).toBe(200);
      expect(readAuthorizedKeys().slice(BASELINE.length)).toMatch(/^ssh-rsa AAAA[\w+/=]+\n$/);
      await close();

      await open(false);
      const role = await call('GET', 'ssh/roles/dyn');
      expect([role.status, role.json]).toEqual([
        500,
        { errors: [wrapped('dynamic key type roles are no longer supported')] },
      ]);
      expect((await call('POST', 'ssh/creds/dyn', { ip: hostA.address })).status).not.toBe(200);
      const revoked = await call('PUT', 'sys/leases/revoke', { lease_id: r.json.lease_id });
      expect(revoked.status, JSON.stringify(revoked.json)).toBe(204);
      expect(readAuthorizedKeys()).toBe(BASELINE);
      expect(await loginWith(r.json.data.key)).toBe(255);
    } finally {
      await close();
    }
  }, 60_000);
  describe('sshca ssh --dynamic (the built CLI)', () => {
    beforeAll(async () => {
      // A mount of its own: the one dynamic role for 127.0.23.0/24 beside an OTP role for the same
      // addresses (lookup names both; the CLI keeps the dynamic one).
      const ok = async (path: string, body: unknown) => {
        const r = await vault.request('POST', `/v1/${path}`, body);
        expect(r.status, `${path}: ${r.body}`).toBeLessThan(300);
      };
      await ok('sys/mounts/ssh-cli', { type: 'ssh' });
      await ok('ssh-cli/keys/admin', { key: readFileSync(join(scratch, 'admin'), 'utf8') });
      await ok('ssh-cli/roles/dyn', dynamicRole({ known_hosts: hostA.knownHostsLine }));
      await ok('ssh-cli/roles/otp', { key_type: 'otp', default_user: user, cidr_list: '127.0.23.0/24' });
    });

    const lookup = async (lease: string) => {
      const r = await vault.request('PUT', '/v1/sys/leases/lookup', { lease_id: lease });
      return [r.status, r.json];
    };

    it('logs in with a dynamic key, then removes the key from the host and revokes the lease', async () => {
      const r = await sshDynamic(vault, ['--mount', 'ssh-cli', '--role', 'dyn']);
      const lease = leaseOf(r.stderr);
      expect(r).toEqual({
        code: 0,
        stdout: 'logged-in\n',
        stderr: installedLine(lease, 'it is removed from the host when ssh exits'),
      });
      expect(readAuthorizedKeys()).toBe(BASELINE);
      expect(await lookup(lease)).toEqual([400, { errors: ['invalid lease'] }]);
    });

    it('with --keep-key leaves the key on the host until the lease is revoked', async () => {
      const r = await sshDynamic(vault, ['--mount', 'ssh-cli', '--role', 'dyn', '--keep-key']);
      const lease = leaseOf(r.stderr);
      expect(r).toEqual({
        code: 0,
        stdout: 'logged-in\n',
        stderr: installedLine(lease, 'it stays on the host until the lease ends (--keep-key)'),
      });
      expect(readAuthorizedKeys().slice(BASELINE.length)).toMatch(/^ssh-rsa AAAA[\w+/=]+\n$/);
      expect((await lookup(lease))[0]).toBe(200);
      const revoked = await vault.request('PUT', '/v1/sys/leases/revoke', { lease_id: lease });
      expect(revoked.status, revoked.body).toBe(204);
      expect(readAuthorizedKeys()).toBe(BASELINE);
      expect(await lookup(lease)).toEqual([400, { errors: ['invalid lease'] }]);
    });

    it('without --role finds the one dynamic role for the address through lookup', async () => {
      const r = await sshDynamic(vault, ['--mount', 'ssh-cli']);
      const lease = leaseOf(r.stderr);
      expect(r).toEqual({
        code: 0,
        stdout: 'logged-in\n',
        stderr: installedLine(lease, 'it is removed from the host when ssh exits'),
      });
      expect(readAuthorizedKeys()).toBe(BASELINE);
      expect(await lookup(lease)).toEqual([400, { errors: ['invalid lease'] }]);
    });

    it('refuses an OTP role (exit 1): the password issued is left to expire', async () => {
      const r = await sshDynamic(vault, ['--mount', 'ssh-cli', '--role', 'otp']);
      expect(r).toEqual({
        code: 1,
        stdout: '',
        stderr:
          'sshca ssh: role otp is an OTP role: use --otp (a one-time password was issued and will expire unused)\n',
      });
      expect(readAuthorizedKeys()).toBe(BASELINE);
    });

    it('refuses a certificate role (exit 1), here on a server without the flag', async () => {
      await plain.request('POST', '/v1/sys/mounts/ssh-cli', { type: 'ssh' });
      const role = await plain.request('POST', '/v1/ssh-cli/roles/dyn', {
        key_type: 'ca',
        allow_user_certificates: true,
        allowed_users: user,
      });
      expect(role.status, role.body).toBe(204);
      // As in Vault, creds checks the address before the key type (a CA role has no cidr_list): the CLI
      // reads the role and says what it is.
      expect(await sshDynamic(plain, ['--mount', 'ssh-cli', '--role', 'dyn'])).toEqual({
        code: 1,
        stdout: '',
        stderr: 'sshca ssh: role dyn is a certificate role: use "sshca login" or "sshca ssh" without --dynamic\n',
      });
      // A zero-address CA role passes that check and reaches Vault's "key type unknown" (a 500).
      const zero = await plain.request('POST', '/v1/ssh-cli/config/zeroaddress', { roles: 'dyn' });
      expect(zero.status, zero.body).toBe(204);
      const r = await sshDynamic(plain, ['--mount', 'ssh-cli', '--role', 'dyn']);
      expect(r).toEqual({
        code: 1,
        stdout: '',
        stderr:
          'sshca ssh: role dyn is not a dynamic-key role (for certificate roles use "sshca login" or "sshca ssh" ' +
          'without --dynamic) (backend said: key type unknown)\n',
      });
      expect(readAuthorizedKeys()).toBe(BASELINE);
    });
  });
  describe('the README section "Dynamic keys (legacy)", run as written', () => {
    it('sets up a dynamic role and connects with it, then moves the host to certificates', async () => {
      const section = sectionBlocks('## Dynamic keys (legacy)');
      const moving = sectionBlocks('### Moving off dynamic keys');
      expect([section.map((b) => b.lang), moving.map((b) => b.lang)]).toEqual([['sh'], ['sh']]);
      const folder = join(scratch, 'readme');
      mkdirSync(folder);
      const bin = makeSshcaBin(folder);
      copyFileSync(join(scratch, 'admin'), join(folder, 'dev_admin_key.pem'));
      // A server of its own (the blocks mount `ssh`), and a host that reads its TrustedUserCAKeys
      // from the file the second block writes: what copying it to the host would do.
      const server = await startTestServer({ legacyDynamicKeys: true });
      const [host] = await startSshdHosts([
        {
          name: 'dyn-readme',
          address: '127.0.23.4',
          trustedUserCaKeys: [],
          principals: { [user]: [user] },
          authorizedKeysFile: '%h/.ssh/authorized_keys',
          // First, so it wins over the harness's own TrustedUserCAKeys line.
          extraConfig: [`TrustedUserCAKeys ${join(folder, 'trusted_user_ca_keys')}`],
        },
      ]);
      try {
        const env = {
          VAULT_ADDR: server.url,
          VAULT_TOKEN: server.token,
          DEV_HOST: host!.address,
          DEV_PORT: String(host!.port),
          DEV_USER: user,
        };
        const first = await runBlock(section[0]!.code, { cwd: folder, bin, env });
        const [lease, ...rest] = first.stdout.split('\n');
        expect(lease).toMatch(/^ssh\/creds\/dyn\/[0-9a-f-]{36}$/);
        expect([first.code, rest]).toEqual([0, [user, '']]);
        // ssh-keyscan's comments, then sshca's one line.
        const stderr = first.stderr.split('\n');
        const scanned = stderr.filter((l) => l.startsWith('# '));
        expect(scanned.length).toBeGreaterThan(0);
        for (const l of scanned)
          expect(l).toMatch(new RegExp(`^# 127\\.0\\.23\\.4:${host!.port} SSH-2\\.0-OpenSSH_.+$`));
        expect(readFileSync(join(folder, 'dev_known_hosts'), 'utf8')).toBe(`${host!.knownHostsLine}\n`);
        const sshcaLines = stderr.filter((l) => !l.startsWith('# '));
        expect(sshcaLines).toHaveLength(2);
        expect(sshcaLines[0]).toMatch(
          new RegExp(
            `^sshca: dynamic key from ssh/creds/dyn installed for ${user}@127\\.0\\.23\\.4 \\(lease ssh/creds/dyn/[0-9a-f-]{36}, 2764800s\\); it is removed from the host when ssh exits$`,
          ),
        );
        expect(sshcaLines[1]).toBe('');
        // The key of the raw creds call stays until its lease ends; sshca ssh's went when ssh exited.
        expect(readAuthorizedKeys().slice(BASELINE.length)).toMatch(/^ssh-rsa AAAA[\w+/=]+\n$/);
        expect((await server.request('PUT', '/v1/sys/leases/lookup', { lease_id: lease })).status).toBe(200);

        const second = await runBlock(moving[0]!.code, { cwd: folder, bin, env });
        const caKey = (await server.request('GET', '/v1/ssh/public_key')).body;
        expect(second).toMatchObject({ code: 0, stdout: `${caKey}${user}\n` });
        expect(second.stderr).toMatch(
          new RegExp(
            `^sshca: new certificate: principals ${user}; key id vault-root-[0-9a-f]{64}; serial \\d+; ` +
              'valid until \\S+Z \\(30m0s left\\)\n$',
          ),
        );
        expect(readAuthorizedKeys()).toBe(BASELINE);
        const gone = await server.request('PUT', '/v1/sys/leases/lookup', { lease_id: lease });
        expect([gone.status, gone.json]).toEqual([400, { errors: ['invalid lease'] }]);
        expect((await server.request('GET', '/v1/ssh/roles/dyn')).status).toBe(404);
        expect(readFileSync(join(folder, 'trusted_user_ca_keys'), 'utf8')).toContain(caKey.trim());
        expect(readFileSync(join(folder, 'dev-ssh-ca-trust.yml'), 'utf8')).toContain(caKey.trim());
        const role = await server.request('GET', '/v1/ssh/roles/dev');
        expect(role.json.data).toMatchObject({
          key_type: 'ca',
          allow_user_certificates: true,
          allowed_users: user,
          default_user: user,
          ttl: 1800,
          max_ttl: 28800,
        });
      } finally {
        await stopAll([host!]);
        await server.close();
      }
    }, 60_000);
  });
});
