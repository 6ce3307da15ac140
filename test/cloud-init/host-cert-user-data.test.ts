// The host-certificate user-data (issue 17, point 2) against the real tools: `cloud-init schema`
// accepts it; then, as cloud-init would run it (write_files, then the runcmd script with sh -c as
// root), it unwraps a response-wrapped token from the embedded server over real HTTP, signs a real
// sshd host's own public key through the host CA mount, installs the certificate and the drop-in,
// checks sshd and reloads that sshd by its pid. Then the real ssh with only `@cert-authority` in its
// known_hosts (StrictHostKeyChecking=yes) logs in with no prompt. A second boot with the same token
// is refused and changes nothing. Stops short of booting an instance: paths point at the test host's
// directory instead of /etc/ssh, /run and /etc/ssh/sshd_config.

import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseCertificate } from '../../core/cert/certificate.js';
import { renderHostCertCloudConfig, renderHostCertificateDropIn } from '../../core/render/host-cert-cloud-config.js';
import { generateKeyPair } from '../../server/ssh/generate-key-pair.js';
import { makeScratchDir, removeScratchDir } from '../helpers/scratch.js';
import { sshLogin } from '../helpers/ssh-client.js';
import { SSHD_PATH, startSshdHosts, stopAll, type SshdHost } from '../helpers/sshd.js';
import { ensureTestUser } from '../helpers/test-user.js';
import { issueUserCertificate } from '../helpers/user-cert.js';
import { mountSshCa, startTestServer, type TestServer } from '../helpers/vault-server.js';

const MOUNT = 'ssh-dev-host';
const ADDRESS = '127.0.0.5';
const NAME = 'web-1.dev.internal';

let dir: string;
let server: TestServer;
let hostCa: string;
let host: SshdHost;
let hosts: SshdHost[] = [];
let account: string;
const userCa = generateKeyPair('ed25519', 0);

/** A token allowed to sign with the host role only, wrapped for `ttl` (response wrapping). */
async function wrappedSignToken(ttl = '5m'): Promise<string> {
  const res = await fetch(`${server.url}/v1/auth/token/create`, {
    method: 'POST',
    headers: { 'X-Vault-Token': server.token, 'X-Vault-Wrap-TTL': ttl },
    body: JSON.stringify({ policies: ['host-sign'], ttl: '15m' }),
  });
  const body = (await res.json()) as { wrap_info: { token: string } };
  return body.wrap_info.token;
}

function userData(wrappingToken: string): string {
  return renderHostCertCloudConfig(
    {
      vaultAddr: server.url,
      mount: MOUNT,
      principals: [NAME, ADDRESS],
      wrappingToken,
      paths: {
        hostKeys: [join(host.dir, 'host_ed25519'), join(host.dir, 'no_such_key')],
        dropIn: join(dir, 'sshd_config.d/10-sshca-host-certificate.conf'),
        wrappingToken: join(dir, 'run/wrapping-token'),
        sshdConfig: join(host.dir, 'sshd_config'),
      },
    },
    { sshd: SSHD_PATH, reloadCommand: `kill -HUP ${host.pid}` },
  );
}

