// The KRL refresh (issue 20, point 1) run for real: the rendered sh script against a local HTTP server
// (node:http on 127.0.0.1) serving a KRL made by core/krl, a corrupt one, an empty one, a 404, or
// nothing at all; `cloud-init schema` on the user-data with the KRL part; and a real sshd host booted
// with that user-data (write_files, then runcmd as cloud-init runs it, with a systemctl stub that
// records its arguments), whose RevokedKeys file the script then updates: a certificate revoked after
// a refresh is refused, a non-revoked one logs in, and a corrupt KRL changes nothing.
// Paths are the renderers' inputs, so everything lives in a scratch directory.

import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { renderKrl } from '../../core/krl/krl.js';
import type { GeneratedKeyPair } from '../../core/keys/ca-key.js';
import { renderCloudConfig } from '../../core/render/cloud-config.js';
import { validateHostTrust } from '../../core/render/host-trust.js';
import { renderKrlRefreshScript, validateKrlRefresh, type KrlRefresh } from '../../core/render/krl-refresh.js';
import { generateKeyPair } from '../../server/ssh/generate-key-pair.js';
import { makeScratchDir, removeScratchDir } from '../helpers/scratch.js';
import { sshLogin } from '../helpers/ssh-client.js';
import { SSHD_PATH, startSshdHosts, stopAll, type SshdHost } from '../helpers/sshd.js';
import { ensureTestUser } from '../helpers/test-user.js';
import { issueUserCertificate, type UserCertificate } from '../helpers/user-cert.js';

let dir: string;
let server: Server;
let url: string;
/** What the server answers: a body with 200, or a status with no body. */
let answer: { body: Buffer } | { status: number } = { status: 404 };
const ca: GeneratedKeyPair = generateKeyPair('ed25519', 0);
const caBlob = Buffer.from(ca.publicKey.split(' ')[1]!, 'base64');

/** A KRL from core/krl revoking these serials of the CA. */
const krlOf = (version: bigint, serials: bigint[]): Buffer =>
  renderKrl({
    krlVersion: version,
    generatedDate: 1_700_000_000n,
    certificates: serials.length > 0 ? [{ caKey: caBlob, serials }] : [],
  });

const serialOf = (cert: UserCertificate): bigint =>
  BigInt(execFileSync('ssh-keygen', ['-L', '-f', cert.certificateFile], { encoding: 'utf8' }).match(/Serial: (\d+)/)![1]!);

/** Run `sh -c script` (or a file with sh) without blocking this process's HTTP server. */
function runSh(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn('sh', args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('exit', (code) => done({ code: code ?? -1, stdout, stderr }));
  });
}

/** The script installed at `root`/bin, its KRL at `root`/sshca/revoked_keys. */
function install(root: string, krlUrl: string, maxBytes?: number): KrlRefresh {
  const krl = validateKrlRefresh({
    environment: 'dev',
    url: krlUrl,
    allowHttp: true,
    ...(maxBytes !== undefined ? { maxBytes } : {}),
    paths: {
      krl: join(root, 'sshca/revoked_keys'),
      script: join(root, 'bin/sshca-krl-refresh'),
      caCert: join(root, 'sshca/krl-ca.pem'),
      service: join(root, 'systemd/sshca-krl-refresh.service'),
      timer: join(root, 'systemd/sshca-krl-refresh.timer'),
    },
  });
  mkdirSync(join(root, 'sshca'), { recursive: true });
  mkdirSync(join(root, 'bin'), { recursive: true });
  writeFileSync(krl.paths.script, renderKrlRefreshScript(krl), { mode: 0o755 });
  return krl;
}

