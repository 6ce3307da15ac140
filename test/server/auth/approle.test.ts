// The AppRole auth method over real HTTP against the embedded server: enabling it, roles and their
// refusals, role-id, secret IDs (create, wrapped create, custom, list, lookup, destroy, by accessor),
// login with Vault's messages, use counts under 10 parallel logins, expiry on the server's clock,
// CIDR-bound secret IDs (the test client is 127.0.0.1), tidy, storage that never holds a secret ID in
// clear, persistence across a restart (file storage behind the barrier, as `sshca serve --data-dir`),
// and an AppRole token signing an SSH certificate.

import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Seal } from '../../../server/barrier/seal.js';
import { FileStorage } from '../../../server/storage/file-storage.js';
import { MemoryStorage } from '../../../server/storage/memory-storage.js';
import type { Storage } from '../../../server/storage/storage.js';
import { makeScratchDir, removeScratchDir } from '../../helpers/scratch.js';
import { mountSshCa, startTestServer, TEST_ROOT_TOKEN, type TestServer } from '../../helpers/vault-server.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let server: TestServer;
let storage: MemoryStorage;
let nowMs: number;

beforeEach(async () => {
  nowMs = Date.UTC(2027, 0, 15, 8, 0, 0);
  storage = new MemoryStorage();
  server = await startTestServer({ storage, clock: () => nowMs });
  expect((await server.request('POST', '/v1/sys/auth/approle', { type: 'approle' })).status).toBe(204);
});

afterEach(() => server.close());

async function ok(method: string, path: string, body?: unknown): Promise<any> {
  const r = await server.request(method, path, body);
  expect(r.status, `${method} ${path}: ${r.body}`).toBeLessThan(300);
  return r.json;
}

/** Write role `name` with `body`; answers its role_id. */
async function role(name: string, body: Record<string, unknown> = {}): Promise<string> {
  await ok('POST', `/v1/auth/approle/role/${name}`, body);
  return (await ok('GET', `/v1/auth/approle/role/${name}/role-id`)).data.role_id;
}

/** A new secret ID of role `name`. */
async function secretId(name: string, body: Record<string, unknown> = {}): Promise<any> {
  return (await ok('POST', `/v1/auth/approle/role/${name}/secret-id`, body)).data;
}

const login = (body: Record<string, unknown>) => server.request('POST', '/v1/auth/approle/login', body, null);

/** Every key and value in a storage, as text. */
async function dump(s: Storage, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const child of await s.list(prefix)) {
    if (child.endsWith('/')) out.push(...(await dump(s, prefix + child)));
    else out.push(prefix + child, (await s.get(prefix + child))!.toString('utf8'));
  }
  return out;
}

const errors = (r: { status: number; json: any }) => [r.status, r.json?.errors];

describe('enabling', () => {
  it('enables type approle at sys/auth/approle', async () => {
    const r = await server.request('GET', '/v1/sys/auth');
    expect(r.json.data['approle/']).toMatchObject({ type: 'approle' });
    expect(r.json.data['approle/'].accessor).toMatch(/^auth_approle_[0-9a-f]{8}$/);
  });
});

