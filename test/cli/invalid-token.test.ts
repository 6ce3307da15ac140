// Issue 15, defect 6: a token the backend does not know (never issued, revoked, expired) is an
// authentication failure (exit code 3, "the token is invalid or expired"), not a policy refusal;
// a live token whose policy does not allow the path stays a policy refusal (exit code 1). The built
// binary against the embedded server over HTTP, in a temporary HOME.

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeScratchDir, removeScratchDir } from '../helpers/scratch.js';
import { runSshca } from '../helpers/sshca-bin.js';
import { startTestServer, type TestServer } from '../helpers/vault-server.js';

let server: TestServer;
let dir: string;
let env: Record<string, string>;

const INVALID =
  'the token is invalid or expired (revoked, past its TTL or its uses, or never issued): get a new one ' +
  '(sshca login --method userpass, vault login, or VAULT_TOKEN / --token) ' +
  '(backend said: permission denied, invalid token)';

const api = async (method: string, path: string, body?: unknown) => {
  const r = await server.request(method, path, body);
  expect(r.status, `${method} ${path}: ${r.body}`).toBeLessThan(300);
  return r.json;
};

beforeAll(async () => {
  dir = makeScratchDir('invalid-token');
  const home = join(dir, 'home');
  mkdirSync(home, { recursive: true });
  server = await startTestServer();
  await api('POST', '/v1/sys/mounts/ssh-dev', { type: 'ssh' });
  await api('POST', '/v1/ssh-dev/config/ca', { generate_signing_key: true });
  await api('POST', '/v1/ssh-dev/roles/developer', {
    key_type: 'ca',
    allow_user_certificates: true,
    allowed_users: 'ubuntu',
    default_user: 'ubuntu',
  });
  await api('POST', '/v1/sys/mounts/ssh-otp', { type: 'ssh' });
  await api('POST', '/v1/ssh-otp/roles/otp', { key_type: 'otp', default_user: 'ubuntu', cidr_list: '127.0.0.0/8' });
  env = { HOME: home, SSHCA_HOME: join(home, 'sshca'), VAULT_ADDR: server.url };
});

afterAll(async () => {
  await server?.close();
  removeScratchDir(dir);
});

const login = (token: string) =>
  runSshca(['login', '--mount', 'ssh-dev', '--role', 'developer', '--no-agent'], { ...env, VAULT_TOKEN: token });

describe('sshca with a token the backend does not know', () => {
  it('login with a token never issued: exit 3, the token is invalid or expired', async () => {
    expect(await login('hvs.never-issued')).toEqual({ code: 3, stdout: '', stderr: `sshca login: ${INVALID}\n` });
  });

  it('login with a revoked token: exit 3, the same words', async () => {
    const t = (await api('POST', '/v1/auth/token/create', { policies: ['default'] })).auth.client_token as string;
    await api('POST', '/v1/auth/token/revoke', { token: t });
    expect(await login(t)).toEqual({ code: 3, stdout: '', stderr: `sshca login: ${INVALID}\n` });
  });

  it('login with a token past its TTL: exit 3, the same words', async () => {
    const t = (await api('POST', '/v1/auth/token/create', { policies: ['default'], ttl: '1s' })).auth
      .client_token as string;
    await new Promise((r) => setTimeout(r, 2100));
    expect(await login(t)).toEqual({ code: 3, stdout: '', stderr: `sshca login: ${INVALID}\n` });
  });

  it('creds (one-time passwords) with a token never issued: exit 3, the same words', async () => {
    const r = await runSshca(['creds', '--mount', 'ssh-otp', '--role', 'otp', '--ip', '127.0.0.1'], {
      ...env,
      VAULT_TOKEN: 'hvs.never-issued',
    });
    expect(r).toEqual({ code: 3, stdout: '', stderr: `sshca creds: ${INVALID}\n` });
  });

  it('a live token without the policy is still a policy refusal: exit 1', async () => {
    const t = (await api('POST', '/v1/auth/token/create', { policies: ['default'] })).auth.client_token as string;
    expect(await login(t)).toEqual({
      code: 1,
      stdout: '',
      stderr:
        'sshca login: your token may not sign on ssh-dev/sign/developer: it needs a policy with "update" on that ' +
        'path (backend said: permission denied)\n',
    });
  });
});
