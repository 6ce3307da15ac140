// `sshca login --method jwt` and `sshca check-host --method jwt` (the built binary) against the
// embedded server over HTTP, with a local JWKS endpoint (real HTTP on loopback, the test's own key)
// standing in for GitLab's, and a real sshd: the CI flow of the posts — the job's token → login →
// an automation certificate → `sshca check-host` (the "Test" step) → ssh. Refusals say the backend's
// words with exit code 3, bad command lines exit 2, and the job token never appears in any output
// (issue 18, point 4).

import { execFileSync } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCertificate } from '../../core/cert/certificate.js';
import { makeScratchDir, removeScratchDir } from '../helpers/scratch.js';
import { runSshca, type SshcaRun } from '../helpers/sshca-bin.js';
import { sshLogin, writeKnownHosts } from '../helpers/ssh-client.js';
import { startSshdHosts, stopAll, type SshdHost } from '../helpers/sshd.js';
import { ensureTestUser } from '../helpers/test-user.js';
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
let account: string;
let hosts: SshdHost[] = [];
let knownHosts: string;
let env: Record<string, string>;

beforeAll(async () => {
  dir = makeScratchDir('login-jwt');
  chmodSync(dir, 0o711);
  const home = join(dir, 'home');
  execFileSync('mkdir', ['-p', home]);
  account = await ensureTestUser();
  key = makeKey('gitlab-1', 'ES256');
  jwks = await startJwksServer([key]);
  server = await startTestServer();
  // dev's automation role and the scenario's CI login (core/scenario.ts), on the embedded server.
  await setUpCiLogin(
    server,
    jwks.url,
    'dev-sign-automation',
    'path "ssh-dev/sign/automation" { capabilities = ["create", "update"] }',
  );
  const caKey = (await server.request('GET', '/v1/ssh-dev/public_key', undefined, null)).body.trim();
  hosts = await startSshdHosts([
    {
      name: 'ci-target',
      address: '127.0.0.2',
      trustedUserCaKeys: [caKey],
      principals: { [account]: ['gitlab-runner'] },
    },
  ]);
  knownHosts = writeKnownHosts(hosts, dir);
  env = { VAULT_ADDR: server.url, HOME: home, SSHCA_HOME: join(dir, 'sshca') };
});

afterAll(async () => {
  await stopAll(hosts);
  await server?.close();
  await jwks?.close();
  if (dir) removeScratchDir(dir);
});

const JWT_LOGIN = ['--method', 'jwt', '--jwt-role', 'dev-ci', '--jwt-env', 'SSHCA_JWT'];
const AUTOMATION = ['--mount', 'ssh-dev', '--role', 'automation', '--principals', 'gitlab-runner'];
const now = () => Math.floor(Date.now() / 1000);

/** The job token must not appear in anything the command printed. */
const expectNoToken = (r: SshcaRun, jwt: string) => {
  expect(r.stdout).not.toContain(jwt);
  expect(r.stderr).not.toContain(jwt);
  expect(r.stdout + r.stderr).not.toContain(jwt.split('.')[2]!);
};

describe('the CI flow: job token → login → automation certificate → check-host → ssh', () => {
  it('logs a GitLab job of infra/deploy on main in, signs for gitlab-runner, and the host lets it in', async () => {
    const jwt = await signJwt(key, gitlabClaims(now()));
    const login = await runSshca(['login', ...JWT_LOGIN, ...AUTOMATION, '--json', '--no-agent'], {
      ...env,
      SSHCA_JWT: jwt,
    });
    expect(login.stderr).toBe('');
    expect(login.code).toBe(0);
    expectNoToken(login, jwt);
    const issued = JSON.parse(login.stdout);
    expect(issued).toMatchObject({
      identity_file: join(dir, 'sshca', 'ssh-dev-automation'),
      certificate_file: join(dir, 'sshca', 'ssh-dev-automation-cert.pub'),
      principals: ['gitlab-runner'],
      agent: 'skipped',
    });
    expect(issued.key_id).toMatch(/^vault-jwt-infra\/deploy-[0-9a-f]{64}$/);
    expect(issued.valid_before - issued.valid_after).toBe(30 * 60 + 30);

    // The "Test" step: the host accepts the environment's automation certificates.
    const check = await runSshca(
      [
        'check-host',
        ...JWT_LOGIN,
        ...AUTOMATION,
        '--known-hosts',
        knownHosts,
        '--port',
        String(hosts[0]!.port),
        `${account}@127.0.0.2`,
      ],
      { ...env, SSHCA_JWT: jwt },
    );
    expect(check).toEqual({
      code: 0,
      stderr: '',
      stdout: `OK: ${account}@127.0.0.2:${hosts[0]!.port}: the host accepts certificates of ssh-dev for ${account}\n`,
    });

    // Then the job's own ssh with the certificate login wrote.
    expect(
      await sshLogin({ host: hosts[0]!, user: account, identityFile: issued.identity_file, command: 'echo deployed' }),
    ).toEqual({ code: 0, stdout: 'deployed\n', stderr: '' });
  });

  it('reads the job token from a file with --jwt-file', async () => {
    const jwt = await signJwt(key, gitlabClaims(now()));
    const file = join(dir, 'job-token');
    writeFileSync(file, `${jwt}\n`, { mode: 0o600 });
    const r = await runSshca(
      ['login', '--method', 'jwt', '--jwt-role', 'dev-ci', '--jwt-file', file, ...AUTOMATION, '--no-agent'],
      env,
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^Signed .*ssh-dev-automation-cert\.pub as JWT role dev-ci on auth\/jwt: principals gitlab-runner; /,
    );
    expectNoToken(r, jwt);
    expect(
      parseCertificate(execFileSync('cat', [join(dir, 'sshca', 'ssh-dev-automation-cert.pub')], { encoding: 'utf8' }))
        .principals,
    ).toEqual(['gitlab-runner']);
  });
});

