// End to end (issue 17, points 2 and 4): the real ansible-playbook runs site.yml (ssh_ca_trust, then
// ssh_host_certificate) over real SSH against a real sshd host on 127.0.0.6. The embedded server (in
// process, real HTTP) holds a user CA (ssh-dev) and a host CA (ssh-dev-host, a host role only). The
// role reads the host's public key on the host, the control node sends it alone to
// ssh-dev-host/sign/host, and the certificate and the HostCertificate drop-in land next to the host's
// own key and in its Include directory; sshd is reloaded with `kill -HUP <its pid>`. Then the real ssh
// with only `@cert-authority` in its known_hosts (StrictHostKeyChecking=yes) logs in with no prompt. A
// second run changes nothing; a certificate near its end is renewed; a drop-in sshd refuses is not
// installed and sshd keeps serving. Ansible connects as root with a bootstrap key.

import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { parseCertificate } from '../../core/cert/certificate.js';
import { renderHostCertificateDropIn } from '../../core/render/host-cert-cloud-config.js';
import { ansibleEnv, parseFatal, parseRecap, runSitePlaybook } from '../helpers/ansible.js';
import { makeScratchDir, removeScratchDir } from '../helpers/scratch.js';
import { sshLogin } from '../helpers/ssh-client.js';
import { SSHD_PATH, startSshdHosts, stopAll, type SshdHost } from '../helpers/sshd.js';
import { mountSshCa, startTestServer, type TestServer } from '../helpers/vault-server.js';

const HOST_MOUNT = 'ssh-dev-host';
const ADDRESS = '127.0.0.6';
const NAME = 'web-1.dev.internal';
const SIGHUP = 'Received SIGHUP; restarting.';

let dir: string;
let server: TestServer;
let hostCa: string;
let host: SshdHost;
let hosts: SshdHost[] = [];
let bootstrapKey: string;
let knownHosts: string;
let env: NodeJS.ProcessEnv;

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const count = (text: string, line: string) => text.split('\n').filter((l) => l === line).length;
const dropInPath = () => join(dir, 'sshd_config.d/10-sshca-host-certificate.conf');
const certPath = () => join(host.dir, 'host_ed25519-cert.pub');
const readCert = () => parseCertificate(readFileSync(certPath(), 'utf8').trim());

/** The inventory: one host, its files in the test's directory, the given host keys. */
function writeInventory(name: string, extra: Record<string, unknown> = {}): string {
  const vars = {
    ansible_host: ADDRESS,
    ansible_port: host.port,
    ansible_user: 'root',
    ansible_ssh_private_key_file: bootstrapKey,
    ansible_ssh_common_args: [
      '-F none -o IdentitiesOnly=yes -o IdentityAgent=none -o BatchMode=yes',
      `-o UserKnownHostsFile=${knownHosts} -o GlobalKnownHostsFile=none -o StrictHostKeyChecking=yes`,
      '-o KexAlgorithms=curve25519-sha256',
    ].join(' '),
    ssh_ca_trust_environment: 'dev',
    ssh_ca_trust_backend_url: server.url,
    ssh_ca_trust_mount: 'ssh-dev',
    ssh_ca_trust_principals: { root: ['root'] },
    ssh_ca_trust_dropin_path: join(dir, 'sshd_config.d/10-sshca.conf'),
    ssh_ca_trust_ca_keys_path: join(dir, 'sshca/trusted_user_ca_keys'),
    ssh_ca_trust_principals_dir: join(dir, 'sshca/principals'),
    ssh_ca_trust_sshd_command: SSHD_PATH,
    ssh_ca_trust_sshd_config: join(host.dir, 'sshd_config'),
    ssh_ca_trust_reload_command: `kill -HUP ${host.pid}`,
    ssh_host_certificate_backend_url: server.url,
    ssh_host_certificate_mount: HOST_MOUNT,
    ssh_host_certificate_host_keys: [join(host.dir, 'host_ed25519')],
    ssh_host_certificate_dropin_path: dropInPath(),
    ssh_host_certificate_sshd_command: SSHD_PATH,
    ssh_host_certificate_sshd_config: join(host.dir, 'sshd_config'),
    ssh_host_certificate_reload_command: `kill -HUP ${host.pid}`,
    ...extra,
  };
  const file = join(dir, `${name}.yml`);
  writeFileSync(file, `---\n${stringify({ all: { children: { dev: { hosts: { [NAME]: vars } } } } })}`);
  return file;
}

