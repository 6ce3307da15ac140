// `sshca serve --data-dir` behind the seal, through the built binary: --manual-init (Vault's init and
// unseal over HTTP, nothing secret written to DIR), a restart that stays sealed, auto-unseal from
// SSHCA_UNSEAL_KEY and from --unseal-key-file (refused when others may read it), and an old
// unencrypted directory: refused with the command to run, `sshca operator migrate`, then served.

import { chmodSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FileStorage } from '../../server/storage/file-storage.js';
import { VaultServer } from '../../server/vault-server.js';
import { makeScratchDir, removeScratchDir } from '../helpers/scratch.js';
import { runSshca } from '../helpers/sshca-bin.js';
import { startSshcaServe, type ServeProcess } from '../helpers/sshca-serve.js';

const dirs: string[] = [];
const running: ServeProcess[] = [];

afterEach(async () => {
  for (const p of running.splice(0)) await p.stop();
  for (const d of dirs.splice(0)) removeScratchDir(d);
});

function scratch(label: string): string {
  const d = makeScratchDir(label);
  dirs.push(d);
  return d;
}

async function serve(args: readonly string[], env: Record<string, string> = {}): Promise<ServeProcess> {
  const p = await startSshcaServe([...args, '--listen', '127.0.0.1:0'], env);
  running.push(p);
  return p;
}

async function call(url: string, method: string, path: string, body?: unknown, token?: string) {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: token ? { 'X-Vault-Token': token } : {},
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, json: text === '' ? undefined : JSON.parse(text) };
}

const files = (d: string): string[] =>
  readdirSync(d, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(d, e.name)) : [join(d, e.name)],
  );

describe('sshca serve --data-dir --manual-init', () => {
  it('starts uninitialised, inits and unseals over HTTP, keeps no secret in DIR, restarts sealed', async () => {
    const dir = join(scratch('serve-seal'), 'data');
    const first = await serve(['--data-dir', dir, '--manual-init']);
    expect(first.output()).toContain(
      '    Not initialised: initialise with "sshca operator init" (or vault operator init, PUT /v1/sys/init), then unseal\n',
    );
    expect(first.output()).not.toContain('Root Token:');
    expect((await call(first.url, 'GET', '/v1/sys/health')).status).toBe(501);
    expect(await call(first.url, 'GET', '/v1/sys/mounts')).toEqual({
      status: 503,
      json: { errors: ['Vault is sealed'] },
    });
    const init = (await call(first.url, 'PUT', '/v1/sys/init', { secret_shares: 3, secret_threshold: 2 })).json;
    expect((await call(first.url, 'GET', '/v1/sys/health')).status).toBe(503);
    expect((await call(first.url, 'PUT', '/v1/sys/unseal', { key: init.keys[2] })).json.progress).toBe(1);
    expect((await call(first.url, 'PUT', '/v1/sys/unseal', { key: init.keys_base64[0] })).json.sealed).toBe(false);
    expect((await call(first.url, 'GET', '/v1/sys/health')).status).toBe(200);
    expect((await call(first.url, 'POST', '/v1/sys/mounts/ssh', { type: 'ssh' }, init.root_token)).status).toBe(204);
    expect(readdirSync(dir)).toEqual(['storage']);
    for (const f of files(dir)) {
      const content = readFileSync(f);
      expect(content.includes(init.root_token), f).toBe(false);
      for (const k of init.keys) expect(content.includes(Buffer.from(k, 'hex')), f).toBe(false);
    }
    await first.stop();
    expect(first.errors()).toBe('');

    const second = await serve(['--data-dir', dir]);
    expect(second.output()).toContain(
      '    Sealed: unseal with "sshca operator unseal" (or vault operator unseal, PUT /v1/sys/unseal), one key share at a time\n',
    );
    expect(await call(second.url, 'GET', '/v1/ssh/public_key')).toEqual({
      status: 503,
      json: { errors: ['Vault is sealed'] },
    });
    await second.stop();

    const third = await serve(['--data-dir', dir], { SSHCA_UNSEAL_KEY: `${init.keys[0]},${init.keys_base64[1]}` });
    expect((await call(third.url, 'GET', '/v1/sys/mounts', undefined, init.root_token)).json.data['ssh/'].type).toBe(
      'ssh',
    );
    expect(third.errors()).toBe('');
    await third.stop();

    const keyFile = join(scratch('serve-seal-key'), 'shares');
    writeFileSync(keyFile, `${init.keys[1]}\n${init.keys[2]}\n`, { mode: 0o644 });
    chmodSync(keyFile, 0o644);
    expect(
      await runSshca(['serve', '--data-dir', dir, '--unseal-key-file', keyFile, '--listen', '127.0.0.1:0']),
    ).toEqual({
      code: 1,
      stdout: '',
      stderr: `sshca serve: refusing the unseal key file ${keyFile}: its mode is 0644, others may read it; run "chmod 600 ${keyFile}"\n`,
    });
    chmodSync(keyFile, 0o600);
    const fourth = await serve(['--data-dir', dir, '--unseal-key-file', keyFile]);
    expect((await call(fourth.url, 'GET', '/v1/sys/seal-status')).json.sealed).toBe(false);
  });
});

describe('sshca operator migrate', () => {
  it('an old unencrypted data dir is refused with the command; after it the server has everything', async () => {
    const dir = scratch('serve-old');
    const old = await VaultServer.open({
      storage: new FileStorage(join(dir, 'storage')),
      version: 'old',
      log: () => {},
    });
    await old.tokens.createRoot('old-root');
    writeFileSync(join(dir, 'root-token'), 'old-root\n', { mode: 0o600 });
    const { server: listener, url } = await old.listen('127.0.0.1', 0);
    await call(url, 'POST', '/v1/sys/mounts/ssh', { type: 'ssh' }, 'old-root');
    const publicKey = (await call(url, 'POST', '/v1/ssh/config/ca', { generate_signing_key: true }, 'old-root')).json
      .data.public_key;
    await old.close(listener);

    expect(await runSshca(['serve', '--data-dir', dir, '--listen', '127.0.0.1:0'])).toEqual({
      code: 1,
      stdout: '',
      stderr: `sshca serve: ${dir} is an unencrypted data directory from an earlier sshca: stop the server and run "sshca operator migrate --data-dir ${dir}" once\n`,
    });
    const entries = files(join(dir, 'storage')).length;
    const migrated = await runSshca(['operator', 'migrate', '--data-dir', dir]);
    expect(migrated).toEqual({
      code: 0,
      stdout:
        `Migrated ${dir}: ${entries} entries encrypted\n` +
        `Unseal key: ${join(dir, 'unseal-key')} (0600); "sshca serve --data-dir ${dir}" unseals with it at every start.\n` +
        'For real protection keep that key elsewhere: see "sshca serve --help".\n',
      stderr: '',
    });
    const served = await serve(['--data-dir', dir]);
    expect(served.output()).not.toContain('Root Token:');
    const res = await fetch(`${served.url}/v1/ssh/public_key`);
    expect((await res.text()).trim()).toBe(publicKey.trim());
    expect(
      (await call(served.url, 'GET', '/v1/auth/token/lookup-self', undefined, 'old-root')).json.data.policies,
    ).toEqual(['root']);
    expect(await runSshca(['operator', 'migrate', '--data-dir', dir])).toMatchObject({
      code: 1,
      stderr: `sshca operator: ${dir} is already encrypted: nothing to migrate\n`,
    });
  });
});