describe('roles', () => {
  it('reads back Vault defaults; names are lower-cased; role_id is a UUID', async () => {
    const roleId = await role('CI-Deploy', { token_policies: 'ssh-sign', token_ttl: '1h', token_max_ttl: '4h' });
    expect(roleId).toMatch(UUID);
    const r = await server.request('GET', '/v1/auth/approle/role/ci-deploy');
    expect(r.json.data).toEqual({
      bind_secret_id: true,
      secret_id_bound_cidrs: null,
      secret_id_num_uses: 0,
      secret_id_ttl: 0,
      local_secret_ids: false,
      token_bound_cidrs: [],
      token_explicit_max_ttl: 0,
      token_max_ttl: 14400,
      token_no_default_policy: false,
      token_num_uses: 0,
      token_period: 0,
      token_policies: ['ssh-sign'],
      token_ttl: 3600,
      token_type: 'default',
    });
    expect((await server.request('GET', '/v1/auth/approle/role/CI-DEPLOY/role-id')).json.data.role_id).toBe(roleId);
    expect((await server.request('LIST', '/v1/auth/approle/role')).json.data.keys).toEqual(['ci-deploy']);
  });

  it('stores the secret ID rules and token_period/token_type (periodic tokens are issue 24 point 2)', async () => {
    await role('r', {
      secret_id_bound_cidrs: '10.0.0.0/8,192.168.0.0/16',
      secret_id_num_uses: 3,
      secret_id_ttl: '10m',
      token_num_uses: 5,
      token_bound_cidrs: ['127.0.0.1/32'],
      token_period: '1h',
      token_type: 'service',
    });
    expect((await server.request('GET', '/v1/auth/approle/role/r')).json.data).toMatchObject({
      secret_id_bound_cidrs: ['10.0.0.0/8', '192.168.0.0/16'],
      secret_id_num_uses: 3,
      secret_id_ttl: 600,
      token_num_uses: 5,
      token_bound_cidrs: ['127.0.0.1/32'],
      token_period: 3600,
      token_type: 'service',
    });
  });

  it.each([
    [
      { bind_secret_id: false },
      500,
      ['1 error occurred:\n\t* at least one constraint should be enabled on the role\n\n'],
    ],
    [{ secret_id_num_uses: -1 }, 400, ['secret_id_num_uses cannot be negative']],
    [
      { secret_id_bound_cidrs: 'bogus' },
      500,
      ['1 error occurred:\n\t* failed to validate CIDR blocks: invalid CIDR address: bogus\n\n'],
    ],
    [{ token_type: 'weird' }, 400, ['invalid \'token_type\' value "weird"']],
    [{ token_ttl: '2h', token_max_ttl: '1h' }, 400, ["'token_ttl' cannot be greater than 'token_max_ttl'"]],
    [
      { token_type: 'batch', token_num_uses: 2 },
      400,
      ["'token_type' cannot be 'batch' or 'default_batch' when set to generate tokens with limited use count"],
    ],
    [{ role_id: '' }, 400, ['invalid role_id supplied, or failed to generate a role_id']],
  ])('refuses %j with Vault’s message', async (body, status, message) => {
    expect(errors(await server.request('POST', '/v1/auth/approle/role/bad', body))).toEqual([status, message]);
    expect((await server.request('GET', '/v1/auth/approle/role/bad')).status).toBe(404);
  });

  it('bind_secret_id=false needs another constraint; a token or secret ID CIDR is enough', async () => {
    await role('open1', { bind_secret_id: false, secret_id_bound_cidrs: '127.0.0.0/8' });
    await role('open2', { bind_secret_id: false, token_bound_cidrs: '127.0.0.1/32' });
    expect(errors(await server.request('POST', '/v1/auth/approle/role/open2', { token_bound_cidrs: '' }))).toEqual([
      500,
      ['1 error occurred:\n\t* at least one constraint should be enabled on the role\n\n'],
    ]);
  });

  it('warns and adjusts default-service; refuses local_secret_ids after creation', async () => {
    const r = await server.request('POST', '/v1/auth/approle/role/w', { token_type: 'default-service' });
    expect(r.json.warnings).toEqual(['default-service has no useful meaning; adjusting to service']);
    expect((await server.request('GET', '/v1/auth/approle/role/w')).json.data.token_type).toBe('service');
    expect(errors(await server.request('POST', '/v1/auth/approle/role/w', { local_secret_ids: true }))).toEqual([
      400,
      ['local_secret_ids can only be modified during role creation'],
    ]);
  });

  it('role-id: set, changed, unique across roles; a missing role is an unsupported path', async () => {
    const first = await role('a', { role_id: 'custom-id' });
    expect(first).toBe('custom-id');
    await role('b');
    expect(errors(await server.request('POST', '/v1/auth/approle/role/b/role-id', { role_id: 'custom-id' }))).toEqual([
      500,
      ['1 error occurred:\n\t* role_id already in use\n\n'],
    ]);
    expect(errors(await server.request('POST', '/v1/auth/approle/role/b/role-id', { role_id: '' }))).toEqual([
      400,
      ['missing role_id'],
    ]);
    expect(errors(await server.request('POST', '/v1/auth/approle/role/nope/role-id', { role_id: 'x' }))).toEqual([
      404,
      ['1 error occurred:\n\t* unsupported path\n\n'],
    ]);
    expect((await server.request('GET', '/v1/auth/approle/role/nope/role-id')).status).toBe(404);
    // A changed role_id logs in; the old one no longer does.
    await ok('POST', '/v1/auth/approle/role/a/role-id', { role_id: 'renamed-id' });
    const s = (await secretId('a')).secret_id;
    expect((await login({ role_id: 'renamed-id', secret_id: s })).status).toBe(200);
    expect(errors(await login({ role_id: 'custom-id', secret_id: s }))).toEqual([400, ['invalid role or secret ID']]);
  });

  it('deleting a role removes its secret IDs and its role_id', async () => {
    const roleId = await role('gone');
    const s = await secretId('gone');
    expect((await server.request('DELETE', '/v1/auth/approle/role/gone')).status).toBe(204);
    expect(errors(await login({ role_id: roleId, secret_id: s.secret_id }))).toEqual([
      400,
      ['invalid role or secret ID'],
    ]);
    expect((await dump(storage)).join('\n')).not.toContain('secret_id/');
  });
});

