// `sshca revoke` and `sshca render --format krl` (the built binary) against the embedded server over
// real HTTP (issue 20, point 1): revocations by serial (decimal and Vault's hex), key ID, certificate
// and public key are recorded in the KV v2 secret sshca/data/revocations/ssh-dev with exact records;
// parallel revocations by separate processes are all kept; --list as a table and JSON; the rendered
// KRL is what core/krl renders for those records and ssh-keygen -Q reads it back; every refusal with
// its exit code and one-line message.

import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderKrl } from '../../core/krl/krl.js';
import { planKrl, type RevocationRecord } from '../../core/krl/revocations.js';
import { fingerprint, parseSshPublicKey } from '../../core/keys/public-key.js';
import { makeScratchDir, removeScratchDir } from '../helpers/scratch.js';
import { runSshca } from '../helpers/sshca-bin.js';
import { mountSshCa, startTestServer, type TestServer } from '../helpers/vault-server.js';

let server: TestServer;
let dir: string;
let devCa: string;
let prodCa: string;
let env: Record<string, string>;
let n = 0;

const ROLE = {
  dev: { key_type: 'ca', allow_user_certificates: true, allowed_users: '*', default_user: 'ubuntu', ttl: '1h' },
};

beforeAll(async () => {
  dir = makeScratchDir('revoke');
  server = await startTestServer();
  devCa = await mountSshCa(server, 'ssh-dev', ROLE);
  prodCa = await mountSshCa(server, 'ssh-prod', ROLE);
  expect((await server.request('POST', '/v1/sys/mounts/sshca', { type: 'kv-v2' })).status).toBe(204);
  env = { VAULT_ADDR: server.url, VAULT_TOKEN: server.token };
});

afterAll(async () => {
  await server?.close();
  if (dir) removeScratchDir(dir);
});

/** A new key pair's public key file. */
function newKey(): string {
  const file = join(dir, `k${++n}`);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', '', '-f', file]);
  return `${file}.pub`;
}

/** A certificate of `mount` for a new key: its file, decimal serial and key ID. */
async function certificate(mount: string): Promise<{ file: string; serial: string; hex: string; keyId: string }> {
  const pub = newKey();
  const r = await server.request('POST', `/v1/${mount}/sign/dev`, { public_key: readFileSync(pub, 'utf8') });
  const file = pub.replace(/\.pub$/, '-cert.pub');
  writeFileSync(file, r.json.data.signed_key);
  const text = execFileSync('ssh-keygen', ['-L', '-f', file], { encoding: 'utf8' });
  return {
    file,
    serial: /Serial: (\d+)/.exec(text)![1]!,
    hex: r.json.data.serial_number,
    keyId: /Key ID: "(.*)"/.exec(text)![1]!,
  };
}

const records = async (mount: string): Promise<RevocationRecord[]> =>
  (await server.request('GET', `/v1/sshca/data/revocations/${mount}`)).json?.data?.data?.revocations ?? [];

const REVOKED_AT = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;

