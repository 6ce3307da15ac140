// The real-sshd harness itself, proven with certificates made by the real `ssh-keygen -s` (not our
// signer): two hosts that trust different CAs accept and refuse as sshd should and log why, the
// setters take effect at the next login, host keys are checked, failures to start explain
// themselves, and stop() ends the process by its pid and removes its directory.

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeScratchDir, removeScratchDir } from '../helpers/scratch.js';
import { sshLogin, writeKnownHosts, type SshLoginOptions } from '../helpers/ssh-client.js';
import { startSshdHosts, stopAll, type SshdHost } from '../helpers/sshd.js';
import { ensureTestUser, TEST_USER } from '../helpers/test-user.js';

let dir: string;
let account: string;
let hosts: SshdHost[] = [];
let dev: SshdHost;
let prod: SshdHost;

const keygen = (...args: string[]) => execFileSync('ssh-keygen', args, { encoding: 'utf8' });
const publicKey = (name: string) => readFileSync(join(dir, `${name}.pub`), 'utf8').trim();
/** `SHA256:…` of a public key file, as sshd logs it. */
const fingerprint = (name: string) => keygen('-l', '-f', join(dir, `${name}.pub`)).split(' ')[1]!;
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

beforeAll(async () => {
  dir = makeScratchDir('harness');
  account = await ensureTestUser();
  for (const name of ['devca', 'prodca', 'user_key'])
    keygen('-t', 'ed25519', '-N', '', '-q', '-C', name, '-f', join(dir, name));
  const devca = join(dir, 'devca');
  // Split on spaces: the scratch path has none.
  keygen(
    ...`-q -s ${devca} -I test-id -n dev-principal -V -5m:+5m -O clear -O permit-pty ${dir}/user_key.pub`.split(' '),
  );
  // Both hosts map the account to the certificate's principal: only the CA tells them apart.
  const principals = { [account]: ['dev-principal'] };
  hosts = await startSshdHosts([
    { name: 'dev', address: '127.0.0.2', trustedUserCaKeys: [publicKey('devca')], principals },
    { name: 'prod', address: '127.0.0.3', trustedUserCaKeys: [publicKey('prodca')], principals },
  ]);
  [dev, prod] = hosts as [SshdHost, SshdHost];
});

afterAll(async () => {
  await stopAll(hosts);
  removeScratchDir(dir);
});

/** Log in with the dev-CA certificate and run `echo ok`. */
function login(host: SshdHost, extra: Partial<SshLoginOptions> = {}) {
  return sshLogin({
    host,
    user: account,
    identityFile: join(dir, 'user_key'),
    certificateFile: join(dir, 'user_key-cert.pub'),
    command: 'echo ok',
    ...extra,
  });
}

/** The `Accepted`/`Failed publickey` line sshd logs for the dev-CA certificate. */
function publickeyLine(outcome: 'Accepted' | 'Failed'): RegExp {
  const cert = `ED25519-CERT ${fingerprint('user_key')} ID test-id (serial 0) CA ED25519 ${fingerprint('devca')}`;
  return new RegExp(`^${outcome} publickey for ${account} from 127\\.0\\.0\\.1 port \\d+ ssh2: ${escape(cert)}$`);
}

async function expectRefused(host: SshdHost, reason?: RegExp): Promise<void> {
  const mark = host.log().length;
  expect(await login(host)).toEqual({
    code: 255,
    stdout: '',
    stderr: `${account}@${host.address}: Permission denied (publickey).\r\n`,
  });
  if (reason) await host.waitForLog(reason, mark);
  await host.waitForLog(publickeyLine('Failed'), mark);
}

