// README sections run as written: every `sh` block of the one-time-password section and of the shared
// role / response wrapping section goes to bash exactly as it stands in the README, in a fresh folder
// (the repository's root for the block that says "From the repository"), with `sshca` on PATH as an
// installed package puts it there. The blocks start `sshca serve` on 127.0.0.1:8200, so they run one
// after another in this one file. The OTP section's unlabelled block (`sshca ssh --otp` against hosts
// at 10.0.1.5 and web-1.dev.example.com) names hosts that do not exist here; test/e2e/ssh-otp.test.ts
// runs the same command forms against a real sshd on loopback. The seal block of "Running the
// embedded server durably" (init, then unseal three times) gets its keys on standard input. Of the engineer's-login block, the
// `sshca config` line runs as written (the other lines name vault.example.com and its hosts).

import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { makeScratchDir, removeScratchDir } from './helpers/scratch.js';
import { ROOT, makeSshcaBin, runBlock as runReadmeBlock, sectionBlocks } from './helpers/readme.js';

let dir: string;
let bin: string;

beforeAll(() => {
  dir = makeScratchDir('readme-otp');
  bin = makeSshcaBin(dir);
});

afterAll(() => removeScratchDir(dir));

const runBlock = (code: string, cwd: string) => runReadmeBlock(code, { cwd, bin });

const blocks = () => sectionBlocks('## One-time passwords (OTP)');

it('has the blocks this test runs, in this order', () => {
  expect(blocks().map((b) => b.lang)).toEqual(['sh', '', 'sh', 'sh']);
});

it("runs the post's steps on the embedded server", async () => {
  const folder = join(dir, 'post');
  mkdirSync(folder);
  const r = await runBlock(blocks()[0]!.code, folder);
  expect(r.stderr).not.toMatch(/error|refused|denied/i);
  expect(r.code).toBe(0);
  const creds = JSON.parse(r.stdout.split('\n').find((l) => l.includes('"lease_id":"ssh/creds/'))!);
  expect(creds).toMatchObject({
    lease_id: expect.stringMatching(/^ssh\/creds\/otp_key_role\/[0-9a-f-]{36}$/),
    renewable: false,
    lease_duration: 2764800,
    data: { ip: '10.0.1.5', key_type: 'otp', port: 22, username: 'ubuntu' },
  });
  expect(r.stdout).toMatch(/^otp {7}[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/m);
  expect(r.stdout).toContain('user      deploy\nip        10.0.1.5\nport      22\n');
  expect(r.stdout).toContain('"data":{"message":"verify-echo-response"}');
}, 60_000);

it('checks the playbook from the repository', async () => {
  const r = await runBlock(blocks()[2]!.code, ROOT);
  expect(r.code).toBe(0);
  expect(r.stdout).toContain('playbook: ansible/playbooks/otp.yml');
}, 60_000);

it('renders OTP user-data that cloud-init accepts', async () => {
  const folder = join(dir, 'cloud-init');
  mkdirSync(folder);
  const r = await runBlock(blocks()[3]!.code, folder);
  expect(r.code).toBe(0);
  expect(r.stdout).toContain('Valid cloud-config: otp-user-data.yaml');
  expect(existsSync(join(folder, 'otp-user-data.yaml'))).toBe(true);
  expect(readFileSync(join(folder, 'otp-user-data.yaml'), 'utf8')).toContain(
    'vault_addr = "https://vault.example.com:8200"',
  );
}, 60_000);

it('narrows a shared role per person and hands a credential on once (response wrapping)', async () => {
  const section = sectionBlocks('### One shared role, narrowed per person; a credential handed on once');
  expect(section.map((b) => b.lang)).toEqual(['sh']);
  const folder = join(dir, 'wrapping');
  mkdirSync(folder);
  const r = await runBlock(section[0]!.code, folder);
  expect(r.code).toBe(0);
  const out = r.stdout.split('\n');
  // The ubuntu certificate, then root refused by the policy (403 from the ACL), in words.
  expect(r.stderr).toContain(
    'sshca login: your token may not sign on ssh/sign/shared: it needs a policy with "update" on that path (backend said: permission denied)',
  );
  expect(out).toContain('root: refused');
  // The wrapped credential, spent once: a certificate for ubuntu from it, then the second unwrap refused.
  expect(r.stderr).toContain('Wrapped a token of userpass user alice for 10m0s');
  expect(r.stderr).toContain('sshca login: unwrapping failed: wrapping token is not valid or does not exist');
  expect(out).toContain('a wrapping token works once');
  const signed = out.filter((l) => l.startsWith('Signed '));
  expect(signed).toHaveLength(2);
  for (const line of signed)
    expect(line).toMatch(
      /: principals ubuntu; key id vault-userpass-alice-[0-9a-f]{64};.* \((30m0s|29m[0-9]+s) left\)$/,
    );
}, 60_000);

it("writes the engineer's ssh config as the README's `sshca config` line says, and ssh accepts it", async () => {
  // The rest of that block talks to vault.example.com and its hosts; the `sshca config` line (two
  // lines with its continuation) needs only the host CA key, so it runs as written.
  const block = sectionBlocks("### An engineer's login")[0]!.code;
  const line = /^sshca config [^\n]*\\\n[^\n]*$/m.exec(block)?.[0];
  expect(line).toBeDefined();
  const folder = join(dir, 'engineer');
  mkdirSync(join(folder, '.ssh'), { recursive: true, mode: 0o700 });
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(folder, 'prod-host-ca')]);
  const r = await runBlock(line!, folder);
  expect(r.code).toBe(0);
  const hostCa = readFileSync(join(folder, 'prod-host-ca.pub'), 'utf8').split(' ').slice(0, 2).join(' ');
  const knownHosts = join(folder, '.ssh', 'sshca', 'known_hosts');
  expect(readFileSync(knownHosts, 'utf8')).toBe(`@cert-authority *.prod.example.com ${hostCa}\n`);
  const config = join(folder, '.ssh', 'config');
  const effective = execFileSync('ssh', ['-G', '-F', config, 'web-1.prod.example.com'], { encoding: 'utf8' });
  expect(effective).toMatch(/^user ubuntu$/m);
  expect(effective).toContain(knownHosts);
});

