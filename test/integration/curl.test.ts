// Real /usr/bin/curl against the embedded server over HTTP, replaying the curl sequences of Vault's
// SSH CA guides as people paste them: mount with a max lease TTL, generate the CA, fetch the public
// key unauthenticated, a role with the old array form of default_extensions, LIST, sign with inline
// JSON, `-d @file` and form encoding, Bearer tokens, a bad token; ssh-keygen reads what comes back.

import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCertificate } from '../../core/cert/certificate.js';
import { makeScratchDir, removeScratchDir } from '../helpers/scratch.js';
import { startTestServer, type TestServer } from '../helpers/vault-server.js';

const run = promisify(execFile);
const CURL = '/usr/bin/curl';
const WRAPPED_DENIED = '{"errors":["1 error occurred:\\n\\t* permission denied\\n\\n"]}';
/** Vault's body for a token it does not know (vault/request_handling.go adds `invalid token`). */
const INVALID_TOKEN = '{"errors":["2 errors occurred:\\n\\t* permission denied\\n\\t* invalid token\\n\\n"]}';

let srv: TestServer;
let dir: string;
let ADDR: string;
let T: string;
let userKeyPath: string;
let userPublicKey: string;
let caPublicKey: string;

interface CurlResult {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
  readonly json: any;
}

/**
 * Run curl with `args` (never through a shell), at most 5 s; the status and content type come from
 * curl's own `--write-out`, after the body.
 */
async function curl(...args: string[]): Promise<CurlResult> {
  const { stdout } = await run(CURL, [
    '--silent',
    '--show-error',
    '--max-time',
    '5',
    '--write-out',
    '\n%{http_code} %{content_type}',
    ...args,
  ]);
  const cut = stdout.lastIndexOf('\n');
  const [status = '', contentType = ''] = stdout.slice(cut + 1).split(' ');
  const body = stdout.slice(0, cut);
  let json: unknown;
  try {
    json = body === '' ? undefined : JSON.parse(body);
  } catch {
    json = undefined;
  }
  return { status: Number(status), contentType, body, json };
}

/** ssh-keygen's SHA256 fingerprint of an authorized_keys line, computed here. */
const fingerprint = (line: string): string =>
  `SHA256:${createHash('sha256')
    .update(Buffer.from(line.trim().split(' ')[1]!, 'base64'))
    .digest('base64')
    .replace(/=+$/, '')}`;

beforeAll(async () => {
  srv = await startTestServer();
  ADDR = srv.url;
  T = srv.token;
  dir = makeScratchDir('curl');
  userKeyPath = join(dir, 'id_ed25519');
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'ubuntu@workstation', '-f', userKeyPath]);
  userPublicKey = readFileSync(`${userKeyPath}.pub`, 'utf8');
});

afterAll(async () => {
  await srv.close();
  removeScratchDir(dir);
});

