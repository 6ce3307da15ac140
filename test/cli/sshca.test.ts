// The real `sshca` binary (dist/cli/main.js, built by `npm test`) in child processes: help,
// version, keygen-ca, sign and inspect, with exit codes, file modes and exact messages.

import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCertificate } from '../../core/cert/certificate.js';

const ROOT = resolve(import.meta.dirname, '../..');
const BIN = join(ROOT, 'dist', 'cli', 'main.js');
const ROLES = join(ROOT, 'examples', 'roles.json');

function sshca(args: string[], cwd = ROOT) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

let dir: string;
let userPub: string;

beforeAll(() => {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run "npm run build" first (npm test does)`);
  dir = mkdtempSync(join(tmpdir(), 'sshca-cli-'));
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'alice@laptop', '-f', join(dir, 'id_ed25519')]);
  userPub = join(dir, 'id_ed25519.pub');
  expect(sshca(['keygen-ca', '--out', join(dir, 'ca')]).code).toBe(0);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const mode = (path: string) => statSync(path).mode & 0o777;

/** Every command, in the order of `sshca --help`. */
const COMMANDS = [
  'login',
  'ssh',
  'creds',
  'config',
  'check-host',
  'serve',
  'render',
  'keygen-ca',
  'sign',
  'inspect',
  'demo',
] as const;

describe('sshca', () => {
  it('prints usage with every command and exits 0 for --help, 2 without a command', () => {
    const help = sshca(['--help']);
    expect(help.code).toBe(0);
    for (const c of COMMANDS) expect(help.stdout).toMatch(new RegExp(`^  ${c} `, 'm'));
    expect(sshca([]).code).toBe(2);
  });

  it('prints the package version', () => {
    const version = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version;
    expect(sshca(['--version'])).toEqual({ code: 0, stdout: `sshca ${version}\n`, stderr: '' });
  });

  it('gives every command a --help with examples', () => {
    for (const c of COMMANDS) {
      const r = sshca([c, '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^Usage: sshca ${c}`));
      expect(r.stdout).toMatch(/\n {2}sshca /); // an example
    }
  });

  it('refuses an unknown command and an unknown option with exit code 2', () => {
    expect(sshca(['frobnicate'])).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/^sshca: unknown command "frobnicate"\n/),
    });
    expect(sshca(['sign', '--bogus'])).toEqual({
      code: 2,
      stdout: '',
      stderr: `sshca sign: Unknown option '--bogus'\nRun "sshca sign --help" for usage.\n`,
    });
    expect(sshca(['sign', '--role', 'developer']).stderr).toBe(
      'sshca sign: missing required option --roles\nRun "sshca sign --help" for usage.\n',
    );
  });

  it('keygen-ca writes the private key 0600 and the public key 0644, and will not overwrite them', () => {
    expect(mode(join(dir, 'ca'))).toBe(0o600);
    expect(mode(join(dir, 'ca.pub'))).toBe(0o644);
    expect(readFileSync(join(dir, 'ca.pub'), 'utf8')).toMatch(
      /^ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI[A-Za-z0-9+/]{43}\n$/,
    );
    const again = sshca(['keygen-ca', '--out', join(dir, 'ca')]);
    expect(again).toEqual({
      code: 1,
      stdout: '',
      stderr: `sshca keygen-ca: ${join(dir, 'ca')}.pub already exists; use --force to replace it\n`,
    });
  });

  it("keygen-ca refuses weak RSA keys with Vault's message", () => {
    const r = sshca(['keygen-ca', '--out', join(dir, 'weak'), '--key-type', 'rsa', '--key-bits', '1024']);
    expect(r).toEqual({
      code: 1,
      stdout: '',
      stderr: 'sshca keygen-ca: refusing to generate weak rsa key: 1024 bits < 2048 bits\n',
    });
    expect(existsSync(join(dir, 'weak'))).toBe(false);
  });

  it("sign writes KEY-cert.pub with the role's principals, TTL and extensions", () => {
    const r = sshca([
      'sign',
      '--roles',
      ROLES,
      '--role',
      'developer',
      '--ca',
      join(dir, 'ca'),
      '--public-key',
      userPub,
      '--principals',
      'ubuntu',
      '--ttl',
      '2h',
      '--display-name',
      'alice',
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const certPath = join(dir, 'id_ed25519-cert.pub');
    expect(r.stdout).toMatch(
      new RegExp(
        `^Signed user key ${certPath.replace(/[.]/g, '\\.')}: id "developer-alice-[0-9a-f]{64}" serial \\d+ for ubuntu valid from \\S+ to \\S+ UTC\\n$`,
      ),
    );
    const cert = parseCertificate(readFileSync(certPath, 'utf8'));
    expect(cert.principals).toEqual(['ubuntu']);
    expect(cert.extensions).toEqual({ 'permit-pty': '' });
    expect(cert.validBefore - cert.validAfter).toBe(2n * 3600n + 30n);
  });

  it("sign refuses what the role refuses, in Vault's words, with exit code 1", () => {
    const base = ['sign', '--roles', ROLES, '--ca', join(dir, 'ca'), '--public-key', userPub];
    const cases: Array<[string[], string]> = [
      [['--role', 'developer', '--principals', 'root'], 'root is not a valid value for valid_principals'],
      [['--role', 'developer', '--ttl', '9h'], 'ttl is larger than maximum allowed 28800'],
      [
        ['--role', 'developer', '--extension', 'permit-X11-forwarding'],
        'extensions [permit-X11-forwarding] are not on allowed list',
      ],
      [['--role', 'developer', '--key-id', 'me'], 'setting key_id is not allowed by role'],
      [
        ['--role', 'developer', '--ttl', 'soon'],
        'Field validation failed: error converting input soon for field "ttl": time: invalid duration "soon"',
      ],
      [['--role', 'nope'], 'Unknown role: nope (roles in the file: developer, automation, emergency)'],
    ];
    for (const [args, message] of cases) {
      expect(sshca([...base, ...args])).toEqual({ code: 1, stdout: '', stderr: `sshca sign: ${message}\n` });
    }
  });

  it("sign --json prints Vault's response data", () => {
    const r = sshca([
      'sign',
      '--roles',
      ROLES,
      '--role',
      'automation',
      '--ca',
      join(dir, 'ca'),
      '--public-key',
      userPub,
      '--principals',
      'gitlab-runner',
      '--out',
      join(dir, 'ci-cert.pub'),
      '--json',
    ]);
    expect(r.code).toBe(0);
    const data = JSON.parse(r.stdout);
    expect(Object.keys(data)).toEqual(['serial_number', 'signed_key']);
    expect(data.serial_number).toMatch(/^[0-9a-f]{1,16}$/);
    expect(data.signed_key).toBe(readFileSync(join(dir, 'ci-cert.pub'), 'utf8'));
    expect(parseCertificate(data.signed_key).extensions).toEqual({});
  });

  it('refuses a passphrase-protected CA key with a clear message', () => {
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', 'secret', '-f', join(dir, 'locked')]);
    const r = sshca([
      'sign',
      '--roles',
      ROLES,
      '--role',
      'developer',
      '--ca',
      join(dir, 'locked'),
      '--public-key',
      userPub,
    ]);
    expect(r).toEqual({
      code: 1,
      stdout: '',
      stderr: `sshca sign: cannot use ${join(dir, 'locked')} as a CA key: ssh: this private key is passphrase protected\n`,
    });
  });

  it('inspect prints exactly what ssh-keygen -L prints', () => {
    const certPath = join(dir, 'id_ed25519-cert.pub');
    const ours = sshca(['inspect', certPath]);
    const theirs = execFileSync('ssh-keygen', ['-L', '-f', certPath], {
      encoding: 'utf8',
      env: { ...process.env, TZ: 'UTC' },
    });
    expect(ours).toEqual({ code: 0, stdout: theirs, stderr: '' });
    writeFileSync(join(dir, 'junk'), 'not a certificate\n');
    expect(sshca(['inspect', join(dir, 'junk')]).code).toBe(1);
  });
});
