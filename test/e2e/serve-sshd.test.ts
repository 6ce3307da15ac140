// End to end: the real `sshca serve` binary in a child process, provisioned over HTTP by the typed
// client with a dev and a prod mount (each its own CA); real sshd hosts trust the key served at
// /v1/<mount>/public_key; certificates signed by the backend open their own environment only.

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VaultClient, enableMount, generateCa, readCaPublicKey, signKey, writeRole } from '../../client/index.js';
import { parseCertificate } from '../../core/cert/certificate.js';
import { generateKeyPair } from '../../server/ssh/generate-key-pair.js';
import { makeScratchDir, removeScratchDir } from '../helpers/scratch.js';
import { sshLogin } from '../helpers/ssh-client.js';
import { startSshdHosts, stopAll, type SshdHost } from '../helpers/sshd.js';
import { ensureTestUser } from '../helpers/test-user.js';

const BIN = resolve(import.meta.dirname, '../../dist/cli/main.js');
const TOKEN = 'e2e-root-token';

let dir: string;
let server: ChildProcess;
let client: VaultClient;
let hosts: SshdHost[] = [];
let account: string;
let dev: SshdHost;
let prod: SshdHost;

/** Start `sshca serve --dev` and wait for its "Listening on" line. */
async function startServe(): Promise<{ child: ChildProcess; url: string }> {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run "npm run build" first (npm test does)`);
  const child = spawn(
    process.execPath,
    [BIN, 'serve', '--dev', '--dev-root-token-id', TOKEN, '--listen', '127.0.0.1:0'],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`sshca serve did not start:\n${out}`)), 10_000);
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const m = /^Listening on (\S+)$/m.exec(out);
      if (m) {
        clearTimeout(timer);
        resolveUrl(m[1]!);
      }
    });
    child.once('exit', (code) => reject(new Error(`sshca serve exited with ${code}:\n${out}`)));
  });
  expect(out).toContain(`Root Token: ${TOKEN}\n`);
  return { child, url };
}

beforeAll(async () => {
  dir = makeScratchDir('serve-e2e');
  account = await ensureTestUser();
  const started = await startServe();
  server = started.child;
  client = new VaultClient({ address: started.url, token: TOKEN });
  for (const env of ['dev', 'prod']) {
    await enableMount(client, `ssh-${env}`, { maxLeaseTtl: '24h' });
    await generateCa(client, `ssh-${env}`);
    await writeRole(client, `ssh-${env}`, 'developer', {
      key_type: 'ca',
      allow_user_certificates: true,
      allowed_users: `${env}-engineer`,
      default_user: `${env}-engineer`,
      ttl: '10m',
      default_extensions: { 'permit-pty': '' },
      key_id_format: '{{role_name}}-{{token_display_name}}-{{public_key_hash}}',
    });
  }
  // Hosts trust exactly what the backend publishes, fetched the way hosts fetch it: unauthenticated.
  const trusted = async (env: string) =>
    (await readCaPublicKey(new VaultClient({ address: started.url }), `ssh-${env}`))!.trim();
  hosts = await startSshdHosts([
    {
      name: 'dev',
      address: '127.0.0.2',
      trustedUserCaKeys: [await trusted('dev')],
      principals: { [account]: ['dev-engineer'] },
    },
    {
      name: 'prod',
      address: '127.0.0.3',
      trustedUserCaKeys: [await trusted('prod')],
      principals: { [account]: ['prod-engineer'] },
    },
  ]);
  [dev, prod] = hosts as [SshdHost, SshdHost];
});

afterAll(async () => {
  await stopAll(hosts);
  if (server && server.exitCode === null) {
    process.kill(server.pid!, 'SIGTERM');
    await new Promise((r) => server.once('exit', r));
  }
  removeScratchDir(dir);
});

async function certificateFor(env: 'dev' | 'prod'): Promise<{ identity: string; certificate: string; serial: bigint }> {
  const pair = generateKeyPair('ed25519', 0);
  const identity = join(dir, `id_${env}_${Date.now()}`);
  writeFileSync(identity, pair.privateKey, { mode: 0o600 });
  const signed = await signKey(client, `ssh-${env}`, 'developer', { public_key: pair.publicKey });
  writeFileSync(`${identity}-cert.pub`, signed.signedKey);
  return { identity, certificate: `${identity}-cert.pub`, serial: parseCertificate(signed.signedKey).serial };
}

describe('sshca serve → client → real sshd', () => {
  it('a dev certificate opens the dev host, and sshd logs its key id and serial', async () => {
    const cert = await certificateFor('dev');
    const mark = dev.log().length;
    const r = await sshLogin({
      host: dev,
      user: account,
      identityFile: cert.identity,
      certificateFile: cert.certificate,
      command: 'echo ok',
    });
    expect(r).toEqual({ code: 0, stdout: 'ok\n', stderr: '' });
    await dev.waitForLog(
      new RegExp(
        `^Accepted publickey for ${account} .* ID developer-root-[0-9a-f]{64} \\(serial ${cert.serial}\\) CA ED25519 `,
      ),
      mark,
    );
  });

  it('a dev certificate is refused by the prod host, and a prod one by the dev host', async () => {
    const devCert = await certificateFor('dev');
    const prodCert = await certificateFor('prod');
    const login = (host: SshdHost, c: { identity: string; certificate: string }) =>
      sshLogin({ host, user: account, identityFile: c.identity, certificateFile: c.certificate, command: 'echo ok' });
    expect((await login(prod, devCert)).code).toBe(255);
    expect((await login(dev, prodCert)).code).toBe(255);
    expect(await login(prod, prodCert)).toEqual({ code: 0, stdout: 'ok\n', stderr: '' });
  });

  it('the two mounts hold different CAs', async () => {
    const devKey = readFileSync(join(dev.dir, 'trusted_user_ca_keys'), 'utf8');
    const prodKey = readFileSync(join(prod.dir, 'trusted_user_ca_keys'), 'utf8');
    expect(devKey).toMatch(/^ssh-ed25519 /);
    expect(devKey).not.toBe(prodKey);
  });

  it('stops cleanly on SIGTERM', async () => {
    const extra = await startServe();
    process.kill(extra.child.pid!, 'SIGTERM');
    const code = await new Promise((r) => extra.child.once('exit', r));
    expect(code).toBe(0);
  });
});
