// The rendered cloud-config against the real tools: `cloud-init schema` accepts the dev and prod
// user-data, and on real sshd hosts of the harness the files its write_files would write, plus its
// runcmd script, make each host trust its own environment only. Stops short of booting an instance:
// the script runs as cloud-init's runcmd would (sh -c, as root), with sshd pointed at the test
// host's config and the reload pointed at the test host's pid.

import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { renderCloudConfig } from '../../core/render/cloud-config.js';
import { validateHostTrust, type HostTrust } from '../../core/render/host-trust.js';
import type { GeneratedKeyPair } from '../../core/keys/ca-key.js';
import { generateKeyPair } from '../../server/ssh/generate-key-pair.js';
import { makeScratchDir, removeScratchDir } from '../helpers/scratch.js';
import { sshLogin } from '../helpers/ssh-client.js';
import { SSHD_PATH, startSshdHosts, stopAll, type SshdHost } from '../helpers/sshd.js';
import { ensureTestUser } from '../helpers/test-user.js';
import { issueUserCertificate, type UserCertificate } from '../helpers/user-cert.js';

let dir: string;
let account: string;
let hosts: SshdHost[] = [];
const cas: Record<'dev' | 'prod', GeneratedKeyPair> = {
  dev: generateKeyPair('ed25519', 0),
  prod: generateKeyPair('ed25519', 0),
};

/** The environment's trust, with every path under `root` unless the drop-in goes elsewhere. */
function trustFor(
  env: 'dev' | 'prod',
  root: string,
  principals: Record<string, string[]>,
  dropIn = join(root, 'sshd_config.d/10-sshca.conf'),
): HostTrust {
  return validateHostTrust({
    environment: env,
    caKeys: [cas[env].publicKey],
    principals,
    paths: {
      dropIn,
      trustedCaKeys: join(root, 'sshca/trusted_user_ca_keys'),
      principalsDir: join(root, 'sshca/principals'),
    },
  });
}

/** What cloud-init would do with the user-data on this host: write_files, then runcmd. */
function boot(userData: string): { status: number; stderr: string } {
  const doc = parse(userData);
  for (const f of doc.write_files) {
    mkdirSync(dirname(f.path), { recursive: true, mode: 0o755 });
    writeFileSync(f.path, f.content, { mode: Number.parseInt(f.permissions, 8) });
  }
  const [sh, flag, script] = doc.runcmd[0];
  const r = spawnSync(sh, [flag, script], { encoding: 'utf8' });
  return { status: r.status ?? -1, stderr: r.stderr };
}

beforeAll(async () => {
  dir = makeScratchDir('cloud-init');
  account = await ensureTestUser();
  const spec = (name: string, address: string) => ({
    name,
    address,
    trustedUserCaKeys: [],
    principals: {},
    // The Include comes first, as in Debian's and Ubuntu's sshd_config.
    extraConfig: [`Include ${join(dir, `${name}-etc`, 'sshd_config.d')}/*.conf`],
  });
  hosts = await startSshdHosts([spec('dev', '127.0.0.2'), spec('prod', '127.0.0.3')]);
});

afterAll(async () => {
  await stopAll(hosts);
  if (dir) removeScratchDir(dir);
});

