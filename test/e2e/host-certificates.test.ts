// Issue 17, point 3 and the client half of its proof: clients trust an environment's hosts through
// host certificates only. Real sshd hosts on loopback addresses whose host keys are signed through the
// embedded server (host CA mounts ssh-dev-host and ssh-prod-host, role `host`), and the real ssh with
// StrictHostKeyChecking=yes and nothing but the known_hosts `sshca` wrote:
//   127.0.0.2  certified by ssh-dev-host for 127.0.0.2          → logged in, no prompt
//   127.0.0.3  a plain host key, no certificate                 → refused
//   127.0.0.4  certified by ssh-prod-host (the other environment) → refused
//   127.0.0.5  certified by ssh-dev-host, but for 127.0.0.2      → refused (check-host only)
// through `sshca render --format known-hosts`, `sshca login --host-ca-mount` (its ssh config),
// `sshca config --host-ca-mount`, and `sshca check-host --host-ca-mount` (exit code 6 in words).

import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fingerprint, parseSshPublicKey } from '../../core/keys/public-key.js';
import { makeScratchDir, removeScratchDir } from '../helpers/scratch.js';
import { runSshca } from '../helpers/sshca-bin.js';
import { SSH_PATH } from '../helpers/ssh-client.js';
import { startSshdHosts, stopAll, type SshdHost } from '../helpers/sshd.js';
import { ensureTestUser } from '../helpers/test-user.js';
import { mountSshCa, startTestServer, type TestServer } from '../helpers/vault-server.js';

const CERTIFIED = '127.0.0.2';
const PLAIN = '127.0.0.3';
const OTHER_ENV = '127.0.0.4';
const WRONG_NAME = '127.0.0.5';
const ALL = `${CERTIFIED},${PLAIN},${OTHER_ENV},${WRONG_NAME}`;

let server: TestServer;
let dir: string;
let account: string;
let hosts: SshdHost[] = [];
let devHostCa: string;
let prodHostCa: string;
/** The user's key and certificate of ssh-dev/developer, from `sshca login`. */
let identity: string;
let env: Record<string, string>;

const host = (address: string): SshdHost => hosts.find((h) => h.address === address)!;
const fp = (key: string) => fingerprint(parseSshPublicKey(key).blob);

/** Sign a host key through the embedded server's host CA role of `mount`. */
async function signHostKey(mount: string, publicKey: string, principal: string): Promise<string> {
  const r = await server.request('POST', `/v1/${mount}/sign/host`, {
    public_key: publicKey,
    cert_type: 'host',
    valid_principals: principal,
  });
  if (r.status !== 200) throw new Error(`signing the host key on ${mount} answered ${r.status}: ${r.body}`);
  return r.json.data.signed_key;
}

beforeAll(async () => {
  dir = makeScratchDir('host-certificates');
  account = await ensureTestUser();
  server = await startTestServer();
  const userCa = await mountSshCa(server, 'ssh-dev', {
    developer: {
      key_type: 'ca',
      allow_user_certificates: true,
      allowed_users: account,
      default_user: account,
      ttl: '10m',
    },
  });
  const hostRole = {
    key_type: 'ca',
    allow_host_certificates: true,
    allow_user_certificates: false,
    allowed_domains: ALL,
    allow_bare_domains: true,
    allow_subdomains: false,
    ttl: '1h',
  };
  devHostCa = await mountSshCa(server, 'ssh-dev-host', { host: hostRole });
  prodHostCa = await mountSshCa(server, 'ssh-prod-host', { host: hostRole });
  const base = { trustedUserCaKeys: [userCa], principals: { [account]: [account] } };
  hosts = await startSshdHosts([
    {
      ...base,
      name: 'certified',
      address: CERTIFIED,
      hostCertificate: (k) => signHostKey('ssh-dev-host', k, CERTIFIED),
    },
    { ...base, name: 'plain', address: PLAIN },
    {
      ...base,
      name: 'other-env',
      address: OTHER_ENV,
      hostCertificate: (k) => signHostKey('ssh-prod-host', k, OTHER_ENV),
    },
    {
      ...base,
      name: 'wrong-name',
      address: WRONG_NAME,
      hostCertificate: (k) => signHostKey('ssh-dev-host', k, CERTIFIED),
    },
  ]);
  env = { VAULT_ADDR: server.url, VAULT_TOKEN: server.token, HOME: join(dir, 'home'), SSHCA_HOME: join(dir, 'sshca') };
  const login = await runSshca(['login', '--mount', 'ssh-dev', '--role', 'developer', '--no-agent'], env);
  expect(login.code, login.stderr).toBe(0);
  identity = join(dir, 'sshca', 'ssh-dev-developer');
});

