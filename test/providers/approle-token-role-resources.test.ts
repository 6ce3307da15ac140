// AppRoleRole and TokenRole through Pulumi's own dynamic-provider server (the serialized provider
// text the engine stores as `__provider`, driven over gRPC) (issue 24, point 3). AppRoleRole against
// the embedded server over HTTP: check, create, read (refresh), diff, update, delete, and a login with
// the role_id it outputs and a secret ID. TokenRole: check and diff, and against the embedded
// server's `auth/token/roles` create, read (refresh), update, delete, and a token created with the
// role by the root token.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appRoleRoleProvider } from '../../providers/approle-role.js';
import { authMethodProvider } from '../../providers/auth-method.js';
import { tokenRoleProvider } from '../../providers/token-role.js';
import { serializeProvider, startProviderServer, type ProviderServer } from '../helpers/pulumi.js';
import { startTestServer, type TestServer } from '../helpers/vault-server.js';

const urn = (type: string, name: string) => `urn:pulumi:dev::test::pulumi-nodejs:dynamic/vault-ssh-ca:${type}::${name}`;
let backend: TestServer;
let grpc: ProviderServer;
const texts: Record<string, string> = {};

beforeAll(async () => {
  backend = await startTestServer();
  const providers = { method: authMethodProvider, approle: appRoleRoleProvider, token: tokenRoleProvider };
  for (const [k, p] of Object.entries(providers)) texts[k] = await serializeProvider(p);
  grpc = await startProviderServer();
});

afterAll(async () => {
  await grpc?.stop();
  await backend?.close();
});

const conn = (kind: string) => ({ __provider: texts[kind]!, address: backend.url, token: backend.token });
const get = async (path: string) => (await backend.request('GET', path)).json?.data;

describe('serialized providers', () => {
  it('capture no token', () => {
    for (const text of Object.values(texts)) expect(text).not.toContain(backend.token);
  });
});

describe('AppRoleRole', () => {
  it('creates the role with our defaults, outputs its role_id, refreshes, updates in place, replaces on name, deletes', async () => {
    await grpc.create(urn('AuthMethod', 'approle'), { ...conn('method'), path: 'approle', type: 'approle' });
    const inputs = {
      ...conn('approle'),
      mount: 'approle',
      name: 'dev-delivery',
      tokenPolicies: ['dev-sign-automation'],
    };
    expect((await grpc.check(urn('AppRoleRole', 'd'), {}, inputs)).failures).toEqual([]);
    const role = await grpc.create(urn('AppRoleRole', 'd'), inputs);
    expect(role.id).toBe('auth/approle/role/dev-delivery');
    expect(role.outs.roleId).toMatch(/^[0-9a-f-]{36}$/);
    expect(await get('/v1/auth/approle/role/dev-delivery/role-id')).toEqual({ role_id: role.outs.roleId });
    expect(await get('/v1/auth/approle/role/dev-delivery')).toEqual({
      bind_secret_id: true,
      secret_id_bound_cidrs: [],
      secret_id_num_uses: 1,
      secret_id_ttl: 600,
      local_secret_ids: false,
      token_bound_cidrs: [],
      token_explicit_max_ttl: 0,
      token_max_ttl: 3600,
      token_no_default_policy: false,
      token_num_uses: 0,
      token_period: 0,
      token_policies: ['dev-sign-automation'],
      token_ttl: 900,
      token_type: 'default',
    });
    // Refresh: unchanged; the same spec in seconds is no change.
    expect((await grpc.read(urn('AppRoleRole', 'd'), role.id, role.outs)).props).toEqual(role.outs);
    expect((await grpc.diff(urn('AppRoleRole', 'd'), role.id, role.outs, { ...inputs, tokenTtl: 900 })).changes).toBe(
      1,
    );

    // A secret ID (one use) and the role_id log in, with the signing policy for 15 minutes; a second login is refused.
    const secret = (await backend.request('POST', '/v1/auth/approle/role/dev-delivery/secret-id', {})).json.data;
    expect(secret.secret_id_ttl).toBe(600);
    const login = () =>
      backend.request(
        'POST',
        '/v1/auth/approle/login',
        { role_id: role.outs.roleId, secret_id: secret.secret_id },
        null,
      );
    const ok = await login();
    expect(ok.status).toBe(200);
    expect(ok.json.auth).toMatchObject({ policies: ['default', 'dev-sign-automation'], lease_duration: 900 });
    expect((await login()).status).toBe(400);

    // Changed outside Pulumi: the refresh shows the backend's TTL; the update writes the program's role
    // back and keeps the role_id.
    await backend.request('POST', '/v1/auth/approle/role/dev-delivery', { token_ttl: '30m' });
    const drifted = (await grpc.read(urn('AppRoleRole', 'd'), role.id, role.outs)).props;
    expect(drifted.tokenTtl).toBe(1800);
    const next = { ...inputs, secretIdBoundCidrs: ['127.0.0.0/8'], secretIdTtl: '5m' };
    expect(await grpc.diff(urn('AppRoleRole', 'd'), role.id, drifted, next)).toEqual({
      changes: 2,
      replaces: [],
      deleteBeforeReplace: false,
    });
    const updated = await grpc.update(urn('AppRoleRole', 'd'), role.id, drifted, next);
    expect(updated.roleId).toBe(role.outs.roleId);
    expect(await get('/v1/auth/approle/role/dev-delivery')).toMatchObject({
      secret_id_bound_cidrs: ['127.0.0.0/8'],
      secret_id_ttl: 300,
      token_ttl: 900,
    });
    expect((await grpc.diff(urn('AppRoleRole', 'd'), role.id, updated, { ...next, name: 'other' })).replaces).toEqual([
      'name',
    ]);
    expect((await grpc.diff(urn('AppRoleRole', 'd'), role.id, updated, { ...next, mount: 'ar' })).replaces).toEqual([
      'mount',
    ]);
    await grpc.delete(urn('AppRoleRole', 'd'), role.id, updated);
    expect((await backend.request('GET', '/v1/auth/approle/role/dev-delivery')).status).toBe(404);
    expect((await grpc.read(urn('AppRoleRole', 'd'), role.id, updated)).id).toBe('');
  });

  it('check reports every problem with its input', async () => {
    const inputs = {
      ...conn('approle'),
      name: 'bad name',
      bindSecretId: false,
      secretIdNumUses: -1,
      secretIdTtl: 'soon',
      tokenPolicies: ['root'],
    };
    expect((await grpc.check(urn('AppRoleRole', 'x'), {}, inputs)).failures).toEqual([
      {
        property: 'secretIdTtl',
        reason:
          'Field validation failed: error converting input soon for field "secret_id_ttl": time: invalid duration "soon"',
      },
      { property: 'secretIdNumUses', reason: 'secret_id_num_uses cannot be negative' },
      { property: 'bindSecretId', reason: 'at least one constraint should be enabled on the role' },
      { property: 'tokenPolicies', reason: 'an AppRole login may not get the root policy: name the policies it needs' },
      {
        property: 'name',
        reason:
          'invalid role name "bad name": use letters, digits, _ . -, starting and ending with a letter, digit or _',
      },
    ]);
  });
});

