// SshRevocation (issue 20, point 1) through Pulumi's own dynamic-provider server (the serialized
// provider text, driven over gRPC) against the embedded server over HTTP: check with the core
// validator's exact messages, create (the record `sshca revoke` would write, beside records made by
// others), diff, update of the reason in place, read (refresh) while recorded and after the record is
// gone, delete (only its own record). The provider is serialized in an async child process from tsc
// output and from tsx as well as in vitest, as test/providers/serialization.test.ts does.

import { execFile } from 'node:child_process';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addRevocation } from '../../client/revocations-api.js';
import { VaultClient } from '../../client/vault-client.js';
import { sshRevocationProvider } from '../../providers/ssh-revocation.js';
import { generateKeyPair } from '../../server/ssh/generate-key-pair.js';
import { serializeProvider, startProviderServer, type ProviderServer } from '../helpers/pulumi.js';
import { mountSshCa, startTestServer, type TestServer } from '../helpers/vault-server.js';

const ROOT = resolve(import.meta.dirname, '../..');
const urn = (name: string) => `urn:pulumi:dev::test::pulumi-nodejs:dynamic/vault-ssh-ca:SshRevocation::${name}`;
let backend: TestServer;
let grpc: ProviderServer;
let text: string;
let devCa: string;

beforeAll(async () => {
  backend = await startTestServer();
  devCa = (await mountSshCa(backend, 'ssh-dev', {})).trim();
  expect((await backend.request('POST', '/v1/sys/mounts/sshca', { type: 'kv-v2' })).status).toBe(204);
  text = await serializeProvider(sshRevocationProvider);
  grpc = await startProviderServer();
});

afterAll(async () => {
  await grpc?.stop();
  await backend?.close();
});

const conn = () => ({ __provider: text, address: backend.url, token: backend.token });
const stored = async () => (await backend.request('GET', '/v1/sshca/data/revocations/ssh-dev')).json.data;

describe('SshRevocation', () => {
  it('check: the core validator, exact failures', async () => {
    const failures = async (news: object) =>
      (await grpc.check(urn('bad'), {}, { ...conn(), mount: 'ssh-dev', ...news })).failures;
    expect(await failures({})).toEqual([
      { property: 'serial', reason: 'say what is revoked: serial, keyId or publicKey' },
    ]);
    expect(await failures({ serial: '12', keyId: 'alice' })).toEqual([
      { property: 'keyId', reason: 'give only one of serial, keyId' },
    ]);
    expect(await failures({ serial: '0' })).toEqual([
      {
        property: 'serial',
        reason:
          'serial must be a decimal (as ssh-keygen -L shows it) or 0x<hex> between 1 and 2^64-1 (OpenSSH cannot revoke serial 0), got "0"',
      },
    ]);
    expect(await failures({ keyId: '' })).toEqual([
      { property: 'keyId', reason: 'keyId must be a non-empty key ID without NUL' },
    ]);
    expect(await failures({ publicKey: 'ssh-ed25519-cert-v01@openssh.com AAAA' })).toEqual([
      { property: 'publicKey', reason: 'publicKey is a certificate: revoke its serial instead' },
    ]);
    expect(await failures({ serial: '0x1c2f' })).toEqual([]);
  });

  it('create records what sshca revoke records, beside other records; diff, update, read, delete', async () => {
    // A record made by someone else (sshca revoke) first: it must survive everything below.
    const client = new VaultClient({ address: backend.url, token: backend.token });
    const other = {
      type: 'key_id' as const,
      key_id: 'bob',
      ca_key: devCa,
      reason: 'cli',
      revoked_at: '2025-01-01T00:00:00Z',
      by: 'root',
    };
    await addRevocation(client, 'sshca', 'ssh-dev', other);

    const inputs = { ...conn(), mount: 'ssh-dev', serial: '0x1c2f', reason: 'laptop stolen' };
    const { id, outs } = await grpc.create(urn('laptop'), inputs);
    expect(id).toBe('sshca/data/revocations/ssh-dev#serial:7215');
    expect(outs).toEqual({
      ...inputs,
      caKey: devCa,
      revokedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      by: 'root',
    });
    let data = await stored();
    expect(data.metadata.version).toBe(2);
    expect(data.data.revocations).toEqual([
      other,
      {
        type: 'serial',
        serial: '7215',
        ca_key: devCa,
        reason: 'laptop stolen',
        revoked_at: outs.revokedAt,
        by: 'root',
      },
    ]);

    expect(await grpc.diff(urn('laptop'), id, outs, inputs)).toEqual({
      changes: 1,
      replaces: [],
      deleteBeforeReplace: true,
    });
    expect(await grpc.diff(urn('laptop'), id, outs, { ...inputs, serial: '13' })).toEqual({
      changes: 2,
      replaces: ['serial'],
      deleteBeforeReplace: true,
    });
    expect((await grpc.diff(urn('laptop'), id, outs, { ...inputs, reason: 'stolen at the airport' })).replaces).toEqual(
      [],
    );

    const updated = await grpc.update(urn('laptop'), id, outs, { ...inputs, reason: 'stolen at the airport' });
    expect(updated.reason).toBe('stolen at the airport');
    expect((await stored()).data.revocations[1].reason).toBe('stolen at the airport');

    const read = await grpc.read(urn('laptop'), id, updated);
    expect(read).toEqual({ id, props: updated });

    await grpc.delete(urn('laptop'), id, updated);
    data = await stored();
    expect(data.data.revocations).toEqual([other]);
    // No longer recorded: refresh says it is gone.
    expect(await grpc.read(urn('laptop'), id, updated)).toEqual({ id: '', props: { __provider: text } });
  });

  it('a public key: no CA; the CA key itself is refused', async () => {
    const key = generateKeyPair('ed25519', 0).publicKey.trim();
    const { id, outs } = await grpc.create(urn('leaked'), {
      ...conn(),
      mount: 'ssh-dev',
      publicKey: `${key} leaked@laptop`,
    });
    expect(id).toBe(`sshca/data/revocations/ssh-dev#public_key:${key}`);
    expect(outs.caKey).toBe('');
    expect((await stored()).data.revocations.at(-1)).toMatchObject({
      type: 'public_key',
      public_key: key,
      ca_key: '',
      reason: '',
    });
    await grpc.delete(urn('leaked'), id, outs);
    await expect(grpc.create(urn('ca'), { ...conn(), mount: 'ssh-dev', publicKey: devCa })).rejects.toThrow(
      'publicKey is the CA key of ssh-dev: revoking it would refuse every certificate of the mount; rotate the CA instead',
    );
  });
});

