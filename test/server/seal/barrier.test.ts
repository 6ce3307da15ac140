// The barrier on a real data directory (server/data-dir.ts, file storage, real HTTP): nothing secret
// is readable in DIR/storage (every file scanned for the CA private keys, the tokens, the userpass
// password and the unseal key; the same scan finds them all in an unencrypted directory), key
// rotation (new writes carry the new term, old values still read), the storage key as additional
// data (a value copied onto another key's file answers a clear 500 and the server keeps serving),
// and a restart that unseals itself from DIR/unseal-key.

import { copyFileSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDataDir } from '../../../server/data-dir.js';
import type { SealableServer } from '../../../server/seal/sealable-server.js';
import { generateKeyPair } from '../../../server/ssh/generate-key-pair.js';
import { FileStorage } from '../../../server/storage/file-storage.js';
import { VaultServer } from '../../../server/vault-server.js';
import { makeScratchDir, removeScratchDir } from '../../helpers/scratch.js';

let dir: string;
let front: SealableServer | undefined;
let listener: Server | undefined;
let url: string;
let root: string;

/** The test's own writer: same contract as cli/files.ts (0600). */
const writeSecret = (path: string, content: string) => writeFileSync(path, content, { mode: 0o600 });

async function open(): Promise<void> {
  const opened = await openDataDir(dir, { version: '0.0.0-test', log: () => {} }, writeSecret);
  front = opened.server;
  ({ server: listener, url } = await front.listen('127.0.0.1', 0));
  root = readFileSync(join(dir, 'root-token'), 'utf8').trim();
}

async function close(): Promise<void> {
  if (front && listener) await front.close(listener);
  front = undefined;
  listener = undefined;
}

async function call(method: string, path: string, body?: unknown, token: string | null = root) {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: token === null ? {} : { 'X-Vault-Token': token },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, json: text === '' ? undefined : JSON.parse(text) };
}

/** Every file under `d`. */
function files(d: string): string[] {
  return readdirSync(d, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(d, e.name)) : [join(d, e.name)],
  );
}

/** A storage file by its key (segments are plain names here). */
const fileOf = (key: string) => join(dir, 'storage', ...key.split('/'));

beforeEach(() => {
  dir = makeScratchDir('barrier');
});

afterEach(async () => {
  await close();
  removeScratchDir(dir);
});

/** Put secrets in: an imported CA (known private key), a generated one, a userpass user, tokens. */
async function provision(
  call: (m: string, p: string, b?: unknown, t?: string | null) => Promise<{ status: number; json: any }>,
) {
  const pair = generateKeyPair('ed25519', 0);
  await call('POST', '/v1/sys/mounts/ssh', { type: 'ssh' });
  expect(
    (await call('POST', '/v1/ssh/config/ca', { private_key: pair.privateKey, public_key: pair.publicKey })).status,
  ).toBe(204);
  await call('POST', '/v1/sys/mounts/ssh-gen', { type: 'ssh' });
  expect((await call('POST', '/v1/ssh-gen/config/ca', { generate_signing_key: true })).status).toBe(200);
  await call('POST', '/v1/ssh/roles/dev', {
    key_type: 'ca',
    allow_user_certificates: true,
    allowed_users: 'dev',
    default_user: 'dev',
    ttl: '5m',
  });
  await call('POST', '/v1/sys/auth/userpass', { type: 'userpass' });
  const password = 'correct-horse-battery-staple-42';
  await call('POST', '/v1/auth/userpass/users/alice', { password, token_policies: 'default' });
  const login = (await call('POST', '/v1/auth/userpass/login/alice', { password }, null)).json.auth
    .client_token as string;
  const child = (await call('POST', '/v1/auth/token/create', { policies: ['default'] })).json.auth
    .client_token as string;
  const pem = pair.privateKey
    .split('\n')
    .filter((l) => l !== '' && !l.startsWith('-----'))
    .join('');
  return { pem, password, tokens: [login, child] };
}

