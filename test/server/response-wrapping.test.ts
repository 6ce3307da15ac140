// Response wrapping over real HTTP against the embedded server: the X-Vault-Wrap-TTL header and its
// errors, wrap_info answers, single-use unwrapping (also 20 at once, also after a restart), expiry,
// lookup that does not use the token, rewrap, sys/wrapping/wrap, the policy bounds min_wrapping_ttl
// and max_wrapping_ttl, and an audit log that never holds a wrapped secret or token in clear.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileStorage } from '../../server/storage/file-storage.js';
import { makeScratchDir, removeScratchDir } from '../helpers/scratch.js';
import { startTestServer, TEST_ROOT_TOKEN, type TestServer } from '../helpers/vault-server.js';

const DENIED = '1 error occurred:\n\t* permission denied\n\n';
const INVALID = 'wrapping token is not valid or does not exist';

let dir: string;
let nowMs: number;
let server: TestServer | undefined;

/** (Re)open the server on the same file storage with the test clock, as `sshca serve --data-dir` does. */
async function reopen(): Promise<TestServer> {
  await server?.close();
  server = await startTestServer({ storage: new FileStorage(join(dir, 'storage')), clock: () => nowMs });
  return server;
}

interface CallOptions {
  readonly body?: unknown;
  /** @default the root token; null sends none */
  readonly token?: string | null;
  readonly wrapTtl?: string;
}

/** One HTTP request with the headers wrapping needs (the helper's `request` sends only the token). */
async function call(
  method: string,
  path: string,
  o: CallOptions = {},
): Promise<{ status: number; json: any; body: string }> {
  const headers: Record<string, string> = {};
  const token = o.token === undefined ? TEST_ROOT_TOKEN : o.token;
  if (token !== null) headers['X-Vault-Token'] = token;
  if (o.wrapTtl !== undefined) headers['X-Vault-Wrap-TTL'] = o.wrapTtl;
  const res = await fetch(`${server!.url}${path}`, {
    method,
    headers,
    ...(o.body === undefined ? {} : { body: JSON.stringify(o.body) }),
  });
  const body = await res.text();
  return { status: res.status, body, json: body === '' ? undefined : JSON.parse(body) };
}

async function ok(method: string, path: string, body?: unknown): Promise<void> {
  const r = await call(method, path, { body });
  expect(r.status, `${method} ${path}: ${r.body}`).toBeLessThan(300);
}

/** A userpass user alice (password pw) with the default policy. */
async function withAlice(): Promise<void> {
  await ok('POST', '/v1/sys/auth/userpass', { type: 'userpass' });
  await ok('POST', '/v1/auth/userpass/users/alice', { password: 'pw', token_ttl: '1h' });
}

/** Alice's login, wrapped for `ttl`. */
async function wrappedLogin(ttl = '5m'): Promise<{ token: string; wrapInfo: any }> {
  const r = await call('POST', '/v1/auth/userpass/login/alice', {
    body: { password: 'pw' },
    token: null,
    wrapTtl: ttl,
  });
  expect(r.status, r.body).toBe(200);
  return { token: r.json.wrap_info.token, wrapInfo: r.json.wrap_info };
}

beforeEach(async () => {
  dir = makeScratchDir('wrapping');
  nowMs = Date.UTC(2027, 0, 15, 8, 0, 0, 250);
  await reopen();
});

afterEach(async () => {
  await server?.close();
  server = undefined;
  removeScratchDir(dir);
});

