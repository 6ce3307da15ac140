// OpenBao's multi-issuer SSH API on the embedded server (reference §2.16; issue 20, point 2): issuers
// created by generation and import, listed, read, renamed, deleted, the default issuer, `issuer_ref`
// on roles, sign answers with `issuer_id`, over real HTTP with exact bodies and messages; a pre-issuer
// CA migrated, issuers kept across a restart (file storage), and concurrent imports all kept.

import { join } from 'node:path';
import sshpk from 'sshpk';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../../server/ssh/generate-key-pair.js';
import { FileStorage } from '../../../server/storage/file-storage.js';
import { makeScratchDir, removeScratchDir } from '../../helpers/scratch.js';
import { startTestServer, type TestServer } from '../../helpers/vault-server.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const userKey = generateKeyPair('ed25519', 0).publicKey;

let srv: TestServer;
beforeEach(async () => {
  srv = await startTestServer();
  await srv.request('POST', '/v1/sys/mounts/ssh', { type: 'ssh' });
  await srv.request('POST', '/v1/ssh/roles/dev', {
    key_type: 'ca',
    allow_user_certificates: true,
    allowed_users: '*',
    default_user: 'ubuntu',
    ttl: '5m',
  });
});
afterEach(() => srv.close());

/** The fingerprint of the CA that signed `signedKey`. */
const signerOf = (signedKey: string): string =>
  (sshpk.parseCertificate(signedKey, 'openssh') as any).issuerKey.fingerprint('sha256').toString();
const fingerprintOf = (publicKey: string): string => sshpk.parseKey(publicKey, 'ssh').fingerprint('sha256').toString();

