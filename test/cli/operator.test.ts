// `sshca operator init | unseal | status | seal | rotate` through the built binary against
// `sshca serve --data-dir DIR --manual-init`: the zero-trust post's Step 1 ("vault operator init",
// then "vault operator unseal" three times) with our CLI alone, then what a root token does on the
// unsealed server, sealing, unsealing from standard input, rotating, and the API's refusals.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeScratchDir, removeScratchDir } from '../helpers/scratch.js';
import { runSshca } from '../helpers/sshca-bin.js';
import { startSshcaServe, type ServeProcess } from '../helpers/sshca-serve.js';

let dir: string;
let serve: ServeProcess;
let env: Record<string, string>;

beforeAll(async () => {
  dir = makeScratchDir('operator');
  serve = await startSshcaServe(['--data-dir', join(dir, 'data'), '--manual-init', '--listen', '127.0.0.1:0']);
  // HOME in the scratch folder: no ~/.vault-token of the machine's user is read.
  env = { VAULT_ADDR: serve.url, HOME: dir };
});

afterAll(async () => {
  await serve?.stop();
  if (dir) removeScratchDir(dir);
});

/** The seal status table `vault status` prints, for a sealed server of 5 shares, threshold 3. */
const sealedTable = (progress: number, nonce: string) =>
  'Key                Value\n' +
  '---                -----\n' +
  'Seal Type          shamir\n' +
  'Initialized        true\n' +
  'Sealed             true\n' +
  'Total Shares       5\n' +
  'Threshold          3\n' +
  `Unseal Progress    ${progress}/3\n` +
  `Unseal Nonce       ${nonce}\n` +
  'Version            0.1.0\n' +
  'Storage Type       file\n';

const UUID = /^Unseal Nonce {7}([0-9a-f-]{36})$/m;

