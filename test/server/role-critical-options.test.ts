// Issue 13, finding 10, over HTTP against the embedded server: a request's critical options replace
// a role's default ones (as in Vault), so a default force-command is gone from the certificate as
// soon as the requester asks for any critical option the role allows (and an empty
// allowed_critical_options allows any). The role write still succeeds, as in Vault, but answers
// with a warning that says so; a role whose allowed names sshd would refuse gets no warning.

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCertificate } from '../../core/cert/certificate.js';
import { makeScratchDir, removeScratchDir } from '../helpers/scratch.js';
import { startTestServer, type TestServer } from '../helpers/vault-server.js';

let server: TestServer;
let dir: string;
let publicKey: string;

beforeAll(async () => {
  dir = makeScratchDir('critical-options');
  server = await startTestServer();
  expect((await server.request('POST', '/v1/sys/mounts/ssh', { type: 'ssh' })).status).toBe(204);
  expect((await server.request('POST', '/v1/ssh/config/ca', { generate_signing_key: true })).status).toBe(200);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'user')]);
  publicKey = readFileSync(join(dir, 'user.pub'), 'utf8');
});

afterAll(async () => {
  await server?.close();
  if (dir) removeScratchDir(dir);
});

const backupRole = (allowed: string) => ({
  key_type: 'ca',
  allow_user_certificates: true,
  allowed_users: 'backup',
  default_user: 'backup',
  default_critical_options: { 'force-command': '/usr/local/bin/backup' },
  allowed_critical_options: allowed,
});

const sign = async (role: string, body: Record<string, unknown>) => {
  const r = await server.request('POST', `/v1/ssh/sign/${role}`, { public_key: publicKey, ...body });
  expect(r.status, r.body).toBe(200);
  return parseCertificate(r.json.data.signed_key).criticalOptions;
};

const EMPTY_WARNING =
  'default_critical_options force-command can be dropped: a request that asks for any critical option replaces ' +
  'all the defaults, and allowed_critical_options is empty, which lets a requester ask for any critical option. ' +
  'No allowed_critical_options value forbids asking; list in it only names sshd refuses in a certificate ' +
  '(not force-command, source-address, verify-required), or enforce the restriction on the host ' +
  '(sshd_config ForceCommand, or command="…" in the AuthorizedPrincipalsFile)';

describe('a default force-command with allowed_critical_options that lets requesters replace it', () => {
  it('is dropped from the certificate when the requester asks for any critical option (the bypass)', async () => {
    await server.request('POST', '/v1/ssh/roles/backup', backupRole(''));
    expect(await sign('backup', {})).toEqual({ 'force-command': '/usr/local/bin/backup' });
    expect(await sign('backup', { critical_options: { 'source-address': '0.0.0.0/0' } })).toEqual({
      'source-address': '0.0.0.0/0',
    });
    // Listing force-command as allowed only lets the requester pick its own command.
    await server.request('POST', '/v1/ssh/roles/backup', backupRole('force-command'));
    expect(await sign('backup', { critical_options: { 'force-command': '/bin/bash' } })).toEqual({
      'force-command': '/bin/bash',
    });
  });

  it('is stored as Vault stores it, and the write answers with a warning naming the fix', async () => {
    const r = await server.request('POST', '/v1/ssh/roles/backup-empty', backupRole(''));
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ data: null, warnings: [EMPTY_WARNING] });
    const read = await server.request('GET', '/v1/ssh/roles/backup-empty');
    expect(read.json.data.default_critical_options).toEqual({ 'force-command': '/usr/local/bin/backup' });

    const listed = await server.request('POST', '/v1/ssh/roles/backup-listed', backupRole('permit-x,source-address'));
    expect(listed.status).toBe(200);
    expect(listed.json.warnings).toEqual([
      'default_critical_options force-command can be dropped: a request that asks for any critical option replaces ' +
        'all the defaults, and allowed_critical_options lets a requester ask for source-address. ' +
        'No allowed_critical_options value forbids asking; list in it only names sshd refuses in a certificate ' +
        '(not force-command, source-address, verify-required), or enforce the restriction on the host ' +
        '(sshd_config ForceCommand, or command="…" in the AuthorizedPrincipalsFile)',
    ]);
  });

  it('gives no warning where no usable certificate can lose it, nor for a role without default critical options', async () => {
    // Only names sshd refuses: a request may still ask for one, but sshd rejects that certificate.
    const r = await server.request('POST', '/v1/ssh/roles/backup-closed', backupRole('none'));
    expect(r.status).toBe(204);
    expect(await sign('backup-closed', { critical_options: { none: '' } })).toEqual({ none: '' });
    const plain = await server.request('POST', '/v1/ssh/roles/plain', {
      ...backupRole(''),
      default_critical_options: {},
    });
    expect(plain.status).toBe(204);
  });
});
