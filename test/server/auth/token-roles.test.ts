// Token roles over real HTTP (issue 24): role CRUD and list, `auth/token/create/:role` within the
// role's allowed and disallowed policies (Vault's messages), orphan roles, path suffixes, bound
// CIDRs; create-orphan for a token whose policy grants it (no sudo); and the answers Vault gives to
// unknown, expired and revoked tokens.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../helpers/vault-server.js';

const INVALID_TOKEN = {
  status: 403,
  json: { errors: ['2 errors occurred:\n\t* permission denied\n\t* invalid token\n\n'] },
};
let server: TestServer;
let nowMs: number;

beforeEach(async () => {
  nowMs = Date.UTC(2027, 0, 15, 8, 0, 0);
  server = await startTestServer({ clock: () => nowMs });
});

afterEach(async () => {
  await server.close();
});

async function ok(method: string, path: string, body?: unknown, token?: string) {
  const r = await server.request(method, path, body, token);
  expect(r.status, `${method} ${path}: ${r.body}`).toBeLessThan(300);
  return r.json;
}

const policy = (name: string, path: string) =>
  ok('PUT', `/v1/sys/policies/acl/${name}`, { policy: `path "${path}" { capabilities = ["update"] }` });

/** A token whose only policy allows `auth/token/create/<role>` (no sudo, none of the role's policies). */
async function creatorFor(role: string): Promise<string> {
  await policy(`create-${role}`, `auth/token/create/${role}`);
  return (await ok('POST', '/v1/auth/token/create', { policies: [`create-${role}`] })).auth.client_token;
}

