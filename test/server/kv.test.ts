// KV version 2 on the embedded server over real HTTP (issue 20, point 1: revocations are kept there):
// mounting (kv-v2, kv with version 2), config, data writes with check-and-set, reads of the current
// and of older versions, soft delete, metadata read, list and delete, with the bodies, statuses and
// error texts of hashicorp/vault-plugin-secrets-kv; ACL create vs update; parallel check-and-set
// writers through the client (none lost); and a restart on a data directory (kept).

import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readKvData, readKvMetadata, updateKvData, writeKvData } from '../../client/kv-api.js';
import { VaultClient } from '../../client/vault-client.js';
import { FileStorage } from '../../server/storage/file-storage.js';
import { makeScratchDir, removeScratchDir } from '../helpers/scratch.js';
import { startTestServer, type TestServer } from '../helpers/vault-server.js';

const T0 = Date.UTC(2027, 0, 15, 8, 0, 0);
const T0_TEXT = '2027-01-15T08:00:00Z';
let nowMs = T0;
let srv: TestServer;

beforeAll(async () => {
  srv = await startTestServer({ clock: () => nowMs });
  expect((await srv.request('POST', '/v1/sys/mounts/secret', { type: 'kv-v2' })).status).toBe(204);
});
afterAll(() => srv?.close());
afterEach(() => {
  nowMs = T0;
});

describe('mounting', () => {
  it('kv-v2 and kv with options.version "2" are KV version 2 mounts', async () => {
    expect((await srv.request('POST', '/v1/sys/mounts/kv2', { type: 'kv', options: { version: '2' } })).status).toBe(
      204,
    );
    const mounts = (await srv.request('GET', '/v1/sys/mounts')).json.data;
    expect(mounts['secret/']).toMatchObject({ type: 'kv', options: { version: '2' } });
    expect(mounts['kv2/']).toMatchObject({ type: 'kv', options: { version: '2' } });
  });

  it('KV version 1 is refused', async () => {
    expect(await srv.request('POST', '/v1/sys/mounts/kv1', { type: 'kv-v1' })).toMatchObject({
      status: 400,
      json: {
        errors: [
          'the embedded server implements KV version 2 only: enable "kv-v2", or "kv" with options {"version": "2"}',
        ],
      },
    });
  });
});

describe('config', () => {
  it("reads Vault's defaults, then what was written", async () => {
    expect((await srv.request('GET', '/v1/secret/config')).json.data).toEqual({
      cas_required: false,
      delete_version_after: '0s',
      max_versions: 0,
    });
    expect((await srv.request('POST', '/v1/kv2/config', { max_versions: 3, delete_version_after: '1h' })).status).toBe(
      204,
    );
    expect((await srv.request('GET', '/v1/kv2/config')).json.data).toEqual({
      cas_required: false,
      delete_version_after: '1h0m0s',
      max_versions: 3,
    });
  });
});

