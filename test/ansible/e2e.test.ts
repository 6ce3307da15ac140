// End to end (issue 4, item 6): the real ansible-playbook, over real SSH, applies the ssh_ca_trust role
// to two real sshd hosts, "dev" on 127.0.0.2 and "prod" on 127.0.0.3, each fetching its own
// environment's CA public key from the embedded Vault-compatible server (in process, real HTTP).
// Each host's config includes its sshd_config.d first, so the role's drop-in wins over the harness's
// own TrustedUserCAKeys; the role reloads each host with `kill -HUP <that sshd's pid>` and never
// touches the machine's own sshd. Then real `ssh` logins and sshd's own log lines show who gets in.
// The roles and host principals are the dev+prod scenario's (core/scenario.ts), with two stand-ins
// (one machine has neither the accounts nor the people): the test account for the people's accounts,
// and root for the dev hosts' `deploy`. Ansible first connects as root with a bootstrap key, and at the
// end, on dev, as CI does: with a certificate of the scenario's `automation` role (principal
// gitlab-runner, mapped to deploy), switching authorized_keys off. prod takes no automation certificate.

import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { VaultClient, enableMount, generateCa, signKey, writeRole } from '../../client/index.js';
import { parseCertificate } from '../../core/cert/certificate.js';
import { roleSpecToWire } from '../../core/role-spec.js';
import { SCENARIO_ENVIRONMENTS, SCENARIO_HOST_PRINCIPALS, SCENARIO_ROLES, scenarioMount } from '../../core/scenario.js';
import { validateHostTrust, type HostTrustPaths } from '../../core/render/host-trust.js';
import { renderPrincipalsFiles, renderSshdDropIn, renderTrustedCaKeys } from '../../core/render/sshd-files.js';
import { ansibleEnv, parseFatal, parseRecap, runSitePlaybook, type PlaybookResult } from '../helpers/ansible.js';
import { makeScratchDir, removeScratchDir } from '../helpers/scratch.js';
import { sshLogin, writeKnownHosts } from '../helpers/ssh-client.js';
import { SSHD_PATH, startSshdHosts, stopAll, type SshdHost } from '../helpers/sshd.js';
import { ensureTestUser } from '../helpers/test-user.js';
import { startTestServer, type TestServer } from '../helpers/vault-server.js';

const ENVIRONMENTS = SCENARIO_ENVIRONMENTS;
type Environment = (typeof ENVIRONMENTS)[number];
/** The account CI's automation certificates log in as on dev hosts (root stands in for it here). */
const DEPLOY = 'deploy';
/** The principal CI's certificates carry in this test: the scenario's first principal of `deploy`. */
const CI = SCENARIO_HOST_PRINCIPALS.dev[DEPLOY]![0]!;
const ADDRESS: Record<Environment, string> = { dev: '127.0.0.2', prod: '127.0.0.3' };

let dir: string;
let server: TestServer;
let client: VaultClient;
let account: string;
let hosts: SshdHost[] = [];
const host = {} as Record<Environment, SshdHost>;
const caPublicKey = {} as Record<Environment, string>;
let knownHosts: string;
let bootstrapKey: string;
let env: NodeJS.ProcessEnv;
const durations: Record<string, number> = {};

/** Where the role writes one host's files: in the test's own directory for that host. */
function paths(e: Environment): HostTrustPaths {
  return {
    dropIn: join(dir, e, 'sshd_config.d/10-sshca.conf'),
    trustedCaKeys: join(dir, e, 'sshca/trusted_user_ca_keys'),
    principalsDir: join(dir, e, 'sshca/principals'),
  };
}

/**
 * Local account → principals of a host of `e`: the test account for the people (its own name as its
 * principal), and root for `deploy` with the scenario's principals of that account (dev only).
 */