beforeAll(async () => {
  dir = makeScratchDir('krl-refresh');
  server = createServer((_req, res) => {
    if ('body' in answer) {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': answer.body.length });
      res.end(answer.body);
    } else {
      res.writeHead(answer.status);
      res.end();
    }
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/dev/revoked_keys`;
});

afterAll(async () => {
  await new Promise((ok) => server?.close(ok));
  if (dir) removeScratchDir(dir);
});

describe('the refresh script', () => {
  let krl: KrlRefresh;
  let revoked: UserCertificate;
  let good: Buffer;
  const leftovers = () => readdirSync(dirname(krl.paths.krl)).sort();

  beforeAll(() => {
    krl = install(join(dir, 'script'), url);
    revoked = issueUserCertificate(dir, ca, ['dev-engineer']);
    good = krlOf(1n, [serialOf(revoked)]);
  });

  it('(a) installs a good KRL; ssh-keygen -Q finds the certificate REVOKED in the installed file', async () => {
    answer = { body: good };
    expect(await runSh([krl.paths.script])).toEqual({
      code: 0,
      stdout: `sshca-krl-refresh: installed ${krl.paths.krl} (${good.length} bytes) from ${url}\n`,
      stderr: '',
    });
    expect(readFileSync(krl.paths.krl).equals(good)).toBe(true);
    expect(leftovers()).toEqual(['revoked_keys']);
    const q = spawnSync('ssh-keygen', ['-Q', '-f', krl.paths.krl, revoked.certificateFile], { encoding: 'utf8' });
    expect(q.stdout).toBe(`${revoked.certificateFile} (${revoked.certificateFile}): REVOKED\n`);
    expect(q.status).toBe(1);
    expect(await runSh([krl.paths.script])).toEqual({
      code: 0,
      stdout: `sshca-krl-refresh: ${krl.paths.krl} is up to date (${good.length} bytes)\n`,
      stderr: '',
    });
  });

  it('(b) keeps the old KRL byte for byte when the server serves a corrupt or an empty file', async () => {
    const corrupt = Buffer.concat([Buffer.from('not a KRL, '), good.subarray(11)]);
    answer = { body: corrupt };
    expect(await runSh([krl.paths.script])).toEqual({
      code: 1,
      stdout: '',
      stderr: `sshca-krl-refresh: ${url} did not serve a KRL that ssh-keygen -Q reads (${corrupt.length} bytes); kept ${krl.paths.krl} as it was\n`,
    });
    expect(readFileSync(krl.paths.krl).equals(good)).toBe(true);
    answer = { body: Buffer.alloc(0) };
    expect(await runSh([krl.paths.script])).toEqual({
      code: 1,
      stdout: '',
      stderr: `sshca-krl-refresh: ${url} served an empty file, not a KRL; kept ${krl.paths.krl} as it was\n`,
    });
    expect(readFileSync(krl.paths.krl).equals(good)).toBe(true);
    expect(leftovers()).toEqual(['revoked_keys']);
  });

  it('keeps the old KRL on a 404 and on a file over the size limit', async () => {
    answer = { status: 404 };
    expect(await runSh([krl.paths.script])).toEqual({
      code: 1,
      stdout: '',
      stderr: `sshca-krl-refresh: fetching ${url} failed (curl exit 22); kept ${krl.paths.krl} as it was\n`,
    });
    const small = install(join(dir, 'script'), url, 1024);
    answer = { body: Buffer.concat([good, Buffer.alloc(2048)]) };
    expect(await runSh([small.paths.script])).toEqual({
      code: 1,
      stdout: '',
      stderr: `sshca-krl-refresh: fetching ${url} failed (curl exit 63); kept ${krl.paths.krl} as it was\n`,
    });
    expect(readFileSync(krl.paths.krl).equals(good)).toBe(true);
    expect(leftovers()).toEqual(['revoked_keys']);
  });

  it('(c) keeps the old KRL when the server is down', async () => {
    const down = createServer();
    await new Promise<void>((ok) => down.listen(0, '127.0.0.1', ok));
    const downUrl = `http://127.0.0.1:${(down.address() as AddressInfo).port}/dev/revoked_keys`;
    await new Promise((ok) => down.close(ok));
    const other = install(join(dir, 'script'), downUrl);
    expect(await runSh([other.paths.script])).toEqual({
      code: 1,
      stdout: '',
      stderr: `sshca-krl-refresh: fetching ${downUrl} failed (curl exit 7); kept ${krl.paths.krl} as it was\n`,
    });
    expect(readFileSync(krl.paths.krl).equals(good)).toBe(true);
    expect(leftovers()).toEqual(['revoked_keys']);
  });
});

