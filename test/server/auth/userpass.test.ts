// The userpass auth method over real HTTP: enabling it (sudo), users, password storage, login with
// Vault's auth block, the bad-login error, and user lockout on the server's clock.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MemoryStorage } from '../../../server/storage/memory-storage.js';
import type { Storage } from '../../../server/storage/storage.js';
import { startTestServer, type TestServer } from '../../helpers/vault-server.js';

let server: TestServer;
let storage: MemoryStorage;
let nowMs: number;

beforeEach(async () => {
  nowMs = Date.UTC(2027, 0, 15, 8, 0, 0);
  storage = new MemoryStorage();
  server = await startTestServer({ storage, clock: () => nowMs });
  expect((await server.request('POST', '/v1/sys/auth/userpass', { type: 'userpass' })).status).toBe(204);
  expect(
    (
      await server.request('POST', '/v1/auth/userpass/users/TestUser', {
        password: 'correct horse',
        token_policies: 'ssh-access',
        token_ttl: '1h',
        token_max_ttl: '8h',
      })
    ).status,
  ).toBe(204);
});

afterEach(() => server.close());

/** Every value in a storage, as text. */
async function allValues(s: Storage, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const child of await s.list(prefix)) {
    if (child.endsWith('/')) out.push(...(await allValues(s, prefix + child)));
    else out.push((await s.get(prefix + child))!.toString('utf8'));
  }
  return out;
}

const login = (password: string, user = 'testuser') =>
  server.request('POST', `/v1/auth/userpass/login/${user}`, { password }, null);

describe('sys/auth', () => {
  it('lists the token and userpass methods', async () => {
    const r = await server.request('GET', '/v1/sys/auth');
    expect(Object.keys(r.json.data)).toEqual(['token/', 'userpass/']);
    expect(r.json.data['userpass/']).toMatchObject({ type: 'userpass', description: '', local: false });
    expect(r.json.data['userpass/'].accessor).toMatch(/^auth_userpass_[0-9a-f]{8}$/);
  });

  it('refuses a second method at the same path and unknown types', async () => {
    expect((await server.request('POST', '/v1/sys/auth/userpass', { type: 'userpass' })).json).toEqual({
      errors: ['path is already in use at auth/userpass/'],
    });
    expect((await server.request('POST', '/v1/sys/auth/ldap', { type: 'ldap' })).json).toEqual({
      errors: ['plugin not found in the catalog: ldap'],
    });
  });
});

describe('users', () => {
  it('reads back token settings, never the password; names are lower-cased', async () => {
    const r = await server.request('GET', '/v1/auth/userpass/users/testuser');
    expect(r.json.data).toEqual({
      token_bound_cidrs: [],
      token_explicit_max_ttl: 0,
      token_max_ttl: 28800,
      token_no_default_policy: false,
      token_num_uses: 0,
      token_period: 0,
      token_policies: ['ssh-access'],
      token_ttl: 3600,
      token_type: 'default',
    });
    expect((await server.request('GET', '/v1/auth/userpass/users?list=true')).json.data.keys).toEqual(['testuser']);
  });

  it('stores only a salted scrypt hash of the password', async () => {
    const everything = await allValues(storage);
    expect(everything.some((v) => v.includes('correct horse'))).toBe(false);
    const user = JSON.parse(everything.find((v) => v.includes('password_hash'))!);
    expect(user.password_hash).toMatch(/^scrypt\$16384\$8\$1\$[A-Za-z0-9+/]{22}==\$[A-Za-z0-9+/]{43}=$/);
  });

  it('needs a password on create, changes it, deletes the user', async () => {
    expect((await server.request('POST', '/v1/auth/userpass/users/bob', { token_policies: 'x' })).json).toEqual({
      errors: ['missing password'],
    });
    expect(
      (await server.request('POST', '/v1/auth/userpass/users/testuser/password', { password: 'new one' })).status,
    ).toBe(204);
    expect((await login('correct horse')).status).toBe(400);
    expect((await login('new one')).status).toBe(200);
    expect((await server.request('DELETE', '/v1/auth/userpass/users/testuser')).status).toBe(204);
    expect((await server.request('GET', '/v1/auth/userpass/users/testuser')).status).toBe(404);
  });
});

describe('login', () => {
  it("answers Vault's auth block with a userpass-<name> token", async () => {
    const r = await login('correct horse', 'TestUser');
    expect(r.status).toBe(200);
    const { client_token, accessor, ...auth } = r.json.auth;
    expect(auth).toEqual({
      policies: ['default', 'ssh-access'],
      token_policies: ['default', 'ssh-access'],
      metadata: { username: 'testuser' },
      lease_duration: 3600,
      renewable: true,
      // The identity entity Vault creates on a user's first login (issue 18).
      entity_id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/),
      token_type: 'service',
      orphan: true,
      mfa_requirement: null,
      num_uses: 0,
    });
    const look = await server.request('GET', '/v1/auth/token/lookup-self', undefined, client_token);
    expect(look.json.data).toMatchObject({
      accessor,
      entity_id: auth.entity_id,
      display_name: 'userpass-testuser',
      path: 'auth/userpass/login/TestUser',
      explicit_max_ttl: 28800,
      ttl: 3600,
    });
  });

  it("refuses a wrong password or unknown user with Vault's error", async () => {
    expect(await login('wrong')).toMatchObject({ status: 400, json: { errors: ['invalid username or password'] } });
    expect(await login('x', 'nobody')).toMatchObject({
      status: 400,
      json: { errors: ['invalid username or password'] },
    });
    expect(await login('')).toMatchObject({ status: 400, json: { errors: ['missing password'] } });
  });

  it('locks a user out after 5 failures for 15 minutes, even with the right password', async () => {
    for (let i = 0; i < 5; i++) expect((await login('wrong')).status).toBe(400);
    const locked = await login('correct horse');
    expect(locked.status).toBe(403);
    expect(locked.json).toEqual({ errors: ['1 error occurred:\n\t* permission denied\n\n'] });
    nowMs += 15 * 60 * 1000 - 1000;
    expect((await login('correct horse')).status).toBe(403);
    nowMs += 1000;
    expect((await login('correct horse')).status).toBe(200);
  });

  it('resets the failure count after a good login and after the counter-reset period', async () => {
    for (let i = 0; i < 4; i++) await login('wrong');
    expect((await login('correct horse')).status).toBe(200);
    for (let i = 0; i < 4; i++) await login('wrong');
    nowMs += 15 * 60 * 1000;
    await login('wrong');
    expect((await login('correct horse')).status).toBe(200);
  });

  it('honours a tuned lockout threshold', async () => {
    await server.request('POST', '/v1/sys/auth/userpass/tune', {
      user_lockout_config: { lockout_threshold: 2, lockout_duration: '1m' },
    });
    await login('wrong');
    await login('wrong');
    expect((await login('correct horse')).status).toBe(403);
    nowMs += 60 * 1000;
    expect((await login('correct horse')).status).toBe(200);
  });

  it('revokes the tokens of a method when it is disabled', async () => {
    const token = (await login('correct horse')).json.auth.client_token;
    expect((await server.request('DELETE', '/v1/sys/auth/userpass')).status).toBe(204);
    expect((await server.request('GET', '/v1/auth/token/lookup-self', undefined, token)).status).toBe(403);
    expect((await login('correct horse')).status).toBe(403);
  });
});
