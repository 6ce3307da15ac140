// Leases of OTP credentials over real HTTP: sys/leases lookup, renew (refused), revoke by id, URL and
// prefix (sudo), who may call what, expiry (by the clock and by the real timer), unmounting, durable
// storage across restarts (also with parallel verifications after one), and the audit trail of creds
// and verify with the OTP HMAC'd.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileStorage } from '../../server/storage/file-storage.js';
import { makeScratchDir, removeScratchDir } from '../helpers/scratch.js';
import { startTestServer, type TestServer } from '../helpers/vault-server.js';

let dir: string;
let nowMs: number | undefined;
let server: TestServer | undefined;

/** (Re)open the server on the same data directory, as `sshca serve --data-dir` does after a restart. */
async function reopen(): Promise<TestServer> {
  await server?.close();
  server = await startTestServer({
    storage: new FileStorage(join(dir, 'storage')),
    ...(nowMs !== undefined ? { clock: () => nowMs! } : {}),
  });
  return server;
}

async function setUp(s: TestServer, ttl = '1h'): Promise<void> {
  await s.request('POST', '/v1/sys/mounts/ssh', { type: 'ssh', config: { default_lease_ttl: ttl } });
  await s.request('POST', '/v1/ssh/roles/otp', { key_type: 'otp', default_user: 'ubuntu', cidr_list: '127.0.0.0/8' });
}

const issue = async (s: TestServer) => {
  const r = await s.request('POST', '/v1/ssh/creds/otp', { ip: '127.0.0.2' });
  return { otp: r.json.data.key as string, leaseId: r.json.lease_id as string, duration: r.json.lease_duration };
};
const verify = (s: TestServer, otp: string) => s.request('POST', '/v1/ssh/verify', { otp }, null);

beforeEach(() => {
  dir = makeScratchDir('leases');
  nowMs = undefined;
});

afterEach(async () => {
  await server?.close();
  server = undefined;
  removeScratchDir(dir);
});