describe('cloud-init schema', () => {
  it.each([
    ['without a CA bundle', undefined],
    ['with a CA bundle', 'krl-ca.pem'],
  ])('accepts the user-data with the KRL part, %s', (_label, bundle) => {
    const file = join(dir, `krl-user-data-${bundle ?? 'plain'}.yaml`);
    const caCert =
      bundle !== undefined ? readFileSync(join(import.meta.dirname, '../golden/krl-refresh', bundle), 'utf8') : undefined;
    const trust = validateHostTrust({ environment: 'dev', caKeys: [ca.publicKey], principals: { ubuntu: ['ubuntu'] } });
    const krl = validateKrlRefresh({
      environment: 'dev',
      url: 'https://krl.example.com/dev/revoked_keys',
      ...(caCert !== undefined ? { caCert } : {}),
    });
    writeFileSync(file, renderCloudConfig(trust, { krl }));
    const r = spawnSync('cloud-init', ['schema', '--config-file', file], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(`Valid cloud-config: ${file}\n`);
    expect(r.status).toBe(0);
  });
});

describe('on a real sshd host booted with the user-data', () => {
  let host: SshdHost;
  let account: string;
  let root: string;
  let stubBin: string;
  let alice: UserCertificate;
  let bob: UserCertificate;

  beforeAll(async () => {
    account = await ensureTestUser();
    root = join(dir, 'host');
    stubBin = join(root, 'stub-bin');
    mkdirSync(stubBin, { recursive: true });
    writeFileSync(join(stubBin, 'systemctl'), `#!/bin/sh\necho "$*" >> ${join(root, 'systemctl.log')}\n`);
    chmodSync(join(stubBin, 'systemctl'), 0o755);
    host = (await startSshdHosts([
      {
        name: 'krl',
        address: '127.0.0.4',
        trustedUserCaKeys: [],
        principals: {},
        extraConfig: [`Include ${join(root, 'sshd_config.d')}/*.conf`],
      },
    ]))[0]!;
    alice = issueUserCertificate(dir, ca, ['dev-engineer']);
    bob = issueUserCertificate(dir, ca, ['dev-engineer']);
  });

  afterAll(async () => {
    if (host) await stopAll([host]);
  });

  const login = (cert: UserCertificate) =>
    sshLogin({ host, user: account, identityFile: cert.identityFile, certificateFile: cert.certificateFile, command: 'echo in' });

  it('boots, then a certificate revoked after a refresh is refused and a corrupt KRL changes nothing', async () => {
    const trust = validateHostTrust({
      environment: 'dev',
      caKeys: [ca.publicKey],
      principals: { [account]: ['dev-engineer'] },
      paths: {
        dropIn: join(root, 'sshd_config.d/10-sshca.conf'),
        // sshd reads the principals files as the user: under the host's directory, as in user-data.test.ts.
        trustedCaKeys: join(host.dir, 'sshca/trusted_user_ca_keys'),
        principalsDir: join(host.dir, 'sshca/principals'),
      },
    });
    const krl = install(root, url);
    const userData = renderCloudConfig(trust, {
      sshd: `${SSHD_PATH} -f ${join(host.dir, 'sshd_config')}`,
      reloadCommand: `kill -HUP ${host.pid}`,
      krl,
    });
    // Boot: write_files, then runcmd (sh -c) while the server still has nothing to serve.
    answer = { status: 404 };
    const doc = parse(userData);
    for (const f of doc.write_files) {
      mkdirSync(dirname(f.path), { recursive: true, mode: 0o755 });
      writeFileSync(f.path, f.content, { mode: Number.parseInt(f.permissions, 8) });
    }
    const [sh, flag, script] = doc.runcmd[0];
    expect([sh, flag]).toEqual(['sh', '-c']);
    const mark = host.log().length;
    const boot = await runSh([flag, script], { ...process.env, PATH: `${stubBin}:${process.env.PATH}` });
    expect(boot).toEqual({
      code: 0,
      stdout: '',
      stderr:
        `sshca-krl-refresh: fetching ${url} failed (curl exit 22); kept ${krl.paths.krl} as it was\n` +
        `vault-ssh-ca: the first dev KRL fetch failed; ${krl.paths.krl} revokes nothing new until sshca-krl-refresh.timer succeeds\n`,
    });
    expect(readFileSync(join(root, 'systemctl.log'), 'utf8')).toBe('daemon-reload\nenable --now sshca-krl-refresh.timer\n');
    expect(execFileSync('ssh-keygen', ['-Q', '-l', '-f', krl.paths.krl], { encoding: 'utf8' })).toMatch(/^# KRL version 0\n/);
    await host.waitForLog(/Received SIGHUP; restarting\.$/, mark);
    await host.waitForLog(/Server listening on /, mark);
    expect(await login(alice)).toEqual({ code: 0, stdout: 'in\n', stderr: '' });
    expect(await login(bob)).toEqual({ code: 0, stdout: 'in\n', stderr: '' });

    // The timer's run: alice's serial is revoked in the published KRL.
    const revoking = krlOf(2n, [serialOf(alice)]);
    answer = { body: revoking };
    expect(await runSh([krl.paths.script])).toEqual({
      code: 0,
      stdout: `sshca-krl-refresh: installed ${krl.paths.krl} (${revoking.length} bytes) from ${url}\n`,
      stderr: '',
    });
    const refused = host.log().length;
    expect((await login(alice)).code).toBe(255);
    await host.waitForLog(/revoked by file /, refused);
    expect(await login(bob)).toEqual({ code: 0, stdout: 'in\n', stderr: '' });

    // A corrupt KRL from the server never replaces the good one: alice stays refused, bob stays in.
    answer = { body: Buffer.from('garbage') };
    expect((await runSh([krl.paths.script])).code).toBe(1);
    expect(readFileSync(krl.paths.krl).equals(revoking)).toBe(true);
    expect((await login(alice)).code).toBe(255);
    expect(await login(bob)).toEqual({ code: 0, stdout: 'in\n', stderr: '' });
    expect(existsSync(trust.paths.dropIn)).toBe(true);
  }, 60_000);
});
