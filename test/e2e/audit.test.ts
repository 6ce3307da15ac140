// `sshca audit` end to end (issue 21, point 1): the embedded server with a file audit device (HMAC'd,
// as Vault's default), the scenario's userpass users testuser (developer) and oncall (emergency),
// two real sshd hosts, real logins with certificates signed through the server by both users, one
// certificate signed and never used, and one signed by a throw-away CA the hosts trust but the
// server does not know. The built CLI attributes every login to its signer and role, lists the unused
// and the unknown certificate, as table rows and JSON, and filters by user, host, mount and time.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { auditResponses, logInWith } from '../helpers/certificate-logins.js';
import { makeScratchDir, removeScratchDir } from '../helpers/scratch.js';
import { runSshca } from '../helpers/sshca-bin.js';
import { startSshdHosts, stopAll, type SshdHost } from '../helpers/sshd.js';
import { ensureTestUser } from '../helpers/test-user.js';
import { rogueCertificate, requestOk, signThroughServer, type ServerCertificate } from '../helpers/user-cert.js';
import { mountSshCa, startTestServer, type TestServer } from '../helpers/vault-server.js';

let server: TestServer;
let dir: string;
let account: string;
let hosts: SshdHost[] = [];
let auditLog: string;
let env: Record<string, string>;

const certs: Record<string, ServerCertificate> = {};

const ok = (method: string, path: string, body?: unknown, token?: string) =>
  requestOk(server, method, path, body, token);
async function signAs(user: string, role: string, principal: string): Promise<ServerCertificate> {
  const login = await ok('POST', `/v1/auth/userpass/login/${user}`, { password: `pw-${user}` }, null as never);
  return signThroughServer(server, dir, login.json.auth.client_token, 'ssh-dev', role, principal);
}

