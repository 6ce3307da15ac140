// `sshca ssh --otp` (the built binary) end to end: the embedded server over HTTP, a real sshd on a
// loopback address whose own PAM service runs the shipped OTP helper (test/helpers/sshd-otp.ts), and
// the real ssh typing the OTP through SSH_ASKPASS. Proves: the login runs a command with the role's
// port and default user, or the user's own; no process's argv or environment ever holds the OTP,
// which waited in a 0600 file of a 0700 directory that is gone when ssh exits; the role is found by
// lookup when not named; a host refusal passes ssh's 255 through; the backend's refusals stop before
// ssh; a new host key's question goes to the terminal (script(1)) before the OTP is typed; and an OTP
// from `sshca creds` logs in once, the second use being refused.

import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeScratchDir, removeScratchDir } from '../helpers/scratch.js';
import { SSHCA_BIN, runSshca } from '../helpers/sshca-bin.js';
import { writeKnownHosts } from '../helpers/ssh-client.js';
import { otpAuthLine, sshOtpLogin, writeOtpHelperConfig } from '../helpers/sshd-otp.js';
import { startSshdHosts, stopAll, type SshdHost } from '../helpers/sshd.js';
import { TEST_USER, ensureTestUser } from '../helpers/test-user.js';
import { startTestServer, type TestServer } from '../helpers/vault-server.js';

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';

let server: TestServer;
let dir: string;
let tmp: string;
let account: string;
let hosts: SshdHost[] = [];
let host: SshdHost; // accepts OTPs of role otp
let strict: SshdHost; // its helper allows another role only: refuses every OTP of role otp
let knownHosts: string;
let helperLog: string;

const api = async (method: string, path: string, body?: unknown) => {
  const r = await server.request(method, path, body);
  expect(r.status, `${method} ${path}: ${r.body}`).toBeLessThan(300);
  return r;
};

beforeAll(async () => {
  dir = makeScratchDir('ssh-otp');
  tmp = join(dir, 'tmp');
  mkdirSync(tmp, { mode: 0o700 }); // sshca's TMPDIR: where its askpass directory appears
  account = await ensureTestUser();
  server = await startTestServer();
  await api('POST', '/v1/sys/mounts/ssh-otp', { type: 'ssh' });
  helperLog = join(dir, 'helper.log');
  const config = writeOtpHelperConfig(dir, {
    vault_addr: server.url,
    ssh_mount_point: 'ssh-otp',
    allowed_roles: 'otp',
  });
  const other = writeOtpHelperConfig(
    dir,
    { vault_addr: server.url, ssh_mount_point: 'ssh-otp', allowed_roles: 'someone-else' },
    'strict.hcl',
  );
  const pamHost = (name: string, address: string, cfg: string, log: string) => ({
    name,
    address,
    trustedUserCaKeys: [],
    principals: {},
    extraConfig: ['AuthenticationMethods keyboard-interactive'],
    pam: { auth: [otpAuthLine({ config: cfg, log, dev: true })] },
  });
  hosts = await startSshdHosts([
    pamHost('otp', '127.0.0.41', config, helperLog),
    pamHost('strict', '127.0.0.42', other, join(dir, 'strict.log')),
  ]);
  [host, strict] = hosts as [SshdHost, SshdHost];
  knownHosts = writeKnownHosts(hosts, dir);
  // The role's port is the test sshd's: `sshca ssh --otp` passes it when the user gives none.
  await api('POST', '/v1/ssh-otp/roles/otp', {
    key_type: 'otp',
    default_user: account,
    allowed_users: account,
    cidr_list: '127.0.0.40/29',
    port: host.port,
  });
});

afterAll(async () => {
  await stopAll(hosts);
  await server?.close();
  if (dir) removeScratchDir(dir);
});

/** The ssh options every login here uses: this test's known hosts, no config, agent or sharing. */
const sshOptions = () => [
  '-F',
  'none',
  '-o',
  `UserKnownHostsFile=${knownHosts}`,
  '-o',
  'GlobalKnownHostsFile=none',
  '-o',
  'StrictHostKeyChecking=yes',
  '-o',
  'IdentityAgent=none',
  '-o',
  'ControlPath=none',
  '-o',
  'ConnectTimeout=5',
  '-T',
];

const env = () => ({ VAULT_ADDR: server.url, VAULT_TOKEN: server.token, HOME: dir, TMPDIR: tmp });

const sshOtp = (sshca: string[], ssh: string[]) =>
  runSshca(['ssh', '--otp', '--mount', 'ssh-otp', ...sshca, '--', ...ssh], env());

/** Every process's argv and environment as they are now (those that exit meanwhile are skipped). */
async function processTexts(): Promise<string[]> {
  const out: string[] = [];
  for (const pid of (await readdir('/proc')).filter((p) => /^\d+$/.test(p))) {
    for (const f of ['cmdline', 'environ']) {
      try {
        out.push(`${pid}/${f}: ${(await readFile(`/proc/${pid}/${f}`)).toString('utf8').replace(/\0/g, ' ')}`);
      } catch {
        // gone already
      }
    }
  }
  return out;
}