describe('sshca revoke', () => {
  it('records a serial (decimal or 0x hex), a key ID, a certificate and a public key', async () => {
    const a = await certificate('ssh-dev');
    const b = await certificate('ssh-dev');
    const c = await certificate('ssh-dev');
    const key = newKey();
    const dev = (await server.request('GET', '/v1/ssh-dev/public_key', undefined, null)).body.trim();

    const r1 = await runSshca(['revoke', '--mount', 'ssh-dev', '--serial', a.serial, '--reason', 'laptop stolen'], env);
    expect(r1).toEqual({
      code: 0,
      stdout:
        `revoked serial ${a.serial} of ssh-dev: 1 revocation(s) in sshca/data/revocations/ssh-dev (version 1)\n` +
        'hosts refuse it once they have the new KRL: sshca render --format krl --mount ssh-dev --out FILE\n',
      stderr: '',
    });
    expect((await runSshca(['revoke', '--mount', 'ssh-dev', '--serial', `0x${b.hex}`], env)).code).toBe(0);
    expect((await runSshca(['revoke', '--mount', '/ssh-dev/', '--key-id', 'vault-root-left'], env)).code).toBe(0);
    expect((await runSshca(['revoke', '--mount', 'ssh-dev', '--certificate', c.file], env)).code).toBe(0);
    expect(
      (await runSshca(['revoke', '--mount', 'ssh-dev', '--public-key', key, '--reason', 'leaked'], env)).code,
    ).toBe(0);

    const list = await records('ssh-dev');
    const common = { ca_key: dev, by: 'root' };
    expect(list).toEqual([
      {
        type: 'serial',
        serial: a.serial,
        ...common,
        reason: 'laptop stolen',
        revoked_at: expect.stringMatching(REVOKED_AT),
      },
      {
        type: 'serial',
        serial: BigInt(`0x${b.hex}`).toString(),
        ...common,
        reason: '',
        revoked_at: expect.stringMatching(REVOKED_AT),
      },
      {
        type: 'key_id',
        key_id: 'vault-root-left',
        ...common,
        reason: '',
        revoked_at: expect.stringMatching(REVOKED_AT),
      },
      {
        type: 'serial',
        serial: c.serial,
        key_id: c.keyId,
        ...common,
        reason: '',
        revoked_at: expect.stringMatching(REVOKED_AT),
      },
      {
        type: 'public_key',
        public_key: readFileSync(key, 'utf8').trim(),
        ca_key: '',
        by: 'root',
        reason: 'leaked',
        revoked_at: expect.stringMatching(REVOKED_AT),
      },
    ]);

    // The same revocation again changes nothing.
    const again = await runSshca(
      ['revoke', '--mount', 'ssh-dev', '--certificate', a.file.replace('-cert', '-cert')],
      env,
    );
    expect(again.code).toBe(0);
    expect(again.stdout).toBe(
      `serial ${a.serial} (key ID ${JSON.stringify(a.keyId)}) of ssh-dev was already revoked (at ${list[0]!.revoked_at} by root); nothing changed\n`,
    );
    expect(await records('ssh-dev')).toHaveLength(5);

    // --list: a table, and the records as JSON.
    const table = await runSshca(['revoke', '--mount', 'ssh-dev', '--list'], env);
    expect(table.code).toBe(0);
    const lines = table.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(6);
    expect(lines[0]).toMatch(/^TYPE\s+REVOKED\s+CA\s+REVOKED_AT\s+BY\s+REASON$/);
    const caPrint = fingerprint(parseSshPublicKey(dev).blob);
    expect(lines[1]!.split(/\s{2,}/)).toEqual([
      'serial',
      a.serial,
      caPrint,
      list[0]!.revoked_at,
      'root',
      'laptop stolen',
    ]);
    expect(lines[5]!.split(/\s{2,}/)).toEqual([
      'public_key',
      fingerprint(parseSshPublicKey(readFileSync(key, 'utf8')).blob),
      '-',
      list[4]!.revoked_at,
      'root',
      'leaked',
    ]);
    const json = await runSshca(['revoke', '--mount', 'ssh-dev', '--list', '--json'], env);
    expect(JSON.parse(json.stdout)).toEqual(list);
  });

  it('parallel revocations by 8 processes are all kept', async () => {
    const serials = Array.from({ length: 8 }, (_, i) => String(1000 + i));
    const runs = await Promise.all(serials.map((s) => runSshca(['revoke', '--mount', 'ssh-prod', '--serial', s], env)));
    expect(runs.map((r) => r.code)).toEqual(serials.map(() => 0));
    expect((await records('ssh-prod')).map((r) => r.serial).sort()).toEqual(serials);
    expect((await server.request('GET', '/v1/sshca/metadata/revocations/ssh-prod')).json.data.current_version).toBe(8);
  });

  it('refuses what makes no sense, with one line and the documented exit code', async () => {
    const prodCert = await certificate('ssh-prod');
    const cases: readonly [string[], Record<string, string>, number, string][] = [
      [
        ['--mount', 'ssh-dev'],
        env,
        2,
        'say what to revoke: --serial N, --key-id ID, --certificate FILE or --public-key FILE (or --list)',
      ],
      [['--mount', 'ssh-dev', '--serial', '1', '--key-id', 'x'], env, 2, 'give only one of --serial, --key-id'],
      [
        ['--mount', 'ssh-dev', '--serial', '0'],
        env,
        2,
        '--serial must be between 1 and 2^64-1 (OpenSSH cannot revoke serial 0), got 0',
      ],
      [
        ['--mount', 'ssh-dev', '--serial', 'c73f26d2'],
        env,
        2,
        '--serial takes a decimal serial (as ssh-keygen -L shows it) or 0x<hex>, got "c73f26d2"; did you mean 0xc73f26d2 (Vault\'s serial_number is hex)?',
      ],
      [['--serial', '5'], env, 2, 'missing required option --mount'],
      [['--mount', 'ssh-dev', '--list', '--serial', '5'], env, 2, '--serial cannot be used with --list'],
      [
        ['--mount', 'ssh-dev', '--public-key', prodCert.file],
        env,
        2,
        `${prodCert.file} is a certificate: revoke it with --certificate ${prodCert.file}`,
      ],
      [
        ['--mount', 'ssh-dev', '--certificate', prodCert.file],
        env,
        1,
        `${prodCert.file} was signed by the CA ${fingerprint(parseSshPublicKey(prodCa).blob)}, not by the CA of ssh-dev (${fingerprint(parseSshPublicKey(devCa).blob)}): revoke it on the mount that issued it`,
      ],
      [
        ['--mount', 'ssh-dev', '--public-key', join(dir, 'dev-ca.pub')],
        env,
        1,
        `${join(dir, 'dev-ca.pub')} is the CA key of ssh-dev: revoking it would refuse every certificate of the mount; rotate the CA instead`,
      ],
      [
        ['--mount', 'ssh-nope', '--serial', '5'],
        env,
        1,
        'there is no SSH mount ssh-nope on this backend: check --mount ("vault secrets list" shows the mounts) (backend said: permission denied)',
      ],
      [
        ['--mount', 'ssh-dev', '--serial', '5', '--kv-mount', 'kv-missing'],
        env,
        1,
        'there is no KV version 2 mount kv-missing on this backend: enable it once with "vault secrets enable -path=kv-missing kv-v2", or name another with --kv-mount',
      ],
      [
        ['--mount', 'ssh-dev', '--serial', '5'],
        { VAULT_ADDR: server.url },
        1,
        'no Vault token: set VAULT_TOKEN (or BAO_TOKEN), e.g. after "sshca login" or "vault login"',
      ],
    ];
    writeFileSync(join(dir, 'dev-ca.pub'), `${devCa}\n`);
    for (const [args, e, code, message] of cases) {
      const r = await runSshca(['revoke', ...args], e);
      expect({ args, code: r.code, stderr: r.stderr }).toEqual({
        args,
        code,
        stderr: `sshca revoke: ${message}\n${code === 2 ? 'Run "sshca revoke --help" for usage.\n' : ''}`,
      });
    }
  });
});