describe('issuers', () => {
  it('generates a first issuer that becomes the default, and a second one that does not', async () => {
    const first = await srv.request('POST', '/v1/ssh/issuers/import/old', { key_type: 'ed25519' });
    expect(first.status).toBe(200);
    expect(first.json.data).toEqual({
      issuer_id: expect.stringMatching(UUID),
      issuer_name: 'old',
      public_key: expect.stringMatching(/^ssh-ed25519 AAAA\S+\n$/),
    });
    const second = await srv.request('POST', '/v1/ssh/issuers/import', { key_type: 'ed25519', issuer_name: 'next' });
    expect(second.json.data.issuer_name).toBe('next');

    expect((await srv.request('GET', '/v1/ssh/config/issuers')).json.data).toEqual({ default: first.json.data.issuer_id });
    const list = await srv.request('LIST', '/v1/ssh/issuers');
    expect(list.json.data.keys).toEqual([first.json.data.issuer_id, second.json.data.issuer_id].sort());
    expect(list.json.data.key_info[second.json.data.issuer_id]).toEqual({
      issuer_name: 'next',
      is_default: false,
      public_key: second.json.data.public_key,
    });
    // public_key and config/ca are the default issuer's; each issuer's key is served unauthenticated.
    expect((await srv.request('GET', '/v1/ssh/public_key', undefined, null)).body).toBe(first.json.data.public_key);
    expect((await srv.request('GET', '/v1/ssh/config/ca')).json.data).toEqual({ public_key: first.json.data.public_key });
    const raw = await srv.request('GET', '/v1/ssh/issuer/next/public_key', undefined, null);
    expect([raw.status, raw.headers.get('content-type'), raw.body]).toEqual([200, 'text/plain', second.json.data.public_key]);
    expect((await srv.request('GET', '/v1/ssh/issuer/default')).json.data).toEqual(first.json.data);
    expect((await srv.request('GET', `/v1/ssh/issuer/${second.json.data.issuer_id}`)).json.data).toEqual(second.json.data);
  });

  it('imports a key pair, and answers an identical one with the existing issuer and a warning', async () => {
    const pair = generateKeyPair('ed25519', 0);
    const body = { public_key: pair.publicKey, private_key: pair.privateKey };
    const r = await srv.request('POST', '/v1/ssh/issuers/import', body);
    expect(r.json.data).toEqual({ issuer_id: expect.stringMatching(UUID), issuer_name: '', public_key: pair.publicKey });
    const again = await srv.request('POST', '/v1/ssh/issuers/import/other', body);
    expect([again.status, again.json.data, again.json.warnings]).toEqual([
      200,
      r.json.data,
      ['An issuer with the provided public key already exists, returning the existing issuer'],
    ]);
  });

  it.each([
    ['default', "reserved keyword 'default' can not be used as issuer name"],
    ['taken', 'issuer name already in use'],
  ])('refuses the issuer name %s', async (name, message) => {
    await srv.request('POST', '/v1/ssh/issuers/import/taken', { key_type: 'ed25519' });
    const r = await srv.request('POST', '/v1/ssh/issuers/import', { key_type: 'ed25519', issuer_name: name });
    expect([r.status, r.json]).toEqual([400, { errors: [message] }]);
  });

  it('answers OpenBao’s messages for unknown references and default-issuer changes', async () => {
    expect(await srv.request('GET', '/v1/ssh/config/issuers')).toMatchObject({
      status: 400,
      json: { errors: ['no default issuer currently configured'] },
    });
    expect(await srv.request('GET', '/v1/ssh/issuer/nope')).toMatchObject({
      status: 400,
      json: { errors: ['unable to find issuer for reference: nope'] },
    });
    const a = (await srv.request('POST', '/v1/ssh/issuers/import/a', { key_type: 'ed25519' })).json.data;
    const b = (await srv.request('POST', '/v1/ssh/issuers/import/b', { key_type: 'ed25519' })).json.data;
    for (const bad of ['', 'default']) {
      expect(await srv.request('POST', '/v1/ssh/config/issuers', { default: bad })).toMatchObject({
        status: 400,
        json: { errors: ["invalid issuer specification; must be non-empty and can't be 'default'."] },
      });
    }
    const same = await srv.request('POST', '/v1/ssh/config/issuers', { default: 'a' });
    expect([same.json.data, same.json.warnings]).toEqual([
      { default: a.issuer_id },
      ['The default issuer is already set to the specified issuer.'],
    ]);
    const set = await srv.request('POST', '/v1/ssh/config/issuers', { default: 'b' });
    expect([set.status, set.json.data, set.json.warnings]).toEqual([200, { default: b.issuer_id }, null]);
    expect((await srv.request('GET', '/v1/ssh/public_key', undefined, null)).body).toBe(b.public_key);
  });

  it('renames and deletes issuers, warning when the default goes and about roles naming them', async () => {
    const a = (await srv.request('POST', '/v1/ssh/issuers/import/a', { key_type: 'ed25519' })).json.data;
    await srv.request('POST', '/v1/ssh/roles/pinned', { key_type: 'ca', allow_user_certificates: true, issuer_ref: 'a' });
    const renamed = await srv.request('POST', '/v1/ssh/issuer/a', { issuer_name: 'old' });
    expect([renamed.json.data, renamed.json.warnings]).toEqual([{ ...a, issuer_name: 'old' }, ["1 roles reference 'a'"]]);
    expect((await srv.request('DELETE', '/v1/ssh/issuer/missing')).status).toBe(204);
    const del = await srv.request('DELETE', '/v1/ssh/issuer/old');
    expect([del.status, del.json.warnings]).toEqual([
      200,
      [
        `Deleted issuer ${a.issuer_id} (via issuer_ref old); this was configured as the default issuer. Operations without an explicit issuer will not work until a new default is configured.`,
      ],
    ]);
    expect((await srv.request('LIST', '/v1/ssh/issuers')).status).toBe(404);
  });

  it('signs with the default issuer, or the role’s issuer_ref, and names the issuer once there are several', async () => {
    const a = (await srv.request('POST', '/v1/ssh/issuers/import/a', { key_type: 'ed25519' })).json.data;
    // One issuer: Vault's answer.
    const one = await srv.request('POST', '/v1/ssh/sign/dev', { public_key: userKey });
    expect(Object.keys(one.json.data).sort()).toEqual(['serial_number', 'signed_key']);
    const b = (await srv.request('POST', '/v1/ssh/issuers/import/b', { key_type: 'ed25519' })).json.data;
    const two = await srv.request('POST', '/v1/ssh/sign/dev', { public_key: userKey });
    expect(two.json.data.issuer_id).toBe(a.issuer_id);
    expect(signerOf(two.json.data.signed_key)).toBe(fingerprintOf(a.public_key));

    await srv.request('POST', '/v1/ssh/config/issuers', { default: b.issuer_id });
    const three = await srv.request('POST', '/v1/ssh/sign/dev', { public_key: userKey });
    expect([three.json.data.issuer_id, signerOf(three.json.data.signed_key)]).toEqual([
      b.issuer_id,
      fingerprintOf(b.public_key),
    ]);

    await srv.request('POST', '/v1/ssh/roles/pinned', {
      key_type: 'ca',
      allow_user_certificates: true,
      allowed_users: '*',
      default_user: 'ubuntu',
      issuer_ref: 'a',
    });
    expect((await srv.request('GET', '/v1/ssh/roles/pinned')).json.data.issuer_ref).toBe('a');
    expect((await srv.request('GET', '/v1/ssh/roles/dev')).json.data).not.toHaveProperty('issuer_ref');
    const pinned = await srv.request('POST', '/v1/ssh/sign/pinned', { public_key: userKey });
    expect(signerOf(pinned.json.data.signed_key)).toBe(fingerprintOf(a.public_key));
    const issued = await srv.request('POST', '/v1/ssh/issue/pinned', { key_type: 'ed25519' });
    expect(issued.json.data.issuer_id).toBe(a.issuer_id);

    // The role's issuer is gone: OpenBao's 400, after the policy checks.
    await srv.request('DELETE', '/v1/ssh/issuer/a');
    expect(await srv.request('POST', '/v1/ssh/sign/pinned', { public_key: userKey })).toMatchObject({
      status: 400,
      json: { errors: ['unable to find issuer for reference: a'] },
    });
    expect(await srv.request('POST', '/v1/ssh/sign/pinned', { public_key: userKey, key_id: 'x' })).toMatchObject({
      status: 400,
      json: { errors: ['setting key_id is not allowed by role'] },
    });
    // No default issuer while issuers exist: OpenBao's 400; no CA at all: Vault's 500.
    await srv.request('DELETE', '/v1/ssh/issuer/default');
    await srv.request('POST', '/v1/ssh/issuers/import/c', { key_type: 'ed25519' });
    await srv.request('POST', '/v1/ssh/issuers/import/d', { key_type: 'ed25519' });
    await srv.request('DELETE', '/v1/ssh/issuer/c');
    expect(await srv.request('POST', '/v1/ssh/sign/dev', { public_key: userKey })).toMatchObject({
      status: 400,
      json: { errors: ['no default issuer currently configured'] },
    });
    await srv.request('DELETE', '/v1/ssh/config/ca');
    expect((await srv.request('POST', '/v1/ssh/sign/dev', { public_key: userKey })).status).toBe(500);
  });

  it('keeps config/ca Vault’s: refused while any issuer exists, and DELETE purges every issuer', async () => {
    await srv.request('POST', '/v1/ssh/issuers/import/a', { key_type: 'ed25519' });
    expect(await srv.request('POST', '/v1/ssh/config/ca', { key_type: 'ed25519' })).toMatchObject({
      status: 400,
      json: { errors: ['keys are already configured; delete them before reconfiguring'] },
    });
    await srv.request('POST', '/v1/ssh/issuers/import/b', { key_type: 'ed25519' });
    const del = await srv.request('DELETE', '/v1/ssh/config/ca');
    expect([del.status, del.json.warnings]).toEqual([200, ['Deleted 2 issuers, including default issuer if configured.']]);
    expect((await srv.request('LIST', '/v1/ssh/issuers')).status).toBe(404);
    expect((await srv.request('GET', '/v1/ssh/public_key', undefined, null)).status).toBe(404);
  });

  it('lists a config/ca CA as the default, unnamed issuer', async () => {
    const ca = (await srv.request('POST', '/v1/ssh/config/ca', { key_type: 'ed25519' })).json.data.public_key;
    const list = (await srv.request('LIST', '/v1/ssh/issuers')).json.data;
    expect(Object.values(list.key_info)).toEqual([{ issuer_name: '', is_default: true, public_key: ca }]);
  });

  it('needs a token for everything but the issuers’ public keys', async () => {
    await srv.request('POST', '/v1/ssh/issuers/import/a', { key_type: 'ed25519' });
    for (const [method, path] of [
      ['LIST', '/v1/ssh/issuers'],
      ['POST', '/v1/ssh/issuers/import/b'],
      ['GET', '/v1/ssh/issuer/a'],
      ['DELETE', '/v1/ssh/issuer/a'],
      ['GET', '/v1/ssh/config/issuers'],
      ['POST', '/v1/ssh/config/issuers'],
    ] as const) {
      expect((await srv.request(method, path, method === 'POST' ? {} : undefined, null)).status).toBe(403);
    }
    expect((await srv.request('GET', '/v1/ssh/issuer/a/public_key', undefined, null)).status).toBe(200);
  });

  it('keeps every issuer when many are imported at once', async () => {
    const rs = await Promise.all(
      Array.from({ length: 12 }, (_, i) => srv.request('POST', `/v1/ssh/issuers/import/k${i}`, { key_type: 'ed25519' })),
    );
    expect(rs.map((r) => r.status)).toEqual(Array(12).fill(200));
    const list = (await srv.request('LIST', '/v1/ssh/issuers')).json.data;
    expect(list.keys).toHaveLength(12);
    expect(Object.values(list.key_info).filter((i: any) => i.is_default)).toHaveLength(1);
  });
});