describe('TokenRole', () => {
  it('accepts a role that names its policies, refuses what Vault refuses and ours', async () => {
    const ok = { ...conn('token'), name: 'deployer', allowedPolicies: ['dev-sign-automation'], orphan: true };
    expect((await grpc.check(urn('TokenRole', 'ok'), {}, ok)).failures).toEqual([]);
    const bad = { ...conn('token'), name: 'deployer', tokenType: 'batch', tokenPeriod: '1h', pathSuffix: 'x..y' };
    expect((await grpc.check(urn('TokenRole', 'bad'), {}, bad)).failures).toEqual([
      { property: 'pathSuffix', reason: 'error registering path suffix: path cannot contain parent references' },
      { property: 'orphan', reason: "'token_type' cannot be 'batch' when role is set to generate non-orphan tokens" },
      {
        property: 'tokenPeriod',
        reason: "'token_type' cannot be 'batch' when role is set to generate periodic tokens",
      },
      { property: 'renewable', reason: "'token_type' cannot be 'batch' when role is set to generate renewable tokens" },
      {
        property: 'allowedPolicies',
        reason:
          "name allowedPolicies (or allowedPoliciesGlob): with none, a token made with this role may get any of its creator's policies",
      },
    ]);
  });

  it('diffs by wire form: the same period in seconds is no change, a new name replaces', async () => {
    const olds = { ...conn('token'), name: 'deployer', allowedPolicies: ['a'], tokenPeriod: '1h' };
    expect(
      await grpc.diff(urn('TokenRole', 't'), 'auth/token/roles/deployer', olds, { ...olds, tokenPeriod: 3600 }),
    ).toEqual({
      changes: 1,
      replaces: [],
      deleteBeforeReplace: false,
    });
    expect(
      (await grpc.diff(urn('TokenRole', 't'), 'auth/token/roles/deployer', olds, { ...olds, orphan: true })).changes,
    ).toBe(2);
    expect(
      (await grpc.diff(urn('TokenRole', 't'), 'auth/token/roles/deployer', olds, { ...olds, name: 'x' })).replaces,
    ).toEqual(['name']);
  });

  it('creates the role with the spec, its tokens get its policies and period, refreshes, updates in place, deletes', async () => {
    // A server of its own on a fixed clock, so that a token's TTL reads back exactly.
    const vault = await startTestServer({ clock: () => Date.UTC(2027, 0, 15, 8, 0, 0) });
    try {
      await tokenRoleLifecycle(vault);
    } finally {
      await vault.close();
    }
  });
});

