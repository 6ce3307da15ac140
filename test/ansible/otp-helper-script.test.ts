// The shipped vault-ssh-helper (ansible/roles/ssh_otp_helper/files/vault-ssh-helper) run directly, as
// pam_exec runs it (its own shebang, no PATH, PAM_USER and PAM_TYPE in the environment, the password on
// standard input), against the embedded server over real HTTP and HTTPS: command line, config file
// checks, TLS rules, -verify-only, and every accept/refuse decision with its exact log line. No sshd
// here: test/e2e/otp-helper.test.ts logs in through a real one.

import { chmodSync, readFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createTcpServer, type Server as TcpServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeScratchDir, removeScratchDir, writeFileAtomically } from '../helpers/scratch.js';
import { runOtpHelper, writeOtpHelperConfig, type OtpHelperConfig } from '../helpers/sshd-otp.js';
import { makeSelfSignedTls } from '../helpers/tls.js';
import { startTestServer, type TestServer } from '../helpers/vault-server.js';

const USER = 'sshca-test';

let dir: string;
let backend: TestServer;
let tlsListener: Server;
let tlsUrl: string;
let tlsCert: string;
let closedUrl: string;
let silent: TcpServer;
let silentUrl: string;
const silentSockets = new Set<Socket>();
let notVault: Server;
let notVaultUrl: string;

