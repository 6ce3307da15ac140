// The seed posts' just-in-time SSH workflow, end to end on the embedded server over real HTTP and a
// real sshd: an engineer logs in with userpass, gets a token whose policy allows ssh/sign/user-role
// and nothing else, signs a key, and logs in; every step is audited, and sshd's log line for the
// login joins the audit entry of the sign request through the certificate's serial.

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCertificate } from '../../core/cert/certificate.js';
import { generateKeyPair } from '../../server/ssh/generate-key-pair.js';
import { publicKeyHash, parseSshPublicKey } from '../../core/keys/public-key.js';
import { makeScratchDir, removeScratchDir } from '../helpers/scratch.js';
import { sshLogin } from '../helpers/ssh-client.js';
import { startSshdHosts, stopAll, type SshdHost } from '../helpers/sshd.js';
import { ensureTestUser } from '../helpers/test-user.js';
import { startTestServer, type TestServer } from '../helpers/vault-server.js';

let server: TestServer;
let dir: string;
let account: string;
let hosts: SshdHost[] = [];
let auditLog: string;

const DENIED = { status: 403, json: { errors: ['1 error occurred:\n\t* permission denied\n\n'] } };

async function ok(method: string, path: string, body?: unknown) {
  const r = await server.request(method, path, body);
  expect(r.status, `${method} ${path}: ${r.body}`).toBeLessThan(300);
  return r;
}

beforeAll(async () => {
  dir = makeScratchDir('seed');
  account = await ensureTestUser();
  server = await startTestServer();
  auditLog = join(dir, 'audit.log');
  await ok('POST', '/v1/sys/audit/file', { type: 'file', options: { file_path: auditLog } });
  await ok('POST', '/v1/sys/mounts/ssh', { type: 'ssh' });
  await ok('POST', '/v1/ssh/config/ca', { generate_signing_key: true });
  const role = {
    key_type: 'ca',
    allow_user_certificates: true,
    ttl: '30m',
    default_extensions: [{ 'permit-pty': '' }],
  };
  await ok('POST', '/v1/ssh/roles/user-role', { ...role, allowed_users: account, default_user: account });
  await ok('POST', '/v1/ssh/roles/emergency', { ...role, allowed_users: account, default_user: account, ttl: '5m' });
  await ok('POST', '/v1/ssh/roles/automation', {
    ...role,
    allowed_users: 'jenkins,gitlab-runner',
    default_extensions: {},
  });
  await ok('PUT', '/v1/sys/policy/ssh-access', {
    policy: 'path "ssh/sign/user-role" {\n  capabilities = ["create", "update"]\n}\n',
  });
  await ok('PUT', '/v1/sys/policy/emergency-ssh', {
    policy: 'path "ssh/sign/emergency" {\n  capabilities = ["create", "update"]\n}\n',
  });
  await ok('POST', '/v1/sys/auth/userpass', { type: 'userpass' });
  await ok('POST', '/v1/auth/userpass/users/testuser', { password: 'test-password', policies: 'ssh-access' });
  await ok('POST', '/v1/auth/userpass/users/oncall', { password: 'oncall-password', policies: 'emergency-ssh' });
  const caKey = (await server.request('GET', '/v1/ssh/public_key', undefined, null)).body.trim();
  hosts = await startSshdHosts([
    { name: 'seed', address: '127.0.0.2', trustedUserCaKeys: [caKey], principals: { [account]: [account] } },
  ]);
});

afterAll(async () => {
  await stopAll(hosts);
  await server?.close();
  if (dir) removeScratchDir(dir);
});

const loginAs = async (user: string, password: string): Promise<string> => {
  const r = await server.request('POST', `/v1/auth/userpass/login/${user}`, { password }, null);
  expect(r.status).toBe(200);
  return r.json.auth.client_token;
};

function newKey(name: string): { identity: string; publicKey: string } {
  const pair = generateKeyPair('ed25519', 0);
  const identity = join(dir, name);
  writeFileSync(identity, pair.privateKey, { mode: 0o600 });
  return { identity, publicKey: pair.publicKey };
}

