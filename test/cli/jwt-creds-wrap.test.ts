// `sshca creds --method jwt` and `sshca login --method jwt --wrap-ttl` (the built binary) against the
// embedded server over HTTP, with a local JWKS endpoint (real HTTP on loopback, the test's own key)
// standing in for GitLab's: a CI job's token gets a one-time password, or a login handed on once as a
// wrapping token; refusals in the backend's words with exit code 3; the job token never appears in
// any output (issue 18, point 5).

import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeScratchDir, removeScratchDir } from '../helpers/scratch.js';
import { runSshca, type SshcaRun } from '../helpers/sshca-bin.js';
import { startTestServer, type TestServer } from '../helpers/vault-server.js';
import {
  gitlabClaims,
  makeKey,
  setUpCiLogin,
  signJwt,
  startJwksServer,
  type JwksServer,
  type TestKey,
} from '../server/auth/jwt-helpers.js';

let server: TestServer;
let jwks: JwksServer;
let key: TestKey;
let dir: string;
let env: Record<string, string>;

const api = async (method: string, path: string, body?: unknown) => {
  const r = await server.request(method, path, body);
  expect(r.status, `${method} ${path}: ${r.body}`).toBeLessThan(300);
};

beforeAll(async () => {
  dir = makeScratchDir('jwt-creds-wrap');
  key = makeKey('gitlab-1', 'ES256');
  jwks = await startJwksServer([key]);
  server = await startTestServer();
  await api('POST', '/v1/sys/mounts/ssh-otp', { type: 'ssh' });
  await api('POST', '/v1/ssh-otp/roles/otp', { key_type: 'otp', default_user: 'deploy', cidr_list: '10.0.1.0/24' });
  await setUpCiLogin(
    server,
    jwks.url,
    'dev-ci',
    'path "ssh-dev/sign/automation" { capabilities = ["create", "update"] }\n' +
      'path "ssh-otp/creds/otp" { capabilities = ["update"] }',
  );
  env = { VAULT_ADDR: server.url, HOME: join(dir, 'home'), SSHCA_HOME: join(dir, 'sshca') };
});

afterAll(async () => {
  await server?.close();
  await jwks?.close();
  if (dir) removeScratchDir(dir);
});

const JWT_LOGIN = ['--method', 'jwt', '--jwt-role', 'dev-ci', '--jwt-env', 'SSHCA_JWT'];
const now = () => Math.floor(Date.now() / 1000);

const expectNoToken = (r: SshcaRun, jwt: string) => {
  expect(r.stdout + r.stderr).not.toContain(jwt);
  expect(r.stdout + r.stderr).not.toContain(jwt.split('.')[2]!);
};

describe('sshca creds --method jwt', () => {
  it("gets a one-time password with the job's token", async () => {
    const jwt = await signJwt(key, gitlabClaims(now()));
    const r = await runSshca(
      ['creds', ...JWT_LOGIN, '--mount', 'ssh-otp', '--role', 'otp', '--ip', '10.0.1.5', '--json'],
      { ...env, SSHCA_JWT: jwt },
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expectNoToken(r, jwt);
    expect(JSON.parse(r.stdout)).toMatchObject({
      mount: 'ssh-otp',
      role: 'otp',
      key: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/),
      key_type: 'otp',
      username: 'deploy',
      ip: '10.0.1.5',
      port: 22,
    });
  });

  it('a job of another branch: exit 3 with the backend’s words', async () => {
    const jwt = await signJwt(key, gitlabClaims(now(), { ref: 'feature-x' }));
    const r = await runSshca(['creds', ...JWT_LOGIN, '--mount', 'ssh-otp', '--role', 'otp', '--ip', '10.0.1.5'], {
      ...env,
      SSHCA_JWT: jwt,
    });
    expect(r).toEqual({
      code: 3,
      stdout: '',
      stderr:
        'sshca creds: login to JWT role dev-ci on auth/jwt failed: error validating claims: claim "ref" does not match any associated bound claim values\n',
    });
  });

  it('lists the jwt flags in --help', async () => {
    const r = await runSshca(['creds', '--help']);
    expect(r.stdout).toContain("  --jwt-env VARIABLE     jwt: the environment variable holding the CI job's token");
    expect(r.stdout).toContain('  --jwt-file FILE        jwt: read the job');
    expect(r.stdout).toContain('  --jwt-role NAME        jwt: the JWT role to log in to');
  });
});

describe('sshca login --method jwt --wrap-ttl', () => {
  it('hands the job’s login on once: the wrapping token signs once, then is refused', async () => {
    const jwt = await signJwt(key, gitlabClaims(now()));
    const wrap = await runSshca(['login', ...JWT_LOGIN, '--wrap-ttl', '5m'], { ...env, SSHCA_JWT: jwt });
    expect(wrap.code).toBe(0);
    expectNoToken(wrap, jwt);
    expect(wrap.stdout).toMatch(/^\S+\n$/);
    expect(wrap.stderr).toBe(
      'Wrapped a token of JWT role dev-ci on auth/jwt for 5m0s: it can be unwrapped once, before it expires ' +
        '(sshca login --unwrap-token TOKEN …, or vault unwrap TOKEN).\n',
    );
    const wrapping = wrap.stdout.trim();
    const args = ['--mount', 'ssh-dev', '--role', 'automation', '--principals', 'gitlab-runner', '--no-agent'];
    const first = await runSshca(['login', '--unwrap-token', wrapping, ...args], env);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(
      /^Signed .*ssh-dev-automation-cert\.pub as token: principals gitlab-runner; key id vault-jwt-infra\/deploy-[0-9a-f]{64};/,
    );
    const again = await runSshca(['login', '--unwrap-token', wrapping, ...args], env);
    expect(again.code).toBe(3);
    expect(again.stderr).toMatch(/^sshca login: unwrapping failed: wrapping token is not valid or does not exist/);
  });

  it('a token for another audience: exit 3 with the backend’s words, nothing wrapped', async () => {
    const jwt = await signJwt(key, gitlabClaims(now(), { aud: 'https://other.example.com' }));
    const r = await runSshca(['login', ...JWT_LOGIN, '--wrap-ttl', '5m'], { ...env, SSHCA_JWT: jwt });
    expect(r).toEqual({
      code: 3,
      stdout: '',
      stderr:
        'sshca login: login to JWT role dev-ci on auth/jwt failed: error validating token: invalid audience (aud) claim: audience claim does not match any expected audience\n',
    });
  });

  it('--jwt-env without --method jwt: exit 2', async () => {
    const r = await runSshca(['login', '--jwt-env', 'SSHCA_JWT', '--wrap-ttl', '5m'], {
      ...env,
      VAULT_TOKEN: 'x',
      SSHCA_JWT: 'x',
    });
    expect(r).toEqual({
      code: 2,
      stdout: '',
      stderr: 'sshca login: --jwt-env needs --method jwt\nRun "sshca login --help" for usage.\n',
    });
  });
});
