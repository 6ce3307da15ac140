// Vault's seal over real HTTP on the sealable front (server/seal/sealable-server.ts) over file
// storage: sys/init validation and answers, unsealing share by share with progress and nonce, reset,
// a wrong combination, sys/seal (authenticated, sudo), 503 "Vault is sealed" everywhere else, and
// sys/health's 501/503/200 with the sealedcode/uninitcode overrides.

import type { Server } from 'node:http';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SealableServer } from '../../../server/seal/sealable-server.js';
import { FileStorage } from '../../../server/storage/file-storage.js';
import { makeScratchDir, removeScratchDir } from '../../helpers/scratch.js';

let dir: string;
let front: SealableServer;
let listener: Server;
let url: string;

async function call(method: string, path: string, body?: unknown, token?: string) {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: token ? { 'X-Vault-Token': token } : {},
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, json: text === '' ? undefined : JSON.parse(text) };
}

async function start(): Promise<void> {
  front = await SealableServer.open({
    physical: new FileStorage(join(dir, 'storage')),
    version: '0.0.0-test',
    log: () => {},
  });
  ({ server: listener, url } = await front.listen('127.0.0.1', 0));
}

beforeEach(async () => {
  dir = makeScratchDir('seal-http');
  await start();
});

afterEach(async () => {
  await front.close(listener);
  removeScratchDir(dir);
});

const uninitialisedStatus = {
  type: 'shamir',
  initialized: false,
  sealed: true,
  t: 0,
  n: 0,
  progress: 0,
  nonce: '',
  version: '0.0.0-test',
  build_date: '',
  migration: false,
  recovery_seal: false,
  storage_type: 'file',
};

describe('sys/init', () => {
  it.each([
    [{ secret_shares: 0, secret_threshold: 1 }, 'invalid seal configuration: shares must be at least one'],
    [{ secret_shares: 1, secret_threshold: 0 }, 'invalid seal configuration: threshold must be at least one'],
    [
      { secret_shares: 3, secret_threshold: 1 },
      'invalid seal configuration: threshold must be greater than one for multiple shares',
    ],
    [{ secret_shares: 256, secret_threshold: 2 }, 'invalid seal configuration: shares must be less than 256'],
    [{ secret_shares: 3, secret_threshold: 4 }, 'invalid seal configuration: threshold cannot be larger than shares'],
    [{}, 'invalid seal configuration: shares must be at least one'],
    [
      { secret_shares: '3', secret_threshold: 2 },
      'json: cannot unmarshal string into Go struct field InitRequest.secret_shares of type int',
    ],
    [{ secret_shares: 1, secret_threshold: 1, recovery_shares: 1 }, 'parameters specific to auto unseal seals present'],
  ])('refuses %j with Vault’s message', async (body, message) => {
    expect(await call('PUT', '/v1/sys/init', body)).toEqual({ status: 400, json: { errors: [message] } });
    expect((await call('GET', '/v1/sys/init')).json).toEqual({ initialized: false });
  });

  it('answers the keys and root token once, stays sealed, and refuses a second init', async () => {
    expect(await call('GET', '/v1/sys/seal-status')).toEqual({ status: 200, json: uninitialisedStatus });
    const init = await call('PUT', '/v1/sys/init', { secret_shares: 5, secret_threshold: 3 });
    expect(init.status).toBe(200);
    expect(Object.keys(init.json)).toEqual(['keys', 'keys_base64', 'root_token']);
    expect(init.json.keys).toHaveLength(5);
    for (const [i, k] of (init.json.keys as string[]).entries()) {
      expect(k).toMatch(/^[0-9a-f]{66}$/); // 32 bytes and the x coordinate
      expect(Buffer.from(init.json.keys_base64[i], 'base64').toString('hex')).toBe(k);
    }
    expect(init.json.root_token).toMatch(/^hvs\./);
    expect((await call('GET', '/v1/sys/init')).json).toEqual({ initialized: true });
    expect((await call('GET', '/v1/sys/seal-status')).json).toMatchObject({
      initialized: true,
      sealed: true,
      t: 3,
      n: 5,
      progress: 0,
    });
    expect(await call('PUT', '/v1/sys/init', { secret_shares: 1, secret_threshold: 1 })).toEqual({
      status: 400,
      json: { errors: ['Vault is already initialized'] },
    });
  });
});

