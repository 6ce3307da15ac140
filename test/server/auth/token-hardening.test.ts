// Token guards under concurrency and over time (issue 13, findings 4–7), over real HTTP in memory and
// on durable file storage: use counts are spent atomically, use-limited tokens mint no children,
// token_bound_cidrs hold at login and on every use (requests from 127.0.0.2 as another client), and a
// token's expiry revokes its descendants, by the timer and after a restart.

import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../../server/ssh/generate-key-pair.js';
import { FileStorage } from '../../../server/storage/file-storage.js';
import { MemoryStorage } from '../../../server/storage/memory-storage.js';
import type { Storage } from '../../../server/storage/storage.js';
import { makeScratchDir, removeScratchDir } from '../../helpers/scratch.js';
import { startTestServer, type TestServer } from '../../helpers/vault-server.js';

const DENIED = { status: 403, json: { errors: ['1 error occurred:\n\t* permission denied\n\n'] } };
/** Vault's 403 for a token it does not know (never issued, revoked, expired, used up). */
const INVALID_TOKEN = {
  status: 403,
  json: { errors: ['2 errors occurred:\n\t* permission denied\n\t* invalid token\n\n'] },
};
const userKey = generateKeyPair('ed25519', 0).publicKey;

let dir: string;
let nowMs: number | undefined;
let server: TestServer | undefined;

async function open(storage: Storage): Promise<TestServer> {
  await server?.close();
  server = await startTestServer({ storage, ...(nowMs !== undefined ? { clock: () => nowMs! } : {}) });
  return server;
}

const fileStorage = () => new FileStorage(join(dir, 'storage'));

/** Policies: `signer` may sign with role x; `tokens` may create child tokens. */
async function setUpPolicies(s: TestServer): Promise<void> {
  await s.request('POST', '/v1/sys/policies/acl/signer', { policy: 'path "ssh/sign/x" { capabilities = ["update"] }' });
  await s.request('POST', '/v1/sys/policies/acl/tokens', {
    policy: 'path "auth/token/create" { capabilities = ["update"] }',
  });
}

async function setUpSigning(s: TestServer): Promise<void> {
  await setUpPolicies(s);
  expect((await s.request('POST', '/v1/sys/mounts/ssh', { type: 'ssh' })).status).toBe(204);
  expect((await s.request('POST', '/v1/ssh/config/ca', { generate_signing_key: true })).status).toBe(200);
  const role = { key_type: 'ca', allow_user_certificates: true, allowed_users: 'ubuntu', default_user: 'ubuntu' };
  expect((await s.request('POST', '/v1/ssh/roles/x', role)).status).toBe(204);
}

const create = async (s: TestServer, body: Record<string, unknown>, token?: string) =>
  (await s.request('POST', '/v1/auth/token/create', body, token)).json.auth.client_token as string;
const lookupSelf = (s: TestServer, token: string) => s.request('GET', '/v1/auth/token/lookup-self', undefined, token);
const sign = (s: TestServer, token: string) =>
  s.request('POST', '/v1/ssh/sign/x', { public_key: userKey, valid_principals: 'ubuntu' }, token);

/** A request sent from another loopback address than the test's own (127.0.0.1). */
function requestFrom(
  localAddress: string,
  method: string,
  path: string,
  body: unknown,
  token: string | null,
): Promise<{ status: number; json: any }> {
  const url = new URL(path, server!.url);
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      { method, localAddress, headers: token === null ? {} : { 'X-Vault-Token': token } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode!, json: text === '' ? undefined : JSON.parse(text) }));
      },
    );
    req.on('error', reject);
    req.setTimeout(10_000, () => req.destroy(new Error('request timed out')));
    req.end(payload);
  });
}

beforeEach(() => {
  dir = makeScratchDir('token-guards');
  nowMs = Date.UTC(2027, 0, 15, 8, 0, 0);
});

afterEach(async () => {
  await server?.close();
  server = undefined;
  removeScratchDir(dir);
});

