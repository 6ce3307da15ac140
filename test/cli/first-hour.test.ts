// Issue 15's first-hour defects, driven through the built `sshca` binary as a new user meets them:
// a second `sshca serve` on a taken port, a VAULT_ADDR without a scheme, keygen-ca into a folder
// that does not exist (inside and outside a git work tree), cloud-init without principals, a mount
// that does not exist or is written with slashes, and one table of bad inputs of every command whose
// stderr must never hold a JavaScript stack trace.

import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeScratchDir, removeScratchDir } from '../helpers/scratch.js';
import { SSHCA_BIN, runSshca, type SshcaRun } from '../helpers/sshca-bin.js';

const ROOT = 'first-hour-root';
let dir: string;
let serve: ChildProcess;
let port: number;
let url: string;
/** A clean environment: the running server, its root token, and homes inside the scratch folder. */
let env: Record<string, string>;

/** `sshca args…` run in `cwd` (the README's relative paths), with `extra` added to a clean environment. */
function runIn(cwd: string, args: readonly string[], extra: Record<string, string> = {}): Promise<SshcaRun> {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(VAULT|BAO|SSHCA)_/.test(k)));
  return new Promise((done) => {
    execFile(
      process.execPath,
      [SSHCA_BIN, ...args],
      { cwd, env: { ...base, ...extra }, encoding: 'utf8' },
      (error, stdout, stderr) =>
        done({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr }),
    );
  });
}

async function api(method: string, path: string, body?: unknown): Promise<void> {
  const res = await fetch(`${url}/v1/${path}`, {
    method,
    headers: { 'X-Vault-Token': ROOT },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  expect(res.status, `${method} ${path}: ${await res.clone().text()}`).toBeLessThan(300);
}

beforeAll(async () => {
  dir = makeScratchDir('first-hour');
  // The first server, as `npm start` or `sshca serve --dev` leaves it running; port 0, read back.
  serve = spawn(
    process.execPath,
    [SSHCA_BIN, 'serve', '--dev', '--dev-root-token-id', ROOT, '--listen', '127.0.0.1:0'],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  url = await new Promise<string>((resolve, reject) => {
    let out = '';
    serve.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /^Listening on (http:\/\/127\.0\.0\.1:\d+)$/m.exec(out);
      if (m) resolve(m[1]!);
    });
    serve.once('exit', (code) => reject(new Error(`sshca serve exited with ${code}: ${out}`)));
  });
  port = Number(new URL(url).port);
  await api('POST', 'sys/mounts/ssh-dev', { type: 'ssh' });
  await api('POST', 'ssh-dev/config/ca', { generate_signing_key: true });
  await api('POST', 'ssh-dev/roles/developer', {
    key_type: 'ca',
    allow_user_certificates: true,
    allowed_users: 'ubuntu',
    default_user: 'ubuntu',
    ttl: '10m',
  });
  mkdirSync(join(dir, 'home'));
  env = { VAULT_ADDR: url, VAULT_TOKEN: ROOT, HOME: join(dir, 'home'), SSHCA_HOME: join(dir, 'sshca-home') };
});

afterAll(async () => {
  if (serve?.pid !== undefined && serve.exitCode === null) {
    const exited = new Promise((resolve) => serve.once('exit', resolve));
    process.kill(serve.pid, 'SIGTERM');
    await exited;
  }
  if (dir) removeScratchDir(dir);
});

describe('defect 1: sshca serve on a taken port', () => {
  it("a second server on the first one's port says so in one line and exits 1", async () => {
    const second = await runSshca(['serve', '--dev', '--listen', `127.0.0.1:${port}`]);
    expect(second).toEqual({
      code: 1,
      stdout: '',
      stderr:
        `sshca serve: cannot listen on 127.0.0.1:${port}: the address is already in use (another sshca serve or ` +
        'Vault?): stop that server, or choose a free port with --listen\n',
    });
  });

  it('a TLS pair that is not PEM is refused before anything starts, exit 1', async () => {
    const bad = join(dir, 'not-pem.txt');
    writeFileSync(bad, 'not a certificate\n');
    const run = await runSshca(['serve', '--dev', '--listen', '127.0.0.1:0', '--tls-cert', bad, '--tls-key', bad]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      `sshca serve: cannot serve HTTPS with --tls-cert ${bad} and --tls-key ${bad}: they must be PEM files ` +
        '(-----BEGIN CERTIFICATE----- and -----BEGIN … PRIVATE KEY-----)\n',
    );
  });
});

describe('defect 2: an address without a scheme', () => {
  it("names the variable and the expected form, exit 2 (Vault's own client refuses it too)", async () => {
    const run = await runSshca(['login', '--mount', 'ssh-dev', '--role', 'developer', '--no-agent'], {
      ...env,
      VAULT_ADDR: `127.0.0.1:${port}`,
    });
    expect(run).toEqual({
      code: 2,
      stdout: '',
      stderr:
        `sshca login: VAULT_ADDR must be an http:// or https:// URL, e.g. http://127.0.0.1:${port} or ` +
        `https://127.0.0.1:${port}; got "127.0.0.1:${port}"\nRun "sshca login --help" for usage.\n`,
    });
  });

  it('names --address when the address came from the command line', async () => {
    const run = await runSshca(['render', '--mount', 'ssh-dev', '--format', 'sshd', '--address', 'localhost:8200']);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      'sshca render: --address must be an http:// or https:// URL, e.g. http://localhost:8200 or ' +
        'https://localhost:8200; got "localhost:8200"\nRun "sshca render --help" for usage.\n',
    );
  });
});

