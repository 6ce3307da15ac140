// The SSH engine of the embedded server over real HTTP: Vault's statuses, envelopes and exact
// messages for config/ca, public_key, roles, sign and issue (reference §2.1–2.10, §2.17).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCertificate } from '../../core/cert/certificate.js';
import { generateKeyPair } from '../../server/ssh/generate-key-pair.js';
import { startTestServer, type TestServer } from '../helpers/vault-server.js';

let srv: TestServer;
const userKey = generateKeyPair('ed25519', 0).publicKey;
const wrapped = (m: string) => `1 error occurred:\n\t* ${m}\n\n`;

beforeAll(async () => {
  srv = await startTestServer();
  expect((await srv.request('POST', '/v1/sys/mounts/ssh', { type: 'ssh' })).status).toBe(204);
});

afterAll(() => srv.close());

describe('config/ca and public_key', () => {
  it('answers 404 for public_key and 400 for config/ca before a CA exists', async () => {
    expect(await srv.request('GET', '/v1/ssh/public_key', undefined, null)).toMatchObject({
      status: 404,
      body: '{"errors":[]}',
    });
    expect(await srv.request('GET', '/v1/ssh/config/ca')).toMatchObject({
      status: 400,
      json: { errors: ["keys haven't been configured yet"] },
    });
  });

  it("follows Vault's decision table for submitted keys", async () => {
    const pair = generateKeyPair('ed25519', 0);
    const cases: Array<[Record<string, unknown>, string]> = [
      [
        { generate_signing_key: true, public_key: pair.publicKey },
        'public_key and private_key must not be set when generate_signing_key is set to true',
      ],
      [{ generate_signing_key: false }, 'missing public_key'],
      [{ generate_signing_key: false, public_key: pair.publicKey }, 'missing private_key'],
      [
        { public_key: pair.publicKey },
        'only one of public_key and private_key set; both must be set to use, or both must be blank to auto-generate',
      ],
      [
        { public_key: pair.publicKey, private_key: 'garbage' },
        'Unable to parse private_key as an SSH private key: ssh: no key found',
      ],
      [
        { public_key: 'garbage', private_key: pair.privateKey },
        'Unable to parse public_key as an SSH public key: ssh: no key found',
      ],
    ];
    for (const [body, message] of cases) {
      expect(await srv.request('POST', '/v1/ssh/config/ca', body)).toMatchObject({
        status: 400,
        json: { errors: [message] },
      });
    }
    for (const [body, message] of [
      [{ key_type: 'rsa', key_bits: 1024 }, 'refusing to generate weak rsa key: 1024 bits < 2048 bits'],
      [{ key_type: 'ec', key_bits: 300 }, 'unknown ECDSA key pair algorithm and bits: ec / 300'],
      [{ key_type: 'dsa' }, 'unknown ssh key pair algorithm: dsa'],
    ] as const) {
      expect(await srv.request('POST', '/v1/ssh/config/ca', body)).toMatchObject({
        status: 500,
        json: { errors: [wrapped(message)] },
      });
    }
  });

  it('stores a submitted key byte for byte (204), serves it raw, and refuses a second CA', async () => {
    const pair = generateKeyPair('ed25519', 0);
    const withComment = `${pair.publicKey.trim()} my-ca@example\n`;
    expect(
      (await srv.request('POST', '/v1/ssh/config/ca', { public_key: withComment, private_key: pair.privateKey }))
        .status,
    ).toBe(204);
    const raw = await srv.request('GET', '/v1/ssh/public_key', undefined, null);
    expect(raw.status).toBe(200);
    expect(raw.headers.get('content-type')).toBe('text/plain');
    expect(raw.body).toBe(withComment);
    expect((await srv.request('GET', '/v1/ssh/config/ca')).json.data).toEqual({ public_key: withComment });
    expect(await srv.request('POST', '/v1/ssh/config/ca', { key_type: 'ed25519' })).toMatchObject({
      status: 400,
      json: { errors: ['keys are already configured; delete them before reconfiguring'] },
    });
    expect((await srv.request('DELETE', '/v1/ssh/config/ca')).status).toBe(204);
  });

  it('generates inside the backend and returns only the public key', async () => {
    const r = await srv.request('POST', '/v1/ssh/config/ca', { generate_signing_key: true, key_type: 'ed25519' });
    expect(r.status).toBe(200);
    expect(Object.keys(r.json)).toEqual([
      'request_id',
      'lease_id',
      'renewable',
      'lease_duration',
      'data',
      'wrap_info',
      'warnings',
      'auth',
      'mount_type',
    ]);
    expect(r.json).toMatchObject({
      lease_id: '',
      renewable: false,
      lease_duration: 0,
      wrap_info: null,
      warnings: null,
      auth: null,
      mount_type: 'ssh',
    });
    expect(r.json.data).toEqual({ public_key: expect.stringMatching(/^ssh-ed25519 AAAA\S+\n$/) });
    expect((await srv.request('GET', '/v1/ssh/public_key', undefined, null)).body).toBe(r.json.data.public_key);
  });
});

