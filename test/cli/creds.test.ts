// `sshca creds` (the built binary) against the embedded server over HTTP: the credential in words
// and in JSON with exact fields (the printed OTP verifies once on the backend), the token from the
// environment, ~/.vault-token or userpass, every refusal in plain words with the backend's own,
// and exit codes 1 (refused), 2 (usage) and 3 (authentication).

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeScratchDir, removeScratchDir } from '../helpers/scratch.js';
import { runSshca } from '../helpers/sshca-bin.js';
import { startTestServer, type TestServer } from '../helpers/vault-server.js';

let server: TestServer;
let dir: string;
let home: string;
let env: Record<string, string>;

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const LEASE_SECONDS = 768 * 3600; // the mount's default lease TTL

const api = async (method: string, path: string, body?: unknown) => {
  const r = await server.request(method, path, body);
  expect(r.status, `${method} ${path}: ${r.body}`).toBeLessThan(300);
  return r;
};

beforeAll(async () => {
  dir = makeScratchDir('creds');
  home = join(dir, 'home');
  mkdirSync(home);
  server = await startTestServer();
  await api('POST', '/v1/sys/mounts/ssh-otp', { type: 'ssh' });
  await api('POST', '/v1/ssh-otp/roles/otp', {
    key_type: 'otp',
    default_user: 'ubuntu',
    allowed_users: 'ubuntu,deploy',
    cidr_list: '10.0.1.0/24',
    exclude_cidr_list: '10.0.1.128/25',
    port: 2222,
  });
  await api('POST', '/v1/ssh-otp/roles/default-only', {
    key_type: 'otp',
    default_user: 'ubuntu',
    cidr_list: '10.0.1.0/24',
  });
  await api('POST', '/v1/ssh-otp/config/ca', { generate_signing_key: true });
  await api('POST', '/v1/ssh-otp/roles/developer', {
    key_type: 'ca',
    allow_user_certificates: true,
    allowed_users: 'ubuntu',
    default_user: 'ubuntu',
  });
  // A CA role passes the ip check only as a zero-address role; creds then fails on its key type.
  await api('POST', '/v1/ssh-otp/config/zeroaddress', { roles: 'developer' });
  await api('POST', '/v1/sys/policies/acl/otp-user', {
    policy: 'path "ssh-otp/creds/otp" { capabilities = ["update"] }',
  });
  await api('POST', '/v1/sys/auth/userpass', { type: 'userpass' });
  await api('POST', '/v1/auth/userpass/users/alice', { password: 'alice-password', token_policies: 'otp-user' });
  env = { VAULT_ADDR: server.url, HOME: home };
});

afterAll(async () => {
  await server?.close();
  if (dir) removeScratchDir(dir);
});

const creds = (args: string[], extra: Record<string, string> = { VAULT_TOKEN: server.token }) =>
  runSshca(['creds', '--mount', 'ssh-otp', ...args], { ...env, ...extra });

/** The backend's own answer to `verify` for `otp` (no token, as the host helper calls it). */
const verify = async (otp: string) => {
  const r = await server.request('POST', '/v1/ssh-otp/verify', { otp }, null);
  return { status: r.status, json: r.json };
};