describe('sys/leases', () => {
  it('looks a lease up, refuses to renew it, and revokes it, which deletes the unused OTP', async () => {
    nowMs = Date.UTC(2027, 0, 15, 8, 0, 0);
    const s = await reopen();
    await setUp(s);
    const { otp, leaseId } = await issue(s);
    const look = await s.request('PUT', '/v1/sys/leases/lookup', { lease_id: leaseId });
    expect(look.json.data).toEqual({
      id: leaseId,
      issue_time: '2027-01-15T08:00:00.000Z',
      expire_time: '2027-01-15T09:00:00.000Z',
      last_renewal: null,
      renewable: false,
      ttl: 3600,
    });
    expect((await s.request('PUT', '/v1/sys/leases/renew', { lease_id: leaseId })).json).toEqual({
      errors: ['lease is not renewable'],
    });
    expect((await s.request('PUT', '/v1/sys/leases/revoke', { lease_id: leaseId })).status).toBe(204);
    expect((await verify(s, otp)).json).toEqual({ errors: ['OTP not found'] });
    expect((await s.request('PUT', '/v1/sys/leases/lookup', { lease_id: leaseId })).json).toEqual({
      errors: ['invalid lease'],
    });
    expect((await s.request('PUT', '/v1/sys/leases/renew', { lease_id: leaseId })).json).toEqual({
      errors: ['lease not found'],
    });
    // Revoking what is gone is not an error, as in Vault.
    expect((await s.request('PUT', '/v1/sys/leases/revoke', { lease_id: leaseId })).status).toBe(204);
  });

  it('keeps the lease of a used OTP until it ends, as Vault does', async () => {
    const s = await reopen();
    await setUp(s);
    const { otp, leaseId } = await issue(s);
    expect((await verify(s, otp)).status).toBe(200);
    expect((await s.request('PUT', '/v1/sys/leases/lookup', { lease_id: leaseId })).json.data.id).toBe(leaseId);
  });

  it('takes the lease id from the URL, and asks for one in Vault words when there is none', async () => {
    const s = await reopen();
    await setUp(s);
    const { otp, leaseId } = await issue(s);
    expect((await s.request('PUT', `/v1/sys/leases/revoke/${leaseId}`, {})).status).toBe(204);
    expect((await verify(s, otp)).status).toBe(400);
    for (const path of ['sys/leases/lookup', 'sys/leases/renew', 'sys/leases/revoke']) {
      expect((await s.request('PUT', `/v1/${path}`, {})).json).toEqual({ errors: ['lease_id must be specified'] });
    }
  });

  it('revokes and lists by prefix with sudo only; the default policy may look up and renew', async () => {
    const s = await reopen();
    await setUp(s);
    const a = await issue(s);
    const b = await issue(s);
    await s.request('POST', '/v1/sys/policies/acl/otp-user', {
      policy:
        'path "ssh/creds/otp" { capabilities = ["update"] }\npath "sys/leases/revoke-prefix/*" { capabilities = ["update"] }',
    });
    const user = (await s.request('POST', '/v1/auth/token/create', { policies: ['otp-user'] })).json.auth.client_token;
    expect((await s.request('PUT', '/v1/sys/leases/lookup', { lease_id: a.leaseId }, user)).status).toBe(200);
    expect((await s.request('PUT', '/v1/sys/leases/renew', { lease_id: a.leaseId }, user)).json).toEqual({
      errors: ['lease is not renewable'],
    });
    expect((await s.request('PUT', '/v1/sys/leases/revoke', { lease_id: a.leaseId }, user)).status).toBe(403);
    expect((await s.request('PUT', '/v1/sys/leases/revoke-prefix/ssh/creds', {}, user)).status).toBe(403);
    expect((await s.request('LIST', '/v1/sys/leases/lookup/ssh/creds/otp', undefined, user)).status).toBe(403);
    const listed = await s.request('LIST', '/v1/sys/leases/lookup/ssh/creds/otp');
    expect(listed.json.data.keys.sort()).toEqual([a.leaseId, b.leaseId].map((id) => id.split('/').pop()).sort());
    expect((await s.request('LIST', '/v1/sys/leases/lookup/')).json.data.keys).toEqual(['ssh/']);
    expect((await s.request('PUT', '/v1/sys/leases/revoke-prefix/ssh/creds', {})).status).toBe(204);
    expect((await verify(s, a.otp)).status).toBe(400);
    expect((await verify(s, b.otp)).status).toBe(400);
    expect((await s.request('LIST', '/v1/sys/leases/lookup/ssh/creds/otp')).status).toBe(404);
  });

  it('revokes a mount’s leases when the mount is disabled', async () => {
    const s = await reopen();
    await setUp(s);
    const { leaseId } = await issue(s);
    expect((await s.request('DELETE', '/v1/sys/mounts/ssh')).status).toBe(204);
    expect((await s.request('PUT', '/v1/sys/leases/lookup', { lease_id: leaseId })).json).toEqual({
      errors: ['invalid lease'],
    });
    expect((await s.request('LIST', '/v1/sys/leases/lookup/')).status).toBe(404);
  });
});

