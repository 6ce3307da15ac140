// Handlers read request values only through their path's coerced field schema (issue 16, point 3):
// a parameter sent as a string, a number or a bool is converted as Vault's framework converts it
// (weak decode), instead of being compared raw and silently dropped.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/vault-server.js';

let server: TestServer;

beforeEach(async () => {
  server = await startTestServer();
});

afterEach(() => server.close());

const mount = async (path: string) => (await server.request('GET', `/v1/sys/mounts/${path}`)).json.data;
const listed = async (path: string) => (await server.request('GET', '/v1/sys/mounts')).json.data[`${path}/`];
const auth = async (path: string) => (await server.request('GET', '/v1/sys/auth')).json.data[`${path}/`];

describe('sys/mounts/:path coerces its fields', () => {
  it.each([
    ['"true"', true, 'true'],
    ['"1"', true, '1'],
    ['1', true, 1],
    ['"t"', true, 't'],
    ['"false"', false, 'false'],
    ['0', false, 0],
  ])('local and seal_wrap %s are stored and listed as %s', async (_label, expected, value) => {
    const r = await server.request('POST', '/v1/sys/mounts/x', { type: 'ssh', local: value, seal_wrap: value });
    expect(r.status).toBe(204);
    expect((await mount('x')).local).toBe(expected);
    expect((await mount('x')).seal_wrap).toBe(expected);
    expect((await listed('x')).local).toBe(expected);
    expect((await listed('x')).seal_wrap).toBe(expected);
  });

  it('local "true" and seal_wrap "1" (the issue\'s case) are stored as true', async () => {
    await server.request('POST', '/v1/sys/mounts/x', { type: 'ssh', local: 'true', seal_wrap: '1' });
    expect(await listed('x')).toMatchObject({ local: true, seal_wrap: true });
  });

  it("refuses a bool that is not one, with Vault's field validation error", async () => {
    const r = await server.request('POST', '/v1/sys/mounts/x', { type: 'ssh', local: 'yes' });
    expect(r.status).toBe(400);
    expect(r.json).toEqual({
      errors: [
        'Field validation failed: error converting input yes for field "local": cannot parse \'\' as bool: strconv.ParseBool: parsing "yes": invalid syntax',
      ],
    });
    expect(await listed('x')).toBeUndefined();
  });

  it('a number description is stored as its string', async () => {
    await server.request('POST', '/v1/sys/mounts/x', { type: 'ssh', description: 5 });
    expect((await mount('x')).description).toBe('5');
  });

  it('a non-string type is converted, then looked up in the catalog', async () => {
    const r = await server.request('POST', '/v1/sys/mounts/x', { type: 7 });
    expect(r.status).toBe(400);
    expect(r.json).toEqual({ errors: ['plugin not found in the catalog: 7'] });
  });

  it("a config given as a list of objects is merged, as Vault's map type is", async () => {
    const r = await server.request('POST', '/v1/sys/mounts/x', {
      type: 'ssh',
      config: [{ default_lease_ttl: '1h' }, { max_lease_ttl: '2h' }],
    });
    expect(r.status).toBe(204);
    expect((await mount('x')).config).toMatchObject({ default_lease_ttl: 3600, max_lease_ttl: 7200 });
  });
});

describe('sys/mounts/:path/tune coerces its fields', () => {
  it('a number description replaces the old one as its string', async () => {
    await server.request('POST', '/v1/sys/mounts/x', { type: 'ssh', description: 'old' });
    expect((await server.request('POST', '/v1/sys/mounts/x/tune', { description: 9 })).status).toBe(204);
    expect((await mount('x')).description).toBe('9');
  });

  it('a TTL given as a bool is the string "1": one second, as Vault\'s string field makes it', async () => {
    await server.request('POST', '/v1/sys/mounts/x', { type: 'ssh' });
    expect((await server.request('POST', '/v1/sys/mounts/x/tune', { max_lease_ttl: true })).status).toBe(204);
    expect((await server.request('GET', '/v1/sys/mounts/x/tune')).json.data.max_lease_ttl).toBe(1);
  });
});

describe('sys/auth/:path coerces its fields', () => {
  it('local "true" and seal_wrap "1" are stored and listed as true', async () => {
    const r = await server.request('POST', '/v1/sys/auth/up', { type: 'userpass', local: 'true', seal_wrap: '1' });
    expect(r.status).toBe(204);
    expect(await auth('up')).toMatchObject({ local: true, seal_wrap: true });
  });

  it('a number description is stored as its string, and tune replaces it the same way', async () => {
    await server.request('POST', '/v1/sys/auth/up', { type: 'userpass', description: 5 });
    expect((await auth('up')).description).toBe('5');
    expect((await server.request('POST', '/v1/sys/auth/up/tune', { description: 6 })).status).toBe(204);
    expect((await auth('up')).description).toBe('6');
  });

  it('a non-string type is converted, then looked up in the catalog', async () => {
    const r = await server.request('POST', '/v1/sys/auth/up', { type: 7 });
    expect(r.json).toEqual({ errors: ['plugin not found in the catalog: 7'] });
  });
});

describe('sys/internal/counters/activity declares its fields', () => {
  it('start_time and end_time are read from the coerced fields', async () => {
    const later = await server.request('GET', '/v1/sys/internal/counters/activity?start_time=200&end_time=100');
    expect(later.json).toEqual({ errors: ['start_time is later than end_time'] });
    const ok = await server.request('GET', '/v1/sys/internal/counters/activity?start_time=100&end_time=200');
    expect(ok.status).toBe(204);
  });
});
