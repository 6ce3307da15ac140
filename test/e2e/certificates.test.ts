// Acceptance of core-signed certificates by a real OpenSSH sshd (one test per case): key and CA
// types that must log in, and every refusal with the reason sshd logs. Each certificate made here is
// also read back with `ssh-keygen -L`, whose output must equal ours byte for byte.

import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCertificate } from '../../core/cert/certificate.js';
import { renderCertificateText } from '../../core/cert/certificate-text.js';
import type { GeneratedKeyPair } from '../../core/keys/ca-key.js';
import { generateKeyPair } from '../../server/ssh/generate-key-pair.js';
import { parseRoleWrite } from '../../core/role.js';
import { parseSignRequest, signWithRole } from '../../core/sign.js';
import { sshLogin } from '../helpers/ssh-client.js';
import { startSshdHosts, stopAll, type SshdHost } from '../helpers/sshd.js';
import { ensureTestUser } from '../helpers/test-user.js';

const PRINCIPAL = 'dev-engineer';

let dir: string;
let account: string;
let hosts: SshdHost[];
let matrix: SshdHost;
let dev: SshdHost;
let prod: SshdHost;
const cas: Record<string, GeneratedKeyPair> = {};
const userKeys: Record<string, string> = {}; // name → private key path

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sshca-e2e-'));
  account = await ensureTestUser();
  cas.ed25519 = generateKeyPair('ed25519', 0);
  cas.ecdsa = generateKeyPair('ec', 256);
  cas.rsa4096 = generateKeyPair('rsa', 4096);
  cas.prod = generateKeyPair('ed25519', 0);
  cas.stranger = generateKeyPair('ed25519', 0);
  for (const [name, args] of [
    ['ed25519', ['-t', 'ed25519']],
    ['rsa2048', ['-t', 'rsa', '-b', '2048']],
  ] as const) {
    userKeys[name] = join(dir, `id_${name}`);
    execFileSync('ssh-keygen', ['-q', ...args, '-N', '', '-f', userKeys[name]!]);
  }
  const principals = { [account]: [PRINCIPAL] };
  hosts = await startSshdHosts([
    {
      name: 'matrix',
      address: '127.0.0.4',
      trustedUserCaKeys: [cas.ed25519, cas.ecdsa, cas.rsa4096].map((c) => c.publicKey.trim()),
      principals,
    },
    { name: 'dev', address: '127.0.0.2', trustedUserCaKeys: [cas.ed25519.publicKey.trim()], principals },
    { name: 'prod', address: '127.0.0.3', trustedUserCaKeys: [cas.prod.publicKey.trim()], principals },
  ]);
  [matrix, dev, prod] = hosts as [SshdHost, SshdHost, SshdHost];
});

afterAll(async () => {
  await stopAll(hosts ?? []);
  rmSync(dir, { recursive: true, force: true });
});

interface CertOptions {
  ca?: GeneratedKeyPair;
  user?: string;
  role?: Record<string, unknown>;
  request?: Record<string, unknown>;
  /** Seconds to shift the signer's clock by (negative = the past). */
  clockShift?: number;
}

let counter = 0;

/** Sign the user's key with the core signer, write KEY-cert file, and check ssh-keygen -L agrees with us. */
interface Certified {
  readonly identity: string;
  readonly certificate: string;
  /** The `ED25519-CERT SHA256:… ID … (serial …) CA ED25519 SHA256:…` text sshd logs for it. */
  readonly logged: string;
}

function certify(o: CertOptions = {}): Certified {
  const user = o.user ?? 'ed25519';
  const role = parseRoleWrite({
    key_type: 'ca',
    allow_user_certificates: true,
    allowed_users: `${PRINCIPAL},someone-else`,
    default_user: PRINCIPAL,
    ttl: '10m',
    default_extensions: { 'permit-pty': '' },
    ...o.role,
  });
  const { request } = parseSignRequest({ public_key: readFileSync(`${userKeys[user]}.pub`, 'utf8'), ...o.request });
  const result = signWithRole({
    roleName: 'e2e',
    role,
    request,
    mount: { defaultLeaseTtl: 3600, maxLeaseTtl: 86400 },
    requester: { displayName: 'e2e' },
    ca: (o.ca ?? cas.ed25519!).caKey,
    now: Math.floor(Date.now() / 1000) + (o.clockShift ?? 0),
    serial: randomBytes(8).readBigUInt64BE(0),
    nonce: randomBytes(32),
  });
  const certificate = join(dir, `cert-${++counter}-cert.pub`);
  writeFileSync(certificate, result.signedKey);
  const keygen = execFileSync('ssh-keygen', ['-L', '-f', certificate], {
    encoding: 'utf8',
    env: { ...process.env, TZ: 'UTC' },
  });
  const decoded = parseCertificate(result.signedKey);
  expect(keygen).toBe(`${certificate}:\n${renderCertificateText(decoded)}`);
  const [, subjectType, subjectFp] = /Public key: (\S+) (\S+)/.exec(keygen)!;
  const [, caType, caFp] = /Signing CA: (\S+) (\S+)/.exec(keygen)!;
  const logged = `${subjectType} ${subjectFp} ID ${decoded.keyId} (serial ${decoded.serial}) CA ${caType} ${caFp}`;
  return { identity: userKeys[user]!, certificate, logged };
}

