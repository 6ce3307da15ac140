// End to end (issue 23, point 3): the real ansible-playbook (ansible_connection=local) applies the
// ssh_dynamic_keys_admin role, with the example playbook of its README, to this machine under names of
// this test's own (admin account sshca-adm-<random>, script /usr/local/sbin/sshca-authorized-key-<random>,
// drop-in /etc/sudoers.d/sshca-dynamic-keys-<random>, target account sshca-dk-<random>), all removed at
// the end; the shared test account sshca-test is not touched (test/e2e/dynamic-keys.test.ts checks its
// authorized_keys byte for byte while this file may run beside it). Then, over a real loopback sshd that
// reads ~/.ssh/authorized_keys: the admin logs in with its key, installs a key for the target account
// through `sudo -n <script> install`, and the target account logs in with it; every other
// sudo is refused; a drop-in that visudo refuses stops the play before anything is installed and leaves
// an older drop-in as it was; `from=` keeps the admin's key to the backend's addresses; a second run
// reports changed=0.

import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import {
  ANSIBLE_DIR,
  ansibleEnv,
  parseFatal,
  parseRecap,
  runCommand,
  type PlaybookResult,
} from '../helpers/ansible.js';
import { makeScratchDir, removeScratchDir } from '../helpers/scratch.js';
import { sshLogin } from '../helpers/ssh-client.js';
import { startSshdHosts, stopAll, type SshdHost } from '../helpers/sshd.js';

const ROLE_DIR = join(ANSIBLE_DIR, 'roles/ssh_dynamic_keys_admin');
const AUTHORIZED_KEY_SCRIPT = join(ROLE_DIR, 'files/sshca-authorized-key');
const ADDRESS = '127.0.0.23';
const suffix = randomBytes(4).toString('hex');
const ADMIN = `sshca-adm-${suffix}`;
const HOME = `/var/lib/${ADMIN}`;
const SCRIPT = `/usr/local/sbin/sshca-authorized-key-${suffix}`;
const SUDOERS = `/etc/sudoers.d/sshca-dynamic-keys-${suffix}`;
/** The target account: a throwaway of this file's (uid >= 1000, password field "*"), never sshca-test. */
const user = `sshca-dk-${suffix}`;

let dir: string;
let env: NodeJS.ProcessEnv;
let host: SshdHost | undefined;
let playbook: string;
const key = (name: string) => readFileSync(join(dir, `${name}.pub`), 'utf8').trim();
const durations: Record<string, number> = {};

function hostVars(extra: Record<string, unknown> = {}) {
  return {
    ansible_connection: 'local',
    ssh_dynamic_keys_admin_user: ADMIN,
    ssh_dynamic_keys_admin_home: HOME,
    ssh_dynamic_keys_admin_script_path: SCRIPT,
    ssh_dynamic_keys_admin_sudoers_path: SUDOERS,
    ssh_dynamic_keys_admin_from: ['127.0.0.0/8'],
    ssh_dynamic_keys_admin_authorized_key: key('admin'),
    ...extra,
  };
}

function writeInventory(name: string, hosts: Record<string, Record<string, unknown>>): string {
  const file = join(dir, `${name}.yml`);
  writeFileSync(file, `---\n${stringify({ all: { children: { dynamic_keys: { hosts } } } })}`);
  return file;
}

async function run(label: string, inventory: string, extraArgs: string[] = []): Promise<PlaybookResult> {
  const r = await runCommand('ansible-playbook', ['-i', inventory, playbook, ...extraArgs], env);
  durations[label] = r.ms;
  return r;
}

/** Run `command` on the test sshd as `account` with the private key `<dir>/<keyName>`. */
const loginAs = (account: string, keyName: string, command: string) =>
  sshLogin({ host: host!, user: account, identityFile: join(dir, keyName), command });

/** The admin's remote command that pipes `line` into `sudo -n <script> <verb> <account>`. */
const throughSudo = (verb: string, account: string, line: string) =>
  `printf '%s\\n' '${line}' | sudo -n ${SCRIPT} ${verb} ${account}`;