/** Which of `needles` occur in any file under `d` (as text, and PEM bodies also as their raw bytes). */
function found(d: string, needles: Record<string, string | Buffer>): string[] {
  const contents = files(d).map((f) => readFileSync(f));
  return Object.entries(needles)
    .filter(([, n]) =>
      contents.some(
        (c) =>
          c.includes(n) ||
          c
            .toString('utf8')
            .replace(/\\n|\n/g, '')
            .includes(String(n)),
      ),
    )
    .map(([name]) => name);
}

describe('secrets at rest', () => {
  it('nothing secret is readable in DIR/storage', async () => {
    await open();
    const { pem, password, tokens } = await provision(call);
    // The generated CA's private key, as the engine stored it (read through the open barrier).
    const barrier = front!.sealState.barrier!;
    const generated: string[] = [];
    const walk = async (prefix: string): Promise<void> => {
      for (const k of await barrier.list(prefix)) {
        if (k.endsWith('/')) await walk(prefix + k);
        else {
          const text = (await barrier.get(prefix + k))!.toString('utf8');
          for (const m of text.matchAll(/-----BEGIN [A-Z ]*PRIVATE KEY-----(?:\\n|\n)([\s\S]*?)-----END/g)) {
            generated.push(m[1]!.replace(/\\n|\n/g, ''));
          }
        }
      }
    };
    await walk('');
    expect(generated.length).toBeGreaterThanOrEqual(2);
    const unsealHex = readFileSync(join(dir, 'unseal-key'), 'utf8').trim();
    const needles: Record<string, string | Buffer> = {
      'imported CA key': pem.slice(0, 40),
      ...Object.fromEntries(generated.map((g, i) => [`stored CA key ${i}`, g.slice(0, 40)])),
      'PRIVATE KEY marker': 'PRIVATE KEY',
      'userpass password': password,
      'root token': root,
      'login token': tokens[0]!,
      'child token': tokens[1]!,
      'unseal key (hex)': unsealHex,
      'unseal key (bytes)': Buffer.from(unsealHex, 'hex'),
    };
    expect(found(join(dir, 'storage'), needles)).toEqual([]);
    // Positive control: the same scan finds them in an unencrypted directory as older versions wrote.
    const plainDir = makeScratchDir('barrier-plain');
    try {
      const plain = await VaultServer.open({
        storage: new FileStorage(join(plainDir, 'storage')),
        version: 't',
        log: () => {},
      });
      await plain.tokens.createRoot(root);
      const { server: l, url: u } = await plain.listen('127.0.0.1', 0);
      const plainCall = async (m: string, p: string, b?: unknown, t: string | null = root) => {
        const r = await fetch(`${u}${p}`, {
          method: m,
          headers: t === null ? {} : { 'X-Vault-Token': t },
          ...(b === undefined ? {} : { body: JSON.stringify(b) }),
        });
        const x = await r.text();
        return { status: r.status, json: x === '' ? undefined : JSON.parse(x) };
      };
      const p = await provision(plainCall);
      await plain.close(l);
      expect(found(join(plainDir, 'storage'), { ca: p.pem.slice(0, 40), marker: 'PRIVATE KEY' })).toEqual([
        'ca',
        'marker',
      ]);
    } finally {
      removeScratchDir(plainDir);
    }
    // DIR itself: only the convenience key and root token files hold secrets, both 0600.
    expect(readdirSync(dir).sort()).toEqual(['root-token', 'storage', 'unseal-key']);
    expect(statSync(join(dir, 'unseal-key')).mode & 0o777).toBe(0o600);
  });
});

