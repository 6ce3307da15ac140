// `sshca login --method approle` (the built binary) against the embedded server over HTTP (issue 24,
// point 4): the role_id from --role-id or --role-id-file, the secret ID from an environment variable,
// a file, or a response-wrapping token that is spent once; Vault's refusals with exit code 3, bad
// command lines with exit code 2, and the secret ID in no output. End to end: the AppRole login's
// automation certificate logs in to a real sshd as the test account.

import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCertificate } from '../../core/cert/certificate.js';
import { makeScratchDir, removeScratchDir } from '../helpers/scratch.js';
import { runSshca, type SshcaRun } from '../helpers/sshca-bin.js';
import { sshLogin } from '../helpers/ssh-client.js';
import { startSshdHosts, stopAll, type SshdHost } from '../helpers/sshd.js';
import { ensureTestUser } from '../helpers/test-user.js';
import { startTestServer, type TestServer } from '../helpers/vault-server.js';

let server: TestServer;
let dir: string;
let account: string;
let hosts: SshdHost[] = [];
let env: Record<string, string>;
let roleId: string;

const api = async (method: string, path: string, body?: unknown) => {
  const r = await server.request(method, path, body);
  expect(r.status, `${method} ${path}: ${r.body}`).toBeLessThan(300);
  return r.json;
};

/** A new secret ID of the role `deploy`. */
const newSecretId = async (): Promise<string> =>
  (await api('POST', '/v1/auth/approle/role/deploy/secret-id', {})).data.secret_id;

/** A new secret ID of `deploy`, response-wrapped for 5 minutes: the wrapping token. */
async function newWrappedSecretId(): Promise<string> {
  const res = await fetch(`${server.url}/v1/auth/approle/role/deploy/secret-id`, {
    method: 'POST',
    headers: { 'X-Vault-Token': server.token, 'X-Vault-Wrap-TTL': '5m' },
    body: '{}',
  });
  const body = (await res.json()) as { wrap_info: { token: string } };
  expect(res.status).toBe(200);
  return body.wrap_info.token;
}

const APPROLE = () => ['--method', 'approle', '--role-id', roleId];
const AUTOMATION = ['--mount', 'ssh-dev', '--role', 'automation', '--principals', 'gitlab-runner'];
const login = (args: readonly string[], extra: Record<string, string> = {}) =>
  runSshca(['login', ...args, ...AUTOMATION, '--json', '--no-agent'], { ...env, ...extra });

/** A successful login: its certificate, checked; the secret ID appears in no output. */
function expectSigned(r: SshcaRun, secret: string) {
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  expect(r.stdout + r.stderr).not.toContain(secret);
  const issued = JSON.parse(r.stdout);
  expect(issued).toMatchObject({
    identity_file: join(dir, 'sshca', 'ssh-dev-automation'),
    certificate_file: join(dir, 'sshca', 'ssh-dev-automation-cert.pub'),
    principals: ['gitlab-runner'],
    agent: 'skipped',
  });
  expect(issued.key_id).toMatch(/^vault-approle-[0-9a-f]{64}$/);
  expect(issued.valid_before - issued.valid_after).toBe(30 * 60 + 30);
  const cert = parseCertificate(readFileSync(issued.certificate_file, 'utf8'));
  expect(cert.principals).toEqual(['gitlab-runner']);
  return issued;
}

