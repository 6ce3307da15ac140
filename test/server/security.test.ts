// Security properties of tokens and logs: expired, revoked, malformed and missing tokens get 403; a
// denying policy denies; spent tokens stop; and no token, password or private key ever appears in
// clear in an audit line, the server log or storage.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../server/ssh/generate-key-pair.js';
import { MemoryStorage } from '../../server/storage/memory-storage.js';
import type { Storage } from '../../server/storage/storage.js';
import { makeScratchDir, removeScratchDir } from '../helpers/scratch.js';
import { startTestServer, type TestServer } from '../helpers/vault-server.js';

let server: TestServer;
let storage: MemoryStorage;
let dir: string;
let nowMs = Date.UTC(2027, 0, 15, 8, 0, 0);
const serverLog: string[] = [];
const DENIED = { status: 403, json: { errors: ['1 error occurred:\n\t* permission denied\n\n'] } };
/** Vault's 403 for a token it does not know (never issued, revoked, expired, used up). */
const INVALID_TOKEN = {
  status: 403,
  json: { errors: ['2 errors occurred:\n\t* permission denied\n\t* invalid token\n\n'] },
};

async function allValues(s: Storage, prefix = ''): Promise<string> {
  let out = '';
  for (const child of await s.list(prefix)) {
    out += child.endsWith('/') ? await allValues(s, prefix + child) : `${(await s.get(prefix + child))!.toString()}\n`;
  }
  return out;
}

beforeAll(async () => {
  dir = makeScratchDir('security');
  storage = new MemoryStorage();
  server = await startTestServer({ storage, clock: () => nowMs, log: (l) => serverLog.push(l) });
  await server.request('POST', '/v1/sys/audit/file', { type: 'file', options: { file_path: join(dir, 'audit.log') } });
  await server.request('POST', '/v1/sys/mounts/ssh', { type: 'ssh' });
  await server.request('POST', '/v1/sys/policies/acl/reader', {
    policy: 'path "ssh/*" { capabilities = ["read", "list"] }',
  });
  await server.request('POST', '/v1/sys/policies/acl/deny-ca', {
    policy: 'path "ssh/config/ca" { capabilities = ["deny"] }',
  });
});

afterAll(async () => {
  await server.close();
  removeScratchDir(dir);
});

const token = async (body: Record<string, unknown>) =>
  (await server.request('POST', '/v1/auth/token/create', body)).json.auth.client_token as string;

describe('tokens', () => {
  it('missing tokens get 403 permission denied; malformed and unknown ones add invalid token', async () => {
    expect(await server.request('GET', '/v1/ssh/config/ca', undefined, null)).toMatchObject(DENIED);
    expect(await server.request('GET', '/v1/ssh/config/ca', undefined, '')).toMatchObject(DENIED);
    expect(await server.request('GET', '/v1/ssh/config/ca', undefined, 'hvs.AAAAAAAAAAAAAAAAAAAAAAAA')).toMatchObject(
      INVALID_TOKEN,
    );
    expect(await server.request('GET', '/v1/ssh/config/ca', undefined, '../../core/tokens/x')).toMatchObject(
      INVALID_TOKEN,
    );
    expect(await server.request('GET', '/v1/ssh/config/ca', undefined, 'x'.repeat(10_000))).toMatchObject(
      INVALID_TOKEN,
    );
  });

  it('expired and revoked tokens get 403', async () => {
    const expiring = await token({ policies: ['reader'], ttl: '1m' });
    const revoked = await token({ policies: ['reader'] });
    await server.request('POST', '/v1/auth/token/revoke', { token: revoked });
    nowMs += 61_000;
    expect(await server.request('GET', '/v1/ssh/roles?list=true', undefined, expiring)).toMatchObject(INVALID_TOKEN);
    expect(await server.request('GET', '/v1/ssh/roles?list=true', undefined, revoked)).toMatchObject(INVALID_TOKEN);
  });

  it('a denying policy denies what another allows', async () => {
    const t = await token({ policies: ['reader', 'deny-ca'] });
    expect(await server.request('GET', '/v1/ssh/config/ca', undefined, t)).toMatchObject(DENIED);
  });

  it('a token whose uses ran out is refused', async () => {
    const t = await token({ policies: ['reader'], num_uses: 1 });
    expect((await server.request('GET', '/v1/ssh/roles?list=true', undefined, t)).status).toBe(404);
    expect(await server.request('GET', '/v1/ssh/roles?list=true', undefined, t)).toMatchObject(INVALID_TOKEN);
  });
});

describe('secrets stay secret', () => {
  it('no token, password or private key in clear in the audit log, the server log or storage', async () => {
    const pair = generateKeyPair('ed25519', 0);
    await server.request('POST', '/v1/ssh/config/ca', { public_key: pair.publicKey, private_key: pair.privateKey });
    await server.request('POST', '/v1/sys/auth/userpass', { type: 'userpass' });
    await server.request('POST', '/v1/auth/userpass/users/alice', { password: 'alice-secret-pw' });
    const login = await server.request('POST', '/v1/auth/userpass/login/alice', { password: 'alice-secret-pw' }, null);
    const loginToken = login.json.auth.client_token as string;
    await server.request('POST', '/v1/auth/userpass/login/alice', { password: 'wrong-secret-pw' }, null);
    const child = await token({ policies: ['reader'] });

    const audit = readFileSync(join(dir, 'audit.log'), 'utf8');
    const stored = await allValues(storage);
    const keyBody = pair.privateKey.split('\n').slice(1, -2).join('');
    for (const secret of [
      server.token,
      loginToken,
      child,
      'alice-secret-pw',
      'wrong-secret-pw',
      keyBody.slice(0, 40),
    ]) {
      expect(audit, 'audit log').not.toContain(secret);
      expect(serverLog.join('\n'), 'server log').not.toContain(secret);
      if (secret !== keyBody.slice(0, 40)) expect(stored, 'storage').not.toContain(secret);
    }
    expect(audit).toContain('"path":"auth/userpass/login/alice"');
  });
});