describe('issuers in file storage', () => {
  let dir: string;
  beforeEach(() => {
    dir = makeScratchDir('issuers');
  });
  afterEach(() => removeScratchDir(dir));

  it('migrates a pre-issuer CA to the default issuer and keeps issuers and the default across a restart', async () => {
    const storage = () => new FileStorage(join(dir, 'storage'));
    let s = await startTestServer({ storage: storage() });
    try {
      await s.request('POST', '/v1/sys/mounts/ssh', { type: 'ssh' });
      // The layout before issuers: one config/ca_bundle entry in the mount's storage.
      const mountUuid = (await s.request('GET', '/v1/sys/mounts/ssh')).json.data.uuid;
      const pair = generateKeyPair('ed25519', 0);
      const legacy = { public_key: pair.publicKey, private_key: pair.privateKey };
      await storage().put(`logical/${mountUuid}/config/ca_bundle`, Buffer.from(JSON.stringify(legacy)));
      await s.close();
      s = await startTestServer({ storage: storage() });
      expect((await s.request('GET', '/v1/ssh/config/ca')).json.data).toEqual({ public_key: pair.publicKey });
      const next = (await s.request('POST', '/v1/ssh/issuers/import/next', { key_type: 'ed25519' })).json.data;
      await s.request('POST', '/v1/ssh/config/issuers', { default: 'next' });
      await s.close();

      s = await startTestServer({ storage: storage() });
      const list = (await s.request('LIST', '/v1/ssh/issuers')).json.data;
      expect(Object.values(list.key_info).map((i: any) => [i.issuer_name, i.is_default, i.public_key]).sort()).toEqual(
        [
          ['', false, pair.publicKey],
          ['next', true, next.public_key],
        ].sort(),
      );
      expect((await s.request('GET', '/v1/ssh/public_key', undefined, null)).body).toBe(next.public_key);
    } finally {
      await s.close();
    }
  });
});