/** What cloud-init would do: write_files, then runcmd (asynchronously: the server is in this process). */
async function boot(text: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const doc = parse(text);
  for (const f of doc.write_files) {
    mkdirSync(dirname(f.path), { recursive: true, mode: 0o755 });
    writeFileSync(f.path, f.content, { mode: Number.parseInt(f.permissions, 8) });
  }
  const [sh, flag, script] = doc.runcmd[0];
  return new Promise((resolve) => {
    const child = spawn(sh, [flag, script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.once('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

const knownHosts = () => {
  const file = join(dir, 'known_hosts');
  writeFileSync(file, `@cert-authority ${ADDRESS},${NAME} ${hostCa}\n`);
  return file;
};

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

beforeAll(async () => {
  dir = makeScratchDir('cloud-init-host-cert');
  account = await ensureTestUser();
  server = await startTestServer();
  hostCa = await mountSshCa(server, MOUNT, {
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
  const policy = await server.request('POST', '/v1/sys/policies/acl/host-sign', {
    policy: `path "${MOUNT}/sign/host" { capabilities = ["update"] }`,
  });
  expect(policy.status).toBe(204);
  hosts = await startSshdHosts([
    {
      name: 'boot',
      address: ADDRESS,
      trustedUserCaKeys: [userCa.publicKey],
      principals: { [account]: ['engineer'] },
      extraConfig: [`Include ${join(dir, 'sshd_config.d')}/*.conf`],
    },
  ]);
  host = hosts[0]!;
});

afterAll(async () => {
  await stopAll(hosts);
  await server?.close();
  if (dir) removeScratchDir(dir);
});

describe('host-certificate user-data', () => {
  it('cloud-init schema accepts it, and it stays within 16 KB', async () => {
    const file = join(dir, 'user-data.yaml');
    const text = userData(await wrappedSignToken());
    writeFileSync(file, text);
    const r = await new Promise<{ code: number; out: string }>((resolve) => {
      const child = spawn('cloud-init', ['schema', '--config-file', file], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
      child.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
      child.once('close', (code) => resolve({ code: code ?? -1, out }));
    });
    expect(r).toEqual({ code: 0, out: `Valid cloud-config: ${file}\n` });
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(16_384);
  });

  it('before the boot script, ssh trusting only the host CA refuses the host', async () => {
    const user = issueUserCertificate(dir, userCa, ['engineer']);
    const r = await sshLogin({ host, user: account, ...user, knownHostsFile: knownHosts(), command: 'id -un' });
    expect(r.code).toBe(255);
    expect(r.stderr).toContain('Host key verification failed.');
  });

  it('the boot script unwraps, signs the host key, installs it, reloads sshd and removes the tokens', async () => {
    const mark = host.log().length;
    const temporary = () => readdirSync('/tmp').filter((n) => n.startsWith('tmp.'));
    const before = temporary();
    const r = await boot(userData(await wrappedSignToken()));
    expect(r).toEqual({ code: 0, stdout: '', stderr: '' });
    // The script's temporary directory (the unwrapped token's header file) is gone.
    expect(temporary().filter((n) => !before.includes(n))).toEqual([]);
    await host.waitForLog(/^Received SIGHUP; restarting\.$/, mark, 10_000);
    await host.waitForLog(new RegExp(`^Server listening on ${escape(ADDRESS)} port ${host.port}\\.$`), mark, 10_000);

    const certFile = join(host.dir, 'host_ed25519-cert.pub');
    expect(statSync(certFile).mode & 0o777).toBe(0o644);
    const cert = parseCertificate(readFileSync(certFile, 'utf8').trim());
    expect(cert.certType).toBe('host');
    expect([...cert.principals].sort()).toEqual([ADDRESS, NAME].sort());
    expect(readFileSync(join(dir, 'sshd_config.d/10-sshca-host-certificate.conf'), 'utf8')).toBe(
      renderHostCertificateDropIn(MOUNT, [join(host.dir, 'host_ed25519')]),
    );
    expect(existsSync(join(dir, 'run/wrapping-token'))).toBe(false);

    const user = issueUserCertificate(dir, userCa, ['engineer']);
    const login = await sshLogin({ host, user: account, ...user, knownHostsFile: knownHosts(), command: 'id -un' });
    expect(login).toEqual({ code: 0, stdout: `${account}\n`, stderr: '' });
  });

  it('a wrapping token that was already unwrapped is refused and changes nothing', async () => {
    const token = await wrappedSignToken();
    const unwrap = await server.request('POST', '/v1/sys/wrapping/unwrap', undefined, token);
    expect(unwrap.status).toBe(200);
    const certFile = join(host.dir, 'host_ed25519-cert.pub');
    const before = readFileSync(certFile, 'utf8');
    const mark = host.log().length;
    const r = await boot(userData(token));
    expect(r).toEqual({
      code: 1,
      stdout: '',
      stderr:
        `vault-ssh-ca: ${server.url} refused the wrapping token (400: wrapping token is not valid or does not exist): ` +
        'it was already unwrapped, has expired or is not a wrapping token; ask for a new one; sshd left unchanged\n',
    });
    expect(readFileSync(certFile, 'utf8')).toBe(before);
    expect(existsSync(join(dir, 'run/wrapping-token'))).toBe(false);
    expect(host.log().slice(mark)).not.toContain('Received SIGHUP');
  });
});