describe.each([
  ['memory', () => new MemoryStorage()],
  ['file', fileStorage],
])('num_uses under concurrency, %s storage (finding 4)', (_name, storage) => {
  it('a num_uses=1 token sent 20 parallel signs signs exactly once', async () => {
    const s = await open(storage());
    await setUpSigning(s);
    const t = await create(s, { policies: ['signer'], num_uses: 1 });
    const all = await Promise.all(Array.from({ length: 20 }, () => sign(s, t)));
    expect(all.filter((r) => r.status === 200)).toHaveLength(1);
    // A racer that looked the token up before it was spent is refused by its use count (permission
    // denied, as Vault's UseToken); one that came after finds no token (invalid token).
    for (const r of all.filter((x) => x.status !== 200)) {
      expect(r.status).toBe(403);
      expect([DENIED.json, INVALID_TOKEN.json]).toContainEqual(r.json);
    }
    expect(await sign(s, t)).toMatchObject(INVALID_TOKEN);
  });

  it('a num_uses=3 token sent 20 parallel signs signs exactly three times', async () => {
    const s = await open(storage());
    await setUpSigning(s);
    const t = await create(s, { policies: ['signer'], num_uses: 3 });
    const all = await Promise.all(Array.from({ length: 20 }, () => sign(s, t)));
    expect(all.filter((r) => r.status === 200)).toHaveLength(3);
    expect(all.filter((r) => r.status === 403)).toHaveLength(17);
  });
});

describe('use-limited tokens mint no children (finding 5)', () => {
  it("refuses auth/token/create from a token with uses left, with Vault's 400", async () => {
    const s = await open(new MemoryStorage());
    await setUpPolicies(s);
    const t = await create(s, { policies: ['tokens', 'signer'], num_uses: 3 });
    const r = await s.request('POST', '/v1/auth/token/create', { policies: ['signer'] }, t);
    expect(r).toMatchObject({ status: 400, json: { errors: ['restricted use token cannot generate child tokens'] } });
    // The check comes before the others (here: a policy the parent does not hold).
    const wider = await s.request('POST', '/v1/auth/token/create', { policies: ['root'] }, t);
    expect(wider.json).toEqual({ errors: ['restricted use token cannot generate child tokens'] });
  });

  it('refuses a root-policy use-limited token too, for create and create-orphan', async () => {
    const s = await open(new MemoryStorage());
    const t = await create(s, { policies: ['root'], num_uses: 5 });
    for (const path of ['/v1/auth/token/create', '/v1/auth/token/create-orphan']) {
      expect((await s.request('POST', path, {}, t)).json).toEqual({
        errors: ['restricted use token cannot generate child tokens'],
      });
    }
  });

  it('a token on its last use finds no parent, as in Vault (its revocation is pending)', async () => {
    const s = await open(new MemoryStorage());
    await setUpPolicies(s);
    const t = await create(s, { policies: ['tokens'], num_uses: 1 });
    const r = await s.request('POST', '/v1/auth/token/create', {}, t);
    expect(r).toMatchObject({ status: 400, json: { errors: ['parent token lookup failed: no parent found'] } });
  });
});

describe('token_bound_cidrs (finding 6)', () => {
  async function setUpUser(s: TestServer, cidrs: string): Promise<void> {
    await setUpPolicies(s);
    await s.request('POST', '/v1/sys/auth/userpass', { type: 'userpass' });
    const user = { password: 'pw', token_policies: 'tokens', token_bound_cidrs: cidrs, token_ttl: '1h' };
    expect((await s.request('POST', '/v1/auth/userpass/users/bob', user)).status).toBe(204);
  }

  it('refuses a login from outside the bound CIDRs with 403, after the password check', async () => {
    const s = await open(new MemoryStorage());
    await setUpUser(s, '127.0.0.2/32');
    expect(await s.request('POST', '/v1/auth/userpass/login/bob', { password: 'pw' }, null)).toMatchObject(DENIED);
    expect((await s.request('POST', '/v1/auth/userpass/login/bob', { password: 'bad' }, null)).json).toEqual({
      errors: ['invalid username or password'],
    });
    const r = await requestFrom('127.0.0.2', 'POST', '/v1/auth/userpass/login/bob', { password: 'pw' }, null);
    expect(r.status).toBe(200);
  });

  it('binds the login token (and its children) to the CIDRs on every use', async () => {
    const s = await open(new MemoryStorage());
    await setUpUser(s, '10.1.0.0/16, 127.0.0.2');
    const login = await requestFrom('127.0.0.2', 'POST', '/v1/auth/userpass/login/bob', { password: 'pw' }, null);
    const t = login.json.auth.client_token as string;
    const look = await requestFrom('127.0.0.2', 'GET', '/v1/auth/token/lookup-self', undefined, t);
    expect(look.status).toBe(200);
    expect(look.json.data.bound_cidrs).toEqual(['10.1.0.0/16', '127.0.0.2']);
    expect(await lookupSelf(s, t)).toMatchObject(DENIED);
    const child = await requestFrom('127.0.0.2', 'POST', '/v1/auth/token/create', { policies: ['tokens'] }, t);
    expect(child.status).toBe(200);
    const c = child.json.auth.client_token as string;
    expect(await lookupSelf(s, c)).toMatchObject(DENIED);
    expect((await requestFrom('127.0.0.2', 'GET', '/v1/auth/token/lookup-self', undefined, c)).status).toBe(200);
  });

  it('a login with the user bound to an address it comes from works everywhere that matches', async () => {
    const s = await open(new MemoryStorage());
    await setUpUser(s, '127.0.0.0/8');
    const t = (await s.request('POST', '/v1/auth/userpass/login/bob', { password: 'pw' }, null)).json.auth.client_token;
    expect((await lookupSelf(s, t)).status).toBe(200);
    expect((await requestFrom('127.0.0.2', 'GET', '/v1/auth/token/lookup-self', undefined, t)).status).toBe(200);
  });
});

