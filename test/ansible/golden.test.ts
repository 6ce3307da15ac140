// The Ansible role and the TypeScript renderers produce the same bytes for the same inputs. The real
// ansible-playbook runs ansible/playbooks/site.yml with ansible_connection=local for a dev and a prod
// "host" whose files live in a scratch directory (the goldens use /etc/ssh paths, so the drop-in,
// the only file that names paths, is compared with the TypeScript rendering for the scratch paths
// and with the golden after putting the /etc/ssh paths back). Every sshd check is the real
// /usr/sbin/sshd with a host key of the test's own (ssh_ca_trust_sshd_host_keys). The reload command
// only touches a marker file: this test runs no sshd.
// The golden specs (test/golden/host-trust/specs.json) are renderer fixtures, not the dev+prod
// scenario (core/scenario.ts, checked by test/scenario.test.ts): an account with two principals
// (ubuntu), one that only dev maps (ec2-user) and two dev CA keys exercise sorting, per-environment
// files and rotation; their `ansible` account is only a name there.

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { renderAnsibleVars } from '../../core/render/ansible-vars.js';
import { DEFAULT_HOST_TRUST_PATHS, validateHostTrust, type HostTrustPaths } from '../../core/render/host-trust.js';
import { renderPrincipalsFiles, renderSshdDropIn, renderTrustedCaKeys } from '../../core/render/sshd-files.js';
import {
  DEFAULT_KRL_REFRESH_PATHS,
  renderKrlRefreshScript,
  renderKrlRefreshService,
  renderKrlRefreshTimer,
  validateKrlRefresh,
} from '../../core/render/krl-refresh.js';
import { GOLDEN_SPECS, golden } from '../core/render/golden.js';
import { ansibleEnv, parseFatal, parseRecap, runSitePlaybook, type PlaybookResult } from '../helpers/ansible.js';
import { makeScratchDir, removeScratchDir } from '../helpers/scratch.js';
import { SSHD_PATH } from '../helpers/sshd.js';
import { startTestServer, type TestServer } from '../helpers/vault-server.js';

const ENVIRONMENTS = ['dev', 'prod'] as const;
type Environment = (typeof ENVIRONMENTS)[number];

let dir: string;
let hostKey: string;
let env: NodeJS.ProcessEnv;
let server: TestServer;
const durations: Record<string, number> = {};

/** Where one local "host" keeps its sshd files. */
interface Layout {
  readonly root: string;
  readonly paths: HostTrustPaths;
  readonly sshdConfig: string;
  /** Touched by the reload command: proof that the handler ran. */
  readonly reloaded: string;
}

function layout(name: string): Layout {
  const root = join(dir, name);
  return {
    root,
    paths: {
      dropIn: join(root, 'sshd_config.d/10-sshca.conf'),
      trustedCaKeys: join(root, 'sshca/trusted_user_ca_keys'),
      principalsDir: join(root, 'sshca/principals'),
    },
    sshdConfig: join(root, 'sshd_config'),
    reloaded: join(root, 'reloaded'),
  };
}

/** Role variables that place a host's files in its layout (and check them with our host key). */
function placement(l: Layout): Record<string, unknown> {
  return {
    ansible_connection: 'local',
    ssh_ca_trust_dropin_path: l.paths.dropIn,
    ssh_ca_trust_ca_keys_path: l.paths.trustedCaKeys,
    ssh_ca_trust_principals_dir: l.paths.principalsDir,
    ssh_ca_trust_sshd_command: SSHD_PATH,
    ssh_ca_trust_sshd_config: l.sshdConfig,
    ssh_ca_trust_sshd_host_keys: [hostKey],
    ssh_ca_trust_reload_command: `touch ${l.reloaded}`,
  };
}

const hostName = (e: string) => `${e}-local`;

function writeYaml(path: string, value: unknown): string {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, `---\n${stringify(value)}`);
  return path;
}

/** Inventory with the raw specs.json inputs (comments on keys, accounts and principals unsorted). */
function rawInventory(): string {
  const hosts = (e: Environment) => ({
    [hostName(e)]: {
      ...placement(layout(e)),
      ssh_ca_trust_environment: GOLDEN_SPECS[e].environment,
      ssh_ca_trust_ca_keys: GOLDEN_SPECS[e].caKeys,
      ssh_ca_trust_principals: GOLDEN_SPECS[e].principals,
    },
  });
  return writeYaml(join(dir, 'raw/hosts.yml'), {
    all: { children: { dev: { hosts: hosts('dev') }, prod: { hosts: hosts('prod') } } },
  });
}

