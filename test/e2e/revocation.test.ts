// Revocation end to end (issue 20, point 1): certificates signed by the embedded server's ssh-dev
// mount, revoked with the built `sshca revoke` (one by serial from its certificate file, one by key
// ID), the KRL written by `sshca render --format krl`, and a real sshd with `RevokedKeys` pointing at
// it: the revoked certificates are refused (sshd logs why), the others log in with the real ssh
// client. A revocation recorded after sshd started takes effect with the next rendered KRL, without
// restarting sshd.

import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { makeScratchDir, removeScratchDir } from '../helpers/scratch.js';
import { runSshca } from '../helpers/sshca-bin.js';
import { sshLogin } from '../helpers/ssh-client.js';
import { startSshdHosts, stopAll, type SshdHost } from '../helpers/sshd.js';
import { ensureTestUser } from '../helpers/test-user.js';
import { mountSshCa, startTestServer, type TestServer } from '../helpers/vault-server.js';

const PRINCIPAL = 'dev-engineer';

let server: TestServer;
let dir: string;
let account: string;
let hosts: SshdHost[] = [];
let host: SshdHost;
let env: Record<string, string>;
let krl: string;
let n = 0;

/** A new key and its certificate from ssh-dev: the private key path, the certificate path and key ID. */
async function certified(): Promise<{ identityFile: string; certificateFile: string; keyId: string }> {
  const identityFile = join(dir, `id_${++n}`);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', '', '-f', identityFile]);
  const r = await server.request('POST', '/v1/ssh-dev/sign/dev', {
    public_key: readFileSync(`${identityFile}.pub`, 'utf8'),
    valid_principals: PRINCIPAL,
  });
  expect(r.status).toBe(200);
  const certificateFile = `${identityFile}-cert.pub`;
  writeFileSync(certificateFile, r.json.data.signed_key);
  const keyId = /Key ID: "(.*)"/.exec(
    execFileSync('ssh-keygen', ['-L', '-f', certificateFile], { encoding: 'utf8' }),
  )![1]!;
  return { identityFile, certificateFile, keyId };
}

async function sshca(args: string[]): Promise<void> {
  const r = await runSshca(args, env);
  if (r.code !== 0) throw new Error(`sshca ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
}

let bySerial: Awaited<ReturnType<typeof certified>>;
let byKeyId: Awaited<ReturnType<typeof certified>>;
let fine: Awaited<ReturnType<typeof certified>>;
let later: Awaited<ReturnType<typeof certified>>;

beforeAll(async () => {
  dir = makeScratchDir('revocation-e2e');
  account = await ensureTestUser();
  server = await startTestServer();
  const ca = await mountSshCa(server, 'ssh-dev', {
    dev: { key_type: 'ca', allow_user_certificates: true, allowed_users: PRINCIPAL, ttl: '30m' },
  });
  expect((await server.request('POST', '/v1/sys/mounts/sshca', { type: 'kv-v2' })).status).toBe(204);
  env = { VAULT_ADDR: server.url, VAULT_TOKEN: server.token };
  bySerial = await certified();
  byKeyId = await certified();
  fine = await certified();
  later = await certified();
  await sshca(['revoke', '--mount', 'ssh-dev', '--certificate', bySerial.certificateFile, '--reason', 'stolen']);
  await sshca(['revoke', '--mount', 'ssh-dev', '--key-id', byKeyId.keyId, '--reason', 'left']);
  krl = join(dir, 'revoked_keys');
  await sshca(['render', '--format', 'krl', '--mount', 'ssh-dev', '--out', krl]);
  hosts = await startSshdHosts([
    {
      name: 'dev',
      address: '127.0.0.2',
      trustedUserCaKeys: [ca],
      principals: { [account]: [PRINCIPAL] },
      revokedKeys: krl,
    },
  ]);
  host = hosts[0]!;
});

afterAll(async () => {
  await stopAll(hosts);
  await server?.close();
  if (dir) removeScratchDir(dir);
});

const login = (c: { identityFile: string; certificateFile: string }) =>
  sshLogin({
    host,
    user: account,
    identityFile: c.identityFile,
    certificateFile: c.certificateFile,
    command: 'echo in',
  });

it('refuses the certificate revoked by serial', async () => {
  const from = host.log().length;
  expect((await login(bySerial)).code).toBe(255);
  expect(await host.waitForLog(/revoked/, from)).toContain(`revoked by file ${krl}`);
});

it('refuses the certificate revoked by key ID', async () => {
  const from = host.log().length;
  expect((await login(byKeyId)).code).toBe(255);
  expect(await host.waitForLog(/revoked/, from)).toContain(`revoked by file ${krl}`);
});

it('lets a certificate that is not revoked log in', async () => {
  expect(await login(fine)).toMatchObject({ code: 0, stdout: 'in\n' });
});

it('a revocation recorded later takes effect with the next KRL, sshd left running', async () => {
  expect((await login(later)).code).toBe(0);
  await sshca(['revoke', '--mount', 'ssh-dev', '--certificate', later.certificateFile]);
  await sshca(['render', '--format', 'krl', '--mount', 'ssh-dev', '--out', krl]);
  expect((await login(later)).code).toBe(255);
  expect((await login(fine)).code).toBe(0);
});
