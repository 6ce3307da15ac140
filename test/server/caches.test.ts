// The server's in-memory caches over real HTTP (issue 22): token entries, roles, policies, issuers and
// entity policies are read from memory, and every change is in effect for the very next request, in
// memory and in a data directory, under parallel requests and across a restart. Also: two servers in
// one process never share a cache.

import { cpSync } from 'node:fs';
import { join } from 'node:path';
import sshpk from 'sshpk';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../server/ssh/generate-key-pair.js';
import { FileStorage } from '../../server/storage/file-storage.js';
import { MemoryStorage } from '../../server/storage/memory-storage.js';
import { makeScratchDir, removeScratchDir } from '../helpers/scratch.js';
import { startTestServer, type TestServer } from '../helpers/vault-server.js';

const userKey = generateKeyPair('ed25519', 0).publicKey;
const ROLE = { key_type: 'ca', allow_user_certificates: true, allowed_users: '*', default_user: 'ubuntu', ttl: '5m' };
/** May sign with role `dev` and create child tokens (with at most its own policies). */
const SIGNER =
  'path "ssh/sign/dev" {\n  capabilities = ["update"]\n}\npath "auth/token/create" {\n  capabilities = ["update"]\n}\n';
const DENIED = { errors: ['1 error occurred:\n\t* permission denied\n\n'] };
const INVALID = { errors: ['2 errors occurred:\n\t* permission denied\n\t* invalid token\n\n'] };

/** The fingerprint of the CA that signed `signedKey`. */
const signerOf = (signedKey: string): string =>
  (sshpk.parseCertificate(signedKey, 'openssh') as any).issuerKey.fingerprint('sha256').toString();
const fingerprintOf = (publicKey: string): string => sshpk.parseKey(publicKey, 'ssh').fingerprint('sha256').toString();
/** The principals of a signed certificate. */
const principalsOf = (signedKey: string): string[] =>
  (sshpk.parseCertificate(signedKey, 'openssh') as any).subjects.map((s: { uid: string }) => s.uid);

let dir: string;
let servers: TestServer[] = [];

beforeEach(() => {
  dir = makeScratchDir('caches');
});

afterEach(async () => {
  for (const s of servers) await s.close();
  servers = [];
  removeScratchDir(dir);
});

/** A server on `storage`, closed after the test (or by `restart`). */
async function start(storage: 'memory' | 'data dir', at = join(dir, 'storage')): Promise<TestServer> {
  const s = await startTestServer({ storage: storage === 'memory' ? new MemoryStorage() : new FileStorage(at) });
  servers.push(s);
  return s;
}

/** Close `s` and open its data directory again. */
async function restart(s: TestServer): Promise<TestServer> {
  await s.close();
  servers = servers.filter((x) => x !== s);
  return start('data dir');
}

const sign = (s: TestServer, token?: string, role = 'dev') =>
  s.request('POST', `/v1/ssh/sign/${role}`, { public_key: userKey }, token);

/** Mount `ssh` with a generated CA, role `dev` and policy `signer` (which may sign with it). */
async function setUp(s: TestServer): Promise<void> {
  for (const [path, body] of [
    ['/v1/sys/mounts/ssh', { type: 'ssh' }],
    ['/v1/ssh/config/ca', { generate_signing_key: true }],
    ['/v1/ssh/roles/dev', ROLE],
    ['/v1/sys/policies/acl/signer', { policy: SIGNER }],
  ] as const) {
    const r = await s.request('POST', path, body);
    expect(r.status, `${path}: ${r.body}`).toBeLessThan(300);
  }
}

/** A token with the `signer` policy (and `extra` creation fields). */
async function signerToken(s: TestServer, extra: Record<string, unknown> = {}, parent?: string): Promise<string> {
  const r = await s.request('POST', '/v1/auth/token/create', { policies: ['signer'], ...extra }, parent);
  expect(r.status, r.body).toBe(200);
  return r.json.auth.client_token;
}

const statusAndBody = async (p: Promise<{ status: number; json: any }>) => {
  const r = await p;
  return [r.status, r.status === 200 ? 'ok' : r.json];
};