afterAll(async () => {
  await stopAll(hosts);
  await server?.close();
  if (dir) removeScratchDir(dir);
});

/** The real ssh, no tty, stdin closed; a refusal is a result. */
function ssh(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = execFile(
      SSH_PATH,
      [...args],
      { encoding: 'utf8', env: { ...process.env, HOME: env.HOME!, SSH_AUTH_SOCK: '' } },
      (error, stdout, stderr) => {
        done({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
      },
    );
    child.stdin?.end();
  });
}

/** Log in to `address` with the user certificate, trusting only `knownHosts`, strictly. */
const sshStrict = (knownHosts: string, address: string, port = host(address).port) =>
  ssh([
    '-F',
    'none',
    '-i',
    identity,
    '-o',
    `CertificateFile=${identity}-cert.pub`,
    '-o',
    'IdentitiesOnly=yes',
    '-o',
    'IdentityAgent=none',
    '-o',
    'ControlPath=none',
    '-o',
    'BatchMode=yes', // a prompt would be a failure
    '-o',
    'StrictHostKeyChecking=yes',
    '-o',
    `UserKnownHostsFile=${knownHosts}`,
    '-o',
    'GlobalKnownHostsFile=/dev/null',
    '-p',
    String(port),
    `${account}@${address}`,
    'echo in',
  ]);

const refused = (address: string) => ({
  code: 255,
  stdout: '',
  stderr:
    `No ED25519 host key is known for [${address}]:${host(address).port} and you have requested strict checking.\r\n` +
    'Host key verification failed.\r\n',
});

