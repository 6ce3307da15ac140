// `sshca login --wrap-ttl` / `--unwrap-token` (the built binary) against the embedded server over
// HTTP: a userpass credential handed on as a single-use wrapping token, signed with once on "the
// other machine" and refused the second time; the token method wraps a child token; bad values are
// usage errors. (No ssh-agent: --no-agent; the certificate itself is checked by login.test.ts.)

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCertificate } from '../../core/cert/certificate.js';
import { makeScratchDir, removeScratchDir } from '../helpers/scratch.js';
import { runSshca } from '../helpers/sshca-bin.js';
import { startTestServer, type TestServer } from '../helpers/vault-server.js';

let server: TestServer;
let dir: string;
let env: Record<string, string>;

const api = async (method: string, path: string, body?: unknown) => {
  const r = await server.request(method, path, body);
  expect(r.status, `${method} ${path}: ${r.body}`).toBeLessThan(300);
  return r;
};

beforeAll(async () => {
  dir = makeScratchDir('login-wrap');
  server = await startTestServer();
  await api('POST', '/v1/sys/mounts/ssh-dev', { type: 'ssh' });
  await api('POST', '/v1/ssh-dev/config/ca', { generate_signing_key: true });
  await api('POST', '/v1/ssh-dev/roles/automation', {
    key_type: 'ca',
    allow_user_certificates: true,
    allowed_users: 'deployer',
    default_user: 'deployer',
    ttl: '10m',
  });
  await api('POST', '/v1/sys/policies/acl/ssh-automation', {
    policy: 'path "ssh-dev/sign/automation" { capabilities = ["update"] }',
  });
  await api('POST', '/v1/sys/auth/userpass', { type: 'userpass' });
  await api('POST', '/v1/auth/userpass/users/deploy', { password: 'deploy-pw', token_policies: 'ssh-automation' });
  env = { HOME: join(dir, 'home'), SSHCA_HOME: join(dir, 'keys'), VAULT_ADDR: server.url };
});

afterAll(async () => {
  await server?.close();
  removeScratchDir(dir);
});

describe('sshca login --wrap-ttl / --unwrap-token', () => {
  it('hands a userpass credential on once: the second unwrap is refused with exit code 3', async () => {
    const wrap = await runSshca(['login', '--method', 'userpass', '--username', 'deploy', '--wrap-ttl', '5m'], {
      ...env,
      SSHCA_PASSWORD: 'deploy-pw',
    });
    expect(wrap.code, wrap.stderr).toBe(0);
    const token = wrap.stdout.trim();
    expect(token).toMatch(/^hvs\.[A-Za-z0-9]{24}$/);
    expect(wrap.stderr).toContain('Wrapped a token of userpass user deploy for 5m0s');
    const look = await server.request('POST', '/v1/sys/wrapping/lookup', { token }, null);
    expect(look.json.data).toMatchObject({ creation_ttl: 300, creation_path: 'auth/userpass/login/deploy' });

    const args = [
      'login',
      '--unwrap-token',
      token,
      '--mount',
      'ssh-dev',
      '--role',
      'automation',
      '--no-agent',
      '--json',
    ];
    const first = await runSshca(args, env);
    expect(first.code, first.stderr).toBe(0);
    const issued = JSON.parse(first.stdout);
    expect(issued.principals).toEqual(['deployer']);
    const cert = parseCertificate(readFileSync(issued.certificate_file, 'utf8'));
    expect(cert.keyId).toContain('userpass-deploy');

    const second = await runSshca(args, env);
    expect(second.code).toBe(3);
    expect(second.stderr).toContain('unwrapping failed: wrapping token is not valid or does not exist');
  });

  it('with a token, wraps a child token (as vault token create -wrap-ttl) and prints wrap_info with --json', async () => {
    // Creating a child token needs auth/token/create, which Vault's default policy does not grant.
    await api('POST', '/v1/sys/policies/acl/token-maker', {
      policy: 'path "auth/token/create" { capabilities = ["update"] }',
    });
    const parent = (await api('POST', '/v1/auth/token/create', { policies: ['ssh-automation', 'token-maker'] })).json
      .auth.client_token;
    const wrap = await runSshca(['login', '--wrap-ttl', '90', '--json'], { ...env, VAULT_TOKEN: parent });
    expect(wrap.code, wrap.stderr).toBe(0);
    const info = JSON.parse(wrap.stdout);
    expect(info).toMatchObject({ ttl: 90, creation_path: 'auth/token/create' });
    const un = await server.request('POST', '/v1/sys/wrapping/unwrap', undefined, info.token);
    expect(un.json.auth.accessor).toBe(info.wrapped_accessor);
    expect(un.json.auth.policies).toEqual(['default', 'ssh-automation', 'token-maker']);
  });

  it.each([
    [['--wrap-ttl', 'soon'], '--wrap-ttl "soon": time: invalid duration "soon"'],
    [['--wrap-ttl', '0'], '--wrap-ttl must be positive, got "0"'],
    [['--wrap-ttl', '5m', '--unwrap-token', 'hvs.x'], '--wrap-ttl and --unwrap-token exclude each other'],
    [
      ['--unwrap-token', 'hvs.x', '--method', 'userpass', '--mount', 'ssh-dev', '--role', 'automation'],
      '--unwrap-token gives a token: it does not combine with --method userpass',
    ],
  ])('refuses %j as a usage error', async (args, message) => {
    const r = await runSshca(['login', ...args], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
  });
});