describe('the seed workflow', () => {
  it('testuser logs in, signs on user-role, and the certificate opens the host; audit and sshd join on serial', async () => {
    const token = await loginAs('testuser', 'test-password');
    const key = newKey('id_testuser');
    const signed = await server.request('POST', '/v1/ssh/sign/user-role', { public_key: key.publicKey }, token);
    expect(signed.status).toBe(200);
    const cert = parseCertificate(signed.json.data.signed_key);
    const hash = publicKeyHash(parseSshPublicKey(key.publicKey).blob);
    expect(cert.keyId).toBe(`vault-userpass-testuser-${hash}`);
    expect(cert.principals).toEqual([account]);
    writeFileSync(`${key.identity}-cert.pub`, signed.json.data.signed_key);

    const [host] = hosts as [SshdHost];
    const mark = host.log().length;
    const login = await sshLogin({ host, user: account, identityFile: key.identity, command: 'echo in' });
    expect(login).toEqual({ code: 0, stdout: 'in\n', stderr: '' });
    const line = await host.waitForLog(/^Accepted publickey for /, mark);
    const [, keyId, serial] = / ID (\S+) \(serial (\d+)\) CA /.exec(line)!;
    expect(keyId).toBe(cert.keyId);

    // The join: sshd's decimal serial → Vault's hex serial_number → the audit device's HMAC of it.
    const serialHex = BigInt(serial!).toString(16);
    expect(serialHex).toBe(signed.json.data.serial_number);
    const hashed = (await server.request('POST', '/v1/sys/audit-hash/file', { input: serialHex })).json.data.hash;
    const entries = readFileSync(auditLog, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const matches = entries.filter((e) => e.type === 'response' && e.response.data?.serial_number === hashed);
    expect(matches).toHaveLength(1);
    expect(matches[0].request.path).toBe('ssh/sign/user-role');
    expect(matches[0].auth.display_name).toBe('userpass-testuser');
    expect(matches[0].auth.policies).toEqual(['default', 'ssh-access']);
  });

  it('the same token is refused on emergency, on role writes and on sys/*', async () => {
    const token = await loginAs('testuser', 'test-password');
    const key = newKey('id_denied');
    expect(await server.request('POST', '/v1/ssh/sign/emergency', { public_key: key.publicKey }, token)).toMatchObject(
      DENIED,
    );
    expect(await server.request('POST', '/v1/ssh/roles/user-role', { key_type: 'ca' }, token)).toMatchObject(DENIED);
    expect(await server.request('DELETE', '/v1/ssh/roles/emergency', undefined, token)).toMatchObject(DENIED);
    expect(await server.request('GET', '/v1/sys/mounts', undefined, token)).toMatchObject(DENIED);
    expect(await server.request('POST', '/v1/sys/policy/ssh-access', { policy: 'path "*" {}' }, token)).toMatchObject(
      DENIED,
    );
  });

  it('an emergency-ssh holder signs on emergency, and only there', async () => {
    const token = await loginAs('oncall', 'oncall-password');
    const key = newKey('id_oncall');
    const r = await server.request('POST', '/v1/ssh/sign/emergency', { public_key: key.publicKey }, token);
    expect(r.status).toBe(200);
    expect(parseCertificate(r.json.data.signed_key).keyId).toMatch(/^vault-userpass-oncall-[0-9a-f]{64}$/);
    expect(await server.request('POST', '/v1/ssh/sign/user-role', { public_key: key.publicKey }, token)).toMatchObject(
      DENIED,
    );
  });

  it('the automation role accepts only jenkins and gitlab-runner', async () => {
    const key = newKey('id_ci');
    const good = await server.request('POST', '/v1/ssh/sign/automation', {
      public_key: key.publicKey,
      valid_principals: 'gitlab-runner',
    });
    expect(parseCertificate(good.json.data.signed_key).principals).toEqual(['gitlab-runner']);
    expect(parseCertificate(good.json.data.signed_key).extensions).toEqual({});
    const bad = await server.request('POST', '/v1/ssh/sign/automation', {
      public_key: key.publicKey,
      valid_principals: 'ubuntu',
    });
    expect(bad).toMatchObject({ status: 400, json: { errors: ['ubuntu is not a valid value for valid_principals'] } });
  });
});