describe('defect 4: keygen-ca --out ca/dev-ca on a fresh clone', () => {
  const keygen = (cwd: string, out = 'ca/dev-ca') =>
    runIn(cwd, ['keygen-ca', '--out', out], { HOME: join(dir, 'home') });
  const generated = (out: string) =>
    `Generated ssh-ed25519 CA key (256 bits)\n  private key: ${out} (mode 0600, keep it secret)\n` +
    `  public key:  ${out}.pub (give it to hosts as TrustedUserCAKeys)\n`;

  it('creates the missing folder with mode 0700 and, outside a git work tree, warns about nothing', async () => {
    const cwd = join(dir, 'plain');
    mkdirSync(cwd);
    expect(await keygen(cwd)).toEqual({ code: 0, stdout: generated('ca/dev-ca'), stderr: '' });
    expect(statSync(join(cwd, 'ca')).mode & 0o777).toBe(0o700);
    expect(statSync(join(cwd, 'ca', 'dev-ca')).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(cwd, 'ca', 'dev-ca.pub'), 'utf8')).toMatch(/^ssh-ed25519 /);
  });

  it('warns on stderr when the private key lands in a git work tree that does not ignore it', async () => {
    const repo = join(dir, 'repo');
    mkdirSync(repo);
    execFileSync('git', ['init', '-q', repo]);
    const run = await keygen(repo);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(generated('ca/dev-ca'));
    expect(run.stderr).toBe(
      `sshca keygen-ca: warning: the private key ca/dev-ca is inside the git work tree ${repo} and git does not ` +
        `ignore it: add "ca/" to ${join(repo, '.gitignore')} so that it is never committed\n`,
    );
    // Once ignored, as this project's own .gitignore does for ca/, there is nothing to warn about.
    writeFileSync(join(repo, '.gitignore'), '/ca/\n');
    expect(await keygen(repo, 'ca/prod-ca')).toEqual({ code: 0, stdout: generated('ca/prod-ca'), stderr: '' });
  });

  it("this project's .gitignore keeps the README's key outputs out of git", () => {
    const ignored = (path: string) =>
      execFileSync('git', ['check-ignore', '--no-index', '-q', path], {
        cwd: join(import.meta.dirname, '../..'),
        stdio: 'ignore',
      });
    for (const path of ['ca/dev-ca', 'ca/dev-ca.pub', 'ca/prod-ca', 'cert.pem', 'key.pem']) {
      expect(() => ignored(path), path).not.toThrow();
    }
  });
});

