// The SSH engine's one-time-password API over real HTTP, case by case against the reference
// (§2.11–2.15, §4): creds with its lease, every refusal in Vault's words, verify (single use, also
// under parallel requests), lookup, config/zeroaddress, tidy/dynamic-keys and who may call what.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/vault-server.js';

let server: TestServer;
const OTP_FORMAT = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const post = (path: string, body: unknown, token?: string | null) => server.request('POST', `/v1/${path}`, body, token);
const creds = (role: string, body: Record<string, unknown>) => post(`ssh/creds/${role}`, body);
const verify = (otp: string) => post('ssh/verify', { otp }, null);

beforeAll(async () => {
  server = await startTestServer();
  await post('sys/mounts/ssh', { type: 'ssh', config: { default_lease_ttl: '1h' } });
  await post('ssh/roles/otp_key_role', { key_type: 'otp', default_user: 'ubuntu', cidr_list: '10.0.0.0/8' });
  await post('ssh/roles/users', {
    key_type: 'otp',
    default_user: 'ubuntu',
    allowed_users: 'deploy, admin',
    cidr_list: '10.0.0.0/8,2001:db8::/32',
    exclude_cidr_list: '10.9.0.0/16',
    port: 2222,
  });
  await post('ssh/roles/anyone', {
    key_type: 'otp',
    default_user: 'ubuntu',
    allowed_users: '*',
    cidr_list: '10.0.0.0/8',
  });
  // Accepted at write time (the write trims), refused by creds (which does not), as in Vault.
  await post('ssh/roles/spaced', { key_type: 'otp', default_user: 'ubuntu', cidr_list: '10.0.0.0/8, 192.168.0.0/16' });
  await post('ssh/roles/no-cidrs', { key_type: 'otp', default_user: 'ubuntu' });
  await post('ssh/roles/ca-role', { key_type: 'ca', allow_user_certificates: true, allowed_users: 'ubuntu' });
});

afterAll(() => server.close());

describe('creds', () => {
  it('issues a UUID-formatted OTP with a lease of the mount default TTL, not renewable', async () => {
    const r = await creds('otp_key_role', { ip: '10.0.0.5' });
    expect(r.status).toBe(200);
    expect(r.json.lease_id).toMatch(/^ssh\/creds\/otp_key_role\/[0-9a-f-]{36}$/);
    expect(r.json.lease_duration).toBe(3600);
    expect(r.json.renewable).toBe(false);
    expect(r.json.data).toEqual({
      ip: '10.0.0.5',
      key: expect.stringMatching(OTP_FORMAT),
      key_type: 'otp',
      port: 22,
      username: 'ubuntu',
    });
  });

  it('normalises the ip as Go prints it and returns the role port', async () => {
    expect((await creds('users', { ip: '::ffff:10.0.0.5' })).json.data.ip).toBe('10.0.0.5');
    const v6 = await creds('users', { ip: '2001:DB8:0:0:0:0:0:1', username: 'deploy' });
    expect(v6.json.data).toMatchObject({ ip: '2001:db8::1', port: 2222, username: 'deploy' });
  });

  it.each([
    ['no ip, checked before the role', 'missing-role', {}, 'Missing ip'],
    ['unknown role', 'missing-role', { ip: '10.0.0.5' }, 'Role "missing-role" not found'],
    [
      'a role without default user',
      'ca-role',
      { ip: '10.0.0.5' },
      "No default username registered. Use 'username' option",
    ],
    [
      'user outside allowed_users',
      'users',
      { ip: '10.0.0.5', username: 'root' },
      'Username is not present is allowed users list',
    ],
    [
      'user other than the default without allowed_users',
      'otp_key_role',
      { ip: '10.0.0.5', username: 'root' },
      'Username has to be either in allowed users list or has to be a default username',
    ],
    ['unparseable ip', 'otp_key_role', { ip: '10.0.0.256' }, 'Invalid IP "10.0.0.256"'],
    ['ip outside cidr_list', 'otp_key_role', { ip: '192.0.2.10' }, 'Error validating IP: IP does not belong to role'],
    ['ip in exclude_cidr_list', 'users', { ip: '10.9.1.1' }, 'Error validating IP: IP does not belong to role'],
    ['role without cidr_list', 'no-cidrs', { ip: '10.0.0.5' }, 'Error validating IP: IP does not belong to role'],
    [
      'untrimmed cidr entry',
      'spaced',
      { ip: '192.168.1.1' },
      'Error validating IP: invalid CIDR entry " 192.168.0.0/16"',
    ],
  ])('refuses %s', async (_case, role, body, message) => {
    const r = await creds(role, body);
    expect(r.status).toBe(400);
    expect(r.json).toEqual({ errors: [message] });
  });

  it('accepts the default user, listed users (trimmed) and anyone on a * role', async () => {
    expect((await creds('users', { ip: '10.0.0.5', username: 'admin' })).json.data.username).toBe('admin');
    expect((await creds('users', { ip: '10.0.0.5', username: 'ubuntu' })).json.data.username).toBe('ubuntu');
    expect((await creds('anyone', { ip: '10.0.0.5', username: 'whoever' })).json.data.username).toBe('whoever');
  });

  it('issues distinct OTPs to parallel requests, each good once', async () => {
    const issued = await Promise.all(Array.from({ length: 40 }, () => creds('otp_key_role', { ip: '10.0.0.7' })));
    const keys = issued.map((r) => r.json.data.key as string);
    expect(new Set(keys).size).toBe(40);
    const first = await Promise.all(keys.map(verify));
    expect(first.every((r) => r.status === 200)).toBe(true);
    const second = await Promise.all(keys.map(verify));
    expect(second.every((r) => r.status === 400 && r.json.errors[0] === 'OTP not found')).toBe(true);
  });
});