/** Inventory whose group_vars are the golden ansible-vars.yml files, as users would copy them. */
function groupVarsInventory(): string {
  const inventory = join(dir, 'from-group-vars');
  for (const e of ENVIRONMENTS) {
    mkdirSync(join(inventory, 'group_vars'), { recursive: true });
    writeFileSync(join(inventory, 'group_vars', `${e}.yml`), golden(e, 'ansible-vars.yml'));
    writeYaml(join(inventory, 'host_vars', `${hostName(e)}.yml`), placement(layout(e)));
  }
  return writeYaml(join(inventory, 'hosts.yml'), {
    all: { children: { dev: { hosts: { [hostName('dev')]: null } }, prod: { hosts: { [hostName('prod')]: null } } } },
  });
}

/** Every file under a directory: content, mode and mtime, by path. */
function snapshot(root: string): Record<string, { content: string; mode: number; mtimeMs: number }> {
  const out: Record<string, { content: string; mode: number; mtimeMs: number }> = {};
  for (const name of readdirSync(root, { recursive: true }) as string[]) {
    const path = join(root, name);
    const s = statSync(path);
    if (s.isFile()) out[path] = { content: readFileSync(path, 'utf8'), mode: s.mode, mtimeMs: s.mtimeMs };
  }
  return out;
}

/** The files of the dev and prod "hosts" (and nothing else in the scratch directory). */
const hostFiles = () => ({ ...snapshot(layout('dev').root), ...snapshot(layout('prod').root) });

async function run(label: string, inventory: string, args: string[] = []): Promise<PlaybookResult> {
  const r = await runSitePlaybook(inventory, env, args);
  durations[label] = r.ms;
  return r;
}

beforeAll(async () => {
  dir = makeScratchDir('ansible-golden');
  // A backend with an SSH mount that has no CA yet, for the refusal of an empty answer.
  server = await startTestServer();
  expect((await server.request('POST', '/v1/sys/mounts/ssh-empty', { type: 'ssh' })).status).toBe(204);
  hostKey = join(dir, 'host_ed25519');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'golden-host', '-f', hostKey]);
  for (const e of ENVIRONMENTS) {
    const l = layout(e);
    mkdirSync(join(l.root, 'sshd_config.d'), { recursive: true, mode: 0o755 });
    // A main config like Debian's: the drop-in directory is included first.
    writeFileSync(l.sshdConfig, `Include ${l.root}/sshd_config.d/*.conf\nUsePAM no\n`);
  }
  env = ansibleEnv(dir);
});

afterAll(async () => {
  console.info(`ansible-playbook durations (ms): ${JSON.stringify(durations)}`);
  await server?.close();
  if (dir) removeScratchDir(dir);
});

describe('the goldens are what the TypeScript renderers make of specs.json (default /etc/ssh paths)', () => {
  it.each(ENVIRONMENTS)('%s', (e) => {
    const trust = validateHostTrust(GOLDEN_SPECS[e]);
    expect(trust.paths).toEqual(DEFAULT_HOST_TRUST_PATHS);
    expect(renderSshdDropIn(trust)).toBe(golden(e, '10-sshca.conf'));
    expect(renderTrustedCaKeys(trust)).toBe(golden(e, 'trusted_user_ca_keys'));
    for (const f of renderPrincipalsFiles(trust)) expect(f.content).toBe(golden(e, `principals/${f.account}`));
    expect(renderAnsibleVars(trust)).toBe(golden(e, 'ansible-vars.yml'));
  });
});