describe('defect 5: render --format cloud-init without --principals', () => {
  it('is refused with what to pass, exit 2, and --help says so', async () => {
    const run = await runSshca(['render', '--mount', 'ssh-dev', '--format', 'cloud-init'], env);
    expect(run).toEqual({
      code: 2,
      stdout: '',
      stderr:
        'sshca render: --format cloud-init needs at least one --principals ACCOUNT=P1,P2 (e.g. --principals ' +
        'ubuntu=ubuntu): without it the host trusts the CA but lets no certificate log in\n' +
        'Run "sshca render --help" for usage.\n',
    });
    expect((await runSshca(['render', '--help'])).stdout).toContain(
      'Required with\n                               cloud-init (refused without: its hosts would let no certificate in)',
    );
  });

  it('cloud-init-otp takes no principals and is not affected', async () => {
    const run = await runSshca(
      ['render', '--format', 'cloud-init-otp', '--mount', 'ssh-dev', '--allowed-roles', 'otp', '--dev'],
      env,
    );
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^#cloud-config\n/);
  });
});

describe('defect 7: mounts and option values', () => {
  const noMount = (said: string) =>
    'there is no SSH mount ssh-nope on this backend: check --mount ("vault secrets list" shows the mounts) ' +
    `(backend said: ${said})\n`;

  it('render and login say the same words for a mount that does not exist, exit 1', async () => {
    expect(await runSshca(['render', '--mount', 'ssh-nope', '--format', 'sshd'], env)).toEqual({
      code: 1,
      stdout: '',
      stderr: `sshca render: ${noMount('permission denied')}`,
    });
    expect(await runSshca(['login', '--mount', 'ssh-nope', '--role', 'developer', '--no-agent'], env)).toEqual({
      code: 1,
      stdout: '',
      stderr: `sshca login: ${noMount('no handler for route "ssh-nope/sign/developer". route entry not found.')}`,
    });
  });

  it('--mount /ssh-dev/ is the mount ssh-dev, for render and for login', async () => {
    const plain = await runSshca(['render', '--mount', 'ssh-dev', '--format', 'trusted-keys'], env);
    expect(plain.code).toBe(0);
    expect(await runSshca(['render', '--mount', '/ssh-dev/', '--format', 'trusted-keys'], env)).toEqual(plain);
    const login = await runSshca(['login', '--mount', '/ssh-dev/', '--role', 'developer', '--no-agent'], env);
    expect(login.stderr).toBe('');
    expect(login.code).toBe(0);
    expect(login.stdout).toMatch(/^Signed .*\/sshca-home\/ssh-dev-developer-cert\.pub as token: principals ubuntu;/);
  });

  it('--mount /ssh-dev/ is the mount ssh-dev for config too', async () => {
    const args = (mount: string) => ['config', '--mount', mount, '--role', 'developer', '--host', '*.dev.example.com'];
    const plain = await runSshca(args('ssh-dev'), env);
    expect(plain.code).toBe(0);
    expect(plain.stdout).toContain('--mount ssh-dev ');
    expect(await runSshca(args('/ssh-dev/'), env)).toEqual(plain);
  });

  it('--principals without "=" and --mount with no name are usage errors, exit 2', async () => {
    expect(await runSshca(['render', '--mount', 'ssh-dev', '--format', 'sshd', '--principals', 'ubuntu'], env)).toEqual(
      {
        code: 2,
        stdout: '',
        stderr:
          'sshca render: --principals needs ACCOUNT=P1,P2 (the certificate principals that may log in as ACCOUNT), ' +
          'got "ubuntu"; e.g. --principals ubuntu=ubuntu\nRun "sshca render --help" for usage.\n',
      },
    );
    expect(await runSshca(['login', '--mount', '/', '--role', 'developer'], env)).toEqual({
      code: 2,
      stdout: '',
      stderr: 'sshca login: --mount needs a mount path such as ssh-dev, got "/"\nRun "sshca login --help" for usage.\n',
    });
  });
});