beforeAll(async () => {
  dir = makeScratchDir('login-approle');
  chmodSync(dir, 0o711);
  mkdirSync(join(dir, 'home'));
  account = await ensureTestUser();
  server = await startTestServer();
  // dev's automation role (as jwt-helpers' setUpCiLogin writes it), its signing policy, and an AppRole
  // role `deploy` whose tokens carry that policy.
  await api('POST', '/v1/sys/mounts/ssh-dev', { type: 'ssh' });
  await api('POST', '/v1/ssh-dev/config/ca', { generate_signing_key: true });
  await api('POST', '/v1/ssh-dev/roles/automation', {
    key_type: 'ca',
    allow_user_certificates: true,
    allowed_users: 'jenkins,gitlab-runner',
    ttl: '30m',
    max_ttl: '1h',
  });
  await api('POST', '/v1/sys/policies/acl/dev-sign-automation', {
    policy: 'path "ssh-dev/sign/automation" { capabilities = ["create", "update"] }',
  });
  await api('POST', '/v1/sys/auth/approle', { type: 'approle' });
  await api('POST', '/v1/auth/approle/role/deploy', { token_policies: 'dev-sign-automation', token_ttl: '15m' });
  roleId = (await api('GET', '/v1/auth/approle/role/deploy/role-id')).data.role_id;
  const caKey = (await server.request('GET', '/v1/ssh-dev/public_key', undefined, null)).body.trim();
  hosts = await startSshdHosts([
    {
      name: 'approle-target',
      address: '127.0.0.2',
      trustedUserCaKeys: [caKey],
      principals: { [account]: ['gitlab-runner'] },
    },
  ]);
  env = { VAULT_ADDR: server.url, HOME: join(dir, 'home'), SSHCA_HOME: join(dir, 'sshca') };
});

afterAll(async () => {
  await stopAll(hosts);
  await server?.close();
  if (dir) removeScratchDir(dir);
});

