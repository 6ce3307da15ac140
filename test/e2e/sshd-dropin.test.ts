// `sshd -t` (the real OpenSSH 9.2 parser) accepts every rendered drop-in, standing alone and included
// first from a main config as Debian's is, and the effective configuration (`sshd -T`) carries our
// values.

import { execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateHostTrust } from '../../core/render/host-trust.js';
import { renderSshdDropIn } from '../../core/render/sshd-files.js';
import { GOLDEN_SPECS, golden } from '../core/render/golden.js';
import { makeScratchDir, removeScratchDir } from '../helpers/scratch.js';
import { SSHD_PATH } from '../helpers/sshd.js';

let dir: string;
let hostKey: string;

beforeAll(() => {
  dir = makeScratchDir('sshd-dropin');
  hostKey = join(dir, 'host_ed25519');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', hostKey]);
});

afterAll(() => removeScratchDir(dir));

const sshd = (...args: string[]) => spawnSync(SSHD_PATH, [...args, '-h', hostKey], { encoding: 'utf8' });

describe.each(['dev', 'prod'] as const)('the %s drop-in', (env) => {
  it('passes sshd -t on its own', () => {
    const file = join(dir, `${env}.conf`);
    writeFileSync(file, golden(env, '10-sshca.conf'));
    expect(sshd('-t', '-f', file)).toMatchObject({ status: 0, stdout: '', stderr: '' });
  });

  it('wins over a later 50-cloud-init.conf when included first', () => {
    const conf = join(dir, `${env}.d`);
    execFileSync('mkdir', ['-p', conf]);
    writeFileSync(join(conf, '10-sshca.conf'), renderSshdDropIn(validateHostTrust(GOLDEN_SPECS[env])));
    writeFileSync(join(conf, '50-cloud-init.conf'), 'TrustedUserCAKeys /etc/ssh/other\nPasswordAuthentication yes\n');
    const main = join(dir, `${env}_sshd_config`);
    writeFileSync(main, `Include ${conf}/*.conf\nUsePAM no\n`);
    const r = sshd('-T', '-f', main);
    expect(r.status).toBe(0);
    const effective = r.stdout.split('\n');
    expect(effective).toContain('trustedusercakeys /etc/ssh/sshca/trusted_user_ca_keys');
    expect(effective).toContain('authorizedprincipalsfile /etc/ssh/sshca/principals/%u');
  });
});

it('sshd -t refuses a damaged drop-in (the check can fail)', () => {
  const file = join(dir, 'bad.conf');
  writeFileSync(file, golden('dev', '10-sshca.conf').replace('TrustedUserCAKeys', 'TrustedUserCAKey'));
  const r = sshd('-t', '-f', file);
  expect(r.status).toBe(255);
  expect(r.stderr).toBe(
    `${file}: line 4: Bad configuration option: TrustedUserCAKey\r\n${file}: terminating, 1 bad configuration options\r\n`,
  );
});