describe('data and metadata', () => {
  it('writes versions with check-and-set and answers as Vault', async () => {
    const first = await srv.request('POST', '/v1/secret/data/revocations/ssh-dev', {
      options: { cas: 0 },
      data: { revocations: [{ serial: '42' }] },
    });
    expect(first.status).toBe(200);
    expect(first.json.data).toEqual({
      created_time: T0_TEXT,
      custom_metadata: null,
      deletion_time: '',
      destroyed: false,
      version: 1,
    });
    expect(first.json.mount_type).toBe('kv');

    // cas 0 again: the key exists now.
    expect(
      await srv.request('POST', '/v1/secret/data/revocations/ssh-dev', { options: { cas: 0 }, data: { x: 1 } }),
    ).toMatchObject({ status: 400, json: { errors: ['check-and-set parameter did not match the current version'] } });
    expect(
      await srv.request('POST', '/v1/secret/data/revocations/ssh-dev', { options: { cas: 'one' }, data: { x: 1 } }),
    ).toMatchObject({ status: 400, json: { errors: ['error parsing check-and-set parameter'] } });
    expect(await srv.request('POST', '/v1/secret/data/revocations/ssh-dev', { options: { cas: 1 } })).toMatchObject({
      status: 400,
      json: { errors: ['no data provided'] },
    });

    nowMs = T0 + 60_000;
    const second = await srv.request('POST', '/v1/secret/data/revocations/ssh-dev', {
      options: { cas: '1' },
      data: { revocations: [{ serial: '42' }, { serial: '43' }] },
    });
    expect(second.json.data).toMatchObject({ version: 2, created_time: '2027-01-15T08:01:00Z' });

    const read = await srv.request('GET', '/v1/secret/data/revocations/ssh-dev');
    expect(read.json.data).toEqual({
      data: { revocations: [{ serial: '42' }, { serial: '43' }] },
      metadata: {
        created_time: '2027-01-15T08:01:00Z',
        custom_metadata: null,
        deletion_time: '',
        destroyed: false,
        version: 2,
      },
    });
    expect((await srv.request('GET', '/v1/secret/data/revocations/ssh-dev?version=1')).json.data.data).toEqual({
      revocations: [{ serial: '42' }],
    });
    expect(await srv.request('GET', '/v1/secret/data/revocations/ssh-dev?version=7')).toMatchObject({
      status: 404,
      json: { errors: [] },
    });
    expect(await srv.request('GET', '/v1/secret/data/nothing-here')).toMatchObject({
      status: 404,
      json: { errors: [] },
    });

    expect((await srv.request('GET', '/v1/secret/metadata/revocations/ssh-dev')).json.data).toEqual({
      cas_required: false,
      created_time: T0_TEXT,
      current_version: 2,
      custom_metadata: null,
      delete_version_after: '0s',
      max_versions: 0,
      oldest_version: 0,
      updated_time: '2027-01-15T08:01:00Z',
      versions: {
        '1': { created_time: T0_TEXT, deletion_time: '', destroyed: false },
        '2': { created_time: '2027-01-15T08:01:00Z', deletion_time: '', destroyed: false },
      },
    });
    expect((await srv.request('GET', '/v1/secret/metadata/revocations?list=true')).json.data).toEqual({
      keys: ['ssh-dev'],
    });
    expect((await srv.request('GET', '/v1/secret/metadata/?list=true')).json.data).toEqual({ keys: ['revocations/'] });
  });

  it('a soft-deleted version reads as 404 with its metadata; metadata delete removes every version', async () => {
    await srv.request('POST', '/v1/secret/data/gone', { data: { a: 'b' } });
    nowMs = T0 + 5_000;
    expect((await srv.request('DELETE', '/v1/secret/data/gone')).status).toBe(204);
    const read = await srv.request('GET', '/v1/secret/data/gone');
    expect(read.status).toBe(404);
    expect(read.json.data).toEqual({
      data: null,
      metadata: {
        created_time: T0_TEXT,
        custom_metadata: null,
        deletion_time: '2027-01-15T08:00:05Z',
        destroyed: false,
        version: 1,
      },
    });
    // The next write still checks against version 1.
    expect(
      (await srv.request('POST', '/v1/secret/data/gone', { options: { cas: 1 }, data: { a: 'c' } })).json.data.version,
    ).toBe(2);
    expect((await srv.request('DELETE', '/v1/secret/metadata/gone')).status).toBe(204);
    expect((await srv.request('GET', '/v1/secret/metadata/gone')).status).toBe(404);
    expect((await srv.request('GET', '/v1/secret/data/gone?version=2')).status).toBe(404);
  });

  it('keeps max_versions versions (3 on kv2) and cas_required refuses writes without cas', async () => {
    for (let i = 1; i <= 5; i++) await srv.request('POST', '/v1/kv2/data/k', { data: { i } });
    const meta = (await srv.request('GET', '/v1/kv2/metadata/k')).json.data;
    expect(meta).toMatchObject({ current_version: 5, oldest_version: 3 });
    expect(Object.keys(meta.versions)).toEqual(['3', '4', '5']);
    expect((await srv.request('GET', '/v1/kv2/data/k?version=2')).status).toBe(404);
    expect((await srv.request('GET', '/v1/kv2/data/k?version=3')).json.data.data).toEqual({ i: 3 });

    await srv.request('POST', '/v1/kv2/config', { cas_required: true });
    expect(await srv.request('POST', '/v1/kv2/data/k', { data: { i: 6 } })).toMatchObject({
      status: 400,
      json: { errors: ['check-and-set parameter required for this call'] },
    });
  });

  it('unknown paths are refused as Vault refuses them', async () => {
    expect(await srv.request('GET', '/v1/secret/destroy/x')).toMatchObject({
      status: 404,
      json: { errors: ['1 error occurred:\n\t* unsupported path\n\n'] },
    });
  });

  it('the ACL sees create for a new key and update for an existing one', async () => {
    await srv.request('POST', '/v1/sys/policies/acl/kv-create', {
      policy: 'path "secret/data/*" { capabilities = ["create", "read"] }',
    });
    const token = (await srv.request('POST', '/v1/auth/token/create', { policies: ['kv-create'] })).json.auth
      .client_token;
    expect((await srv.request('POST', '/v1/secret/data/new-key', { data: { a: 1 } }, token)).status).toBe(200);
    expect(await srv.request('POST', '/v1/secret/data/new-key', { data: { a: 2 } }, token)).toMatchObject({
      status: 403,
      json: { errors: ['1 error occurred:\n\t* permission denied\n\n'] },
    });
  });
});

