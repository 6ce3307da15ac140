// `sshca report` (the built binary) against the embedded server over real HTTP (issue 21, point 2):
// --print-policy, every usage error with its exact message and exit code 2, an invalid token, a page
// written by the root token (0600 in a 0700 directory, replaced atomically) and by a token holding
// only the printed read-only policy (same grants; it cannot write or sign), a narrow token whose
// refused paths are noted on stderr and in the page, the audit and sshd logs joined, and Vault's
// one-CA-per-mount answer (no issuers API) through a proxy.

import { execFileSync } from 'node:child_process';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reportPolicy } from '../../core/acl/report-policy.js';
import { makeScratchDir, removeScratchDir } from '../helpers/scratch.js';
import { runSshca } from '../helpers/sshca-bin.js';
import { mountSshCa, startTestServer, type TestServer } from '../helpers/vault-server.js';

let server: TestServer;
let dir: string;
let env: Record<string, string>;
let auditLog: string;
let devCa: string;
let outs = 0;

interface Cert {
  file: string;
  serial: string;
  keyId: string;
  keyFingerprint: string;
}
const certs: Cert[] = [];

async function ok(method: string, path: string, body?: unknown, token?: string | null) {
  const r = await server.request(method, path, body, token);
  if (r.status >= 300) throw new Error(`${method} ${path} answered ${r.status}: ${r.body}`);
  return r;
}

/** `ssh-keygen -lf FILE`'s fingerprint (`SHA256:…`). */
const fingerprintOf = (file: string) => execFileSync('ssh-keygen', ['-lf', file], { encoding: 'utf8' }).split(' ')[1]!;

/** A new output directory (not yet existing) for one run. */
const newOut = () => join(dir, 'pages', `r${++outs}`);

/** `sshca report` with the root token unless `e` says otherwise. */
const report = (args: readonly string[], e: Record<string, string> = env, stdin?: string) =>
  runSshca(['report', ...args], e, stdin);

/** A token holding only `policies` (no default policy). */
async function tokenWith(...policies: string[]): Promise<string> {
  return (await ok('POST', '/v1/auth/token/create', { policies, no_default_policy: true })).json.auth.client_token;
}

/** The page's section of environment `mount`. */
function environment(html: string, mount: string): string {
  const start = html.indexOf(`<section class="environment" id="env-${mount}" data-mount="${mount}">`);
  expect(start).toBeGreaterThanOrEqual(0);
  return html.slice(start, html.indexOf('</section>', start));
}

/** The access rows of an environment as `subject role` pairs. */
const grantRows = (section: string) =>
  [...section.matchAll(/<tr data-subject="([^"]+)" data-role="([^"]+)">/g)].map((m) => `${m[1]} ${m[2]}`);

/** The items of the page's #notes section. */
function pageNotes(html: string): string[] {
  const m = /<section id="notes"><h2>Notes<\/h2><ul class="notes">(.*?)<\/ul><\/section>/.exec(html);
  return m ? [...m[1]!.matchAll(/<li>(.*?)<\/li>/g)].map((x) => x[1]!) : [];
}

const usage = (message: string) => `sshca report: ${message}\nRun "sshca report --help" for usage.\n`;

