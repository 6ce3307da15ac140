// The Ansible role ssh_otp_helper and the TypeScript renderers produce the same bytes for the same
// inputs: the real ansible-playbook runs playbooks/otp.yml with ansible_connection=local for the "tls"
// and "dev" specs of test/golden/otp-helper, against the embedded server over verified TLS (with the
// CA bundle the role installs) and over plain http (-dev). The files live in a scratch directory and
// the backend's address is a loopback one, so paths and address are put back before comparing with the
// goldens (and the same files are compared with the TypeScript rendering for the moved paths). The
// sshd checks are the real /usr/sbin/sshd with a host key of the test's own; the reload only touches a
// marker file and the PAM service is a scratch copy of Debian's: this test runs no sshd (the e2e does).

import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import {
  DEFAULT_OTP_HELPER_PATHS,
  otpPamIncludeLine,
  renderOtpHelperConfig,
  renderOtpPamInclude,
  renderOtpSshdDropIn,
  validateOtpHelper,
  type OtpHelperPaths,
} from '../../core/render/otp-helper.js';
import { VaultClient, enableMount } from '../../client/index.js';
import { MemoryStorage } from '../../server/storage/memory-storage.js';
import { VaultServer } from '../../server/vault-server.js';
import { OTP_GOLDEN_FILES, OTP_GOLDEN_SPECS, otpGolden } from '../core/render/otp-golden.js';
import { ANSIBLE_DIR, ansibleEnv, parseRecap, runCommand } from '../helpers/ansible.js';
import { otpPathsUnder, otpPathVars } from '../helpers/otp-host.js';
import { makeScratchDir, removeScratchDir } from '../helpers/scratch.js';
import { SSHD_PATH } from '../helpers/sshd.js';
import { makeSelfSignedTls } from '../helpers/tls.js';

const SPECS = ['tls', 'dev'] as const;
type Spec = (typeof SPECS)[number];
const MANAGED = 'Managed by vault-ssh-ca: changes here are overwritten.';
const DEBIAN_PAM_SSHD =
  '# PAM configuration for the Secure Shell service\n\n# Standard Un*x authentication.\n@include common-auth\n\n# Standard Un*x authorization.\n@include common-account\n';

let dir: string;
let env: NodeJS.ProcessEnv;
let hostKey: string;
let caBundle: string;
const backends: Array<{ server: VaultServer; listener: Server }> = [];
const url = {} as Record<Spec, string>;

const paths = (spec: Spec): OtpHelperPaths => otpPathsUnder(join(dir, spec));

/** Role variables for a spec of specs.json, with the test's backend and paths. */
function hostVars(spec: Spec): Record<string, unknown> {
  const s = OTP_GOLDEN_SPECS[spec];
  const p = paths(spec);
  return {
    ansible_connection: 'local',
    ssh_otp_helper_vault_addr: url[spec],
    ssh_otp_helper_mount: s.mount,
    ssh_otp_helper_allowed_roles: s.allowedRoles,
    ssh_otp_helper_allowed_cidr_list: s.allowedCidrList ?? [],
    ssh_otp_helper_dev: s.dev ?? false,
    ...(s.caCert ? { ssh_otp_helper_ca_bundle: caBundle, ssh_otp_helper_ca_cert_path: p.caCert } : {}),
    ...(s.pamLog ? { ssh_otp_helper_pam_log: s.pamLog } : {}),
    ...otpPathVars(p),
    ssh_otp_helper_sshd_command: SSHD_PATH,
    ssh_otp_helper_sshd_config: join(dir, spec, 'sshd_config'),
    ssh_otp_helper_sshd_host_keys: [hostKey],
    ssh_otp_helper_reload_command: `touch ${join(dir, spec, 'reloaded')}`,
  };
}

/** A file the role wrote, with the scratch paths and the test backend put back to the golden's. */
function asGolden(spec: Spec, file: string): string {
  let text = readFileSync(file, 'utf8').replaceAll(url[spec], OTP_GOLDEN_SPECS[spec].vaultAddr);
  const p = paths(spec);
  for (const key of Object.keys(p) as Array<keyof OtpHelperPaths>) {
    text = text.replaceAll(p[key], DEFAULT_OTP_HELPER_PATHS[key]);
  }
  return text;
}

async function startBackend(spec: Spec, tls?: { cert: string; key: string }): Promise<void> {
  const server = await VaultServer.open({ storage: new MemoryStorage(), version: '0.0.0-test', log: () => {} });
  await server.tokens.createRoot('otp-golden-root');
  const started = await server.listen('127.0.0.1', 0, tls);
  backends.push({ server, listener: started.server });
  url[spec] = started.url;
  const client = new VaultClient({
    address: started.url,
    token: 'otp-golden-root',
    ...(tls ? { caCert: tls.cert } : {}),
  });
  await enableMount(client, OTP_GOLDEN_SPECS[spec].mount!, { type: 'ssh' });
}