function listenOn(server: Server | TcpServer): Promise<string> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as { port: number }).port}`)),
  );
}

beforeAll(async () => {
  dir = makeScratchDir('otp-helper-script');
  const tls = makeSelfSignedTls(dir);
  tlsCert = tls.certFile;
  backend = await startTestServer();
  ({ server: tlsListener, url: tlsUrl } = await backend.server.listen('127.0.0.1', 0, tls));
  expect((await backend.request('POST', '/v1/sys/mounts/ssh', { type: 'ssh' })).status).toBe(204);
  const audit = { type: 'file', options: { file_path: join(dir, 'audit.log') } };
  expect((await backend.request('POST', '/v1/sys/audit/file', audit)).status).toBe(204);
  for (const [name, role] of [
    [
      'otp',
      { key_type: 'otp', default_user: USER, allowed_users: `${USER},sshca-otp-other`, cidr_list: '127.0.0.0/8' },
    ],
    ['neighbour', { key_type: 'otp', default_user: USER, cidr_list: '192.0.2.0/24' }],
  ] as const) {
    expect((await backend.request('POST', `/v1/ssh/roles/${name}`, role)).status).toBe(204);
  }
  // A port nothing listens on: taken from a listener that is closed again.
  const probe = createTcpServer();
  closedUrl = await listenOn(probe);
  await new Promise((resolve) => probe.close(resolve));
  // A backend that accepts connections and never answers.
  silent = createTcpServer((s) => {
    silentSockets.add(s);
    s.on('close', () => silentSockets.delete(s));
  });
  silentUrl = await listenOn(silent);
  // A web server that is not Vault: 200 with HTML.
  notVault = createHttpServer((_req, res) => res.writeHead(200, { 'Content-Type': 'text/html' }).end('<html></html>'));
  notVaultUrl = await listenOn(notVault);
});

afterAll(async () => {
  for (const s of silentSockets) s.destroy();
  await Promise.all(
    [silent, notVault, tlsListener].map((s) => s && new Promise((resolve) => s.close(() => resolve(undefined)))),
  );
  await backend?.close();
  if (dir) removeScratchDir(dir);
});

let configs = 0;
/** A config file with allowed_roles "*" unless said otherwise. */
function config(c: Partial<OtpHelperConfig> & { vault_addr: string }): string {
  return writeOtpHelperConfig(dir, { allowed_roles: '*', ...c }, `config-${++configs}.hcl`);
}

/** Write a config file with the given text as is. */
function rawConfig(text: string): string {
  const path = join(dir, `raw-${++configs}.hcl`);
  writeFileAtomically(path, text, 0o600);
  return path;
}

async function issue(role: string, ip: string, username?: string): Promise<{ key: string; leaseId: string }> {
  const r = await backend.request('POST', `/v1/ssh/creds/${role}`, { ip, ...(username ? { username } : {}) });
  expect(r.status).toBe(200);
  return { key: r.json.data.key, leaseId: r.json.lease_id };
}

/** Run the helper as pam_exec does for PAM_USER `user` (null: unset), typing `password` + `terminator`. */
function login(args: string[], password: string, user: string | null = USER, terminator = '\0') {
  return runOtpHelper(args, { stdin: password + terminator, env: user === null ? {} : { PAM_USER: user } });
}

describe('command line', () => {
  it('prints its version and help', async () => {
    const v = await runOtpHelper(['-version']);
    expect(v).toEqual({ code: 0, stdout: 'vault-ssh-helper v0.1.0 (vault-ssh-ca)\n', stderr: '' });
    const h = await runOtpHelper(['-h']);
    expect(h.code).toBe(0);
    expect(h.stdout.split('\n')[0]).toBe('Usage: vault-ssh-helper [options]');
    expect(h.stdout).toContain('-verify-only');
  });

  it.each([
    [[], 'at least one config path must be specified with -config'],
    [['-config'], 'flag needs an argument: -config'],
    [['-nope'], 'flag provided but not defined: -nope (see -help)'],
    [['-config=x', 'extra'], 'unexpected argument extra (options start with -; see -help)'],
    [['-config=x', '-dev=maybe'], 'invalid boolean value maybe for -dev'],
    [['-config=x', '-log-level=loud'], 'invalid -log-level loud (off, trace, debug, info, warn or error)'],
  ])('refuses %j with exit 2', async (args, message) => {
    expect(await runOtpHelper(args)).toEqual({ code: 2, stdout: '', stderr: `vault-ssh-helper: error: ${message}\n` });
  });
});

describe('config file', () => {
  it.each([
    [
      'vault_addr = "http://127.0.0.1:1"\nallowed_roles = "*"\ntoken = "s.x"\n',
      'line 3: invalid key "token" (known keys: vault_addr, ssh_mount_point, namespace, ca_cert, ca_path, tls_skip_verify, tls_server_name, allowed_roles, allowed_cidr_list)',
    ],
    ['vault_addr = "http://127.0.0.1:1"\nvault_addr = "http://127.0.0.1:2"\n', 'line 2: "vault_addr" is set twice'],
    [
      'vault_addr = "http://127.0.0.1:1"\ntls_skip_verify = maybe\n',
      'line 2: value must be a "quoted string", true or false',
    ],
    [
      'vault_addr = "http://127.0.0.1:1"\ntls_skip_verify = "maybe"\n',
      'line 2: tls_skip_verify must be true or false, not "maybe"',
    ],
    ['vault_addr = true\n', 'line 1: vault_addr must be a "quoted string"'],
    ['vault_addr = "http://127.0.0.1:1\n', 'line 1: unterminated string'],
    ['vault_addr = "http://127.0.0.1:1" trailing\n', 'line 1: unexpected text after the value'],
    ['vault_addr: "http://127.0.0.1:1"\n', 'line 1: expected key = "value"'],
    ['allowed_roles = "*"\n', 'missing config "vault_addr"'],
    ['vault_addr = "http://127.0.0.1:1"\n', 'missing config "allowed_roles" (a comma list of roles, or "*" for any)'],
    [
      'vault_addr = "http://127.0.0.1:1"\nallowed_roles = "a,,b"\n',
      'allowed_roles "a,,b" must be "*" or a comma list of role names',
    ],
    [
      'vault_addr = "http://127.0.0.1:1"\nallowed_roles = "*"\nallowed_cidr_list = "10.0.0.0/8, 192.0.2.10"\n',
      'allowed_cidr_list: invalid CIDR "192.0.2.10" (expected a comma list like "10.0.0.0/8,192.168.1.0/24")',
    ],
    [
      'vault_addr = "http://127.0.0.1:1"\nallowed_roles = "*"\nssh_mount_point = "../sys"\n',
      'ssh_mount_point "../sys" is not a mount path',
    ],
    [
      'vault_addr = "ftp://127.0.0.1:1"\nallowed_roles = "*"\n',
      'vault_addr "ftp://127.0.0.1:1" must look like https://vault.example.com:8200',
    ],
  ])('refuses bad config %#', async (text, message) => {
    const path = rawConfig(text);
    const r = await runOtpHelper([`-config=${path}`, '-dev', '-verify-only']);
    const where = message.startsWith('line') ? `${path} ${message}` : `${path}: ${message}`;
    expect(r).toEqual({ code: 2, stdout: '', stderr: `vault-ssh-helper: error: ${where}\n` });
  });

  it('reads comments, the "-config FILE" form and a base path, and answers -verify-only', async () => {
    const path = rawConfig(
      `# the embedded server\nvault_addr = "${backend.url}/" // trailing slash\n` +
        `ssh_mount_point = "/ssh/"\nallowed_roles = "otp, neighbour"  # two roles\n`,
    );
    expect(await runOtpHelper(['-config', path, '-dev', '-verify-only'])).toEqual({
      code: 0,
      stdout: '',
      stderr: `vault-ssh-helper: verification successful: ${backend.url}/ mount "ssh" answered verify-echo-response\n`,
    });
  });

  it('refuses a config file that group or others may write, and one it cannot read', async () => {
    const path = config({ vault_addr: backend.url });
    chmodSync(path, 0o664);
    expect(await runOtpHelper([`-config=${path}`, '-dev', '-verify-only'])).toEqual({
      code: 2,
      stdout: '',
      stderr: `vault-ssh-helper: error: config ${path} is writable by group or others; chmod go-w it\n`,
    });
    const missing = join(dir, 'missing.hcl');
    expect((await runOtpHelper([`-config=${missing}`])).stderr).toBe(
      `vault-ssh-helper: error: cannot read config ${missing}: No such file or directory\n`,
    );
  });
});