describe('ansible-playbook site.yml with the ssh_ca_trust role, locally', () => {
  it('a first run writes the same bytes as the TypeScript renderers and the goldens, root-owned 0644 in 0755 directories, and reloads once', async () => {
    const r = await run('first', rawInventory());
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    // ok: the argument check, the role's one task (one module run) and the reload handler; skipped: ssh_host_certificate's
    // argument check and its one task (these hosts set no ssh_host_certificate_mount).
    const changed = { ok: 3, changed: 2, unreachable: 0, failed: 0, skipped: 2, rescued: 0, ignored: 0 };
    expect(parseRecap(r.stdout)).toEqual({ [hostName('dev')]: changed, [hostName('prod')]: changed });

    for (const e of ENVIRONMENTS) {
      const l = layout(e);
      const trust = validateHostTrust({ ...GOLDEN_SPECS[e], paths: l.paths });
      // Ansible == TypeScript for the same (moved) paths.
      expect(readFileSync(l.paths.dropIn, 'utf8')).toBe(renderSshdDropIn(trust));
      expect(readFileSync(l.paths.trustedCaKeys, 'utf8')).toBe(renderTrustedCaKeys(trust));
      const files = renderPrincipalsFiles(trust);
      expect(readdirSync(l.paths.principalsDir).sort()).toEqual(files.map((f) => f.account));
      for (const f of files) expect(readFileSync(f.path, 'utf8')).toBe(f.content);
      // Ansible == golden: the keys and principals files name no path; the drop-in does.
      const back = readFileSync(l.paths.dropIn, 'utf8')
        .replace(l.paths.trustedCaKeys, DEFAULT_HOST_TRUST_PATHS.trustedCaKeys)
        .replace(l.paths.principalsDir, DEFAULT_HOST_TRUST_PATHS.principalsDir);
      expect(back).toBe(golden(e, '10-sshca.conf'));
      expect(readFileSync(l.paths.trustedCaKeys, 'utf8')).toBe(golden(e, 'trusted_user_ca_keys'));
      for (const f of files) expect(readFileSync(f.path, 'utf8')).toBe(golden(e, `principals/${f.account}`));

      for (const path of [l.paths.dropIn, l.paths.trustedCaKeys, ...files.map((f) => f.path)]) {
        expect(statSync(path)).toMatchObject({ uid: 0, gid: 0, mode: 0o100644 });
      }
      for (const path of [join(l.root, 'sshd_config.d'), join(l.root, 'sshca'), l.paths.principalsDir]) {
        expect(statSync(path)).toMatchObject({ uid: 0, gid: 0, mode: 0o40755 });
      }
      expect(existsSync(l.reloaded)).toBe(true);
      rmSync(l.reloaded);
    }
  });

  it('a second run, configured by the group_vars the TypeScript side renders (golden ansible-vars.yml), changes nothing and does not reload', async () => {
    // changed=0 needs both: the role is idempotent, and the rendered group_vars mean the same files.
    const before = hostFiles();
    const r = await run('second (group_vars)', groupVarsInventory());
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const unchanged = { ok: 2, changed: 0, unreachable: 0, failed: 0, skipped: 2, rescued: 0, ignored: 0 };
    expect(parseRecap(r.stdout)).toEqual({ [hostName('dev')]: unchanged, [hostName('prod')]: unchanged });
    expect(hostFiles()).toEqual(before);
  });

  it('refuses bad inputs and bad CA keys before touching anything, and an overridden TrustedUserCAKeys before reloading', async () => {
    // Material for the bad keys: a private key, a certificate, a key cut short.
    const userKey = join(dir, 'user_key');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', userKey]);
    execFileSync('ssh-keygen', ['-q', '-s', hostKey, '-I', 'not-a-ca', '-n', 'x', `${userKey}.pub`]);
    const validKey = GOLDEN_SPECS.dev.caKeys[0]!;
    const badKeys = [
      'ssh-ed25519 AAAAnot-a-key',
      readFileSync(userKey, 'utf8'),
      readFileSync(`${userKey}-cert.pub`, 'utf8'),
      validKey.slice(0, 60),
      'ssh-dss AAAAB3NzaC1kc3MAAACBAP',
      validKey,
    ];
    const dev = layout('dev');
    const prod = layout('prod');
    const misconfigured = layout('misconfigured');
    const noCa = layout('no-ca');
    // prod: a file that sorts before ours sets TrustedUserCAKeys, and sshd keeps the first value.
    const other = join(prod.root, 'sshd_config.d/05-other.conf');
    writeFileSync(other, 'TrustedUserCAKeys /etc/ssh/other_ca_keys\n');
    const inventory = writeYaml(join(dir, 'refusals/hosts.yml'), {
      all: {
        hosts: {
          [hostName('dev')]: { ...placement(dev), ssh_ca_trust_environment: 'dev', ssh_ca_trust_ca_keys: badKeys },
          [hostName('prod')]: {
            ...placement(prod),
            ssh_ca_trust_environment: 'prod',
            ssh_ca_trust_ca_keys: GOLDEN_SPECS.prod.caKeys,
            ssh_ca_trust_principals: GOLDEN_SPECS.prod.principals,
          },
          'no-ca-local': {
            ...placement(noCa),
            ssh_ca_trust_environment: 'dev',
            ssh_ca_trust_backend_url: `${server.url}/`,
            ssh_ca_trust_mount: 'ssh-empty',
          },
          'misconfigured-local': {
            ...placement(misconfigured),
            ssh_ca_trust_dropin_path: join(misconfigured.root, 'sshd_config.d/60-sshca.conf'),
            ssh_ca_trust_environment: 'Dev',
            ssh_ca_trust_backend_url: 'http://127.0.0.1:1',
            ssh_ca_trust_principals: { root: ['*'], 'bad user': ['x y'], nobody: [] },
          },
        },
      },
    });
    const before = hostFiles();
    try {
      const r = await run('refusals', inventory);
      expect(r.code).toBe(2);
      expect(parseFatal(r.stdout)).toEqual({
        [hostName('dev')]: {
          changed: false,
          msg:
            'ssh_ca_trust: refusing to change anything: ' +
            'ssh_ca_trust_ca_keys[0] is not an SSH public key line "<type> <base64> [comment]"; ' +
            'ssh_ca_trust_ca_keys[1] is a private key: hosts need only the CA public key; ' +
            'ssh_ca_trust_ca_keys[2] is a certificate (ssh-ed25519-cert-v01@openssh.com): ' +
            'TrustedUserCAKeys needs the public key of the CA itself; ' +
            'ssh_ca_trust_ca_keys[3] is not a valid ssh-ed25519 public key ' +
            '(ssh-keygen: /dev/stdin is not a public key file.); ' +
            'ssh_ca_trust_ca_keys[4] has key type ssh-dss, allowed: ssh-ed25519, ecdsa-sha2-nistp256, ' +
            'ecdsa-sha2-nistp384, ecdsa-sha2-nistp521, sk-ssh-ed25519@openssh.com, ' +
            'sk-ecdsa-sha2-nistp256@openssh.com, ssh-rsa',
        },
        [hostName('prod')]: {
          changed: false,
          msg:
            `ssh_ca_trust: ${prod.sshdConfig} does not put ${prod.paths.dropIn} into effect: sshd -T says ` +
            `"trustedusercakeys /etc/ssh/other_ca_keys" instead of "trustedusercakeys ${prod.paths.trustedCaKeys}". ` +
            `sshd keeps the first value it reads: make sure the Include of ${prod.root}/sshd_config.d comes first ` +
            'and that no file sorting before 10-sshca.conf sets these keywords. sshd was not reloaded.',
        },
        'no-ca-local': {
          changed: false,
          msg:
            `ssh_ca_trust: refusing to change anything: ${server.url}/v1/ssh-empty/public_key answered 404 and ` +
            'no CA public key: is ssh-empty an SSH secrets engine with a CA? ' +
            '(vault write ssh-empty/config/ca generate_signing_key=true)',
        },
        'misconfigured-local': {
          changed: false,
          msg:
            'ssh_ca_trust: refusing to change anything: ' +
            'environment must be 1-32 lower-case letters, digits, _ or -, got "Dev"; ' +
            'ssh_ca_trust_backend_url and ssh_ca_trust_mount go together: set both to fetch the CA public key, or neither; ' +
            'principals.bad user: "bad user" is not a valid account name; ' +
            'principals.bad user: principal "x y" must be printable ASCII without spaces or commas, not starting with #; ' +
            'principals.nobody: account nobody has no principals; ' +
            'principals.root: principal "*" is refused: sshd matches principals literally; ' +
            "the drop-in's name must end in .conf and sort before 50-cloud-init.conf, got 60-sshca.conf",
        },
      });
      expect(parseRecap(r.stdout)).toEqual({
        [hostName('dev')]: { ok: 1, changed: 0, unreachable: 0, failed: 1, skipped: 0, rescued: 0, ignored: 0 },
        [hostName('prod')]: { ok: 1, changed: 0, unreachable: 0, failed: 1, skipped: 0, rescued: 0, ignored: 0 },
        'no-ca-local': { ok: 1, changed: 0, unreachable: 0, failed: 1, skipped: 0, rescued: 0, ignored: 0 },
        'misconfigured-local': { ok: 1, changed: 0, unreachable: 0, failed: 1, skipped: 0, rescued: 0, ignored: 0 },
      });
      // Nothing written, nothing reloaded, nothing created for the misconfigured hosts.
      expect(existsSync(noCa.root)).toBe(false);
      expect(hostFiles()).toEqual(before);
      expect(existsSync(misconfigured.root)).toBe(false);
    } finally {
      rmSync(other);
    }
  });
});

