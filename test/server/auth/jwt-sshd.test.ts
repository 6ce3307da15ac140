// Issue 18's proof end to end, on the real clock: a CI job's token (GitLab id_tokens claims), signed
// by the test's own key and published on a JWKS endpoint over HTTPS whose self-signed CA the mount
// trusts through `jwks_ca_pem`, logs in over real HTTP, gets a token with the role's policy, signs
// the job's SSH key on the environment's mount and logs into a real sshd with the certificate. A job
// token from another branch gets no token, so no certificate.

import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeScratchDir, removeScratchDir } from '../../helpers/scratch.js';
import { sshLogin } from '../../helpers/ssh-client.js';
import { startSshdHosts, stopAll, type SshdHost } from '../../helpers/sshd.js';
import { ensureTestUser } from '../../helpers/test-user.js';
import { makeSelfSignedTls } from '../../helpers/tls.js';
import { mountSshCa, startTestServer, type TestServer } from '../../helpers/vault-server.js';
import { gitlabClaims, makeKey, signJwt, startJwksServer, type JwksServer, type TestKey } from './jwt-helpers.js';

let dir: string;
let account: string;
let server: TestServer;
let jwks: JwksServer;
let key: TestKey;
let hosts: SshdHost[] = [];
let tlsCert: string;

beforeAll(async () => {
  dir = makeScratchDir('jwt-sshd');
  account = await ensureTestUser();
  const tls = makeSelfSignedTls(dir);
  tlsCert = tls.cert;
  key = makeKey('gitlab-prod-1', 'ES256');
  jwks = await startJwksServer([key], tls);
  server = await startTestServer();
  const userCa = await mountSshCa(server, 'ssh-prod', {
    automation: {
      key_type: 'ca',
      allow_user_certificates: true,
      allowed_users: account,
      default_user: account,
      default_extensions: { 'permit-pty': '' },
      ttl: '10m',
    },
  });
  const ok = async (path: string, body: unknown) => {
    const r = await server.request('POST', path, body);
    if (r.status >= 300) throw new Error(`POST ${path} answered ${r.status}: ${r.body}`);
  };
  await ok('/v1/sys/policies/acl/ci-prod-sign', {
    policy: 'path "ssh-prod/sign/automation" { capabilities = ["update"] }',
  });
  await ok('/v1/sys/auth/jwt', { type: 'jwt' });
  hosts = await startSshdHosts([
    { name: 'jwt-prod', address: '127.0.0.2', trustedUserCaKeys: [userCa], principals: { [account]: [account] } },
  ]);
});

afterAll(async () => {
  await stopAll(hosts);
  await server?.close();
  await jwks?.close();
  if (dir) removeScratchDir(dir);
});

describe('CI job → JWT login → SSH certificate → real sshd', () => {
  it('refuses a JWKS endpoint whose TLS certificate the mount does not trust', async () => {
    const r = await server.request('POST', '/v1/auth/jwt/config', { jwks_url: jwks.url });
    expect(r.json).toEqual({ errors: [`error checking jwks URL ${jwks.url}`] });
  });

  it('logs the job in through jwks_ca_pem, signs its key and reaches the host', async () => {
    expect(
      (
        await server.request('POST', '/v1/auth/jwt/config', {
          jwks_url: jwks.url,
          jwks_ca_pem: tlsCert,
          bound_issuer: 'https://gitlab.example.com',
        })
      ).status,
    ).toBe(204);
    expect(
      (
        await server.request('POST', '/v1/auth/jwt/role/deploy-prod', {
          role_type: 'jwt',
          user_claim: 'user_login',
          bound_audiences: 'https://vault.example.com',
          bound_claims: { project_path: 'infra/deploy', ref: 'main', ref_type: 'branch' },
          claim_mappings: { project_path: 'project', ref: 'branch' },
          token_policies: 'ci-prod-sign',
          token_ttl: '5m',
          token_explicit_max_ttl: '15m',
        })
      ).status,
    ).toBe(204);
    const now = Math.floor(Date.now() / 1000);
    const loginAs = async (claims: Record<string, unknown>) =>
      server.request('POST', '/v1/auth/jwt/login', { role: 'deploy-prod', jwt: await signJwt(key, claims) }, null);

    const refused = await loginAs(gitlabClaims(now, { ref: 'feature-x', ref_path: 'refs/heads/feature-x' }));
    expect(refused.json).toEqual({
      errors: ['error validating claims: claim "ref" does not match any associated bound claim values'],
    });

    const r = await loginAs(gitlabClaims(now));
    expect(r.status).toBe(200);
    expect(r.json.auth.policies).toEqual(['ci-prod-sign', 'default']);
    expect(r.json.auth.metadata).toEqual({ project: 'infra/deploy', branch: 'main', role: 'deploy-prod' });
    expect(r.json.auth.lease_duration).toBe(300);
    const token = r.json.auth.client_token as string;

    const identityFile = join(dir, 'id_job');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', identityFile]);
    const signed = await server.request(
      'POST',
      '/v1/ssh-prod/sign/automation',
      { public_key: readFileSync(`${identityFile}.pub`, 'utf8') },
      token,
    );
    expect(signed.status).toBe(200);
    const certificateFile = `${identityFile}-cert.pub`;
    writeFileSync(certificateFile, signed.json.data.signed_key);
    const ssh = await sshLogin({
      host: hosts[0]!,
      user: account,
      identityFile,
      certificateFile,
      command: 'echo deployed',
    });
    expect([ssh.code, ssh.stdout.trim()]).toEqual([0, 'deployed']);

    // The job's token signs on this role only.
    expect((await server.request('GET', '/v1/ssh-prod/roles/automation', undefined, token)).status).toBe(403);
  });
});
