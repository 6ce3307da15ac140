// The typed client against the embedded server over real HTTP (and HTTPS with a CA bundle), plus
// its conventions: environment variables, Vault-style error text, 404 = absent, and retries with
// backoff for idempotent calls only (against a small flaky HTTP server started here).

import { writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  VaultClient,
  clientOptionsFromEnv,
  deleteCa,
  deleteRole,
  disableMount,
  enableMount,
  generateCa,
  importCa,
  isVaultApiError,
  issueKey,
  listMounts,
  listRoles,
  readCaPublicKey,
  readHealth,
  readMount,
  readMountTune,
  readRole,
  signKey,
  tuneMount,
  writeRole,
} from '../../client/index.js';
import { parseCertificate } from '../../core/cert/certificate.js';
import { generateKeyPair } from '../../server/ssh/generate-key-pair.js';
import { MemoryStorage } from '../../server/storage/memory-storage.js';
import { VaultServer } from '../../server/vault-server.js';
import { makeScratchDir, removeScratchDir } from '../helpers/scratch.js';
import { makeSelfSignedTls } from '../helpers/tls.js';
import { startTestServer, type TestServer } from '../helpers/vault-server.js';

let srv: TestServer;
let client: VaultClient;
let dir: string;
const userKey = generateKeyPair('ed25519', 0).publicKey;

beforeAll(async () => {
  srv = await startTestServer();
  client = new VaultClient({ address: srv.url, token: srv.token });
  dir = makeScratchDir('client');
});

afterAll(async () => {
  await srv.close();
  removeScratchDir(dir);
});

describe('environment conventions', () => {
  it('reads VAULT_* and falls back to BAO_*', () => {
    expect(clientOptionsFromEnv({ VAULT_ADDR: 'http://v:8200/', VAULT_TOKEN: 't', VAULT_NAMESPACE: 'ns' })).toEqual({
      address: 'http://v:8200',
      token: 't',
      skipVerify: false,
      namespace: 'ns',
    });
    expect(clientOptionsFromEnv({ BAO_ADDR: 'http://b:8200', BAO_TOKEN: 's.x', BAO_SKIP_VERIFY: 'true' })).toEqual({
      address: 'http://b:8200',
      token: 's.x',
      skipVerify: true,
    });
    expect(clientOptionsFromEnv({ VAULT_ADDR: 'http://v', BAO_ADDR: 'http://b' }).address).toBe('http://v');
  });

  it('refuses to guess an address and names an unreadable CA bundle', () => {
    expect(() => clientOptionsFromEnv({})).toThrow(
      'no Vault address: set VAULT_ADDR (or BAO_ADDR), e.g. export VAULT_ADDR=http://127.0.0.1:8200',
    );
    expect(() => clientOptionsFromEnv({ VAULT_ADDR: 'https://v', VAULT_CACERT: join(dir, 'missing.pem') })).toThrow(
      `cannot read VAULT_CACERT ${join(dir, 'missing.pem')}: ENOENT: no such file or directory, open '${join(dir, 'missing.pem')}'`,
    );
  });
});

describe('typed calls against the embedded server', () => {
  it('health', async () => {
    expect(await readHealth(client)).toMatchObject({ status: 200, initialized: true, sealed: false, standby: false });
  });

  it('mounts: enable, read, list, tune, disable', async () => {
    await enableMount(client, 'team/ssh-dev', { description: 'dev CA', maxLeaseTtl: '24h' });
    expect(await readMount(client, 'team/ssh-dev')).toMatchObject({
      type: 'ssh',
      description: 'dev CA',
      config: { default_lease_ttl: 0, max_lease_ttl: 86400 },
    });
    expect(Object.keys(await listMounts(client))).toEqual(['sys/', 'team/ssh-dev/']);
    await tuneMount(client, 'team/ssh-dev', { defaultLeaseTtl: '1h' });
    expect(await readMountTune(client, 'team/ssh-dev')).toEqual({
      default_lease_ttl: 3600,
      max_lease_ttl: 86400,
      force_no_cache: false,
      description: 'dev CA',
    });
    await disableMount(client, 'team/ssh-dev');
    expect(await readMount(client, 'team/ssh-dev')).toBeUndefined();
  });

  it('CA, roles, sign and issue', async () => {
    await enableMount(client, 'ssh');
    expect(await readCaPublicKey(client, 'ssh')).toBeUndefined();
    const publicKey = await generateCa(client, 'ssh');
    expect(publicKey).toMatch(/^ssh-ed25519 AAAA[A-Za-z0-9+/]+=*\n$/);
    expect(await readCaPublicKey(client, 'ssh')).toBe(publicKey);
    const role = {
      key_type: 'ca',
      allow_user_certificates: true,
      allowed_users: 'ubuntu',
      default_user: 'ubuntu',
      ttl: '1h',
      default_extensions: { 'permit-pty': '' },
      allowed_user_key_lengths: { ed25519: [0] },
    };
    await writeRole(client, 'ssh', 'dev', role);
    expect(await readRole(client, 'ssh', 'dev')).toMatchObject({ ttl: 3600, allowed_users: 'ubuntu', key_type: 'ca' });
    expect(await readRole(client, 'ssh', 'nope')).toBeUndefined();
    expect(await listRoles(client, 'ssh')).toEqual(['dev']);
    const signed = await signKey(client, 'ssh', 'dev', { public_key: userKey });
    const cert = parseCertificate(signed.signedKey);
    expect(cert.principals).toEqual(['ubuntu']);
    expect(cert.keyId).toMatch(/^vault-root-[0-9a-f]{64}$/);
    expect(signed.serialNumber).toBe(cert.serial.toString(16));
    await writeRole(client, 'ssh', 'any-key', { ...role, allowed_user_key_lengths: {} });
    const issued = await issueKey(client, 'ssh', 'any-key', { key_type: 'ed25519' });
    expect(issued.privateKeyType).toBe('ed25519');
    expect(issued.privateKey).toMatch(/^-----BEGIN OPENSSH PRIVATE KEY-----\n/);
    expect(parseCertificate(issued.signedKey).principals).toEqual(['ubuntu']);
    await deleteRole(client, 'ssh', 'dev');
    expect(await listRoles(client, 'ssh')).toEqual(['any-key']);
    await deleteCa(client, 'ssh');
    const imported = generateKeyPair('ed25519', 0);
    await importCa(client, 'ssh', { publicKey: imported.publicKey, privateKey: imported.privateKey });
    expect(await readCaPublicKey(client, 'ssh')).toBe(imported.publicKey);
  });

  it('formats refusals like the Vault Go client', async () => {
    const error = await signKey(client, 'ssh', 'nope', { public_key: userKey }).catch((e: unknown) => e);
    expect(isVaultApiError(error)).toBe(true);
    expect((error as Error).message).toBe(
      `Error making API request.\n\nURL: PUT ${srv.url}/v1/ssh/sign/nope\nCode: 400. Errors:\n\n* Unknown role: nope`,
    );
    const denied = new VaultClient({ address: srv.url, token: 'wrong' });
    await expect(listRoles(denied, 'ssh')).rejects.toThrow(
      `Error making API request.\n\nURL: GET ${srv.url}/v1/ssh/roles?list=true\nCode: 403. Errors:\n\n* 2 errors occurred:\n\t* permission denied\n\t* invalid token\n\n`,
    );
  });
});