describe('sys/unseal', () => {
  it('takes shares one by one with progress and nonce, ignores a repeat, resets, then unseals', async () => {
    const { keys, keys_base64, root_token } = (
      await call('PUT', '/v1/sys/init', { secret_shares: 5, secret_threshold: 3 })
    ).json;
    const first = await call('PUT', '/v1/sys/unseal', { key: keys[0] });
    expect(first.status).toBe(200);
    expect(first.json).toMatchObject({ sealed: true, t: 3, n: 5, progress: 1 });
    expect(first.json.nonce).toMatch(/^[0-9a-f-]{36}$/);
    const repeat = await call('PUT', '/v1/sys/unseal', { key: keys_base64[0] });
    expect(repeat.json).toMatchObject({ progress: 1, nonce: first.json.nonce });
    expect((await call('PUT', '/v1/sys/unseal', { reset: true })).json).toMatchObject({ progress: 0, nonce: '' });
    await call('PUT', '/v1/sys/unseal', { key: keys[4] });
    expect((await call('PUT', '/v1/sys/unseal', { key: keys_base64[2] })).json).toMatchObject({
      sealed: true,
      progress: 2,
    });
    const done = await call('PUT', '/v1/sys/unseal', { key: keys[1] });
    expect(done.status).toBe(200);
    expect(done.json).toMatchObject({
      sealed: false,
      t: 3,
      n: 5,
      progress: 0,
      nonce: '',
      cluster_name: 'sshca-embedded',
    });
    expect(done.json.cluster_id).toMatch(/^[0-9a-f-]{36}$/);
    expect((await call('GET', '/v1/auth/token/lookup-self', undefined, root_token)).json.data.policies).toEqual([
      'root',
    ]);
    expect(await call('PUT', '/v1/sys/unseal', { reset: true })).toEqual({
      status: 400,
      json: { errors: ['vault is unsealed'] },
    });
  });

  it.each([
    [{}, "'key' must be specified in request body as JSON, or 'reset' set to true"],
    [{ key: 'not a key!' }, "'key' must be a valid hex or base64 string"],
    [{ key: 'abcd' }, 'invalid key: key is shorter than minimum 16 bytes'],
    [{ key: 'ab'.repeat(34) }, 'invalid key: key is longer than maximum 33 bytes'],
  ])('refuses %j with Vault’s message', async (body, message) => {
    await call('PUT', '/v1/sys/init', { secret_shares: 1, secret_threshold: 1 });
    expect(await call('PUT', '/v1/sys/unseal', body)).toEqual({ status: 400, json: { errors: [message] } });
  });

  it('answers "Vault is not initialized" before init', async () => {
    expect(await call('PUT', '/v1/sys/unseal', { key: 'ab'.repeat(32) })).toEqual({
      status: 400,
      json: { errors: ['Vault is not initialized'] },
    });
  });

  it('refuses a wrong combination with Vault’s error, resets the progress and stays sealed', async () => {
    const a = (await call('PUT', '/v1/sys/init', { secret_shares: 3, secret_threshold: 2 })).json;
    await front.close(listener);
    removeScratchDir(dir);
    dir = makeScratchDir('seal-http');
    await start();
    const b = (await call('PUT', '/v1/sys/init', { secret_shares: 3, secret_threshold: 2 })).json;
    await call('PUT', '/v1/sys/unseal', { key: b.keys[0] });
    expect(await call('PUT', '/v1/sys/unseal', { key: a.keys[1] })).toEqual({
      status: 400,
      json: { errors: ['cipher: message authentication failed'] },
    });
    expect((await call('GET', '/v1/sys/seal-status')).json).toMatchObject({ sealed: true, progress: 0, nonce: '' });
    const single = await call('PUT', '/v1/sys/unseal', { key: 'ab'.repeat(32) });
    expect(single.json).toMatchObject({ sealed: true, progress: 1 });
    await call('PUT', '/v1/sys/unseal', { key: b.keys[2] });
    expect((await call('GET', '/v1/sys/seal-status')).json).toMatchObject({ sealed: true, progress: 0 });
    await call('PUT', '/v1/sys/unseal', { key: b.keys[2] });
    expect((await call('PUT', '/v1/sys/unseal', { key: b.keys[0] })).json).toMatchObject({ sealed: false });
  });
});

