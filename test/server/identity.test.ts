// The identity store over real HTTP (issue 18, point 1): identity/entity and identity/entity-alias
// CRUD with Vault's bodies and errors; a login creates one entity per user (parallel first logins
// too) and puts its id on the token, its lookups and the audit log; child tokens inherit it, orphans
// do not; entity policies join the token's ACL; a disabled or deleted entity's tokens and logins are
// refused; entities and aliases survive a restart on a data directory.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IdentityStore } from '../../server/identity/identity-store.js';
import { FileStorage } from '../../server/storage/file-storage.js';
import { MemoryStorage } from '../../server/storage/memory-storage.js';
import type { Storage } from '../../server/storage/storage.js';
import { makeScratchDir, removeScratchDir } from '../helpers/scratch.js';
import { startTestServer, type TestServer } from '../helpers/vault-server.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const NOW = '2027-01-15T08:00:00Z';
const nowMs = Date.UTC(2027, 0, 15, 8, 0, 0);

let server: TestServer;
let dir: string;
let accessor: string;

/** (Re)open the server on the scratch data directory. */
async function reopen(): Promise<TestServer> {
  await server?.close();
  server = await startTestServer({ storage: new FileStorage(join(dir, 'storage')), clock: () => nowMs });
  return server;
}

beforeEach(async () => {
  dir = makeScratchDir('identity');
  await reopen();
  expect((await server.request('POST', '/v1/sys/auth/userpass', { type: 'userpass' })).status).toBe(204);
  accessor = (await server.request('GET', '/v1/sys/auth')).json.data['userpass/'].accessor;
  for (const user of ['alice', 'bob']) {
    const r = await server.request('POST', `/v1/auth/userpass/users/${user}`, { password: `${user}-pw` });
    expect(r.status).toBe(204);
  }
});

afterEach(async () => {
  await server.close();
  removeScratchDir(dir);
});

const login = (user: string) =>
  server.request('POST', `/v1/auth/userpass/login/${user}`, { password: `${user}-pw` }, null);
const ok = async (method: string, path: string, body?: unknown, token?: string) => {
  const r = await server.request(method, path, body, token);
  expect(r.status, `${method} ${path}: ${r.body}`).toBeLessThan(300);
  return r.json;
};