describe('cloud-init schema', () => {
  it.each(['dev', 'prod'] as const)('accepts the %s user-data', (env) => {
    const file = join(dir, `${env}-user-data.yaml`);
    writeFileSync(file, renderCloudConfig(trustFor(env, '/etc/ssh', { ubuntu: ['ubuntu'], 'ec2-user': ['ec2-user'] })));
    const r = spawnSync('cloud-init', ['schema', '--config-file', file], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(`Valid cloud-config: ${file}\n`);
    expect(r.status).toBe(0);
  });

  it('refuses user-data with a broken write_files entry (the check can fail)', () => {
    const file = join(dir, 'broken-user-data.yaml');
    const text = renderCloudConfig(trustFor('dev', '/etc/ssh', { ubuntu: ['ubuntu'] })).replace(
      "permissions: '0644'",
      'permissions: 644',
    );
    writeFileSync(file, text);
    const r = spawnSync('cloud-init', ['schema', '--config-file', file], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr + r.stdout).toContain("write_files.0.permissions: 644 is not of type 'string'");
  });
});

describe('on real sshd hosts', () => {
  let certs: Record<'dev' | 'prod' | 'unmapped', UserCertificate>;
  const byName = (name: string) => hosts.find((h) => h.name === name)!;
  const includeDir = (host: SshdHost) =>
    readFileSync(join(host.dir, 'sshd_config'), 'utf8').match(/^Include (\S+)\/\*\.conf$/m)![1]!;
  const login = (host: SshdHost, cert: UserCertificate) =>
    sshLogin({
      host,
      user: account,
      identityFile: cert.identityFile,
      certificateFile: cert.certificateFile,
      command: 'echo in',
    });

  /** Render for the host (drop-in in its Include directory), sshd and reload aimed at that host. */
  function userDataFor(env: 'dev' | 'prod', host: SshdHost): { userData: string; trust: HostTrust } {
    const trust = trustFor(env, host.dir, { [account]: [`${env}-engineer`] }, join(includeDir(host), '10-sshca.conf'));
    const userData = renderCloudConfig(trust, {
      sshd: `${SSHD_PATH} -f ${join(host.dir, 'sshd_config')}`,
      reloadCommand: `kill -HUP ${host.pid}`,
    });
    return { userData, trust };
  }

  beforeAll(() => {
    certs = {
      dev: issueUserCertificate(dir, cas.dev, ['dev-engineer']),
      prod: issueUserCertificate(dir, cas.prod, ['prod-engineer']),
      unmapped: issueUserCertificate(dir, cas.dev, ['someone-else']),
    };
  });

  it('before the user-data, neither host accepts a certificate', async () => {
    expect((await login(byName('dev'), certs.dev)).code).toBe(255);
    expect((await login(byName('prod'), certs.prod)).code).toBe(255);
  });

  it('after it, each host accepts its own environment only', async () => {
    for (const env of ['dev', 'prod'] as const) {
      const host = byName(env);
      const mark = host.log().length;
      expect(boot(userDataFor(env, host).userData)).toEqual({ status: 0, stderr: '' });
      await host.waitForLog(/Received SIGHUP; restarting\.$/, mark);
      await host.waitForLog(/Server listening on /, mark);
    }
    const dev = byName('dev');
    const prod = byName('prod');
    expect(await login(dev, certs.dev)).toEqual({ code: 0, stdout: 'in\n', stderr: '' });
    expect(await login(prod, certs.prod)).toEqual({ code: 0, stdout: 'in\n', stderr: '' });

    const mark = prod.log().length;
    expect((await login(prod, certs.dev)).code).toBe(255);
    await prod.waitForLog(/Failed publickey for \S+ from 127\.0\.0\.1 port \d+ ssh2: ED25519-CERT /, mark);
    expect((await login(dev, certs.prod)).code).toBe(255);

    const devMark = dev.log().length;
    expect((await login(dev, certs.unmapped)).code).toBe(255);
    await dev.waitForLog(/Certificate does not contain an authorized principal$/, devMark);
  });

  it('leaves sshd and its config untouched when sshd -t refuses the drop-in', async () => {
    const host = byName('dev');
    const { userData, trust } = userDataFor('dev', host);
    const before = readFileSync(trust.paths.dropIn, 'utf8');
    const broken = userData.replace('AuthorizedPrincipalsFile', 'AuthorizedPrincipalsFiles');
    const mark = host.log().length;
    const r = boot(broken);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`Bad configuration option: AuthorizedPrincipalsFiles`);
    expect(r.stderr).toMatch(
      /vault-ssh-ca: sshd refused the dev CA drop-in, or it is not in effect \(sshd -t, sshd -T\); sshd left unchanged\n$/,
    );
    expect(existsSync(trust.paths.dropIn)).toBe(false);
    expect(host.log().slice(mark)).not.toContain('SIGHUP');
    // sshd still runs the configuration it had: the dev certificate still logs in.
    expect((await login(host, certs.dev)).code).toBe(0);
    writeFileSync(trust.paths.dropIn, before);
  });

  it('rolls back when an earlier file overrides TrustedUserCAKeys', async () => {
    const host = byName('prod');
    const { userData, trust } = userDataFor('prod', host);
    const earlier = join(includeDir(host), '05-other.conf');
    writeFileSync(earlier, `TrustedUserCAKeys ${join(host.dir, 'other_ca_keys')}\n`);
    try {
      const r = boot(userData);
      expect(r).toEqual({
        status: 1,
        stderr:
          'vault-ssh-ca: sshd refused the prod CA drop-in, or it is not in effect (sshd -t, sshd -T); sshd left unchanged\n',
      });
      expect(existsSync(trust.paths.dropIn)).toBe(false);
    } finally {
      execFileSync('rm', ['-f', earlier]);
    }
  });
});