describe('token roles', () => {
  it('create, read, list, update and delete', async () => {
    expect((await server.request('POST', '/v1/auth/token/roles/ops', { allowed_policies: 'Web, ssh' })).status).toBe(
      204,
    );
    expect((await ok('GET', '/v1/auth/token/roles/ops')).data).toEqual({
      allowed_entity_aliases: null,
      allowed_policies: ['ssh', 'web'],
      allowed_policies_glob: [],
      disallowed_policies: [],
      disallowed_policies_glob: [],
      explicit_max_ttl: 0,
      name: 'ops',
      orphan: false,
      path_suffix: '',
      period: 0,
      renewable: true,
      token_explicit_max_ttl: 0,
      token_no_default_policy: false,
      token_period: 0,
      token_type: 'default-service',
    });
    await ok('POST', '/v1/auth/token/roles/ci', { period: '1h', token_bound_cidrs: '10.0.0.0/8', token_num_uses: 3 });
    expect((await ok('LIST', '/v1/auth/token/roles')).data.keys).toEqual(['ci', 'ops']);
    await ok('POST', '/v1/auth/token/roles/ops', { orphan: true, renewable: false });
    expect((await ok('GET', '/v1/auth/token/roles/ops')).data).toMatchObject({
      allowed_policies: ['ssh', 'web'],
      orphan: true,
      renewable: false,
    });
    expect((await ok('GET', '/v1/auth/token/roles/ci')).data).toMatchObject({
      period: 3600,
      token_period: 3600,
      token_bound_cidrs: ['10.0.0.0/8'],
      token_num_uses: 3,
    });
    expect((await server.request('DELETE', '/v1/auth/token/roles/ops')).status).toBe(204);
    expect((await server.request('GET', '/v1/auth/token/roles/ops')).status).toBe(404);
    expect((await ok('LIST', '/v1/auth/token/roles')).data.keys).toEqual(['ci']);
  });

  it("refuses bad role settings with Vault's messages and warns as Vault", async () => {
    const refused = async (body: unknown) => (await server.request('POST', '/v1/auth/token/roles/bad', body)).json;
    expect(await refused({ path_suffix: 'a/' })).toEqual({
      errors: [String.raw`given role path suffix contains invalid characters; must match \w[\w-.]+\w`],
    });
    expect(await refused({ path_suffix: 'v1..v2' })).toEqual({
      errors: ['error registering path suffix: path cannot contain parent references'],
    });
    expect(await refused({ token_type: 'weird' })).toEqual({ errors: [`invalid 'token_type' value "weird"`] });
    expect(await refused({ token_type: 'batch' })).toEqual({
      errors: ["'token_type' cannot be 'batch' when role is set to generate non-orphan tokens"],
    });
    const warned = await ok('POST', '/v1/auth/token/roles/w', {
      period: '1h',
      token_period: '2h',
      token_explicit_max_ttl: '800h',
    });
    expect(warned.warnings).toEqual([
      "Both 'token_period' and deprecated 'period' value supplied, ignoring the deprecated value",
      'Given explicit max TTL of 2880000 is greater than system/mount allowed value of 2764800 seconds; until this is fixed attempting to create tokens against this role will result in an error',
    ]);
  });

  it('create/:role gives the allowed policies, even ones the parent lacks, and refuses others', async () => {
    await ok('POST', '/v1/auth/token/roles/ops', { allowed_policies: 'web,ssh' });
    const creator = await creatorFor('ops');
    const all = await ok('POST', '/v1/auth/token/create/ops', {}, creator);
    expect(all.auth.policies).toEqual(['default', 'ssh', 'web']);
    const some = await ok('POST', '/v1/auth/token/create/ops', { policies: ['web'] }, creator);
    expect(some.auth.policies).toEqual(['default', 'web']);
    const r = await server.request('POST', '/v1/auth/token/create/ops', { policies: ['admin'] }, creator);
    expect([r.status, r.json]).toEqual([
      400,
      {
        errors: [
          `token policies (["admin" "default"]) must be subset of the role's allowed policies (["default" "ssh" "web"]) or glob policies ([])`,
        ],
      },
    ]);
    // Without the role, the same token may not give policies it lacks.
    await policy('create-plain', 'auth/token/create');
    const plain = (await ok('POST', '/v1/auth/token/create', { policies: ['create-plain'] })).auth.client_token;
    const child = await server.request('POST', '/v1/auth/token/create', { policies: ['web'] }, plain);
    expect([child.status, child.json]).toEqual([400, { errors: ['child policies must be subset of parent'] }]);
  });

  it('create/:role refuses disallowed policies, globs included', async () => {
    await ok('POST', '/v1/auth/token/roles/ops', { disallowed_policies: 'admin', disallowed_policies_glob: 'root-*' });
    for (const [asked, bad] of [
      [['web', 'admin'], 'admin'],
      [['root-ish'], 'root-ish'],
    ] as const) {
      const r = await server.request('POST', '/v1/auth/token/create/ops', { policies: asked });
      expect([r.status, r.json]).toEqual([400, { errors: [`token policy "${bad}" is disallowed by this role`] }]);
    }
    expect((await ok('POST', '/v1/auth/token/create/ops', { policies: ['web'] })).auth.policies).toEqual([
      'default',
      'web',
    ]);
  });

  it('orphan roles, path suffix, the role on lookup, num_uses and renewable from the role', async () => {
    await ok('POST', '/v1/auth/token/roles/ops', {
      allowed_policies: 'web',
      orphan: true,
      path_suffix: 'rev-2',
      renewable: false,
      token_num_uses: 5,
    });
    const creator = await creatorFor('ops');
    const created = await ok('POST', '/v1/auth/token/create/ops', {}, creator);
    expect([created.auth.orphan, created.auth.renewable, created.auth.num_uses]).toEqual([true, false, 5]);
    const look = (await ok('POST', '/v1/auth/token/lookup', { token: created.auth.client_token })).data;
    expect([look.path, look.role, look.orphan]).toEqual(['auth/token/create/ops/rev-2', 'ops', true]);
    // An orphan outlives the token that created it.
    await ok('POST', '/v1/auth/token/revoke', { token: creator });
    expect((await ok('POST', '/v1/auth/token/lookup', { token: created.auth.client_token })).data.id).toBe(
      created.auth.client_token,
    );
  });

  it('bound CIDRs come from the role (127.0.0.1 is outside 10.0.0.0/8), not from the parent', async () => {
    await ok('POST', '/v1/auth/token/roles/far', { token_bound_cidrs: '10.0.0.0/8' });
    await ok('POST', '/v1/auth/token/roles/near', { token_bound_cidrs: '127.0.0.1/32' });
    const far = (await ok('POST', '/v1/auth/token/create/far', { policies: ['default'] })).auth.client_token;
    const near = (await ok('POST', '/v1/auth/token/create/near', { policies: ['default'] })).auth.client_token;
    expect(await server.request('GET', '/v1/auth/token/lookup-self', undefined, far)).toMatchObject({
      status: 403,
      json: { errors: ['1 error occurred:\n\t* permission denied\n\n'] },
    });
    const look = await server.request('GET', '/v1/auth/token/lookup-self', undefined, near);
    expect([look.status, look.json.data.bound_cidrs]).toEqual([200, ['127.0.0.1/32']]);
  });

  it("an unknown role is Vault's error", async () => {
    const r = await server.request('POST', '/v1/auth/token/create/nope', {});
    expect([r.status, r.json]).toEqual([400, { errors: ['unknown role nope'] }]);
  });
});

