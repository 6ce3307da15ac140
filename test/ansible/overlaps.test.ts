// Issue 13, finding 8: the ssh_ca_trust role removed "principals files of accounts no longer mapped"
// by listing the principals directory, so a principals directory that was also the sshd config
// directory (or the trusted CA keys file's) lost sshd_config, its host keys, moduli and the keys
// file. The real ansible-playbook (ansible_connection=local, every path in a scratch directory, the
// real /usr/sbin/sshd for checks, a reload command that only touches a file) now refuses such paths
// before anything is written, with the same words as validateHostTrust, and only ever removes files
// it wrote itself. The one case that names real system paths (/etc/ssh) runs with --check, so that
// even a broken role could not change the machine.

import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { isValidationError } from '../../core/errors.js';
import { validateHostTrust, type HostTrustPaths, type HostTrustSpec } from '../../core/render/host-trust.js';
import { SYSTEM_DIRECTORIES } from '../../core/render/path-checks.js';
import { renderPrincipalsFiles } from '../../core/render/sshd-files.js';
import { GOLDEN_SPECS } from '../core/render/golden.js';
import { ANSIBLE_DIR, ansibleEnv, parseFatal, parseRecap, runSitePlaybook } from '../helpers/ansible.js';
import { makeScratchDir, removeScratchDir } from '../helpers/scratch.js';
import { SSHD_PATH } from '../helpers/sshd.js';

const OWN = 'give the principals files a directory of their own, such as /etc/ssh/sshca/principals';
const REFUSING = 'ssh_ca_trust: refusing to change anything: ';

let dir: string;
let env: NodeJS.ProcessEnv;

/** A local "host": an sshd config directory like Debian's /etc/ssh, in the scratch directory. */
interface Host {
  readonly root: string;
  readonly sshdConfig: string;
  readonly hostKey: string;
}

function makeHost(name: string): Host {
  const root = join(dir, name);
  mkdirSync(join(root, 'sshd_config.d'), { recursive: true, mode: 0o755 });
  mkdirSync(join(root, 'sshca'), { recursive: true, mode: 0o755 });
  const sshdConfig = join(root, 'sshd_config');
  writeFileSync(sshdConfig, `Include ${root}/sshd_config.d/*.conf\nUsePAM no\n`);
  writeFileSync(join(root, 'moduli'), '# Time Type Tests Tries Size Generator Modulus\n');
  writeFileSync(join(root, 'sshd_config.d/05-local.conf'), 'PasswordAuthentication no\n');
  const hostKey = join(root, 'ssh_host_ed25519_key');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', name, '-f', hostKey]);
  return { root, sshdConfig, hostKey };
}

/** The role's variables for a host, with the given paths. */
function vars(host: Host, paths: HostTrustPaths, environment = 'dev'): Record<string, unknown> {
  return {
    ansible_connection: 'local',
    ssh_ca_trust_environment: environment,
    ssh_ca_trust_ca_keys: GOLDEN_SPECS.dev.caKeys,
    ssh_ca_trust_principals: GOLDEN_SPECS.dev.principals,
    ssh_ca_trust_dropin_path: paths.dropIn,
    ssh_ca_trust_ca_keys_path: paths.trustedCaKeys,
    ssh_ca_trust_principals_dir: paths.principalsDir,
    ssh_ca_trust_sshd_command: SSHD_PATH,
    ssh_ca_trust_sshd_config: host.sshdConfig,
    ssh_ca_trust_sshd_host_keys: [host.hostKey],
    ssh_ca_trust_reload_command: `touch ${join(host.root, 'reloaded')}`,
  };
}

function inventory(name: string, hosts: Record<string, Record<string, unknown>>): string {
  const path = join(dir, `${name}.yml`);
  writeFileSync(path, `---\n${stringify({ all: { hosts } })}`);
  return path;
}

/** Every entry under a directory (files with content and mode, directories, symlinks), by path. */
function snapshot(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(root, { recursive: true }) as string[]) {
    const path = join(root, name);
    const s = lstatSync(path);
    out[path] = s.isSymbolicLink()
      ? `link ${readlinkSync(path)}`
      : s.isDirectory()
        ? `dir ${s.mode.toString(8)}`
        : `file ${s.mode.toString(8)} ${s.mtimeMs} ${readFileSync(path, 'utf8')}`;
  }
  return out;
}