describe('sshca render --format known-hosts, then the real ssh with only that file', () => {
  let knownHosts: string;

  beforeAll(async () => {
    knownHosts = join(dir, 'dev_known_hosts');
    const r = await runSshca(
      ['render', '--format', 'known-hosts', '--mount', 'ssh-dev-host', '--hosts', ALL, '--out', knownHosts],
      env,
    );
    expect(r).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  it('writes exactly the @cert-authority line of the host CA (0644)', () => {
    expect(readFileSync(knownHosts, 'utf8')).toBe(`@cert-authority ${ALL} ${devHostCa}\n`);
    expect(statSync(knownHosts).mode & 0o777).toBe(0o644);
  });

  it('logs in to the certified host with no prompt', async () => {
    expect(await sshStrict(knownHosts, CERTIFIED)).toEqual({ code: 0, stdout: 'in\n', stderr: '' });
  });

  it('refuses a host that presents an uncertified key', async () => {
    expect(await sshStrict(knownHosts, PLAIN)).toEqual(refused(PLAIN));
  });

  it("refuses a host whose key the other environment's host CA certified", async () => {
    expect(await sshStrict(knownHosts, OTHER_ENV)).toEqual(refused(OTHER_ENV));
  });

  it('ports: the bare name covers every port, [host]:port only that port', async () => {
    // The hosts listen on ports other than 22: ssh looked up [127.0.0.2]:port, then the bare name.
    const onePort = join(dir, 'one_port_known_hosts');
    const port = host(CERTIFIED).port;
    const render = (hosts: string, out: string) =>
      runSshca(['render', '--format', 'known-hosts', '--mount', 'ssh-dev-host', '--hosts', hosts, '--out', out], env);
    expect((await render(`[${CERTIFIED}]:${port}`, onePort)).code).toBe(0);
    expect(readFileSync(onePort, 'utf8')).toBe(`@cert-authority [${CERTIFIED}]:${port} ${devHostCa}\n`);
    expect(await sshStrict(onePort, CERTIFIED)).toEqual({ code: 0, stdout: 'in\n', stderr: '' });
    const otherPort = join(dir, 'other_port_known_hosts');
    expect((await render(`[${CERTIFIED}]:${port === 2222 ? 2223 : 2222}`, otherPort)).code).toBe(0);
    expect(await sshStrict(otherPort, CERTIFIED)).toEqual(refused(CERTIFIED));
    // A pattern that names other hosts does not vouch for this one.
    const elsewhere = join(dir, 'elsewhere_known_hosts');
    expect((await render('*.dev.example.com,10.1.0.*', elsewhere)).code).toBe(0);
    expect(await sshStrict(elsewhere, CERTIFIED)).toEqual(refused(CERTIFIED));
  });

  it('a rotation overlap: --ca-key adds the next CA, one line per key, and either CA is trusted', async () => {
    const next = join(dir, 'next-host-ca.pub');
    writeFileSync(next, `${prodHostCa} next\n`);
    const out = join(dir, 'rotation_known_hosts');
    const r = await runSshca(
      ['render', '--format', 'known-hosts', '--mount', 'ssh-dev-host', '--ca-key', next, '--hosts', ALL, '--out', out],
      env,
    );
    expect(r).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(readFileSync(out, 'utf8')).toBe(
      `@cert-authority ${ALL} ${devHostCa}\n@cert-authority ${ALL} ${prodHostCa}\n`,
    );
    expect(await sshStrict(out, CERTIFIED)).toEqual({ code: 0, stdout: 'in\n', stderr: '' });
    expect(await sshStrict(out, OTHER_ENV)).toEqual({ code: 0, stdout: 'in\n', stderr: '' });
    expect(await sshStrict(out, PLAIN)).toEqual(refused(PLAIN));
  });

  it('refuses no pattern, a bare "*" unless --allow-any-host, and a wrong host CA mount', async () => {
    const render = (...extra: string[]) =>
      runSshca(['render', '--format', 'known-hosts', '--mount', 'ssh-dev-host', ...extra], env);
    expect(await render()).toEqual({
      code: 2,
      stdout: '',
      stderr: 'sshca render: missing required option --hosts\nRun "sshca render --help" for usage.\n',
    });
    expect(await render('--hosts', '')).toEqual({
      code: 2,
      stdout: '',
      stderr:
        'sshca render: --hosts: no host pattern given: name the hosts the host CA vouches for, e.g. *.dev.example.com,10.1.0.*\n' +
        'Run "sshca render --help" for usage.\n',
    });
    expect(await render('--hosts', '*')).toEqual({
      code: 2,
      stdout: '',
      stderr:
        'sshca render: --hosts: host pattern "*" matches every host: the host CA would vouch for any host you reach, ' +
        "inside the environment or not; name the environment's hosts, e.g. *.dev.example.com,10.1.0.* " +
        '(or allow every host explicitly with --allow-any-host)\nRun "sshca render --help" for usage.\n',
    });
    expect(await render('--hosts', '*', '--allow-any-host')).toEqual({
      code: 0,
      stdout: `@cert-authority * ${devHostCa}\n`,
      stderr: '',
    });
    expect(await render('--hosts', ALL, '--principals', 'ubuntu=ubuntu')).toEqual({
      code: 2,
      stdout: '',
      stderr:
        'sshca render: --principals cannot be used with --format known-hosts\nRun "sshca render --help" for usage.\n',
    });
    expect(
      await runSshca(['render', '--format', 'known-hosts', '--mount', 'ssh-nope-host', '--hosts', ALL], env),
    ).toEqual({
      code: 1,
      stdout: '',
      stderr:
        'sshca render: there is no SSH mount ssh-nope-host on this backend: check --mount ("vault secrets list" shows the mounts) ' +
        '(backend said: permission denied)\n',
    });
  });
});

describe('sshca check-host --host-ca-mount', () => {
  const check = (address: string, ...extra: string[]) =>
    runSshca(
      [
        'check-host',
        '--mount',
        'ssh-dev',
        '--role',
        'developer',
        '--host-ca-mount',
        'ssh-dev-host',
        '--port',
        String(host(address).port),
        ...extra,
        `${account}@${address}`,
      ],
      env,
    );
  const head = (address: string) => `FAILED: ${account}@${address}:${host(address).port}: `;

  it('exit 0: the host accepts the certificate and its host key is certified', async () => {
    expect(await check(CERTIFIED)).toEqual({
      code: 0,
      stdout:
        `OK: ${account}@${CERTIFIED}:${host(CERTIFIED).port}: the host accepts certificates of ssh-dev for ${account}, ` +
        `and its host key is certified for ${CERTIFIED} by mount ssh-dev-host\n`,
      stderr: '',
    });
  });

  it('exit 6: the host presents no certificate', async () => {
    expect(await check(PLAIN)).toEqual({
      code: 6,
      stdout: '',
      stderr:
        `${head(PLAIN)}host key not certified by the environment's host CA: the host presents no certificate, ` +
        `only a plain host key (${fp(host(PLAIN).hostPublicKey)}): sign it with mount ssh-dev-host and name the ` +
        "certificate in sshd's HostCertificate\n",
    });
  });

  it("exit 6: the host presents a certificate of another CA (the other environment's)", async () => {
    expect(await check(OTHER_ENV)).toEqual({
      code: 6,
      stdout: '',
      stderr:
        `${head(OTHER_ENV)}host key not certified by the environment's host CA: the host presents a certificate ` +
        `signed by another CA (${fp(prodHostCa)}), not by mount ssh-dev-host (${fp(devHostCa)})\n`,
    });
  });

  it('exit 6: a certificate of the host CA for another name', async () => {
    expect(await check(WRONG_NAME)).toEqual({
      code: 6,
      stdout: '',
      stderr:
        `${head(WRONG_NAME)}host key not certified by the environment's host CA: the host presents a certificate of ` +
        `mount ssh-dev-host (${fp(devHostCa)}), but not one valid for ${WRONG_NAME}: ssh said "name is not a listed ` +
        `principal" (the certificate must list ${WRONG_NAME}, the name you connect to, among ` +
        'its principals, and be within its validity)\n',
    });
  });

  it('the same with --host-ca-key, in JSON; nothing is learnt into $SSHCA_HOME/known_hosts', async () => {
    const keyFile = join(dir, 'dev-host-ca.pub');
    writeFileSync(keyFile, `${devHostCa}\n`);
    const r = await runSshca(
      [
        'check-host',
        '--mount',
        'ssh-dev',
        '--role',
        'developer',
        '--host-ca-key',
        keyFile,
        '--port',
        String(host(OTHER_ENV).port),
        '--json',
        `${account}@${OTHER_ENV}`,
      ],
      env,
    );
    expect(r.code).toBe(6);
    expect(JSON.parse(r.stdout)).toMatchObject({
      ok: false,
      reason: 'host-key-not-certified',
      host_key: {
        host_ca: keyFile,
        host_ca_fingerprints: [fp(devHostCa)],
        presented: 'certificate',
        ca_fingerprint: fp(prodHostCa),
      },
    });
    expect(existsSync(join(dir, 'sshca', 'known_hosts'))).toBe(false);
  });

  it('--known-hosts with a host CA is a usage error (exit 2)', async () => {
    expect(await check(CERTIFIED, '--known-hosts', join(dir, 'kh'))).toEqual({
      code: 2,
      stdout: '',
      stderr:
        'sshca check-host: --known-hosts and --host-ca-mount/--host-ca-key exclude each other: with a host CA only ' +
        'its certificates are trusted\nRun "sshca check-host --help" for usage.\n',
    });
  });
});

describe('sshca login --host-ca-mount, then the real ssh through the ssh config it wrote', () => {
  const home = () => join(dir, 'login-home');
  const loginEnv = () => ({ ...env, SSHCA_HOME: home() });
  const login = (...extra: string[]) =>
    runSshca(
      [
        'login',
        '--mount',
        'ssh-dev',
        '--role',
        'developer',
        '--no-agent',
        '--host-ca-mount',
        'ssh-dev-host',
        '--hosts',
        `${CERTIFIED},${PLAIN},${OTHER_ENV}`,
        ...extra,
      ],
      loginEnv(),
    );
  const viaConfig = (address: string) =>
    ssh([
      '-F',
      join(home(), 'config'),
      '-o',
      'BatchMode=yes',
      '-o',
      'GlobalKnownHostsFile=/dev/null',
      '-p',
      String(host(address).port),
      `${account}@${address}`,
      'echo in',
    ]);

  it('writes the known_hosts line and the ssh config block, and says where', async () => {
    mkdirSync(home(), { recursive: true, mode: 0o700 });
    // Another line of the user's: kept.
    writeFileSync(join(home(), 'known_hosts'), 'web-9.example.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOtherKeyxx\n');
    const r = await login();
    const knownHosts = join(home(), 'known_hosts');
    const config = join(home(), 'config');
    const id = join(home(), 'ssh-dev-developer');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout.split('\n')).toEqual([
      expect.stringMatching(new RegExp(`^Signed ${id}-cert\\.pub as token: principals ${account}; `)),
      `Trusting host certificates of ssh-dev-host for ${CERTIFIED},${PLAIN},${OTHER_ENV} in ${knownHosts}; ` +
        `ssh config for those hosts in ${config} (ssh -F ${config} HOST, or "Include ${config}" at the top of ~/.ssh/config).`,
      '',
    ]);
    expect(readFileSync(knownHosts, 'utf8')).toBe(
      'web-9.example.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOtherKeyxx\n' +
        `@cert-authority ${CERTIFIED},${PLAIN},${OTHER_ENV} ${devHostCa}\n`,
    );
    expect(statSync(knownHosts).mode & 0o777).toBe(0o644);
    expect(readFileSync(config, 'utf8')).toBe(
      [
        '# sshca: certificates of ssh-dev/developer (renew with: sshca login --mount ssh-dev --role developer)',
        `Host ${CERTIFIED} ${PLAIN} ${OTHER_ENV}`,
        `  IdentityFile ${id}`,
        `  CertificateFile ${id}-cert.pub`,
        '  IdentitiesOnly yes',
        `  UserKnownHostsFile ${knownHosts}`,
        '  StrictHostKeyChecking yes',
        '',
      ].join('\n'),
    );
    expect(statSync(config).mode & 0o777).toBe(0o600);
  });

  it('real ssh through that config: in to the certified host, refused by the other two', async () => {
    expect(await viaConfig(CERTIFIED)).toEqual({ code: 0, stdout: 'in\n', stderr: '' });
    expect(await viaConfig(PLAIN)).toEqual(refused(PLAIN));
    expect(await viaConfig(OTHER_ENV)).toEqual(refused(OTHER_ENV));
  });

  it('a second login changes nothing; another block of the file is kept', async () => {
    const config = join(home(), 'config');
    const knownHosts = join(home(), 'known_hosts');
    const mine = '# my own\nHost bastion\n  User me\n';
    writeFileSync(config, `${mine}\n${readFileSync(config, 'utf8')}`);
    const before = { config: readFileSync(config, 'utf8'), knownHosts: readFileSync(knownHosts, 'utf8') };
    const again = await login('--json');
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ agent: 'skipped', known_hosts: knownHosts, ssh_config: config });
    expect(readFileSync(config, 'utf8')).toBe(before.config);
    expect(readFileSync(knownHosts, 'utf8')).toBe(before.knownHosts);
    expect(before.config.startsWith(`${mine}\n# sshca: certificates of ssh-dev/developer`)).toBe(true);
  });

  it('a changed host CA key for the same hosts replaces the old line', async () => {
    // The same hosts, now trusted for ssh-prod-host's certificates (as if the CA were rotated).
    const r = await runSshca(
      [
        'login',
        '--mount',
        'ssh-dev',
        '--role',
        'developer',
        '--no-agent',
        '--host-ca-mount',
        'ssh-prod-host',
        '--hosts',
        `${CERTIFIED},${PLAIN},${OTHER_ENV}`,
      ],
      loginEnv(),
    );
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(join(home(), 'known_hosts'), 'utf8')).toBe(
      'web-9.example.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOtherKeyxx\n' +
        `@cert-authority ${CERTIFIED},${PLAIN},${OTHER_ENV} ${prodHostCa}\n`,
    );
    expect(await viaConfig(OTHER_ENV)).toEqual({ code: 0, stdout: 'in\n', stderr: '' });
    expect(await viaConfig(CERTIFIED)).toEqual(refused(CERTIFIED));
    expect((await login()).code).toBe(0); // back to ssh-dev-host for the next tests
  });

  it('refuses --hosts without --host-ca-mount, a bare "*" and a [host]:port pattern (exit 2)', async () => {
    const base = ['login', '--mount', 'ssh-dev', '--role', 'developer', '--no-agent'];
    expect(await runSshca([...base, '--hosts', CERTIFIED], loginEnv())).toEqual({
      code: 2,
      stdout: '',
      stderr: 'sshca login: --hosts needs --host-ca-mount\nRun "sshca login --help" for usage.\n',
    });
    expect(await runSshca([...base, '--host-ca-mount', 'ssh-dev-host'], loginEnv())).toEqual({
      code: 2,
      stdout: '',
      stderr:
        "sshca login: --host-ca-mount needs --hosts PATTERNS (the hosts its certificates are trusted for, e.g. '*.dev.example.com')\n" +
        'Run "sshca login --help" for usage.\n',
    });
    const star = await runSshca([...base, '--host-ca-mount', 'ssh-dev-host', '--hosts', '*'], loginEnv());
    expect(star.code).toBe(2);
    expect(star.stderr).toContain('sshca login: --hosts: host pattern "*" matches every host');
    expect(
      await runSshca([...base, '--host-ca-mount', 'ssh-dev-host', '--hosts', `[${CERTIFIED}]:2222`], loginEnv()),
    ).toEqual({
      code: 2,
      stdout: '',
      stderr:
        `sshca login: --hosts: "[${CERTIFIED}]:2222" is a known_hosts [host]:port form, which an ssh_config Host line ` +
        'never matches; give the host pattern alone: ssh checks host certificates against the bare name on every port\n' +
        'Run "sshca login --help" for usage.\n',
    });
  });
});

