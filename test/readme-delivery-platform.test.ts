// The README's "A delivery platform's deployment" block (issue 24, point 4), run as written: the CA
// public key the hosts trust, the delegate's key signed at deploy time through an AppRole login,
// `sshca check-host` (the "Test" step), and a deploy over SSH. Against the embedded server, set up as
// the section's prose says (ssh-dev's automation role, the dev-sign-automation policy, the AppRole
// role `delegate`), and a real sshd on 127.0.0.2 trusting ssh-dev's CA, where the test account stands
// in for the deploy account (it accepts gitlab-runner). The platform's variables (ROLE_ID, the secret
// ID in SSHCA_SECRET_ID, DEPLOY_*, SSH_KNOWN_HOSTS pinning the host's key) are set as a platform would.

import { chmodSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parseCertificate } from '../core/cert/certificate.js';
import { makeSshcaBin, runBlock, sectionBlocks } from './helpers/readme.js';
import { makeScratchDir, removeScratchDir } from './helpers/scratch.js';
import { startSshdHosts, stopAll, type SshdHost } from './helpers/sshd.js';
import { ensureTestUser } from './helpers/test-user.js';
import { startTestServer, type TestServer } from './helpers/vault-server.js';

let server: TestServer;
let dir: string;
let bin: string;
let account: string;
let caKey: string;
let roleId: string;
let hosts: SshdHost[] = [];

const api = async (method: string, path: string, body?: unknown) => {
  const r = await server.request(method, path, body);
  expect(r.status, `${method} ${path}: ${r.body}`).toBeLessThan(300);
  return r.json;
};

beforeAll(async () => {
  dir = makeScratchDir('readme-delivery-platform');
  chmodSync(dir, 0o711);
  bin = makeSshcaBin(dir);
  account = await ensureTestUser();
  server = await startTestServer();
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
  // As the section's prose: vault auth enable approle; vault write auth/approle/role/delegate …
  await api('POST', '/v1/sys/auth/approle', { type: 'approle' });
  await api('POST', '/v1/auth/approle/role/delegate', { token_policies: 'dev-sign-automation', token_ttl: '15m' });
  roleId = (await api('GET', '/v1/auth/approle/role/delegate/role-id')).data.role_id;
  caKey = (await server.request('GET', '/v1/ssh-dev/public_key', undefined, null)).body.trim();
  hosts = await startSshdHosts([
    {
      name: 'deploy-target',
      address: '127.0.0.2',
      trustedUserCaKeys: [caKey],
      principals: { [account]: ['gitlab-runner'] },
    },
  ]);
});

afterAll(async () => {
  await stopAll(hosts);
  await server?.close();
  if (dir) removeScratchDir(dir);
});

/** The platform's variables for one deploy, with a fresh secret ID of `delegate`. */
async function platformEnv(secretId?: string): Promise<Record<string, string>> {
  const host = hosts[0]!;
  return {
    VAULT_ADDR: server.url,
    ROLE_ID: roleId,
    SSHCA_SECRET_ID: secretId ?? (await api('POST', '/v1/auth/approle/role/delegate/secret-id', {})).data.secret_id,
    DEPLOY_HOST: host.address,
    DEPLOY_PORT: String(host.port),
    DEPLOY_USER: account,
    SSH_KNOWN_HOSTS: host.knownHostsLine,
    RELEASE: 'v1.4.2',
  };
}

it('the block fetches the CA key, signs the delegate key by AppRole, tests the host and deploys', async () => {
  const blocks = sectionBlocks("### A delivery platform's deployment");
  expect(blocks.map((b) => b.lang)).toEqual(['sh']);
  const cwd = join(dir, 'delegate');
  mkdirSync(cwd);
  const env = await platformEnv();
  const r = await runBlock(blocks[0]!.code, { cwd, bin, env });
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  expect(r.stdout).not.toContain(env.SSHCA_SECRET_ID);

  // 1: the hosts' TrustedUserCAKeys is ssh-dev's CA, the key this sshd trusts.
  expect(readFileSync(join(cwd, 'trusted-user-ca-keys.pem'), 'utf8')).toBe(
    `# Managed by vault-ssh-ca: changes here are overwritten.\n# CA public keys of environment dev.\n${caKey}\n`,
  );
  // 2: the login's JSON, then 3: check-host's verdict, then 4: the remote command's line.
  const [loginLine, ...rest] = r.stdout.split('\n');
  const issued = JSON.parse(loginLine!);
  expect(issued).toMatchObject({
    identity_file: 'delegate_key',
    certificate_file: 'delegate_key-cert.pub',
    principals: ['gitlab-runner'],
    agent: 'skipped',
  });
  expect(issued.valid_before - issued.valid_after).toBe(10 * 60 + 30);
  const cert = parseCertificate(readFileSync(join(cwd, 'delegate_key-cert.pub'), 'utf8'));
  expect(cert.keyId).toMatch(/^vault-approle-[0-9a-f]{64}$/);
  expect(rest.join('\n')).toBe(
    `OK: ${account}@${hosts[0]!.address}:${hosts[0]!.port}: the host accepts certificates of ssh-dev for ${account}\n` +
      `deployed v1.4.2 as ${account}\n`,
  );
}, 60_000);

it("a wrong secret ID stops the block at the login with exit code 3 and the backend's words", async () => {
  const cwd = join(dir, 'wrong-secret');
  mkdirSync(cwd);
  const env = await platformEnv('00000000-1111-2222-3333-444444444444');
  const r = await runBlock(sectionBlocks("### A delivery platform's deployment")[0]!.code, { cwd, bin, env });
  expect(r).toEqual({
    code: 3,
    stdout: '',
    stderr:
      'sshca login: AppRole login on auth/approle failed: invalid role or secret ID (check the role_id and the ' +
      'secret ID: a secret ID may have expired, used up its uses, or been destroyed)\n',
  });
}, 60_000);
