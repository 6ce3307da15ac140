// File audit devices over real HTTP: one JSON line per request and per response in Vault's shape,
// strings HMAC'd with the device's salt (unless log_raw), sys/audit-hash, and a failing device
// failing the request.

import { mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeScratchDir, removeScratchDir } from '../helpers/scratch.js';
import { startTestServer, type TestServer } from '../helpers/vault-server.js';

let server: TestServer;
let dir: string;

beforeEach(async () => {
  dir = makeScratchDir('audit');
  server = await startTestServer();
});

afterEach(async () => {
  await server.close();
  removeScratchDir(dir);
});

const lines = (file: string) =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l));

async function enable(path: string, options: Record<string, unknown>) {
  const r = await server.request('POST', `/v1/sys/audit/${path}`, { type: 'file', options });
  expect(r.status).toBe(204);
}

const hmacOf = async (device: string, input: string): Promise<string> =>
  (await server.request('POST', `/v1/sys/audit-hash/${device}`, { input })).json.data.hash;

describe('sys/audit', () => {
  it('enables, lists and disables a file device; the file is 0600', async () => {
    const file = join(dir, 'audit.log');
    await enable('file', { file_path: file });
    const r = await server.request('GET', '/v1/sys/audit');
    expect(r.json.data).toEqual({
      'file/': { path: 'file/', type: 'file', description: '', options: { file_path: file }, local: false },
    });
    expect(readFileSync(file).length).toBeGreaterThan(0);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect((await server.request('DELETE', '/v1/sys/audit/file')).status).toBe(204);
    expect((await server.request('GET', '/v1/sys/audit')).json.data).toEqual({});
  });

  it('refuses a device without file_path, of an unknown type, or whose file cannot be opened', async () => {
    expect((await server.request('POST', '/v1/sys/audit/f', { type: 'file', options: {} })).json).toEqual({
      errors: ['file_path is required'],
    });
    expect((await server.request('POST', '/v1/sys/audit/s', { type: 'syslog', options: {} })).json).toEqual({
      errors: ['unknown backend type: "syslog"'],
    });
    const r = await server.request('POST', '/v1/sys/audit/f', {
      type: 'file',
      options: { file_path: join(dir, 'no/such/dir/a.log') },
    });
    expect(r.status).toBe(400);
    expect(r.json.errors[0]).toMatch(
      /^sanity check failed; unable to open ".*no\/such\/dir\/a\.log" for writing: ENOENT/,
    );
  });
});

describe('entries', () => {
  it('writes a request and a response line per request, strings hashed with the salt', async () => {
    const file = join(dir, 'audit.log');
    await enable('file', { file_path: file });
    const before = lines(file).length;
    await server.request('POST', '/v1/sys/mounts/ssh', { type: 'ssh', description: 'team ssh' });
    const [request, response] = lines(file).slice(before);
    const hash = (v: string) => hmacOf('file', v);
    expect(request).toEqual({
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      type: 'request',
      auth: {
        client_token: await hash(server.token),
        accessor: expect.stringMatching(/^hmac-sha256:[0-9a-f]{64}$/),
        display_name: 'root',
        policies: ['root'],
        token_policies: ['root'],
        metadata: null,
        entity_id: '',
        token_type: 'service',
        token_ttl: 0,
        token_issue_time: expect.stringMatching(/Z$/),
      },
      request: {
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        operation: 'update',
        mount_point: 'sys/',
        mount_type: 'system',
        mount_accessor: 'system_00000000',
        client_token: await hash(server.token),
        client_token_accessor: request.auth.accessor,
        namespace: { id: 'root' },
        path: 'sys/mounts/ssh',
        data: { type: await hash('ssh'), description: await hash('team ssh') },
        remote_address: '127.0.0.1',
        remote_port: expect.any(Number),
      },
      error: '',
    });
    expect(response.type).toBe('response');
    expect(response.request.id).toBe(request.request.id);
    expect(response.response).toEqual({
      mount_point: 'sys/',
      mount_type: 'system',
      mount_accessor: 'system_00000000',
      data: null,
    });
    expect(response.error).toBe('');
  });

  it('hashes with HMAC-SHA256 keyed by the salt: equal inputs, equal hashes; log_raw and hmac_accessor', async () => {
    const hashed = join(dir, 'hashed.log');
    const raw = join(dir, 'raw.log');
    await enable('hashed', { file_path: hashed, hmac_accessor: 'false', prefix: 'AUDIT ' });
    await enable('raw', { file_path: raw, log_raw: 'true' });
    await server.request('GET', '/v1/sys/mounts');
    const rawLine = lines(raw).at(-1);
    expect(rawLine.request.client_token).toBe(server.token);
    const hashedText = readFileSync(hashed, 'utf8').trim().split('\n').at(-1)!;
    expect(hashedText.startsWith('AUDIT {')).toBe(true);
    const hashedLine = JSON.parse(hashedText.slice('AUDIT '.length));
    expect(hashedLine.request.client_token_accessor).toBe(rawLine.request.client_token_accessor);
    expect(hashedLine.request.client_token).toBe(await hmacOf('hashed', server.token));
    expect(hashedLine.request.client_token).not.toBe(await hmacOf('raw', server.token));
    expect(await hmacOf('hashed', 'x')).toMatch(/^hmac-sha256:[0-9a-f]{64}$/);
  });

  it('logs errors in the response line', async () => {
    const file = join(dir, 'audit.log');
    await enable('file', { file_path: file });
    await server.request('GET', '/v1/sys/mounts', undefined, 'hvs.not-a-token');
    const [request, response] = lines(file).slice(-2);
    expect(request.auth).toBeUndefined();
    // An unknown token: Vault's error text for it, permission denied and invalid token.
    expect(response.error).toBe('2 errors occurred:\n\t* permission denied\n\t* invalid token\n\n');
  });

  it('fails the request when no device can write, as Vault does', async () => {
    const file = join(dir, 'audit.log');
    await enable('file', { file_path: file });
    rmSync(file);
    mkdirSync(file); // a directory where the log was: the device cannot append any more
    const r = await server.request('POST', '/v1/sys/mounts/ssh', { type: 'ssh' });
    expect(r.status).toBe(500);
    expect(r.json).toEqual({ errors: ['1 error occurred:\n\t* internal error\n\n'] });
    rmSync(file, { recursive: true });
    // The refused request was never carried out.
    expect((await server.request('GET', '/v1/sys/mounts')).json.data['ssh/']).toBeUndefined();
  });
});