describe('expiry revokes descendants (finding 7)', () => {
  it('at the parent’s expiry the timer revokes its children and grandchildren (real clock)', async () => {
    nowMs = undefined;
    const s = await open(new MemoryStorage());
    await setUpPolicies(s);
    const parent = await create(s, { policies: ['tokens'], ttl: '2s' });
    const child = await create(s, { policies: ['tokens'], ttl: '1h' }, parent);
    const grandchild = await create(s, { policies: ['tokens'], ttl: '1h' }, child);
    const other = await create(s, { policies: ['tokens'], ttl: '1h' });
    expect((await lookupSelf(s, grandchild)).status).toBe(200);
    const deadline = Date.now() + 6000;
    while (Date.now() < deadline && (await lookupSelf(s, child)).status === 200) await sleep(200);
    // Nobody presented the parent: the expiry itself revoked the tree.
    expect(await lookupSelf(s, child)).toMatchObject(INVALID_TOKEN);
    expect(await lookupSelf(s, grandchild)).toMatchObject(INVALID_TOKEN);
    expect((await s.request('POST', '/v1/auth/token/lookup', { token: grandchild })).json).toEqual({
      errors: ['bad token'],
    });
    expect((await lookupSelf(s, other)).status).toBe(200);
  });

  it('tokens that expired while the server was down are revoked with their descendants on open', async () => {
    let s = await open(fileStorage());
    await setUpPolicies(s);
    const parent = await create(s, { policies: ['tokens'], ttl: '10m' });
    const child = await create(s, { policies: ['tokens'], ttl: '1h' }, parent);
    const grandchild = await create(s, { policies: ['tokens'], ttl: '1h' }, child);
    const other = await create(s, { policies: ['tokens'], ttl: '1h' });
    await server!.close();
    server = undefined;
    nowMs! += 11 * 60 * 1000;
    s = await open(fileStorage());
    for (const t of [child, grandchild]) {
      expect((await s.request('POST', '/v1/auth/token/lookup', { token: t })).json).toEqual({ errors: ['bad token'] });
      expect(await lookupSelf(s, t)).toMatchObject(INVALID_TOKEN);
    }
    expect((await lookupSelf(s, other)).status).toBe(200);
  });

  it('a renewed parent keeps its children past its first expiry', async () => {
    const s = await open(fileStorage());
    await setUpPolicies(s);
    const parent = await create(s, { policies: ['tokens'], ttl: '10m' });
    const child = await create(s, { policies: ['tokens'], ttl: '1h' }, parent);
    nowMs! += 5 * 60 * 1000;
    expect((await s.request('POST', '/v1/auth/token/renew-self', { increment: '30m' }, parent)).status).toBe(200);
    nowMs! += 10 * 60 * 1000;
    const reopened = await open(fileStorage());
    expect((await lookupSelf(reopened, child)).status).toBe(200);
    expect((await lookupSelf(reopened, parent)).status).toBe(200);
  });
});