describe('secret IDs', () => {
  beforeEach(async () => {
    await role('app', { secret_id_num_uses: 5, secret_id_ttl: '1h', secret_id_bound_cidrs: '127.0.0.0/8' });
  });

  it('creates a UUID secret ID with an accessor; lookup by value and accessor; list', async () => {
    const created = await secretId('app', { metadata: '{"env":"ci"}', num_uses: 2, ttl: '30m' });
    expect(created.secret_id).toMatch(UUID);
    expect(created.secret_id_accessor).toMatch(UUID);
    expect(created).toMatchObject({ secret_id_ttl: 1800, secret_id_num_uses: 2 });
    const expected = {
      secret_id_accessor: created.secret_id_accessor,
      secret_id_num_uses: 2,
      secret_id_ttl: 1800,
      creation_time: '2027-01-15T08:00:00Z',
      expiration_time: '2027-01-15T08:30:00Z',
      last_updated_time: '2027-01-15T08:00:00Z',
      metadata: { env: 'ci' },
      cidr_list: [],
      token_bound_cidrs: [],
    };
    const byValue = await server.request('POST', '/v1/auth/approle/role/app/secret-id/lookup', {
      secret_id: created.secret_id,
    });
    expect(byValue.json.data).toEqual(expected);
    const byAccessor = await server.request('POST', '/v1/auth/approle/role/app/secret-id-accessor/lookup', {
      secret_id_accessor: created.secret_id_accessor,
    });
    expect(byAccessor.json.data).toEqual(expected);
    expect((await server.request('LIST', '/v1/auth/approle/role/app/secret-id')).json.data.keys).toEqual([
      created.secret_id_accessor,
    ]);
  });

  it('custom-secret-id: registered once; the value is the caller’s', async () => {
    const created = (
      await ok('POST', '/v1/auth/approle/role/app/custom-secret-id', { secret_id: 'my-own-secret-value' })
    ).data;
    expect(created.secret_id).toBe('my-own-secret-value');
    expect(
      errors(
        await server.request('POST', '/v1/auth/approle/role/app/custom-secret-id', {
          secret_id: 'my-own-secret-value',
        }),
      ),
    ).toEqual([500, ['1 error occurred:\n\t* failed to store secret_id: SecretID is already registered\n\n']]);
    expect(errors(await server.request('POST', '/v1/auth/approle/role/app/custom-secret-id', {}))).toEqual([
      400,
      ['missing secret_id'],
    ]);
  });

  it.each([
    [{ num_uses: -1 }, 400, ['num_uses cannot be negative']],
    [{ num_uses: 6 }, 400, ["num_uses cannot be higher than the role's secret_id_num_uses"]],
    [{ num_uses: 0 }, 400, ["num_uses cannot be higher than the role's secret_id_num_uses"]],
    [{ ttl: '2h' }, 400, ["ttl cannot be longer than the role's secret_id_ttl"]],
    [{ metadata: 'a=b=c' }, 400, ['failed to parse metadata: failed to parse the input: invalid <key,value> format']],
    [{ metadata: '{"k":""}' }, 400, ['failed to parse metadata: invalid value for key "k"']],
    [
      { cidr_list: 'bogus' },
      500,
      ['1 error occurred:\n\t* failed to validate CIDR blocks: invalid CIDR address: bogus\n\n'],
    ],
    [
      { cidr_list: '10.0.0.0/8' },
      500,
      [
        '1 error occurred:\n\t* failed to verify subset relationship between CIDR blocks on the role ["127.0.0.0/8"] and CIDR blocks on the secret ID ["10.0.0.0/8"]: %!w(<nil>)\n\n',
      ],
    ],
  ])('refuses %j with Vault’s message', async (body, status, message) => {
    expect(errors(await server.request('POST', '/v1/auth/approle/role/app/secret-id', body))).toEqual([
      status,
      message,
    ]);
  });

  it('refuses a missing role, and a role without bind_secret_id', async () => {
    expect(errors(await server.request('POST', '/v1/auth/approle/role/nope/secret-id', {}))).toEqual([
      404,
      ['role "nope" does not exist'],
    ]);
    expect(errors(await server.request('LIST', '/v1/auth/approle/role/nope/secret-id'))).toEqual([
      400,
      ['role "nope" does not exist'],
    ]);
    await role('nobind', { bind_secret_id: false, token_bound_cidrs: '127.0.0.1/32' });
    expect(errors(await server.request('POST', '/v1/auth/approle/role/nobind/secret-id', {}))).toEqual([
      400,
      ['bind_secret_id is not set on the role'],
    ]);
  });

  it('lookup and destroy refusals by value and by accessor', async () => {
    const path = '/v1/auth/approle/role/app';
    expect(errors(await server.request('POST', `${path}/secret-id/lookup`, {}))).toEqual([400, ['missing secret_id']]);
    expect((await server.request('POST', `${path}/secret-id/lookup`, { secret_id: 'unknown' })).status).toBe(204);
    expect(
      errors(await server.request('POST', '/v1/auth/approle/role/nope/secret-id/lookup', { secret_id: 'x' })),
    ).toEqual([500, ['1 error occurred:\n\t* role "nope" does not exist\n\n']]);
    expect(errors(await server.request('POST', `${path}/secret-id-accessor/lookup`, {}))).toEqual([
      400,
      ['missing secret_id_accessor'],
    ]);
    expect(
      errors(await server.request('POST', `${path}/secret-id-accessor/lookup`, { secret_id_accessor: 'nope' })),
    ).toEqual([404, ['failed to find accessor entry for secret_id_accessor: "nope"']]);
    expect(
      errors(await server.request('POST', `${path}/secret-id-accessor/destroy`, { secret_id_accessor: 'nope' })),
    ).toEqual([500, ['1 error occurred:\n\t* failed to find accessor entry for secret_id_accessor: "nope"\n\n']]);
    // An accessor of another role's secret ID: not found under this role.
    await role('other');
    const foreign = await secretId('other');
    expect(
      errors(
        await server.request('POST', `${path}/secret-id-accessor/destroy`, {
          secret_id_accessor: foreign.secret_id_accessor,
        }),
      ),
    ).toEqual([403, ['invalid secret id accessor']]);
  });

  it('destroy by value and by accessor (POST and DELETE) end the secret ID', async () => {
    const path = '/v1/auth/approle/role/app';
    const roleId = (await ok('GET', `${path}/role-id`)).data.role_id;
    const a = await secretId('app');
    const b = await secretId('app');
    expect((await server.request('POST', `${path}/secret-id/destroy`, { secret_id: a.secret_id })).status).toBe(204);
    expect(
      // DELETE takes the accessor in the query string (Vault's `Query: true` field).
      (await server.request('DELETE', `${path}/secret-id-accessor/destroy?secret_id_accessor=${b.secret_id_accessor}`))
        .status,
    ).toBe(204);
    for (const s of [a, b]) {
      expect(errors(await login({ role_id: roleId, secret_id: s.secret_id }))).toEqual([
        400,
        ['invalid role or secret ID'],
      ]);
    }
    expect((await server.request('LIST', `${path}/secret-id`)).status).toBe(404);
  });

  it('a wrapped secret-id: the answer is wrap_info only; unwrapping gives a secret ID that logs in', async () => {
    const roleId = (await ok('GET', '/v1/auth/approle/role/app/role-id')).data.role_id;
    const res = await fetch(`${server.url}/v1/auth/approle/role/app/secret-id`, {
      method: 'POST',
      headers: { 'X-Vault-Token': TEST_ROOT_TOKEN, 'X-Vault-Wrap-TTL': '60s' },
      body: '{}',
    });
    const wrapped = (await res.json()) as any;
    expect(res.status).toBe(200);
    expect(wrapped.data).toBeNull();
    expect(wrapped.wrap_info).toMatchObject({ ttl: 60, creation_path: 'auth/approle/role/app/secret-id' });
    const unwrapped = await server.request('POST', '/v1/sys/wrapping/unwrap', undefined, wrapped.wrap_info.token);
    expect(unwrapped.status).toBe(200);
    const { secret_id } = unwrapped.json.data;
    expect(secret_id).toMatch(UUID);
    expect((await login({ role_id: roleId, secret_id })).status).toBe(200);
    // The wrapping token was single-use.
    expect((await server.request('POST', '/v1/sys/wrapping/unwrap', undefined, wrapped.wrap_info.token)).status).toBe(
      400,
    );
  });

  it('storage never holds a secret ID or a role_id in clear', async () => {
    const roleId = (await ok('GET', '/v1/auth/approle/role/app/role-id')).data.role_id;
    const created = await secretId('app');
    await ok('POST', '/v1/auth/approle/role/app/custom-secret-id', { secret_id: 'custom-secret-value-123' });
    expect((await login({ role_id: roleId, secret_id: created.secret_id })).status).toBe(200);
    const all = (await dump(storage)).join('\n');
    expect(all).not.toContain(created.secret_id);
    expect(all).not.toContain('custom-secret-value-123');
    // The role_id is in its role (Vault shows it on role-id), never in a key.
    expect((await dump(storage)).filter((_, i, a) => i % 2 === 0).join('\n')).not.toContain(roleId);
  });
});