describe('expiry', () => {
  it('refuses an OTP whose lease has ended, even before the lease is revoked', async () => {
    nowMs = Date.UTC(2027, 0, 15, 8, 0, 0);
    const s = await reopen();
    await setUp(s, '10m');
    const { otp, leaseId, duration } = await issue(s);
    expect(duration).toBe(600);
    nowMs += 600_000;
    expect((await verify(s, otp)).json).toEqual({ errors: ['OTP not found'] });
    expect((await s.request('PUT', '/v1/sys/leases/lookup', { lease_id: leaseId })).json).toEqual({
      errors: ['invalid lease'],
    });
    expect((await s.request('PUT', '/v1/sys/leases/renew', { lease_id: leaseId })).json).toEqual({
      errors: ['lease expired'],
    });
  });

  it('revokes expired leases by itself: the lease and the OTP are gone from storage', async () => {
    const s = await reopen();
    await setUp(s, '1s');
    const { leaseId } = await issue(s);
    for (let i = 0; i < 40 && (await s.request('LIST', '/v1/sys/leases/lookup/ssh/creds/otp')).status === 200; i++) {
      await sleep(100);
    }
    expect((await s.request('LIST', '/v1/sys/leases/lookup/ssh/creds/otp')).status).toBe(404);
    const storage = new FileStorage(join(dir, 'storage'));
    const mountUuid = (await s.request('GET', '/v1/sys/mounts/ssh')).json.data.uuid;
    expect(await storage.list(`logical/${mountUuid}/otp/`)).toEqual([]);
    expect(leaseId).toMatch(/^ssh\/creds\/otp\//);
  });
});

describe('across a restart', () => {
  it('verifies an OTP issued before it, never a used, revoked or expired one', async () => {
    nowMs = Date.UTC(2027, 0, 15, 8, 0, 0);
    let s = await reopen();
    await setUp(s, '1h');
    const good = await issue(s);
    const used = await issue(s);
    const revoked = await issue(s);
    const racing = await issue(s);
    await s.request('POST', '/v1/sys/mounts/ssh/tune', { default_lease_ttl: '1m' });
    const short = await issue(s);
    expect(short.duration).toBe(60);
    expect((await verify(s, used.otp)).status).toBe(200);
    await s.request('PUT', '/v1/sys/leases/revoke', { lease_id: revoked.leaseId });

    nowMs += 120_000; // the server is down for two minutes
    s = await reopen();
    expect((await verify(s, good.otp)).json.data).toEqual({ username: 'ubuntu', ip: '127.0.0.2', role_name: 'otp' });
    for (const gone of [used, revoked, short])
      expect((await verify(s, gone.otp)).json).toEqual({ errors: ['OTP not found'] });
    // The expired lease was revoked when the server started.
    expect((await s.request('PUT', '/v1/sys/leases/lookup', { lease_id: short.leaseId })).json).toEqual({
      errors: ['invalid lease'],
    });
    const results = await Promise.all(Array.from({ length: 12 }, () => verify(s, racing.otp)));
    expect(results.map((r) => r.status).sort()).toEqual([200, ...Array<number>(11).fill(400)]);
    expect((await s.request('PUT', '/v1/sys/leases/lookup', { lease_id: good.leaseId })).json.data.ttl).toBe(3480);
  });
});

describe('audit', () => {
  it('logs creds and verify with the OTP HMAC’d, matching sys/audit-hash, and the lease id in clear', async () => {
    const s = await reopen();
    await setUp(s);
    const log = join(dir, 'audit.log');
    await s.request('POST', '/v1/sys/audit/file', { type: 'file', options: { file_path: log } });
    const { otp, leaseId } = await issue(s);
    await verify(s, otp);
    const hash = (await s.request('POST', '/v1/sys/audit-hash/file', { input: otp })).json.data.hash;
    expect(hash).toMatch(/^hmac-sha256:[0-9a-f]{64}$/);
    const text = readFileSync(log, 'utf8');
    expect(text).not.toContain(otp);
    const entries = text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const credsResponse = entries.find((e) => e.type === 'response' && e.request.path === 'ssh/creds/otp');
    expect(credsResponse.response.data.key).toBe(hash);
    expect(credsResponse.response.secret).toEqual({ lease_id: leaseId });
    const verifyRequest = entries.find((e) => e.type === 'request' && e.request.path === 'ssh/verify');
    expect(verifyRequest.request.data.otp).toBe(hash);
    expect(verifyRequest.request.client_token).toBe('');
    const verifyResponse = entries.find((e) => e.type === 'response' && e.request.path === 'ssh/verify');
    expect(verifyResponse.error).toBe('');
  });
});