describe('sshca ssh --otp', () => {
  it('logs in with the role port and default user; the OTP is on no command line and its file is gone after', async () => {
    const run = sshOtp(['--role', 'otp'], [...sshOptions(), '127.0.0.41', 'sleep 1; echo in as $(id -un)']);
    let finished = false;
    void run.then(() => (finished = true));
    // While sshca and ssh run: catch the OTP file (before the askpass program takes it) with its
    // modes, and snapshot every process's argv and environment over and over.
    let otp: string | undefined;
    let modes: { dir: number; file: number } | undefined;
    const snapshots: string[] = [];
    let scans = 0;
    while (!finished) {
      if (otp === undefined) {
        for (const d of await readdir(tmp).catch(() => [] as string[])) {
          const file = join(tmp, d, 'otp');
          try {
            const text = await readFile(file, 'utf8');
            modes = { dir: (await stat(join(tmp, d))).mode & 0o777, file: (await stat(file)).mode & 0o777 };
            otp = text;
          } catch {
            // not written yet, or already taken
          }
        }
      }
      snapshots.push(...(await processTexts()));
      scans++;
      await sleep(5);
    }
    const r = await run;
    expect(r.stdout).toBe(`in as ${account}\n`);
    expect(r.stderr).toMatch(
      new RegExp(
        `^sshca: one-time password from ssh-otp/creds/otp for ${account}@127\\.0\\.0\\.41 \\(lease ssh-otp/creds/otp/${UUID}\\)\\n$`,
      ),
    );
    expect(r.code).toBe(0);
    expect(otp, 'the OTP file was never seen').toMatch(new RegExp(`^${UUID}$`));
    expect(modes).toEqual({ dir: 0o700, file: 0o600 });
    expect(scans).toBeGreaterThan(10); // the session's second of sleep was watched
    // ssh itself was seen with the options sshca gives it (the role's port, its default user).
    expect(
      snapshots.some((s) =>
        s.includes(
          `/cmdline: ssh -o PreferredAuthentications=keyboard-interactive,password -o NumberOfPasswordPrompts=1 -p ${host.port} -l ${account} -F none`,
        ),
      ),
    ).toBe(true);
    expect(snapshots.filter((s) => s.includes(otp!))).toEqual([]);
    expect(readdirSync(tmp)).toEqual([]); // the askpass directory is removed with ssh
    expect(readFileSync(helperLog, 'utf8')).toMatch(
      new RegExp(`accepted user=${account} ip=127\\.0\\.0\\.41 role=otp`),
    );
    // The OTP was the real one, and is spent.
    const again = await server.request('POST', '/v1/ssh-otp/verify', { otp }, null);
    expect({ status: again.status, json: again.json }).toEqual({ status: 400, json: { errors: ['OTP not found'] } });
  });

  it('takes the user and port given in ssh:// form, and finds the role by lookup when none is named', async () => {
    const r = await sshOtp([], [...sshOptions(), `ssh://${account}@127.0.0.41:${host.port}`, 'echo', 'uri']);
    expect(r).toEqual({
      code: 0,
      stdout: 'uri\n',
      stderr: expect.stringMatching(/^sshca: one-time password from ssh-otp\/creds\/otp for /),
    });
    const l = await sshOtp(
      [],
      [...sshOptions(), '-l', account, '-p', String(host.port), '127.0.0.41', 'echo', 'dash-l'],
    );
    expect(l.stdout).toBe('dash-l\n');
    expect(readdirSync(tmp)).toEqual([]);
  });

  it("passes the host's refusal through as ssh's 255, says the OTP is spent, and leaves no file", async () => {
    const r = await sshOtp(
      ['--role', 'otp'],
      [...sshOptions(), '-p', String(strict.port), `${account}@127.0.0.42`, 'true'],
    );
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(
      new RegExp(
        `^sshca: one-time password from ssh-otp/creds/otp for ${account}@127\\.0\\.0\\.42 \\(lease ssh-otp/creds/otp/${UUID}\\)\\n` +
          `${account}@127\\.0\\.0\\.42: Permission denied \\(keyboard-interactive\\)\\.\\r\\n` +
          'sshca: ssh failed after the one-time password was typed \\(the host refused it, or the connection broke\\); ' +
          'an OTP works once: run the command again for a new one\\n$',
      ),
    );
    expect(r.code).toBe(255);
    expect(readFileSync(join(dir, 'strict.log'), 'utf8')).toMatch(/refused user=sshca-test ip=127\.0\.0\.42 role=otp/);
    expect(readdirSync(tmp)).toEqual([]);
  });

  it('passes SIGTERM on to ssh and still removes the askpass directory', async () => {
    const child = spawn(
      process.execPath,
      [
        SSHCA_BIN,
        'ssh',
        '--otp',
        '--mount',
        'ssh-otp',
        '--role',
        'otp',
        '--',
        ...sshOptions(),
        '127.0.0.41',
        'echo started; sleep 20',
      ],
      { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env() }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    const started = new Promise<void>((done) =>
      child.stdout.setEncoding('utf8').on('data', (d: string) => {
        out += d;
        if (out.includes('started\n')) done();
      }),
    );
    const closed = new Promise<number | null>((done) => child.once('close', done));
    await started;
    const t0 = Date.now();
    child.kill('SIGTERM');
    // ssh ends on SIGTERM with its 255, which sshca passes on (with no hint about a refusal), long
    // before sleep 20.
    expect(await closed).toBe(255);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(err).toMatch(
      new RegExp(
        `^sshca: one-time password from ssh-otp/creds/otp for [^\\n]*\\(lease ssh-otp/creds/otp/${UUID}\\)\\n$`,
      ),
    );
    expect(readdirSync(tmp)).toEqual([]);
  });

  it("asks a new host key's yes/no on the terminal, then types the OTP", async () => {
    // A real terminal from script(1); the host is not in this known_hosts file yet.
    const fresh = join(dir, 'known_hosts_fresh');
    const quote = (a: string) => `'${a.replace(/'/g, `'\\''`)}'`;
    const command = [
      process.execPath,
      SSHCA_BIN,
      ...['ssh', '--otp', '--mount', 'ssh-otp', '--role', 'otp', '--'],
      ...['-F', 'none', '-o', `UserKnownHostsFile=${fresh}`, '-o', 'GlobalKnownHostsFile=none'],
      ...['-o', 'StrictHostKeyChecking=ask', '-o', 'IdentityAgent=none', '-o', 'ControlPath=none', '-T'],
      ...['127.0.0.41', 'echo', 'on-a-tty'],
    ]
      .map(quote)
      .join(' ');
    const child = spawn('script', ['-qec', command, '/dev/null'], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env() },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    let answered = false;
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      if (!answered && out.includes('Are you sure you want to continue connecting (yes/no/[fingerprint])? ')) {
        answered = true;
        child.stdin.write('yes\n');
      }
    });
    const code = await new Promise<number | null>((done) => child.once('close', done));
    child.stdin.destroy();
    expect(answered, out).toBe(true);
    expect(code, out).toBe(0);
    expect(out).toContain('on-a-tty\r\n');
    expect(readFileSync(fresh, 'utf8')).toContain(`[127.0.0.41]:${host.port} ssh-ed25519 `);
    expect(readdirSync(tmp)).toEqual([]);
  });

  it.each([
    [
      ['--role', 'otp'],
      ['root@127.0.0.41'],
      1,
      'sshca ssh: user root is not allowed by role otp (backend said: Username is not present is allowed users list)\n',
    ],
    [
      ['--role', 'otp'],
      [`${TEST_USER}@127.0.0.9`],
      1,
      'sshca ssh: ip 127.0.0.9 is not in the cidr_list of role otp (or it is in its exclude_cidr_list) (backend said: Error validating IP: IP does not belong to role)\n',
    ],
    [[], [`${TEST_USER}@127.0.0.9`], 1, 'sshca ssh: no role of mount ssh-otp covers 127.0.0.9: name one with --role\n'],
    [
      ['--role', 'otp', '--ttl', '1h'],
      ['127.0.0.41'],
      2,
      'sshca ssh: --ttl is for certificates and does not apply with --otp\nRun "sshca ssh --help" for usage.\n',
    ],
    [
      ['--role', 'otp'],
      ['-o', 'BatchMode=yes', '127.0.0.41'],
      2,
      'sshca ssh: -o BatchMode=yes turns off the password prompt that --otp answers: leave it out\nRun "sshca ssh --help" for usage.\n',
    ],
    [
      ['--role', 'otp'],
      ['-p', '22'],
      2,
      'sshca ssh: give the ssh destination after "--", e.g. -- ubuntu@host\nRun "sshca ssh --help" for usage.\n',
    ],
  ])('stops before ssh when refused: %j -- %j', async (sshca, ssh, code, stderr) => {
    expect(await sshOtp(sshca, ssh)).toEqual({ code, stdout: '', stderr });
    expect(readdirSync(tmp)).toEqual([]);
  });
});

describe('an OTP from sshca creds', () => {
  it('logs in once; the second use is refused by the host', async () => {
    const c = await runSshca(['creds', '--mount', 'ssh-otp', '--role', 'otp', '--ip', '127.0.0.41', '--json'], env());
    expect(c.code).toBe(0);
    const { key, username } = JSON.parse(c.stdout);
    expect(username).toBe(account);
    const first = await sshOtpLogin({ host, user: account, otp: key, command: 'echo first' });
    expect(first).toMatchObject({ code: 0, stdout: 'first\n' });
    const second = await sshOtpLogin({ host, user: account, otp: key, command: 'echo second' });
    expect(second.code).toBe(255);
    expect(second.stdout).toBe('');
    expect(second.stderr).toContain(`${account}@127.0.0.41: Permission denied (keyboard-interactive).`);
    // The host's helper asked the backend, which no longer knows the OTP.
    expect(readFileSync(helperLog, 'utf8')).toContain(
      `refused user=${account}: OTP not found (unknown, already used, expired or revoked)\n`,
    );
  });
});