async function api(method: string, path: string, token: string, body?: unknown) {
  const res = await fetch(`${serve.url}/v1/${path}`, {
    method,
    headers: { 'X-Vault-Token': token },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, json: text === '' ? undefined : JSON.parse(text) };
}

describe("the zero-trust post's Step 1 with sshca operator", () => {
  let keys: string[];
  let root: string;

  it('init with the defaults prints 5 unseal keys and the root token, and keeps none in DIR', async () => {
    const run = await runSshca(['operator', 'init'], env);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const m = /^((?:Unseal Key [1-5]: [A-Za-z0-9+/=]+\n){5})\nInitial Root Token: (hvs\.\S+)\n\n/.exec(run.stdout);
    expect(m, run.stdout).not.toBeNull();
    keys = m![1]!
      .trim()
      .split('\n')
      .map((l) => l.replace(/^Unseal Key \d: /, ''));
    root = m![2]!;
    expect(new Set(keys).size).toBe(5);
    expect(run.stdout).toContain('The server is initialised with 5 unseal key shares, of which 3 unseal it.');
    for (const f of files(join(dir, 'data'))) {
      const content = readFileSync(f);
      expect(content.includes(root), f).toBe(false);
      for (const k of keys) expect(content.includes(Buffer.from(k, 'base64')), f).toBe(false);
    }
  });

  it('status is sealed, exit 2', async () => {
    expect(await runSshca(['operator', 'status'], env)).toEqual({
      code: 2,
      stdout: sealedTable(0, 'n/a'),
      stderr: '',
    });
  });

  it('unseals with keys 1, 3 and 5, one at a time: 1/3, 2/3, then Sealed false', async () => {
    const first = await runSshca(['operator', 'unseal', keys[0]!], env);
    const nonce = UUID.exec(first.stdout)?.[1] ?? '';
    expect(first).toEqual({ code: 0, stdout: sealedTable(1, nonce), stderr: '' });
    expect(await runSshca(['operator', 'unseal', keys[2]!], env)).toEqual({
      code: 0,
      stdout: sealedTable(2, nonce),
      stderr: '',
    });
    const last = await runSshca(['operator', 'unseal', keys[4]!], env);
    expect(last.code).toBe(0);
    expect(last.stdout).toMatch(
      /^Key {13}Value\n-{3} {13}-{5}\nSeal Type {7}shamir\nInitialized {5}true\nSealed {10}false\nTotal Shares {4}5\nThreshold {7}3\nVersion {9}0\.1\.0\nStorage Type {4}file\nCluster Name {4}sshca-embedded\nCluster ID {6}[0-9a-f-]{36}\n$/,
    );
  });

  it('status is unsealed, exit 0', async () => {
    const run = await runSshca(['operator', 'status'], env);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Sealed          false\n');
  });

  it('the root token mounts ssh, generates a CA and signs', async () => {
    expect((await api('POST', 'sys/mounts/ssh', root, { type: 'ssh' })).status).toBe(204);
    const ca = await api('POST', 'ssh/config/ca', root, { generate_signing_key: true });
    expect(ca.status).toBe(200);
    expect(ca.json.data.public_key).toMatch(/^ssh-rsa /);
    expect(
      (
        await api('POST', 'ssh/roles/dev', root, {
          key_type: 'ca',
          allow_user_certificates: true,
          allowed_users: 'ubuntu',
          default_user: 'ubuntu',
          ttl: '10m',
        })
      ).status,
    ).toBe(204);
    const signed = await api('POST', 'ssh/sign/dev', root, { public_key: ca.json.data.public_key });
    expect(signed.status, JSON.stringify(signed.json)).toBe(200);
    expect(signed.json.data.signed_key).toMatch(/^ssh-rsa-cert-v01@openssh\.com /);
  });

  it('seal with an invalid token: exit 3, still unsealed', async () => {
    expect(await runSshca(['operator', 'seal'], { ...env, VAULT_TOKEN: 'hvs.unknown' })).toEqual({
      code: 3,
      stdout: '',
      stderr:
        'sshca operator: the token is invalid or expired (revoked, past its TTL or its uses, or never issued): ' +
        'get a new one (sshca login --method userpass, vault login, or VAULT_TOKEN / --token) ' +
        '(backend said: permission denied, invalid token)\n',
    });
    expect((await runSshca(['operator', 'status'], env)).code).toBe(0);
  });

  it('rotate adds key term 2', async () => {
    const run = await runSshca(['operator', 'rotate'], { ...env, VAULT_TOKEN: root });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Success! Rotated key\n\nKey Term {8}2\nInstall Time {4}\d{4}-\d\d-\d\dT[\d:.]+Z\n$/);
  });

  it('seal with the token: status exit 2, sys/mounts answers 503 Vault is sealed', async () => {
    expect(await runSshca(['operator', 'seal', '--token', root], env)).toEqual({
      code: 0,
      stdout: 'Success! Vault is sealed.\n',
      stderr: '',
    });
    expect((await runSshca(['operator', 'status'], env)).code).toBe(2);
    expect(await api('GET', 'sys/mounts', root)).toEqual({ status: 503, json: { errors: ['Vault is sealed'] } });
    expect(await runSshca(['operator', 'seal', '--token', root], env)).toEqual({
      code: 1,
      stdout: '',
      stderr: 'sshca operator: Error sealing: Vault is sealed\n',
    });
  });

  it('an invalid key is refused in the API words, exit 1', async () => {
    expect(await runSshca(['operator', 'unseal', 'not a key!'], env)).toEqual({
      code: 1,
      stdout: '',
      stderr: "sshca operator: Error unsealing: 'key' must be a valid hex or base64 string\n",
    });
  });

  it('unseals from standard input, one line per run; the CA and its role are still there', async () => {
    expect((await runSshca(['operator', 'unseal'], env, `${keys[1]}\n`)).stdout).toContain('Unseal Progress    1/3\n');
    expect((await runSshca(['operator', 'unseal', '-'], env, `${keys[3]}\n`)).stdout).toContain(
      'Unseal Progress    2/3\n',
    );
    expect((await runSshca(['operator', 'unseal'], env, keys[0])).stdout).toContain('Sealed          false\n');
    expect((await api('GET', 'ssh/roles/dev', root)).json.data.default_user).toBe('ubuntu');
  });

  it('--reset forgets the shares given so far', async () => {
    expect((await runSshca(['operator', 'seal'], { ...env, VAULT_TOKEN: root })).code).toBe(0);
    expect((await runSshca(['operator', 'unseal', keys[0]!], env)).stdout).toContain('Unseal Progress    1/3\n');
    expect(await runSshca(['operator', 'unseal', '--reset'], env)).toEqual({
      code: 0,
      stdout: sealedTable(0, 'n/a'),
      stderr: '',
    });
  });

  it('init a second time: the API refuses, exit 1', async () => {
    expect(await runSshca(['operator', 'init'], env)).toEqual({
      code: 1,
      stdout: '',
      stderr: 'sshca operator: Error initializing: Vault is already initialized\n',
    });
  });
});