describe('sshca creds', () => {
  it('prints the credential in words: OTP, user, ip, port, lease id, expiry', async () => {
    const before = Math.floor(Date.now() / 1000);
    const r = await creds(['--role', 'otp', '--ip', '10.0.1.5']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const m = new RegExp(
      `^otp       (${UUID})\\n` +
        'user      ubuntu\\n' +
        'ip        10\\.0\\.1\\.5\\n' +
        'port      2222\\n' +
        `lease id  ssh-otp/creds/otp/${UUID}\\n` +
        'expires   (\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ) \\(in 768h0m0s\\), or at its first use\\n' +
        'Type it once as the password of: ssh -p 2222 ubuntu@10\\.0\\.1\\.5\\n$',
    ).exec(r.stdout);
    expect(m, r.stdout).not.toBeNull();
    const expires = Date.parse(m![2]!) / 1000;
    expect(expires - before).toBeGreaterThanOrEqual(LEASE_SECONDS);
    expect(expires - before).toBeLessThanOrEqual(LEASE_SECONDS + 5);
    expect(await verify(m![1]!)).toEqual({
      status: 200,
      json: expect.objectContaining({ data: { username: 'ubuntu', ip: '10.0.1.5', role_name: 'otp' } }),
    });
  });

  it('prints JSON for scripts, with --user; the OTP verifies once', async () => {
    const r = await creds(['--role', 'otp', '--ip', '10.0.1.7', '--user', 'deploy', '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(Object.keys(out)).toEqual([
      'mount',
      'role',
      'key',
      'key_type',
      'username',
      'ip',
      'port',
      'lease_id',
      'lease_duration',
      'expires_at',
    ]);
    expect(out).toMatchObject({
      mount: 'ssh-otp',
      role: 'otp',
      key_type: 'otp',
      username: 'deploy',
      ip: '10.0.1.7',
      port: 2222,
      lease_duration: LEASE_SECONDS,
    });
    expect(out.key).toMatch(new RegExp(`^${UUID}$`));
    expect(out.lease_id).toMatch(new RegExp(`^ssh-otp/creds/otp/${UUID}$`));
    expect(out.expires_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const lease = await api('PUT', '/v1/sys/leases/lookup', { lease_id: out.lease_id });
    expect(lease.json.data).toMatchObject({ id: out.lease_id, renewable: false });
    expect((await verify(out.key)).json.data).toEqual({ username: 'deploy', ip: '10.0.1.7', role_name: 'otp' });
    expect(await verify(out.key)).toEqual({ status: 400, json: { errors: ['OTP not found'] } });
  });

  it('reads ~/.vault-token, and logs in with userpass', async () => {
    const tokenHome = join(dir, 'token-home');
    mkdirSync(tokenHome);
    writeFileSync(join(tokenHome, '.vault-token'), `${server.token}\n`, { mode: 0o600 });
    const fromFile = await creds(['--role', 'otp', '--ip', '10.0.1.8', '--json'], { HOME: tokenHome });
    expect(fromFile.code).toBe(0);
    expect(JSON.parse(fromFile.stdout).ip).toBe('10.0.1.8');
    const alice = await creds(
      ['--role', 'otp', '--ip', '10.0.1.9', '--json', '--method', 'userpass', '--username', 'alice'],
      { SSHCA_PASSWORD: 'alice-password' },
    );
    expect(alice.stderr).toBe('');
    expect(alice.code).toBe(0);
    expect(JSON.parse(alice.stdout)).toMatchObject({ username: 'ubuntu', ip: '10.0.1.9' });
  });

  it.each([
    [
      'role not found',
      ['--role', 'nope', '--ip', '10.0.1.5'],
      'sshca creds: role nope does not exist on mount ssh-otp (backend said: Role "nope" not found)\n',
    ],
    [
      'ip not in the role',
      ['--role', 'otp', '--ip', '10.9.9.9'],
      'sshca creds: ip 10.9.9.9 is not in the cidr_list of role otp (or it is in its exclude_cidr_list) (backend said: Error validating IP: IP does not belong to role)\n',
    ],
    [
      'ip in the exclusions',
      ['--role', 'otp', '--ip', '10.0.1.200'],
      'sshca creds: ip 10.0.1.200 is not in the cidr_list of role otp (or it is in its exclude_cidr_list) (backend said: Error validating IP: IP does not belong to role)\n',
    ],
    [
      'user not in allowed_users',
      ['--role', 'otp', '--ip', '10.0.1.5', '--user', 'root'],
      'sshca creds: user root is not allowed by role otp (backend said: Username is not present is allowed users list)\n',
    ],
    [
      'user not the default user of a role without allowed_users',
      ['--role', 'default-only', '--ip', '10.0.1.5', '--user', 'root'],
      'sshca creds: user root is not allowed by role default-only, which allows only its default user (backend said: Username has to be either in allowed users list or has to be a default username)\n',
    ],
    [
      'not an IP',
      ['--role', 'otp', '--ip', 'web1'],
      'sshca creds: web1 is not an IP address (backend said: Invalid IP "web1")\n',
    ],
    [
      'a certificate role',
      ['--role', 'developer', '--ip', '10.0.1.5'],
      'sshca creds: role developer is not an OTP role (for certificate roles use "sshca login" or "sshca ssh" without --otp) (backend said: key type unknown)\n',
    ],
  ])('explains a refusal: %s', async (_label, args, stderr) => {
    expect(await creds(args)).toEqual({ code: 1, stdout: '', stderr });
  });

  it('explains a policy refusal; failed authentication exits 3', async () => {
    const denied = await creds(
      ['--role', 'default-only', '--ip', '10.0.1.5', '--method', 'userpass', '--username', 'alice'],
      { SSHCA_PASSWORD: 'alice-password' },
    );
    expect(denied).toEqual({
      code: 1,
      stdout: '',
      stderr:
        'sshca creds: your token may not ask for one-time passwords on ssh-otp/creds/default-only: it needs a policy with "update" on that path (backend said: permission denied)\n',
    });
    const wrong = await creds(['--role', 'otp', '--ip', '10.0.1.5', '--method', 'userpass', '--username', 'alice'], {
      SSHCA_PASSWORD: 'wrong',
    });
    expect(wrong).toEqual({
      code: 3,
      stdout: '',
      stderr: 'sshca creds: login as alice failed: invalid username or password\n',
    });
    const none = await creds(['--role', 'otp', '--ip', '10.0.1.5'], {});
    expect(none).toEqual({
      code: 3,
      stdout: '',
      stderr: 'sshca creds: no token: pass --token, set VAULT_TOKEN, run "vault login", or use --method userpass\n',
    });
  });

  it.each([
    [['--role', 'otp'], 'missing required option --ip'],
    [['--ip', '10.0.1.5'], 'missing required option --role'],
    [
      ['--role', 'otp', '--ip', '10.0.1.5', '--username', 'ubuntu'],
      '--username names the userpass user (with --method userpass); name the account on the host with --user',
    ],
    [['--role', 'otp', '--ip', '10.0.1.5', '--ttl', '1h'], "Unknown option '--ttl'"],
  ])('refuses the command line %j with exit code 2', async (args, message) => {
    expect(await creds(args)).toEqual({
      code: 2,
      stdout: '',
      stderr: `sshca creds: ${message}\nRun "sshca creds --help" for usage.\n`,
    });
  });

  it('has a --help with examples, and is listed by sshca --help', async () => {
    const help = await runSshca(['creds', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: sshca creds --mount MOUNT --role ROLE --ip IP/);
    expect(help.stdout).toContain('\n  sshca creds --mount ssh-otp --role otp --ip 10.0.1.5\n');
    for (const flag of ['--address', '--token', '--method', '--username', '--auth-mount']) {
      expect(help.stdout).toMatch(new RegExp(`^  ${flag} `, 'm'));
    }
    expect(help.stdout).not.toMatch(/^ {2}--(principals|ttl|key) /m);
    expect((await runSshca(['--help'])).stdout).toMatch(/^ {2}creds +get a one-time SSH password from an OTP role$/m);
  });
});
