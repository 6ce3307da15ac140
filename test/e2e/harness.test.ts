// The real-sshd harness itself: hosts start on their loopback addresses, accept a certificate made
// by the real `ssh-keygen -s` (independent of our signer), end by their own pid and clean up, and a
// missing sshd binary gives a clear error.

import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeScratchDir, removeScratchDir } from '../helpers/scratch.js';
import { sshLogin } from '../helpers/ssh-client.js';
import { startSshdHosts, stopAll, type SshdHost } from '../helpers/sshd.js';
import { ensureTestUser } from '../helpers/test-user.js';

let dir: string;
let account: string;
let hosts: SshdHost[] = [];

beforeAll(async () => {
  dir = makeScratchDir('harness');
  account = await ensureTestUser();
  for (const name of ['ca', 'user'])
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, name)]);
  execFileSync('ssh-keygen', [
    '-q',
    '-s',
    join(dir, 'ca'),
    '-I',
    'harness',
    '-n',
    'p1',
    '-V',
    '-5m:+5m',
    join(dir, 'user.pub'),
  ]);
  const ca = readFileSync(join(dir, 'ca.pub'), 'utf8').trim();
  hosts = await startSshdHosts([
    { name: 'one', address: '127.0.0.6', trustedUserCaKeys: [ca], principals: { [account]: ['p1'] } },
    { name: 'two', address: '127.0.0.7', trustedUserCaKeys: [ca], principals: { [account]: ['p2'] } },
  ]);
});

afterAll(async () => {
  await stopAll(hosts);
  removeScratchDir(dir);
});

describe('sshd harness', () => {
  it('starts each host on its own address and port with its own host key', () => {
    const [one, two] = hosts as [SshdHost, SshdHost];
    expect([one.address, two.address]).toEqual(['127.0.0.6', '127.0.0.7']);
    expect(one.hostPublicKey).not.toBe(two.hostPublicKey);
    expect(one.knownHostsLine).toBe(`[127.0.0.6]:${one.port} ${one.hostPublicKey}`);
    expect(one.log()).toContain(`Server listening on 127.0.0.6 port ${one.port}.`);
  });

  it('logs in with an ssh-keygen certificate where the principal is mapped, and not elsewhere', async () => {
    const [one, two] = hosts as [SshdHost, SshdHost];
    const login = (host: SshdHost) =>
      sshLogin({
        host,
        user: account,
        identityFile: join(dir, 'user'),
        certificateFile: join(dir, 'user-cert.pub'),
        command: 'id -un',
      });
    expect(await login(one)).toEqual({ code: 0, stdout: `${account}\n`, stderr: '' });
    const mark = two.log().length;
    expect((await login(two)).code).toBe(255);
    await two.waitForLog(/^Certificate does not contain an authorized principal$/, mark);
    two.setPrincipals(account, ['p1']);
    expect((await login(two)).code).toBe(0);
  });

  it('stop() ends the process by its pid and removes the host directory', async () => {
    const [extra] = await startSshdHosts([
      { name: 'extra', address: '127.0.0.8', trustedUserCaKeys: [], principals: {} },
    ]);
    const { pid, dir: hostDir } = extra!;
    expect(() => process.kill(pid, 0)).not.toThrow();
    await extra!.stop();
    expect(() => process.kill(pid, 0)).toThrow(/ESRCH/);
    expect(existsSync(hostDir)).toBe(false);
  });

  it('says how to install openssh-server when sshd is missing', async () => {
    await expect(
      startSshdHosts([{ name: 'x', address: '127.0.0.9', trustedUserCaKeys: [], principals: {} }], {
        sshdPath: join(dir, 'no-such-sshd'),
      }),
    ).rejects.toThrow(
      `openssh-server is not installed: ${join(dir, 'no-such-sshd')} not found. Install it with: apt-get install -y openssh-server`,
    );
  });
});