describe('X-Vault-Wrap-TTL', () => {
  it.each([
    ['abc', 'error parsing X-Vault-Wrap-TTL header: time: invalid duration "abc"'],
    ['-5', 'error parsing X-Vault-Wrap-TTL header: requested wrap ttl cannot be negative'],
    ['-1m', 'error parsing X-Vault-Wrap-TTL header: requested wrap ttl cannot be negative'],
    ['1.5d', 'error parsing X-Vault-Wrap-TTL header: strconv.ParseInt: parsing "1.5": invalid syntax'],
  ])("refuses %j with Vault's 400", async (value, message) => {
    const r = await call('POST', '/v1/sys/wrapping/wrap', { body: { a: 'b' }, wrapTtl: value });
    expect(r.status).toBe(400);
    expect(r.json).toEqual({ errors: [message] });
  });

  it('takes seconds and duration strings; 0 and an empty header wrap nothing', async () => {
    for (const [value, ttl] of [
      ['90', 90],
      ['5m', 300],
      ['1h30m', 5400],
      ['2d', 172800],
    ] as const) {
      const r = await call('GET', '/v1/auth/token/lookup-self', { wrapTtl: value });
      expect(r.json.wrap_info.ttl).toBe(ttl);
    }
    for (const value of ['0', '']) {
      const r = await call('GET', '/v1/auth/token/lookup-self', { wrapTtl: value });
      expect(r.json.data.display_name).toBe('root');
      expect(r.json.wrap_info).toBeNull();
    }
  });
});

describe('a wrapped login', () => {
  it('answers wrap_info only; the credential is unwrapped once and refused the second time', async () => {
    await withAlice();
    const { token, wrapInfo } = await wrappedLogin('5m');
    const r = await call('POST', '/v1/auth/userpass/login/alice', {
      body: { password: 'pw' },
      token: null,
      wrapTtl: '5m',
    });
    expect(Object.keys(r.json)).toEqual([
      'request_id',
      'lease_id',
      'renewable',
      'lease_duration',
      'data',
      'wrap_info',
      'warnings',
      'auth',
      'mount_type',
    ]);
    expect(r.json).toMatchObject({ request_id: '', data: null, auth: null, warnings: null, mount_type: '' });
    expect(wrapInfo).toEqual({
      token: expect.stringMatching(/^hvs\.[A-Za-z0-9]{24}$/),
      accessor: expect.stringMatching(/^[A-Za-z0-9]{24}$/),
      ttl: 300,
      creation_time: '2027-01-15T08:00:00.25Z',
      creation_path: 'auth/userpass/login/alice',
      wrapped_accessor: expect.stringMatching(/^[A-Za-z0-9]{24}$/),
    });

    const first = await call('POST', '/v1/sys/wrapping/unwrap', { token });
    expect(first.status).toBe(200);
    expect(first.json.auth.accessor).toBe(wrapInfo.wrapped_accessor);
    expect(first.json.auth.metadata).toEqual({ username: 'alice' });
    expect(first.json.mount_type).toBe('userpass');
    const alice = first.json.auth.client_token;
    const self = await call('GET', '/v1/auth/token/lookup-self', { token: alice });
    expect(self.json.data.display_name).toBe('userpass-alice');

    const second = await call('POST', '/v1/sys/wrapping/unwrap', { token });
    expect(second.status).toBe(400);
    expect(second.json).toEqual({ errors: [INVALID] });
    // Third-party unwrapping of a used token is refused the same way.
    const third = await call('POST', '/v1/sys/wrapping/unwrap', { body: { token } });
    expect(third.json).toEqual({ errors: [INVALID] });
  });

  it('of 20 parallel unwraps (as the token itself and as a third party) exactly one succeeds', async () => {
    await withAlice();
    const { token } = await wrappedLogin();
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        i % 2 === 0
          ? call('POST', '/v1/sys/wrapping/unwrap', { token })
          : call('POST', '/v1/sys/wrapping/unwrap', { body: { token } }),
      ),
    );
    const won = results.filter((r) => r.status === 200);
    expect(won).toHaveLength(1);
    expect(won[0]!.json.auth.client_token).toMatch(/^hvs\./);
    for (const r of results.filter((x) => x.status !== 200)) {
      expect([r.status, r.json]).toEqual([400, { errors: [INVALID] }]);
    }
  });

  it('is still unwrappable once after a restart, and its lookup survives too', async () => {
    await withAlice();
    const { token } = await wrappedLogin('10m');
    await reopen();
    const look = await call('POST', '/v1/sys/wrapping/lookup', { body: { token }, token: null });
    expect(look.json.data).toEqual({
      creation_ttl: 600,
      creation_time: '2027-01-15T08:00:00.25Z',
      creation_path: 'auth/userpass/login/alice',
    });
    expect((await call('POST', '/v1/sys/wrapping/unwrap', { token })).status).toBe(200);
    await reopen();
    expect((await call('POST', '/v1/sys/wrapping/unwrap', { token })).json).toEqual({ errors: [INVALID] });
  });

  it('expires at its TTL, also across a restart', async () => {
    await withAlice();
    const a = await wrappedLogin('1m');
    const b = await wrappedLogin('2m');
    nowMs += 60_000;
    expect((await call('POST', '/v1/sys/wrapping/unwrap', { token: a.token })).json).toEqual({ errors: [INVALID] });
    expect((await call('POST', '/v1/sys/wrapping/lookup', { body: { token: a.token } })).json).toEqual({
      errors: [INVALID],
    });
    nowMs += 60_000;
    await reopen();
    expect((await call('POST', '/v1/sys/wrapping/unwrap', { body: { token: b.token } })).json).toEqual({
      errors: [INVALID],
    });
  });
});

