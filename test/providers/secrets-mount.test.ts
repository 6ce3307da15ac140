// SecretsMount through Pulumi's own dynamic-provider server (serialized provider, gRPC), against the
// embedded server over HTTP: check, create, diff, update, read (refresh) and delete.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryStorage } from '../../server/storage/memory-storage.js';
import { secretsMountProvider } from '../../providers/secrets-mount.js';
import { serializeProvider, startProviderServer, type ProviderServer } from '../helpers/pulumi.js';
import { startTestServer, type TestServer } from '../helpers/vault-server.js';

const URN = 'urn:pulumi:dev::test::pulumi-nodejs:dynamic/vault-ssh-ca:SecretsMount::dev';
let backend: TestServer;
const storage = new MemoryStorage();
let grpc: ProviderServer;
let provider: string;

beforeAll(async () => {
  backend = await startTestServer({ storage });
  provider = await serializeProvider(secretsMountProvider);
  grpc = await startProviderServer();
});

afterAll(async () => {
  await grpc?.stop();
  await backend?.close();
});

describe('SecretsMount', () => {
  it('goes through check, create, diff, update, read and delete', async () => {
    const conn = { __provider: provider, address: backend.url, token: backend.token };
    const inputs = { ...conn, path: 'ssh-dev', maxLeaseTtl: '24h', description: 'dev' };
    expect((await grpc.check(URN, {}, inputs)).failures).toEqual([]);
    const { id, outs } = await grpc.create(URN, inputs);
    expect(id).toBe('ssh-dev');
    expect(outs.accessor).toMatch(/^ssh_[0-9a-f]{8}$/);
    const mount = (await backend.request('GET', '/v1/sys/mounts/ssh-dev')).json.data;
    expect(mount).toMatchObject({ type: 'ssh', description: 'dev', config: { max_lease_ttl: 86400 } });

    expect(await grpc.diff(URN, id, outs, { ...inputs, maxLeaseTtl: 86400 })).toEqual({
      changes: 1, // DIFF_NONE
      replaces: [],
      deleteBeforeReplace: false,
    });
    const moved = await grpc.diff(URN, id, outs, { ...inputs, path: 'ssh-other' });
    expect(moved).toEqual({ changes: 2, replaces: ['path'], deleteBeforeReplace: true });

    const updated = await grpc.update(URN, id, outs, { ...inputs, maxLeaseTtl: '48h' });
    expect(updated.maxLeaseTtl).toBe('48h');
    expect((await backend.request('GET', '/v1/sys/mounts/ssh-dev')).json.data.config.max_lease_ttl).toBe(172800);

    await backend.request('POST', '/v1/sys/mounts/ssh-dev/tune', { description: 'changed by hand' });
    const refreshed = await grpc.read(URN, id, updated);
    expect(refreshed.props.description).toBe('changed by hand');

    // A mount that still has a CA and a role is deleted with them, asking nothing, leaving nothing.
    await backend.request('POST', '/v1/ssh-dev/config/ca', { generate_signing_key: true });
    await backend.request('POST', '/v1/ssh-dev/roles/r', {
      key_type: 'ca',
      allowed_users: 'u',
      allow_user_certificates: true,
    });
    await grpc.delete(URN, id, refreshed.props);
    expect((await backend.request('GET', '/v1/sys/mounts/ssh-dev')).status).toBe(404);
    expect(await storage.list('logical/')).toEqual([]);
  });

  it('reports every bad input with its property', async () => {
    const r = await grpc.check(URN, {}, { __provider: provider, path: '/sys/', maxLeaseTtl: 'forever' });
    expect(r.failures).toEqual([
      // Vault's refusal (core/mount-path.ts), then our shape rule.
      { property: 'path', reason: 'cannot mount "sys/"' },
      {
        property: 'path',
        reason:
          'invalid mount path "/sys/": use segments of letters, digits, _ . - separated by /, without a leading or trailing /',
      },
      { property: 'maxLeaseTtl', reason: 'maxLeaseTtl: time: invalid duration "forever"' },
    ]);
  });
});