describe('login', () => {
  it('issues a token with Vault’s auth block: metadata role_name, display name approle, alias = role_id', async () => {
    await ok('POST', '/v1/sys/policies/acl/ssh-sign', { policy: 'path "ssh/sign/x" { capabilities = ["update"] }' });
    const roleId = await role('ci', { token_policies: 'ssh-sign', token_ttl: '20m', token_num_uses: 3 });
    const s = await secretId('ci', { metadata: 'Team=Infra' });
    const r = await login({ role_id: roleId, secret_id: s.secret_id });
    expect(r.status).toBe(200);
    expect(r.json.auth).toMatchObject({
      policies: ['default', 'ssh-sign'],
      token_policies: ['default', 'ssh-sign'],
      metadata: { role_name: 'ci', team: 'infra' },
      lease_duration: 1200,
      renewable: true,
    });
    const token = r.json.auth.client_token;
    const self = (await server.request('GET', '/v1/auth/token/lookup-self', undefined, token)).json.data;
    expect(self.display_name).toBe('approle');
    expect(self.num_uses).toBe(2); // three uses, one spent by this lookup
    expect(self.entity_id).toBe(r.json.auth.entity_id);
    const entity = (await ok('GET', `/v1/identity/entity/id/${r.json.auth.entity_id}`)).data;
    expect(entity.aliases).toHaveLength(1);
    expect(entity.aliases[0]).toMatchObject({
      name: roleId,
      mount_type: 'approle',
      metadata: { role_name: 'ci', team: 'infra' },
    });
  });

  it.each([
    [{}, ['missing role_id']],
    [{ role_id: '  ' }, ['missing role_id']],
    [{ role_id: 'unknown' }, ['invalid role or secret ID']],
    [{ role_id: 'ROLE' }, ['missing secret_id']],
    [{ role_id: 'ROLE', secret_id: 'wrong' }, ['invalid role or secret ID']],
  ] as [Record<string, string>, string[]][])('refuses %j with 400 and Vault’s message', async (body, message) => {
    const roleId = await role('r');
    const sent = { ...body, ...(body.role_id === 'ROLE' ? { role_id: roleId } : {}) };
    expect(errors(await login(sent))).toEqual([400, message]);
  });

  it('a role without bind_secret_id logs in with its role_id alone, within its CIDRs', async () => {
    const roleId = await role('machine', { bind_secret_id: false, secret_id_bound_cidrs: '127.0.0.0/8' });
    const r = await login({ role_id: roleId });
    expect(r.status).toBe(200);
    expect(r.json.auth.metadata).toEqual({ role_name: 'machine' });
  });

  it('secret_id_num_uses=1 used by 10 parallel logins: exactly one token', async () => {
    const roleId = await role('once', { secret_id_num_uses: 1 });
    const s = await secretId('once');
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => login({ role_id: roleId, secret_id: s.secret_id })),
    );
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses).toEqual([200, 400, 400, 400, 400, 400, 400, 400, 400, 400]);
    for (const a of answers.filter((x) => x.status === 400))
      expect(a.json.errors).toEqual(['invalid role or secret ID']);
    expect((await server.request('LIST', '/v1/auth/approle/role/once/secret-id')).status).toBe(404);
  });

  it('secret_id_num_uses=3 used by 10 parallel logins: exactly three tokens; the count decrements', async () => {
    const roleId = await role('thrice', { secret_id_num_uses: 3 });
    const s = await secretId('thrice');
    expect((await login({ role_id: roleId, secret_id: s.secret_id })).status).toBe(200);
    const lookup = await server.request('POST', '/v1/auth/approle/role/thrice/secret-id/lookup', {
      secret_id: s.secret_id,
    });
    expect(lookup.json.data.secret_id_num_uses).toBe(2);
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => login({ role_id: roleId, secret_id: s.secret_id })),
    );
    expect(answers.filter((a) => a.status === 200)).toHaveLength(2);
  });

  it('an expired secret ID is refused on the server’s clock and removed', async () => {
    const roleId = await role('short', { secret_id_ttl: '60s' });
    const s = await secretId('short');
    nowMs += 59_000;
    expect((await login({ role_id: roleId, secret_id: s.secret_id })).status).toBe(200);
    nowMs += 1_000;
    expect(errors(await login({ role_id: roleId, secret_id: s.secret_id }))).toEqual([
      400,
      ['invalid role or secret ID'],
    ]);
    expect((await server.request('LIST', '/v1/auth/approle/role/short/secret-id')).status).toBe(404);
  });

  it('CIDR-bound secret IDs and roles are refused from other addresses (the client is 127.0.0.1)', async () => {
    const unlimited = await role('sid', {});
    const s1 = await secretId('sid', { cidr_list: '10.0.0.0/8' });
    expect(errors(await login({ role_id: unlimited, secret_id: s1.secret_id }))).toEqual([
      400,
      ['source address "127.0.0.1" unauthorized through CIDR restrictions on the secret ID'],
    ]);
    const limited = await role('sid-limited', { secret_id_num_uses: 5 });
    const s2 = await secretId('sid-limited', { cidr_list: '10.0.0.0/8' });
    expect(errors(await login({ role_id: limited, secret_id: s2.secret_id }))).toEqual([
      400,
      ['source address "127.0.0.1" unauthorized by CIDR restrictions on the secret ID: %!w(<nil>)'],
    ]);
    // As Vault, a use is spent before the CIDR check.
    const left = await server.request('POST', '/v1/auth/approle/role/sid-limited/secret-id/lookup', {
      secret_id: s2.secret_id,
    });
    expect(left.json.data.secret_id_num_uses).toBe(4);
    const boundRole = await role('roleb', { secret_id_bound_cidrs: '10.0.0.0/8' });
    const s3 = await secretId('roleb');
    expect(errors(await login({ role_id: boundRole, secret_id: s3.secret_id }))).toEqual([
      400,
      ['source address "127.0.0.1" unauthorized by CIDR restrictions on the role: %!w(<nil>)'],
    ]);
    // From an allowed block, the same kind of secret ID logs in.
    const s4 = await secretId('sid', { cidr_list: '127.0.0.0/8' });
    expect((await login({ role_id: unlimited, secret_id: s4.secret_id })).status).toBe(200);
  });

  it('a secret ID’s token_bound_cidrs override the role’s and bind the token', async () => {
    const roleId = await role('tb', { token_bound_cidrs: '10.0.0.0/8,127.0.0.0/8' });
    const s = await secretId('tb', { token_bound_cidrs: '10.0.0.0/8' });
    const token = (await login({ role_id: roleId, secret_id: s.secret_id })).json.auth.client_token;
    expect((await server.request('GET', '/v1/auth/token/lookup-self', undefined, token)).status).toBe(403);
  });
});