describe('create-orphan', () => {
  it('works for a token whose policy grants auth/token/create-orphan, without sudo', async () => {
    await policy('orphans', 'auth/token/create-orphan');
    const creator = (await ok('POST', '/v1/auth/token/create', { policies: ['orphans'] })).auth.client_token;
    const created = await ok('POST', '/v1/auth/token/create-orphan', { policies: ['orphans'] }, creator);
    expect([created.auth.orphan, created.auth.policies]).toEqual([true, ['default', 'orphans']]);
    // Policies stay within the creator's.
    const wider = await server.request('POST', '/v1/auth/token/create-orphan', { policies: ['admin'] }, creator);
    expect([wider.status, wider.json]).toEqual([400, { errors: ['child policies must be subset of parent'] }]);
    // no_parent on auth/token/create still needs root or sudo.
    await policy('plain', 'auth/token/create');
    const plain = (await ok('POST', '/v1/auth/token/create', { policies: ['plain'] })).auth.client_token;
    const r = await server.request('POST', '/v1/auth/token/create', { no_parent: true }, plain);
    expect([r.status, r.json]).toEqual([400, { errors: ['root or sudo privileges required to create orphan token'] }]);
  });
});

describe('unknown, expired and revoked tokens', () => {
  it('are refused as Vault refuses them, whether presented or named in the body', async () => {
    const revoked = (await ok('POST', '/v1/auth/token/create', { policies: ['default'] })).auth.client_token;
    await ok('POST', '/v1/auth/token/revoke', { token: revoked });
    const expired = (await ok('POST', '/v1/auth/token/create', { policies: ['default'], ttl: '1m' })).auth.client_token;
    nowMs += 61_000;
    for (const token of ['hvs.never-issued', revoked, expired]) {
      expect(await server.request('GET', '/v1/auth/token/lookup-self', undefined, token)).toMatchObject(INVALID_TOKEN);
      expect(await server.request('POST', '/v1/auth/token/renew-self', {}, token)).toMatchObject(INVALID_TOKEN);
      const lookup = await server.request('POST', '/v1/auth/token/lookup', { token });
      expect([lookup.status, lookup.json]).toEqual([403, { errors: ['bad token'] }]);
      const renew = await server.request('POST', '/v1/auth/token/renew', { token });
      expect([renew.status, renew.json]).toEqual([400, { errors: ['token not found'] }]);
      expect((await server.request('POST', '/v1/auth/token/revoke', { token })).status).toBe(204);
    }
  });
});