async function waitForReload(mark: number): Promise<void> {
  await host.waitForLog(new RegExp(`^${escape(SIGHUP)}$`), mark, 10_000);
  const restarted = host.log().indexOf(SIGHUP, mark);
  await host.waitForLog(new RegExp(`^Server listening on ${escape(ADDRESS)} port ${host.port}\\.$`), restarted, 10_000);
}

/** ssh as root with the bootstrap key, trusting the host only through the host CA. */
function loginThroughHostCa() {
  const file = join(dir, 'known_hosts_cert_authority');
  writeFileSync(file, `@cert-authority ${ADDRESS},*.dev.internal ${hostCa}\n`);
  return sshLogin({ host, user: 'root', identityFile: bootstrapKey, knownHostsFile: file, command: 'id -un' });
}

beforeAll(async () => {
  dir = makeScratchDir('ansible-host-cert');
  chmodSync(dir, 0o755);
  server = await startTestServer();
  await mountSshCa(server, 'ssh-dev', {});
  hostCa = await mountSshCa(server, HOST_MOUNT, {
    host: {
      key_type: 'ca',
      allow_host_certificates: true,
      allow_user_certificates: false,
      allowed_domains: `dev.internal,${ADDRESS}`,
      allow_bare_domains: true,
      allow_subdomains: true,
      ttl: '720h',
      max_ttl: '720h',
    },
  });
  bootstrapKey = join(dir, 'bootstrap');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'bootstrap', '-f', bootstrapKey]);
  mkdirSync(join(dir, 'sshd_config.d'), { mode: 0o755 });
  mkdirSync(join(dir, 'authorized_keys'), { mode: 0o755 });
  writeFileSync(join(dir, 'authorized_keys/root'), readFileSync(`${bootstrapKey}.pub`, 'utf8'));
  hosts = await startSshdHosts([
    {
      name: 'hostcert',
      address: ADDRESS,
      trustedUserCaKeys: [],
      principals: {},
      extraConfig: [`Include ${dir}/sshd_config.d/*.conf`, `AuthorizedKeysFile ${dir}/authorized_keys/%u`],
    },
  ]);
  host = hosts[0]!;
  knownHosts = join(dir, 'known_hosts');
  writeFileSync(knownHosts, `${host.knownHostsLine}\n`);
  env = ansibleEnv(dir, { VAULT_TOKEN: server.token });
});

afterAll(async () => {
  await stopAll(hosts);
  await server?.close();
  if (dir) removeScratchDir(dir);
});