describe('sshca render --format krl', () => {
  it("writes the KRL of the mount's records (0644) that ssh-keygen -Q reads", async () => {
    const revoked = await certificate('ssh-dev');
    const byKeyId = await certificate('ssh-dev');
    const fine = await certificate('ssh-dev');
    expect((await runSshca(['revoke', '--mount', 'ssh-dev', '--certificate', revoked.file], env)).code).toBe(0);
    expect((await runSshca(['revoke', '--mount', 'ssh-dev', '--key-id', byKeyId.keyId], env)).code).toBe(0);
    const out = join(dir, 'revoked_keys');
    const r = await runSshca(['render', '--format', 'krl', '--mount', 'ssh-dev', '--out', out], env);
    const secret = (await server.request('GET', '/v1/sshca/data/revocations/ssh-dev')).json.data;
    expect(r).toEqual({
      code: 0,
      stdout: `wrote ${out}: ${secret.data.revocations.length} revocation(s) of ssh-dev, KRL version ${secret.metadata.version}\n`,
      stderr: '',
    });
    expect(statSync(out).mode & 0o777).toBe(0o644);
    const expected = renderKrl(
      planKrl(secret.data.revocations, {
        caKeys: [devCa],
        krlVersion: BigInt(secret.metadata.version),
        generatedDate: BigInt(Date.parse(secret.metadata.created_time) / 1000),
        comment: '',
      }),
    );
    expect(readFileSync(out).toString('hex')).toBe(expected.toString('hex'));
    const q = (f: string) => spawnSync('ssh-keygen', ['-Q', '-f', out, f], { encoding: 'utf8' }).status;
    expect([q(revoked.file), q(byKeyId.file), q(fine.file)]).toEqual([1, 1, 0]);

    // Rendering the same state again gives the same bytes.
    const again = join(dir, 'again');
    await runSshca(['render', '--format', 'krl', '--mount', 'ssh-dev', '--out', again], env);
    expect(readFileSync(again).equals(readFileSync(out))).toBe(true);
  });

  it('a mount without revocations gets an empty KRL; --out is required', async () => {
    await mountSshCa(server, 'ssh-empty', ROLE);
    const out = join(dir, 'empty.krl');
    expect((await runSshca(['render', '--format', 'krl', '--mount', 'ssh-empty', '--out', out], env)).code).toBe(0);
    expect(readFileSync(out).toString('hex')).toBe(renderKrl({ krlVersion: 0n, generatedDate: 0n }).toString('hex'));
    expect(await runSshca(['render', '--format', 'krl', '--mount', 'ssh-empty'], env)).toEqual({
      code: 2,
      stdout: '',
      stderr:
        'sshca render: --format krl needs --out FILE (a KRL is binary), e.g. --out revoked_keys\nRun "sshca render --help" for usage.\n',
    });
    expect(
      (await runSshca(['render', '--format', 'krl', '--mount', 'ssh-empty', '--out', out, '--hosts', 'x'], env)).stderr,
    ).toBe('sshca render: --hosts cannot be used with --format krl\nRun "sshca render --help" for usage.\n');
  });
});