beforeAll(async () => {
  dir = makeScratchDir('report');
  auditLog = join(dir, 'vault_audit.log');
  server = await startTestServer();
  await ok('POST', '/v1/sys/audit/file', { type: 'file', options: { file_path: auditLog } });
  const role = (user: string) => ({
    key_type: 'ca',
    allow_user_certificates: true,
    allowed_users: user,
    default_user: user,
    ttl: '1h',
    key_id_format: '{{role_name}}-{{token_display_name}}-{{public_key_hash}}',
  });
  devCa = await mountSshCa(server, 'ssh-dev', {
    developer: role('ubuntu'),
    'otp-dev': { key_type: 'otp', default_user: 'ubuntu', cidr_list: '127.0.0.0/8' },
  });
  writeFileSync(join(dir, 'dev-ca.pub'), `${devCa}\n`);
  await mountSshCa(server, 'ssh-prod', { developer: role('ubuntu'), admin: role('root') });
  // The embedded server's kv is version 2 only; sys/mounts still calls it a kv mount.
  await ok('POST', '/v1/sys/mounts/kv', { type: 'kv', options: { version: '2' } });
  const policy = (name: string, ...paths: string[]) =>
    ok('POST', `/v1/sys/policies/acl/${name}`, {
      policy: paths.map((p) => `path "${p}" { capabilities = ["update"] }`).join('\n'),
    });
  await policy('ssh-access', 'ssh-dev/sign/developer');
  await policy('prod-access', 'ssh-prod/sign/developer');
  await policy('admin-ssh', 'ssh-prod/sign/admin', 'ssh-prod/issue/admin');
  await policy('otp-access', 'ssh-dev/creds/otp-dev');
  await ok('POST', '/v1/sys/auth/userpass', { type: 'userpass' });
  await ok('POST', '/v1/auth/userpass/users/testuser', {
    password: 'pw-testuser',
    token_policies: 'ssh-access,prod-access',
  });
  await ok('POST', '/v1/auth/userpass/users/oncall', { password: 'pw-oncall', token_policies: 'admin-ssh,otp-access' });
  await ok('POST', '/v1/auth/userpass/users/auditor', { password: 'pw-auditor' });

  // Two certificates signed by testuser (whose login makes an identity entity, as on Vault).
  const login = await ok('POST', '/v1/auth/userpass/login/testuser', { password: 'pw-testuser' }, null);
  for (let i = 0; i < 2; i++) {
    const key = join(dir, `id_${i}`);
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', '', '-f', key]);
    const r = await ok(
      'POST',
      '/v1/ssh-dev/sign/developer',
      { public_key: readFileSync(`${key}.pub`, 'utf8'), valid_principals: 'ubuntu' },
      login.json.auth.client_token,
    );
    const file = `${key}-cert.pub`;
    writeFileSync(file, r.json.data.signed_key);
    const text = execFileSync('ssh-keygen', ['-L', '-f', file], { encoding: 'utf8' });
    certs.push({
      file,
      serial: /Serial: (\d+)/.exec(text)![1]!,
      keyId: /Key ID: "(.*)"/.exec(text)![1]!,
      keyFingerprint: fingerprintOf(`${key}.pub`),
    });
  }
  env = { VAULT_ADDR: server.url, VAULT_TOKEN: server.token };
});

afterAll(async () => {
  await server?.close();
  if (dir) removeScratchDir(dir);
});

// 3 userpass users (testuser's entity has no policies of its own, so it is not one); grants: testuser
// on ssh-dev/developer and ssh-prod/developer (sign), oncall on ssh-prod/admin (sign and issue) and
// ssh-dev/otp-dev (creds); rows by role name.
const SUMMARY = '2 environments, 3 identities, 5 identity-role grants';
const DEV_GRANTS = ['userpass/testuser developer', 'userpass/oncall otp-dev'];
const PROD_GRANTS = ['userpass/oncall admin', 'userpass/oncall admin', 'userpass/testuser developer'];

describe('sshca report --print-policy', () => {
  it('prints the read-only policy for the named SSH mounts, without a backend', async () => {
    expect(await report(['--print-policy'], {})).toEqual({
      code: 2,
      stdout: '',
      stderr: usage('--print-policy needs the SSH mounts the report reads: --mount MOUNT, once per mount'),
    });
    expect(await report(['--print-policy', '--mount', 'ssh-dev'], {})).toEqual({
      code: 0,
      stdout: reportPolicy(['ssh-dev']),
      stderr: '',
    });
  });
});

describe('sshca report refusals', () => {
  it('exits 2 on a bad command line, with one line and the pointer to --help', async () => {
    const list = join(dir, 'list.yml');
    const nonList = join(dir, 'non-list.yml');
    const good = join(dir, 'principals.yml');
    writeFileSync(list, '- deploy\n- ubuntu\n');
    writeFileSync(nonList, 'deploy: gitlab-runner\n');
    writeFileSync(good, 'ssh_ca_trust_principals:\n  deploy: [gitlab-runner]\n');
    const out = newOut();
    const mapping = (file: string) =>
      `--host-principals ${file}: expected a mapping of account to a list of principals (ssh_ca_trust_principals), e.g. {"deploy": ["gitlab-runner"]}`;
    const cases: readonly [string[], string][] = [
      [[], 'missing required option --out'],
      [['--out', out, '--sshd-log', 'web1=-'], '--sshd-log needs --audit-log (the signings to join the logins with)'],
      [['--out', out, '--since', '24h'], '--since filters the logs: it needs --audit-log'],
      [['--out', out, '--host-principals', 'ssh-dev'], '--host-principals needs MOUNT=FILE, got "ssh-dev"'],
      [['--out', out, '--host-principals', `ssh-dev=${list}`], mapping(list)],
      [['--out', out, '--host-principals', `ssh-dev=${nonList}`], mapping(nonList)],
      [
        ['--out', out, '--host-principals', `ssh-prod=${good}`, '--mount', 'ssh-dev'],
        '--host-principals ssh-prod: not one of the --mount mounts (ssh-dev)',
      ],
      [['--out', out, '--mount', 'kv'], '--mount kv: kv is a kv mount, not an SSH mount'],
      [['--out', out, '--mount', 'nope'], '--mount nope: the backend has no mount nope'],
    ];
    for (const [args, message] of cases) {
      expect({ args, ...(await report(args)) }).toEqual({ args, code: 2, stdout: '', stderr: usage(message) });
    }
    expect(() => statSync(out)).toThrow(/ENOENT/);
  });

  it('exits 3 on a token the backend does not know, writing nothing (not taken for a narrow token)', async () => {
    const out = newOut();
    for (const args of [
      ['--out', out],
      ['--out', out, '--mount', 'ssh-dev'],
    ]) {
      expect(await report(args, { VAULT_ADDR: server.url, VAULT_TOKEN: 'bogus' })).toEqual({
        code: 3,
        stdout: '',
        stderr:
          'sshca report: the token is invalid or expired (revoked, past its TTL or its uses, or never issued): get a new one ' +
          '(sshca login --method userpass, vault login, or VAULT_TOKEN / --token) (backend said: permission denied, invalid token)\n',
      });
    }
    expect(() => statSync(out)).toThrow(/ENOENT/);
  });
});

