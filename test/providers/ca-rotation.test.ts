// The `rotation` input of SshCertificateAuthority (issue 20, point 2) through Pulumi's own
// dynamic-provider server (the serialized provider text, driven over gRPC) against the embedded
// server: created at stage 1, updated to 2, then to 3, which is refused with `sshca rotate`'s message
// until the role's max_ttl has passed since stage 2 (waited for by polling); `publicKey` (the
// signing key) and `trustedKeys` at each stage, read back on refresh. On a backend without the
// issuers API (Vault), check and update fail with `sshca rotate`'s message for Vault.

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sshCaProvider } from '../../providers/ssh-ca.js';
import { vaultRotationMessage } from '../../core/rotation.js';
import { serializeProvider, startProviderServer, type ProviderServer } from '../helpers/pulumi.js';
import { startTestServer, type TestServer } from '../helpers/vault-server.js';

const URN = 'urn:pulumi:dev::test::pulumi-nodejs:dynamic/vault-ssh-ca:SshCa::dev';
const MAX_TTL = 2;
let backend: TestServer;
let grpc: ProviderServer;
let text: string;
let vault: Server;
let vaultUrl: string;
/** The requests the stand-in Vault received. */
const vaultRequests: string[] = [];

beforeAll(async () => {
  backend = await startTestServer();
  await backend.request('POST', '/v1/sys/mounts/ssh-dev', { type: 'ssh' });
  text = await serializeProvider(sshCaProvider);
  grpc = await startProviderServer();
  // Vault answers a path its SSH engine does not have with 404 and no errors list.
  vault = createServer((req, res) => {
    vaultRequests.push(`${req.method} ${req.url}`);
    res.writeHead(404, { 'content-type': 'application/json' }).end('{"errors":[]}');
  });
  await new Promise<void>((done) => vault.listen(0, '127.0.0.1', done));
  vaultUrl = `http://127.0.0.1:${(vault.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await grpc?.stop();
  await backend?.close();
  await new Promise((done) => vault?.close(done));
});

const servedKey = async () => String((await backend.request('GET', '/v1/ssh-dev/public_key', undefined, null)).body);

describe('SshCertificateAuthority rotation', () => {
  it('refuses a bad rotation input and a stage jump in check', async () => {
    const inputs = { __provider: text, address: backend.url, token: backend.token, mount: 'ssh-dev' };
    expect((await grpc.check(URN, {}, { ...inputs, rotation: { stage: 4, nextKeyType: 'dsa' } })).failures).toEqual([
      { property: 'rotation.stage', reason: 'rotation.stage must be 1, 2 or 3, got 4' },
      {
        property: 'rotation.nextKeyType',
        reason: 'rotation.nextKeyType must be ed25519, rsa or ec (or their OpenSSH names), got "dsa"',
      },
    ]);
    expect((await grpc.check(URN, {}, { ...inputs, rotation: { stage: 2 } })).failures).toEqual([
      {
        property: 'rotation.stage',
        reason: 'rotation.stage may only move one stage at a time (from no rotation to 1), got 2',
      },
    ]);
  });

  it('runs stages 1, 2 and 3 as sshca rotate does, stage 3 refused before its time', { timeout: 60_000 }, async () => {
    const inputs = { __provider: text, address: backend.url, token: backend.token, mount: 'ssh-dev' };
    const at = (stage: number) => ({ ...inputs, rotation: { stage } });

    // Created at stage 1: the backend signs with the first key, hosts trust it and the next one.
    expect((await grpc.check(URN, {}, at(1))).failures).toEqual([]);
    const { id, outs: one } = await grpc.create(URN, at(1));
    expect(id).toBe('ssh-dev/config/ca');
    const oldKey = String(one.publicKey);
    expect(oldKey).toBe(await servedKey());
    expect(one.trustedKeys).toHaveLength(2);
    expect((one.trustedKeys as string[])[0]).toBe(oldKey);
    const nextKey = (one.trustedKeys as string[])[1]!;
    expect(nextKey).toMatch(/^ssh-ed25519 AAAA/);
    expect(nextKey).not.toBe(oldKey);
    await backend.request('POST', '/v1/ssh-dev/roles/dev', {
      key_type: 'ca',
      allow_user_certificates: true,
      ttl: `${MAX_TTL}s`,
      max_ttl: `${MAX_TTL}s`,
    });

    // rotation is an update, never a replacement; one stage at a time.
    expect(await grpc.diff(URN, id, one, at(2))).toEqual({ changes: 2, replaces: [], deleteBeforeReplace: false });
    expect((await grpc.check(URN, at(1), at(3))).failures).toEqual([
      { property: 'rotation.stage', reason: 'rotation.stage may only move one stage at a time (from 1 to 2), got 3' },
    ]);

    // Stage 2: the backend signs with the next key; hosts keep trusting both.
    expect((await grpc.check(URN, at(1), at(2))).failures).toEqual([]);
    const two = await grpc.update(URN, id, one, at(2));
    expect(two.publicKey).toBe(nextKey);
    expect(await servedKey()).toBe(nextKey);
    expect(two.trustedKeys).toEqual([nextKey, oldKey]);

    // Stage 3 refused with sshca rotate's message until max_ttl has passed since stage 2.
    expect((await grpc.check(URN, at(2), at(3))).failures).toEqual([]);
    await expect(grpc.update(URN, id, two, at(3))).rejects.toThrow(
      /rotate: certificates signed by the old key before stage 2 \(.*\) may still be valid: stage 3 is allowed from .* \(role dev: certificates live up to 2s\), in \d+s/,
    );
    let three: Record<string, unknown> | undefined;
    while (three === undefined) {
      await sleep(300);
      three = await grpc.update(URN, id, two, at(3)).catch(() => undefined);
    }
    expect(three.publicKey).toBe(nextKey);
    expect(three.trustedKeys).toEqual([nextKey]);
    expect((await grpc.read(URN, id, three)).props).toMatchObject({ publicKey: nextKey, trustedKeys: [nextKey] });

    // Stage 1 again starts the next rotation; removing `rotation` is allowed only when none is in progress.
    expect((await grpc.check(URN, at(3), inputs)).failures).toEqual([]);
    expect((await grpc.check(URN, at(3), at(1))).failures).toEqual([]);
    const again = await grpc.update(URN, id, three, at(1));
    expect(again.publicKey).toBe(nextKey);
    expect(again.trustedKeys).toHaveLength(2);
    expect((await grpc.check(URN, at(1), inputs)).failures).toEqual([
      {
        property: 'rotation',
        reason: 'a rotation is in progress (stage 1): finish it (stage 3) before removing rotation',
      },
    ]);
    await grpc.delete(URN, id, again);
  });

  it('fails check and update on Vault with sshca rotate’s message', async () => {
    const inputs = { __provider: text, address: vaultUrl, token: 't', mount: 'ssh-dev' };
    const old = { ...inputs, publicKey: 'ssh-ed25519 AAAA', trustedKeys: ['ssh-ed25519 AAAA'] };
    expect((await grpc.check(URN, inputs, { ...inputs, rotation: { stage: 1 } })).failures).toEqual([
      { property: 'rotation', reason: vaultRotationMessage('ssh-dev') },
    ]);
    await expect(grpc.update(URN, 'ssh-dev/config/ca', old, { ...inputs, rotation: { stage: 1 } })).rejects.toThrow(
      vaultRotationMessage('ssh-dev'),
    );
  });

  it('fails create on Vault before generating a key, so no CA is left outside the state', async () => {
    const inputs = { __provider: text, address: vaultUrl, token: 't', mount: 'ssh-dev' };
    vaultRequests.length = 0;
    await expect(grpc.create(URN, { ...inputs, rotation: { stage: 1 } })).rejects.toThrow(
      vaultRotationMessage('ssh-dev'),
    );
    expect(vaultRequests).toEqual(['GET /v1/ssh-dev/config/issuers']);
  });
});