describe('identity/entity', () => {
  it('creates, reads, updates, lists and deletes an entity with Vault bodies', async () => {
    const created = await ok('POST', '/v1/identity/entity', {
      name: 'alice',
      metadata: { team: 'ops', n: 1 },
      policies: 'dev, ops,dev, ',
    });
    expect(created.data).toEqual({ id: expect.stringMatching(UUID), name: 'alice', aliases: null });
    const id = created.data.id;
    const read = await ok('GET', `/v1/identity/entity/id/${id}`);
    expect(read.data).toEqual({
      id,
      name: 'alice',
      metadata: { team: 'ops', n: '1' },
      merged_entity_ids: null,
      policies: ['dev', 'ops'],
      disabled: false,
      namespace_id: 'root',
      creation_time: NOW,
      last_update_time: NOW,
      aliases: [],
      direct_group_ids: [],
      inherited_group_ids: [],
      group_ids: [],
    });
    expect((await server.request('GET', '/v1/identity/entity/name/alice')).json.data).toEqual(read.data);

    // An update answers 204; by name or by id, omitted fields are kept.
    expect((await server.request('POST', `/v1/identity/entity/id/${id}`, { disabled: true })).status).toBe(204);
    expect((await server.request('POST', '/v1/identity/entity/name/alice', { policies: ['web'] })).status).toBe(204);
    expect((await server.request('POST', '/v1/identity/entity', { name: 'alice', metadata: {} })).status).toBe(204);
    expect((await ok('GET', `/v1/identity/entity/id/${id}`)).data).toMatchObject({
      name: 'alice',
      metadata: {},
      policies: ['web'],
      disabled: true,
    });
    // Renaming through the id path.
    expect((await server.request('POST', `/v1/identity/entity/id/${id}`, { name: 'alice2' })).status).toBe(204);
    expect((await server.request('GET', '/v1/identity/entity/name/alice')).status).toBe(404);

    const other = (await ok('POST', '/v1/identity/entity/name/zed', {})).data;
    expect(other).toEqual({ id: expect.stringMatching(UUID), name: 'zed', aliases: null });
    const byId = await ok('LIST', '/v1/identity/entity/id');
    const ids = [id, other.id].sort();
    expect(byId.data).toEqual({
      keys: ids,
      key_info: { [id]: { name: 'alice2' }, [other.id]: { name: 'zed' } },
    });
    const byName = await ok('GET', '/v1/identity/entity/name?list=true');
    // Vault keys both lists' key_info by entity id.
    expect(byName.data).toEqual({
      keys: ids.map((i) => (i === id ? 'alice2' : 'zed')),
      key_info: byId.data.key_info,
    });

    expect((await server.request('DELETE', `/v1/identity/entity/id/${id}`)).status).toBe(204);
    expect((await server.request('DELETE', '/v1/identity/entity/name/zed')).status).toBe(204);
    expect((await server.request('DELETE', '/v1/identity/entity/name/zed')).status).toBe(204);
    expect((await server.request('GET', `/v1/identity/entity/id/${id}`)).status).toBe(404);
    expect((await server.request('LIST', '/v1/identity/entity/id')).status).toBe(404);
  });

  it('generates entity_<8 hex> names and refuses with Vault errors', async () => {
    const { data } = await ok('POST', '/v1/identity/entity', {});
    expect(data.name).toMatch(/^entity_[0-9a-f]{8}$/);
    const taken = await ok('POST', '/v1/identity/entity', { name: 'taken' });
    const cases: [string, unknown, string][] = [
      [`/v1/identity/entity/id/${data.id}`, { name: 'taken' }, 'entity name is already in use'],
      ['/v1/identity/entity', { id: '00000000-0000-0000-0000-000000000000' }, 'entity not found from id'],
      ['/v1/identity/entity/id/nope', {}, 'entity not found from id'],
      ['/v1/identity/entity', { name: 'x', policies: ['root'] }, 'policies cannot contain root'],
      [
        '/v1/identity/entity',
        { disabled: 'maybe' },
        'Field validation failed: error converting input maybe for field "disabled": cannot parse \'\' as bool: strconv.ParseBool: parsing "maybe": invalid syntax',
      ],
    ];
    for (const [path, body, message] of cases) {
      const r = await server.request('POST', path, body);
      expect({ path, status: r.status, json: r.json }).toEqual({ path, status: 400, json: { errors: [message] } });
    }
    expect((await ok('GET', '/v1/identity/entity/name/taken')).data.id).toBe(taken.data.id);
    expect((await server.request('GET', '/v1/identity/entity/name/x')).status).toBe(404);
  });

  it('needs a token with capabilities on identity paths', async () => {
    const token = (await login('alice')).json.auth.client_token;
    for (const [method, path] of [
      ['GET', '/v1/identity/entity/name/x'],
      ['POST', '/v1/identity/entity'],
      ['LIST', '/v1/identity/entity/id'],
    ] as const) {
      const r = await server.request(method, path, method === 'POST' ? { name: 'x' } : undefined, token);
      expect(r.status).toBe(403);
    }
    expect((await server.request('POST', '/v1/identity/entity', { name: 'x' }, null)).status).toBe(403);
    expect((await server.request('LIST', '/v1/identity/entity/id')).status).toBe(200);
  });
});