const accountExists = (name: string) => {
  try {
    execFileSync('getent', ['passwd', name], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
};

/** The drop-in a broken rule would give: visudo refuses it (no colon after NOPASSWD). */
const BROKEN_RULE = JSON.stringify({ ssh_dynamic_keys_admin__sudoers_rule: `${ADMIN} ALL=(root) NOPASSWD ${SCRIPT}` });

beforeAll(async () => {
  dir = makeScratchDir('dynamic-keys-admin');
  for (const name of ['admin', 'user', 'other']) {
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', `${name}@test`, '-f', join(dir, name)]);
  }
  // sshd with UsePAM no refuses a locked ("!") account: the password field is "*". Other test files
  // may hold the /etc/passwd lock at the same moment, so useradd is tried again then.
  for (let attempt = 1; !accountExists(user); attempt++) {
    try {
      execFileSync('useradd', ['--create-home', '--shell', '/bin/sh', '--password', '*', user], { stdio: 'pipe' });
    } catch (e) {
      if (attempt === 20) throw e;
      await sleep(100);
    }
  }
  // The README's example playbook, as a user would copy it.
  const readme = readFileSync(join(ROLE_DIR, 'README.md'), 'utf8');
  const example = /```yaml\n(---\n[\s\S]*?)```/.exec(readme);
  expect(example).not.toBeNull();
  playbook = join(dir, 'dynamic-keys.yml');
  writeFileSync(playbook, example![1]!);
  env = ansibleEnv(dir, { ANSIBLE_ROLES_PATH: join(ANSIBLE_DIR, 'roles') });
  [host] = await startSshdHosts([
    {
      name: 'dynamic-keys',
      address: ADDRESS,
      trustedUserCaKeys: [],
      principals: {},
      // First, so it wins over the harness's `AuthorizedKeysFile none`.
      extraConfig: ['AuthorizedKeysFile .ssh/authorized_keys'],
    },
  ]);
});

afterAll(async () => {
  console.info(`ansible-playbook durations (ms): ${JSON.stringify(durations)}`);
  if (host) await stopAll([host]);
  for (const account of [user, ADMIN]) {
    if (accountExists(account)) execFileSync('userdel', ['--remove', account], { stdio: 'pipe' });
    try {
      execFileSync('groupdel', [account], { stdio: 'pipe' });
    } catch {
      // userdel removed it already
    }
  }
  rmSync(SUDOERS, { force: true });
  rmSync(SCRIPT, { force: true });
  if (dir) removeScratchDir(dir);
});

describe('ansible-playbook with the ssh_dynamic_keys_admin role', () => {
  it('refuses bad variables before anything is written, every problem named', async () => {
    const r = await run(
      'bad variables',
      writeInventory('bad', {
        'bad-vars': hostVars({
          ssh_dynamic_keys_admin_user: 'Admin!',
          ssh_dynamic_keys_admin_authorized_key: `no-pty ${key('admin')}`,
          ssh_dynamic_keys_admin_key_options: 'restrict,command="sh"',
          ssh_dynamic_keys_admin_from: ['10.0.0.0/8', 'everywhere'],
          ssh_dynamic_keys_admin_sudoers_path: '/etc/sudoers.d/sshca.conf',
        }),
      }),
    );
    expect(r.code).toBe(2);
    expect(parseFatal(r.stdout)['bad-vars']).toEqual({
      changed: false,
      msg:
        'ssh_dynamic_keys_admin: refusing to change anything: ' +
        'ssh_dynamic_keys_admin_user must be a user name of lower-case letters, digits, _ and - (not root), got "Admin!"; ' +
        'ssh_dynamic_keys_admin_authorized_key must be one public key line without options (ssh-ed25519 AAAA… comment), ' +
        `the public half of the key registered with the backend's keys/<name>; got ${key('admin').length + 7} characters starting "no-pty ssh-e"; ` +
        'ssh_dynamic_keys_admin_key_options must be comma-separated authorized_keys options without values ' +
        '(restrict, no-pty,no-port-forwarding; from= comes from ssh_dynamic_keys_admin_from), got "restrict,command=\\"sh\\""; ' +
        'ssh_dynamic_keys_admin_from: "everywhere" is not an address or CIDR block such as 10.0.0.0/16; ' +
        'ssh_dynamic_keys_admin_sudoers_path must be a file directly in /etc/sudoers.d whose name has no dot ' +
        'and does not end in ~ (sudo skips those), got "/etc/sudoers.d/sshca.conf"',
    });
    expect([existsSync(SUDOERS), existsSync(SCRIPT), accountExists(ADMIN)]).toEqual([false, false, false]);
  });

  it('a drop-in that visudo refuses fails the play before anything is installed', async () => {
    const r = await run('broken drop-in, first', writeInventory('host', { 'dk-host': hostVars() }), [
      '-e',
      BROKEN_RULE,
    ]);
    expect(r.code).toBe(2);
    expect(parseFatal(r.stdout)['dk-host']).toMatchObject({ msg: 'failed to validate', exit_status: 1 });
    expect(parseRecap(r.stdout)['dk-host']).toMatchObject({ changed: 0, failed: 1 });
    expect([existsSync(SUDOERS), existsSync(SCRIPT), accountExists(ADMIN)]).toEqual([false, false, false]);
  });

  it('configures the host: drop-in (visudo -cf passes), script, system account with "*", its one key', async () => {
    const r = await run('first', join(dir, 'host.yml'));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(parseRecap(r.stdout)).toEqual({
      'dk-host': { ok: 8, changed: 6, unreachable: 0, failed: 0, skipped: 1, rescued: 0, ignored: 0 },
    });
    expect(execFileSync('visudo', ['-cf', SUDOERS], { encoding: 'utf8' })).toBe(`${SUDOERS}: parsed OK\n`);
    const sudoers = readFileSync(SUDOERS, 'utf8');
    expect(sudoers.split('\n').filter((l) => l !== '' && !l.startsWith('#'))).toEqual([
      `Defaults:${ADMIN} !requiretty`,
      `${ADMIN} ALL=(root) NOPASSWD: ${SCRIPT} install *, ${SCRIPT} uninstall *`,
    ]);
    expect(statSync(SUDOERS)).toMatchObject({ uid: 0, gid: 0, mode: 0o100440 });
    expect(readFileSync(SCRIPT)).toEqual(readFileSync(AUTHORIZED_KEY_SCRIPT));
    expect(statSync(SCRIPT)).toMatchObject({ uid: 0, gid: 0, mode: 0o100755 });
    const [, , uid, , , home, shell] = execFileSync('getent', ['passwd', ADMIN], { encoding: 'utf8' })
      .trim()
      .split(':');
    expect([Number(uid) < 1000, home, shell]).toEqual([true, HOME, '/bin/sh']);
    expect(execFileSync('getent', ['shadow', ADMIN], { encoding: 'utf8' }).split(':')[1]).toBe('*');
    const keys = readFileSync(join(HOME, '.ssh/authorized_keys'), 'utf8');
    expect(keys.split('\n').filter((l) => l !== '' && !l.startsWith('#'))).toEqual([
      `restrict,from="127.0.0.0/8" ${key('admin')}`,
    ]);
    expect(statSync(join(HOME, '.ssh/authorized_keys'))).toMatchObject({ uid: Number(uid), mode: 0o100600 });
    expect(statSync(join(HOME, '.ssh'))).toMatchObject({ uid: Number(uid), mode: 0o40700 });
  });

  it('the admin, over ssh with its key, installs a key through sudo -n; the user logs in with it', async () => {
    expect(await loginAs(user, 'user', 'id -un')).toMatchObject({ code: 255 });
    expect(await loginAs(ADMIN, 'admin', throughSudo('install', user, key('user')))).toEqual({
      code: 0,
      stdout: '',
      stderr: '',
    });
    expect(await loginAs(user, 'user', 'id -un')).toEqual({ code: 0, stdout: `${user}\n`, stderr: '' });
    // Uninstall takes it away again; installing it back is the state the rest of the tests use.
    expect(await loginAs(ADMIN, 'admin', throughSudo('uninstall', user, key('user')))).toEqual({
      code: 0,
      stdout: '',
      stderr: '',
    });
    expect(await loginAs(user, 'user', 'id -un')).toMatchObject({ code: 255 });
    expect((await loginAs(ADMIN, 'admin', throughSudo('install', user, key('user')))).code).toBe(0);
  });

  it('refuses every other sudo of the admin, and the script refuses root', async () => {
    const refused = { code: 1, stdout: '', stderr: 'sudo: a password is required\n' };
    expect(await loginAs(ADMIN, 'admin', 'sudo -n /bin/true')).toEqual(refused);
    expect(await loginAs(ADMIN, 'admin', `sudo -n ${SCRIPT}`)).toEqual(refused);
    expect(await loginAs(ADMIN, 'admin', `sudo -n ${SCRIPT} --help`)).toEqual(refused);
    expect(await loginAs(ADMIN, 'admin', `sudo -n -u ${user} ${SCRIPT} install ${user}`)).toEqual(refused);
    expect(await loginAs(ADMIN, 'admin', throughSudo('install', 'root', key('other')))).toEqual({
      code: 4,
      stdout: '',
      stderr: 'sshca-authorized-key: refused: root is root or a system account (uid below 1000)\n',
    });
    // Not the admin's own key either: it is a system account.
    expect((await loginAs(ADMIN, 'admin', throughSudo('install', ADMIN, key('other')))).code).toBe(4);
  });

  it('a drop-in that visudo refuses later leaves the old drop-in, and sudo keeps working', async () => {
    const before = { content: readFileSync(SUDOERS, 'utf8'), mtimeMs: statSync(SUDOERS).mtimeMs };
    const r = await run('broken drop-in, again', join(dir, 'host.yml'), ['-e', BROKEN_RULE]);
    expect(r.code).toBe(2);
    expect(parseFatal(r.stdout)['dk-host']).toMatchObject({ msg: 'failed to validate', exit_status: 1 });
    expect({ content: readFileSync(SUDOERS, 'utf8'), mtimeMs: statSync(SUDOERS).mtimeMs }).toEqual(before);
    expect(await loginAs(ADMIN, 'admin', throughSudo('install', user, key('user')))).toEqual({
      code: 0,
      stdout: '',
      stderr: '',
    });
  });

  it('from= keeps the admin key to the backend addresses', async () => {
    const elsewhere = await run(
      'from elsewhere',
      writeInventory('elsewhere', { 'dk-host': hostVars({ ssh_dynamic_keys_admin_from: ['192.0.2.0/24'] }) }),
    );
    expect(parseRecap(elsewhere.stdout)['dk-host']).toMatchObject({ changed: 1, failed: 0 });
    expect(await loginAs(ADMIN, 'admin', 'true')).toMatchObject({ code: 255 });
    const back = await run('back', join(dir, 'host.yml'));
    expect(parseRecap(back.stdout)['dk-host']).toMatchObject({ changed: 1, failed: 0 });
    expect(await loginAs(ADMIN, 'admin', 'true')).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  it('a second run reports changed=0', async () => {
    const files = [SUDOERS, SCRIPT, join(HOME, '.ssh/authorized_keys')];
    const before = files.map((f) => [readFileSync(f, 'utf8'), statSync(f).mtimeMs]);
    const r = await run('second', join(dir, 'host.yml'));
    expect(r.stderr).toBe('');
    expect(parseRecap(r.stdout)).toEqual({
      'dk-host': { ok: 8, changed: 0, unreachable: 0, failed: 0, skipped: 1, rescued: 0, ignored: 0 },
    });
    expect(files.map((f) => [readFileSync(f, 'utf8'), statSync(f).mtimeMs])).toEqual(before);
  });
});