describe('with ssh_ca_trust_krl_url (issue 20, point 1): the drop-in, the refresh script and the units are the bytes of core/render and test/golden/krl-refresh', () => {
  const KRL_GOLDEN = join(import.meta.dirname, '../golden/krl-refresh');
  const krlGolden = (file: string) => readFileSync(join(KRL_GOLDEN, file), 'utf8');
  /** Nothing listens on port 1: the first fetch fails at once and the role makes an empty KRL. */
  const urlOf = (e: Environment) => `https://127.0.0.1:1/${e}/revoked_keys`;
  const krlPaths = (l: Layout) => ({
    krl: join(l.root, 'sshca/revoked_keys'),
    script: join(l.root, 'sbin/sshca-krl-refresh'),
    caCert: join(l.root, 'sshca/krl-ca.pem'),
    service: join(l.root, 'systemd/sshca-krl-refresh.service'),
    timer: join(l.root, 'systemd/sshca-krl-refresh.timer'),
  });

  it('dev (system trust store) and prod (a CA bundle): first run, then a second run with changed=0', async () => {
    const hosts: Record<string, unknown> = {};
    for (const e of ENVIRONMENTS) {
      const l = layout(`krl-${e}`);
      mkdirSync(join(l.root, 'sshd_config.d'), { recursive: true, mode: 0o755 });
      writeFileSync(l.sshdConfig, `Include ${l.root}/sshd_config.d/*.conf\nUsePAM no\n`);
      const p = krlPaths(l);
      hosts[hostName(`krl-${e}`)] = {
        ...placement(l),
        ssh_ca_trust_environment: GOLDEN_SPECS[e].environment,
        ssh_ca_trust_ca_keys: GOLDEN_SPECS[e].caKeys,
        ssh_ca_trust_principals: GOLDEN_SPECS[e].principals,
        ssh_ca_trust_krl_url: urlOf(e),
        ...(e === 'prod' ? { ssh_ca_trust_krl_ca_cert: krlGolden('krl-ca.pem') } : {}),
        ssh_ca_trust_krl_path: p.krl,
        ssh_ca_trust_krl_script_path: p.script,
        ssh_ca_trust_krl_ca_cert_path: p.caCert,
        ssh_ca_trust_krl_systemd_dir: join(l.root, 'systemd'),
        ssh_ca_trust_krl_timer: false,
      };
    }
    const inventory = writeYaml(join(dir, 'krl/hosts.yml'), { all: { hosts } });
    const first = await run('krl first', inventory, ['--forks', '1']);
    expect(first.code).toBe(0);
    const changed = { ok: 3, changed: 2, unreachable: 0, failed: 0, skipped: 2, rescued: 0, ignored: 0 };
    expect(parseRecap(first.stdout)).toEqual({ [hostName('krl-dev')]: changed, [hostName('krl-prod')]: changed });
    for (const e of ENVIRONMENTS) {
      const l = layout(`krl-${e}`);
      const p = krlPaths(l);
      const trust = validateHostTrust({ ...GOLDEN_SPECS[e], paths: l.paths });
      const krl = validateKrlRefresh({
        environment: GOLDEN_SPECS[e].environment,
        url: urlOf(e),
        ...(e === 'prod' ? { caCert: krlGolden('krl-ca.pem') } : {}),
        paths: p,
      });
      // Ansible == TypeScript for the same (moved) paths and URL.
      expect(readFileSync(l.paths.dropIn, 'utf8')).toBe(renderSshdDropIn(trust, { revokedKeys: p.krl }));
      expect(readFileSync(p.script, 'utf8')).toBe(renderKrlRefreshScript(krl));
      expect(readFileSync(p.service, 'utf8')).toBe(renderKrlRefreshService(krl));
      expect(readFileSync(p.timer, 'utf8')).toBe(renderKrlRefreshTimer(krl));
      expect(statSync(p.script)).toMatchObject({ uid: 0, gid: 0, mode: 0o100755 });
      for (const path of [p.service, p.timer, p.krl]) expect(statSync(path)).toMatchObject({ uid: 0, gid: 0, mode: 0o100644 });
      // Ansible == golden, with the default paths and the golden's URL put back.
      const back = (text: string) =>
        text
          .replaceAll(p.krl, DEFAULT_KRL_REFRESH_PATHS.krl)
          .replaceAll(p.caCert, DEFAULT_KRL_REFRESH_PATHS.caCert)
          .replaceAll(p.script, DEFAULT_KRL_REFRESH_PATHS.script)
          .replaceAll(l.paths.trustedCaKeys, DEFAULT_HOST_TRUST_PATHS.trustedCaKeys)
          .replaceAll(l.paths.principalsDir, DEFAULT_HOST_TRUST_PATHS.principalsDir)
          .replaceAll(join(l.root, 'sshca'), '/etc/ssh/sshca')
          .replaceAll(urlOf(e), `https://krl.example.com/${e}/revoked_keys`);
      expect(back(readFileSync(p.script, 'utf8'))).toBe(krlGolden(`${e}/sshca-krl-refresh`));
      if (e === 'dev') {
        expect(back(readFileSync(l.paths.dropIn, 'utf8'))).toBe(krlGolden('dev/10-sshca.conf'));
        expect(back(readFileSync(p.service, 'utf8'))).toBe(krlGolden('dev/sshca-krl-refresh.service'));
        expect(back(readFileSync(p.timer, 'utf8'))).toBe(krlGolden('dev/sshca-krl-refresh.timer'));
        expect(existsSync(p.caCert)).toBe(false);
      } else {
        expect(readFileSync(p.caCert, 'utf8')).toBe(krlGolden('krl-ca.pem'));
      }
      // The first fetch failed and there was no KRL: an empty one, as ssh-keygen -k makes it.
      const empty = join(dir, `empty-krl-${e}`);
      execFileSync('ssh-keygen', ['-q', '-k', '-f', empty]);
      // Its listing without the "# Generated at" line (the second it was made).
      const listing = (file: string) =>
        execFileSync('ssh-keygen', ['-Q', '-l', '-f', file], { encoding: 'utf8' })
          .split('\n')
          .filter((line) => !line.startsWith('# Generated at '))
          .join('\n');
      expect(listing(p.krl)).toBe(listing(empty));
      expect(listing(p.krl)).toBe('# KRL version 0\n\n');
      expect(existsSync(l.reloaded)).toBe(true);
      rmSync(l.reloaded);
    }
    const before = { ...snapshot(layout('krl-dev').root), ...snapshot(layout('krl-prod').root) };
    const second = await run('krl second', inventory, ['--forks', '1']);
    expect(second.code).toBe(0);
    const unchanged = { ok: 2, changed: 0, unreachable: 0, failed: 0, skipped: 2, rescued: 0, ignored: 0 };
    expect(parseRecap(second.stdout)).toEqual({ [hostName('krl-dev')]: unchanged, [hostName('krl-prod')]: unchanged });
    expect({ ...snapshot(layout('krl-dev').root), ...snapshot(layout('krl-prod').root) }).toEqual(before);
    // Ansible wraps warnings at any width it likes: compared without whitespace.
    const bare = (text: string) => text.replace(/\s+/g, '');
    const failed = (e: Environment) =>
      `[WARNING]: sshca-krl-refresh: fetching ${urlOf(e)} failed (curl exit 7); kept ${krlPaths(layout(`krl-${e}`)).krl} as it was`;
    const emptied = (e: Environment) =>
      `[WARNING]: the first KRL fetch failed; ${krlPaths(layout(`krl-${e}`)).krl} revokes nothing until the refresh succeeds`;
    expect(bare(first.stderr)).toBe(bare(failed('dev') + emptied('dev') + failed('prod') + emptied('prod')));
    expect(bare(second.stderr)).toBe(bare(failed('dev') + failed('prod')));
  });
});