describe('site.yml with ssh_host_certificate against a real sshd host', () => {
  it('before the role runs, ssh trusting only the host CA refuses the host', async () => {
    const r = await loginThroughHostCa();
    expect(r.code).toBe(255);
    expect(r.stderr).toContain('Host key verification failed.');
  });

  it('the first run certifies the host key, writes the drop-in, reloads sshd once, and ssh then logs in with no prompt', async () => {
    const mark = host.log().length;
    const r = await runSitePlaybook(writeInventory('first'), env);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    // Changed: ssh_ca_trust's one module run, this role's install run and the one reload.
    expect(parseRecap(r.stdout)[NAME]).toMatchObject({ changed: 3, failed: 0, unreachable: 0 });
    await waitForReload(mark);
    expect(count(host.log().slice(mark), SIGHUP)).toBe(1);
    const cert = readCert();
    expect(cert.certType).toBe('host');
    expect([...cert.principals].sort()).toEqual([ADDRESS, NAME].sort());
    expect(cert.validBefore - cert.validAfter).toBeGreaterThanOrEqual(720 * 3600);
    expect(readFileSync(dropInPath(), 'utf8')).toBe(
      renderHostCertificateDropIn(HOST_MOUNT, [join(host.dir, 'host_ed25519')]),
    );
    // The token never appears in Ansible's output.
    expect(r.stdout).not.toContain(server.token);
    expect(await loginThroughHostCa()).toEqual({ code: 0, stdout: 'root\n', stderr: '' });
  });

  it('a second run changes nothing and reloads nothing', async () => {
    const before = readFileSync(certPath(), 'utf8');
    const mark = host.log().length;
    const r = await runSitePlaybook(writeInventory('second'), env);
    expect(r.code).toBe(0);
    expect(parseRecap(r.stdout)[NAME]).toMatchObject({ changed: 0, failed: 0 });
    expect(readFileSync(certPath(), 'utf8')).toBe(before);
    expect(count(host.log().slice(mark), SIGHUP)).toBe(0);
  });

  it('a certificate near its end is renewed on the next run, and only then', async () => {
    // A short certificate first (ttl 10m): with renew_before 1h it is inside the window.
    let r = await runSitePlaybook(writeInventory('short', { ssh_host_certificate_ttl: '10m' }), env);
    // Not renewed yet: the installed one is fresh (720h) and the run does not ask for 10m until it re-signs.
    expect(parseRecap(r.stdout)[NAME]).toMatchObject({ changed: 0, failed: 0 });
    r = await runSitePlaybook(
      writeInventory('short', { ssh_host_certificate_ttl: '10m', ssh_host_certificate_renew_before: '30d' }),
      env,
    );
    expect(r.code).toBe(0);
    expect(parseRecap(r.stdout)[NAME]).toMatchObject({ changed: 2, failed: 0 });
    const short = readCert();
    expect(short.validBefore - short.validAfter).toBeLessThanOrEqual(10 * 60 + 60);

    const mark = host.log().length;
    r = await runSitePlaybook(writeInventory('renew', { ssh_host_certificate_renew_before: '1h' }), env);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(parseRecap(r.stdout)[NAME]).toMatchObject({ changed: 2, failed: 0 });
    await waitForReload(mark);
    const renewed = readCert();
    expect(renewed.serial).not.toBe(short.serial);
    expect(renewed.validBefore - renewed.validAfter).toBeGreaterThanOrEqual(720 * 3600);
    r = await runSitePlaybook(writeInventory('renew', { ssh_host_certificate_renew_before: '1h' }), env);
    expect(parseRecap(r.stdout)[NAME]).toMatchObject({ changed: 0, failed: 0 });
    expect(await loginThroughHostCa()).toEqual({ code: 0, stdout: 'root\n', stderr: '' });
  });

  it('a drop-in sshd refuses is not installed: the run fails, sshd keeps its pid and its certificate', async () => {
    // A "host key" whose public half is not its private half: the certificate is signed for the .pub,
    // and sshd -t, given the private key, says "No matching private key for certificate".
    const odd = join(dir, 'odd_host_key');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', odd]);
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', `${odd}-other`]);
    writeFileSync(`${odd}.pub`, readFileSync(`${odd}-other.pub`, 'utf8'));
    const dropIn = readFileSync(dropInPath(), 'utf8');
    const mark = host.log().length;
    const r = await runSitePlaybook(
      writeInventory('odd', { ssh_host_certificate_host_keys: [join(host.dir, 'host_ed25519'), odd] }),
      env,
    );
    expect(r.code).toBe(2);
    expect(parseRecap(r.stdout)[NAME]).toMatchObject({ failed: 1 });
    const fatal = parseFatal(r.stdout)[NAME]!;
    expect(String(fatal.msg)).toBe('failed to validate');
    expect(String(fatal.stderr)).toContain(`No matching private key for certificate: ${odd}-cert.pub`);
    expect(readFileSync(dropInPath(), 'utf8')).toBe(dropIn);
    expect(count(host.log().slice(mark), SIGHUP)).toBe(0);
    expect(readFileSync(join(host.dir, 'sshd.pid'), 'utf8')).toBe(`${host.pid}\n`);
    expect(await loginThroughHostCa()).toEqual({ code: 0, stdout: 'root\n', stderr: '' });
  });
});