beforeAll(async () => {
  dir = makeScratchDir('audit-e2e');
  account = await ensureTestUser();
  auditLog = join(dir, 'vault_audit.log');
  server = await startTestServer();
  await ok('POST', '/v1/sys/audit/file', { type: 'file', options: { file_path: auditLog } });
  const role = (user: string, ttl: string) => ({
    key_type: 'ca',
    allow_user_certificates: true,
    allowed_users: user,
    default_user: user,
    ttl,
    key_id_format: '{{role_name}}-{{token_display_name}}-{{public_key_hash}}',
  });
  const ca = await mountSshCa(server, 'ssh-dev', { developer: role('ubuntu', '1h'), emergency: role('root', '15m') });
  await ok('POST', '/v1/sys/policies/acl/ssh-access', {
    policy: 'path "ssh-dev/sign/developer" { capabilities = ["update"] }',
  });
  await ok('POST', '/v1/sys/policies/acl/emergency-ssh', {
    policy: 'path "ssh-dev/sign/emergency" { capabilities = ["update"] }',
  });
  await ok('POST', '/v1/sys/auth/userpass', { type: 'userpass' });
  await ok('POST', '/v1/auth/userpass/users/testuser', { password: 'pw-testuser', token_policies: 'ssh-access' });
  await ok('POST', '/v1/auth/userpass/users/oncall', { password: 'pw-oncall', token_policies: 'emergency-ssh' });

  certs.dev = await signAs('testuser', 'developer', 'ubuntu');
  certs.emergency = await signAs('oncall', 'emergency', 'root');
  certs.unused = await signAs('testuser', 'developer', 'ubuntu');
  // A throw-away CA the hosts trust and the server does not know.
  const rogue = rogueCertificate(dir);
  certs.rogue = rogue.certificate;

  // The signing times, in signing order, as the audit log has them.
  const signed = auditResponses(auditLog, /^ssh-dev\/sign\//);
  expect(signed).toHaveLength(3);
  expect(signed[0].response.data.serial_number).toMatch(/^hmac-sha256:[0-9a-f]{64}$/);
  [certs.dev, certs.emergency, certs.unused].forEach((c, i) => (c!.signedAt = signed[i].time));

  hosts = await startSshdHosts(
    ['dev1', 'dev2'].map((name, i) => ({
      name,
      address: `127.0.0.${i + 2}`,
      trustedUserCaKeys: [ca, rogue.caPublicKey],
      principals: { [account]: ['ubuntu', 'root'] },
    })),
  );
  const login = (host: SshdHost, c: ServerCertificate) => logInWith(host, account, c);
  await login(hosts[0]!, certs.dev!);
  await login(hosts[1]!, certs.emergency!);
  await login(hosts[1]!, certs.rogue!);
  writeFileSync(join(dir, 'dev1.log'), hosts[0]!.log());
  env = { VAULT_ADDR: server.url, VAULT_TOKEN: server.token };
}, 60_000);

afterAll(async () => {
  await stopAll(hosts);
  await server?.close();
  if (dir) removeScratchDir(dir);
});

/** `sshca audit` over both hosts (dev2's log on standard input), with more arguments. */
const audit = (...more: string[]) =>
  runSshca(
    ['audit', '--audit-log', auditLog, '--sshd-log', `dev1=${join(dir, 'dev1.log')}`, '--sshd-log', 'dev2=-', ...more],
    env,
    hosts[1]!.log(),
  );
/** The table's rows as cells, per section. */
function sections(stdout: string): Record<string, string[][]> {
  const out: Record<string, string[][]> = {};
  let current = '';
  for (const line of stdout.split('\n')) {
    if (line === '') continue;
    if (line.endsWith(':')) out[(current = line)] = [];
    else out[current]!.push(line.split(/ {2,}/));
  }
  return out;
}

it('sshd logs certificate logins as OpenSSH does', () => {
  expect(hosts[1]!.log()).toMatch(
    new RegExp(
      `Accepted publickey for ${account} from 127\\.0\\.0\\.1 port \\d+ ssh2: ED25519-CERT SHA256:\\S+ ID rogue \\(serial 42\\) CA ED25519 SHA256:\\S+`,
    ),
  );
});

it('attributes every login to its signer and role, lists the unused and the unknown certificate', async () => {
  const r = await audit();
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  const rogueCaFp = /ID rogue \(serial 42\) CA ED25519 (\S+)/.exec(hosts[1]!.log())![1]!;
  expect(sections(r.stdout)).toEqual({
    'Logins:': [
      ['TIME', 'HOST', 'ACCOUNT', 'FROM', 'SERIAL', 'SIGNED BY', 'METHOD', 'ROLE', 'SIGNED AT'],
      [
        '-',
        'dev1',
        account,
        '127.0.0.1',
        certs.dev!.serial,
        'testuser',
        'userpass',
        'ssh-dev/developer',
        certs.dev!.signedAt!,
      ],
      [
        '-',
        'dev2',
        account,
        '127.0.0.1',
        certs.emergency!.serial,
        'oncall',
        'userpass',
        'ssh-dev/emergency',
        certs.emergency!.signedAt!,
      ],
    ],
    'Signed, never used:': [
      ['SIGNED AT', 'SIGNED BY', 'METHOD', 'ROLE', 'SERIAL', 'REQUEST ID'],
      [
        certs.unused!.signedAt!,
        'testuser',
        'userpass',
        'ssh-dev/developer',
        '(hashed)',
        expect.stringMatching(/^[0-9a-f-]{36}$/),
      ],
    ],
    'Unknown certificates (not in the audit log):': [
      ['TIME', 'HOST', 'ACCOUNT', 'FROM', 'SERIAL', 'KEY ID', 'CA'],
      ['-', 'dev2', account, '127.0.0.1', '42', 'rogue', rogueCaFp],
    ],
  });
});

it("prints the same as JSON with the signer's auth details", async () => {
  const r = await audit('--json');
  expect(r.code).toBe(0);
  const report = JSON.parse(r.stdout);
  expect(report.logins.map((l: any) => [l.login.host, l.login.serial, l.certificate.user, l.certificate.role])).toEqual(
    [
      ['dev1', certs.dev!.serial, 'testuser', 'developer'],
      ['dev2', certs.emergency!.serial, 'oncall', 'emergency'],
    ],
  );
  expect(report.logins[0].certificate).toMatchObject({
    mount: 'ssh-dev',
    path: 'ssh-dev/sign/developer',
    displayName: 'userpass-testuser',
    authMethod: 'userpass',
    policies: expect.arrayContaining(['ssh-access']),
    tokenAccessor: expect.stringMatching(/^hmac-sha256:/),
    time: certs.dev!.signedAt,
  });
  expect(report.logins[1].certificate.policies).toEqual(expect.arrayContaining(['emergency-ssh']));
  expect(report.unused.map((s: any) => [s.user, s.role, s.time])).toEqual([
    ['testuser', 'developer', certs.unused!.signedAt],
  ]);
  expect(report.unknown.map((l: any) => [l.host, l.keyId, l.serial])).toEqual([['dev2', 'rogue', '42']]);
});

it('filters by user, host, mount and time', async () => {
  const pick = async (...args: string[]) => {
    const r = await audit('--json', ...args);
    expect(r.code).toBe(0);
    const x = JSON.parse(r.stdout);
    return [x.logins.map((l: any) => l.certificate.user), x.unused.length, x.unknown.map((l: any) => l.serial)];
  };
  expect(await pick('--user', 'oncall')).toEqual([['oncall'], 0, []]);
  expect(await pick('--host', 'dev1')).toEqual([['testuser'], 1, []]);
  expect(await pick('--mount', 'ssh-prod')).toEqual([[], 0, ['42']]);
  expect(await pick('--since', certs.unused!.signedAt!)).toEqual([[], 1, ['42']]);
});

it('exits 1 when the audit log cannot be read, 2 on a bad command line, 3 on an invalid token', async () => {
  const r = await runSshca(
    ['audit', '--audit-log', join(dir, 'missing.log'), '--sshd-log', join(dir, 'dev1.log')],
    env,
  );
  expect(r).toMatchObject({
    code: 1,
    stderr: `sshca audit: cannot read the audit log ${join(dir, 'missing.log')}: no such file\n`,
  });
  expect((await runSshca(['audit', '--audit-log', auditLog], env)).code).toBe(2);
  const bad = await runSshca(['audit', '--audit-log', auditLog, '--sshd-log', join(dir, 'dev1.log')], {
    ...env,
    VAULT_TOKEN: 'no-such-token',
  });
  expect(bad.code).toBe(3);
  expect(
    (await runSshca(['audit', '--audit-log', auditLog, '--sshd-log', 'x', '--since', 'yesterday'], env)).code,
  ).toBe(2);
});