describe('tidy/secret-id', () => {
  it('answers 202 and removes expired secret IDs and their accessors', async () => {
    await role('t', { secret_id_ttl: '60s' });
    const expiring = await secretId('t');
    const lasting = await secretId('t', { ttl: '60s' });
    nowMs += 61_000;
    const r = await server.request('POST', '/v1/auth/approle/tidy/secret-id', {});
    expect(r.status).toBe(202);
    expect(r.json.warnings).toEqual([
      "Tidy operation successfully started. Any information from the operation will be printed to Vault's server logs.",
    ]);
    expect((await server.request('LIST', '/v1/auth/approle/role/t/secret-id')).status).toBe(404);
    for (const s of [expiring, lasting]) {
      expect(
        (
          await server.request('POST', '/v1/auth/approle/role/t/secret-id-accessor/lookup', {
            secret_id_accessor: s.secret_id_accessor,
          })
        ).status,
      ).toBe(404);
    }
  });

  it('keeps secret IDs that have not expired', async () => {
    await role('keep', { secret_id_ttl: '1h' });
    const s = await secretId('keep');
    expect((await server.request('POST', '/v1/auth/approle/tidy/secret-id', {})).status).toBe(202);
    expect((await server.request('LIST', '/v1/auth/approle/role/keep/secret-id')).json.data.keys).toEqual([
      s.secret_id_accessor,
    ]);
  });
});

