// `sshca login`, `ssh`, `config` and `check-host` (the built binary) against the embedded server
// over HTTP, a real ssh-agent and real sshd hosts: tokens from the environment and ~/.vault-token,
// userpass, the agent's lifetime, renewal of an expired certificate, and every refusal in words.

import { execFileSync } from 'node:child_process';
import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCertificate } from '../../core/cert/certificate.js';
import { publicKeyHash, parseSshPublicKey } from '../../core/keys/public-key.js';
import { makeScratchDir, removeScratchDir } from '../helpers/scratch.js';
import { startSshAgent, type SshAgent } from '../helpers/ssh-agent.js';
import { runSshca } from '../helpers/sshca-bin.js';
import { writeKnownHosts } from '../helpers/ssh-client.js';
import { startSshdHosts, stopAll, type SshdHost } from '../helpers/sshd.js';
import { ensureTestUser } from '../helpers/test-user.js';
import { startTestServer, type TestServer } from '../helpers/vault-server.js';

let server: TestServer;
let dir: string;
let home: string;
let agent: SshAgent;
let account: string;
let hosts: SshdHost[] = [];
let knownHosts: string;
let env: Record<string, string>;

const api = async (method: string, path: string, body?: unknown) => {
  const r = await server.request(method, path, body);
  expect(r.status, `${method} ${path}: ${r.body}`).toBeLessThan(300);
};

beforeAll(async () => {
  dir = makeScratchDir('login');
  chmodSync(dir, 0o711);
  home = join(dir, 'home');
  execFileSync('mkdir', ['-p', home]);
  account = await ensureTestUser();
  server = await startTestServer();
  await api('POST', '/v1/sys/mounts/ssh-dev', { type: 'ssh' });
  await api('POST', '/v1/ssh-dev/config/ca', { generate_signing_key: true });
  const role = {
    key_type: 'ca',
    allow_user_certificates: true,
    allowed_users: `${account},someone-else`,
    default_user: account,
  };
  await api('POST', '/v1/ssh-dev/roles/developer', {
    ...role,
    ttl: '10m',
    max_ttl: '1h',
    default_extensions: { 'permit-pty': '' },
  });
  await api('POST', '/v1/ssh-dev/roles/emergency', { ...role, ttl: '5m' });
  await api('POST', '/v1/sys/policies/acl/ssh-access', {
    policy: 'path "ssh-dev/sign/developer" { capabilities = ["update"] }',
  });
  await api('POST', '/v1/sys/auth/userpass', { type: 'userpass' });
  await api('POST', '/v1/auth/userpass/users/alice', { password: 'alice-password', token_policies: 'ssh-access' });
  const caKey = (await server.request('GET', '/v1/ssh-dev/public_key', undefined, null)).body.trim();
  hosts = await startSshdHosts([
    { name: 'dev', address: '127.0.0.2', trustedUserCaKeys: [caKey], principals: { [account]: [account] } },
  ]);
  knownHosts = writeKnownHosts(hosts, dir);
  agent = await startSshAgent(dir);
  env = { VAULT_ADDR: server.url, HOME: home, SSH_AUTH_SOCK: agent.socket };
});

afterAll(async () => {
  await agent?.stop();
  await stopAll(hosts);
  await server?.close();
  if (dir) removeScratchDir(dir);
});

const login = (args: string[], extra: Record<string, string> = {}) =>
  runSshca(['login', '--mount', 'ssh-dev', '--role', 'developer', ...args], { ...env, ...extra });