describe('sshca operator usage', () => {
  it.each([
    [['operator', 'init', '--key-shares', 'five'], '--key-shares must be a whole number from 1 to 255, got "five"'],
    [['operator', 'init', '--key-threshold', '0'], '--key-threshold must be a whole number from 1 to 255, got "0"'],
    [['operator', 'unseal', 'a', 'b'], 'unexpected argument: b'],
    [['operator', 'unseal', '--reset', 'a'], '--reset takes no KEY'],
    [['operator', 'unseal'], 'no unseal key: type it at the prompt, give it on standard input, or as the argument KEY'],
    [['operator', 'frob'], 'unknown subcommand "frob": one of init, unseal, status, seal, rotate, migrate'],
  ])('%j: exit 2', async (args, message) => {
    expect(await runSshca(args, env)).toEqual({
      code: 2,
      stdout: '',
      stderr: `sshca operator: ${message}\nRun "sshca operator --help" for usage.\n`,
    });
  });

  it('--help of a subcommand shows every example and warns about a key on the command line', async () => {
    const run = await runSshca(['operator', 'unseal', '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("a KEY on the command line lands in the\nshell's history");
    for (const usage of [
      'init [--key-shares N]',
      'unseal [KEY | -]',
      'status [--json]',
      'seal [--token',
      'rotate [--token',
    ]) {
      expect(run.stdout).toContain(`Usage: sshca operator ${usage}`);
    }
  });

  it('init --json prints the API answer', async () => {
    const fresh = await startSshcaServe(['--data-dir', join(dir, 'json'), '--manual-init', '--listen', '127.0.0.1:0']);
    try {
      const run = await runSshca(['operator', 'init', '--key-shares', '1', '--key-threshold', '1', '--json'], {
        VAULT_ADDR: fresh.url,
      });
      expect(run.code).toBe(0);
      const answer = JSON.parse(run.stdout);
      expect(Object.keys(answer)).toEqual(['keys', 'keys_base64', 'root_token']);
      expect(Buffer.from(answer.keys[0], 'hex')).toEqual(Buffer.from(answer.keys_base64[0], 'base64'));
    } finally {
      await fresh.stop();
    }
  });

  it('a backend that is down: one line, exit 1', async () => {
    expect(await runSshca(['operator', 'status'], { VAULT_ADDR: 'http://127.0.0.1:1' })).toEqual({
      code: 1,
      stdout: '',
      stderr:
        'sshca operator: Error checking seal status: no answer from http://127.0.0.1:1 (connect ECONNREFUSED 127.0.0.1:1)\n',
    });
  });
});

function files(d: string): string[] {
  return readdirSync(d, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(d, e.name)) : [join(d, e.name)],
  );
}
