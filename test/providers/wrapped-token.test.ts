// `WrappedToken` through Pulumi's own dynamic-provider server (the serialized provider, over gRPC)
// against the embedded server over HTTP: create hands back only a wrapping token (a secret output),
// which unwraps once to a token with the policies asked for; refresh sees a revoked token as gone;
// delete revokes it; check refuses bad TTLs.

import { afterAll, beforeAll, expect, it } from 'vitest';
import { wrappedTokenProvider } from '../../providers/wrapped-token.js';
import { serializeProvider, startProviderServer, type ProviderServer } from '../helpers/pulumi.js';
import { startTestServer, type TestServer } from '../helpers/vault-server.js';

const urn = 'urn:pulumi:dev::test::pulumi-nodejs:dynamic/vault-ssh-ca:WrappedToken::boot';
let backend: TestServer;
let grpc: ProviderServer;
let text: string;

beforeAll(async () => {
  backend = await startTestServer();
  await backend.request('POST', '/v1/sys/policies/acl/host-bootstrap', {
    policy: 'path "ssh-host/sign/host" { capabilities = ["update"] }',
  });
  text = await serializeProvider(wrappedTokenProvider);
  grpc = await startProviderServer();
});

afterAll(async () => {
  await grpc?.stop();
  await backend?.close();
});

it('hands back a wrapping token only; it unwraps once; delete revokes the token inside', async () => {
  expect(text).not.toContain(backend.token);
  const inputs = {
    __provider: text,
    address: backend.url,
    token: backend.token,
    policies: ['host-bootstrap'],
    ttl: '1h',
    wrappingTtl: '15m',
  };
  expect((await grpc.check(urn, {}, inputs)).failures).toEqual([]);
  const { id, outs } = await grpc.create(urn, inputs);
  expect(id).toBe(outs.wrappedAccessor);
  expect(JSON.stringify(outs)).not.toContain('client_token');
  const look = await backend.request('POST', '/v1/sys/wrapping/lookup', { token: outs.wrappedToken }, null);
  expect(look.json.data).toMatchObject({ creation_ttl: 900, creation_path: 'auth/token/create' });
  expect((await grpc.read(urn, id, outs)).id).toBe(id);

  const un = await backend.request('POST', '/v1/sys/wrapping/unwrap', undefined, outs.wrappedToken as string);
  expect(un.json.auth).toMatchObject({ accessor: id, policies: ['default', 'host-bootstrap'], lease_duration: 3600 });
  const again = await backend.request('POST', '/v1/sys/wrapping/unwrap', undefined, outs.wrappedToken as string);
  expect(again.json).toEqual({ errors: ['wrapping token is not valid or does not exist'] });

  await grpc.delete(urn, id, outs);
  const self = await backend.request('GET', '/v1/auth/token/lookup-self', undefined, un.json.auth.client_token);
  expect(self.status).toBe(403);
  expect((await grpc.read(urn, id, outs)).id).toBe('');
  // Deleting again (the token is already gone) is not an error.
  await grpc.delete(urn, id, outs);

  const changed = await grpc.diff(urn, id, outs, { ...inputs, wrappingTtl: '30m' });
  expect(changed.replaces).toEqual(['wrappingTtl']);
});

it('refuses a bad or non-positive TTL in check', async () => {
  const base = { __provider: text, address: backend.url, token: backend.token };
  const r = await grpc.check(urn, {}, { ...base, wrappingTtl: 'soon', ttl: '0' });
  expect(r.failures).toEqual([
    { property: 'ttl', reason: 'ttl must be a positive duration' },
    { property: 'wrappingTtl', reason: 'wrappingTtl: time: invalid duration "soon"' },
  ]);
});
