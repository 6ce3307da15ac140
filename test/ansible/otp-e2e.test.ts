// End to end (issue 12, point 3): the real ansible-playbook (ansible_connection=local) applies
// playbooks/otp.yml, i.e. the ssh_otp_helper role, to a real sshd of the harness that runs under a PAM
// service of its own (/etc/pam.d/sshd-otp-<random>, written like Debian's /etc/pam.d/sshd: common-auth
// for auth). Before the role, the host's config turns keyboard-interactive and PAM off (its first
// lines, after the Include of the role's drop-in directory), so only the role's drop-in can turn them
// on. Every path the role writes is in the test's scratch directory, except the PAM service, which is
// the test sshd's own; the reload is `kill -HUP <that sshd's pid>`. OTPs come from the embedded
// server's `creds` over real HTTP; the real ssh types them through SSH_ASKPASS, and at the end
// `sshca ssh --otp` (the built binary) logs in to the configured host as a user would.

import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import {
  otpPamIncludeLine,
  renderOtpHelperConfig,
  renderOtpPamInclude,
  renderOtpSshdDropIn,
  validateOtpHelper,
  type OtpHelper,
} from '../../core/render/otp-helper.js';
import {
  ANSIBLE_DIR,
  ansibleEnv,
  parseFatal,
  parseRecap,
  runCommand,
  type PlaybookResult,
} from '../helpers/ansible.js';
import {
  OTP_TEST_PAM_SERVICE,
  otpPathsUnder,
  otpPathVars,
  startOtpTestHost,
  type OtpTestHost,
} from '../helpers/otp-host.js';
import { makeScratchDir, removeScratchDir } from '../helpers/scratch.js';
import { OTP_HELPER_PATH, sshOtpLogin } from '../helpers/sshd-otp.js';
import { writeKnownHosts } from '../helpers/ssh-client.js';
import { runSshca } from '../helpers/sshca-bin.js';
import { SSHD_PATH, type SshdHost } from '../helpers/sshd.js';
import { startTestServer, type TestServer } from '../helpers/vault-server.js';

const OTP_PLAYBOOK = join(ANSIBLE_DIR, 'playbooks/otp.yml');
const ADDRESS = '127.0.0.6';
// A mount and role of this test's own, not the dev+prod scenario's (ssh-dev, role otp; core/scenario.ts):
// the test is of the Ansible role and the helper, whatever the names.
const MOUNT = 'ssh-otp';
const ROLE = 'otp-dev';
/** The ansible_managed text the tests configure, the same as the TypeScript renderers' default. */
export const MANAGED = 'Managed by vault-ssh-ca: changes here are overwritten.';

let dir: string;
let otpHost: OtpTestHost;
let server: TestServer;
let account: string;
let host: SshdHost;
let env: NodeJS.ProcessEnv;
const durations: Record<string, number> = {};

/** Where the role puts the host's files: under `<dir>/<root>`, and the test sshd's PAM service. */
function placement(root: string) {
  return { ...otpPathsUnder(join(dir, root)), pamService: host.pamFile!, dropIn: otpPathsUnder(dir).dropIn };
}

/** The role's view of the host, in TypeScript: what its files must be byte for byte. */
function expected(): OtpHelper {
  return validateOtpHelper({
    vaultAddr: server.url,
    mount: MOUNT,
    allowedRoles: [ROLE],
    dev: true,
    pamLog: join(dir, 'helper.log'),
    paths: placement('host'),
  });
}

function hostVars(root: string, extra: Record<string, unknown> = {}) {
  return {
    ansible_connection: 'local',
    ssh_otp_helper_vault_addr: server.url,
    ssh_otp_helper_dev: true,
    ssh_otp_helper_mount: MOUNT,
    ssh_otp_helper_allowed_roles: [ROLE],
    ssh_otp_helper_pam_log: join(dir, 'helper.log'),
    ...otpPathVars(placement(root)),
    ssh_otp_helper_sshd_command: SSHD_PATH,
    ssh_otp_helper_sshd_config: join(host.dir, 'sshd_config'),
    ssh_otp_helper_reload_command: `kill -HUP ${host.pid}`,
    ...extra,
  };
}

function writeInventory(name: string, hosts: Record<string, Record<string, unknown>>): string {
  const file = join(dir, `${name}.yml`);
  writeFileSync(file, `---\n${stringify({ all: { children: { otp: { hosts } } } })}`);
  return file;
}

async function run(label: string, inventory: string): Promise<PlaybookResult> {
  const r = await runCommand('ansible-playbook', ['-i', inventory, OTP_PLAYBOOK], env);
  durations[label] = r.ms;
  return r;
}