it("runs Step 1 of Vault's guides with sshca operator (Running the embedded server durably)", async () => {
  const section = sectionBlocks('### Running the embedded server durably');
  const block = section.find((b) => b.code.includes('sshca operator init'))!;
  const folder = join(dir, 'seal');
  mkdirSync(folder);
  // As runBlock, with standard input a pipe: the keys go in as the operators would type them, one
  // per `sshca operator unseal`, once `init` has printed them.
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(VAULT|BAO|SSHCA)_/.test(k)));
  const child = spawn('bash', ['-e', '-c', block.code], {
    cwd: folder,
    detached: true,
    env: { ...base, HOME: folder, PATH: `${bin}:${process.env.PATH}` },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let fed = false;
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    stdout += d;
    const keys = [...stdout.matchAll(/^Unseal Key (\d): (\S+)$/gm)].map((m) => m[2]!);
    if (!fed && keys.length === 5 && stdout.includes('Initial Root Token: ')) {
      fed = true;
      child.stdin.end(`${keys[0]}\n${keys[2]}\n${keys[4]}\n`);
    }
  });
  const code = await new Promise<number>((done) =>
    child.on('exit', (c) => {
      try {
        process.kill(-child.pid!, 'SIGTERM');
      } catch {
        // nothing left running
      }
      done(c ?? 1);
    }),
  );
  expect(stderr).toBe('');
  expect(code).toBe(0);
  expect(stdout).toMatch(/^Initial Root Token: hvs\.\S+$/m);
  expect([...stdout.matchAll(/^Unseal Progress {4}(\d\/3)$/gm)].map((m) => m[1])).toEqual(['1/3', '2/3']);
  expect(stdout).toMatch(/Sealed {10}false\n[\s\S]*Sealed {10}false\n/);
  expect(readdirSync(join(folder, 'sshca-data'))).toEqual(['storage']);
}, 60_000);
