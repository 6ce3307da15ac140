// sys/health, sys/mounts and the HTTP conventions of the embedded server (reference §1, §5.1,
// §5.6): envelopes, legacy top-level copies, routing errors, body parsing and size limits.

import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/vault-server.js';

let srv: TestServer;
const wrapped = (m: string) => `1 error occurred:\n\t* ${m}\n\n`;

beforeAll(async () => {
  srv = await startTestServer();
});

afterAll(() => srv.close());

describe('sys/health', () => {
  it("answers without a token, with Vault's fields", async () => {
    const r = await srv.request('GET', '/v1/sys/health', undefined, null);
    expect(r.status).toBe(200);
    expect(Object.keys(r.json)).toEqual([
      'initialized',
      'sealed',
      'standby',
      'performance_standby',
      'replication_performance_mode',
      'replication_dr_mode',
      'server_time_utc',
      'version',
      'enterprise',
      'cluster_name',
      'cluster_id',
      'echo_duration_ms',
      'clock_skew_ms',
    ]);
    expect(r.json).toMatchObject({ initialized: true, sealed: false, standby: false, version: '0.0.0-test' });
  });

  it('honours activecode, refuses a non-integer code, and answers HEAD with the status only', async () => {
    expect((await srv.request('GET', '/v1/sys/health?activecode=299', undefined, null)).status).toBe(299);
    expect(await srv.request('GET', '/v1/sys/health?activecode=abc', undefined, null)).toMatchObject({
      status: 400,
      json: { errors: ['strconv.Atoi: parsing "abc": invalid syntax'] },
    });
    const head = await fetch(`${srv.url}/v1/sys/health`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });
});

describe('sys/mounts', () => {
  it("enables at nested paths with TTLs and lists in Vault's shape (data also at top level)", async () => {
    const enable = await srv.request('POST', '/v1/sys/mounts/team/ssh-dev', {
      type: 'ssh',
      description: 'dev',
      config: { default_lease_ttl: '1h', max_lease_ttl: '24h' },
    });
    expect(enable.status).toBe(204);
    const list = await srv.request('GET', '/v1/sys/mounts');
    expect(Object.keys(list.json.data)).toEqual(['sys/', 'team/ssh-dev/']);
    expect(list.json['team/ssh-dev/']).toEqual(list.json.data['team/ssh-dev/']);
    expect(list.json.data['team/ssh-dev/']).toMatchObject({
      type: 'ssh',
      description: 'dev',
      accessor: expect.stringMatching(/^ssh_[0-9a-f]{8}$/),
      config: { default_lease_ttl: 3600, max_lease_ttl: 86400, force_no_cache: false },
      local: false,
      seal_wrap: false,
    });
    expect(list.json.mount_type).toBe('system');
  });

  it('refuses what Vault refuses', async () => {
    const cases: Array<[string, Record<string, unknown>, string]> = [
      ['x', {}, 'backend type must be specified as a string'],
      ['team/ssh-dev', { type: 'ssh' }, 'path is already in use at team/ssh-dev/'],
      ['team', { type: 'ssh' }, 'path is already in use at team/ssh-dev/'],
      ['sys/x', { type: 'ssh' }, 'cannot mount "sys/x/"'],
      ['db', { type: 'database' }, 'plugin not found in the catalog: database'],
      // KV version 1 (Vault's default for "kv") is not implemented: revocations use KV version 2 (issue 20).
      [
        'kv',
        { type: 'kv' },
        'the embedded server implements KV version 2 only: enable "kv-v2", or "kv" with options {"version": "2"}',
      ],
      ['kv', { type: 'ssh', options: { version: '2' } }, 'secrets engine "ssh" does not allow setting a version'],
      [
        'y',
        { type: 'ssh', config: { default_lease_ttl: '2h', max_lease_ttl: '1h' } },
        'given default lease TTL greater than given max lease TTL',
      ],
      [
        'z',
        { type: 'ssh', config: { max_lease_ttl: 'forever' } },
        'unable to parse max TTL of forever: time: invalid duration "forever"',
      ],
    ];
    for (const [path, body, message] of cases) {
      expect(await srv.request('POST', `/v1/sys/mounts/${path}`, body)).toMatchObject({
        status: 400,
        json: { errors: [message] },
      });
    }
  });

  it('tunes and reads the effective TTLs; disabling removes the mount and its data', async () => {
    expect((await srv.request('POST', '/v1/sys/mounts/team/ssh-dev/tune', { max_lease_ttl: '48h' })).status).toBe(204);
    expect((await srv.request('GET', '/v1/sys/mounts/team/ssh-dev/tune')).json.data).toEqual({
      default_lease_ttl: 3600,
      max_lease_ttl: 172800,
      force_no_cache: false,
      description: 'dev',
    });
    await srv.request('POST', '/v1/team/ssh-dev/roles/r', { key_type: 'ca', allow_user_certificates: true });
    expect((await srv.request('DELETE', '/v1/sys/mounts/team/ssh-dev')).status).toBe(204);
    expect((await srv.request('DELETE', '/v1/sys/mounts/never-there')).status).toBe(204);
    await srv.request('POST', '/v1/sys/mounts/team/ssh-dev', { type: 'ssh' });
    expect((await srv.request('GET', '/v1/team/ssh-dev/roles/r')).status).toBe(404);
  });
});

describe('HTTP conventions', () => {
  it("routes unknown mounts, paths and operations to Vault's errors", async () => {
    expect(await srv.request('GET', '/v1/nowhere/x')).toMatchObject({
      status: 404,
      json: { errors: ['no handler for route "nowhere/x". route entry not found.'] },
    });
    await srv.request('POST', '/v1/sys/mounts/ssh', { type: 'ssh' });
    expect(await srv.request('GET', '/v1/ssh/bogus')).toMatchObject({
      status: 404,
      json: { errors: [wrapped('unsupported path')] },
    });
    expect(await srv.request('DELETE', '/v1/ssh/sign/dev')).toMatchObject({
      status: 405,
      json: { errors: [wrapped('unsupported operation')] },
    });
    expect(await srv.request('PROPFIND', '/v1/ssh/roles/x')).toMatchObject({ status: 405, json: { errors: [] } });
    expect(await srv.request('POST', '/v1/ssh/roles/', { key_type: 'ca' })).toMatchObject({
      status: 400,
      json: { errors: ["cannot write to a path ending in '/'"] },
    });
    expect(await srv.request('GET', '/v1/ssh/roles?list=maybe')).toMatchObject({ status: 400, json: { errors: [] } });
  });

  it('parses JSON and form bodies, and refuses malformed JSON', async () => {
    expect(await srv.request('POST', '/v1/ssh/roles/x', '{"key_type": ')).toMatchObject({
      status: 400,
      json: { errors: ['error parsing JSON'] },
    });
    expect(await srv.request('POST', '/v1/ssh/roles/x', '[1,2]')).toMatchObject({
      status: 400,
      json: { errors: ['error parsing JSON'] },
    });
    const form = await fetch(`${srv.url}/v1/ssh/roles/form`, {
      method: 'POST',
      headers: { 'X-Vault-Token': srv.token, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'key_type=ca&allow_user_certificates=true&ttl=90m',
    });
    expect(form.status).toBe(204);
    expect((await srv.request('GET', '/v1/ssh/roles/form')).json.data).toMatchObject({
      ttl: 5400,
      allow_user_certificates: true,
    });
  });

  it('answers 413 to a body over 32 MiB', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(`${srv.url}/v1/ssh/roles/big`, {
        method: 'POST',
        headers: { 'X-Vault-Token': srv.token, 'Content-Length': String(33 * 1024 * 1024) },
      });
      req.on('response', (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(413);
  });
});