/** TokenRole against `vault`: create, a token with the role, refresh, update, a change outside Pulumi, delete. */
async function tokenRoleLifecycle(vault: TestServer) {
  const get = async (path: string) => (await vault.request('GET', path)).json?.data;
  const policy = await vault.request('PUT', '/v1/sys/policy/dev-sign-automation', {
    policy: 'path "ssh-dev/sign/automation" { capabilities = ["update"] }',
  });
  expect(policy.status).toBe(204);
  const inputs = {
    __provider: texts.token!,
    address: vault.url,
    token: vault.token,
    name: 'deployer',
    allowedPolicies: ['dev-sign-automation'],
    orphan: true,
    tokenPeriod: '1h',
  };
  expect((await grpc.check(urn('TokenRole', 'd'), {}, inputs)).failures).toEqual([]);
  const role = await grpc.create(urn('TokenRole', 'd'), inputs);
  expect(role.id).toBe('auth/token/roles/deployer');
  expect(role.outs).toEqual(inputs);
  const readBack = {
    allowed_entity_aliases: [],
    allowed_policies: ['dev-sign-automation'],
    allowed_policies_glob: [],
    disallowed_policies: [],
    disallowed_policies_glob: [],
    explicit_max_ttl: 0,
    name: 'deployer',
    orphan: true,
    path_suffix: '',
    period: 0,
    renewable: true,
    token_explicit_max_ttl: 0,
    token_no_default_policy: false,
    token_period: 3600,
    token_type: 'default-service',
  };
  expect(await get('/v1/auth/token/roles/deployer')).toEqual(readBack);
  // Refresh: unchanged.
  expect(await grpc.read(urn('TokenRole', 'd'), role.id, role.outs)).toEqual({ id: role.id, props: role.outs });

  // The root token creates a token with the role: the role's policies, an orphan, periodic.
  const created = await vault.request('POST', '/v1/auth/token/create/deployer', {});
  expect(created.status).toBe(200);
  const { client_token, accessor, ...auth } = created.json.auth;
  expect(auth).toEqual({
    policies: ['default', 'dev-sign-automation'],
    token_policies: ['default', 'dev-sign-automation'],
    metadata: null,
    lease_duration: 3600,
    renewable: true,
    entity_id: '',
    token_type: 'service',
    orphan: true,
    mfa_requirement: null,
    num_uses: 0,
  });
  const look = (await vault.request('GET', '/v1/auth/token/lookup-self', undefined, client_token)).json.data;
  expect([look.accessor, look.role, look.path, look.period, look.ttl, look.explicit_max_ttl, look.orphan]).toEqual([
    accessor,
    'deployer',
    'auth/token/create/deployer',
    3600,
    3600,
    0,
    true,
  ]);

  // Update in place: no longer orphans, and `default` disallowed.
  const next = { ...inputs, orphan: false, disallowedPolicies: ['default'] };
  expect(await grpc.diff(urn('TokenRole', 'd'), role.id, role.outs, next)).toEqual({
    changes: 2,
    replaces: [],
    deleteBeforeReplace: false,
  });
  const updated = await grpc.update(urn('TokenRole', 'd'), role.id, role.outs, next);
  expect(updated).toEqual(next);
  expect(await get('/v1/auth/token/roles/deployer')).toEqual({
    ...readBack,
    orphan: false,
    disallowed_policies: ['default'],
  });
  const child = (await vault.request('POST', '/v1/auth/token/create/deployer', {})).json.auth;
  expect([child.policies, child.orphan]).toEqual([['dev-sign-automation'], false]);

  // Changed outside Pulumi: the refresh shows the backend's period.
  await vault.request('POST', '/v1/auth/token/roles/deployer', { token_period: '2h' });
  const drifted = (await grpc.read(urn('TokenRole', 'd'), role.id, updated)).props;
  expect(drifted).toEqual({
    ...next,
    allowedEntityAliases: [],
    allowedPoliciesGlob: [],
    disallowedPoliciesGlob: [],
    pathSuffix: '',
    renewable: true,
    tokenBoundCidrs: [],
    tokenExplicitMaxTtl: 0,
    tokenNoDefaultPolicy: false,
    tokenNumUses: 0,
    tokenPeriod: 7200,
    tokenType: 'default-service',
  });
  expect((await grpc.diff(urn('TokenRole', 'd'), role.id, drifted, next)).changes).toBe(2);

  await grpc.delete(urn('TokenRole', 'd'), role.id, drifted);
  expect((await vault.request('GET', '/v1/auth/token/roles/deployer')).status).toBe(404);
  expect((await grpc.read(urn('TokenRole', 'd'), role.id, drifted)).id).toBe('');
}