describe('refusals', () => {
  it.each([
    [
      'a job of another branch',
      { ref: 'feature-x', ref_path: 'refs/heads/feature-x' },
      'error validating claims: claim "ref" does not match any associated bound claim values',
    ],
    [
      'a job of another project',
      { project_path: 'infra/other' },
      'error validating claims: claim "project_path" does not match any associated bound claim values',
    ],
    [
      'a token for another audience',
      { aud: 'https://other.example.com' },
      'error validating token: invalid audience (aud) claim: audience claim does not match any expected audience',
    ],
  ])('%s: exit 3 with the backend’s words, the token never shown', async (_label, overrides, message) => {
    const jwt = await signJwt(key, gitlabClaims(now(), overrides));
    const r = await runSshca(['login', ...JWT_LOGIN, ...AUTOMATION, '--no-agent'], { ...env, SSHCA_JWT: jwt });
    expect(r).toEqual({
      code: 3,
      stdout: '',
      stderr: `sshca login: login to JWT role dev-ci on auth/jwt failed: ${message}\n`,
    });
  });

  it('an expired job token: exit 3, the token never shown', async () => {
    const jwt = await signJwt(key, gitlabClaims(now() - 3600, { exp: now() - 1800 }));
    const r = await runSshca(['login', ...JWT_LOGIN, ...AUTOMATION, '--no-agent'], { ...env, SSHCA_JWT: jwt });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^sshca login: login to JWT role dev-ci on auth\/jwt failed: error validating token: /);
    expectNoToken(r, jwt);
  });

  it.each([
    [
      [...JWT_LOGIN],
      {},
      '--jwt-env SSHCA_JWT: the variable is not set or empty (GitLab: declare it under id_tokens; GitHub: fetch the token with ACTIONS_ID_TOKEN_REQUEST_URL)',
    ],
    [
      ['--method', 'jwt', '--jwt-role', 'dev-ci'],
      {},
      "--method jwt needs the CI job's token: --jwt-env VARIABLE (e.g. SSHCA_JWT) or --jwt-file FILE, not both",
    ],
    [
      ['--method', 'jwt', '--jwt-file', '/nonexistent/token'],
      {},
      '--jwt-file /nonexistent/token: cannot read it (ENOENT)',
    ],
    [['--jwt-env', 'SSHCA_JWT'], { SSHCA_JWT: 'x' }, '--jwt-env needs --method jwt'],
  ])('%j: exit 2 with the message and the pointer to --help', async (args, extra, message) => {
    const r = await runSshca(['login', ...args, ...AUTOMATION, '--no-agent'], { ...env, ...extra });
    expect(r).toEqual({
      code: 2,
      stdout: '',
      stderr: `sshca login: ${message}\nRun "sshca login --help" for usage.\n`,
    });
  });

  it('documents the jwt method in --help', async () => {
    const r = await runSshca(['login', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('  --method token|userpass|jwt|approle\n');
    expect(r.stdout).toContain("  --jwt-env VARIABLE     jwt: the environment variable holding the CI job's token");
    expect(r.stdout).toContain('  sshca login --method jwt --jwt-role dev-ci --jwt-env SSHCA_JWT \\\n');
    expect((await runSshca(['check-host', '--help'])).stdout).toContain('  --jwt-role NAME        jwt: the JWT role');
  });
});