describe('sshca login', () => {
  it('signs a fresh key with a token from VAULT_TOKEN and adds it to the agent', async () => {
    const r = await login([], { VAULT_TOKEN: server.token });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const key = join(home, '.ssh', 'sshca', 'ssh-dev-developer');
    expect(r.stdout).toMatch(
      new RegExp(
        `^Signed ${key}-cert\\.pub as token: principals ${account}; key id vault-root-[0-9a-f]{64}; serial \\d+; valid until \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ \\((9m5\\d|10m0)s left\\)\\nAdded to ssh-agent until it expires\\.\\n$`,
      ),
    );
    expect(statSync(key).mode & 0o777).toBe(0o600);
    expect(statSync(join(home, '.ssh', 'sshca')).mode & 0o777).toBe(0o700);
    const cert = readFileSync(`${key}-cert.pub`, 'utf8').trim();
    expect(agent.identities().map((l) => l.split(' ').slice(0, 2).join(' '))).toContain(cert);
  });

  it('removes expired certificates of its own keys from the agent', async () => {
    const sshcaDir = join(home, '.ssh', 'sshca');
    const old = join(sshcaDir, 'ssh-dev-old');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', old]);
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'other_ca')]);
    execFileSync('ssh-keygen', [
      '-q',
      '-s',
      join(dir, 'other_ca'),
      '-I',
      'old',
      '-n',
      account,
      '-V',
      '20200101:20200102',
      `${old}.pub`,
    ]);
    execFileSync('ssh-add', ['-q', old], { env: { ...process.env, SSH_AUTH_SOCK: agent.socket } });
    const expired = readFileSync(`${old}-cert.pub`, 'utf8').split(' ').slice(0, 2).join(' ');
    const firstFields = () => agent.identities().map((l) => l.split(' ').slice(0, 2).join(' '));
    expect(firstFields()).toContain(expired);
    const r = await login([], { VAULT_TOKEN: server.token });
    expect(r.stdout).toMatch(/\nAdded to ssh-agent until it expires; removed 1 expired certificate\(s\)\.\n$/);
    expect(firstFields()).not.toContain(expired);
  });

  it('reads ~/.vault-token, and answers --json', async () => {
    writeFileSync(join(home, '.vault-token'), `${server.token}\n`, { mode: 0o600 });
    const r = await login(['--json', '--no-agent', '--ttl', '20m']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(Object.keys(out)).toEqual([
      'identity_file',
      'certificate_file',
      'principals',
      'key_id',
      'serial',
      'valid_after',
      'valid_before',
      'agent',
    ]);
    expect(out.valid_before - out.valid_after).toBe(20 * 60 + 30);
    expect(out.agent).toBe('skipped');
  });

  it('logs in with userpass from SSHCA_PASSWORD: the key id names the user', async () => {
    const key = join(dir, 'id_alice');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key]);
    const r = await login(['--method', 'userpass', '--username', 'alice', '--key', key, '--no-agent'], {
      SSHCA_PASSWORD: 'alice-password',
    });
    expect(r.code).toBe(0);
    const cert = parseCertificate(readFileSync(`${key}-cert.pub`, 'utf8'));
    expect(cert.keyId).toBe(
      `vault-userpass-alice-${publicKeyHash(parseSshPublicKey(readFileSync(`${key}.pub`, 'utf8')).blob)}`,
    );
  });

  it.each([
    [
      ['--role', 'nope'],
      1,
      `sshca login: role nope does not exist on mount ssh-dev (backend said: Unknown role: nope)\n`,
    ],
    [
      ['--principals', 'root'],
      1,
      'sshca login: principal root is not allowed by role developer (backend said: root is not a valid value for valid_principals)\n',
    ],
    [
      ['--ttl', '2h'],
      1,
      "sshca login: TTL 2h is above the role's maximum of 1h0m0s (backend said: ttl is larger than maximum allowed 3600)\n",
    ],
  ])('explains a refusal: %j', async (args, code, stderr) => {
    const r = await runSshca(['login', '--mount', 'ssh-dev', '--role', 'developer', '--no-agent', ...args], {
      ...env,
      VAULT_TOKEN: server.token,
    });
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code, stderr });
  });

  it('explains a policy refusal and failed logins, with exit code 3 for authentication', async () => {
    const denied = await runSshca(
      [
        'login',
        '--mount',
        'ssh-dev',
        '--role',
        'emergency',
        '--no-agent',
        '--method',
        'userpass',
        '--username',
        'alice',
      ],
      {
        ...env,
        SSHCA_PASSWORD: 'alice-password',
      },
    );
    expect(denied).toMatchObject({
      code: 1,
      stderr:
        'sshca login: your token may not sign on ssh-dev/sign/emergency: it needs a policy with "update" on that path (backend said: permission denied)\n',
    });
    const bad = await login(['--method', 'userpass', '--username', 'alice', '--no-agent'], { SSHCA_PASSWORD: 'wrong' });
    expect(bad).toMatchObject({
      code: 3,
      stderr: 'sshca login: login as alice failed: invalid username or password\n',
    });
    const none = await runSshca(['login', '--mount', 'ssh-dev', '--role', 'developer'], {
      VAULT_ADDR: server.url,
      HOME: join(dir, 'empty-home'),
    });
    expect(none).toMatchObject({
      code: 3,
      stderr: 'sshca login: no token: pass --token, set VAULT_TOKEN, run "vault login", or use --method userpass\n',
    });
    const noPassword = await login(['--method', 'userpass', '--username', 'alice']);
    expect(noPassword).toMatchObject({ code: 2 });
    expect(noPassword.stderr).toContain('no password: set SSHCA_PASSWORD or run in a terminal');
  });
});