/** Every file under the scratch "etc" and "host" trees and the PAM service: content, mode, mtime. */
function snapshot(): Record<string, { content: string; mode: number; mtimeMs: number }> {
  const out: Record<string, { content: string; mode: number; mtimeMs: number }> = {};
  const add = (path: string) => {
    const s = statSync(path);
    if (s.isFile()) out[path] = { content: readFileSync(path, 'utf8'), mode: s.mode, mtimeMs: s.mtimeMs };
  };
  for (const root of ['etc', 'host']) {
    if (!existsSync(join(dir, root))) continue;
    for (const name of readdirSync(join(dir, root), { recursive: true }) as string[]) add(join(dir, root, name));
  }
  add(host.pamFile!);
  return out;
}

const SIGHUP = 'Received SIGHUP; restarting.';
const sighups = (mark: number) =>
  host
    .log()
    .slice(mark)
    .split('\n')
    .filter((l) => l === SIGHUP).length;

beforeAll(async () => {
  dir = makeScratchDir('ansible-otp');
  chmodSync(dir, 0o711);
  otpHost = await startOtpTestHost(dir, {
    name: 'otp',
    address: ADDRESS,
    mount: MOUNT,
    role: ROLE,
  });
  ({ server, account, host } = otpHost);
  env = ansibleEnv(dir);
  // The same header the TypeScript renderers write by default.
  writeFileSync(env.ANSIBLE_CONFIG!, `[defaults]\nansible_managed = ${MANAGED}\n`);
});

afterAll(async () => {
  console.info(`ansible-playbook durations (ms): ${JSON.stringify(durations)}`);
  await otpHost?.close();
  if (dir) removeScratchDir(dir);
});

