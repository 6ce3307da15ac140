// node-vault, the npm Vault client nobody here wrote, driving the embedded server unchanged: mount
// the SSH engine, generate a CA, write/read/list/delete roles (with node-vault's LIST verb and with
// its GET ?list=1 fallback), sign an ssh-keygen key, and Vault's errors as node-vault reports them.

import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import nodeVault from 'node-vault';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCertificate } from '../../core/cert/certificate.js';
import { makeScratchDir, removeScratchDir } from '../helpers/scratch.js';
import { startTestServer, type TestServer } from '../helpers/vault-server.js';

const run = promisify(execFile);

let srv: TestServer;
let dir: string;
let vault: nodeVault.client;

/** The wire blob of an authorized_keys line. */
const keyBlob = (line: string): Buffer => Buffer.from(line.trim().split(' ')[1]!, 'base64');

/** What node-vault rejects with: its ApiResponseError, reduced to what a caller inspects. */
async function rejection(promise: Promise<unknown>): Promise<{ name: string; message: string; response: unknown }> {
  const e = (await promise.then(
    () => {
      throw new Error('expected node-vault to reject');
    },
    (err: unknown) => err,
  )) as nodeVault.ApiResponseError;
  return { name: e.constructor.name, message: e.message, response: e.response };
}

const DEVELOPER_ROLE = {
  key_type: 'ca',
  allow_user_certificates: true,
  allowed_users: 'ubuntu,deploy',
  default_user: 'ubuntu',
  ttl: '30m',
  max_ttl: '1h',
  default_extensions: { 'permit-pty': '' },
  allowed_extensions: 'permit-pty,permit-port-forwarding',
};

beforeAll(async () => {
  srv = await startTestServer();
  dir = makeScratchDir('node-vault');
  vault = nodeVault({ endpoint: srv.url, token: srv.token });
});

afterAll(async () => {
  await srv.close();
  removeScratchDir(dir);
});