describe('sys/wrapping', () => {
  it('lookup does not use the token: unauthenticated, as the token itself, or with another token', async () => {
    const w = await call('POST', '/v1/sys/wrapping/wrap', { body: { secret: 's3cr3t' }, wrapTtl: '3m' });
    const token = w.json.wrap_info.token;
    const expected = {
      creation_ttl: 180,
      creation_time: '2027-01-15T08:00:00.25Z',
      creation_path: 'sys/wrapping/wrap',
    };
    expect((await call('POST', '/v1/sys/wrapping/lookup', { body: { token }, token: null })).json.data).toEqual(
      expected,
    );
    expect((await call('POST', '/v1/sys/wrapping/lookup', { token })).json.data).toEqual(expected);
    expect((await call('POST', '/v1/sys/wrapping/lookup', { body: { token } })).json.data).toEqual(expected);
    const un = await call('POST', '/v1/sys/wrapping/unwrap', { token });
    expect(un.json.data).toEqual({ secret: 's3cr3t' });
  });

  it('refuses tokens that are not wrapping tokens, and empty ones, as Vault does', async () => {
    expect((await call('POST', '/v1/sys/wrapping/unwrap', {})).json).toEqual({ errors: [INVALID] });
    expect((await call('POST', '/v1/sys/wrapping/lookup', { body: { token: 'hvs.nope' } })).json).toEqual({
      errors: [INVALID],
    });
    const empty = await call('POST', '/v1/sys/wrapping/lookup', { token: null });
    expect([empty.status, empty.json]).toEqual([400, { errors: ['error validating wrapping token: token is empty'] }]);
    const blank = await call('POST', '/v1/sys/wrapping/unwrap', { body: { token: '' } });
    expect(blank.json).toEqual({ errors: ['error validating wrapping token: empty token in request body'] });
  });

  it('wraps arbitrary data and unwraps it verbatim; without a wrap TTL the endpoint refuses', async () => {
    const data = { foo: 'bar', n: 5, nested: { list: [1, 'two'] } };
    const w = await call('POST', '/v1/sys/wrapping/wrap', { body: data, wrapTtl: '60' });
    expect(w.status).toBe(200);
    expect(w.json.wrap_info).toMatchObject({ ttl: 60, creation_path: 'sys/wrapping/wrap' });
    expect(w.json.wrap_info.wrapped_accessor).toBeUndefined();
    const un = await call('POST', '/v1/sys/wrapping/unwrap', { token: w.json.wrap_info.token });
    expect(un.json).toMatchObject({ data, warnings: null, auth: null, mount_type: 'system', wrap_info: null });
    expect(un.json.request_id).toMatch(/^[0-9a-f-]{36}$/);

    const bare = await call('POST', '/v1/sys/wrapping/wrap', { body: data });
    expect([bare.status, bare.json]).toEqual([400, { errors: ['endpoint requires response wrapping to be used'] }]);
  });

  it('rewrap gives a new token for the same response and the same TTL, and kills the old one', async () => {
    const w = await call('POST', '/v1/sys/wrapping/wrap', { body: { k: 'v' }, wrapTtl: '4m' });
    const old = w.json.wrap_info.token;
    nowMs += 1000;
    const r = await call('POST', '/v1/sys/wrapping/rewrap', { body: { token: old } });
    expect(r.status, r.body).toBe(200);
    expect(r.json.data).toBeNull();
    expect(r.json.wrap_info).toMatchObject({
      ttl: 240,
      creation_path: 'sys/wrapping/wrap',
      creation_time: '2027-01-15T08:00:01.25Z',
    });
    const fresh = r.json.wrap_info.token;
    expect(fresh).not.toBe(old);
    expect((await call('POST', '/v1/sys/wrapping/unwrap', { token: old })).json).toEqual({ errors: [INVALID] });
    expect((await call('POST', '/v1/sys/wrapping/lookup', { body: { token: fresh } })).json.data.creation_path).toBe(
      'sys/wrapping/wrap',
    );
    expect((await call('POST', '/v1/sys/wrapping/unwrap', { token: fresh })).json.data).toEqual({ k: 'v' });
    // A wrapping token cannot rewrap itself: its policy grants unwrap only.
    const again = await call('POST', '/v1/sys/wrapping/wrap', { body: { k: 'v' }, wrapTtl: '4m' });
    const self = await call('POST', '/v1/sys/wrapping/rewrap', { token: again.json.wrap_info.token });
    expect([self.status, self.json]).toEqual([403, { errors: [DENIED] }]);
  });

  it('a wrapping token can do nothing but unwrap (and be looked up)', async () => {
    const w = await call('POST', '/v1/sys/wrapping/wrap', { body: { k: 'v' }, wrapTtl: '4m' });
    const token = w.json.wrap_info.token;
    for (const [method, path] of [
      ['GET', '/v1/auth/token/lookup-self'],
      ['POST', '/v1/sys/wrapping/wrap'],
      ['GET', '/v1/sys/mounts'],
    ] as const) {
      const r = await call(method, path, { token, body: method === 'POST' ? { a: 'b' } : undefined });
      expect([r.status, r.json]).toEqual([403, { errors: [DENIED] }]);
    }
    expect((await call('POST', '/v1/sys/wrapping/unwrap', { token })).json.data).toEqual({ k: 'v' });
  });

  it('a token with only the default policy wraps, looks up and unwraps for a third party', async () => {
    const user = (await call('POST', '/v1/auth/token/create', { body: { policies: ['default'] } })).json.auth
      .client_token;
    const w = await call('POST', '/v1/sys/wrapping/wrap', { token: user, body: { k: 'v' }, wrapTtl: '1m' });
    const token = w.json.wrap_info.token;
    expect((await call('POST', '/v1/sys/wrapping/unwrap', { token: user, body: { token } })).json.data).toEqual({
      k: 'v',
    });
    // Rewrap is not in the default policy.
    const again = await call('POST', '/v1/sys/wrapping/wrap', { token: user, body: { k: 'v' }, wrapTtl: '1m' });
    const r = await call('POST', '/v1/sys/wrapping/rewrap', {
      token: user,
      body: { token: again.json.wrap_info.token },
    });
    expect(r.status).toBe(403);
  });

  it('wraps token creation with the new token accessor; lists and empty answers are not wrapped', async () => {
    const r = await call('POST', '/v1/auth/token/create', { body: { policies: ['default'] }, wrapTtl: '1m' });
    expect(r.json.auth).toBeNull();
    const un = await call('POST', '/v1/sys/wrapping/unwrap', { token: r.json.wrap_info.token });
    expect(un.json.auth.accessor).toBe(r.json.wrap_info.wrapped_accessor);
    expect(un.json.auth.policies).toEqual(['default']);
    // Nothing to wrap: a 404 stays a 404, a 204 stays a 204.
    expect((await call('GET', '/v1/sys/policies/acl/missing', { wrapTtl: '1m' })).status).toBe(404);
    expect(
      (await call('POST', '/v1/sys/policies/acl/p', { body: { policy: 'path "x" {}' }, wrapTtl: '1m' })).status,
    ).toBe(204);
  });
});