describe('ansible-playbook otp.yml against a real sshd with a PAM service of its own', () => {
  it('before the role, the host offers no keyboard-interactive: an OTP is refused, a certificate logs in', async () => {
    const otp = await otpHost.issueOtp();
    expect(await sshOtpLogin({ host, user: account, otp })).toEqual({
      code: 255,
      stdout: '',
      stderr: `${account}@${ADDRESS}: Permission denied (publickey).\r\n`,
    });
    expect(await otpHost.certificateLogin()).toEqual({ code: 0, stdout: `${account}\n`, stderr: '' });
  });

  it('refuses bad variables before anything is written', async () => {
    const before = snapshot();
    const inventory = writeInventory('bad', {
      'bad-vars': hostVars('bad', {
        ssh_otp_helper_vault_addr: 'http://vault.example.com:8200',
        ssh_otp_helper_dev: false,
        ssh_otp_helper_mount: '/ssh//otp',
        ssh_otp_helper_allowed_roles: ['*', ROLE],
        ssh_otp_helper_allowed_cidr_list: ['10.0.0.0/8', 'everywhere'],
        ssh_otp_helper_path: 'usr/local/bin/vault-ssh-helper',
        ssh_otp_helper_pam_include_path: host.pamFile,
        ssh_otp_helper_dropin_path: join(dir, 'bad/sshd_config.d/60-sshca-otp.conf'),
      }),
      // Paths that would overwrite each other or sshd's own configuration.
      'clashing-paths': hostVars('clash', {
        ssh_otp_helper_config_path: join(host.dir, 'sshd_config'),
        ssh_otp_helper_pam_include_path: join(dir, 'clash/otp'),
        ssh_otp_helper_dropin_path: join(dir, 'clash/otp'),
      }),
      'missing-roles': Object.fromEntries(
        Object.entries(hostVars('missing')).filter(([k]) => k !== 'ssh_otp_helper_allowed_roles'),
      ),
    });
    const r = await run('bad variables', inventory);
    expect(r.code).toBe(2);
    const fatal = parseFatal(r.stdout);
    expect(fatal['bad-vars']).toEqual({
      changed: false,
      msg:
        'ssh_otp_helper: refusing to change anything: ' +
        'ssh_otp_helper_vault_addr http://vault.example.com:8200 is plain http: one-time passwords would cross the network in clear. ' +
        'Use https, or set ssh_otp_helper_dev: true for a test backend; ' +
        'ssh_otp_helper_mount must be a mount path such as ssh or ssh-dev, got "/ssh//otp"; ' +
        'ssh_otp_helper_allowed_roles: "*" allows every role and stands alone, got ["*", "otp-dev"]; ' +
        'ssh_otp_helper_allowed_cidr_list: "everywhere" is not a CIDR block such as 10.0.0.0/16; ' +
        'ssh_otp_helper_path must be an absolute path of letters, digits and ._/-, got "usr/local/bin/vault-ssh-helper"; ' +
        `ssh_otp_helper_pam_include_path must be a file of its own, not the sshd PAM service ${host.pamFile}; ` +
        "the drop-in's name must end in .conf and sort before 50-cloud-init.conf, got 60-sshca-otp.conf",
    });
    expect(fatal['clashing-paths']).toEqual({
      changed: false,
      msg:
        'ssh_otp_helper: refusing to change anything: ' +
        `ssh_otp_helper_config_path and ssh_otp_helper_sshd_config are the same file ${join(host.dir, 'sshd_config')}: ` +
        'one would overwrite the other; give each a path of its own; ' +
        `ssh_otp_helper_pam_include_path and ssh_otp_helper_dropin_path are the same file ${join(dir, 'clash/otp')}: ` +
        'one would overwrite the other; give each a path of its own; ' +
        "the drop-in's name must end in .conf and sort before 50-cloud-init.conf, got otp",
    });
    // argument_specs: a required variable left out.
    expect(fatal['missing-roles']).toMatchObject({
      argument_errors: ['missing required arguments: ssh_otp_helper_allowed_roles'],
    });
    expect(parseRecap(r.stdout)).toEqual({
      'bad-vars': { ok: 1, changed: 0, unreachable: 0, failed: 1, skipped: 0, rescued: 0, ignored: 0 },
      'clashing-paths': { ok: 1, changed: 0, unreachable: 0, failed: 1, skipped: 0, rescued: 0, ignored: 0 },
      'missing-roles': { ok: 0, changed: 0, unreachable: 0, failed: 1, skipped: 0, rescued: 0, ignored: 0 },
    });
    expect(snapshot()).toEqual(before);
    expect(existsSync(join(dir, 'bad'))).toBe(false);
    expect(existsSync(join(dir, 'missing'))).toBe(false);
    expect(existsSync(join(dir, 'clash'))).toBe(false);
  });

  it("a backend that fails the helper's -verify-only leaves PAM and sshd as they were", async () => {
    const before = snapshot();
    const mark = host.log().length;
    // A port nothing listens on: the embedded server's own, once it is closed.
    const down = await startTestServer();
    await down.close();
    const r = await run(
      'backend down',
      writeInventory('down', { 'otp-sshd': hostVars('host', { ssh_otp_helper_vault_addr: down.url }) }),
    );
    expect(r.code).toBe(2);
    const fatal = parseFatal(r.stdout)['otp-sshd']!;
    expect(fatal).toMatchObject({
      msg: 'failed to validate',
      exit_status: 1,
      stderr: `vault-ssh-helper: verification failed: backend ${down.url} unreachable: Connection refused\n`,
    });
    expect(parseRecap(r.stdout)).toEqual({
      'otp-sshd': { ok: 5, changed: 2, unreachable: 0, failed: 1, skipped: 3, rescued: 0, ignored: 0 },
    });
    // Only the (inert) helper and the directories were installed: no config, no PAM or sshd file changed.
    const after = snapshot();
    const p = placement('host');
    expect(Object.keys(after).filter((k) => !(k in before))).toEqual([p.helper]);
    for (const [path, file] of Object.entries(before)) expect(after[path]).toEqual(file);
    expect(readFileSync(host.pamFile!, 'utf8')).toBe(OTP_TEST_PAM_SERVICE);
    expect(existsSync(p.dropIn)).toBe(false);
    expect(sighups(mark)).toBe(0);
    expect(await otpHost.certificateLogin()).toEqual({ code: 0, stdout: `${account}\n`, stderr: '' });
  });

  it('then configures the host: the same bytes as the TypeScript renderers, one reload, and an OTP logs in once', async () => {
    const mark = host.log().length;
    const r = await run('first', writeInventory('host', { 'otp-sshd': hostVars('host') }));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(parseRecap(r.stdout)).toEqual({
      'otp-sshd': { ok: 13, changed: 5, unreachable: 0, failed: 0, skipped: 7, rescued: 0, ignored: 0 },
    });
    await host.waitForLog(/^Received SIGHUP; restarting\.$/, mark, 10_000);
    await host.waitForLog(
      new RegExp(`^Server listening on ${ADDRESS.replace(/\./g, '\\.')} port ${host.port}\\.$`),
      mark + 1,
      10_000,
    );
    expect(sighups(mark)).toBe(1);

    const otp = expected();
    expect(readFileSync(otp.paths.helper)).toEqual(readFileSync(OTP_HELPER_PATH));
    expect(readFileSync(otp.paths.config, 'utf8')).toBe(renderOtpHelperConfig(otp));
    expect(readFileSync(otp.paths.pamInclude, 'utf8')).toBe(renderOtpPamInclude(otp));
    expect(readFileSync(otp.paths.dropIn, 'utf8')).toBe(renderOtpSshdDropIn(otp));
    expect(statSync(otp.paths.helper)).toMatchObject({ uid: 0, gid: 0, mode: 0o100755 });
    for (const path of [otp.paths.config, otp.paths.pamInclude, otp.paths.dropIn, host.pamFile!]) {
      expect(statSync(path)).toMatchObject({ uid: 0, gid: 0, mode: 0o100644 });
    }
    // The host's PAM service: one line more, before its first auth line.
    expect(readFileSync(host.pamFile!, 'utf8')).toBe(
      OTP_TEST_PAM_SERVICE.replace('@include common-auth\n', `${otpPamIncludeLine(otp)}\n@include common-auth\n`),
    );

    const key = await otpHost.issueOtp();
    const first = await sshOtpLogin({ host, user: account, otp: key, command: 'id -un' });
    expect(first).toEqual({ code: 0, stdout: `${account}\n`, stderr: '' });
    expect(readFileSync(join(dir, 'helper.log'), 'utf8')).toMatch(
      new RegExp(
        `vault-ssh-helper: accepted user=${account} ip=${ADDRESS.replace(/\./g, '\\.')} role=${ROLE}: ip is an address of this host\n$`,
      ),
    );
    expect(readFileSync(join(dir, 'helper.log'), 'utf8')).not.toContain(key);
    // Single use: the same OTP again is refused, by the backend.
    expect(await sshOtpLogin({ host, user: account, otp: key })).toEqual({
      code: 255,
      stdout: '',
      stderr: `${account}@${ADDRESS}: Permission denied (publickey,keyboard-interactive).\r\n`,
    });
    expect(readFileSync(join(dir, 'helper.log'), 'utf8')).toMatch(
      new RegExp(
        `vault-ssh-helper: refused user=${account}: OTP not found \\(unknown, already used, expired or revoked\\)\n$`,
      ),
    );
    // Anything that is not an OTP is refused by the helper without asking the backend.
    expect((await sshOtpLogin({ host, user: account, otp: 'not-an-otp' })).code).toBe(255);
    expect(readFileSync(join(dir, 'helper.log'), 'utf8')).toMatch(
      new RegExp(
        `vault-ssh-helper: refused user=${account}: the password is not an OTP \\(not in UUID form\\); it was not sent to the backend\n$`,
      ),
    );
  });

  it('keeps certificate logins working beside the OTPs', async () => {
    expect(await otpHost.certificateLogin()).toEqual({ code: 0, stdout: `${account}\n`, stderr: '' });
  });

  it('a second run reports changed=0 and does not reload sshd', async () => {
    const before = snapshot();
    const mark = host.log().length;
    const r = await run('second', join(dir, 'host.yml'));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(parseRecap(r.stdout)).toEqual({
      'otp-sshd': { ok: 11, changed: 0, unreachable: 0, failed: 0, skipped: 6, rescued: 0, ignored: 0 },
    });
    expect(snapshot()).toEqual(before);
    expect(sighups(mark)).toBe(0);
    const key = await otpHost.issueOtp();
    expect(await sshOtpLogin({ host, user: account, otp: key, command: 'id -un' })).toEqual({
      code: 0,
      stdout: `${account}\n`,
      stderr: '',
    });
  });

  it('lets `sshca ssh --otp` log in to the host the role configured', async () => {
    const ssh = [
      ...['-F', 'none', '-o', `UserKnownHostsFile=${writeKnownHosts([host], dir)}`, '-o', 'StrictHostKeyChecking=yes'],
      ...['-o', 'IdentityAgent=none', '-o', 'ControlPath=none', '-T', '-p', String(host.port)],
      `${account}@${ADDRESS}`,
      'id -un',
    ];
    const env = { VAULT_ADDR: server.url, VAULT_TOKEN: server.token, HOME: dir };
    const r = await runSshca(['ssh', '--otp', '--mount', MOUNT, '--role', ROLE, '--', ...ssh], env);
    expect(r.stdout).toBe(`${account}\n`);
    expect(r.stderr).toMatch(
      new RegExp(
        `^sshca: one-time password from ${MOUNT}/creds/${ROLE} for ${account}@${ADDRESS.replace(/\./g, '\\.')} \\(lease ${MOUNT}/creds/${ROLE}/[0-9a-f-]{36}\\)\n$`,
      ),
    );
    expect(r.code).toBe(0);
    expect(readFileSync(join(dir, 'helper.log'), 'utf8')).toMatch(
      new RegExp(`accepted user=${account} ip=127\\.0\\.0\\.6 role=${ROLE}`),
    );
  });
});