describe('roles', () => {
  it('writes (204), reads the full shape, and replaces on every write', async () => {
    const body = {
      key_type: 'ca',
      allow_user_certificates: true,
      allowed_users: 'a,b',
      ttl: '1h',
      max_ttl: '2h',
      default_extensions: [{ 'permit-pty': '' }],
    };
    expect((await srv.request('POST', '/v1/ssh/roles/dev', body)).status).toBe(204);
    expect((await srv.request('GET', '/v1/ssh/roles/dev')).json.data).toEqual({
      allowed_users: 'a,b',
      allowed_users_template: false,
      allowed_domains: '',
      allowed_domains_template: false,
      default_user: '',
      default_user_template: false,
      ttl: 3600,
      max_ttl: 7200,
      allowed_critical_options: '',
      allowed_extensions: '',
      allow_user_certificates: true,
      allow_host_certificates: false,
      allow_bare_domains: false,
      allow_subdomains: false,
      allow_user_key_ids: false,
      key_id_format: '',
      key_type: 'ca',
      default_critical_options: {},
      default_extensions: { 'permit-pty': '' },
      default_extensions_template: false,
      allowed_user_key_lengths: {},
      algorithm_signer: 'default',
      not_before_duration: 30,
      allow_empty_principals: false,
    });
    await srv.request('POST', '/v1/ssh/roles/dev', { key_type: 'ca', allow_user_certificates: true });
    expect((await srv.request('GET', '/v1/ssh/roles/dev')).json.data).toMatchObject({
      allowed_users: '',
      ttl: 0,
      default_extensions: {},
    });
  });

  it("refuses bad roles with Vault's messages and statuses", async () => {
    const cases: Array<[Record<string, unknown>, number, string]> = [
      [{}, 400, 'missing key type'],
      [{ key_type: 'ca' }, 400, "Either 'allow_user_certificates' or 'allow_host_certificates' must be set to 'true'"],
      [
        { key_type: 'ca', allow_user_certificates: true, ttl: '2h', max_ttl: '1h' },
        400,
        '"ttl" value must be less than "max_ttl" when both are specified',
      ],
      [
        { key_type: 'ca', allow_user_certificates: true, algorithm_signer: 'sha1' },
        500,
        wrapped('unknown algorithm signer "sha1"'),
      ],
      [
        { key_type: 'ca', cidr_list: '10.0.0.0/33' },
        500,
        wrapped('failed to validate cidr_list: invalid CIDR address: 10.0.0.0/33'),
      ],
      [{ key_type: 'dynamic' }, 400, 'dynamic key type roles are no longer supported'],
      [
        { key_type: 'ca', ttl: 'soon' },
        400,
        'Field validation failed: error converting input soon for field "ttl": time: invalid duration "soon"',
      ],
    ];
    for (const [body, status, message] of cases) {
      expect(await srv.request('POST', '/v1/ssh/roles/bad', body)).toMatchObject({
        status,
        json: { errors: [message] },
      });
    }
  });

  it('lists with key_info, 404s when empty, and deletes idempotently', async () => {
    await srv.request('POST', '/v1/ssh/roles/otp-role', {
      key_type: 'otp',
      default_user: 'u',
      cidr_list: '10.0.0.0/8',
    });
    expect((await srv.request('GET', '/v1/ssh/roles?list=true')).json.data).toEqual({
      keys: ['dev', 'otp-role'],
      key_info: { dev: { key_type: 'ca' }, 'otp-role': { key_type: 'otp' } },
    });
    expect((await srv.request('GET', '/v1/ssh/roles')).status).toBe(405);
    expect((await srv.request('GET', '/v1/ssh/roles/missing')).status).toBe(404);
    for (const name of ['otp-role', 'otp-role', 'never-existed'])
      expect((await srv.request('DELETE', `/v1/ssh/roles/${name}`)).status).toBe(204);
  });

  it("treats a name outside Vault's rule as an unsupported path", async () => {
    expect(await srv.request('POST', '/v1/ssh/roles/-bad', { key_type: 'ca' })).toMatchObject({
      status: 404,
      json: { errors: [wrapped('unsupported path')] },
    });
  });
});

