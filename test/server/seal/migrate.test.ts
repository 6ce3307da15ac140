// Upgrading an unencrypted data directory (what sshca wrote before the barrier: a VaultServer over
// plain file storage) with `migrateDataDir` (sshca operator migrate): `openDataDir` refuses the old
// directory naming the command; after the migration every entry is encrypted, nothing is lost (a
// token, a policy, a userpass login and a role from before sign a certificate), and a migration
// interrupted half-way resumes.

import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { termOf } from '../../../server/barrier/aead.js';
import { migrateDataDir } from '../../../server/barrier/migrate.js';
import { Seal } from '../../../server/barrier/seal.js';
import { openDataDir } from '../../../server/data-dir.js';
import { generateKeyPair } from '../../../server/ssh/generate-key-pair.js';
import { FileStorage } from '../../../server/storage/file-storage.js';
import { VaultServer } from '../../../server/vault-server.js';
import { makeScratchDir, removeScratchDir } from '../../helpers/scratch.js';

const ROOT = 'old-root-token';
const writeSecret = (path: string, content: string) => writeFileSync(path, content, { mode: 0o600 });
const dirs: string[] = [];

/** Every file under `d`. */
const files = (d: string): string[] =>
  readdirSync(d, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(d, e.name)) : [join(d, e.name)],
  );

async function http(url: string, token: string | null, method: string, path: string, body?: unknown) {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: token === null ? {} : { 'X-Vault-Token': token },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, json: text === '' ? undefined : JSON.parse(text) };
}

/** An old data directory: mounts, a generated CA, a role, a policy, a token, a userpass user. */
async function oldDataDir(): Promise<{ dir: string; token: string }> {
  const dir = makeScratchDir('migrate');
  dirs.push(dir);
  const server = await VaultServer.open({
    storage: new FileStorage(join(dir, 'storage')),
    version: 'old',
    log: () => {},
  });
  await server.tokens.createRoot(ROOT);
  writeSecret(join(dir, 'root-token'), `${ROOT}\n`);
  const { server: listener, url } = await server.listen('127.0.0.1', 0);
  const call = (m: string, p: string, b?: unknown, t: string | null = ROOT) => http(url, t, m, p, b);
  await call('POST', '/v1/sys/mounts/ssh', { type: 'ssh' });
  await call('POST', '/v1/ssh/config/ca', { generate_signing_key: true });
  await call('POST', '/v1/ssh/roles/dev', {
    key_type: 'ca',
    allow_user_certificates: true,
    allowed_users: 'dev',
    default_user: 'dev',
    ttl: '5m',
  });
  await call('PUT', '/v1/sys/policies/acl/signer', { policy: 'path "ssh/sign/dev" { capabilities = ["update"] }' });
  await call('POST', '/v1/sys/auth/userpass', { type: 'userpass' });
  await call('POST', '/v1/auth/userpass/users/alice', { password: 'alice-password-1', token_policies: 'signer' });
  const token = (await call('POST', '/v1/auth/token/create', { policies: ['signer'] })).json.auth
    .client_token as string;
  await server.close(listener);
  return { dir, token };
}

/** Start the migrated directory and check everything from before still works. */
async function expectEverythingThere(dir: string, token: string): Promise<void> {
  const opened = await openDataDir(dir, { version: 'new', log: () => {} }, writeSecret);
  expect(opened.createdRootToken).toBeUndefined();
  const { server: listener, url } = await opened.server.listen('127.0.0.1', 0);
  try {
    const publicKey = generateKeyPair('ed25519', 0).publicKey;
    const signed = await http(url, token, 'POST', '/v1/ssh/sign/dev', { public_key: publicKey });
    expect(signed.status).toBe(200);
    expect(signed.json.data.signed_key).toMatch(/^ssh-ed25519-cert-v01@openssh\.com /);
    const login = await http(url, null, 'POST', '/v1/auth/userpass/login/alice', { password: 'alice-password-1' });
    expect(login.json.auth.policies).toEqual(['default', 'signer']);
    expect((await http(url, ROOT, 'GET', '/v1/auth/token/lookup-self')).json.data.policies).toEqual(['root']);
  } finally {
    await opened.server.close(listener);
  }
  for (const f of files(join(dir, 'storage'))) {
    if (f.endsWith('seal-config')) continue;
    expect(termOf(readFileSync(f)), f).toBeDefined();
  }
}

afterEach(() => {
  for (const d of dirs.splice(0)) removeScratchDir(d);
});

describe('sshca operator migrate', () => {
  it('refuses the old directory at start, then encrypts every entry in place and loses nothing', async () => {
    const { dir, token } = await oldDataDir();
    const entries = files(join(dir, 'storage')).length;
    await expect(openDataDir(dir, { version: 'new', log: () => {} }, writeSecret)).rejects.toThrow(
      `${dir} is an unencrypted data directory from an earlier sshca: stop the server and run "sshca operator migrate --data-dir ${dir}" once`,
    );
    const report = await migrateDataDir(dir, writeSecret, Date.now());
    expect(report).toEqual({
      encrypted: entries,
      alreadyEncrypted: 0,
      resumed: false,
      keyFile: join(dir, 'unseal-key'),
    });
    expect(JSON.parse(readFileSync(join(dir, 'storage', 'core', 'seal-config'), 'utf8'))).toEqual({
      type: 'shamir',
      secret_shares: 1,
      secret_threshold: 1,
    });
    await expectEverythingThere(dir, token);
    await expect(migrateDataDir(dir, writeSecret, Date.now())).rejects.toThrow(
      `${dir} is already encrypted: nothing to migrate`,
    );
  });

  it('resumes a migration interrupted half-way (the state a crash leaves)', async () => {
    const { dir, token } = await oldDataDir();
    // What an interrupted run leaves: key file, keyring, the marked configuration, some entries done.
    const physical = new FileStorage(join(dir, 'storage'));
    const seal = await Seal.load(physical);
    await seal.initialize(1, 1, Date.now(), {
      migrating: true,
      onShares: (s) => writeSecret(join(dir, 'unseal-key'), `${s[0]!.toString('hex')}\n`),
    });
    await seal.submit(Buffer.from(readFileSync(join(dir, 'unseal-key'), 'utf8').trim(), 'hex'));
    const keys = ['core/mounts', 'core/auth', 'core/policies/signer'];
    for (const key of keys) await seal.barrier!.put(key, (await physical.get(key))!);
    seal.seal();
    await expect(openDataDir(dir, { version: 'new', log: () => {} }, writeSecret)).rejects.toThrow(
      `the migration of ${dir} did not finish: run "sshca operator migrate --data-dir ${dir}" again, with the server stopped`,
    );
    const total = files(join(dir, 'storage')).length - 2; // minus seal-config and keyring
    const report = await migrateDataDir(dir, writeSecret, Date.now());
    expect(report).toMatchObject({ resumed: true, alreadyEncrypted: keys.length, encrypted: total - keys.length });
    await expectEverythingThere(dir, token);
  });
});