describe('node-vault against the embedded server', () => {
  it('mounts the ssh engine with vault.mount and sees it in vault.mounts', async () => {
    // node-vault posts every argument, mount_point included, as the body: Vault ignores it and answers 204.
    expect(await vault.mount({ mount_point: 'ssh', type: 'ssh', description: 'node-vault' })).toBe('');
    const mounts = await vault.mounts();
    expect(mounts.data['ssh/']).toMatchObject({ type: 'ssh', description: 'node-vault' });
    expect(mounts['ssh/']).toEqual(mounts.data['ssh/']);
    expect(mounts.mount_type).toBe('system');
  });

  it('generates an ed25519 CA and reads the same public key back', async () => {
    const generated = await vault.write('ssh/config/ca', { generate_signing_key: true, key_type: 'ed25519' });
    expect(Object.keys(generated.data)).toEqual(['public_key']);
    expect(generated.data.public_key).toMatch(/^ssh-ed25519 AAAAC3NzaC1lZDI1NTE5\S+\n$/);
    expect(generated).toMatchObject({ lease_id: '', renewable: false, lease_duration: 0, mount_type: 'ssh' });
    const read = await vault.read('ssh/config/ca');
    expect(read.data).toEqual({ public_key: generated.data.public_key });
    // The unauthenticated raw path, through node-vault's generic request.
    const raw = await nodeVault({ endpoint: srv.url }).request({ path: '/ssh/public_key', method: 'GET' });
    expect(raw).toBe(generated.data.public_key);
  });

  it('writes a role (204) and reads it back with exact values', async () => {
    expect(await vault.write('ssh/roles/developer', DEVELOPER_ROLE)).toBe('');
    const role = await vault.read('ssh/roles/developer');
    expect(role.data).toEqual({
      allowed_users: 'ubuntu,deploy',
      allowed_users_template: false,
      allowed_domains: '',
      allowed_domains_template: false,
      default_user: 'ubuntu',
      default_user_template: false,
      ttl: 1800,
      max_ttl: 3600,
      allowed_critical_options: '',
      allowed_extensions: 'permit-pty,permit-port-forwarding',
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
    expect(role.warnings).toBeNull();
  });

  it("lists roles with node-vault's LIST verb and with its GET ?list=1 fallback alike", async () => {
    expect(await vault.write('ssh/roles/otp', { key_type: 'otp', default_user: 'ops', cidr_list: '10.0.0.0/8' })).toBe(
      '',
    );
    const expected = {
      keys: ['developer', 'otp'],
      key_info: { developer: { key_type: 'ca' }, otp: { key_type: 'otp' } },
    };
    // node-vault sends `LIST /v1/ssh/roles` unless told noCustomHTTPVerbs.
    const viaList = await vault.list('ssh/roles');
    expect(viaList.data).toEqual(expected);
    expect(viaList.mount_type).toBe('ssh');
    const viaGet = await nodeVault({ endpoint: srv.url, token: srv.token, noCustomHTTPVerbs: true }).list('ssh/roles');
    expect(viaGet.data).toEqual(expected);
    // The connection a LIST closed is not reused: the same client goes on working.
    expect((await vault.read('ssh/roles/otp')).data.default_user).toBe('ops');
    expect((await vault.list('ssh/roles')).data).toEqual(expected);
    await vault.delete('ssh/roles/otp');
  });

  it('signs an ssh-keygen ed25519 key; the certificate carries exactly what the role grants', async () => {
    const keyPath = join(dir, 'id_ed25519');
    await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'alice@laptop', '-f', keyPath]);
    const publicKey = readFileSync(`${keyPath}.pub`, 'utf8');
    const signed = await vault.write('ssh/sign/developer', {
      public_key: publicKey,
      valid_principals: 'deploy,ubuntu',
      extensions: { 'permit-port-forwarding': '' },
    });
    expect(Object.keys(signed.data).sort()).toEqual(['serial_number', 'signed_key']);
    expect(signed).toMatchObject({ lease_id: '', renewable: false, lease_duration: 0, warnings: null });
    expect(signed.data.signed_key).toMatch(/^ssh-ed25519-cert-v01@openssh\.com AAAA\S+\n$/);
    const cert = parseCertificate(signed.data.signed_key);
    expect(cert.algorithm).toBe('ssh-ed25519-cert-v01@openssh.com');
    expect(cert.certType).toBe('user');
    expect(cert.principals).toEqual(['deploy', 'ubuntu']);
    expect(cert.keyId).toBe(`vault-root-${createHash('sha256').update(keyBlob(publicKey)).digest('hex')}`);
    expect(cert.extensions).toEqual({ 'permit-port-forwarding': '' });
    expect(cert.criticalOptions).toEqual({});
    expect(cert.validBefore - cert.validAfter).toBe(1830n); // ttl 30m plus not_before_duration 30s
    expect(signed.data.serial_number).toBe(cert.serial.toString(16));
    expect(cert.subjectBlob.equals(keyBlob(publicKey))).toBe(true);
    const ca = await vault.read('ssh/config/ca');
    expect(cert.signatureKeyBlob.equals(keyBlob(ca.data.public_key))).toBe(true);
    expect(cert.signatureAlgorithm).toBe('ssh-ed25519');

    // Without valid_principals the role's default_user is the one principal, with default_extensions.
    const byDefault = parseCertificate(
      (await vault.write('ssh/sign/developer', { public_key: publicKey })).data.signed_key,
    );
    expect(byDefault.principals).toEqual(['ubuntu']);
    expect(byDefault.extensions).toEqual({ 'permit-pty': '' });
  });

  it('rejects signing on a missing role with status 400 and Vault\'s "Unknown role:" text', async () => {
    const publicKey = readFileSync(join(dir, 'id_ed25519.pub'), 'utf8');
    expect(await rejection(vault.write('ssh/sign/nope', { public_key: publicKey }))).toEqual({
      name: 'ApiResponseError',
      message: 'Unknown role: nope',
      response: { statusCode: 400, body: { errors: ['Unknown role: nope'] } },
    });
    expect(await rejection(vault.write('ssh/sign/developer', { public_key: publicKey, ttl: '2h' }))).toEqual({
      name: 'ApiResponseError',
      message: 'ttl is larger than maximum allowed 3600',
      response: { statusCode: 400, body: { errors: ['ttl is larger than maximum allowed 3600'] } },
    });
  });

  it('refuses a bad token with the permission-denied and invalid-token text', async () => {
    const intruder = nodeVault({ endpoint: srv.url, token: 'not-a-token' });
    const wrapped = '2 errors occurred:\n\t* permission denied\n\t* invalid token\n\n';
    for (const attempt of [intruder.read('ssh/roles/developer'), intruder.list('ssh/roles')]) {
      expect(await rejection(attempt)).toEqual({
        name: 'ApiResponseError',
        message: wrapped,
        response: { statusCode: 403, body: { errors: [wrapped] } },
      });
    }
  });

  it('deletes the role (204); reading it then rejects with 404 and an empty errors list', async () => {
    expect(await vault.delete('ssh/roles/developer')).toBe('');
    // Vault answers a read of nothing with 404 {"errors":[]}; node-vault then names the status.
    expect(await rejection(vault.read('ssh/roles/developer'))).toEqual({
      name: 'ApiResponseError',
      message: 'Status 404',
      response: { statusCode: 404, body: { errors: [] } },
    });
    // No roles left: the list is a 404 too, over LIST as over GET.
    expect(await rejection(vault.list('ssh/roles'))).toEqual({
      name: 'ApiResponseError',
      message: 'Status 404',
      response: { statusCode: 404, body: { errors: [] } },
    });
  });

  it('unmounts with vault.unmount; the mount and its paths are gone', async () => {
    expect(await vault.unmount({ mount_point: 'ssh' })).toBe('');
    expect(Object.keys((await vault.mounts()).data)).not.toContain('ssh/');
    const message = 'no handler for route "ssh/config/ca". route entry not found.';
    expect(await rejection(vault.read('ssh/config/ca'))).toEqual({
      name: 'ApiResponseError',
      message,
      response: { statusCode: 404, body: { errors: [message] } },
    });
  });
});