describe.each(['memory', 'data dir'] as const)('caches (%s)', (storage) => {
  it('refuses a revoked token and its children at once, also while parallel requests use them', async () => {
    const s = await start(storage);
    await setUp(s);
    const parent = await signerToken(s);
    const child = await signerToken(s, {}, parent);
    expect((await sign(s, parent)).status).toBe(200);
    expect((await sign(s, child)).status).toBe(200);
    // Requests with both tokens race the revocation; those answered after it are refused, none errs.
    const racing = Array.from({ length: 20 }, (_, i) => sign(s, i % 2 ? parent : child));
    const revoked = await s.request('POST', '/v1/auth/token/revoke', { token: parent });
    expect(revoked.status).toBe(204);
    for (const r of await Promise.all(racing)) expect([200, 403]).toContain(r.status);
    for (const token of [parent, child]) {
      expect(await statusAndBody(sign(s, token))).toEqual([403, INVALID]);
      expect((await s.request('GET', '/v1/auth/token/lookup-self', undefined, token)).status).toBe(403);
    }
    const after = await Promise.all(
      Array.from({ length: 20 }, (_, i) => statusAndBody(sign(s, i % 2 ? parent : child))),
    );
    expect(after).toEqual(Array.from({ length: 20 }, () => [403, INVALID]));
  });

  it('spends exactly the uses a use-limited token has under 50 parallel requests', async () => {
    const s = await start(storage);
    await setUp(s);
    const token = await signerToken(s, { num_uses: 7 });
    const answers = await Promise.all(Array.from({ length: 50 }, () => sign(s, token)));
    expect(answers.filter((r) => r.status === 200)).toHaveLength(7);
    expect(answers.filter((r) => r.status === 403)).toHaveLength(43);
    expect(await statusAndBody(sign(s, token))).toEqual([403, INVALID]);
  });

  it('signs with the role as last written, and refuses a deleted role', async () => {
    const s = await start(storage);
    await setUp(s);
    expect(principalsOf((await sign(s)).json.data.signed_key)).toEqual(['ubuntu']);
    expect((await s.request('POST', '/v1/ssh/roles/dev', { ...ROLE, default_user: 'admin' })).status).toBe(204);
    expect(principalsOf((await sign(s)).json.data.signed_key)).toEqual(['admin']);
    expect((await s.request('DELETE', '/v1/ssh/roles/dev')).status).toBe(204);
    expect(await statusAndBody(sign(s))).toEqual([400, { errors: ['Unknown role: dev'] }]);
    expect((await s.request('POST', '/v1/ssh/roles/dev', ROLE)).status).toBe(204);
    expect(principalsOf((await sign(s)).json.data.signed_key)).toEqual(['ubuntu']);
  });

  it('decides the next request by the policy as last written, deleted or written again', async () => {
    const s = await start(storage);
    await setUp(s);
    const token = await signerToken(s);
    expect((await sign(s, token)).status).toBe(200);
    const other = 'path "ssh/sign/other" {\n  capabilities = ["update"]\n}\n';
    expect((await s.request('POST', '/v1/sys/policies/acl/signer', { policy: other })).status).toBe(204);
    expect(await statusAndBody(sign(s, token))).toEqual([403, DENIED]);
    expect((await s.request('POST', '/v1/sys/policies/acl/signer', { policy: SIGNER })).status).toBe(204);
    expect((await sign(s, token)).status).toBe(200);
    expect((await s.request('DELETE', '/v1/sys/policies/acl/signer')).status).toBe(204);
    expect(await statusAndBody(sign(s, token))).toEqual([403, DENIED]);
  });

  it('signs with the new default issuer from the next request on', async () => {
    const s = await start(storage);
    await setUp(s);
    const first = (await s.request('GET', '/v1/ssh/issuer/default')).json.data;
    expect(signerOf((await sign(s)).json.data.signed_key)).toBe(fingerprintOf(first.public_key));
    const next = (await s.request('POST', '/v1/ssh/issuers/import/next', { key_type: 'ed25519' })).json.data;
    const set = await s.request('POST', '/v1/ssh/config/issuers', { default: next.issuer_id });
    expect(set.status).toBe(200);
    const signed = (await sign(s)).json.data;
    expect([signed.issuer_id, signerOf(signed.signed_key)]).toEqual([next.issuer_id, fingerprintOf(next.public_key)]);
  });

  it("applies an entity's policies, and its disabling, at once", async () => {
    const s = await start(storage);
    await setUp(s);
    await s.request('POST', '/v1/sys/auth/userpass', { type: 'userpass' });
    await s.request('POST', '/v1/auth/userpass/users/alice', { password: 'pw' });
    const auth = (await s.request('POST', '/v1/auth/userpass/login/alice', { password: 'pw' }, null)).json.auth;
    expect(await statusAndBody(sign(s, auth.client_token))).toEqual([403, DENIED]);
    const entity = `/v1/identity/entity/id/${auth.entity_id}`;
    expect((await s.request('POST', entity, { policies: ['signer'] })).status).toBe(204);
    expect((await sign(s, auth.client_token)).status).toBe(200);
    expect((await s.request('POST', entity, { disabled: true })).status).toBe(204);
    expect(await statusAndBody(sign(s, auth.client_token))).toEqual([403, DENIED]);
  });
});