/** The messages validateHostTrust refuses a spec with, as the role joins them. */
function typescriptRefusal(spec: HostTrustSpec): string {
  try {
    validateHostTrust(spec);
  } catch (e) {
    if (isValidationError(e)) return REFUSING + e.issues.map((i) => i.message).join('; ');
    throw e;
  }
  throw new Error('validateHostTrust accepted the spec');
}

beforeAll(() => {
  dir = makeScratchDir('ansible-overlaps');
  env = ansibleEnv(dir);
});

afterAll(() => {
  if (dir) removeScratchDir(dir);
});

it('the role refuses the same system directories as the TypeScript validator', () => {
  const roleVars = parse(readFileSync(join(ANSIBLE_DIR, 'roles/ssh_ca_trust/vars/main.yml'), 'utf8'));
  expect(roleVars.ssh_ca_trust__system_dirs).toEqual(SYSTEM_DIRECTORIES);
});

describe('overlapping paths are refused before anything is written or removed', () => {
  it('a principals directory that holds sshd_config, the host keys, the drop-in or the keys file; the same file twice', async () => {
    const configDir = makeHost('config-dir');
    const keysDir = makeHost('keys-dir');
    const sameFile = makeHost('same-file');
    const inConfigDir: HostTrustPaths = {
      dropIn: join(configDir.root, 'sshd_config.d/10-sshca.conf'),
      trustedCaKeys: join(configDir.root, 'sshca/trusted_user_ca_keys'),
      principalsDir: configDir.root,
    };
    const inKeysDir: HostTrustPaths = {
      dropIn: join(keysDir.root, 'sshd_config.d/10-sshca.conf'),
      trustedCaKeys: join(keysDir.root, 'sshca/trusted_user_ca_keys'),
      principalsDir: `${join(keysDir.root, 'sshca')}/`,
    };
    const onSshdConfig: HostTrustPaths = {
      dropIn: join(sameFile.root, 'sshd_config.d/10-sshca.conf'),
      trustedCaKeys: sameFile.sshdConfig,
      principalsDir: join(sameFile.root, 'sshca/principals'),
    };
    const hosts = () => ({ ...snapshot(configDir.root), ...snapshot(keysDir.root), ...snapshot(sameFile.root) });
    const before = hosts();
    const r = await runSitePlaybook(
      inventory('overlapping', {
        'config-dir': vars(configDir, inConfigDir),
        'keys-dir': vars(keysDir, inKeysDir),
        'same-file': vars(sameFile, onSshdConfig),
      }),
      env,
    );
    expect(r.code).toBe(2);
    expect(parseFatal(r.stdout)).toEqual({
      'config-dir': {
        changed: false,
        msg:
          REFUSING +
          [
            `the principals directory ${configDir.root} contains the drop-in ${inConfigDir.dropIn}: ${OWN}`,
            `the principals directory ${configDir.root} contains the trusted CA keys file ${inConfigDir.trustedCaKeys}: ${OWN}`,
            `the principals directory ${configDir.root} contains the sshd config ${configDir.sshdConfig}: ${OWN}`,
            `the principals directory ${configDir.root} contains the sshd host key ${configDir.hostKey}: ${OWN}`,
          ].join('; '),
      },
      'keys-dir': {
        changed: false,
        msg: `${REFUSING}the principals directory ${keysDir.root}/sshca/ contains the trusted CA keys file ${inKeysDir.trustedCaKeys}: ${OWN}`,
      },
      'same-file': {
        changed: false,
        msg: `${REFUSING}the trusted CA keys file and the sshd config are both ${sameFile.sshdConfig}: each needs a path of its own`,
      },
    });
    const refused = { ok: 1, changed: 0, unreachable: 0, failed: 1, skipped: 0, rescued: 0, ignored: 0 };
    expect(parseRecap(r.stdout)).toEqual({ 'config-dir': refused, 'keys-dir': refused, 'same-file': refused });
    // Nothing written, nothing removed, nothing reloaded: sshd_config, moduli, the host keys are there.
    expect(hosts()).toEqual(before);

    // The TypeScript validator says the same (it knows no sshd config or host key but Debian's own).
    expect(typescriptRefusal({ ...GOLDEN_SPECS.dev, paths: inKeysDir })).toBe(parseFatal(r.stdout)['keys-dir']!.msg);
    expect(typescriptRefusal({ ...GOLDEN_SPECS.dev, paths: inConfigDir })).toBe(
      REFUSING +
        [
          `the principals directory ${configDir.root} contains the drop-in ${inConfigDir.dropIn}: ${OWN}`,
          `the principals directory ${configDir.root} contains the trusted CA keys file ${inConfigDir.trustedCaKeys}: ${OWN}`,
        ].join('; '),
    );
  });

  it('/etc/ssh as the principals directory (with --check: this case names the machine’s own paths)', async () => {
    const r = await runSitePlaybook(
      inventory('system', {
        system: {
          ansible_connection: 'local',
          ssh_ca_trust_environment: 'dev',
          ssh_ca_trust_ca_keys: GOLDEN_SPECS.dev.caKeys,
          ssh_ca_trust_principals_dir: '/etc/ssh',
          ssh_ca_trust_reload_command: 'false',
        },
      }),
      env,
      ['--check'],
    );
    expect(r.code).toBe(2);
    const msg = parseFatal(r.stdout).system!.msg;
    expect(msg).toBe(
      REFUSING +
        [
          `the principals directory /etc/ssh is a system directory: ${OWN}`,
          `the principals directory /etc/ssh contains the drop-in /etc/ssh/sshd_config.d/10-sshca.conf: ${OWN}`,
          `the principals directory /etc/ssh contains the trusted CA keys file /etc/ssh/sshca/trusted_user_ca_keys: ${OWN}`,
          `the principals directory /etc/ssh contains the sshd config /etc/ssh/sshd_config: ${OWN}`,
        ].join('; '),
    );
    // Byte for byte what validateHostTrust says for the same paths.
    expect(typescriptRefusal({ ...GOLDEN_SPECS.dev, paths: { principalsDir: '/etc/ssh' } })).toBe(msg);
  });
});

