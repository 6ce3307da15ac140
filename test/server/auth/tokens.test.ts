// The token auth method over real HTTP: create (policies, TTLs, display names, orphans), lookups,
// renewals, revocation of descendants, use counts and expiry on the server's clock.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../helpers/vault-server.js';

let server: TestServer;
let nowMs: number;

beforeEach(async () => {
  nowMs = Date.UTC(2027, 0, 15, 8, 0, 0);
  server = await startTestServer({ clock: () => nowMs });
  await server.request('POST', '/v1/sys/policies/acl/ssh-access', {
    policy: 'path "ssh/sign/user-role" { capabilities = ["create", "update"] }',
  });
});

afterEach(() => server.close());

const create = async (body: Record<string, unknown>, token?: string) =>
  server.request('POST', '/v1/auth/token/create', body, token);

describe('auth/token/create', () => {
  it("answers Vault's auth block, with default added and policies sorted", async () => {
    const r = await create({ policies: ['ssh-access'], ttl: '1h', display_name: 'my app!', meta: { team: 'ops' } });
    expect(r.status).toBe(200);
    expect(r.json.data).toBeNull();
    expect(r.json.warnings).toBeNull();
    const { client_token, accessor, ...auth } = r.json.auth;
    expect(client_token).toMatch(/^hvs\.[A-Za-z0-9]{24}$/);
    expect(accessor).toMatch(/^[A-Za-z0-9]{24}$/);
    expect(auth).toEqual({
      policies: ['default', 'ssh-access'],
      token_policies: ['default', 'ssh-access'],
      metadata: { team: 'ops' },
      lease_duration: 3600,
      renewable: true,
      entity_id: '',
      token_type: 'service',
      orphan: false,
      mfa_requirement: null,
      num_uses: 0,
    });
    const look = await server.request('GET', '/v1/auth/token/lookup-self', undefined, client_token);
    expect(look.json.data).toEqual({
      accessor,
      creation_time: nowMs / 1000,
      creation_ttl: 3600,
      display_name: 'token-my-app',
      entity_id: '',
      expire_time: '2027-01-15T09:00:00Z',
      explicit_max_ttl: 0,
      id: client_token,
      issue_time: '2027-01-15T08:00:00Z',
      meta: { team: 'ops' },
      num_uses: 0,
      orphan: false,
      path: 'auth/token/create',
      policies: ['default', 'ssh-access'],
      renewable: true,
      ttl: 3600,
      type: 'service',
    });
  });

  it('warns about policies that do not exist and defaults the TTL to 768h', async () => {
    const r = await create({ policies: 'web,ssh-access' });
    expect(r.json.warnings).toEqual(['Policy "web" does not exist']);
    expect(r.json.auth.lease_duration).toBe(768 * 3600);
  });

  it('caps the TTL at explicit_max_ttl; a root-policy child never expires by default', async () => {
    expect(
      (await create({ ttl: '2h', explicit_max_ttl: '30m', policies: ['ssh-access'] })).json.auth.lease_duration,
    ).toBe(1800);
    const rootChild = await create({});
    expect(rootChild.json.auth.policies).toEqual(['root']);
    expect(rootChild.json.auth.lease_duration).toBe(0);
  });

  it('refuses policies wider than the parent, orphans and ids from a non-root token', async () => {
    const child = (await create({ policies: ['ssh-access'] })).json.auth.client_token;
    await server.request('POST', '/v1/sys/policies/acl/tokens', {
      policy: 'path "auth/token/create" { capabilities = ["update"] }',
    });
    const creator = (await create({ policies: ['ssh-access', 'tokens'] })).json.auth.client_token;
    expect((await create({ policies: ['root'] }, creator)).json).toEqual({
      errors: ['child policies must be subset of parent'],
    });
    expect((await create({ no_parent: true }, creator)).json).toEqual({
      errors: ['root or sudo privileges required to create orphan token'],
    });
    expect((await create({ id: 'my-token' }, creator)).json).toEqual({
      errors: ['root or sudo privileges required to specify token id'],
    });
    const ok = await create({ policies: ['ssh-access'] }, creator);
    expect(ok.status).toBe(200);
    expect(ok.json.auth.policies).toEqual(['default', 'ssh-access']);
    // The plain child has no policy on auth/token/create.
    expect((await create({}, child)).status).toBe(403);
  });
});

