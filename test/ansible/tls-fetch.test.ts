// The role fetches an environment's CA key from a backend over HTTPS with the certificate verified:
// the real ansible-playbook against the embedded server serving TLS with a certificate of the
// test's own (openssl). Without ssh_ca_trust_ca_bundle the fetch is refused and nothing is written;
// with it the served key lands in the trusted-keys file. Local connection, no sshd started.

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Server } from 'node:http';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { VaultClient, enableMount, generateCa } from '../../client/index.js';
import { MemoryStorage } from '../../server/storage/memory-storage.js';
import { VaultServer } from '../../server/vault-server.js';
import { ansibleEnv, parseFatal, parseRecap, runSitePlaybook } from '../helpers/ansible.js';
import { makeScratchDir, removeScratchDir } from '../helpers/scratch.js';
import { SSHD_PATH } from '../helpers/sshd.js';
import { makeSelfSignedTls } from '../helpers/tls.js';

let dir: string;
let server: VaultServer;
let listener: Server;
let url: string;
let caPublicKey: string;

beforeAll(async () => {
  dir = makeScratchDir('ansible-tls');
  const tls = makeSelfSignedTls(dir);
  server = await VaultServer.open({ storage: new MemoryStorage(), version: '0.0.0-test', log: () => {} });
  const token = await server.tokens.createRoot('tls-root');
  ({ server: listener, url } = await server.listen('127.0.0.1', 0, tls));
  const client = new VaultClient({ address: url, token, caCert: tls.cert });
  await enableMount(client, 'ssh-tls', { type: 'ssh' });
  caPublicKey = (await generateCa(client, 'ssh-tls')).trim();
  const hostKey = join(dir, 'host_ed25519');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', hostKey]);
  mkdirSync(join(dir, 'host', 'sshd_config.d'), { recursive: true });
  writeFileSync(join(dir, 'host', 'sshd_config'), `Include ${join(dir, 'host')}/sshd_config.d/*.conf\nUsePAM no\n`);
});

afterAll(async () => {
  if (listener) await server.close(listener);
  if (dir) removeScratchDir(dir);
});

/** An inventory of one local host fetching from the TLS backend; `caBundle` when given. */
function inventory(name: string, caBundle?: string): string {
  const root = join(dir, 'host');
  const path = join(dir, `${name}.yml`);
  const host = {
    ansible_connection: 'local',
    ssh_ca_trust_environment: 'dev',
    ssh_ca_trust_backend_url: url,
    ssh_ca_trust_mount: 'ssh-tls',
    ssh_ca_trust_principals: { ubuntu: ['ubuntu'] },
    ssh_ca_trust_dropin_path: join(root, 'sshd_config.d/10-sshca.conf'),
    ssh_ca_trust_ca_keys_path: join(root, 'sshca/trusted_user_ca_keys'),
    ssh_ca_trust_principals_dir: join(root, 'sshca/principals'),
    ssh_ca_trust_sshd_command: SSHD_PATH,
    ssh_ca_trust_sshd_config: join(root, 'sshd_config'),
    ssh_ca_trust_sshd_host_keys: [join(dir, 'host_ed25519')],
    ssh_ca_trust_reload_command: `touch ${join(root, 'reloaded')}`,
    ...(caBundle ? { ssh_ca_trust_ca_bundle: caBundle } : {}),
  };
  writeFileSync(path, `---\n${stringify({ all: { children: { dev: { hosts: { 'tls-host': host } } } } })}`);
  return path;
}

it('refuses a backend whose certificate it cannot verify, writing nothing', async () => {
  const r = await runSitePlaybook(inventory('unverified'), ansibleEnv(dir));
  expect(r.code).toBe(2);
  expect(parseRecap(r.stdout)['tls-host']).toMatchObject({ failed: 1, changed: 0 });
  // The fetch is a lookup on the control node; the role's refusal names the URL and the TLS error.
  expect(String(parseFatal(r.stdout)['tls-host']?.msg)).toMatch(
    new RegExp(
      `^ssh_ca_trust: refusing to change anything: ${url.replace(/[.]/g, '\\.')}/v1/ssh-tls/public_key could not be fetched: ` +
        '.*CERTIFICATE_VERIFY_FAILED',
    ),
  );
  expect(existsSync(join(dir, 'host', 'sshca'))).toBe(false);
  expect(existsSync(join(dir, 'host', 'sshd_config.d', '10-sshca.conf'))).toBe(false);
});

it('fetches the CA key over verified TLS with ssh_ca_trust_ca_bundle', async () => {
  const r = await runSitePlaybook(inventory('verified', join(dir, 'tls.crt')), ansibleEnv(dir));
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  expect(parseRecap(r.stdout)['tls-host']).toMatchObject({ failed: 0 });
  const trusted = readFileSync(join(dir, 'host', 'sshca', 'trusted_user_ca_keys'), 'utf8').split('\n');
  expect(trusted).toContain(caPublicKey);
  expect(existsSync(join(dir, 'host', 'reloaded'))).toBe(true);
});
