// One table of bad CA specs through the three surfaces that take one: the server's config/ca over
// HTTP (Vault's messages and statuses), the Pulumi SshCertificateAuthority check through Pulumi's
// dynamic-provider server, and CDKTF synthesis of the SshCertificateAuthority construct. Each
// surface frames the message its own way; the message itself (core/ca-spec.ts) is the same.

import { VaultProvider } from '@cdktf/provider-vault/lib/provider/index.js';
import { Testing, TerraformStack } from 'cdktf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPair } from '../server/ssh/generate-key-pair.js';
import { SshCertificateAuthority } from '../modules/ssh-certificate-authority.js';
import { sshCaProvider } from '../providers/ssh-ca.js';
import { serializeProvider, startProviderServer, type ProviderServer } from './helpers/pulumi.js';
import { startTestServer, type TestServer } from './helpers/vault-server.js';

const pair = generateKeyPair('ed25519', 0);
const wrapped = (m: string) => `1 error occurred:\n\t* ${m}\n\n`;
const ONLY_ONE =
  'only one of public_key and private_key set; both must be set to use, or both must be blank to auto-generate';

/** A CA spec as the Pulumi resource takes it; the other surfaces get the same values under their names. */
interface Row {
  readonly keyType?: string;
  readonly keyBits?: number;
  readonly importedPublicKey?: string;
  readonly privateKey?: string;
}

/** Bad specs: the Pulumi property (CDKTF prop) at fault, the core message, and the server's status. */
const BAD: ReadonlyArray<readonly [Row, string, string, 400 | 500]> = [
  [{ keyType: 'rsa', keyBits: 1024 }, 'keyBits', 'refusing to generate weak rsa key: 1024 bits < 2048 bits', 500],
  [
    { keyType: 'ssh-rsa', keyBits: 2047 },
    'keyBits',
    'refusing to generate weak ssh-rsa key: 2047 bits < 2048 bits',
    500,
  ],
  [{ keyType: 'rsa', keyBits: -1 }, 'keyBits', 'refusing to generate weak rsa key: -1 bits < 2048 bits', 500],
  [
    { keyType: 'rsa', keyBits: 16385 },
    'keyBits',
    "refusing to generate rsa key: 16385 bits > 16384 bits (OpenSSH's maximum)",
    500,
  ],
  [{ keyType: 'ec', keyBits: 512 }, 'keyBits', 'unknown ECDSA key pair algorithm and bits: ec / 512', 500],
  [{ keyType: 'ec', keyBits: 224 }, 'keyBits', 'unknown ECDSA key pair algorithm and bits: ec / 224', 500],
  [{ keyType: 'dsa' }, 'keyType', 'unknown ssh key pair algorithm: dsa', 500],
  [{ keyType: 'RSA', keyBits: 2048 }, 'keyType', 'unknown ssh key pair algorithm: RSA', 500],
  [{ importedPublicKey: pair.publicKey }, 'privateKey', ONLY_ONE, 400],
  // A private key means "import" (generate_signing_key=false), which needs the public key too.
  [{ privateKey: pair.privateKey }, 'importedPublicKey', 'missing public_key', 400],
  [{ importedPublicKey: pair.publicKey, privateKey: '' }, 'privateKey', 'missing private_key', 400],
  [
    { importedPublicKey: pair.publicKey, privateKey: 'garbage' },
    'privateKey',
    'Unable to parse private_key as an SSH private key: ssh: no key found',
    400,
  ],
  [
    { importedPublicKey: 'garbage', privateKey: pair.privateKey },
    'importedPublicKey',
    'Unable to parse public_key as an SSH public key: ssh: no key found',
    400,
  ],
];

/** Specs every surface accepts (bits are ignored for ed25519 and the OpenSSH ECDSA names, as Vault ignores them). */
const GOOD: readonly Row[] = [
  { keyType: 'ed25519', keyBits: 1024 },
  { keyType: 'ec', keyBits: 384 },
  { keyType: 'ec', keyBits: 521 },
  { keyType: 'ecdsa-sha2-nistp256', keyBits: 999 },
  { keyType: 'ssh-ed25519' },
];