describe('token life cycle', () => {
  it('expires on the clock: 403 after the TTL', async () => {
    const t = (await create({ policies: ['ssh-access'], ttl: '10m' })).json.auth.client_token;
    expect((await server.request('GET', '/v1/auth/token/lookup-self', undefined, t)).status).toBe(200);
    nowMs += 10 * 60 * 1000;
    const r = await server.request('GET', '/v1/auth/token/lookup-self', undefined, t);
    expect(r.status).toBe(403);
    expect(r.json).toEqual({ errors: ['2 errors occurred:\n\t* permission denied\n\t* invalid token\n\n'] });
  });

  it('renews up to explicit_max_ttl, counted from creation', async () => {
    const t = (await create({ policies: ['ssh-access'], ttl: '10m', explicit_max_ttl: '25m' })).json.auth.client_token;
    nowMs += 5 * 60 * 1000;
    expect(
      (await server.request('POST', '/v1/auth/token/renew-self', { increment: '1h' }, t)).json.auth.lease_duration,
    ).toBe(20 * 60);
    nowMs += 20 * 60 * 1000;
    expect((await server.request('GET', '/v1/auth/token/lookup-self', undefined, t)).status).toBe(403);
  });

  it('refuses to renew a token created with renewable=false', async () => {
    const t = (await create({ policies: ['ssh-access'], ttl: '10m', renewable: false })).json.auth.client_token;
    expect((await server.request('POST', '/v1/auth/token/renew-self', {}, t)).json).toEqual({
      errors: ['lease is not renewable'],
    });
  });

  it('counts uses: the last use succeeds, then the token is gone', async () => {
    const t = (await create({ policies: ['ssh-access'], num_uses: 2 })).json.auth.client_token;
    const first = await server.request('GET', '/v1/auth/token/lookup-self', undefined, t);
    expect(first.json.data.num_uses).toBe(1); // uses left after this one, as Vault shows it
    expect((await server.request('GET', '/v1/auth/token/lookup-self', undefined, t)).status).toBe(200);
    expect((await server.request('GET', '/v1/auth/token/lookup-self', undefined, t)).status).toBe(403);
    expect((await create({ num_uses: -1 })).json).toEqual({ errors: ['number of uses cannot be negative'] });
  });

  it('revokes descendants with their parent, but not orphans', async () => {
    await server.request('POST', '/v1/sys/policies/acl/tokens', {
      policy: 'path "auth/token/create" { capabilities = ["update"] }',
    });
    const parent = (await create({})).json.auth.client_token;
    const child = (await create({ policies: ['ssh-access', 'tokens'] }, parent)).json.auth.client_token;
    const grandchild = (await create({ policies: ['ssh-access'] }, child)).json.auth.client_token;
    const orphan = (await create({ policies: ['ssh-access'], no_parent: true }, parent)).json.auth.client_token;
    expect((await server.request('POST', '/v1/auth/token/lookup', { token: orphan })).json.data.orphan).toBe(true);
    expect((await server.request('POST', '/v1/auth/token/revoke', { token: parent })).status).toBe(204);
    for (const t of [parent, child, grandchild]) {
      expect((await server.request('GET', '/v1/auth/token/lookup-self', undefined, t)).status).toBe(403);
    }
    expect((await server.request('GET', '/v1/auth/token/lookup-self', undefined, orphan)).status).toBe(200);
  });

  it('revoke-orphan keeps the children, now orphans; revoke-self and revoke-accessor work', async () => {
    const parent = (await create({})).json.auth.client_token;
    const child = (await create({ policies: ['ssh-access'] }, parent)).json.auth.client_token;
    expect((await server.request('POST', '/v1/auth/token/revoke-orphan', { token: parent })).status).toBe(204);
    const look = await server.request('GET', '/v1/auth/token/lookup-self', undefined, child);
    expect(look.json.data.orphan).toBe(true);
    const accessor = look.json.data.accessor;
    expect((await server.request('POST', '/v1/auth/token/lookup-accessor', { accessor })).json.data.id).toBe('');
    expect((await server.request('POST', '/v1/auth/token/revoke-accessor', { accessor })).status).toBe(204);
    expect((await server.request('GET', '/v1/auth/token/lookup-self', undefined, child)).status).toBe(403);
    const self = (await create({ policies: ['ssh-access'] })).json.auth.client_token;
    expect((await server.request('POST', '/v1/auth/token/revoke-self', {}, self)).status).toBe(204);
    expect((await server.request('GET', '/v1/auth/token/lookup-self', undefined, self)).status).toBe(403);
  });

  it("answers a bad token in lookup with Vault's 403, and looks up the caller when no token is given", async () => {
    const bad = await server.request('POST', '/v1/auth/token/lookup', { token: 'hvs.nope' });
    expect([bad.status, bad.json]).toEqual([403, { errors: ['bad token'] }]);
    const self = await server.request('POST', '/v1/auth/token/lookup', {});
    expect([self.status, self.json.data.id]).toEqual([200, server.token]);
  });
});