describe('sshca ssh', () => {
  const ssh = (...extra: string[]) =>
    runSshca(
      [
        'ssh',
        '--mount',
        'ssh-dev',
        '--role',
        'developer',
        // 6 s of a 36 s life (30 s backdate) is 17 % left: above --renew-at 0.05 for some seconds.
        '--ttl',
        '6s',
        '--renew-at',
        '0.05',
        ...extra,
        '--',
        '-F',
        'none',
        '-o',
        `UserKnownHostsFile=${knownHosts}`,
        '-o',
        'IdentityAgent=none',
        '-o',
        'ControlPath=none',
        '-p',
        String(hosts[0]!.port),
        `${account}@127.0.0.2`,
        'echo',
        'in',
      ],
      { ...env, VAULT_TOKEN: server.token, SSHCA_HOME: join(dir, 'ssh-home') },
    );

  it('logs in when needed, reuses a fresh certificate, and renews an expired one', async () => {
    const first = await ssh();
    expect(first.stdout).toBe('in\n');
    expect(first.stderr).toMatch(/^sshca: new certificate: principals /);
    expect(first.code).toBe(0);
    const second = await ssh();
    expect(second).toEqual({ code: 0, stdout: 'in\n', stderr: '' });
    await sleep(6500); // the 6 s certificate is now spent
    const third = await ssh();
    expect(third.stderr).toMatch(/^sshca: new certificate: /);
    expect(third.stdout).toBe('in\n');
  });
});

describe('sshca config', () => {
  it('prints the ssh_config block and writes the @cert-authority line to the known_hosts file it names', async () => {
    const hostCa = join(dir, 'host_ca');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'x', '-f', hostCa]);
    const key = readFileSync(`${hostCa}.pub`, 'utf8').split(' ').slice(0, 2).join(' ');
    const identity = join(home, '.ssh', 'sshca', 'ssh-dev-developer');
    const r = await runSshca(
      [
        'config',
        '--mount',
        'ssh-dev',
        '--role',
        'developer',
        '--host',
        '*.dev.example.com',
        '--user',
        'ubuntu',
        '--host-ca-key',
        `${hostCa}.pub`,
      ],
      { HOME: home },
    );
    const knownHostsFile = join(home, '.ssh', 'sshca', 'known_hosts');
    expect(r).toEqual({
      code: 0,
      stderr: `sshca config: trusting host certificates of ${hostCa}.pub for *.dev.example.com in ${knownHostsFile}\n`,
      stdout: [
        '# sshca: certificates of ssh-dev/developer (renew with: sshca login --mount ssh-dev --role developer)',
        'Host *.dev.example.com',
        '  User ubuntu',
        `  IdentityFile ${identity}`,
        `  CertificateFile ${identity}-cert.pub`,
        '  IdentitiesOnly yes',
        `  UserKnownHostsFile ${knownHostsFile}`,
        '  StrictHostKeyChecking yes',
        '',
      ].join('\n'),
    });
    // Issue 15, defect 3: a known_hosts line, so in a known_hosts file (ssh_config refuses it).
    expect(readFileSync(knownHostsFile, 'utf8')).toContain(`@cert-authority *.dev.example.com ${key}\n`);
  });
});

describe('sshca check-host', () => {
  const check = (target: string, ...extra: string[]) =>
    runSshca(
      ['check-host', '--mount', 'ssh-dev', '--role', 'developer', '--known-hosts', knownHosts, ...extra, target],
      {
        ...env,
        VAULT_TOKEN: server.token,
      },
    );

  it('reports a host that accepts the certificates', async () => {
    const r = await check(`${account}@127.0.0.2`, '--port', String(hosts[0]!.port));
    expect(r).toEqual({
      code: 0,
      stderr: '',
      stdout: `OK: ${account}@127.0.0.2:${hosts[0]!.port}: the host accepts certificates of ssh-dev for ${account}\n`,
    });
  });

  it('reports a principal the host does not authorise, in words and in JSON', async () => {
    const r = await check(
      `${account}@127.0.0.2`,
      '--port',
      String(hosts[0]!.port),
      '--principals',
      'someone-else',
      '--json',
    );
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ ok: false, reason: 'refused', user: account, host: '127.0.0.2' });
    expect(out.message).toContain('principal(s) someone-else are not authorised for account');
    expect(out.certificate.principals).toEqual(['someone-else']);
  });

  it('reports a closed port with exit code 4', async () => {
    const r = await check(`${account}@127.0.0.2`, '--port', '1');
    expect(r).toMatchObject({
      code: 4,
      stderr: `FAILED: ${account}@127.0.0.2:1: connection refused: nothing listens on that port\n`,
    });
  });
});