describe('sshca report with the root token', () => {
  it('writes index.html (0600) in a new 0700 directory, and a second run replaces it', async () => {
    const out = newOut();
    const file = join(out, 'index.html');
    const r = await report(['--out', out]);
    expect(r).toEqual({ code: 0, stdout: `wrote ${file}: ${SUMMARY}\n`, stderr: '' });
    expect(statSync(out).mode & 0o777).toBe(0o700);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const html = readFileSync(file, 'utf8');
    expect(grantRows(environment(html, 'ssh-dev'))).toEqual(DEV_GRANTS);
    expect(grantRows(environment(html, 'ssh-prod'))).toEqual(PROD_GRANTS);
    expect(html).toContain('<tr data-subject="userpass/auditor"><th scope="row">auditor</th>');
    expect(pageNotes(html)).toEqual([]);

    const before = statSync(file).ino;
    expect(await report(['--out', out])).toEqual(r);
    expect(readdirSync(out)).toEqual(['index.html']);
    expect(statSync(file).ino).not.toBe(before);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });
});

describe('sshca report with the printed read-only policy', () => {
  it('shows the same grants as the root token, and the token can neither write nor sign', async () => {
    const printed = await report(['--print-policy', '--mount', 'ssh-dev', '--mount', 'ssh-prod'], {});
    expect(printed.code).toBe(0);
    await ok('POST', '/v1/sys/policies/acl/sshca-report', { policy: printed.stdout });
    const token = await tokenWith('sshca-report');

    const rootOut = newOut();
    expect((await report(['--out', rootOut])).code).toBe(0);
    const out = newOut();
    const r = await report(['--out', out], { ...env, VAULT_TOKEN: token });
    expect(r).toEqual({ code: 0, stdout: `wrote ${join(out, 'index.html')}: ${SUMMARY}\n`, stderr: '' });
    const html = readFileSync(join(out, 'index.html'), 'utf8');
    const rootHtml = readFileSync(join(rootOut, 'index.html'), 'utf8');
    for (const mount of ['ssh-dev', 'ssh-prod']) {
      expect(environment(html, mount)).toEqual(environment(rootHtml, mount));
    }
    expect(grantRows(environment(html, 'ssh-dev'))).toEqual(DEV_GRANTS);
    expect(pageNotes(html)).toEqual([]);

    const write = await server.request('POST', '/v1/ssh-dev/roles/x', { key_type: 'ca' }, token);
    expect(write.status).toBe(403);
    const sign = await server.request(
      'POST',
      '/v1/ssh-dev/sign/developer',
      { public_key: readFileSync(join(dir, 'id_0.pub'), 'utf8') },
      token,
    );
    expect(sign.status).toBe(403);
  });
});

