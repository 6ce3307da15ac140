// Issue 15, defect 10: `sys/internal/counters/activity` (read in the zero-trust post) answers as Vault
// does when its activity log holds nothing for the period: 204 with no body; Vault's check of the
// period; and it is a normal sys path: a token with only the default policy is refused.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/vault-server.js';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});

afterAll(async () => {
  await server?.close();
});

describe('sys/internal/counters/activity', () => {
  it('answers 204 with an empty body to the root token (no activity recorded)', async () => {
    const r = await server.request('GET', '/v1/sys/internal/counters/activity');
    expect([r.status, r.body]).toEqual([204, '']);
  });

  it('takes a period: a valid one is 204, one that ends before it starts is Vault’s 400', async () => {
    const ok = await server.request(
      'GET',
      '/v1/sys/internal/counters/activity?start_time=2026-01-01T00:00:00Z&end_time=2026-02-01T00:00:00Z',
    );
    expect(ok.status).toBe(204);
    const bad = await server.request(
      'GET',
      '/v1/sys/internal/counters/activity?start_time=2026-02-01T00:00:00Z&end_time=1767225600',
    );
    expect([bad.status, bad.json]).toEqual([400, { errors: ['start_time is later than end_time'] }]);
  });

  it("takes the times as Vault's TypeTime: RFC 3339 with an offset or fractions, Unix seconds as a string", async () => {
    const period = (start: string, end: string) =>
      server.request(
        'GET',
        `/v1/sys/internal/counters/activity?start_time=${encodeURIComponent(start)}&end_time=${encodeURIComponent(end)}`,
      );
    expect((await period('2026-01-01T01:00:00+01:00', '1767225600')).status).toBe(204);
    expect((await period('2026-01-01T00:00:00.5Z', '1767225600')).json).toEqual({
      errors: ['start_time is later than end_time'],
    });
    expect((await period('-60', '0')).status).toBe(204);
  });

  it.each([
    ['2026-01-01', 'start_time'],
    ['yesterday', 'start_time'],
    ['', 'end_time'],
  ])("refuses %j in %s with Vault's field validation error", async (value, field) => {
    const r = await server.request('GET', `/v1/sys/internal/counters/activity?${field}=${encodeURIComponent(value)}`);
    expect([r.status, r.json]).toEqual([
      400,
      {
        errors: [
          `Field validation failed: error converting input ${value} for field "${field}": could not parse string as date and time`,
        ],
      },
    ]);
  });

  it('is not granted by the default policy; no token and unknown tokens are refused as everywhere', async () => {
    const t = (await server.request('POST', '/v1/auth/token/create', { policies: ['default'] })).json.auth
      .client_token as string;
    const denied = await server.request('GET', '/v1/sys/internal/counters/activity', undefined, t);
    expect([denied.status, denied.json]).toEqual([403, { errors: ['1 error occurred:\n\t* permission denied\n\n'] }]);
    const none = await server.request('GET', '/v1/sys/internal/counters/activity', undefined, null);
    expect([none.status, none.json]).toEqual([403, { errors: ['1 error occurred:\n\t* permission denied\n\n'] }]);
    const unknown = await server.request('GET', '/v1/sys/internal/counters/activity', undefined, 'hvs.unknown');
    expect([unknown.status, unknown.json]).toEqual([
      403,
      { errors: ['2 errors occurred:\n\t* permission denied\n\t* invalid token\n\n'] },
    ]);
  });

  it('is granted by a policy naming it', async () => {
    await server.request('POST', '/v1/sys/policies/acl/activity-reader', {
      policy: 'path "sys/internal/counters/activity" { capabilities = ["read"] }',
    });
    const t = (await server.request('POST', '/v1/auth/token/create', { policies: ['activity-reader'] })).json.auth
      .client_token as string;
    expect((await server.request('GET', '/v1/sys/internal/counters/activity', undefined, t)).status).toBe(204);
  });
});