describe('min_wrapping_ttl and max_wrapping_ttl', () => {
  it("refuse requests outside the bounds (and unwrapped ones) with Vault's permission denied", async () => {
    await ok('POST', '/v1/sys/policies/acl/bounded', {
      policy:
        'path "auth/token/create" {\n  capabilities = ["update"]\n  min_wrapping_ttl = "1m"\n  max_wrapping_ttl = "10m"\n}',
    });
    const user = (await call('POST', '/v1/auth/token/create', { body: { policies: ['bounded'] } })).json.auth
      .client_token;
    for (const wrapTtl of [undefined, '30s', '59', '11m', '1h']) {
      const r = await call('POST', '/v1/auth/token/create', { token: user, body: {}, ...(wrapTtl ? { wrapTtl } : {}) });
      expect([wrapTtl, r.status, r.json]).toEqual([wrapTtl, 403, { errors: [DENIED] }]);
    }
    for (const [wrapTtl, ttl] of [
      ['1m', 60],
      ['5m', 300],
      ['600', 600],
    ] as const) {
      const r = await call('POST', '/v1/auth/token/create', { token: user, body: {}, wrapTtl });
      expect(r.status, r.body).toBe(200);
      expect(r.json.wrap_info.ttl).toBe(ttl);
    }
  });
});