describe('sshca config --host-ca-mount', () => {
  it('prints the block (StrictHostKeyChecking yes), writes the line, and real ssh logs in through it', async () => {
    const home = join(dir, 'config-home');
    const cfgEnv = { ...env, SSHCA_HOME: home };
    const r = await runSshca(
      [
        'config',
        '--mount',
        'ssh-dev',
        '--role',
        'developer',
        '--host',
        `${CERTIFIED} ${PLAIN}`,
        '--user',
        account,
        '--host-ca-mount',
        'ssh-dev-host',
      ],
      cfgEnv,
    );
    const knownHosts = join(home, 'known_hosts');
    const id = join(home, 'ssh-dev-developer');
    expect(r).toEqual({
      code: 0,
      stdout: [
        '# sshca: certificates of ssh-dev/developer (renew with: sshca login --mount ssh-dev --role developer)',
        `Host ${CERTIFIED} ${PLAIN}`,
        `  User ${account}`,
        `  IdentityFile ${id}`,
        `  CertificateFile ${id}-cert.pub`,
        '  IdentitiesOnly yes',
        `  UserKnownHostsFile ${knownHosts}`,
        '  StrictHostKeyChecking yes',
        '',
      ].join('\n'),
      stderr: `sshca config: trusting host certificates of mount ssh-dev-host for ${CERTIFIED},${PLAIN} in ${knownHosts}\n`,
    });
    expect(readFileSync(knownHosts, 'utf8')).toBe(`@cert-authority ${CERTIFIED},${PLAIN} ${devHostCa}\n`);
    const config = join(dir, 'config-ssh-config');
    writeFileSync(config, r.stdout);
    expect((await runSshca(['login', '--mount', 'ssh-dev', '--role', 'developer', '--no-agent'], cfgEnv)).code).toBe(0);
    const via = (address: string) =>
      ssh(['-F', config, '-o', 'BatchMode=yes', '-p', String(host(address).port), address, 'echo in']);
    expect(await via(CERTIFIED)).toEqual({ code: 0, stdout: 'in\n', stderr: '' });
    expect(await via(PLAIN)).toEqual(refused(PLAIN));
  });

  it('refuses a host pattern "*" with a host CA unless --allow-any-host', async () => {
    const args = [
      'config',
      '--mount',
      'ssh-dev',
      '--role',
      'developer',
      '--host',
      '*',
      '--host-ca-mount',
      'ssh-dev-host',
    ];
    const home = join(dir, 'config-star');
    const star = await runSshca(args, { ...env, SSHCA_HOME: home });
    expect(star.code).toBe(2);
    expect(star.stderr).toContain('sshca config: --host: host pattern "*" matches every host');
    const allowed = await runSshca([...args, '--allow-any-host'], { ...env, SSHCA_HOME: home });
    expect(allowed.code).toBe(0);
    expect(readFileSync(join(home, 'known_hosts'), 'utf8')).toBe(`@cert-authority * ${devHostCa}\n`);
    // Without a host CA, "Host *" is as it always was.
    expect((await runSshca(args.slice(0, 7), { ...env, SSHCA_HOME: home })).code).toBe(0);
  });
});