describe('sshca login --method approle', () => {
  it('signs with a secret ID from SSHCA_SECRET_ID, and the certificate logs in to a real sshd', async () => {
    const secret = await newSecretId();
    const r = await login(APPROLE(), { SSHCA_SECRET_ID: secret });
    const issued = expectSigned(r, secret);
    const ssh = await sshLogin({
      host: hosts[0]!,
      user: account,
      identityFile: issued.identity_file,
      certificateFile: issued.certificate_file,
      command: 'id -un',
    });
    expect(ssh.stderr).toBe('');
    expect(ssh).toMatchObject({ code: 0, stdout: `${account}\n` });
  });

  it('says who logged in: the AppRole role and its mount', async () => {
    const secret = await newSecretId();
    const r = await runSshca(['login', ...APPROLE(), ...AUTOMATION, '--no-agent'], { ...env, SSHCA_SECRET_ID: secret });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      /^Signed .*ssh-dev-automation-cert\.pub as AppRole role deploy on auth\/approle: principals gitlab-runner; /,
    );
  });

  it('takes the secret ID from the variable --secret-id-env names, and the role_id from a file', async () => {
    const secret = await newSecretId();
    writeFileSync(join(dir, 'role-id'), `${roleId}\n`);
    const r = await login(
      ['--method', 'approle', '--role-id-file', join(dir, 'role-id'), '--secret-id-env', 'DEPLOY_SECRET_ID'],
      { DEPLOY_SECRET_ID: secret },
    );
    expectSigned(r, secret);
  });

  it('takes the secret ID from --secret-id-file', async () => {
    const secret = await newSecretId();
    writeFileSync(join(dir, 'secret-id'), `${secret}\n`, { mode: 0o600 });
    expectSigned(await login([...APPROLE(), '--secret-id-file', join(dir, 'secret-id')]), secret);
  });

  it('unwraps a wrapped secret ID once (TOKEN or @FILE); the second use is refused with exit code 3', async () => {
    const wrapping = await newWrappedSecretId();
    const first = await login([...APPROLE(), '--secret-id-wrapped', wrapping]);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const second = await login([...APPROLE(), '--secret-id-wrapped', wrapping]);
    expect(second).toEqual({
      code: 3,
      stdout: '',
      stderr:
        'sshca login: unwrapping failed: wrapping token is not valid or does not exist (a wrapping token works once and ' +
        'expires: this one was already used, has expired or is not a wrapping token; if you did not use it, someone ' +
        'else may have: ask for a new one)\n',
    });

    const fromFile = await newWrappedSecretId();
    writeFileSync(join(dir, 'secret-id.wrapped'), `${fromFile}\n`, { mode: 0o600 });
    const third = await login([...APPROLE(), '--secret-id-wrapped', `@${join(dir, 'secret-id.wrapped')}`]);
    expect(third.stderr).toBe('');
    expect(third.code).toBe(0);
  });

  it('--unwrap-token explains a used wrapping token in the same words', async () => {
    const wrapping = await newWrappedSecretId();
    await api('POST', '/v1/sys/wrapping/unwrap', { token: wrapping });
    const r = await runSshca(['login', '--unwrap-token', wrapping, ...AUTOMATION, '--no-agent'], env);
    expect(r.code).toBe(3);
    expect(r.stderr).toBe(
      'sshca login: unwrapping failed: wrapping token is not valid or does not exist (a wrapping token works once and ' +
        'expires: this one was already used, has expired or is not a wrapping token; if you did not use it, someone ' +
        'else may have: ask for a new one)\n',
    );
  });

  it("refuses a wrong secret ID or role_id with exit code 3 and Vault's words, naming neither value", async () => {
    const wrongSecret = '00000000-1111-2222-3333-444444444444';
    const message =
      'sshca login: AppRole login on auth/approle failed: invalid role or secret ID (check the role_id and the secret ID: ' +
      'a secret ID may have expired, used up its uses, or been destroyed)\n';
    const r = await login(APPROLE(), { SSHCA_SECRET_ID: wrongSecret });
    expect(r).toEqual({ code: 3, stdout: '', stderr: message });
    const wrongRole = await login(['--method', 'approle', '--role-id', 'no-such-role-id'], {
      SSHCA_SECRET_ID: await newSecretId(),
    });
    expect(wrongRole).toEqual({ code: 3, stdout: '', stderr: message });
  });

  it.each([
    [
      'no role_id',
      ['--method', 'approle'],
      { SSHCA_SECRET_ID: 'x' },
      "--method approle needs the role's role_id: --role-id ID or --role-id-file FILE, not both",
    ],
    [
      'no secret ID',
      ['--method', 'approle', '--role-id', 'r'],
      {},
      '--method approle needs a secret ID: SSHCA_SECRET_ID is not set or empty (set it, name another variable with ' +
        '--secret-id-env, or use --secret-id-file FILE or --secret-id-wrapped TOKEN|@FILE)',
    ],
    [
      'two sources of the secret ID',
      ['--method', 'approle', '--role-id', 'r', '--secret-id-env', 'A', '--secret-id-file', 'f'],
      {},
      '--secret-id-env and --secret-id-file exclude each other: give the secret ID one way',
    ],
    [
      'an AppRole flag without --method approle',
      ['--secret-id-env', 'A'],
      {},
      '--secret-id-env needs --method approle',
    ],
    [
      'the secret ID on the command line',
      ['--method', 'approle', '--secret-id', 'x'],
      {},
      "Unknown option '--secret-id'",
    ],
  ])('%s is a usage error (exit code 2)', async (_, args, extra, message) => {
    const r = await login(args, extra as Record<string, string>);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.stdout).toBe('');
  });

  it('documents the approle method in --help', async () => {
    const r = await runSshca(['login', '--help']);
    expect(r.stdout).toContain('  --method token|userpass|jwt|approle\n');
    expect(r.stdout).toContain('  --secret-id-wrapped TOKEN|@FILE\n');
    expect(r.stdout).toContain(
      '  sshca login --method approle --role-id "$ROLE_ID" --secret-id-env SSHCA_SECRET_ID \\\n',
    );
    expect((await runSshca(['ssh', '--help'])).stdout).toContain('  --role-id ID           approle: the role');
    expect((await runSshca(['creds', '--help'])).stdout).toContain(
      '  --secret-id-file FILE  approle: read the secret ID',
    );
  });
});