describe('sealed', () => {
  it.each([
    '/v1/sys/mounts',
    '/v1/ssh/sign/dev',
    '/v1/auth/token/lookup-self',
    '/v1/sys/policies/acl/x',
    '/v1/sys/seal',
    '/v1/sys/key-status',
    '/v1/identity/entity/id?list=true',
  ])('%s answers 503 "Vault is sealed"', async (path) => {
    expect(await call('GET', path, undefined, 'some-token')).toEqual({
      status: 503,
      json: { errors: ['Vault is sealed'] },
    });
    expect(await call('POST', path, { a: 1 })).toEqual({ status: 503, json: { errors: ['Vault is sealed'] } });
  });

  it('sys/health: 501 uninitialised, 503 sealed, 200 unsealed, with the overrides', async () => {
    const uninit = await call('GET', '/v1/sys/health');
    expect(uninit.status).toBe(501);
    expect(uninit.json).toMatchObject({ initialized: false, sealed: true, standby: true });
    expect(uninit.json.cluster_id).toBeUndefined();
    expect((await call('GET', '/v1/sys/health?uninitcode=200')).status).toBe(200);
    const { keys } = (await call('PUT', '/v1/sys/init', { secret_shares: 1, secret_threshold: 1 })).json;
    const sealed = await call('GET', '/v1/sys/health');
    expect(sealed.status).toBe(503);
    expect(sealed.json).toMatchObject({ initialized: true, sealed: true, standby: true, version: '0.0.0-test' });
    expect((await call('GET', '/v1/sys/health?sealedcode=299')).status).toBe(299);
    expect(await call('GET', '/v1/sys/health?sealedcode=x')).toEqual({
      status: 400,
      json: { errors: ['strconv.Atoi: parsing "x": invalid syntax'] },
    });
    await call('PUT', '/v1/sys/unseal', { key: keys[0] });
    const active = await call('GET', '/v1/sys/health');
    expect(active.status).toBe(200);
    expect(active.json).toMatchObject({
      initialized: true,
      sealed: false,
      standby: false,
      cluster_name: 'sshca-embedded',
    });
  });
});

describe('sys/seal', () => {
  it('needs a token with sudo, then seals: every path 503 until unsealed again, data kept', async () => {
    const { keys, root_token } = (await call('PUT', '/v1/sys/init', { secret_shares: 1, secret_threshold: 1 })).json;
    await call('PUT', '/v1/sys/unseal', { key: keys[0] });
    expect(await call('POST', '/v1/sys/mounts/ssh', { type: 'ssh' }, root_token)).toMatchObject({ status: 204 });
    expect((await call('PUT', '/v1/sys/seal')).status).toBe(403);
    expect((await call('PUT', '/v1/sys/seal', undefined, 'nope')).status).toBe(403);
    await call(
      'PUT',
      '/v1/sys/policies/acl/no-sudo',
      { policy: 'path "sys/seal" { capabilities = ["update"] }' },
      root_token,
    );
    const weak = (await call('POST', '/v1/auth/token/create', { policies: ['no-sudo'] }, root_token)).json.auth
      .client_token;
    expect((await call('PUT', '/v1/sys/seal', undefined, weak)).status).toBe(403);
    expect(await call('PUT', '/v1/sys/seal', undefined, root_token)).toEqual({ status: 204, json: undefined });
    expect(await call('GET', '/v1/sys/mounts', undefined, root_token)).toEqual({
      status: 503,
      json: { errors: ['Vault is sealed'] },
    });
    expect((await call('GET', '/v1/sys/seal-status')).json).toMatchObject({ initialized: true, sealed: true });
    expect(front.server).toBeUndefined();
    await call('PUT', '/v1/sys/unseal', { key: keys[0] });
    expect((await call('GET', '/v1/sys/mounts', undefined, root_token)).json.data['ssh/'].type).toBe('ssh');
  });
});