describe('no sshca command prints a JavaScript stack trace for bad input', () => {
  /** [what, args, extra environment, exit code]; `{port}`, `{dir}` are filled in. */
  const CASES: ReadonlyArray<readonly [string, readonly string[], Record<string, string>, 1 | 2 | 3]> = [
    ['serve on a taken port', ['serve', '--dev', '--listen', '127.0.0.1:{port}'], {}, 1],
    ['serve --listen without a port', ['serve', '--dev', '--listen', '127.0.0.1'], {}, 2],
    ['serve --listen port out of range', ['serve', '--dev', '--listen', '127.0.0.1:99999'], {}, 2],
    ['serve --listen on an address not of this machine', ['serve', '--dev', '--listen', '192.0.2.1:8200'], {}, 1],
    [
      'serve with missing TLS files',
      ['serve', '--dev', '--tls-cert', '{dir}/no.pem', '--tls-key', '{dir}/no.key'],
      {},
      1,
    ],
    [
      'serve with a TLS pair that is not PEM',
      ['serve', '--dev', '--tls-cert', '{dir}/bad.pem', '--tls-key', '{dir}/bad.pem'],
      {},
      1,
    ],
    ['serve with a bad limit', ['serve', '--dev', '--max-json-depth', '-1'], {}, 2],
    ['serve --data-dir under a file', ['serve', '--data-dir', '{dir}/bad.pem/data'], {}, 1],
    ['serve --manual-init without --data-dir', ['serve', '--dev', '--manual-init'], {}, 2],
    [
      'serve --unseal-key-file that is missing',
      ['serve', '--data-dir', '{dir}/d', '--unseal-key-file', '{dir}/no'],
      {},
      1,
    ],
    [
      'serve with SSHCA_UNSEAL_KEY that is no key',
      ['serve', '--data-dir', '{dir}/d'],
      { SSHCA_UNSEAL_KEY: 'not-a-key' },
      1,
    ],
    ['operator without a subcommand', ['operator'], {}, 2],
    ['operator migrate without --data-dir', ['operator', 'migrate'], {}, 2],
    ['operator migrate of no data directory', ['operator', 'migrate', '--data-dir', '{dir}/none'], {}, 1],
    ['operator init --key-shares not a number', ['operator', 'init', '--key-shares', 'five'], {}, 2],
    ['operator unseal with two keys', ['operator', 'unseal', 'a', 'b'], {}, 2],
    ['operator status, backend down', ['operator', 'status'], { VAULT_ADDR: 'http://127.0.0.1:1' }, 1],
    ['operator seal with an unknown token', ['operator', 'seal'], { VAULT_TOKEN: 'hvs.unknown' }, 3],
    [
      'login, VAULT_ADDR without a scheme',
      ['login', '--mount', 'ssh-dev', '--role', 'developer'],
      { VAULT_ADDR: '127.0.0.1:{port}' },
      2,
    ],
    [
      'login, VAULT_ADDR host:port read as a scheme',
      ['login', '--mount', 'ssh-dev', '--role', 'developer'],
      { VAULT_ADDR: 'localhost:{port}' },
      2,
    ],
    [
      'login, BAO_ADDR without a scheme',
      ['login', '--mount', 'ssh-dev', '--role', 'developer'],
      { VAULT_ADDR: '', BAO_ADDR: '127.0.0.1:{port}' },
      2,
    ],
    [
      'login --address ftp://',
      ['login', '--mount', 'ssh-dev', '--role', 'developer', '--address', 'ftp://127.0.0.1'],
      {},
      2,
    ],
    [
      'login --address http:// without a host',
      ['login', '--mount', 'ssh-dev', '--role', 'developer', '--address', 'http://'],
      {},
      2,
    ],
    [
      'login to a backend that is down',
      ['login', '--mount', 'ssh-dev', '--role', 'developer', '--no-agent'],
      { VAULT_ADDR: 'http://127.0.0.1:1' },
      1,
    ],
    [
      'login with a bad duration',
      ['login', '--mount', 'ssh-dev', '--role', 'developer', '--no-agent', '--ttl', 'soon'],
      {},
      1,
    ],
    ['login with a bad --wrap-ttl', ['login', '--wrap-ttl', 'soon'], {}, 2],
    [
      'login to a mount that does not exist',
      ['login', '--mount', 'ssh-nope', '--role', 'developer', '--no-agent'],
      {},
      1,
    ],
    ['login --mount /', ['login', '--mount', '/', '--role', 'developer'], {}, 2],
    [
      'login --key missing',
      ['login', '--mount', 'ssh-dev', '--role', 'developer', '--no-agent', '--key', '{dir}/no-key'],
      {},
      1,
    ],
    [
      'login with an unknown token',
      ['login', '--mount', 'ssh-dev', '--role', 'developer', '--no-agent'],
      { VAULT_TOKEN: 'hvs.unknown' },
      3,
    ],
    ['login --method nonsense', ['login', '--mount', 'ssh-dev', '--role', 'developer', '--method', 'ldap'], {}, 2],
    ['render to a mount that does not exist', ['render', '--mount', 'ssh-nope', '--format', 'sshd'], {}, 1],
    ['render cloud-init without principals', ['render', '--mount', 'ssh-dev', '--format', 'cloud-init'], {}, 2],
    [
      'render --principals without "="',
      ['render', '--mount', 'ssh-dev', '--format', 'sshd', '--principals', 'ubuntu'],
      {},
      2,
    ],
    [
      'render --principals with an empty list',
      ['render', '--mount', 'ssh-dev', '--format', 'sshd', '--principals', 'ubuntu='],
      {},
      2,
    ],
    ['render --format unknown', ['render', '--mount', 'ssh-dev', '--format', 'yaml'], {}, 2],
    ['render --ca-key missing', ['render', '--format', 'sshd', '--ca-key', '{dir}/no.pub'], {}, 1],
    [
      'render --ca-key not a key',
      ['render', '--format', 'sshd', '--environment', 'dev', '--ca-key', '{dir}/bad.pem'],
      {},
      1,
    ],
    [
      'render, VAULT_ADDR without a scheme',
      ['render', '--mount', 'ssh-dev', '--format', 'sshd'],
      { VAULT_ADDR: '127.0.0.1:{port}' },
      2,
    ],
    [
      'render from a backend that is down',
      ['render', '--mount', 'ssh-dev', '--format', 'sshd'],
      { VAULT_ADDR: 'http://127.0.0.1:1' },
      1,
    ],
    [
      'render cloud-init-otp with --address without a scheme',
      [
        'render',
        '--format',
        'cloud-init-otp',
        '--mount',
        'ssh-dev',
        '--allowed-roles',
        'otp',
        '--address',
        '127.0.0.1:8200',
      ],
      {},
      2,
    ],
    ['keygen-ca into a folder under a file', ['keygen-ca', '--out', '{dir}/bad.pem/ca/dev-ca'], {}, 1],
    ['keygen-ca --key-bits not a number', ['keygen-ca', '--out', '{dir}/k1', '--key-bits', 'many'], {}, 2],
    ['keygen-ca --key-type unknown', ['keygen-ca', '--out', '{dir}/k2', '--key-type', 'dsa'], {}, 1],
    [
      'sign with a missing roles file',
      [
        'sign',
        '--roles',
        '{dir}/no.json',
        '--role',
        'developer',
        '--ca',
        '{dir}/no-ca',
        '--public-key',
        '{dir}/no.pub',
      ],
      {},
      1,
    ],
    ['inspect a missing file', ['inspect', '{dir}/no-cert.pub'], {}, 1],
    ['inspect a file that is no certificate', ['inspect', '{dir}/bad.pem'], {}, 1],
    [
      'creds, VAULT_ADDR without a scheme',
      ['creds', '--mount', 'ssh-dev', '--role', 'otp', '--ip', '10.0.0.1'],
      { VAULT_ADDR: '127.0.0.1:{port}' },
      2,
    ],
    [
      'creds from a mount that does not exist',
      ['creds', '--mount', 'ssh-nope', '--role', 'otp', '--ip', '10.0.0.1'],
      {},
      1,
    ],
    ['ssh --mount /', ['ssh', '--mount', '/', '--role', 'developer', '--', 'ubuntu@127.0.0.1'], {}, 2],
    ['check-host without user@host', ['check-host', '--mount', 'ssh-dev', '--role', 'developer', 'nobody'], {}, 2],
    ['an unknown command', ['frobnicate'], {}, 2],
    ['drift without --inventory', ['drift', '--mount', 'ssh-dev'], {}, 2],
    ['drift without --mount', ['drift', '--inventory', '{dir}/hosts.yml'], {}, 2],
    ['drift --inventory missing', ['drift', '--inventory', '{dir}/no-hosts.yml', '--mount', 'ssh-dev'], {}, 2],
    ['drift --mount /', ['drift', '--inventory', '{dir}/hosts.yml', '--mount', '/'], {}, 2],
    ['drift --timeout 0', ['drift', '--inventory', '{dir}/hosts.yml', '--mount', 'ssh-dev', '--timeout', '0'], {}, 2],
    [
      'drift --concurrency not a number',
      ['drift', '--inventory', '{dir}/hosts.yml', '--mount', 'ssh-dev', '--concurrency', 'x'],
      {},
      2,
    ],
    ['drift with an unknown option', ['drift', '--bogus'], {}, 2],
    ['drift, no host of the mount', ['drift', '--inventory', '{dir}/hosts.yml', '--mount', 'ssh-nope'], {}, 1],
    [
      'drift from a mount that does not exist',
      ['drift', '--inventory', '{dir}/hosts-nope.yml', '--mount', 'ssh-nope'],
      {},
      1,
    ],
    [
      'drift, backend down',
      ['drift', '--inventory', '{dir}/hosts.yml', '--mount', 'ssh-dev'],
      { VAULT_ADDR: 'http://127.0.0.1:1' },
      1,
    ],
    [
      'drift with an unknown token',
      ['drift', '--inventory', '{dir}/hosts.yml', '--mount', 'ssh-dev'],
      { VAULT_TOKEN: 'hvs.unknown' },
      3,
    ],
    ['audit without --audit-log', ['audit', '--sshd-log', '{dir}/bad.pem'], {}, 2],
    ['audit without --sshd-log', ['audit', '--audit-log', '{dir}/bad.pem'], {}, 2],
    ['audit --audit-log missing', ['audit', '--audit-log', '{dir}/no-audit.log', '--sshd-log', '{dir}/bad.pem'], {}, 1],
    [
      'audit --since not a time',
      ['audit', '--audit-log', '{dir}/bad.pem', '--sshd-log', '{dir}/bad.pem', '--since', 'yesterday'],
      {},
      2,
    ],
    ['audit with an unknown option', ['audit', '--bogus'], {}, 2],
    ['revoke without a target', ['revoke', '--mount', 'ssh-dev'], {}, 2],
    ['revoke --serial not a number', ['revoke', '--mount', 'ssh-dev', '--serial', 'abc'], {}, 2],
    [
      'revoke --certificate not a certificate',
      ['revoke', '--mount', 'ssh-dev', '--certificate', '{dir}/bad.pem'],
      {},
      1,
    ],
    ['rotate without --stage or --status', ['rotate', '--mount', 'ssh-dev'], {}, 2],
    ['rotate --stage 4', ['rotate', '--mount', 'ssh-dev', '--stage', '4'], {}, 2],
    ['rotate from a mount that does not exist', ['rotate', '--mount', 'ssh-nope', '--status'], {}, 1],
  ];

  beforeAll(() => {
    writeFileSync(join(dir, 'bad.pem'), 'not a key or certificate\n');
    // drift's inventories: one dev host (never reached: every drift row fails before the probe).
    writeFileSync(
      join(dir, 'hosts.yml'),
      'all:\n  hosts:\n    web-1:\n      ansible_host: 127.0.0.1\n      ssh_ca_trust_mount: ssh-dev\n',
    );
    writeFileSync(join(dir, 'hosts-nope.yml'), 'all:\n  hosts:\n    web-1:\n      ansible_host: 127.0.0.1\n');
  });

  const fill = (s: string) => s.replaceAll('{port}', String(port)).replaceAll('{dir}', dir);

  it.each(CASES)('%s', async (_what, args, extra, code) => {
    const run = await runSshca(
      args.map(fill),
      Object.fromEntries(Object.entries({ ...env, ...extra }).map(([k, v]) => [k, fill(v)])),
    );
    expect(run.stderr).not.toMatch(/^\s+at /m);
    expect(run.stderr).not.toMatch(/^\w*(Error|Exception)( \[\w+\])?: /m);
    expect(run.stderr).not.toMatch(/node:internal|Node\.js v\d/);
    expect(run.stderr).toMatch(/^sshca[ :]/);
    expect({ code: run.code, firstLine: run.stderr.split('\n')[0] }).toEqual({
      code,
      firstLine: expect.stringMatching(/^sshca( [a-z-]+)?: \S/),
    });
  });

  // drift's bad command lines, whole stderr and exit code (issue 20, point 3).
  const usage = 'Run "sshca drift --help" for usage.\n';
  it.each([
    [['drift', '--mount', 'ssh-dev'], {}, 2, `sshca drift: missing required option --inventory\n${usage}`],
    [['drift', '--inventory', '{dir}/hosts.yml'], {}, 2, `sshca drift: missing required option --mount\n${usage}`],
    [
      ['drift', '--inventory', '{dir}/no-hosts.yml', '--mount', 'ssh-dev'],
      {},
      2,
      `sshca drift: cannot read --inventory {dir}/no-hosts.yml: ENOENT\n${usage}`,
    ],
    [
      ['drift', '--inventory', '{dir}/hosts.yml', '--mount', '/'],
      {},
      2,
      `sshca drift: --mount needs a mount path such as ssh-dev, got "/"\n${usage}`,
    ],
    [
      ['drift', '--inventory', '{dir}/hosts.yml', '--mount', 'ssh-dev', '--timeout', '0'],
      {},
      2,
      `sshca drift: --timeout must be a whole number of seconds, got 0\n${usage}`,
    ],
    [
      ['drift', '--inventory', '{dir}/hosts.yml', '--mount', 'ssh-dev', '--concurrency', 'x'],
      {},
      2,
      `sshca drift: --concurrency must be a positive whole number, got x\n${usage}`,
    ],
    [['drift', '--bogus'], {}, 2, `sshca drift: Unknown option '--bogus'\n${usage}`],
    [
      ['drift', '--inventory', '{dir}/hosts.yml', '--mount', 'ssh-dev'],
      { VAULT_TOKEN: 'hvs.unknown' },
      3,
      'sshca drift: the token is invalid or expired (revoked, past its TTL or its uses, or never issued): get a new one (sshca login --method userpass, vault login, or VAULT_TOKEN / --token) (backend said: permission denied, invalid token)\n',
    ],
    [
      ['drift', '--inventory', '{dir}/hosts.yml', '--mount', 'ssh-nope'],
      {},
      1,
      'sshca drift: left out 1 host(s) whose ssh_ca_trust_mount is not ssh-nope\nsshca drift: the inventory {dir}/hosts.yml has no host of mount ssh-nope\n',
    ],
  ] as const)('drift %j: exact stderr and exit code', async (args, extra, code, stderr) => {
    const run = await runSshca(args.map(fill), { ...env, ...extra });
    expect({ code: run.code, stdout: run.stdout, stderr: run.stderr }).toEqual({
      code,
      stdout: '',
      stderr: fill(stderr),
    });
  });

  it('SSHCA_DEBUG=1 adds the stack for whoever debugs', async () => {
    const run = await runSshca(['render', '--mount', 'ssh-dev', '--format', 'cloud-init'], {
      ...env,
      SSHCA_DEBUG: '1',
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^UsageError: --format cloud-init needs/m);
    expect(run.stderr).toMatch(/^ {4}at /m);
  });
});