describe('retries', () => {
  let flaky: Server;
  let url: string;
  const seen: string[] = [];
  let failuresLeft = 0;

  beforeAll(async () => {
    flaky = createServer((req: IncomingMessage, res) => {
      seen.push(`${req.method} ${req.url} ${req.headers['x-vault-request']}`);
      if (failuresLeft-- > 0) {
        res.writeHead(503, { 'Content-Type': 'application/json' }).end('{"errors":["Vault is sealed"]}');
        return;
      }
      res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"data":{"keys":["a"]}}');
    });
    await new Promise<void>((r) => flaky.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(flaky.address() as AddressInfo).port}`;
  });

  afterAll(() => new Promise<void>((r) => flaky.close(() => r())));

  it('retries idempotent calls on 5xx with backoff, then succeeds', async () => {
    seen.length = 0;
    failuresLeft = 2;
    const started = Date.now();
    expect(await listRoles(new VaultClient({ address: url, token: 't' }), 'ssh')).toEqual(['a']);
    expect(seen).toEqual(Array(3).fill('GET /v1/ssh/roles?list=true true'));
    expect(Date.now() - started).toBeGreaterThanOrEqual(300); // 100 ms + 200 ms of backoff
  });

  it('never retries a sign', async () => {
    seen.length = 0;
    failuresLeft = 1;
    await expect(
      signKey(new VaultClient({ address: url, token: 't' }), 'ssh', 'r', { public_key: 'x' }),
    ).rejects.toThrow('Code: 503. Errors:\n\n* Vault is sealed');
    expect(seen).toEqual(['PUT /v1/ssh/sign/r true']);
  });

  it('reports an unreachable server after its retries', async () => {
    const gone = new VaultClient({ address: 'http://127.0.0.1:9', token: 't', retries: 1 });
    await expect(listRoles(gone, 'ssh')).rejects.toThrow(
      'Error making API request.\n\nURL: GET http://127.0.0.1:9/v1/ssh/roles?list=true\nConnection error: connect ECONNREFUSED 127.0.0.1:9',
    );
  });
});

describe('TLS', () => {
  it('verifies the server with VAULT_CACERT, and refuses an unknown CA unless VAULT_SKIP_VERIFY', async () => {
    const tls = makeSelfSignedTls(dir);
    const server = await VaultServer.open({ storage: new MemoryStorage(), version: 't', log: () => {} });
    await server.tokens.createRoot('tls-root');
    const { server: listener, url } = await server.listen('127.0.0.1', 0, tls);
    try {
      expect(url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      writeFileSync(join(dir, 'ca.pem'), tls.cert);
      const verified = new VaultClient(
        clientOptionsFromEnv({ VAULT_ADDR: url, VAULT_TOKEN: 'tls-root', VAULT_CACERT: join(dir, 'ca.pem') }),
      );
      expect((await readHealth(verified)).status).toBe(200);
      const strict = new VaultClient({ address: url, token: 'tls-root', retries: 0 });
      await expect(readHealth(strict)).rejects.toThrow('Connection error: self-signed certificate');
      const skipping = new VaultClient(clientOptionsFromEnv({ VAULT_ADDR: url, VAULT_SKIP_VERIFY: '1' }));
      expect((await readHealth(skipping)).status).toBe(200);
    } finally {
      await server.close(listener);
    }
  });
});