describe('identity/entity-alias', () => {
  it('creates, reads, updates, lists and deletes aliases with Vault bodies', async () => {
    const entity = (await ok('POST', '/v1/identity/entity', { name: 'carol' })).data.id;
    const created = await ok('POST', '/v1/identity/entity-alias', {
      name: 'carol',
      canonical_id: entity,
      mount_accessor: accessor,
    });
    expect(created.data).toEqual({ id: expect.stringMatching(UUID), canonical_id: entity });
    const aliasId = created.data.id;
    const read = (await ok('GET', `/v1/identity/entity-alias/id/${aliasId}`)).data;
    expect(read).toEqual({
      id: aliasId,
      canonical_id: entity,
      mount_accessor: accessor,
      metadata: null,
      custom_metadata: {},
      name: 'carol',
      merged_from_canonical_ids: null,
      namespace_id: 'root',
      local: false,
      mount_type: 'userpass',
      mount_path: 'auth/userpass/',
      creation_time: NOW,
      last_update_time: NOW,
    });
    expect((await ok('GET', `/v1/identity/entity/id/${entity}`)).data.aliases).toEqual([
      {
        id: aliasId,
        canonical_id: entity,
        mount_accessor: accessor,
        metadata: null,
        name: 'carol',
        merged_from_canonical_ids: null,
        creation_time: NOW,
        last_update_time: NOW,
        local: false,
        custom_metadata: {},
        mount_type: 'userpass',
        mount_path: 'auth/userpass/',
      },
    ]);

    // Without canonical_id, a new entity is created for the alias.
    const second = (await ok('POST', '/v1/identity/entity-alias', { name: 'dave', mount_accessor: accessor })).data;
    expect(second.canonical_id).not.toBe(entity);
    expect((await ok('GET', `/v1/identity/entity/id/${second.canonical_id}`)).data.name).toMatch(
      /^entity_[0-9a-f]{8}$/,
    );

    // Update: rename, custom metadata; an unchanged write is a 204.
    expect(
      (await ok('POST', `/v1/identity/entity-alias/id/${aliasId}`, { name: 'carol2', custom_metadata: { k: 'v' } }))
        .data,
    ).toEqual({ id: aliasId, canonical_id: entity });
    expect((await server.request('POST', `/v1/identity/entity-alias/id/${aliasId}`, {})).status).toBe(204);
    expect((await ok('GET', `/v1/identity/entity-alias/id/${aliasId}`)).data).toMatchObject({
      name: 'carol2',
      custom_metadata: { k: 'v' },
    });
    // Moving the alias to another entity.
    const target = (await ok('POST', '/v1/identity/entity', { name: 'target' })).data.id;
    expect((await ok('POST', `/v1/identity/entity-alias/id/${aliasId}`, { canonical_id: target })).data).toEqual({
      id: aliasId,
      canonical_id: target,
    });
    expect((await ok('GET', `/v1/identity/entity/id/${entity}`)).data.aliases).toEqual([]);
    expect((await ok('GET', `/v1/identity/entity/id/${target}`)).data.aliases.map((a: { id: string }) => a.id)).toEqual(
      [aliasId],
    );

    const list = (await ok('LIST', '/v1/identity/entity-alias/id')).data;
    expect(list.keys).toEqual([aliasId, second.id].sort());
    expect(list.key_info[aliasId]).toEqual({
      name: 'carol2',
      canonical_id: target,
      mount_accessor: accessor,
      custom_metadata: { k: 'v' },
      metadata: null,
      local: false,
      mount_type: 'userpass',
      mount_path: 'auth/userpass/',
    });
    expect((await ok('LIST', '/v1/identity/entity/id')).data.key_info[target]).toEqual({
      name: 'target',
      aliases: [
        { id: aliasId, name: 'carol2', mount_accessor: accessor, mount_type: 'userpass', mount_path: 'auth/userpass/' },
      ],
    });

    expect((await server.request('DELETE', `/v1/identity/entity-alias/id/${aliasId}`)).status).toBe(204);
    expect((await server.request('GET', `/v1/identity/entity-alias/id/${aliasId}`)).status).toBe(404);
    expect((await ok('GET', `/v1/identity/entity/id/${target}`)).data.aliases).toEqual([]);
  });

  it("refuses with Vault's errors", async () => {
    const entity = (await ok('POST', '/v1/identity/entity', { name: 'carol' })).data.id;
    const first = (
      await ok('POST', '/v1/identity/entity-alias', { name: 'carol', canonical_id: entity, mount_accessor: accessor })
    ).data;
    const other = (await ok('POST', '/v1/identity/entity-alias', { name: 'other', mount_accessor: accessor })).data;
    const cases: [string, unknown, string][] = [
      ['/v1/identity/entity-alias', { name: 'x' }, "'id' or 'mount_accessor' and 'name' must be provided"],
      [
        '/v1/identity/entity-alias',
        { mount_accessor: accessor },
        "'id' or 'mount_accessor' and 'name' must be provided",
      ],
      [
        '/v1/identity/entity-alias',
        { name: 'x', mount_accessor: 'auth_nope_1' },
        'invalid mount accessor "auth_nope_1"',
      ],
      [
        '/v1/identity/entity-alias',
        { name: 'x', mount_accessor: accessor, canonical_id: 'nope' },
        'invalid canonical ID',
      ],
      [
        '/v1/identity/entity-alias',
        { name: 'second', mount_accessor: accessor, canonical_id: entity },
        'Alias already exists for requested entity and mount accessor',
      ],
      ['/v1/identity/entity-alias/id/nope', { name: 'y' }, 'invalid alias ID provided'],
      [
        `/v1/identity/entity-alias/id/${other.id}`,
        { name: 'carol' },
        'alias with combination of mount accessor and name already exists',
      ],
      [
        `/v1/identity/entity-alias/id/${other.id}`,
        { canonical_id: entity },
        'Alias cannot be updated as the given entity already has an alias for this mount ',
      ],
      [
        `/v1/identity/entity-alias/id/${other.id}`,
        { canonical_id: 'nope' },
        "given 'canonical_id' is not associated with an entity",
      ],
    ];
    for (const [path, body, message] of cases) {
      const r = await server.request('POST', path, body);
      expect({ path, body, status: r.status, json: r.json }).toEqual({
        path,
        body,
        status: 400,
        json: { errors: [message] },
      });
    }
    // The same mount accessor and name again is an update of that alias, not a second one.
    expect(
      (await server.request('POST', '/v1/identity/entity-alias', { name: 'carol', mount_accessor: accessor })).status,
    ).toBe(204);
    expect((await ok('LIST', '/v1/identity/entity-alias/id')).data.keys).toEqual([first.id, other.id].sort());
  });
});