const run = promisify(execFile);
let programs = 0;

/** The provider's serialized text, made in an async child process (see serialization.test.ts). */
async function serializeWith(runner: string[], module: string): Promise<string> {
  const program = join(ROOT, `.serialize-revocation-${process.pid}-${++programs}.mjs`);
  writeFileSync(
    program,
    `import * as pulumi from '@pulumi/pulumi';
const provider = (await import(${JSON.stringify(module)})).sshRevocationProvider;
const { text } = await pulumi.runtime.serializeFunction(() => provider, { allowSecrets: true });
process.stdout.write(text);
`,
  );
  try {
    return (await run(runner[0]!, [...runner.slice(1), program], { cwd: ROOT, encoding: 'utf8' })).stdout;
  } finally {
    rmSync(program);
  }
}

it.each([
  ['tsc output', [process.execPath], resolve(ROOT, 'dist/providers/ssh-revocation.js')],
  ['tsx', [process.execPath, '--import', 'tsx'], resolve(ROOT, 'providers/ssh-revocation.ts')],
])(
  'SshRevocation serialized from %s runs in the dynamic-provider server',
  async (label, runner, module) => {
    if (label === 'tsc output' && !existsSync(module))
      throw new Error(`${module} is missing: run "npm run build" first`);
    const serialized = await serializeWith(runner, module);
    expect(serialized).not.toContain(backend.token);
    const inputs = {
      __provider: serialized,
      address: backend.url,
      token: backend.token,
      mount: 'ssh-dev',
      keyId: `alice-${label}`,
    };
    expect((await grpc.check(urn(label.replace(/\W/g, '')), {}, inputs)).failures).toEqual([]);
    const { id, outs } = await grpc.create(urn(label.replace(/\W/g, '')), inputs);
    expect((await stored()).data.revocations.at(-1)).toMatchObject({
      type: 'key_id',
      key_id: `alice-${label}`,
      ca_key: devCa,
    });
    await grpc.delete(urn(label.replace(/\W/g, '')), id, outs);
  },
  60_000,
);