describe('TLS', () => {
  it('refuses plain http without -dev, and https with -dev', async () => {
    expect((await login([`-config=${config({ vault_addr: backend.url })}`], 'x')).stderr).toBe(
      'vault-ssh-helper: error: unsupported scheme: vault_addr is http, which only -dev allows; use https\n',
    );
    const r = await runOtpHelper([
      `-config=${config({ vault_addr: tlsUrl, ca_cert: tlsCert })}`,
      '-dev',
      '-verify-only',
    ]);
    expect(r).toEqual({
      code: 2,
      stdout: '',
      stderr: "vault-ssh-helper: error: unsupported scheme in 'dev' mode: vault_addr is https (drop -dev)\n",
    });
  });

  it('verifies the backend with ca_cert', async () => {
    const r = await runOtpHelper([`-config=${config({ vault_addr: tlsUrl, ca_cert: tlsCert })}`, '-verify-only']);
    expect(r).toEqual({
      code: 0,
      stdout: '',
      stderr: `vault-ssh-helper: verification successful: ${tlsUrl} mount "ssh" answered verify-echo-response\n`,
    });
    const { key } = await issue('otp', '127.0.0.1');
    expect(await login([`-config=${config({ vault_addr: tlsUrl, ca_cert: tlsCert })}`], key)).toEqual({
      code: 0,
      stdout: '',
      stderr: 'vault-ssh-helper: accepted user=sshca-test ip=127.0.0.1 role=otp: ip is an address of this host\n',
    });
  });

  it('refuses a certificate the system store does not know, or issued for another name', async () => {
    expect(await runOtpHelper([`-config=${config({ vault_addr: tlsUrl })}`, '-verify-only'])).toEqual({
      code: 1,
      stdout: '',
      stderr: `vault-ssh-helper: verification failed: TLS with backend ${tlsUrl} failed: self-signed certificate\n`,
    });
    const renamed = config({ vault_addr: tlsUrl, ca_cert: tlsCert, tls_server_name: 'vault.example.com' });
    expect((await runOtpHelper([`-config=${renamed}`, '-verify-only'])).stderr).toBe(
      `vault-ssh-helper: verification failed: TLS with backend ${tlsUrl} failed: ` +
        "Hostname mismatch, certificate is not valid for 'vault.example.com'.\n",
    );
    // Fails closed at login too, and the OTP stays unused on the backend.
    const { key } = await issue('otp', '127.0.0.1');
    expect(await login([`-config=${config({ vault_addr: tlsUrl })}`], key)).toEqual({
      code: 1,
      stdout: '',
      stderr: `vault-ssh-helper: refused user=sshca-test: TLS with backend ${tlsUrl} failed: self-signed certificate\n`,
    });
    expect((await login([`-config=${config({ vault_addr: backend.url })}`, '-dev'], key)).code).toBe(0);
  });

  it('skips verification only when tls_skip_verify is set', async () => {
    const r = await runOtpHelper([`-config=${config({ vault_addr: tlsUrl, tls_skip_verify: true })}`, '-verify-only']);
    expect(r.code).toBe(0);
  });

  it('refuses a ca_cert that does not exist or is not PEM', async () => {
    const missing = join(dir, 'nope.pem');
    expect(
      (await runOtpHelper([`-config=${config({ vault_addr: tlsUrl, ca_cert: missing })}`, '-verify-only'])).stderr,
    ).toMatch(new RegExp(`^vault-ssh-helper: error: .*: ca_cert ${missing} is not a readable file\\n$`));
    const garbage = join(dir, 'garbage.pem');
    writeFileAtomically(garbage, 'not a certificate\n');
    const r = await runOtpHelper([`-config=${config({ vault_addr: tlsUrl, ca_cert: garbage })}`, '-verify-only']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^vault-ssh-helper: error: cannot load the CA certificates \(ca_cert\/ca_path\): .+\n$/);
  });
});