describe('keyring', () => {
  it('sys/rotate adds a term: new writes use it, old values still read; sys/key-status shows it', async () => {
    await open();
    await call('PUT', '/v1/sys/policies/acl/old', { policy: 'path "a" { capabilities = ["read"] }' });
    const status1 = await call('GET', '/v1/sys/key-status');
    expect(status1.status).toBe(200);
    expect(status1.json.data).toMatchObject({ term: 1 });
    expect(status1.json.data.install_time).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(status1.json.term).toBe(1); // Vault copies sys/key-status data to the top level too
    const oldFile = fileOf('core/policies/old');
    expect(readFileSync(oldFile).readUInt32BE(1)).toBe(1);
    expect(await call('PUT', '/v1/sys/rotate')).toEqual({ status: 204, json: undefined });
    expect((await call('GET', '/v1/sys/key-status')).json.data.term).toBe(2);
    await call('PUT', '/v1/sys/policies/acl/new', { policy: 'path "b" { capabilities = ["read"] }' });
    expect(readFileSync(fileOf('core/policies/new'))[0]).toBe(0x01);
    expect(readFileSync(fileOf('core/policies/new')).readUInt32BE(1)).toBe(2);
    expect(readFileSync(oldFile).readUInt32BE(1)).toBe(1);
    // After a restart (auto-unseal) both terms still read.
    await close();
    await open();
    expect((await call('GET', '/v1/sys/policies/acl/old')).json.data.policy).toContain('"a"');
    expect((await call('GET', '/v1/sys/policies/acl/new')).json.data.policy).toContain('"b"');
    expect((await call('GET', '/v1/sys/key-status')).json.data.term).toBe(2);
  });

  it('sys/rotate and sys/key-status need sudo', async () => {
    await open();
    await call('PUT', '/v1/sys/policies/acl/rot', {
      policy: 'path "sys/rotate" { capabilities = ["update"] }\npath "sys/key-status" { capabilities = ["read"] }',
    });
    const t = (await call('POST', '/v1/auth/token/create', { policies: ['rot'] })).json.auth.client_token;
    expect((await call('PUT', '/v1/sys/rotate', undefined, t)).status).toBe(403);
    expect((await call('GET', '/v1/sys/key-status', undefined, t)).status).toBe(403);
    expect((await call('GET', '/v1/sys/key-status', undefined, null)).status).toBe(403);
  });

  it('a value copied onto another key does not decrypt: a clear 500, and the server keeps serving', async () => {
    await open();
    await call('PUT', '/v1/sys/policies/acl/one', { policy: 'path "one" { capabilities = ["read"] }' });
    await call('PUT', '/v1/sys/policies/acl/two', { policy: 'path "two" { capabilities = ["read"] }' });
    // Behind a stopped server: a running one reads what it wrote from its cache, not from the file.
    await close();
    copyFileSync(fileOf('core/policies/one'), fileOf('core/policies/two'));
    await open();
    expect(await call('GET', '/v1/sys/policies/acl/two')).toEqual({
      status: 500,
      json: {
        errors: [
          '1 error occurred:\n\t* storage entry "core/policies/two" does not decrypt: it was changed, or copied from another entry\n\n',
        ],
      },
    });
    expect((await call('GET', '/v1/sys/policies/acl/one')).json.data.policy).toContain('"one"');
  });
});

describe('restart', () => {
  it('a new directory initialises with DIR/unseal-key and every start unseals with it', async () => {
    await open();
    await call('POST', '/v1/sys/mounts/kv', { type: 'kv-v2' });
    expect((await call('POST', '/v1/kv/data/app', { data: { password: 'hunter2' } })).status).toBe(200);
    expect(readFileSync(join(dir, 'unseal-key'), 'utf8')).toMatch(/^[0-9a-f]{64}\n$/);
    await close();
    const again = await openDataDir(dir, { version: '0.0.0-test', log: () => {} }, writeSecret);
    expect(again.createdRootToken).toBeUndefined();
    expect(again.notice).toContain('unseal-key, which lies beside the data it protects');
    front = again.server;
    ({ server: listener, url } = await front.listen('127.0.0.1', 0));
    expect((await call('GET', '/v1/kv/data/app')).json.data.data).toEqual({ password: 'hunter2' });
  });
});
