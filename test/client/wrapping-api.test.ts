// The client's response wrapping against the embedded server over HTTP: wrapTtl per call and per
// client (X-Vault-Wrap-TTL), wrap_info parsed, unwrap as Vault's Go client does (no own token: the
// wrapping token is the client token; an own token: the wrapping token goes in the body), lookup
// without using the token, rewrap.

import { afterAll, beforeAll, expect, it } from 'vitest';
import { VaultClient, isVaultApiError } from '../../client/vault-client.js';
import { lookupWrapping, rewrap, unwrap, unwrapToken, wrapData } from '../../client/wrapping-api.js';
import { startTestServer, type TestServer } from '../helpers/vault-server.js';

let server: TestServer;
let root: VaultClient;

beforeAll(async () => {
  server = await startTestServer();
  root = new VaultClient({ address: server.url, token: server.token, retries: 0 });
});

afterAll(async () => {
  await server?.close();
});

it('wraps data, looks it up without using it, rewraps, and unwraps it once', async () => {
  const info = await wrapData(root, { secret: 'v' }, '2m');
  expect(info).toMatchObject({ ttl: 120, creation_path: 'sys/wrapping/wrap' });
  expect(await lookupWrapping(new VaultClient({ address: server.url }), info.token)).toMatchObject({
    creation_ttl: 120,
    creation_path: 'sys/wrapping/wrap',
  });
  const again = await rewrap(root, info.token);
  expect(again.token).not.toBe(info.token);
  // No token of its own: the wrapping token is sent as X-Vault-Token.
  const anonymous = new VaultClient({ address: server.url, retries: 0 });
  expect((await unwrap(anonymous, again.token)).data).toEqual({ secret: 'v' });
  const second = await unwrap(anonymous, again.token).catch((e: unknown) => e);
  expect(isVaultApiError(second) && second.status === 400 && second.errors).toEqual([
    'wrapping token is not valid or does not exist',
  ]);
});

it('unwraps for a third party in the body when the client has its own token', async () => {
  const info = await wrapData(root, { token: 'hvs.inner' }, 60);
  expect(await unwrapToken(root, info.token)).toBe('hvs.inner');
});

it('wraps every answer when the client is built with wrapTtl; a call without it is not wrapped', async () => {
  const wrapping = new VaultClient({ address: server.url, token: server.token, wrapTtl: '30s', retries: 0 });
  const r = await wrapping.read('auth/token/lookup-self');
  expect(r?.data).toBeUndefined();
  expect(r?.wrapInfo?.ttl).toBe(30);
  expect((await unwrap(root, r!.wrapInfo!.token)).data?.display_name).toBe('root');
  expect((await root.read('auth/token/lookup-self'))?.wrapInfo).toBeUndefined();
});
