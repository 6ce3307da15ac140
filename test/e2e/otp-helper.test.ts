// OTP logins end to end: a real OpenSSH sshd on a loopback address whose own PAM service
// (/etc/pam.d/sshd-otp-<random>) runs the shipped vault-ssh-helper through pam_exec, the real ssh client
// typing the OTP through SSH_ASKPASS, and OTPs issued by the embedded server over real HTTP and HTTPS.
// Each case checks ssh's exit code and message, the helper's decision line (pam_exec's log= file) and
// what sshd logged. The machine's own /etc/pam.d/sshd and sshd_config are never touched.

import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { createServer as createTcpServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { generateKeyPair } from '../../server/ssh/generate-key-pair.js';
import { makeScratchDir, removeScratchDir } from '../helpers/scratch.js';
import { sshLogin } from '../helpers/ssh-client.js';
import { startSshdHosts, stopAll, type SshdHost } from '../helpers/sshd.js';
import { otpAuthLine, sshOtpLogin, writeOtpHelperConfig, type OtpHelperConfig } from '../helpers/sshd-otp.js';
import { ensureTestUser } from '../helpers/test-user.js';
import { makeSelfSignedTls } from '../helpers/tls.js';
import { issueUserCertificate } from '../helpers/user-cert.js';
import { startTestServer, type TestServer } from '../helpers/vault-server.js';

const PRINCIPAL = 'dev-engineer';

let dir: string;
let user: string;
let backend: TestServer;
let tlsListener: Server;
let closedUrl: string;
let hosts: SshdHost[] = [];
/** The hosts by purpose: `main` (http, -dev), `short` (mount with 2 s leases), `tls` (https), `down`. */
const host: Record<'main' | 'short' | 'tls' | 'down', SshdHost> = {} as never;
const ca = generateKeyPair('ed25519', 0);
/** Every OTP issued here: none may show up in a log. */
const issued: string[] = [];

const ADDRESSES = { main: '127.0.0.41', short: '127.0.0.42', tls: '127.0.0.43', down: '127.0.0.44' } as const;

beforeAll(async () => {
  dir = makeScratchDir('e2e-otp');
  user = await ensureTestUser();
  const tls = makeSelfSignedTls(dir);
  backend = await startTestServer();
  let tlsUrl: string;
  ({ server: tlsListener, url: tlsUrl } = await backend.server.listen('127.0.0.1', 0, tls));
  for (const [mount, body] of [
    ['ssh', { type: 'ssh' }],
    ['ssh-short', { type: 'ssh', config: { default_lease_ttl: '2s' } }],
  ] as const) {
    expect((await backend.request('POST', `/v1/sys/mounts/${mount}`, body)).status).toBe(204);
  }
  const otpRole = {
    key_type: 'otp',
    default_user: user,
    allowed_users: `${user},sshca-otp-other`,
    cidr_list: '127.0.0.0/8',
  };
  for (const [path, role] of [
    ['ssh/roles/otp', otpRole],
    ['ssh/roles/neighbour', { key_type: 'otp', default_user: user, cidr_list: '192.0.2.0/24' }],
    ['ssh-short/roles/otp', otpRole],
  ] as const) {
    expect((await backend.request('POST', `/v1/${path}`, role)).status).toBe(204);
  }
  const probe = createTcpServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  closedUrl = `http://127.0.0.1:${(probe.address() as { port: number }).port}`;
  await new Promise((resolve) => probe.close(resolve));

  const configs: Record<keyof typeof host, [OtpHelperConfig, boolean]> = {
    main: [{ vault_addr: backend.url, allowed_roles: '*' }, true],
    short: [{ vault_addr: backend.url, ssh_mount_point: 'ssh-short', allowed_roles: 'otp' }, true],
    tls: [{ vault_addr: tlsUrl, ca_cert: tls.certFile, allowed_roles: 'otp' }, false],
    down: [{ vault_addr: closedUrl, allowed_roles: '*' }, true],
  };
  const names = Object.keys(configs) as (keyof typeof host)[];
  hosts = await startSshdHosts(
    names.map((name) => {
      const [config, dev] = configs[name];
      const path = writeOtpHelperConfig(dir, config, `${name}.hcl`);
      return {
        name: `otp-${name}`,
        address: ADDRESSES[name],
        trustedUserCaKeys: [ca.publicKey.trim()],
        principals: { [user]: [PRINCIPAL] },
        pam: { auth: [otpAuthLine({ config: path, log: join(dir, `${name}.log`), dev })] },
      };
    }),
  );
  names.forEach((name, i) => (host[name] = hosts[i]!));
});

afterAll(async () => {
  await stopAll(hosts);
  if (tlsListener) await new Promise((resolve) => tlsListener.close(resolve));
  await backend?.close();
  if (dir) removeScratchDir(dir);
});

async function issue(mount: string, role: string, ip: string, username?: string) {
  const r = await backend.request('POST', `/v1/${mount}/creds/${role}`, { ip, ...(username ? { username } : {}) });
  expect(r.status).toBe(200);
  issued.push(r.json.data.key);
  return { otp: r.json.data.key as string, leaseId: r.json.lease_id as string, leaseDuration: r.json.lease_duration };
}

/** The helper's decision lines so far on `name` (pam_exec's log file also holds `*** <date>` lines). */
function decisions(name: keyof typeof host): string[] {
  let text: string;
  try {
    text = readFileSync(join(dir, `${name}.log`), 'utf8');
  } catch {
    return [];
  }
  return text.split('\n').filter((l) => l.startsWith('vault-ssh-helper: '));
}

/** Log in to `name` with `otp` and return ssh's result with the helper lines and sshd log it caused. */
async function attempt(name: keyof typeof host, otp: string, account = user) {
  const h = host[name];
  const before = decisions(name).length;
  const from = h.log().length;
  const r = await sshOtpLogin({ host: h, user: account, otp, command: 'echo "logged in as $(id -un)"' });
  return { ...r, helper: decisions(name).slice(before), from };
}

const denied = (name: keyof typeof host, account = user) =>
  `${account}@${ADDRESSES[name]}: Permission denied (publickey,keyboard-interactive).\r\n`;
const ACCEPTED = new RegExp(
  `Accepted keyboard-interactive/pam for ${'sshca-test'} from 127\\.0\\.0\\.1 port \\d+ ssh2`,
);
const FAILED = /Failed keyboard-interactive\/pam for sshca-test from 127\.0\.0\.1 port \d+ ssh2/;

it('logs in with an OTP once, then refuses the same OTP', async () => {
  const { otp } = await issue('ssh', 'otp', ADDRESSES.main);
  const first = await attempt('main', otp);
  expect(first).toMatchObject({ code: 0, stdout: `logged in as ${user}\n`, stderr: '' });
  expect(first.helper).toEqual([
    `vault-ssh-helper: accepted user=${user} ip=${ADDRESSES.main} role=otp: ip is an address of this host`,
  ]);
  await host.main.waitForLog(ACCEPTED, first.from);

  const second = await attempt('main', otp);
  expect(second).toMatchObject({ code: 255, stdout: '', stderr: denied('main') });
  expect(second.helper).toEqual([
    `vault-ssh-helper: refused user=${user}: OTP not found (unknown, already used, expired or revoked)`,
  ]);
  await host.main.waitForLog(FAILED, second.from);
});

it('lets exactly one of two racing logins with the same OTP in', async () => {
  const { otp } = await issue('ssh', 'otp', ADDRESSES.main);
  const before = decisions('main').length;
  const results = await Promise.all([0, 1].map(() => sshOtpLogin({ host: host.main, user, otp, command: 'true' })));
  expect(results.map((r) => r.code).sort()).toEqual([0, 255]);
  expect(results.find((r) => r.code === 255)!.stderr).toBe(denied('main'));
  expect(decisions('main').slice(before).sort()).toEqual([
    `vault-ssh-helper: accepted user=${user} ip=${ADDRESSES.main} role=otp: ip is an address of this host`,
    `vault-ssh-helper: refused user=${user}: OTP not found (unknown, already used, expired or revoked)`,
  ]);
});

it('refuses an OTP issued for another user', async () => {
  const { otp } = await issue('ssh', 'otp', ADDRESSES.main, 'sshca-otp-other');
  const r = await attempt('main', otp);
  expect(r).toMatchObject({ code: 255, stdout: '', stderr: denied('main') });
  expect(r.helper).toEqual([
    `vault-ssh-helper: refused user=${user} ip=${ADDRESSES.main} role=otp: username mismatch: the OTP is for "sshca-otp-other"`,
  ]);
});

it('refuses an OTP issued for another ip (a neighbour, only compared, never contacted)', async () => {
  const { otp } = await issue('ssh', 'neighbour', '192.0.2.10');
  const r = await attempt('main', otp);
  expect(r).toMatchObject({ code: 255, stdout: '', stderr: denied('main') });
  expect(r.helper).toEqual([
    `vault-ssh-helper: refused user=${user} ip=192.0.2.10 role=neighbour: ip 192.0.2.10 is not an address of this host nor in allowed_cidr_list`,
  ]);
  // verify consumed it on the backend, as with Vault: it cannot be tried anywhere else now.
  expect((await attempt('main', otp)).helper[0]).toContain('OTP not found');
});

it('refuses an OTP whose lease expired', async () => {
  const { otp, leaseDuration } = await issue('ssh-short', 'otp', ADDRESSES.short);
  expect(leaseDuration).toBe(2);
  await sleep(3_000);
  const r = await attempt('short', otp);
  expect(r).toMatchObject({ code: 255, stdout: '', stderr: denied('short') });
  expect(r.helper).toEqual([
    `vault-ssh-helper: refused user=${user}: OTP not found (unknown, already used, expired or revoked)`,
  ]);
  // The same mount still lets a fresh OTP in.
  const fresh = await issue('ssh-short', 'otp', ADDRESSES.short);
  expect((await attempt('short', fresh.otp)).code).toBe(0);
});

it('refuses an OTP whose lease was revoked', async () => {
  const { otp, leaseId } = await issue('ssh', 'otp', ADDRESSES.main);
  expect(leaseId).toMatch(/^ssh\/creds\/otp\/[0-9a-f-]{36}$/);
  expect((await backend.request('PUT', '/v1/sys/leases/revoke', { lease_id: leaseId })).status).toBe(204);
  const r = await attempt('main', otp);
  expect(r).toMatchObject({ code: 255, stdout: '', stderr: denied('main') });
  expect(r.helper).toEqual([
    `vault-ssh-helper: refused user=${user}: OTP not found (unknown, already used, expired or revoked)`,
  ]);
});

it('refuses every login when the backend is down', async () => {
  const { otp } = await issue('ssh', 'otp', ADDRESSES.down);
  const r = await attempt('down', otp);
  expect(r).toMatchObject({ code: 255, stdout: '', stderr: denied('down') });
  expect(r.helper).toEqual([
    `vault-ssh-helper: refused user=${user}: backend ${closedUrl} unreachable: Connection refused`,
  ]);
});

it('logs in over TLS verified with ca_cert', async () => {
  const { otp } = await issue('ssh', 'otp', ADDRESSES.tls);
  const r = await attempt('tls', otp);
  expect(r).toMatchObject({ code: 0, stdout: `logged in as ${user}\n`, stderr: '' });
  expect(r.helper).toEqual([
    `vault-ssh-helper: accepted user=${user} ip=${ADDRESSES.tls} role=otp: ip is an address of this host`,
  ]);
});

it('still accepts a certificate on the OTP host, without running the helper', async () => {
  const cert = issueUserCertificate(dir, ca, [PRINCIPAL]);
  const before = decisions('main').length;
  const from = host.main.log().length;
  const r = await sshLogin({ host: host.main, user, ...cert, command: 'echo "logged in as $(id -un)"' });
  expect(r).toEqual({ code: 0, stdout: `logged in as ${user}\n`, stderr: '' });
  await host.main.waitForLog(
    new RegExp(`Accepted publickey for ${user} from 127\\.0\\.0\\.1 port \\d+ ssh2: ED25519-CERT`),
    from,
  );
  expect(decisions('main').length).toBe(before);
});

it('never writes an OTP into the helper logs or the sshd logs', () => {
  expect(issued.length).toBeGreaterThanOrEqual(9);
  const logs = [
    ...(['main', 'short', 'tls', 'down'] as const).map((n) => readFileSync(join(dir, `${n}.log`), 'utf8')),
    ...hosts.map((h) => h.log()),
  ].join('\n');
  for (const otp of issued) expect(logs).not.toContain(otp);
});