describe("the guides' curl sequence", () => {
  it('mounts ssh-client-signer with a 24h max lease TTL (204, empty body)', async () => {
    const mount = await curl(
      '--header',
      `X-Vault-Token: ${T}`,
      '--request',
      'POST',
      '--data',
      '{"type":"ssh","config":{"max_lease_ttl":"24h"}}',
      `${ADDR}/v1/sys/mounts/ssh-client-signer`,
    );
    expect(mount).toEqual({ status: 204, contentType: 'application/json', body: '', json: undefined });
    const tune = await curl('--header', `X-Vault-Token: ${T}`, `${ADDR}/v1/sys/mounts/ssh-client-signer/tune`);
    expect(tune.status).toBe(200);
    expect(tune.json.data).toEqual({
      default_lease_ttl: 2764800,
      max_lease_ttl: 86400,
      force_no_cache: false,
      description: '',
    });
  });

  it('generates the CA (default ssh-rsa 4096) and serves it unauthenticated as raw text', async () => {
    const generated = await curl(
      '--header',
      `X-Vault-Token: ${T}`,
      '--request',
      'POST',
      '--data',
      '{"generate_signing_key":true}',
      `${ADDR}/v1/ssh-client-signer/config/ca`,
    );
    expect(generated.status).toBe(200);
    expect(Object.keys(generated.json.data)).toEqual(['public_key']);
    caPublicKey = generated.json.data.public_key;
    expect(caPublicKey).toMatch(/^ssh-rsa AAAAB3NzaC1yc2E\S+\n$/);

    const published = await curl(`${ADDR}/v1/ssh-client-signer/public_key`);
    expect(published).toEqual({ status: 200, contentType: 'text/plain', body: caPublicKey, json: undefined });
    const file = join(dir, 'trusted-user-ca-keys.pem');
    writeFileSync(file, published.body);
    const { stdout } = await run('ssh-keygen', ['-l', '-f', file]);
    expect(stdout).toBe(`4096 ${fingerprint(caPublicKey)} no comment (RSA)\n`);
  });

  it('writes a role whose default_extensions is an array of objects, and reads it back as a map', async () => {
    const role = await curl(
      '--header',
      `X-Vault-Token: ${T}`,
      '--request',
      'POST',
      '--data',
      JSON.stringify({
        allow_user_certificates: true,
        allowed_users: '*',
        default_extensions: [{ 'permit-pty': '' }],
        key_type: 'ca',
        default_user: 'ubuntu',
        ttl: '30m0s',
      }),
      `${ADDR}/v1/ssh-client-signer/roles/my-role`,
    );
    expect(role).toMatchObject({ status: 204, body: '' });
    const read = await curl('--header', `X-Vault-Token: ${T}`, `${ADDR}/v1/ssh-client-signer/roles/my-role`);
    expect(read.status).toBe(200);
    expect(read.json.data).toEqual({
      allowed_users: '*',
      allowed_users_template: false,
      allowed_domains: '',
      allowed_domains_template: false,
      default_user: 'ubuntu',
      default_user_template: false,
      ttl: 1800,
      max_ttl: 0,
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
  });

  it('answers --request LIST on roles like GET ?list=true, and closes that connection', async () => {
    const expected = { keys: ['my-role'], key_info: { 'my-role': { key_type: 'ca' } } };
    for (const path of ['roles', 'roles/']) {
      const listed = await curl(
        '--include',
        '--header',
        `X-Vault-Token: ${T}`,
        '--request',
        'LIST',
        `${ADDR}/v1/ssh-client-signer/${path}`,
      );
      expect(listed.status).toBe(200);
      const [head = '', body = ''] = listed.body.split('\r\n\r\n');
      expect(head.split('\r\n')).toContain('Connection: close');
      expect(JSON.parse(body).data).toEqual(expected);
    }
    const viaGet = await curl('--header', `X-Vault-Token: ${T}`, `${ADDR}/v1/ssh-client-signer/roles?list=true`);
    expect(viaGet.json.data).toEqual(expected);
    // Two LISTs in one curl run: the second goes on a new connection and is answered too.
    const { stdout } = await run(CURL, [
      '--silent',
      '--max-time',
      '5',
      '--header',
      `X-Vault-Token: ${T}`,
      '--request',
      'LIST',
      '--write-out',
      '|%{http_code}|%{num_connects}\n',
      `${ADDR}/v1/ssh-client-signer/roles`,
      `${ADDR}/v1/ssh-client-signer/roles`,
    ]);
    const answers = stdout.trim().split('\n');
    expect(answers).toHaveLength(2);
    for (const answer of answers) {
      const [body, status, connects] = answer.split('|');
      expect([JSON.parse(body!).data, status, connects]).toEqual([expected, '200', '1']);
    }
    // Without a token LIST is refused like any other authenticated read.
    expect(await curl('--request', 'LIST', `${ADDR}/v1/ssh-client-signer/roles`)).toMatchObject({
      status: 403,
      body: WRAPPED_DENIED,
    });
  });
});

describe('signing with curl', () => {
  const certOf = (r: CurlResult) => {
    expect(r.status).toBe(200);
    expect(Object.keys(r.json.data).sort()).toEqual(['serial_number', 'signed_key']);
    return parseCertificate(r.json.data.signed_key);
  };

  it('signs an inline JSON public_key; ssh-keygen -L shows the principal and permit-pty', async () => {
    const signed = await curl(
      '--header',
      `X-Vault-Token: ${T}`,
      '--request',
      'POST',
      '--data',
      JSON.stringify({ public_key: userPublicKey }),
      `${ADDR}/v1/ssh-client-signer/sign/my-role`,
    );
    expect(signed.json).toMatchObject({ lease_id: '', lease_duration: 0, renewable: false, warnings: null });
    const cert = certOf(signed);
    expect(cert.principals).toEqual(['ubuntu']);
    expect(cert.certType).toBe('user');
    expect(cert.extensions).toEqual({ 'permit-pty': '' });
    expect(cert.validBefore - cert.validAfter).toBe(1830n);

    const certPath = `${userKeyPath}-cert.pub`;
    writeFileSync(certPath, signed.json.data.signed_key);
    const { stdout } = await run('ssh-keygen', ['-L', '-f', certPath]);
    const lines = stdout.split('\n').map((l) => l.trim());
    expect(lines).toContain('Type: ssh-ed25519-cert-v01@openssh.com user certificate');
    expect(lines).toContain(`Signing CA: RSA ${fingerprint(caPublicKey)} (using rsa-sha2-256)`);
    expect(lines).toContain(`Key ID: "${cert.keyId}"`);
    expect(lines).toContain(`Serial: ${cert.serial}`);
    const after = (label: string) => lines.slice(lines.indexOf(label) + 1, lines.indexOf(label) + 2);
    expect(after('Principals:')).toEqual(['ubuntu']);
    expect(lines).toContain('Critical Options: (none)');
    expect(after('Extensions:')).toEqual(['permit-pty']);
  });

  it('signs from a JSON file with -d @file (curl strips newlines; the JSON escapes them)', async () => {
    const payload = join(dir, 'payload.json');
    writeFileSync(payload, `${JSON.stringify({ public_key: userPublicKey, valid_principals: 'ubuntu' }, null, 2)}\n`);
    const cert = certOf(
      await curl(
        '--header',
        `X-Vault-Token: ${T}`,
        '--request',
        'POST',
        '-d',
        `@${payload}`,
        `${ADDR}/v1/ssh-client-signer/sign/my-role`,
      ),
    );
    expect(cert.principals).toEqual(['ubuntu']);
    // PUT is the same write (the Vault CLI uses it).
    const put = certOf(
      await curl(
        '-H',
        `X-Vault-Token: ${T}`,
        '-X',
        'PUT',
        '--data-binary',
        `@${payload}`,
        `${ADDR}/v1/ssh-client-signer/sign/my-role`,
      ),
    );
    expect(put.principals).toEqual(['ubuntu']);
  });

  it('signs a form-encoded request (--data-urlencode, public_key read from the file)', async () => {
    const form = (...fields: string[]) =>
      curl(
        '-H',
        `X-Vault-Token: ${T}`,
        '--data-urlencode',
        `public_key@${userKeyPath}.pub`,
        ...fields.flatMap((f) => ['--data-urlencode', f]),
        `${ADDR}/v1/ssh-client-signer/sign/my-role`,
      );
    const cert = certOf(await form('valid_principals=ubuntu,deploy', 'ttl=10m'));
    expect(cert.principals).toEqual(['deploy', 'ubuntu']);
    expect(cert.validBefore - cert.validAfter).toBe(630n);
    expect(cert.extensions).toEqual({ 'permit-pty': '' });
    // A form value that the role refuses: the plain 400 with Vault's text.
    expect(await form('key_id=me & you')).toMatchObject({
      status: 400,
      body: '{"errors":["setting key_id is not allowed by role"]}',
    });
  });

  it('accepts Authorization: Bearer in place of X-Vault-Token', async () => {
    const read = await curl('-H', `Authorization: Bearer ${T}`, `${ADDR}/v1/ssh-client-signer/roles/my-role`);
    expect(read.status).toBe(200);
    expect(read.json.data.default_user).toBe('ubuntu');
    const cert = certOf(
      await curl(
        '-H',
        `Authorization: Bearer ${T}`,
        '--data',
        JSON.stringify({ public_key: userPublicKey }),
        `${ADDR}/v1/ssh-client-signer/sign/my-role`,
      ),
    );
    expect(cert.principals).toEqual(['ubuntu']);
  });

  it("refuses a bad token with 403 and Vault's permission-denied and invalid-token body", async () => {
    for (const header of ['X-Vault-Token: not-a-token', 'Authorization: Bearer not-a-token']) {
      for (const method of ['GET', 'POST']) {
        const r = await curl(
          '-H',
          header,
          '--request',
          method,
          ...(method === 'POST' ? ['--data', JSON.stringify({ public_key: userPublicKey })] : []),
          `${ADDR}/v1/ssh-client-signer/${method === 'POST' ? 'sign' : 'roles'}/my-role`,
        );
        expect(r).toEqual({
          status: 403,
          contentType: 'application/json',
          body: INVALID_TOKEN,
          json: { errors: ['2 errors occurred:\n\t* permission denied\n\t* invalid token\n\n'] },
        });
      }
    }
  });

  it("refuses a missing role, a missing key and malformed JSON with Vault's plain 400 texts", async () => {
    const post = (path: string, data: string) =>
      curl('-H', `X-Vault-Token: ${T}`, '--data', data, `${ADDR}/v1/ssh-client-signer/${path}`);
    expect(await post('sign/nope', JSON.stringify({ public_key: userPublicKey }))).toMatchObject({
      status: 400,
      body: '{"errors":["Unknown role: nope"]}',
    });
    expect(await post('sign/my-role', '{}')).toMatchObject({ status: 400, body: '{"errors":["missing public_key"]}' });
    expect(await post('sign/my-role', '{"public_key": ')).toMatchObject({
      status: 400,
      body: '{"errors":["error parsing JSON"]}',
    });
  });
});