const principals = (e: Environment): Record<string, string[]> => {
  const deploy = SCENARIO_HOST_PRINCIPALS[e][DEPLOY];
  return { [account]: [account], ...(deploy ? { root: [...deploy] } : {}) };
};

/** A key pair and a certificate signed by the backend, with what sshd logs for it. */
interface Certified {
  readonly identity: string;
  readonly certificate: string;
  /** `ED25519-CERT SHA256:… ID <key id> (serial <n>) CA ED25519 SHA256:…`, as sshd logs it. */
  readonly logged: string;
}

let keys = 0;

function newKey(name: string): string {
  const identity = join(dir, `${name}-${++keys}`);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', name, '-f', identity]);
  return identity;
}

const fingerprintOf = (file: string) =>
  execFileSync('ssh-keygen', ['-l', '-f', file], { encoding: 'utf8' }).split(' ')[1]!;

async function certify(e: Environment, role: 'developer' | 'automation', principal: string): Promise<Certified> {
  const identity = newKey(`${role}-${e}`);
  const signed = await signKey(client, scenarioMount(e), role, {
    public_key: readFileSync(`${identity}.pub`, 'utf8'),
    valid_principals: principal,
  });
  const certificate = `${identity}-cert.pub`;
  writeFileSync(certificate, signed.signedKey);
  const cert = parseCertificate(signed.signedKey);
  const caFile = join(dir, `ca-${e}.pub`);
  writeFileSync(caFile, caPublicKey[e]);
  const logged = `ED25519-CERT ${fingerprintOf(`${identity}.pub`)} ID ${cert.keyId} (serial ${cert.serial}) CA ED25519 ${fingerprintOf(caFile)}`;
  return { identity, certificate, logged };
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

async function expectAccepted(h: SshdHost, user: string, cert: Certified): Promise<void> {
  const mark = h.log().length;
  const r = await sshLogin({
    host: h,
    user,
    identityFile: cert.identity,
    certificateFile: cert.certificate,
    knownHostsFile: knownHosts,
    command: 'id -un',
  });
  expect(r).toEqual({ code: 0, stdout: `${user}\n`, stderr: '' });
  await h.waitForLog(
    new RegExp(`^Accepted publickey for ${user} from 127\\.0\\.0\\.1 port \\d+ ssh2: ${escape(cert.logged)}$`),
    mark,
  );
}

/** The login is refused; sshd logs `reason` (when given) and the failed certificate by key id and serial. */
async function expectRefused(h: SshdHost, user: string, cert: Certified, reason?: string): Promise<void> {
  const mark = h.log().length;
  const r = await sshLogin({
    host: h,
    user,
    identityFile: cert.identity,
    certificateFile: cert.certificate,
    knownHostsFile: knownHosts,
    command: 'id -un',
  });
  expect(r).toEqual({ code: 255, stdout: '', stderr: `${user}@${h.address}: Permission denied (publickey).\r\n` });
  if (reason !== undefined) expect(await h.waitForLog(new RegExp(`^${escape(reason)}$`), mark)).toBe(reason);
  await h.waitForLog(
    new RegExp(`^Failed publickey for ${user} from 127\\.0\\.0\\.1 port \\d+ ssh2: ${escape(cert.logged)}$`),
    mark,
  );
}

/**
 * A YAML inventory of both hosts: connection as root with `identity` (and a per-host certificate),
 * strict host-key checking against the harness's keys, no ssh config file, no agent; role variables
 * that fetch each host's CA from the backend and place its files in the test's directory.
 */
function writeInventory(name: string, identity: string, certificates?: Partial<Record<Environment, string>>): string {
  const ssh = (e: Environment) =>
    [
      '-F none',
      '-o IdentitiesOnly=yes',
      '-o IdentityAgent=none',
      '-o BatchMode=yes',
      `-o UserKnownHostsFile=${knownHosts}`,
      '-o GlobalKnownHostsFile=none',
      '-o StrictHostKeyChecking=yes',
      // Each run makes dozens of SSH connections (no sharing); the classic key exchange saves about
      // 0.1 s each over OpenSSH 9's default hybrid sntrup761x25519. Nothing under test depends on it.
      '-o KexAlgorithms=curve25519-sha256',
      ...(certificates?.[e] ? [`-o CertificateFile=${certificates[e]}`] : []),
    ].join(' ');
  const hostVars = (e: Environment) => ({
    ansible_host: host[e].address,
    ansible_port: host[e].port,
    ansible_ssh_common_args: ssh(e),
    ssh_ca_trust_environment: e,
    ssh_ca_trust_mount: scenarioMount(e),
    ssh_ca_trust_principals: principals(e),
    ssh_ca_trust_dropin_path: paths(e).dropIn,
    ssh_ca_trust_ca_keys_path: paths(e).trustedCaKeys,
    ssh_ca_trust_principals_dir: paths(e).principalsDir,
    ssh_ca_trust_sshd_config: join(host[e].dir, 'sshd_config'),
    ssh_ca_trust_reload_command: `kill -HUP ${host[e].pid}`,
  });
  const inventory = {
    all: {
      vars: {
        ansible_user: 'root',
        ansible_ssh_private_key_file: identity,
        ssh_ca_trust_backend_url: server.url,
        ssh_ca_trust_sshd_command: SSHD_PATH,
      },
      children: {
        dev: { hosts: { 'dev-sshd': hostVars('dev') } },
        prod: { hosts: { 'prod-sshd': hostVars('prod') } },
      },
    },
  };
  const file = join(dir, `${name}.yml`);
  writeFileSync(file, `---\n${stringify(inventory)}`);
  return file;
}

async function run(label: string, inventory: string, args: string[] = []): Promise<PlaybookResult> {
  const r = await runSitePlaybook(inventory, env, args);
  durations[label] = r.ms;
  return r;
}

/** Every file the role manages on a host (plus the bootstrap authorized_keys), with its mtime. */
function hostFiles(e: Environment): Record<string, { content: string; mtimeMs: number }> {
  const out: Record<string, { content: string; mtimeMs: number }> = {};
  for (const name of readdirSync(join(dir, e), { recursive: true }) as string[]) {
    const path = join(dir, e, name);
    const s = statSync(path);
    if (s.isFile()) out[path] = { content: readFileSync(path, 'utf8'), mtimeMs: s.mtimeMs };
  }
  return out;
}

/** sshd's `Accepted publickey …` lines since `mark`. */
const acceptedLines = (h: SshdHost, mark: number) =>
  h
    .log()
    .slice(mark)
    .split('\n')
    .filter((l) => l.startsWith('Accepted publickey for '));

const SIGHUP = 'Received SIGHUP; restarting.';
const count = (text: string, line: string) => text.split('\n').filter((l) => l === line).length;

/** Wait until `h` has restarted after a SIGHUP sent after `mark` and listens again. */
async function waitForReload(h: SshdHost, mark: number): Promise<void> {
  await h.waitForLog(new RegExp(`^${escape(SIGHUP)}$`), mark, 10_000);
  const restarted = h.log().indexOf(SIGHUP, mark);
  await h.waitForLog(new RegExp(`^Server listening on ${escape(h.address)} port ${h.port}\\.$`), restarted, 10_000);
}

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

beforeAll(async () => {
  dir = makeScratchDir('ansible-e2e');
  chmodSync(dir, 0o711); // sshd opens principals and authorized_keys files as the logging-in account
  account = await ensureTestUser();

  server = await startTestServer();
  client = new VaultClient({ address: server.url, token: server.token });
  for (const e of ENVIRONMENTS) {
    await enableMount(client, scenarioMount(e), { maxLeaseTtl: '24h' });
    caPublicKey[e] = await generateCa(client, scenarioMount(e));
    // The scenario's developer role, for the test account instead of ubuntu and ec2-user.
    const developer = { ...SCENARIO_ROLES.developer, allowedUsers: [account], defaultUser: account };
    await writeRole(client, scenarioMount(e), 'developer', roleSpecToWire(developer));
    await writeRole(client, scenarioMount(e), 'automation', roleSpecToWire(SCENARIO_ROLES.automation));
  }

  bootstrapKey = newKey('bootstrap');
  for (const e of ENVIRONMENTS) {
    mkdirSync(join(dir, e, 'sshd_config.d'), { recursive: true, mode: 0o755 });
    mkdirSync(join(dir, e, 'authorized_keys'), { mode: 0o755 });
    writeFileSync(join(dir, e, 'authorized_keys/root'), readFileSync(`${bootstrapKey}.pub`, 'utf8'));
    chmodSync(join(dir, e), 0o755);
  }
  hosts = await startSshdHosts(
    ENVIRONMENTS.map((e) => ({
      name: e,
      address: ADDRESS[e],
      // Before the role runs the hosts trust no CA: the harness's own file stays empty.
      trustedUserCaKeys: [],
      principals: {},
      // First lines win in sshd: our drop-in directory, then root's bootstrap key.
      extraConfig: [
        `Include ${join(dir, e)}/sshd_config.d/*.conf`,
        `AuthorizedKeysFile ${join(dir, e)}/authorized_keys/%u`,
      ],
    })),
  );
  [host.dev, host.prod] = hosts as [SshdHost, SshdHost];
  knownHosts = writeKnownHosts(hosts, dir);
  env = ansibleEnv(dir);
});

afterAll(async () => {
  console.info(`ansible-playbook durations over ssh (ms): ${JSON.stringify(durations)}`);
  await stopAll(hosts);
  await server?.close();
  if (dir) removeScratchDir(dir);
});

describe('ansible-playbook site.yml over SSH against real sshd hosts', () => {
  let devCert: Certified;
  let prodCert: Certified;

  it('before the role runs, a certificate of its own environment does not open a host', async () => {
    devCert = await certify('dev', 'developer', account);
    prodCert = await certify('prod', 'developer', account);
    await expectRefused(host.dev, account, devCert);
    await expectRefused(host.prod, account, prodCert);
  });

  it('the role, connecting with the bootstrap key, makes each host trust the CA of its own mount and reloads that sshd', async () => {
    const marks = { dev: host.dev.log().length, prod: host.prod.log().length };
    const r = await run('bootstrap', writeInventory('bootstrap', bootstrapKey));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    // One task and one module run per host do the work: ok counts the argument check, that task and the reload
    // handler; skipped counts ssh_host_certificate's argument check and its one task (these hosts set no
    // ssh_host_certificate_mount).
    const changed = { ok: 3, changed: 2, unreachable: 0, failed: 0, skipped: 2, rescued: 0, ignored: 0 };
    expect(parseRecap(r.stdout)).toEqual({ 'dev-sshd': changed, 'prod-sshd': changed });
    const bootstrapFingerprint = fingerprintOf(`${bootstrapKey}.pub`);
    for (const e of ENVIRONMENTS) {
      // Every connection Ansible made was root with the bootstrap key.
      const accepted = acceptedLines(host[e], marks[e]);
      expect(accepted.length).toBeGreaterThan(0);
      for (const line of accepted) {
        expect(line).toMatch(
          new RegExp(
            `^Accepted publickey for root from 127\\.0\\.0\\.1 port \\d+ ssh2: ED25519 ${escape(bootstrapFingerprint)}$`,
          ),
        );
      }
      await waitForReload(host[e], marks[e]);
      expect(count(host[e].log().slice(marks[e]), SIGHUP)).toBe(1);
      // The files are those the TypeScript renderers make from the backend's key and the mapping.
      const trust = validateHostTrust({
        environment: e,
        caKeys: [caPublicKey[e]],
        principals: principals(e),
        paths: paths(e),
      });
      expect(readFileSync(paths(e).dropIn, 'utf8')).toBe(renderSshdDropIn(trust));
      expect(readFileSync(paths(e).trustedCaKeys, 'utf8')).toBe(renderTrustedCaKeys(trust));
      for (const f of renderPrincipalsFiles(trust)) expect(readFileSync(f.path, 'utf8')).toBe(f.content);
      expect(readdirSync(paths(e).principalsDir).sort()).toEqual(Object.keys(principals(e)).sort());
    }
    expect(readFileSync(paths('dev').trustedCaKeys, 'utf8')).not.toContain(caPublicKey.prod.trim());
  });

  it('a dev certificate opens dev and not prod; a prod certificate opens prod and not dev', async () => {
    await expectAccepted(host.dev, account, devCert);
    await expectRefused(host.prod, account, devCert);
    await expectAccepted(host.prod, account, prodCert);
    await expectRefused(host.dev, account, prodCert);
  });

  it('a certificate whose principal is not mapped to the account is refused; prod takes no automation certificate', async () => {
    // CI's principal may log in as deploy (root here) on dev, not as the test account.
    const automation = await certify('dev', 'automation', CI);
    await expectRefused(host.dev, account, automation, 'Certificate does not contain an authorized principal');
    await expectAccepted(host.dev, 'root', automation);
    // prod maps no account to CI's principals, so even a certificate of prod's own CA does not open it.
    const prodAutomation = await certify('prod', 'automation', CI);
    await expectRefused(host.prod, 'root', prodAutomation);
  });

  it('a second run reports changed=0 for both hosts and reloads neither', async () => {
    const marks = { dev: host.dev.log().length, prod: host.prod.log().length };
    const r = await run('second', join(dir, 'bootstrap.yml'));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const unchanged = { ok: 2, changed: 0, unreachable: 0, failed: 0, skipped: 2, rescued: 0, ignored: 0 };
    expect(parseRecap(r.stdout)).toEqual({ 'dev-sshd': unchanged, 'prod-sshd': unchanged });
    for (const e of ENVIRONMENTS) expect(count(host[e].log().slice(marks[e]), SIGHUP)).toBe(0);
  });

  it('a corrupt CA key fails the run before anything changes: same files, same sshd, old certificates still work', async () => {
    const before = { dev: hostFiles('dev'), prod: hostFiles('prod') };
    const marks = { dev: host.dev.log().length, prod: host.prod.log().length };
    const r = await run('corrupt', join(dir, 'bootstrap.yml'), [
      '-e',
      JSON.stringify({ ssh_ca_trust_ca_keys: ['ssh-ed25519 AAAAnot-a-key'] }),
    ]);
    expect(r.code).toBe(2);
    const refused = {
      changed: false,
      msg:
        'ssh_ca_trust: refusing to change anything: ' +
        'ssh_ca_trust_ca_keys[0] is not an SSH public key line "<type> <base64> [comment]"',
    };
    expect(parseFatal(r.stdout)).toEqual({ 'dev-sshd': refused, 'prod-sshd': refused });
    const failed = { ok: 1, changed: 0, unreachable: 0, failed: 1, skipped: 0, rescued: 0, ignored: 0 };
    expect(parseRecap(r.stdout)).toEqual({ 'dev-sshd': failed, 'prod-sshd': failed });
    for (const e of ENVIRONMENTS) {
      expect(hostFiles(e)).toEqual(before[e]);
      expect(count(host[e].log().slice(marks[e]), SIGHUP)).toBe(0);
      expect(readFileSync(join(host[e].dir, 'sshd.pid'), 'utf8')).toBe(`${host[e].pid}\n`);
      expect(isAlive(host[e].pid)).toBe(true);
    }
    await expectAccepted(host.dev, account, devCert);
    await expectAccepted(host.prod, account, prodCert);
  });

  it('on dev, Ansible logs in as CI does, with a certificate of the automation role, and switches authorized_keys off', async () => {
    const identity = newKey('ci');
    const signed = await signKey(client, scenarioMount('dev'), 'automation', {
      public_key: readFileSync(`${identity}.pub`, 'utf8'),
      valid_principals: CI,
    });
    const certificate = join(dir, 'ci-dev-cert.pub');
    writeFileSync(certificate, signed.signedKey);
    const cert = parseCertificate(signed.signedKey);
    expect(cert.principals).toEqual([CI]);
    expect(cert.extensions).toEqual({}); // the scenario's automation role: no pty
    writeFileSync(join(dir, 'ca-dev.pub'), caPublicKey.dev);
    const logged =
      `ED25519-CERT ${fingerprintOf(`${identity}.pub`)} ID ${cert.keyId} (serial ${cert.serial}) ` +
      `CA ED25519 ${fingerprintOf(join(dir, 'ca-dev.pub'))}`;
    const prodDropIn = readFileSync(paths('prod').dropIn, 'utf8');
    const marks = { dev: host.dev.log().length, prod: host.prod.log().length };
    const r = await run('certificate', writeInventory('certificate', identity, { dev: certificate }), [
      '--limit',
      'dev',
      '-e',
      JSON.stringify({ ssh_ca_trust_keep_authorized_keys: false }),
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    // Only the drop-in changes (AuthorizedKeysFile none), and the handler reloads.
    const changed = { ok: 3, changed: 2, unreachable: 0, failed: 0, skipped: 2, rescued: 0, ignored: 0 };
    expect(parseRecap(r.stdout)).toEqual({ 'dev-sshd': changed });
    const accepted = acceptedLines(host.dev, marks.dev);
    expect(accepted.length).toBeGreaterThan(0);
    for (const line of accepted) {
      expect(line).toMatch(
        new RegExp(`^Accepted publickey for root from 127\\.0\\.0\\.1 port \\d+ ssh2: ${escape(logged)}$`),
      );
    }
    await waitForReload(host.dev, marks.dev);
    expect(readFileSync(paths('dev').dropIn, 'utf8')).toBe(
      `${renderSshdDropIn(validateHostTrust({ environment: 'dev', caKeys: [caPublicKey.dev], principals: principals('dev'), paths: paths('dev') }))}` +
        '# Certificates only: authorized_keys files are ignored.\nAuthorizedKeysFile none\n',
    );
    // The bootstrap key no longer opens dev; the automation certificate and the developers' still do.
    const bootstrapFingerprint = fingerprintOf(`${bootstrapKey}.pub`);
    const mark = host.dev.log().length;
    expect(
      await sshLogin({ host: host.dev, user: 'root', identityFile: bootstrapKey, knownHostsFile: knownHosts }),
    ).toEqual({ code: 255, stdout: '', stderr: `root@${host.dev.address}: Permission denied (publickey).\r\n` });
    await host.dev.waitForLog(
      new RegExp(
        `^Failed publickey for root from 127\\.0\\.0\\.1 port \\d+ ssh2: ED25519 ${escape(bootstrapFingerprint)}$`,
      ),
      mark,
    );
    await expectAccepted(host.dev, 'root', { identity, certificate, logged });
    await expectAccepted(host.dev, account, devCert);
    // prod was not part of the run: same drop-in, no reload, and its bootstrap key still opens it.
    expect(readFileSync(paths('prod').dropIn, 'utf8')).toBe(prodDropIn);
    expect(count(host.prod.log().slice(marks.prod), SIGHUP)).toBe(0);
    expect(
      await sshLogin({
        host: host.prod,
        user: 'root',
        identityFile: bootstrapKey,
        knownHostsFile: knownHosts,
        command: 'id -un',
      }),
    ).toEqual({ code: 0, stdout: 'root\n', stderr: '' });
    await expectAccepted(host.prod, account, prodCert);
  });
});