describe('logins and tokens', () => {
  it('creates one entity and alias per user on first login, then reuses it', async () => {
    const first = (await login('alice')).json.auth;
    expect(first.entity_id).toMatch(UUID);
    expect((await login('alice')).json.auth.entity_id).toBe(first.entity_id);
    expect((await login('bob')).json.auth.entity_id).not.toBe(first.entity_id);
    const entity = (await ok('GET', `/v1/identity/entity/id/${first.entity_id}`)).data;
    expect(entity).toMatchObject({ name: expect.stringMatching(/^entity_[0-9a-f]{8}$/), metadata: null, policies: [] });
    expect(entity.aliases).toEqual([
      {
        id: expect.stringMatching(UUID),
        canonical_id: first.entity_id,
        mount_accessor: accessor,
        metadata: null,
        name: 'alice',
        merged_from_canonical_ids: null,
        creation_time: NOW,
        last_update_time: NOW,
        local: false,
        custom_metadata: null,
        mount_type: 'userpass',
        mount_path: 'auth/userpass/',
      },
    ]);
    // A login whose alias an administrator created lands on that alias's entity.
    const manual = (await ok('POST', '/v1/identity/entity', { name: 'carol-entity' })).data.id;
    await ok('POST', '/v1/identity/entity-alias', { name: 'carol', canonical_id: manual, mount_accessor: accessor });
    await ok('POST', '/v1/auth/userpass/users/carol', { password: 'carol-pw' });
    expect((await login('carol')).json.auth.entity_id).toBe(manual);
  });

  it('parallel first logins of one user make one entity and one alias', async () => {
    const answers = await Promise.all(Array.from({ length: 8 }, () => login('alice')));
    const ids = new Set(answers.map((a) => a.json.auth.entity_id));
    expect(answers.map((a) => a.status)).toEqual(Array(8).fill(200));
    expect(ids.size).toBe(1);
    const list = (await ok('LIST', '/v1/identity/entity/id')).data;
    expect(list.keys).toEqual([...ids]);
    expect((await ok('LIST', '/v1/identity/entity-alias/id')).data.keys).toHaveLength(1);
  });

  it('the store itself makes one entity under many parallel first logins over slow storage', async () => {
    const slow: Storage = Object.assign(new MemoryStorage(), {});
    const inner = new MemoryStorage();
    slow.put = async (k, v) => {
      await new Promise((r) => setTimeout(r, 5));
      return inner.put(k, v);
    };
    slow.get = (k) => inner.get(k);
    slow.list = (p) => inner.list(p);
    const store = await IdentityStore.open(
      slow,
      () => nowMs,
      () => ({ type: 'userpass', path: 'auth/userpass/' }),
    );
    const input = {
      mountAccessor: 'auth_userpass_1',
      mountType: 'userpass',
      mountPath: 'auth/userpass/',
      name: 'alice',
    };
    const entities = await Promise.all(Array.from({ length: 50 }, () => store.loginEntity(input)));
    expect(new Set(entities.map((e) => e.id)).size).toBe(1);
    expect(await inner.list('core/identity/entities/')).toEqual([entities[0]!.id]);
    expect(store.allAliases()).toHaveLength(1);
    // Parallel logins with new alias metadata update the one alias.
    const updated = await Promise.all(['a', 'b', 'c'].map((v) => store.loginEntity({ ...input, metadata: { v } })));
    expect(new Set(updated.map((e) => e.id))).toEqual(new Set([entities[0]!.id]));
    expect(store.allAliases()).toHaveLength(1);
  });

  it('puts the entity on the token, its lookups, the audit log and its children (not orphans)', async () => {
    const file = join(dir, 'audit.log');
    await ok('POST', '/v1/sys/policies/acl/child', {
      policy: 'path "auth/token/create" { capabilities = ["update"] }',
    });
    const entityId = (await login('alice')).json.auth.entity_id;
    await ok('POST', `/v1/identity/entity/id/${entityId}`, { policies: 'child' });
    const auth = (await login('alice')).json.auth;
    expect(auth).toMatchObject({
      policies: ['child', 'default'],
      token_policies: ['default'],
      identity_policies: ['child'],
      entity_id: entityId,
    });
    const token = auth.client_token;
    const self = (await ok('GET', '/v1/auth/token/lookup-self', undefined, token)).data;
    expect(self).toMatchObject({ entity_id: entityId, identity_policies: ['child'], policies: ['default'] });
    expect((await ok('POST', '/v1/auth/token/lookup', { token })).data.entity_id).toBe(entityId);
    expect((await ok('POST', '/v1/auth/token/lookup-accessor', { accessor: auth.accessor })).data.entity_id).toBe(
      entityId,
    );
    // sys/capabilities-self answers from the same ACL: the entity's policy counts (Vault's handleCapabilities).
    expect(
      (await ok('POST', '/v1/sys/capabilities-self', { paths: ['auth/token/create', 'ssh/sign/dev'] }, token)).data,
    ).toEqual({ 'auth/token/create': ['update'], 'ssh/sign/dev': ['deny'] });
    expect((await ok('POST', '/v1/sys/capabilities', { token, paths: ['auth/token/create'] })).data).toEqual({
      'auth/token/create': ['update'],
      capabilities: ['update'],
    });
    // The root token has none, and no identity_policies key.
    const root = (await ok('GET', '/v1/auth/token/lookup-self')).data;
    expect(root.entity_id).toBe('');
    expect('identity_policies' in root).toBe(false);

    // Allowed only through the entity's policy; the child inherits the entity.
    const child = (await ok('POST', '/v1/auth/token/create', { policies: ['child'] }, token)).auth;
    expect(child).toMatchObject({
      entity_id: entityId,
      policies: ['child', 'default'],
      token_policies: ['child', 'default'],
      identity_policies: ['child'],
    });
    const orphan = (await ok('POST', '/v1/auth/token/create', { no_parent: true })).auth;
    expect(orphan.entity_id).toBe('');

    await ok('POST', '/v1/sys/audit/file', { type: 'file', options: { file_path: file, log_raw: true } });
    await ok('GET', '/v1/auth/token/lookup-self', undefined, token);
    const entries = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(entries.at(-2).auth).toMatchObject({
      policies: ['child', 'default'],
      token_policies: ['default'],
      identity_policies: ['child'],
      entity_id: entityId,
    });
  });

  it('refuses the logins and tokens of a disabled entity, and the tokens of a deleted one', async () => {
    const auth = (await login('alice')).json.auth;
    const self = () => server.request('GET', '/v1/auth/token/lookup-self', undefined, auth.client_token);
    expect((await self()).status).toBe(200);
    await ok('POST', `/v1/identity/entity/id/${auth.entity_id}`, { disabled: true });
    const denied = { errors: ['1 error occurred:\n\t* permission denied\n\n'] };
    expect(await self()).toMatchObject({ status: 403, json: denied });
    expect(await login('alice')).toMatchObject({ status: 403, json: denied });
    await ok('POST', `/v1/identity/entity/id/${auth.entity_id}`, { disabled: false });
    expect((await self()).status).toBe(200);
    expect((await login('alice')).status).toBe(200);
    await ok('DELETE', `/v1/identity/entity/id/${auth.entity_id}`);
    expect(await self()).toMatchObject({ status: 403, json: denied });
    // The next login makes a new entity.
    const again = (await login('alice')).json.auth.entity_id;
    expect(again).toMatch(UUID);
    expect(again).not.toBe(auth.entity_id);
  });

  it('keeps entities, aliases and token entities across a restart', async () => {
    const auth = (await login('alice')).json.auth;
    await ok('POST', `/v1/identity/entity/id/${auth.entity_id}`, { metadata: { team: 'ops' } });
    const made = (await ok('POST', '/v1/identity/entity', { name: 'standalone', policies: 'p' })).data.id;
    const before = {
      entities: (await ok('LIST', '/v1/identity/entity/id')).data,
      aliases: (await ok('LIST', '/v1/identity/entity-alias/id')).data,
      alice: (await ok('GET', `/v1/identity/entity/id/${auth.entity_id}`)).data,
    };
    await reopen();
    expect((await ok('LIST', '/v1/identity/entity/id')).data).toEqual(before.entities);
    expect((await ok('LIST', '/v1/identity/entity-alias/id')).data).toEqual(before.aliases);
    expect((await ok('GET', `/v1/identity/entity/id/${auth.entity_id}`)).data).toEqual(before.alice);
    expect((await ok('GET', '/v1/identity/entity/name/standalone')).data).toMatchObject({ id: made, policies: ['p'] });
    expect((await ok('GET', '/v1/auth/token/lookup-self', undefined, auth.client_token)).data.entity_id).toBe(
      auth.entity_id,
    );
    expect((await login('alice')).json.auth.entity_id).toBe(auth.entity_id);
  });
});