describe('sshd hosts', () => {
  it('listen on their own loopback address and port, each with its own host key', () => {
    expect(account).toBe(TEST_USER);
    expect([dev.address, prod.address]).toEqual(['127.0.0.2', '127.0.0.3']);
    for (const host of hosts) {
      expect(host.hostPublicKey).toMatch(/^ssh-ed25519 [A-Za-z0-9+/=]+$/);
      expect(host.knownHostsLine).toBe(`[${host.address}]:${host.port} ${host.hostPublicKey}`);
      expect(host.log()).toContain(`Server listening on ${host.address} port ${host.port}.\n`);
      expect(() => process.kill(host.pid, 0)).not.toThrow();
    }
    expect(dev.hostPublicKey).not.toBe(prod.hostPublicKey);
  });

  it('dev accepts a certificate from the dev CA', async () => {
    const mark = dev.log().length;
    expect(await login(dev)).toEqual({ code: 0, stdout: 'ok\n', stderr: '' });
    await dev.waitForLog(publickeyLine('Accepted'), mark);
  });

  it('prod refuses it: its CA is not trusted there, and sshd logs no accepted certificate', async () => {
    const mark = prod.log().length;
    await expectRefused(prod);
    expect(prod.log().slice(mark)).not.toContain('Accepted certificate');
  });

  it('a pty is allocated when asked for', async () => {
    const r = await login(dev, { command: 'tty', tty: true });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^\/dev\/pts\/\d+\r\n$/);
  });

  it('setPrincipals and setTrustedUserCaKeys take effect at the next login', async () => {
    dev.setPrincipals(account, ['someone-else']);
    try {
      await expectRefused(dev, /^Certificate does not contain an authorized principal$/);
    } finally {
      dev.setPrincipals(account, ['dev-principal']);
    }
    prod.setTrustedUserCaKeys([publicKey('prodca'), publicKey('devca')]);
    try {
      expect(await login(prod)).toEqual({ code: 0, stdout: 'ok\n', stderr: '' });
    } finally {
      prod.setTrustedUserCaKeys([publicKey('prodca')]);
    }
    await expectRefused(prod);
  });

  it('the client checks host keys strictly', async () => {
    const both = writeKnownHosts([dev, prod], dir);
    expect(readFileSync(both, 'utf8')).toBe(`${dev.knownHostsLine}\n${prod.knownHostsLine}\n`);
    expect(await login(dev, { knownHostsFile: both })).toMatchObject({ code: 0, stdout: 'ok\n' });

    mkdirSync(join(dir, 'prod-only'));
    const prodOnly = writeKnownHosts([prod], join(dir, 'prod-only'));
    expect(await login(dev, { knownHostsFile: prodOnly })).toEqual({
      code: 255,
      stdout: '',
      stderr:
        `No ED25519 host key is known for [127.0.0.2]:${dev.port} and you have requested strict checking.\r\n` +
        'Host key verification failed.\r\n',
    });
  });

  it('waitForLog rejects with the log when the line does not come', async () => {
    await expect(dev.waitForLog(/^never logged$/, dev.log().length, 50)).rejects.toThrow(
      /^sshd dev did not log \/\^never logged\$\/ within 50 ms; its log:\n/,
    );
  });
});

describe('starting and stopping', () => {
  it('stop() ends sshd by its pid and removes its directory; a second stop() is harmless', async () => {
    const [extra] = (await startSshdHosts([
      { name: 'extra', address: '127.0.0.4', trustedUserCaKeys: [], principals: {} },
    ])) as [SshdHost];
    expect(existsSync(extra.dir)).toBe(true);
    await extra.stop();
    expect(() => process.kill(extra.pid, 0)).toThrow(/ESRCH/);
    expect(existsSync(extra.dir)).toBe(false);
    await extra.stop();
  });

  it('a configuration sshd rejects fails with its log', async () => {
    await expect(
      startSshdHosts([
        {
          name: 'bad',
          address: '127.0.0.4',
          trustedUserCaKeys: [],
          principals: {},
          extraConfig: ['NoSuchKeyword yes'],
        },
      ]),
    ).rejects.toThrow(/^sshd bad did not start on 127\.0\.0\.4:\d+ \(it exited\); its log:\n.*NoSuchKeyword/);
  });

  it('a missing sshd binary says how to install openssh-server', async () => {
    const sshdPath = join(dir, 'no-such-sshd');
    await expect(
      startSshdHosts([{ name: 'x', address: '127.0.0.4', trustedUserCaKeys: [], principals: {} }], { sshdPath }),
    ).rejects.toThrow(
      new Error(
        `openssh-server is not installed: ${sshdPath} not found. Install it with: apt-get install -y openssh-server`,
      ),
    );
  });
});