describe('concurrent check-and-set writers', () => {
  it('20 parallel appends through updateKvData: none is lost', async () => {
    const client = new VaultClient({ address: srv.url, token: srv.token });
    const ids = Array.from({ length: 20 }, (_, i) => `id-${i}`);
    await Promise.all(
      ids.map((id) =>
        updateKvData<{ items: string[] }>(client, 'secret', 'parallel', (cur) => ({
          items: [...(cur?.items ?? []), id],
        })),
      ),
    );
    const read = await readKvData<{ items: string[] }>(client, 'secret', 'parallel');
    expect([...read!.data.items].sort()).toEqual([...ids].sort());
    expect(read!.metadata.version).toBe(20);
    expect((await readKvMetadata(client, 'secret', 'parallel'))!.current_version).toBe(20);
  });
});

describe('restart on a data directory', () => {
  it('keeps the mount, versions and metadata', async () => {
    const dir = makeScratchDir('kv-restart');
    try {
      const storage = () => new FileStorage(join(dir, 'storage'));
      let s = await startTestServer({ storage: storage(), clock: () => T0 });
      await s.request('POST', '/v1/sys/mounts/sshca', { type: 'kv-v2' });
      const client = () => new VaultClient({ address: s.url, token: s.token });
      await writeKvData(client(), 'sshca', 'revocations/ssh-dev', { revocations: ['a'] }, { cas: 0 });
      await writeKvData(client(), 'sshca', 'revocations/ssh-dev', { revocations: ['a', 'b'] }, { cas: 1 });
      await s.close();
      s = await startTestServer({ storage: storage(), clock: () => T0 });
      try {
        expect(await readKvData(client(), 'sshca', 'revocations/ssh-dev')).toEqual({
          data: { revocations: ['a', 'b'] },
          metadata: { created_time: T0_TEXT, custom_metadata: null, deletion_time: '', destroyed: false, version: 2 },
        });
        expect((await readKvData(client(), 'sshca', 'revocations/ssh-dev', 1))!.data).toEqual({ revocations: ['a'] });
      } finally {
        await s.close();
      }
    } finally {
      removeScratchDir(dir);
    }
  });
});
