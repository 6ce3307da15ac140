// `sshca render` (the built binary) against the embedded server over real HTTP: every format from
// the key the backend serves, extra keys for rotation, files written with their modes, and the
// refusals with their exit codes and messages.

import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderAnsibleVars } from '../../core/render/ansible-vars.js';
import { renderCloudConfig } from '../../core/render/cloud-config.js';
import { validateHostTrust } from '../../core/render/host-trust.js';
import { renderPrincipalsFiles, renderSshdDropIn, renderTrustedCaKeys } from '../../core/render/sshd-files.js';
import { makeScratchDir, removeScratchDir } from '../helpers/scratch.js';
import { runSshca } from '../helpers/sshca-bin.js';
import { startTestServer, type TestServer } from '../helpers/vault-server.js';

let server: TestServer;
let dir: string;
let devKey: string;
let env: Record<string, string>;

beforeAll(async () => {
  dir = makeScratchDir('render');
  server = await startTestServer();
  for (const mount of ['ssh-dev', 'team/ssh-bare']) {
    expect((await server.request('POST', `/v1/sys/mounts/${mount}`, { type: 'ssh' })).status).toBe(204);
  }
  devKey = (await server.request('POST', '/v1/ssh-dev/config/ca', { generate_signing_key: true })).json.data.public_key;
  env = { VAULT_ADDR: server.url };
});

afterAll(async () => {
  await server?.close();
  if (dir) removeScratchDir(dir);
});

const trust = (principals: Record<string, string[]> = { ubuntu: ['dev-admin', 'ubuntu'] }, keys = [devKey]) =>
  validateHostTrust({ environment: 'dev', caKeys: keys, principals });

describe('sshca render', () => {
  it('prints every format from the key the backend serves, environment named after the mount', async () => {
    const args = ['render', '--mount', 'ssh-dev', '--principals', 'ubuntu=ubuntu,dev-admin'];
    const expected = {
      sshd: renderSshdDropIn(trust()),
      'trusted-keys': renderTrustedCaKeys(trust()),
      'cloud-init': renderCloudConfig(trust()),
      'ansible-vars': renderAnsibleVars(trust()),
      principals: `==> /etc/ssh/sshca/principals/ubuntu <==\n${renderPrincipalsFiles(trust())[0]!.content}`,
    };
    for (const [format, text] of Object.entries(expected)) {
      expect(await runSshca([...args, '--format', format], env)).toEqual({ code: 0, stdout: text, stderr: '' });
    }
  });

  it('adds extra CA keys for a rotation overlap and writes files atomically with mode 0644', async () => {
    const next = join(dir, 'next.pub');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'next', '-f', join(dir, 'next')]);
    const out = join(dir, 'trusted_user_ca_keys');
    const r = await runSshca(
      ['render', '--mount', 'ssh-dev', '--ca-key', next, '--format', 'trusted-keys', '--out', out],
      env,
    );
    expect(r).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(readFileSync(out, 'utf8')).toBe(renderTrustedCaKeys(trust({}, [devKey, readFileSync(next, 'utf8')])));
    expect(statSync(out).mode & 0o777).toBe(0o644);
  });

  it('writes one principals file per account into --out DIR', async () => {
    const out = join(dir, 'principals');
    const r = await runSshca(
      [
        'render',
        '--mount',
        'ssh-dev',
        '--format',
        'principals',
        '--principals',
        'ubuntu=ubuntu',
        '--principals',
        'ansible=ansible',
        '--out',
        out,
      ],
      env,
    );
    expect(r.code).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['ansible', 'ubuntu']);
    expect(readFileSync(join(out, 'ansible'), 'utf8')).toBe(
      '# Managed by vault-ssh-ca: changes here are overwritten.\n# Principals that may log in as ansible in environment dev.\nansible\n',
    );
  });

  it('renders from --ca-key alone, without a backend, given --environment', async () => {
    const key = join(dir, 'only.pub');
    writeFileSync(key, devKey);
    const r = await runSshca(['render', '--ca-key', key, '--environment', 'dev', '--format', 'sshd']);
    expect(r).toEqual({ code: 0, stdout: renderSshdDropIn(trust({})), stderr: '' });
  });

  it('exits 1 with a clear message when the mount has no CA, the backend is down or a key is bad', async () => {
    expect(await runSshca(['render', '--mount', 'team/ssh-bare', '--format', 'sshd'], env)).toEqual({
      code: 1,
      stdout: '',
      stderr: `sshca render: no CA public key on mount team/ssh-bare at ${server.url}: configure its CA first\n`,
    });
    const down = await runSshca(['render', '--mount', 'ssh-dev', '--format', 'sshd'], {
      VAULT_ADDR: 'http://127.0.0.1:9',
    });
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(
      /^sshca render: Error making API request\.\n\nURL: GET http:\/\/127\.0\.0\.1:9\/v1\/ssh-dev\/public_key\n/,
    );
    const bad = join(dir, 'bad.pub');
    writeFileSync(bad, 'ssh-ed25519 AAAAnot-a-key\n');
    expect(await runSshca(['render', '--mount', 'ssh-dev', '--ca-key', bad, '--format', 'sshd'], env)).toEqual({
      code: 1,
      stdout: '',
      stderr:
        'sshca render: ca_keys[1] is not an SSH public key: failed to parse public_key as SSH key: illegal base64 data at input byte 7\n',
    });
  });

  it('exits 2 on a bad command line', async () => {
    expect(await runSshca(['render', '--mount', 'ssh-dev', '--format', 'nginx'], env)).toEqual({
      code: 2,
      stdout: '',
      stderr:
        'sshca render: --format must be one of sshd, trusted-keys, principals, cloud-init, ansible-vars, cloud-init-otp, known-hosts, cloud-init-host-cert, krl, got "nginx"\nRun "sshca render --help" for usage.\n',
    });
    expect((await runSshca(['render', '--format', 'sshd'])).stderr).toBe(
      'sshca render: give --mount or at least one --ca-key\nRun "sshca render --help" for usage.\n',
    );
    expect((await runSshca(['render', '--mount', 'ssh', '--format', 'sshd'])).code).toBe(1); // no VAULT_ADDR
  });
});