describe('sign and issue', () => {
  beforeAll(async () => {
    await srv.request('POST', '/v1/ssh/roles/dev', {
      key_type: 'ca',
      allow_user_certificates: true,
      allowed_users: 'ubuntu',
      default_user: 'ubuntu',
      ttl: '1h',
      max_ttl: '2h',
      default_extensions: { 'permit-pty': '' },
    });
  });

  it('signs with the default key id of the root token and no lease', async () => {
    const r = await srv.request('POST', '/v1/ssh/sign/dev', { public_key: userKey });
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({
      lease_id: '',
      renewable: false,
      lease_duration: 0,
      warnings: null,
      mount_type: 'ssh',
    });
    const cert = parseCertificate(r.json.data.signed_key);
    expect(r.json.data.serial_number).toBe(cert.serial.toString(16));
    expect(r.json.data.signed_key).toMatch(/^ssh-ed25519-cert-v01@openssh\.com AAAA\S+\n$/);
    expect(cert.keyId).toMatch(/^vault-root-[0-9a-f]{64}$/);
    expect(cert.validBefore - cert.validAfter).toBe(3630n);
  });

  it("refuses in Vault's order with Vault's messages", async () => {
    const cases: Array<[string, Record<string, unknown>, string]> = [
      ['nope', { public_key: userKey }, 'Unknown role: nope'],
      ['dev', {}, 'missing public_key'],
      [
        'dev',
        { public_key: 'ssh-ed25519 AAAA!' },
        'failed to parse public_key as SSH key: illegal base64 data at input byte 4',
      ],
      ['dev', { public_key: userKey, key_id: 'me', cert_type: 'host' }, 'setting key_id is not allowed by role'],
      ['dev', { public_key: userKey, cert_type: 'host' }, "cert_type 'host' is not allowed by role"],
      ['dev', { public_key: userKey, valid_principals: 'root' }, 'root is not a valid value for valid_principals'],
      ['dev', { public_key: userKey, ttl: '3h' }, 'ttl is larger than maximum allowed 7200'],
      [
        'dev',
        { public_key: userKey, extensions: { 'permit-X11-forwarding': '' } },
        'extensions [permit-X11-forwarding] are not on allowed list',
      ],
    ];
    for (const [role, body, message] of cases) {
      expect(await srv.request('POST', `/v1/ssh/sign/${role}`, body)).toMatchObject({
        status: 400,
        json: { errors: [message] },
      });
    }
  });

  it('warns about ignored and path-replaced parameters', async () => {
    const r = await srv.request('POST', '/v1/ssh/sign/dev', { public_key: userKey, role: 'other', bogus: 1 });
    expect(r.json.warnings).toEqual([
      'Endpoint ignored these unrecognized parameters: [bogus]',
      "Endpoint replaced the value of these parameters with the values captured from the endpoint's path: [role]",
    ]);
  });

  it('answers 500 when the mount has no CA, after the policy checks', async () => {
    await srv.request('POST', '/v1/sys/mounts/empty', { type: 'ssh' });
    await srv.request('POST', '/v1/empty/roles/r', {
      key_type: 'ca',
      allow_user_certificates: true,
      allowed_users: 'u',
      default_user: 'u',
    });
    expect(await srv.request('POST', '/v1/empty/sign/r', { public_key: userKey, valid_principals: 'x' })).toMatchObject(
      {
        status: 400,
        json: { errors: ['x is not a valid value for valid_principals'] },
      },
    );
    expect(await srv.request('POST', '/v1/empty/sign/r', { public_key: userKey })).toMatchObject({
      status: 500,
      json: { errors: [wrapped('failed to read CA private key')] },
    });
  });

  it('issues a key pair and certificate', async () => {
    const r = await srv.request('POST', '/v1/ssh/issue/dev', { key_type: 'ec', key_bits: 256 });
    expect(r.status).toBe(200);
    expect(Object.keys(r.json.data).sort()).toEqual(['private_key', 'private_key_type', 'serial_number', 'signed_key']);
    expect(r.json.data.private_key).toMatch(/^-----BEGIN EC PRIVATE KEY-----\n/);
    expect(r.json.data.private_key_type).toBe('ec');
    expect(parseCertificate(r.json.data.signed_key).algorithm).toBe('ecdsa-sha2-nistp256-cert-v01@openssh.com');
    expect(await srv.request('POST', '/v1/ssh/issue/nope', {})).toMatchObject({
      status: 400,
      json: { errors: ['unknown role: nope'] },
    });
  });
});

describe('authentication matrix', () => {
  it('requires a token everywhere except public_key reads', async () => {
    for (const [method, path] of [
      ['GET', '/v1/ssh/config/ca'],
      ['POST', '/v1/ssh/sign/dev'],
      ['POST', '/v1/ssh/issue/dev'],
      ['GET', '/v1/ssh/roles?list=true'],
      ['POST', '/v1/ssh/roles/x'],
      ['POST', '/v1/ssh/public_key'],
      ['DELETE', '/v1/ssh/public_key'],
    ] as const) {
      expect(await srv.request(method, path, method === 'GET' ? undefined : {}, null)).toMatchObject({
        status: 403,
        json: { errors: [wrapped('permission denied')] },
      });
      // An unknown token: Vault adds `invalid token` (vault/request_handling.go).
      expect(await srv.request(method, path, method === 'GET' ? undefined : {}, 'wrong-token')).toMatchObject({
        status: 403,
        json: { errors: ['2 errors occurred:\n\t* permission denied\n\t* invalid token\n\n'] },
      });
    }
    expect((await srv.request('GET', '/v1/ssh/public_key', undefined, null)).status).toBe(200);
  });

  it('accepts Authorization: Bearer', async () => {
    const res = await fetch(`${srv.url}/v1/ssh/roles/dev`, { headers: { Authorization: `Bearer ${srv.token}` } });
    expect(res.status).toBe(200);
  });
});