/** The IaC surfaces import exactly when a private key is given, even an empty one (core/ca-spec.ts isCaImport). */
const isImport = (row: Row) => row.privateKey !== undefined;
const label = (row: Row) => JSON.stringify(row).replace(/-----BEGIN[^"]*/g, '<key>');

let backend: TestServer;
let grpc: ProviderServer;
let providerText: string;

beforeAll(async () => {
  backend = await startTestServer();
  providerText = await serializeProvider(sshCaProvider);
  grpc = await startProviderServer();
});

afterAll(async () => {
  await grpc?.stop();
  await backend?.close();
});

/**
 * The body of `POST <mount>/config/ca` for a row: what the Pulumi provider sends for an import
 * (`generate_signing_key=false`), else a generation (key type given explicitly: Vault's default is
 * ssh-rsa), with a lone public key kept so the server sees what the check refuses.
 */
const wireBody = (row: Row) => ({
  ...(isImport(row) ? { generate_signing_key: false } : { key_type: row.keyType ?? 'ed25519' }),
  ...(row.keyBits !== undefined ? { key_bits: row.keyBits } : {}),
  ...(row.importedPublicKey !== undefined ? { public_key: row.importedPublicKey } : {}),
  ...(row.privateKey !== undefined ? { private_key: row.privateKey } : {}),
});

const pulumiCheck = async (row: Row) =>
  (
    await grpc.check(
      'urn:pulumi:dev::test::pulumi-nodejs:dynamic/vault-ssh-ca:SshCa::x',
      {},
      { __provider: providerText, address: backend.url, token: backend.token, mount: 'ssh-a', ...row },
    )
  ).failures;

/** CDKTF validation messages of the construct for a row ([] when synthesis succeeds). */
const cdktfMessages = (row: Row): string[] => {
  const stack = new TerraformStack(Testing.app(), 'test');
  new VaultProvider(stack, 'vault', {});
  new SshCertificateAuthority(stack, 'ca', {
    mount: 'ssh-a',
    ...(row.keyType !== undefined ? { keyType: row.keyType as 'ed25519' } : {}),
    ...(row.keyBits !== undefined ? { keyBits: row.keyBits } : {}),
  });
  try {
    Testing.synth(stack, true);
    return [];
  } catch (e) {
    return [(e as Error).message];
  }
};

describe('a bad CA spec gets the same message on every surface', () => {
  beforeAll(async () => {
    expect((await backend.request('POST', '/v1/sys/mounts/ssh-a', { type: 'ssh' })).status).toBe(204);
  });

  it.each(BAD.map((r) => [label(r[0]), ...r] as const))('%s', async (_label, row, property, message, status) => {
    // (a) the server, as Vault: one error, 500 (wrapped) when key generation refuses, 400 otherwise.
    expect(await backend.request('POST', '/v1/ssh-a/config/ca', wireBody(row))).toMatchObject({
      status,
      json: { errors: [status === 500 ? wrapped(message) : message] },
    });
    // (b) Pulumi: one check failure on the property at fault.
    expect(await pulumiCheck(row)).toEqual([{ property, reason: message }]);
    // (c) CDKTF (generation only: the construct takes no key pair): synthesis fails naming the prop.
    if (row.importedPublicKey === undefined && !isImport(row)) {
      const [thrown] = cdktfMessages(row);
      expect(thrown).toContain(`${property}: ${message}`);
      expect(thrown).toMatch(/test\/ca/);
    }
  });
});

describe('a good CA spec passes every surface', () => {
  it.each(GOOD.map((r) => [label(r), r] as const))('%s', async (_label, row) => {
    expect((await backend.request('POST', '/v1/sys/mounts/ssh-ok', { type: 'ssh' })).status).toBe(204);
    expect((await backend.request('POST', '/v1/ssh-ok/config/ca', wireBody(row))).status).toBe(200);
    expect((await backend.request('DELETE', '/v1/sys/mounts/ssh-ok')).status).toBe(204);
    expect(await pulumiCheck(row)).toEqual([]);
    expect(cdktfMessages(row)).toEqual([]);
  });
});