describe('the audit log', () => {
  it('never holds a wrapped secret, the credential inside, or a wrapping token in clear', async () => {
    const log = join(dir, 'audit.log');
    await ok('POST', '/v1/sys/audit/file', { type: 'file', options: { file_path: log } });
    await withAlice();
    const { token } = await wrappedLogin();
    const unwrapped = await call('POST', '/v1/sys/wrapping/unwrap', { token });
    const alice = unwrapped.json.auth.client_token;
    const w = await call('POST', '/v1/sys/wrapping/wrap', { body: { secret: 'very-secret-value' }, wrapTtl: '1m' });
    const wrapToken = w.json.wrap_info.token;
    await call('POST', '/v1/sys/wrapping/lookup', { body: { token: wrapToken }, token: null });
    await call('POST', '/v1/sys/wrapping/unwrap', { body: { token: wrapToken } });
    const text = readFileSync(log, 'utf8');
    for (const secret of [token, alice, wrapToken, 'very-secret-value', '"pw"']) expect(text).not.toContain(secret);
    const lines = text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const unwrapResponse = lines.find((l) => l.type === 'response' && l.request.path === 'sys/wrapping/unwrap');
    expect(unwrapResponse.response.auth.client_token).toMatch(/^hmac-sha256:[0-9a-f]{64}$/);
    expect(lines.filter((l) => l.request.path === 'sys/wrapping/unwrap')).toHaveLength(4);
    // The wrapped answer's wrap_info is logged with its token HMAC'd, as Vault logs it.
    const wrapResponse = lines.find((l) => l.type === 'response' && l.request.path === 'sys/wrapping/wrap');
    const tokenHash = (await call('POST', '/v1/sys/audit-hash/file', { body: { input: wrapToken } })).json.data.hash;
    expect(wrapResponse.response.wrap_info).toEqual({
      ttl: 60,
      token: tokenHash,
      accessor: expect.stringMatching(/^hmac-sha256:[0-9a-f]{64}$/),
      creation_time: w.json.wrap_info.creation_time,
      creation_path: 'sys/wrapping/wrap',
    });
  });
});