it('only principals files the role wrote are removed: a file of someone else in the directory stays', async () => {
  const host = makeHost('foreign');
  const paths: HostTrustPaths = {
    dropIn: join(host.root, 'sshd_config.d/10-sshca.conf'),
    trustedCaKeys: join(host.root, 'sshca/trusted_user_ca_keys'),
    principalsDir: join(host.root, 'sshca/principals'),
  };
  mkdirSync(paths.principalsDir, { mode: 0o755 });
  const managed = '# Managed by vault-ssh-ca: changes here are overwritten.\n';
  // Written by an earlier run for an account no longer mapped: removed.
  writeFileSync(
    join(paths.principalsDir, 'olduser'),
    `${managed}# Principals that may log in as olduser in environment dev.\nold\n`,
  );
  // Not ours: kept (today's role removed all three).
  const foreign = {
    notes: 'ops: the principals files here are written by Ansible\n',
    'trusted_user_ca_keys.bak': `${managed}# CA public keys of environment dev.\n${GOLDEN_SPECS.dev.caKeys[0]}\n`,
    '.keep': '',
  };
  for (const [name, content] of Object.entries(foreign)) writeFileSync(join(paths.principalsDir, name), content);

  const r = await runSitePlaybook(inventory('foreign', { foreign: vars(host, paths) }), env);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  const trust = validateHostTrust({ ...GOLDEN_SPECS.dev, paths });
  const written = renderPrincipalsFiles(trust);
  expect(readdirSync(paths.principalsDir).sort()).toEqual(
    [...Object.keys(foreign), ...written.map((f) => f.account)].sort(),
  );
  for (const [name, content] of Object.entries(foreign)) {
    expect(readFileSync(join(paths.principalsDir, name), 'utf8')).toBe(content);
  }
  for (const f of written) expect(readFileSync(f.path, 'utf8')).toBe(f.content);
  expect(existsSync(join(paths.principalsDir, 'olduser'))).toBe(false);
  expect(existsSync(join(host.root, 'reloaded'))).toBe(true);
});

it('leaves the owner and mode of existing directories alone: a shared 1777 directory keeps its sticky bit', async () => {
  const host = makeHost('shared-dir');
  const shared = join(host.root, 'shared');
  mkdirSync(shared);
  chmodSync(shared, 0o1777);
  const paths: HostTrustPaths = {
    dropIn: join(host.root, 'sshd_config.d/10-sshca.conf'),
    trustedCaKeys: join(shared, 'trusted_user_ca_keys'),
    principalsDir: join(host.root, 'sshca/principals'),
  };
  const r = await runSitePlaybook(inventory('shared-dir', { 'shared-dir': vars(host, paths) }), env);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  expect(statSync(shared).mode & 0o7777).toBe(0o1777);
  expect(statSync(paths.principalsDir).mode & 0o7777).toBe(0o755);
});
