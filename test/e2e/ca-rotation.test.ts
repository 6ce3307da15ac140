// Staged CA rotation against a real sshd (issue 20, point 2): the embedded server's mount goes from
// its first CA key to a new one through `sshca rotate --stage 1, 2, 3`, the host's TrustedUserCAKeys
// file rewritten by the command at each stage, while a login is attempted every second with a
// certificate freshly signed by the backend. Every one of those logins must succeed (a behaviour
// assertion: the count of refused valid logins is zero, however the timing falls), the backend must
// switch keys at stage 2, stage 3 must be refused until the role's max_ttl has passed since stage 2,
// and afterwards a certificate of the old key is refused while one of the new key logs in.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import sshpk from 'sshpk';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { signKey } from '../../client/ssh-api.js';
import { VaultClient } from '../../client/vault-client.js';
import { rotateCommand } from '../../cli/rotate.js';
import { generateKeyPair } from '../../server/ssh/generate-key-pair.js';
import { sshLogin } from '../helpers/ssh-client.js';
import { startSshdHosts, stopAll, type SshdHost } from '../helpers/sshd.js';
import { ensureTestUser } from '../helpers/test-user.js';
import { startTestServer, type TestServer } from '../helpers/vault-server.js';

const PRINCIPAL = 'dev-engineer';
const MAX_TTL = 3;

let dir: string;
let account: string;
let srv: TestServer;
let host: SshdHost;
let client: VaultClient;
const oldCa = generateKeyPair('ed25519', 0);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sshca-rotation-'));
  account = await ensureTestUser();
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'id_user')]);
  srv = await startTestServer();
  await srv.request('POST', '/v1/sys/mounts/ssh-dev', { type: 'ssh' });
  // The old CA is imported so that the test can still sign with it after stage 3.
  await srv.request('POST', '/v1/ssh-dev/config/ca', { public_key: oldCa.publicKey, private_key: oldCa.privateKey });
  await srv.request('POST', '/v1/ssh-dev/roles/dev', {
    key_type: 'ca',
    allow_user_certificates: true,
    allowed_users: PRINCIPAL,
    default_extensions: { 'permit-pty': '' },
    ttl: `${MAX_TTL}s`,
    max_ttl: `${MAX_TTL}s`,
  });
  client = new VaultClient({ address: srv.url, token: srv.token });
  [host] = (await startSshdHosts([
    { name: 'rotation', address: '127.0.0.7', trustedUserCaKeys: [oldCa.publicKey.trim()], principals: { [account]: [PRINCIPAL] } },
  ])) as [SshdHost];
  process.env.VAULT_ADDR = srv.url;
  process.env.VAULT_TOKEN = srv.token;
});

afterAll(async () => {
  delete process.env.VAULT_ADDR;
  delete process.env.VAULT_TOKEN;
  await stopAll(host ? [host] : []);
  await srv?.close();
  rmSync(dir, { recursive: true, force: true });
});

const fingerprintOf = (key: string): string => sshpk.parseKey(key, 'ssh').fingerprint('sha256').toString();
const signerOf = (cert: string): string =>
  (sshpk.parseCertificate(cert, 'openssh') as any).issuerKey.fingerprint('sha256').toString();

/** Run `sshca rotate …` in this process (its output is the test's), writing the host's trust file. */
async function rotate(...args: string[]): Promise<number> {
  return rotateCommand.run(['--mount', 'ssh-dev', ...args, '--trusted-keys-out', join(host.dir, 'trusted_user_ca_keys')]);
}

/** One login with a certificate freshly signed by the backend; returns the signer's fingerprint. */
async function loginWithFreshCertificate(n: number): Promise<{ ok: boolean; signer: string; stderr: string }> {
  const publicKey = readFileSync(join(dir, 'id_user.pub'), 'utf8');
  const signed = await signKey(client, 'ssh-dev', 'dev', { public_key: publicKey, valid_principals: PRINCIPAL });
  const certFile = join(dir, `cert-${n}.pub`);
  writeFileSync(certFile, signed.signedKey);
  const r = await sshLogin({ host, user: account, identityFile: join(dir, 'id_user'), certificateFile: certFile, command: 'echo ok' });
  return { ok: r.code === 0 && r.stdout.trim() === 'ok', signer: signerOf(signed.signedKey), stderr: r.stderr };
}

it('rotates the CA in three stages with a login every second and no refused valid login', { timeout: 60_000 }, async () => {
  const results: Array<{ ok: boolean; signer: string; stderr: string; phase: string }> = [];
  let phase = 'before';
  let running = true;
  const logins = (async () => {
    for (let n = 0; running; n++) {
      const started = Date.now();
      results.push({ ...(await loginWithFreshCertificate(n)), phase });
      await sleep(Math.max(0, 1000 - (Date.now() - started)));
    }
  })();

  await sleep(2000);
  expect(await rotate('--stage', '1')).toBe(0);
  phase = 'stage 1';
  const trustFile = readFileSync(join(host.dir, 'trusted_user_ca_keys'), 'utf8');
  expect(trustFile.split('\n').filter((l) => l.startsWith('ssh-'))).toHaveLength(2);
  await sleep(2500);

  expect(await rotate('--stage', '2')).toBe(0);
  phase = 'stage 2';
  // Stage 3 is refused until the role's max_ttl has passed since stage 2.
  await expect(rotate('--stage', '3')).rejects.toThrow(/stage 3 is allowed from .* \(role dev: certificates live up to 3s\), in \d+s$/);
  let done = false;
  while (!done) {
    await sleep(500);
    done = await rotate('--stage', '3').then(
      (code) => code === 0,
      () => false,
    );
  }
  phase = 'stage 3';
  await sleep(2500);
  running = false;
  await logins;

  const refused = results.filter((r) => !r.ok);
  expect(refused).toEqual([]);
  expect(results.length).toBeGreaterThanOrEqual(10);
  for (const p of ['before', 'stage 1', 'stage 2', 'stage 3']) expect(results.some((r) => r.phase === p)).toBe(true);
  // The backend signed with the old key before stage 2 and with the new one from stage 2 on.
  const oldFp = fingerprintOf(oldCa.publicKey);
  expect(results.filter((r) => r.phase === 'before' || r.phase === 'stage 1').every((r) => r.signer === oldFp)).toBe(true);
  expect(results.filter((r) => r.phase === 'stage 3').every((r) => r.signer !== oldFp)).toBe(true);

  // After stage 3 the host trusts the new key only: a fresh certificate of the old key is refused.
  const caFile = join(dir, 'old_ca');
  writeFileSync(caFile, oldCa.privateKey, { mode: 0o600 });
  execFileSync('ssh-keygen', ['-q', '-s', caFile, '-I', 'old', '-n', PRINCIPAL, '-V', '-1m:+5m', join(dir, 'id_user.pub')]);
  const old = await sshLogin({
    host,
    user: account,
    identityFile: join(dir, 'id_user'),
    certificateFile: join(dir, 'id_user-cert.pub'),
    command: 'echo ok',
  });
  expect(old.code).toBe(255);
  expect((await loginWithFreshCertificate(999)).ok).toBe(true);
});
