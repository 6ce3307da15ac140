// Periodic tokens over real HTTP (issue 24): a token with a period (token create by root, a token
// role's period, AppRole's token_period) lives for its period and each renewal resets it to the
// period, past the system's 768h max TTL; only an explicit max TTL ends it. Also Vault's TTL-capping
// warnings, verbatim, at creation and renewal. The server's clock is moved, not waited for.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../helpers/vault-server.js';

const HOUR = 3600;
let server: TestServer;
let nowMs: number;

beforeEach(async () => {
  nowMs = Date.UTC(2027, 0, 15, 8, 0, 0);
  server = await startTestServer({ clock: () => nowMs });
});

afterEach(async () => {
  await server.close();
});

const advance = (seconds: number) => {
  nowMs += seconds * 1000;
};

async function ok(method: string, path: string, body?: unknown, token?: string | null) {
  const r = await server.request(method, path, body, token);
  expect(r.status, `${method} ${path}: ${r.body}`).toBeLessThan(300);
  return r.json;
}

const renewSelf = (token: string, increment?: string) =>
  server.request('POST', '/v1/auth/token/renew-self', increment ? { increment } : {}, token);

describe('periodic tokens', () => {
  it('a periodic token is renewed to its period again and again, past the 768h system max TTL', async () => {
    const created = await ok('POST', '/v1/auth/token/create', { policies: ['default'], period: '24h' });
    const token = created.auth.client_token as string;
    expect(created.auth.lease_duration).toBe(24 * HOUR);
    expect(created.warnings).toBeNull();
    const look = (await ok('GET', '/v1/auth/token/lookup-self', undefined, token)).data;
    expect([look.period, look.ttl, look.explicit_max_ttl]).toEqual([24 * HOUR, 24 * HOUR, 0]);
    // 40 renewals 23 hours apart: 920 hours, well past 768h.
    for (let i = 0; i < 40; i++) {
      advance(23 * HOUR);
      const r = await renewSelf(token, '1h'); // the increment is ignored: the period wins
      expect([r.status, r.json.auth.lease_duration, r.json.warnings]).toEqual([200, 24 * HOUR, null]);
    }
    expect((await ok('GET', '/v1/auth/token/lookup-self', undefined, token)).data.ttl).toBe(24 * HOUR);
  });

  it('a token without a period stops at the 768h system max TTL, with the capping warning', async () => {
    const token = (await ok('POST', '/v1/auth/token/create', { policies: ['default'], ttl: '24h' })).auth
      .client_token as string;
    for (let i = 0; i < 37; i++) {
      advance(20 * HOUR);
      expect((await renewSelf(token)).json.auth.lease_duration).toBe(24 * HOUR);
    }
    advance(20 * HOUR); // 760h old: 8h left
    const capped = await renewSelf(token);
    expect([capped.json.auth.lease_duration, capped.json.warnings]).toEqual([
      8 * HOUR,
      ['TTL of "24h" exceeded the effective max_ttl of "8h"; TTL value is capped accordingly'],
    ]);
    advance(8 * HOUR);
    expect((await renewSelf(token)).status).toBe(403);
  });

  it('an explicit max TTL caps a periodic token: renewal is capped with the warning, then it expires', async () => {
    const created = await ok('POST', '/v1/auth/token/create', {
      policies: ['default'],
      period: '24h',
      explicit_max_ttl: '30h',
    });
    const token = created.auth.client_token as string;
    expect(created.auth.lease_duration).toBe(24 * HOUR);
    advance(23 * HOUR);
    const r = await renewSelf(token);
    expect([r.status, r.json.auth.lease_duration, r.json.warnings]).toEqual([
      200,
      7 * HOUR,
      ['TTL of "24h" exceeded the effective max_ttl of "7h"; TTL value is capped accordingly'],
    ]);
    advance(7 * HOUR);
    expect(await renewSelf(token)).toMatchObject({
      status: 403,
      json: { errors: ['2 errors occurred:\n\t* permission denied\n\t* invalid token\n\n'] },
    });
  });

  it('only root or sudo may ask for a period', async () => {
    await ok('PUT', '/v1/sys/policies/acl/creator', {
      policy: 'path "auth/token/create" { capabilities = ["update"] }',
    });
    const creator = (await ok('POST', '/v1/auth/token/create', { policies: ['creator'] })).auth.client_token as string;
    const r = await server.request('POST', '/v1/auth/token/create', { period: '1h' }, creator);
    expect([r.status, r.json]).toEqual([
      400,
      { errors: ['root or sudo privileges required to create periodic token'] },
    ]);
  });

  it('a token role period makes periodic tokens, renewed with the role period', async () => {
    await ok('POST', '/v1/auth/token/roles/agent', { token_period: '2h' });
    const created = await ok('POST', '/v1/auth/token/create/agent', { policies: ['default'] });
    const token = created.auth.client_token as string;
    expect(created.auth.lease_duration).toBe(2 * HOUR);
    for (let i = 0; i < 20; i++) {
      advance(HOUR + 59 * 60);
      expect((await renewSelf(token)).json.auth.lease_duration).toBe(2 * HOUR);
    }
    // As Vault's authRenew: the role's current period applies at the next renewal.
    await ok('POST', '/v1/auth/token/roles/agent', { token_period: '3h' });
    advance(HOUR);
    expect((await renewSelf(token)).json.auth.lease_duration).toBe(3 * HOUR);
  });

  it("AppRole's token_period gives periodic tokens, renewed past token_max_ttl", async () => {
    await ok('POST', '/v1/sys/auth/approle', { type: 'approle' });
    await ok('POST', '/v1/auth/approle/role/agent', {
      token_period: '1h',
      token_max_ttl: '2h',
      token_policies: 'default',
    });
    const roleId = (await ok('GET', '/v1/auth/approle/role/agent/role-id')).data.role_id as string;
    const secretId = (await ok('POST', '/v1/auth/approle/role/agent/secret-id')).data.secret_id as string;
    const login = await ok('POST', '/v1/auth/approle/login', { role_id: roleId, secret_id: secretId }, null);
    const token = login.auth.client_token as string;
    expect(login.auth.lease_duration).toBe(HOUR);
    const look = (await ok('GET', '/v1/auth/token/lookup-self', undefined, token)).data;
    expect([look.period, look.explicit_max_ttl, look.ttl]).toEqual([HOUR, 0, HOUR]);
    for (let i = 0; i < 6; i++) {
      advance(50 * 60);
      expect((await renewSelf(token)).json.auth.lease_duration).toBe(HOUR);
    }
    // Five hours after login, past the role's token_max_ttl of 2h: still alive.
    expect((await server.request('GET', '/v1/auth/token/lookup-self', undefined, token)).status).toBe(200);
  });
});

describe("Vault's TTL-capping warnings at creation", () => {
  it.each([
    [
      { ttl: '1000h' },
      768 * HOUR,
      ['TTL of "1000h" exceeded the effective max_ttl of "768h"; TTL value is capped accordingly'],
    ],
    [
      { ttl: '2h', explicit_max_ttl: '90m' },
      90 * 60,
      ['TTL of "2h" exceeded the effective max_ttl of "1h30m"; TTL value is capped accordingly'],
    ],
    [
      { period: '1000h' },
      768 * HOUR,
      ['period of "1000h" exceeded the effective max_ttl of "768h"; period value is capped accordingly'],
    ],
    [{ ttl: '1h' }, HOUR, null],
  ])('%j', async (body, leaseDuration, warnings) => {
    const r = await ok('POST', '/v1/auth/token/create', { policies: ['default'], ...body });
    expect([r.auth.lease_duration, r.warnings]).toEqual([leaseDuration, warnings]);
  });
});