describe('sshca report with a narrow token', () => {
  it('notes each refused path on stderr and in the page', async () => {
    await ok('POST', '/v1/sys/policies/acl/narrow', {
      policy:
        'path "sys/mounts" { capabilities = ["read"] }\npath "ssh-dev/roles/*" { capabilities = ["read", "list"] }',
    });
    const out = newOut();
    const r = await report(['--out', out], { ...env, VAULT_TOKEN: await tokenWith('narrow') });
    const refused = [
      'sys/mounts/ssh-dev/tune',
      'ssh-dev/config/issuers',
      'sys/mounts/ssh-prod/tune',
      'ssh-prod/roles',
      'ssh-prod/config/issuers',
      'sys/policies/acl',
      'sys/auth',
      'identity/entity/id',
    ];
    expect(r).toEqual({
      code: 0,
      stdout: `wrote ${join(out, 'index.html')}: 2 environments, 0 identities, 0 identity-role grants\n`,
      stderr: refused.map((p) => `sshca report: note: not readable with this token: ${p}\n`).join(''),
    });
    const html = readFileSync(join(out, 'index.html'), 'utf8');
    expect(pageNotes(html)).toEqual(refused.map((p) => `not readable with this token: ${p}`));
    // What it could read is shown: ssh-dev's roles, and the CA key from the public key endpoint.
    expect(environment(html, 'ssh-dev')).toContain('<tr data-role="developer">');
    expect(environment(html, 'ssh-dev')).toContain(`<code class="fp">${fingerprintOf(join(dir, 'dev-ca.pub'))}</code>`);
  });
});

describe('sshca report with the audit and sshd logs', () => {
  it('joins a login to its certificate and counts the one never used', async () => {
    const [used, unused] = certs as [Cert, Cert];
    const caType = /\((\w+)\)$/.exec(
      execFileSync('ssh-keygen', ['-lf', join(dir, 'dev-ca.pub')], { encoding: 'utf8' }).trim(),
    )![1]!;
    // OpenSSH's line for an accepted certificate (core/audit/sshd-log.ts), as `sshd -e` writes it: no
    // time, so the login is charted at its certificate's signing time whatever today's date.
    const line =
      `Accepted publickey for ubuntu from 127.0.0.1 port 40522 ssh2: ` +
      `ED25519-CERT ${used.keyFingerprint} ID ${used.keyId} (serial ${used.serial}) ` +
      `CA ${caType} ${fingerprintOf(join(dir, 'dev-ca.pub'))}\n`;
    const out = newOut();
    const r = await report(['--out', out, '--audit-log', auditLog, '--sshd-log', 'web1=-'], env, line);
    expect(r).toEqual({
      code: 0,
      stdout: `wrote ${join(out, 'index.html')}: ${SUMMARY}, 1 certificate login, 1 certificate never used, 0 unknown certificates\n`,
      stderr: '',
    });
    const html = readFileSync(join(out, 'index.html'), 'utf8');
    expect(html).toContain(`<tr data-host="web1" data-account="ubuntu">`);
    expect(html).toContain(`<td>${used.serial}</td></tr>`);
    expect(html).not.toContain(`<td>${unused.serial}</td>`);
    expect(html).toContain('<div id="card-signed"><dt>Certificates signed</dt><dd>2</dd></div>');
  });
});

describe('sshca report on Vault (one CA per mount)', () => {
  let proxy: Server | undefined;
  afterAll(async () => {
    if (proxy) await new Promise((done) => proxy!.close(done));
  });

  it("shows the public_key endpoint's CA as the signing key, with no issuer id", async () => {
    // Stands in for Vault (no Vault binary here): Vault's SSH engine has no issuers API, and for
    // GET /v1/<mount>/config/issuers, a path it lacks, it answers 404 with {"errors":[]}. Everything
    // else goes to the embedded server unchanged.
    const target = new URL(server.url);
    proxy = createServer((req, res) => {
      if (req.method === 'GET' && /^\/v1\/[^/]+(\/[^/]+)*\/config\/issuers(\?.*)?$/.test(req.url ?? '')) {
        res.writeHead(404, { 'content-type': 'application/json' }).end('{"errors":[]}');
        return;
      }
      const upstream = request(
        { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      req.pipe(upstream);
    });
    await new Promise<void>((done) => proxy!.listen(0, '127.0.0.1', done));
    const url = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;

    const out = newOut();
    const r = await report(['--out', out], { ...env, VAULT_ADDR: url });
    expect(r).toEqual({ code: 0, stdout: `wrote ${join(out, 'index.html')}: ${SUMMARY}\n`, stderr: '' });
    const publicKey = join(dir, 'public_key');
    writeFileSync(publicKey, (await ok('GET', '/v1/ssh-dev/public_key', undefined, null)).body);
    const section = environment(readFileSync(join(out, 'index.html'), 'utf8'), 'ssh-dev');
    expect([...section.matchAll(/<tr data-use="[^"]*">.*?<\/tr>/g)].map((m) => m[0])).toEqual([
      `<tr data-use="signing"><th scope="row">signing</th><td>-</td><td>ssh-rsa</td><td><code class="fp">${fingerprintOf(publicKey)}</code></td><td>-</td></tr>`,
    ]);
  });
});