describe('verify', () => {
  it('needs no token, answers the helper health probe, and takes an OTP exactly once', async () => {
    expect((await verify('verify-echo-request')).json.data).toEqual({ message: 'verify-echo-response' });
    const otp = (await creds('otp_key_role', { ip: '10.0.0.5' })).json.data.key;
    const first = await verify(otp);
    expect(first.status).toBe(200);
    expect(first.json.data).toEqual({ username: 'ubuntu', ip: '10.0.0.5', role_name: 'otp_key_role' });
    expect(first.json.lease_id).toBe('');
    const again = await verify(otp);
    expect(again.status).toBe(400);
    expect(again.json).toEqual({ errors: ['OTP not found'] });
    expect((await verify('')).json).toEqual({ errors: ['OTP not found'] });
  });

  it('lets exactly one of 25 parallel verifications of one OTP succeed', async () => {
    const otp = (await creds('otp_key_role', { ip: '10.0.0.5' })).json.data.key;
    const results = await Promise.all(Array.from({ length: 25 }, () => verify(otp)));
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(results.filter((r) => r.status === 400 && r.json.errors[0] === 'OTP not found')).toHaveLength(24);
  });

  it('allows only writes: a read without a token is denied, with one is an unsupported operation', async () => {
    expect((await server.request('GET', '/v1/ssh/verify', undefined, null)).status).toBe(403);
    const r = await server.request('GET', '/v1/ssh/verify');
    expect(r.status).toBe(405);
    expect(r.json).toEqual({ errors: ['1 error occurred:\n\t* unsupported operation\n\n'] });
  });
});

describe('lookup', () => {
  it('names the roles whose cidr_list holds the ip, exclusions not applied, then zero-address roles', async () => {
    const r = await post('ssh/lookup', { ip: '10.9.1.1' });
    expect(r.json.data).toEqual({ roles: ['anyone', 'otp_key_role', 'spaced', 'users'] });
  });

  it('answers roles: null for no match, and refuses a missing or bad ip in Vault words', async () => {
    expect((await post('ssh/lookup', { ip: '203.0.113.1' })).json).toMatchObject({ data: { roles: null } });
    expect((await post('ssh/lookup', {})).json).toEqual({ errors: ['Missing ip'] });
    expect((await post('ssh/lookup', { ip: 'nonsense' })).json).toEqual({ errors: ['Invalid IP "<nil>"'] });
  });
});

describe('config/zeroaddress', () => {
  it('is absent until written, refuses empty lists and unknown roles, and lets listed roles take any ip', async () => {
    expect((await server.request('GET', '/v1/ssh/config/zeroaddress')).status).toBe(404);
    expect((await post('ssh/config/zeroaddress', {})).json).toEqual({ errors: ['Missing roles'] });
    expect((await post('ssh/config/zeroaddress', { roles: 'users,ghost' })).json).toEqual({
      errors: ['Role "ghost" does not exist'],
    });
    expect((await post('ssh/config/zeroaddress', { roles: 'users, no-cidrs' })).status).toBe(204);
    expect((await server.request('GET', '/v1/ssh/config/zeroaddress')).json.data).toEqual({
      roles: ['users', 'no-cidrs'],
    });
    // Both the CIDR list and the exclusions are bypassed.
    expect((await creds('users', { ip: '10.9.1.1' })).json.data.ip).toBe('10.9.1.1');
    expect((await creds('no-cidrs', { ip: '198.51.100.7' })).json.data.ip).toBe('198.51.100.7');
    expect((await post('ssh/lookup', { ip: '203.0.113.1' })).json.data.roles).toEqual(['users', 'no-cidrs']);
  });

  it('answers 500 "key type unknown" for a CA role that passes the ip check, as Vault does', async () => {
    await post('ssh/config/zeroaddress', { roles: ['ca-role'] });
    const r = await creds('ca-role', { ip: '10.0.0.5', username: 'ubuntu' });
    expect(r.status).toBe(500);
    expect(r.json).toEqual({ errors: ['1 error occurred:\n\t* key type unknown\n\n'] });
  });

  it('drops a deleted role from the list, and is removed by DELETE', async () => {
    await post('ssh/roles/temp', { key_type: 'otp', default_user: 'ubuntu' });
    await post('ssh/config/zeroaddress', { roles: ['temp'] });
    await server.request('DELETE', '/v1/ssh/roles/temp');
    expect((await server.request('GET', '/v1/ssh/config/zeroaddress')).json.data).toEqual({ roles: [] });
    expect((await server.request('DELETE', '/v1/ssh/config/zeroaddress')).status).toBe(204);
    expect((await server.request('GET', '/v1/ssh/config/zeroaddress')).status).toBe(404);
  });
});

describe('tidy/dynamic-keys and authentication', () => {
  it('reports the leftover dynamic host keys it removed (none: this server never stored any)', async () => {
    const r = await server.request('DELETE', '/v1/ssh/tidy/dynamic-keys');
    expect(r.json.data).toEqual({ message: 'Removed 0 of 0 host keys.' });
  });

  it.each([
    ['POST', 'ssh/creds/otp_key_role'],
    ['POST', 'ssh/lookup'],
    ['GET', 'ssh/config/zeroaddress'],
    ['POST', 'ssh/config/zeroaddress'],
    ['DELETE', 'ssh/tidy/dynamic-keys'],
  ])('denies %s %s without a token', async (method, path) => {
    const r = await server.request(
      method,
      `/v1/${path}`,
      method === 'POST' ? { ip: '10.0.0.5', roles: 'users' } : undefined,
      null,
    );
    expect(r.status).toBe(403);
    expect(r.json).toEqual({ errors: ['1 error occurred:\n\t* permission denied\n\n'] });
  });
});