async function login(
  host: SshdHost,
  cert: { identity: string; certificate: string },
  extra: { command?: string; tty?: boolean } = {},
) {
  return sshLogin({
    host,
    user: account,
    identityFile: cert.identity,
    certificateFile: cert.certificate,
    command: extra.command ?? 'echo ok',
    ...(extra.tty !== undefined ? { tty: extra.tty } : {}),
  });
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The login is refused, sshd logs `reason` (when given) and the failed certificate by key id and serial. */
async function expectRefused(host: SshdHost, cert: Certified, reason?: string): Promise<void> {
  const mark = host.log().length;
  const r = await login(host, cert);
  expect(r).toEqual({
    code: 255,
    stdout: '',
    stderr: `${account}@${host.address}: Permission denied (publickey).\r\n`,
  });
  if (reason !== undefined) expect(await host.waitForLog(new RegExp(escape(reason)), mark)).toBe(reason);
  const failed = new RegExp(
    `^Failed publickey for ${account} from 127\\.0\\.0\\.1 port \\d+ ssh2: ${escape(cert.logged)}$`,
  );
  await host.waitForLog(failed, mark);
}

/** The login succeeds and sshd logs the accepted certificate by key id and serial. */
async function expectAccepted(host: SshdHost, cert: Certified): Promise<void> {
  const mark = host.log().length;
  expect(await login(host, cert)).toEqual({ code: 0, stdout: 'ok\n', stderr: '' });
  const accepted = new RegExp(
    `^Accepted publickey for ${account} from 127\\.0\\.0\\.1 port \\d+ ssh2: ${escape(cert.logged)}$`,
  );
  await host.waitForLog(accepted, mark);
}

describe('certificates that log in', () => {
  const cases: ReadonlyArray<[user: string, ca: string, signer: string]> = [
    ['ed25519', 'ed25519', 'ssh-ed25519'],
    ['rsa2048', 'ed25519', 'ssh-ed25519'],
    ['ed25519', 'ecdsa', 'ecdsa-sha2-nistp256'],
    ['rsa2048', 'ecdsa', 'ecdsa-sha2-nistp256'],
    ['ed25519', 'rsa4096', 'rsa-sha2-256'],
    ['rsa2048', 'rsa4096', 'rsa-sha2-256'],
    ['ed25519', 'rsa4096', 'rsa-sha2-512'],
    ['rsa2048', 'rsa4096', 'rsa-sha2-512'],
  ];
  for (const [user, ca, signer] of cases) {
    it(`${user} user key under the ${ca} CA (${signer})`, async () => {
      const role = ca === 'rsa4096' ? { algorithm_signer: signer } : {};
      const cert = certify({ user, ca: cas[ca], role });
      expect(parseCertificate(readFileSync(cert.certificate, 'utf8')).signatureAlgorithm).toBe(signer);
      await expectAccepted(matrix, cert);
    });
  }

  it('an RSA CA with the default signer signs with rsa-sha2-256 and logs in', async () => {
    const cert = certify({ ca: cas.rsa4096 });
    expect(parseCertificate(readFileSync(cert.certificate, 'utf8')).signatureAlgorithm).toBe('rsa-sha2-256');
    await expectAccepted(matrix, cert);
  });
});

describe('certificates that are refused, with the reason sshd logs', () => {
  it('expired', async () => {
    await expectRefused(dev, certify({ clockShift: -3600, request: { ttl: '10m' } }), 'Certificate invalid: expired');
  });

  it('not yet valid beyond the not_before_duration backdate', async () => {
    await expectRefused(dev, certify({ clockShift: 600 }), 'Certificate invalid: not yet valid');
  });

  it('valid only thanks to the backdate: a signer clock 20 s ahead still logs in', async () => {
    await expectAccepted(dev, certify({ clockShift: 20 }));
  });

  it('wrong principal', async () => {
    const cert = certify({ request: { valid_principals: 'someone-else' } });
    await expectRefused(dev, cert, 'Certificate does not contain an authorized principal');
  });

  it('signed by another CA', async () => {
    await expectRefused(dev, certify({ ca: cas.stranger }));
  });

  it('source-address that does not match the client', async () => {
    const cert = certify({ role: { default_critical_options: { 'source-address': '192.0.2.0/24' } } });
    await expectRefused(
      dev,
      cert,
      `cert: Authentication tried for ${account} with valid certificate but not from a permitted source address (127.0.0.1).`,
    );
  });
});

describe('options and extensions take effect', () => {
  it('force-command replaces the requested command', async () => {
    const cert = certify({ role: { default_critical_options: { 'force-command': 'echo forced-$USER' } } });
    expect(await login(dev, cert, { command: 'echo not-this' })).toMatchObject({
      code: 0,
      stdout: `forced-${account}\n`,
    });
  });

  it('without permit-pty a pty is refused; a command without a pty still runs', async () => {
    const cert = certify({ role: { default_extensions: {} } });
    const r = await login(dev, cert, { command: 'tty', tty: true });
    expect(r).toMatchObject({ code: 255, stdout: '', stderr: 'PTY allocation request failed on channel 0\r\n' });
    expect(await login(dev, cert)).toMatchObject({ code: 0, stdout: 'ok\n' });
  });

  it('with permit-pty a pty works', async () => {
    const cert = certify();
    const r = await login(dev, cert, { command: 'tty', tty: true });
    expect(r.code).toBe(0);
    expect(r.stdout.replace(/\r/g, '')).toMatch(/^\/dev\/pts\/\d+\n$/);
  });
});

describe('environments stay apart', () => {
  it('a dev CA certificate opens the dev host and not the prod host', async () => {
    const cert = certify({ ca: cas.ed25519 });
    await expectAccepted(dev, cert);
    await expectRefused(prod, cert);
  });

  it('a prod CA certificate opens the prod host and not the dev host', async () => {
    const cert = certify({ ca: cas.prod });
    await expectAccepted(prod, cert);
    await expectRefused(dev, cert);
  });
});