describe('decisions', () => {
  const dev = () => [`-config=${config({ vault_addr: backend.url })}`, '-dev'];

  it('accepts an OTP once (NUL or newline terminated), then refuses it as used', async () => {
    for (const terminator of ['\0', '\n', '']) {
      const { key } = await issue('otp', '127.0.0.1');
      expect(await login(dev(), key, USER, terminator)).toEqual({
        code: 0,
        stdout: '',
        stderr: 'vault-ssh-helper: accepted user=sshca-test ip=127.0.0.1 role=otp: ip is an address of this host\n',
      });
      expect(await login(dev(), key)).toEqual({
        code: 1,
        stdout: '',
        stderr:
          'vault-ssh-helper: refused user=sshca-test: OTP not found (unknown, already used, expired or revoked)\n',
      });
    }
  });

  it('accepts any loopback address of this host, and refuses a neighbour', async () => {
    const { key } = await issue('otp', '127.0.0.9');
    expect((await login(dev(), key)).stderr).toBe(
      'vault-ssh-helper: accepted user=sshca-test ip=127.0.0.9 role=otp: ip is an address of this host\n',
    );
    // 192.0.2.10 is only compared, never contacted: binding to it fails, so nothing is sent.
    const neighbour = await issue('neighbour', '192.0.2.10');
    expect(await login(dev(), neighbour.key)).toEqual({
      code: 1,
      stdout: '',
      stderr:
        'vault-ssh-helper: refused user=sshca-test ip=192.0.2.10 role=neighbour: ' +
        'ip 192.0.2.10 is not an address of this host nor in allowed_cidr_list\n',
    });
    // verify consumed it although the helper refused it, as with Vault.
    expect((await login(dev(), neighbour.key)).stderr).toContain('OTP not found');
  });

  it('accepts an ip inside allowed_cidr_list (NAT) and nothing outside it', async () => {
    const nat = [
      `-config=${config({ vault_addr: backend.url, allowed_cidr_list: '10.0.0.0/8, 192.0.2.8/29' })}`,
      '-dev',
    ];
    const inside = await issue('neighbour', '192.0.2.10');
    expect(await login(nat, inside.key)).toEqual({
      code: 0,
      stdout: '',
      stderr:
        'vault-ssh-helper: accepted user=sshca-test ip=192.0.2.10 role=neighbour: ip is in allowed_cidr_list 192.0.2.8/29\n',
    });
    const outside = await issue('neighbour', '192.0.2.20');
    expect((await login(nat, outside.key)).stderr).toBe(
      'vault-ssh-helper: refused user=sshca-test ip=192.0.2.20 role=neighbour: ' +
        'ip 192.0.2.20 is not an address of this host nor in allowed_cidr_list\n',
    );
  });

  it('refuses an OTP issued for another user', async () => {
    const { key } = await issue('otp', '127.0.0.1', 'sshca-otp-other');
    expect(await login(dev(), key)).toEqual({
      code: 1,
      stdout: '',
      stderr:
        'vault-ssh-helper: refused user=sshca-test ip=127.0.0.1 role=otp: username mismatch: the OTP is for "sshca-otp-other"\n',
    });
  });

  it('refuses a role outside allowed_roles and accepts one inside', async () => {
    const only = (roles: string) => [`-config=${config({ vault_addr: backend.url, allowed_roles: roles })}`, '-dev'];
    const a = await issue('otp', '127.0.0.1');
    expect((await login(only('neighbour,admin'), a.key)).stderr).toBe(
      'vault-ssh-helper: refused user=sshca-test ip=127.0.0.1 role=otp: role "otp" is not in allowed_roles\n',
    );
    const b = await issue('otp', '127.0.0.1');
    expect((await login(only('neighbour, otp'), b.key)).code).toBe(0);
  });

  it('refuses without PAM_USER, outside the auth stack, and a password that is not an OTP (not sent)', async () => {
    const { key } = await issue('otp', '127.0.0.1');
    const verifyCalls = () => readFileSync(join(dir, 'audit.log'), 'utf8').split('"path":"ssh/verify"').length - 1;
    const calls = verifyCalls();
    expect((await login(dev(), key, null)).stderr).toBe(
      'vault-ssh-helper: refused: PAM_USER is not set (run this helper from pam_exec)\n',
    );
    const session = await runOtpHelper(dev(), { stdin: key, env: { PAM_USER: USER, PAM_TYPE: 'open_session' } });
    expect(session.stderr).toBe(
      'vault-ssh-helper: refused user=sshca-test: PAM_TYPE is open_session: run this helper from the auth stack\n',
    );
    expect(await login(dev(), 'correct horse battery staple')).toEqual({
      code: 1,
      stdout: '',
      stderr:
        'vault-ssh-helper: refused user=sshca-test: the password is not an OTP (not in UUID form); it was not sent to the backend\n',
    });
    // None of these reached verify (the audit log has no new verify request), and the OTP is still good.
    expect(verifyCalls()).toBe(calls);
    expect((await login(dev(), key)).code).toBe(0);
    expect(verifyCalls()).toBeGreaterThan(calls);
  });

  it('is silent with -log-level=off and still decides', async () => {
    const { key } = await issue('otp', '127.0.0.1');
    expect(await login([...dev(), '-log-level=off'], key)).toEqual({ code: 0, stdout: '', stderr: '' });
  });
});

