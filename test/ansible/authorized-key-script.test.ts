// The shipped host script of dynamic keys (issue 23), ansible/roles/ssh_dynamic_keys_admin/files/
// sshca-authorized-key, run directly as root (as `sudo -n` runs it) against throwaway accounts made for
// this file and removed again: install and uninstall by key blob, every other line byte for byte, the
// refusals with their exit codes and messages, symlinks, and 20 installs at once under its flock.
// test/ansible/dynamic-keys-admin-e2e.test.ts runs it through sudo over a real sshd.

import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chownSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeScratchDir, removeScratchDir } from '../helpers/scratch.js';

/** The script as the role ships it. */
export const AUTHORIZED_KEY_SCRIPT = resolve(
  import.meta.dirname,
  '../../ansible/roles/ssh_dynamic_keys_admin/files/sshca-authorized-key',
);

interface Account {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
  readonly home: string;
}

let dir: string;
const accounts: Account[] = [];
let user: Account;
let fresh: Account;
/** Public key lines (`ssh-ed25519 AAAA… comment`, no newline), key i from `<dir>/key-i`. */
const keys: string[] = [];

/** Run the script as root with `input` on stdin. */
function runScript(args: readonly string[], input: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(AUTHORIZED_KEY_SCRIPT, args, {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { PATH: '/usr/bin:/bin' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.once('error', reject);
    child.once('close', (code) => resolvePromise({ code: code ?? -1, stdout, stderr }));
    child.stdin.on('error', () => undefined); // the script may refuse before reading everything
    child.stdin.end(input);
  });
}

const install = (account: Account, input: string) => runScript(['install', account.name], input);
const uninstall = (account: Account, input: string) => runScript(['uninstall', account.name], input);
const ok = { code: 0, stdout: '', stderr: '' };
const refused = (code: number, message: string) => ({ code, stdout: '', stderr: `sshca-authorized-key: ${message}\n` });

/** Create a throwaway account (retrying: other test processes may hold the /etc/passwd lock). */
async function createAccount(): Promise<Account> {
  const name = `sshca-dk-${randomBytes(4).toString('hex')}`;
  for (let attempt = 1; ; attempt++) {
    try {
      execFileSync('useradd', ['--create-home', '--shell', '/bin/sh', name], { stdio: 'pipe' });
      break;
    } catch (e) {
      if (attempt >= 20) throw e;
      await sleep(50 + Math.floor(Math.random() * 100));
    }
  }
  const [, , uid, gid, , home] = execFileSync('getent', ['passwd', name], { encoding: 'utf8' }).trim().split(':');
  const account = { name, uid: Number(uid), gid: Number(gid), home: home! };
  accounts.push(account);
  return account;
}

async function removeAccount(account: Account): Promise<void> {
  for (let attempt = 1; attempt <= 20; attempt++) {
    try {
      execFileSync('userdel', ['--remove', account.name], { stdio: 'pipe' });
      return;
    } catch {
      await sleep(50 + Math.floor(Math.random() * 100));
    }
  }
}

const sshDir = (a: Account) => join(a.home, '.ssh');
const keysFile = (a: Account) => join(a.home, '.ssh/authorized_keys');

/** Start `account` over with ~/.ssh/authorized_keys holding `content` (owned by the account, 0600). */
function setAuthorizedKeys(account: Account, content: string): void {
  rmSync(sshDir(account), { recursive: true, force: true });
  mkdirSync(sshDir(account), { mode: 0o700 });
  chownSync(sshDir(account), account.uid, account.gid);
  writeFileSync(keysFile(account), content, { mode: 0o600 });
  chownSync(keysFile(account), account.uid, account.gid);
}

const read = (a: Account) => readFileSync(keysFile(a), 'utf8');
const blob = (line: string) => line.split(' ')[1]!;

/** Lines a user may already have: comments, a blank line, options with a quoted key type, no key. */
const EXISTING = (k: string[]) =>
  '# managed by hand\n' +
  `${k[1]}\n` +
  '\n' +
  `command="echo ssh-ed25519 ${blob(k[0]!)}",no-pty ${k[2]}\n` +
  '   # indented comment\n' +
  `from="192.0.2.0/24" ${k[3]}`; // no final newline

beforeAll(async () => {
  if (process.getuid?.() !== 0) throw new Error('these tests run the script as root');
  dir = makeScratchDir('authorized-key-script');
  await Promise.all(
    Array.from(
      { length: 24 },
      (_, i) =>
        new Promise<void>((done, fail) => {
          const c = spawn('ssh-keygen', [
            '-q',
            '-t',
            'ed25519',
            '-N',
            '',
            '-C',
            `key-${i}`,
            '-f',
            join(dir, `key-${i}`),
          ]);
          c.once('close', (code) => (code === 0 ? done() : fail(new Error(`ssh-keygen exited ${code}`))));
        }),
    ),
  );
  for (let i = 0; i < 24; i++) keys.push(readFileSync(join(dir, `key-${i}.pub`), 'utf8').trim());
  user = await createAccount();
  fresh = await createAccount();
});

afterAll(async () => {
  for (const account of accounts) await removeAccount(account);
  if (dir) removeScratchDir(dir);
});

describe('install', () => {
  it('creates ~/.ssh (0700) and authorized_keys (0600), owned by the user, holding the line', async () => {
    expect(existsSync(sshDir(fresh))).toBe(false);
    expect(await install(fresh, `${keys[0]}\n`)).toEqual(ok);
    const d = statSync(sshDir(fresh));
    const f = statSync(keysFile(fresh));
    expect([d.mode & 0o7777, d.uid, d.gid]).toEqual([0o700, fresh.uid, fresh.gid]);
    expect([f.mode & 0o7777, f.uid, f.gid]).toEqual([0o600, fresh.uid, fresh.gid]);
    expect(read(fresh)).toBe(`${keys[0]}\n`);
  });

  it('appends to an authorized_keys with other lines and comments, which stay byte for byte', async () => {
    setAuthorizedKeys(user, EXISTING(keys));
    // A line without a final newline on stdin is one line too.
    expect(await install(user, keys[4]!)).toEqual(ok);
    expect(read(user)).toBe(`${EXISTING(keys)}\n${keys[4]}\n`);
  });

  it('does not add a key twice, and leaves the file untouched', async () => {
    const before = statSync(keysFile(user));
    const content = read(user);
    expect(await install(user, `${keys[4]}\n`)).toEqual(ok);
    expect(read(user)).toBe(content);
    expect(statSync(keysFile(user)).ino).toBe(before.ino);
  });

  it('installs a key with options, and replaces the line of the same key blob so that options update', async () => {
    const withOptions = `no-agent-forwarding,from="10.0.0.0/8",command="echo \\"hi there\\"" ${keys[4]!.replace('key-4', 'updated')}`;
    expect(await install(user, `${withOptions}\n`)).toEqual(ok);
    expect(read(user)).toBe(`${EXISTING(keys)}\n${withOptions}\n`);
    const opts = `restrict,pty ${keys[5]}`;
    expect(await install(user, `${opts}\n`)).toEqual(ok);
    expect(read(user)).toBe(`${EXISTING(keys)}\n${withOptions}\n${opts}\n`);
  });

  it('replaces the first of several lines of the same key in place and drops the others', async () => {
    setAuthorizedKeys(user, `# a\n${keys[1]}\n${keys[6]} first\n# b\n${keys[6]} second\n${keys[2]}\n`);
    expect(await install(user, `from="127.0.0.1" ${keys[6]}\n`)).toEqual(ok);
    expect(read(user)).toBe(`# a\n${keys[1]}\nfrom="127.0.0.1" ${keys[6]}\n# b\n${keys[2]}\n`);
  });
});

describe('uninstall', () => {
  it('removes exactly the lines of that key blob and keeps the others byte for byte', async () => {
    setAuthorizedKeys(user, `${EXISTING(keys)}\n${keys[7]}\nno-pty ${keys[7]} again\n`);
    expect(await uninstall(user, `${keys[7]}\n`)).toEqual(ok);
    expect(read(user)).toBe(`${EXISTING(keys)}\n`);
    const f = statSync(keysFile(user));
    expect([f.mode & 0o7777, f.uid, f.gid]).toEqual([0o600, user.uid, user.gid]);
  });

  it('keeps a missing final newline, and does not match a key named only inside an option', async () => {
    setAuthorizedKeys(user, EXISTING(keys));
    // keys[0]'s blob appears only in a command="…" option: that line is not keys[0]'s.
    expect(await uninstall(user, keys[0]!)).toEqual(ok);
    expect(read(user)).toBe(EXISTING(keys));
    expect(await uninstall(user, `${keys[2]}\n`)).toEqual(ok);
    expect(read(user)).toBe(
      EXISTING(keys).replace(`command="echo ssh-ed25519 ${blob(keys[0]!)}",no-pty ${keys[2]}\n`, ''),
    );
    // The last line, which has no newline: the line before it keeps its own.
    expect(await uninstall(user, `${keys[3]}\n`)).toEqual(ok);
    expect(read(user)).toBe(`# managed by hand\n${keys[1]}\n\n   # indented comment\n`);
  });

  it('is idempotent: a key that is not there, a missing file and a missing ~/.ssh are success', async () => {
    const content = read(user);
    const ino = statSync(keysFile(user)).ino;
    expect(await uninstall(user, `${keys[3]}\n`)).toEqual(ok);
    expect(read(user)).toBe(content);
    expect(statSync(keysFile(user)).ino).toBe(ino);
    rmSync(keysFile(user));
    expect(await uninstall(user, `${keys[3]}\n`)).toEqual(ok);
    expect(existsSync(keysFile(user))).toBe(false);
    rmSync(sshDir(user), { recursive: true });
    expect(await uninstall(user, `${keys[3]}\n`)).toEqual(ok);
    expect(existsSync(sshDir(user))).toBe(false);
  });
});

describe('refusals', () => {
  it.each([
    [[], 'usage: sshca-authorized-key install|uninstall USER (one public key line on stdin)'],
    [['install'], 'usage: sshca-authorized-key install|uninstall USER (one public key line on stdin)'],
    [['install', 'a', 'b'], 'usage: sshca-authorized-key install|uninstall USER (one public key line on stdin)'],
    [['remove', 'sshca-test'], "unknown command 'remove' (install or uninstall)"],
    [['install', '-rf'], 'invalid user name (letters, digits, _ . -; at most 32)'],
    [['install', '../root'], 'invalid user name (letters, digits, _ . -; at most 32)'],
  ])('usage: %j exits 2', async (args, message) => {
    expect(await runScript(args, `${keys[0]}\n`)).toEqual(refused(2, message));
  });

  it('refuses a user that does not exist, root and system accounts (exit 4)', async () => {
    expect(await install({ ...user, name: 'sshca-no-such-user' }, `${keys[0]}\n`)).toEqual(
      refused(4, 'no such user: sshca-no-such-user'),
    );
    expect(await runScript(['install', 'root'], `${keys[0]}\n`)).toEqual(
      refused(4, 'refused: root is root or a system account (uid below 1000)'),
    );
    expect(await runScript(['uninstall', 'daemon'], `${keys[0]}\n`)).toEqual(
      refused(4, 'refused: daemon is root or a system account (uid below 1000)'),
    );
  });

  it.each([
    ['empty input', '', 'not one public key line (empty input)'],
    ['a blank line', '\n', 'not one public key line (empty input)'],
    ['two lines', 'TWO', 'not one public key line'],
    ['a comment', '# ssh-ed25519 AAAA\n', 'not one public key line'],
    ['garbage', 'hello world\n', 'not one public key line'],
    ['a truncated key', 'TRUNCATED', 'not one public key line (ssh-keygen does not accept it)'],
    ['a key type with the wrong blob', 'MISMATCH', 'not one public key line (ssh-keygen does not accept it)'],
    ['a carriage return', 'CR', 'not one public key line'],
    ['a NUL byte', 'NUL', 'not one public key line'],
    ['a private key', 'PRIVATE', 'not one public key line'],
    ['more than 16384 bytes', 'LONG', 'not one public key line (more than 16384 bytes)'],
  ])('refuses %s on stdin (exit 3) and changes nothing', async (_label, input, message) => {
    setAuthorizedKeys(user, `${keys[1]}\n`);
    const b = blob(keys[8]!);
    const text =
      {
        TWO: `${keys[8]}\n${keys[9]}\n`,
        TRUNCATED: `ssh-ed25519 ${b.slice(0, 40)}\n`,
        MISMATCH: `ssh-rsa ${b}\n`,
        CR: `${keys[8]}\r\n`,
        NUL: `${keys[8]}\0\n`,
        PRIVATE: readFileSync(join(dir, 'key-8'), 'utf8'),
        LONG: `command="${'x'.repeat(16_400)}" ${keys[8]}\n`,
      }[input] ?? input;
    for (const run of [install, uninstall]) {
      const r = await run(user, text);
      expect(r).toEqual(refused(3, message));
      expect(r.stderr).not.toContain(b);
    }
    expect(read(user)).toBe(`${keys[1]}\n`);
  });

  it('refuses a certificate (exit 3)', async () => {
    execFileSync('ssh-keygen', ['-q', '-s', join(dir, 'key-23'), '-I', 'id', join(dir, 'key-9.pub')], {
      stdio: 'pipe',
    });
    const cert = readFileSync(join(dir, 'key-9-cert.pub'), 'utf8');
    expect(await install(user, cert)).toEqual(
      refused(3, 'not one public key line (certificates are not authorized keys)'),
    );
  });

  it('refuses a symlinked authorized_keys or ~/.ssh, and one owned by someone else (exit 5)', async () => {
    const target = join(dir, 'elsewhere');
    writeFileSync(target, '# not for the script\n');
    setAuthorizedKeys(user, '');
    rmSync(keysFile(user));
    symlinkSync(target, keysFile(user));
    for (const run of [install, uninstall]) {
      expect(await run(user, `${keys[10]}\n`)).toEqual(refused(5, '~/.ssh/authorized_keys is a symlink'));
    }
    expect(readFileSync(target, 'utf8')).toBe('# not for the script\n');
    expect(lstatSync(keysFile(user)).isSymbolicLink()).toBe(true);

    rmSync(sshDir(user), { recursive: true });
    mkdirSync(join(dir, 'elsewhere-dir'));
    symlinkSync(join(dir, 'elsewhere-dir'), sshDir(user));
    expect(await install(user, `${keys[10]}\n`)).toEqual(refused(5, '~/.ssh is a symlink'));
    rmSync(sshDir(user));

    setAuthorizedKeys(user, `${keys[1]}\n`);
    chownSync(keysFile(user), 0, 0);
    expect(await install(user, `${keys[10]}\n`)).toEqual(refused(5, '~/.ssh/authorized_keys is not owned by the user'));
    chownSync(sshDir(user), 0, 0);
    expect(await install(user, `${keys[10]}\n`)).toEqual(refused(5, '~/.ssh is not owned by the user'));
    expect(read(user)).toBe(`${keys[1]}\n`);
  });
});

it('20 installs of different keys at once for one user: all 20 are there, once each (flock)', async () => {
  setAuthorizedKeys(user, `# before\n${keys[1]}\n`);
  const twenty = keys.slice(2, 22);
  const results = await Promise.all(twenty.map((k) => install(user, `${k}\n`)));
  expect(results).toEqual(twenty.map(() => ok));
  const lines = read(user).split('\n');
  expect(lines.slice(0, 2)).toEqual(['# before', keys[1]]);
  expect(lines.at(-1)).toBe('');
  expect(lines.slice(2, -1).sort()).toEqual([...twenty].sort());
});