beforeAll(async () => {
  dir = makeScratchDir('ansible-otp-golden');
  hostKey = join(dir, 'host_ed25519');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'otp-golden-host', '-f', hostKey]);
  const tls = makeSelfSignedTls(dir);
  caBundle = tls.certFile;
  await startBackend('tls', tls);
  await startBackend('dev');
  for (const spec of SPECS) {
    const root = join(dir, spec);
    mkdirSync(join(root, 'etc/ssh/sshd_config.d'), { recursive: true, mode: 0o755 });
    mkdirSync(join(root, 'etc/pam.d'), { recursive: true, mode: 0o755 });
    writeFileSync(join(root, 'sshd_config'), `Include ${root}/etc/ssh/sshd_config.d/*.conf\n`);
    writeFileSync(paths(spec).pamService, DEBIAN_PAM_SSHD, { mode: 0o644 });
  }
  // An existing directory keeps its mode: the role only creates missing ones (1777: it must not drop
  // a sticky bit, as setting 0755 on /tmp would).
  chmodSync(join(dir, 'dev', 'etc/pam.d'), 0o1777);
  env = ansibleEnv(dir);
  writeFileSync(env.ANSIBLE_CONFIG!, `[defaults]\nansible_managed = ${MANAGED}\n`);
});

afterAll(async () => {
  for (const b of backends) await b.server.close(b.listener);
  if (dir) removeScratchDir(dir);
});

describe('ansible-playbook otp.yml with the ssh_otp_helper role, locally, for the golden specs', () => {
  it("writes the golden bytes, which are the TypeScript renderers' bytes, and reloads once", async () => {
    const inventory = join(dir, 'hosts.yml');
    writeFileSync(
      inventory,
      `---\n${stringify({ all: { children: { otp: { hosts: { 'tls-local': hostVars('tls'), 'dev-local': hostVars('dev') } } } } })}`,
    );
    const r = await runCommand('ansible-playbook', ['-i', inventory, join(ANSIBLE_DIR, 'playbooks/otp.yml')], env);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(parseRecap(r.stdout)).toEqual({
      'tls-local': { ok: 15, changed: 8, unreachable: 0, failed: 0, skipped: 5, rescued: 0, ignored: 0 },
      'dev-local': { ok: 14, changed: 7, unreachable: 0, failed: 0, skipped: 6, rescued: 0, ignored: 0 },
    });
    expect(statSync(join(dir, 'dev', 'etc/pam.d')).mode & 0o7777).toBe(0o1777);
    expect(statSync(join(dir, 'tls', 'etc/pam.d')).mode & 0o7777).toBe(0o755);
    expect(statSync(join(dir, 'dev', 'usr/local/bin')).mode & 0o7777).toBe(0o755);
    for (const spec of SPECS) {
      const p = paths(spec);
      const otp = validateOtpHelper({
        ...OTP_GOLDEN_SPECS[spec],
        vaultAddr: url[spec],
        ...(OTP_GOLDEN_SPECS[spec].caCert ? { caCert: readFileSync(caBundle, 'utf8') } : {}),
        paths: p,
      });
      // Ansible == TypeScript for the same (moved) inputs.
      expect(readFileSync(p.config, 'utf8')).toBe(renderOtpHelperConfig(otp));
      expect(readFileSync(p.pamInclude, 'utf8')).toBe(renderOtpPamInclude(otp));
      expect(readFileSync(p.dropIn, 'utf8')).toBe(renderOtpSshdDropIn(otp));
      // Ansible == golden once the paths and the address are put back.
      expect(asGolden(spec, p.config)).toBe(otpGolden(spec, OTP_GOLDEN_FILES.config));
      expect(asGolden(spec, p.pamInclude)).toBe(otpGolden(spec, OTP_GOLDEN_FILES.pamInclude));
      expect(asGolden(spec, p.dropIn)).toBe(otpGolden(spec, OTP_GOLDEN_FILES.dropIn));
      expect(readFileSync(p.pamService, 'utf8')).toBe(
        DEBIAN_PAM_SSHD.replace('@include common-auth', `${otpPamIncludeLine(otp)}\n@include common-auth`),
      );
      if (spec === 'tls') {
        expect(readFileSync(p.caCert, 'utf8')).toBe(readFileSync(caBundle, 'utf8'));
        expect(statSync(p.caCert)).toMatchObject({ uid: 0, gid: 0, mode: 0o100644 });
      } else {
        expect(existsSync(p.caCert)).toBe(false);
      }
      expect(existsSync(join(dir, spec, 'reloaded'))).toBe(true);
      rmSync(join(dir, spec, 'reloaded'));
    }
  });
});