describe('ACL', () => {
  it('secret-id creation needs update on its path; login needs no token', async () => {
    await ok('POST', '/v1/sys/policies/acl/reader', {
      policy: 'path "auth/approle/role/ci/role-id" { capabilities = ["read"] }',
    });
    const roleId = await role('ci');
    const token = (await ok('POST', '/v1/auth/token/create', { policies: ['reader'] })).auth.client_token;
    expect((await server.request('GET', '/v1/auth/approle/role/ci/role-id', undefined, token)).json.data.role_id).toBe(
      roleId,
    );
    expect(errors(await server.request('POST', '/v1/auth/approle/role/ci/secret-id', {}, token))).toEqual([
      403,
      ['1 error occurred:\n\t* permission denied\n\n'],
    ]);
  });
});

describe('end to end', () => {
  it('an AppRole login token with a signing policy signs an SSH certificate, and may do nothing else', async () => {
    await mountSshCa(server, 'ssh-dev', {
      deploy: {
        key_type: 'ca',
        allow_user_certificates: true,
        allowed_users: 'deploy',
        default_user: 'deploy',
        ttl: '10m',
      },
    });
    await ok('POST', '/v1/sys/policies/acl/dev-sign', {
      policy: 'path "ssh-dev/sign/deploy" { capabilities = ["update"] }',
    });
    const roleId = await role('ci', { token_policies: 'dev-sign' });
    const s = await secretId('ci');
    const token = (await login({ role_id: roleId, secret_id: s.secret_id })).json.auth.client_token;
    const key = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBXSS3ny8n2gbOqJ4uBqjX5QvfKu4mnLSUDZ+R9FRwP9 ci';
    const signed = await server.request('POST', '/v1/ssh-dev/sign/deploy', { public_key: key }, token);
    expect(signed.status).toBe(200);
    expect(signed.json.data.signed_key).toMatch(/^ssh-ed25519-cert-v01@openssh\.com /);
    expect((await server.request('POST', '/v1/ssh-dev/roles/deploy', { key_type: 'ca' }, token)).status).toBe(403);
  });
});