describe('caches across a restart (data dir)', () => {
  it('keeps every change made while the caches were warm', async () => {
    let s = await start('data dir');
    await setUp(s);
    const revoked = await signerToken(s);
    const limited = await signerToken(s, { num_uses: 3 });
    const kept = await signerToken(s);
    for (const token of [revoked, limited, kept]) expect((await sign(s, token)).status).toBe(200);
    await s.request('POST', '/v1/auth/token/revoke', { token: revoked });
    await s.request('POST', '/v1/ssh/roles/dev', { ...ROLE, default_user: 'admin' });
    await s.request('POST', '/v1/sys/policies/acl/other', { policy: SIGNER });
    await s.request('POST', '/v1/sys/policies/acl/signer', {
      policy: 'path "ssh/sign/x" {\n  capabilities = ["update"]\n}\n',
    });
    const next = (await s.request('POST', '/v1/ssh/issuers/import/next', { key_type: 'ed25519' })).json.data;
    await s.request('POST', '/v1/ssh/config/issuers', { default: next.issuer_id });

    s = await restart(s);
    expect(await statusAndBody(sign(s, revoked))).toEqual([403, INVALID]);
    expect(await statusAndBody(sign(s, kept))).toEqual([403, DENIED]);
    const token = await signerToken(s, { policies: ['other'] });
    const signed = (await sign(s, token)).json.data;
    expect(principalsOf(signed.signed_key)).toEqual(['admin']);
    expect([signed.issuer_id, signerOf(signed.signed_key)]).toEqual([next.issuer_id, fingerprintOf(next.public_key)]);
    // Two uses were left after the restart; lookup-self spends one of them.
    expect((await s.request('GET', '/v1/auth/token/lookup-self', undefined, limited)).json.data.num_uses).toBe(1);
  });

  it('never shares issuer state between two servers in one process', async () => {
    const a = await start('data dir', join(dir, 'a'));
    await setUp(a);
    await a.request('POST', '/v1/ssh/issuers/import/first', { key_type: 'ed25519' });
    await a.close();
    servers = [];
    cpSync(join(dir, 'a'), join(dir, 'b'), { recursive: true });
    const [one, two] = [await start('data dir', join(dir, 'a')), await start('data dir', join(dir, 'b'))];
    // Server one has two issuers; server two deletes one of its copies: each answers from its own storage.
    const issuers = (await two.request('LIST', '/v1/ssh/issuers')).json.data.keys as string[];
    expect(issuers).toHaveLength(2);
    const def = (await two.request('GET', '/v1/ssh/config/issuers')).json.data.default;
    const other = issuers.find((id) => id !== def)!;
    expect(Object.keys((await sign(one)).json.data).sort()).toEqual(['issuer_id', 'serial_number', 'signed_key']);
    expect((await two.request('DELETE', `/v1/ssh/issuer/${other}`)).status).toBe(204);
    expect(Object.keys((await sign(two)).json.data).sort()).toEqual(['serial_number', 'signed_key']);
    expect(Object.keys((await sign(one)).json.data).sort()).toEqual(['issuer_id', 'serial_number', 'signed_key']);
  });

  it('refuses a token that expired while the server was down at once, and revokes the expired ones after open', async () => {
    let nowMs = Date.UTC(2027, 0, 15, 8, 0, 0);
    const open = async () => {
      const s = await startTestServer({ storage: new FileStorage(join(dir, 'storage')), clock: () => nowMs });
      servers.push(s);
      return s;
    };
    let s = await open();
    const create = async (ttl: string) =>
      (await s.request('POST', '/v1/auth/token/create', { policies: ['default'], ttl })).json.auth.client_token;
    const [presented, unseen, live] = [await create('10m'), await create('10m'), await create('1h')];
    await s.close();
    servers = [];
    nowMs += 11 * 60 * 1000;
    s = await open();
    expect(await statusAndBody(s.request('GET', '/v1/auth/token/lookup-self', undefined, presented))).toEqual([
      403,
      INVALID,
    ]);
    await s.server.tokens.loaded();
    // Only the root token and the live one are left in storage.
    const stored = await new FileStorage(join(dir, 'storage')).list('core/tokens/');
    expect(stored).toHaveLength(2);
    expect((await s.request('GET', '/v1/auth/token/lookup-self', undefined, unseen)).status).toBe(403);
    expect((await s.request('GET', '/v1/auth/token/lookup-self', undefined, live)).status).toBe(200);
  });
});