describe('fails closed', () => {
  it('when the backend is down', async () => {
    const down = [`-config=${config({ vault_addr: closedUrl })}`, '-dev'];
    expect(await login(down, '2f7e25a2-24c9-4b7b-0d35-27d5e5203a5c')).toEqual({
      code: 1,
      stdout: '',
      stderr: `vault-ssh-helper: refused user=sshca-test: backend ${closedUrl} unreachable: Connection refused\n`,
    });
    expect(await runOtpHelper([...down, '-verify-only'])).toEqual({
      code: 1,
      stdout: '',
      stderr: `vault-ssh-helper: verification failed: backend ${closedUrl} unreachable: Connection refused\n`,
    });
  });

  it('when the backend does not answer within 10 s', async () => {
    const started = Date.now();
    const r = await login(
      [`-config=${config({ vault_addr: silentUrl })}`, '-dev'],
      '2f7e25a2-24c9-4b7b-0d35-27d5e5203a5c',
    );
    expect(r).toEqual({
      code: 1,
      stdout: '',
      stderr: `vault-ssh-helper: refused user=sshca-test: backend ${silentUrl} did not answer within 10 s\n`,
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(10_000);
    expect(Date.now() - started).toBeLessThan(15_000);
  }, 30_000);

  it('when something that is not Vault answers 200, or the mount does not exist (403)', async () => {
    expect(
      await login([`-config=${config({ vault_addr: notVaultUrl })}`, '-dev'], '2f7e25a2-24c9-4b7b-0d35-27d5e5203a5c'),
    ).toEqual({
      code: 1,
      stdout: '',
      stderr: 'vault-ssh-helper: refused user=sshca-test: backend answered 200 without a data object\n',
    });
    expect(
      (await runOtpHelper([`-config=${config({ vault_addr: notVaultUrl })}`, '-dev', '-verify-only'])).stderr,
    ).toBe('vault-ssh-helper: verification failed: backend answered 200 without verify-echo-response\n');
    const wrongMount = [`-config=${config({ vault_addr: backend.url, ssh_mount_point: 'nowhere' })}`, '-dev'];
    // verify needs no token, but only on a mount that exists: elsewhere Vault's ACL refuses the anonymous call.
    expect(await runOtpHelper([...wrongMount, '-verify-only'])).toEqual({
      code: 1,
      stdout: '',
      stderr: 'vault-ssh-helper: verification failed: backend answered 403: 1 error occurred: * permission denied\n',
    });
  });
});