describe('persistence', () => {
  it('roles, role_id index, secret IDs and their use counts survive a restart on file storage', async () => {
    const dir = makeScratchDir('approle');
    let s: TestServer | undefined;
    try {
      const physical = () => new FileStorage(join(dir, 'storage'));
      const seal = await Seal.load(physical());
      const { unsealKey } = await seal.initialize(1, 1, nowMs);
      const open = async () => {
        await s?.close();
        const st = await (await Seal.load(physical())).openWith(Buffer.from(unsealKey));
        s = await startTestServer({ storage: st, clock: () => nowMs });
        return s;
      };
      let a = await open();
      await a.request('POST', '/v1/sys/auth/approle', { type: 'approle' });
      await a.request('POST', '/v1/auth/approle/role/durable', { secret_id_num_uses: 2, secret_id_ttl: '1h' });
      const roleId = (await a.request('GET', '/v1/auth/approle/role/durable/role-id')).json.data.role_id;
      const sid = (await a.request('POST', '/v1/auth/approle/role/durable/secret-id', {})).json.data.secret_id;
      const use = (srv: TestServer) =>
        srv.request('POST', '/v1/auth/approle/login', { role_id: roleId, secret_id: sid }, null);
      expect((await use(a)).status).toBe(200);

      a = await open();
      expect((await a.request('GET', '/v1/auth/approle/role/durable')).json.data.secret_id_num_uses).toBe(2);
      expect((await use(a)).status).toBe(200);
      a = await open();
      expect(errors(await use(a))).toEqual([400, ['invalid role or secret ID']]);

      // Expiry holds across a restart too.
      const later = (await a.request('POST', '/v1/auth/approle/role/durable/secret-id', {})).json.data.secret_id;
      nowMs += 3_600_000;
      a = await open();
      expect(
        errors(await a.request('POST', '/v1/auth/approle/login', { role_id: roleId, secret_id: later }, null)),
      ).toEqual([400, ['invalid role or secret ID']]);
    } finally {
      await s?.close();
      removeScratchDir(dir);
    }
  });
});
