// `sshca audit` and `sshca report` end to end on the scenario (issue 21): the embedded server seeded by
// the demo's provider code (dev and prod, roles, policies, userpass users testuser and oncall, the
// file audit device) plus the scenario's CI login (JWT role dev-ci against a local JWKS endpoint);
// real certificate logins to a dev and a prod sshd host, one certificate never used and one login
// with a certificate of a CA the server does not know. `sshca audit` attributes every login to its
// user and role; `sshca report`, with a token holding only the policy `--print-policy` prints, writes
// the page, which Debian's headless Chromium opens: the expected rows, CA fingerprints and charts, no
// console error, no network request. The screenshot is kept in test-artifacts/report.png.

import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { apply } from '../../cli/scenario/provision.js';
import { seedResources } from '../../cli/scenario/seed.js';
import { ciLoginJwtRole, ciLoginRoleName } from '../../core/ci-login.js';
import { jwtRoleSpecToWire } from '../../core/jwt-role-spec.js';
import { SCENARIO_CI_LOGIN, SCENARIO_HOST_PRINCIPALS, SCENARIO_JWT_AUTH } from '../../core/scenario.js';
import { openFile, type OpenedPage } from '../helpers/chromium.js';
import { auditResponses, logInWith } from '../helpers/certificate-logins.js';
import { makeScratchDir, removeScratchDir } from '../helpers/scratch.js';
import { runSshca } from '../helpers/sshca-bin.js';
import { startSshdHosts, stopAll, type SshdHost } from '../helpers/sshd.js';
import { ensureTestUser } from '../helpers/test-user.js';
import { rogueCertificate, requestOk, signThroughServer, type ServerCertificate } from '../helpers/user-cert.js';
import { startTestServer, type TestServer } from '../helpers/vault-server.js';
import { gitlabClaims, makeKey, signJwt, startJwksServer, type JwksServer } from '../server/auth/jwt-helpers.js';

let server: TestServer;
let jwks: JwksServer;
let dir: string;
let account: string;
let hosts: SshdHost[] = [];
let auditLog: string;
let page: OpenedPage | undefined;
let reportToken: string;
let n = 0;

const certs: Record<string, ServerCertificate> = {};

const ok = (method: string, path: string, body?: unknown, token?: string) =>
  requestOk(server, method, path, body, token);
const fingerprintOf = (publicKey: string) => {
  const file = join(dir, `key_${++n}.pub`);
  writeFileSync(file, publicKey);
  return execFileSync('ssh-keygen', ['-l', '-f', file], { encoding: 'utf8' }).split(' ')[1]!;
};
const sign = (token: string, mount: string, role: string, principal: string) =>
  signThroughServer(server, dir, token, mount, role, principal);
const userToken = async (user: string) =>
  (await ok('POST', `/v1/auth/userpass/login/${user}`, { password: `pw-${user}` }, null as never)).json.auth
    .client_token as string;

beforeAll(async () => {
  dir = makeScratchDir('report-e2e');
  account = await ensureTestUser();
  auditLog = join(dir, 'vault_audit.log');
  server = await startTestServer();
  const conn = { address: server.url, token: server.token };
  for (const d of seedResources(conn, { testuser: 'pw-testuser', oncall: 'pw-oncall' }, auditLog)) await apply(d);

  // The scenario's CI login: GitLab job tokens, verified against a local JWKS endpoint.
  const key = makeKey('ci', 'ES256');
  jwks = await startJwksServer([key]);
  const { env, spec } = SCENARIO_CI_LOGIN;
  await ok('POST', `/v1/sys/auth/${SCENARIO_JWT_AUTH.path}`, { type: 'jwt' });
  await ok('POST', `/v1/auth/${SCENARIO_JWT_AUTH.path}/config`, {
    jwks_url: jwks.url,
    bound_issuer: SCENARIO_JWT_AUTH.boundIssuer,
  });
  await ok(
    'POST',
    `/v1/auth/${SCENARIO_JWT_AUTH.path}/role/${ciLoginRoleName(env, spec)}`,
    jwtRoleSpecToWire(ciLoginJwtRole(env, spec)),
  );
  const jobToken = await signJwt(key, gitlabClaims(Math.floor(Date.now() / 1000)));
  const ci = (
    await ok(
      'POST',
      `/v1/auth/${SCENARIO_JWT_AUTH.path}/login`,
      { role: ciLoginRoleName(env, spec), jwt: jobToken },
      null as never,
    )
  ).json.auth.client_token as string;

  const testuser = await userToken('testuser');
  const oncall = await userToken('oncall');
  certs.devDeveloper = await sign(testuser, 'ssh-dev', 'developer', 'ubuntu');
  certs.devEmergency = await sign(oncall, 'ssh-dev', 'emergency', 'root');
  certs.ci = await sign(ci, 'ssh-dev', 'automation', 'gitlab-runner');
  certs.prodDeveloper = await sign(testuser, 'ssh-prod', 'developer', 'ubuntu');
  certs.unused = await sign(testuser, 'ssh-dev', 'developer', 'ec2-user');
  const signed = auditResponses(auditLog, /^ssh-(dev|prod)\/sign\//);
  expect(signed).toHaveLength(5);
  // sshd -e lines carry no time, so a login counts at its certificate's signing.
  [certs.devDeveloper, certs.devEmergency, certs.ci, certs.prodDeveloper, certs.unused].forEach(
    (c, i) => (c!.signedAt = signed[i].time),
  );
  const rogue = rogueCertificate(dir);
  certs.rogue = rogue.certificate;

  const caOf = async (mount: string) => (await server.request('GET', `/v1/${mount}/public_key`)).body.trim();
  hosts = await startSshdHosts([
    {
      name: 'dev1',
      address: '127.0.0.2',
      trustedUserCaKeys: [await caOf('ssh-dev')],
      principals: { [account]: ['ubuntu', 'root', 'gitlab-runner'] },
    },
    {
      name: 'prod1',
      address: '127.0.0.3',
      trustedUserCaKeys: [await caOf('ssh-prod'), rogue.caPublicKey],
      principals: { [account]: ['ubuntu', 'root'] },
    },
  ]);
  const login = (host: SshdHost, c: ServerCertificate) => logInWith(host, account, c);
  await login(hosts[0]!, certs.devDeveloper);
  await login(hosts[0]!, certs.devEmergency);
  await login(hosts[0]!, certs.ci);
  await login(hosts[1]!, certs.prodDeveloper);
  await login(hosts[1]!, certs.rogue);
  writeFileSync(join(dir, 'dev1.log'), hosts[0]!.log());
  writeFileSync(join(dir, 'prod1.log'), hosts[1]!.log());

  // The report's token: only the policy sshca report prints.
  const policy = await runSshca(['report', '--print-policy', '--mount', 'ssh-dev', '--mount', 'ssh-prod'], {});
  expect(policy.code).toBe(0);
  await ok('POST', '/v1/sys/policies/acl/sshca-report', { policy: policy.stdout });
  reportToken = (await ok('POST', '/v1/auth/token/create', { policies: ['sshca-report'], no_default_policy: true }))
    .json.auth.client_token;
}, 90_000);

afterAll(async () => {
  await page?.close();
  await stopAll(hosts);
  await jwks?.close();
  await server?.close();
  if (dir) removeScratchDir(dir);
});

it('sshca audit attributes every scenario login to its user and role, and lists the unused and the unknown certificate', async () => {
  const r = await runSshca(
    [
      'audit',
      '--audit-log',
      auditLog,
      '--sshd-log',
      `dev1=${join(dir, 'dev1.log')}`,
      '--sshd-log',
      `prod1=${join(dir, 'prod1.log')}`,
      '--json',
    ],
    { VAULT_ADDR: server.url, VAULT_TOKEN: server.token },
  );
  expect(r).toMatchObject({ code: 0, stderr: '' });
  const report = JSON.parse(r.stdout);
  const logins = report.logins.map((l: any) => [
    l.login.host,
    l.login.serial,
    l.certificate.authMethod,
    l.certificate.user,
    `${l.certificate.mount}/${l.certificate.role}`,
  ]);
  expect(logins).toEqual([
    ['dev1', certs.devDeveloper!.serial, 'userpass', 'testuser', 'ssh-dev/developer'],
    ['dev1', certs.devEmergency!.serial, 'userpass', 'oncall', 'ssh-dev/emergency'],
    ['dev1', certs.ci!.serial, 'jwt', 'dev-ci', 'ssh-dev/automation'],
    ['prod1', certs.prodDeveloper!.serial, 'userpass', 'testuser', 'ssh-prod/developer'],
  ]);
  expect(report.unused.map((s: any) => [s.user, `${s.mount}/${s.role}`])).toEqual([['testuser', 'ssh-dev/developer']]);
  expect(report.unknown.map((l: any) => [l.host, l.serial, l.keyId])).toEqual([['prod1', '42', 'rogue']]);
});

it('the report token can read what the page shows and change nothing', async () => {
  expect((await server.request('POST', '/v1/ssh-dev/roles/developer', { key_type: 'ca' }, reportToken)).status).toBe(
    403,
  );
  expect((await server.request('POST', '/v1/ssh-dev/sign/developer', { public_key: 'x' }, reportToken)).status).toBe(
    403,
  );
  expect((await server.request('POST', '/v1/sys/policies/acl/x', { policy: '' }, reportToken)).status).toBe(403);
});

it('writes the page with a read-only token, and headless Chromium shows the expected rows and charts offline', async () => {
  const principals = join(dir, 'dev-principals.json');
  writeFileSync(principals, JSON.stringify(SCENARIO_HOST_PRINCIPALS.dev));
  const prodVars = join(dir, 'prod-vars.yml');
  writeFileSync(
    prodVars,
    stringify({ ssh_ca_trust_environment: 'prod', ssh_ca_trust_principals: SCENARIO_HOST_PRINCIPALS.prod }),
  );
  const out = join(dir, 'report');
  const r = await runSshca(
    [
      'report',
      '--out',
      out,
      '--audit-log',
      auditLog,
      '--sshd-log',
      `dev1=${join(dir, 'dev1.log')}`,
      '--sshd-log',
      `prod1=${join(dir, 'prod1.log')}`,
      '--audit-device',
      'file',
      '--host-principals',
      `ssh-dev=${principals}`,
      '--host-principals',
      `ssh-prod=${prodVars}`,
    ],
    { VAULT_ADDR: server.url, VAULT_TOKEN: reportToken },
  );
  // Identities: the two userpass users and the JWT role (the entities their logins made hold no policy).
  expect(r).toMatchObject({
    code: 0,
    stdout: `wrote ${out}/index.html: 2 environments, 3 identities, 6 identity-role grants, 4 certificate logins, 1 certificate never used, 1 unknown certificate\n`,
    stderr: '',
  });

  page = await openFile(join(out, 'index.html'), { width: 1250, height: 900 });
  const p = page.page;
  expect(await p.title()).toBe(`SSH access report: ${server.url}`);
  const rows = (selector: string) =>
    p.$$eval(selector, (trs) =>
      trs.map((tr) =>
        [...tr.querySelectorAll('th, td')].map((c) =>
          (c as unknown as { innerText: string }).innerText.replace(/\s+/g, ' ').trim(),
        ),
      ),
    );
  const attrs = (selector: string, ...names: string[]) =>
    p.$$eval(selector, (els, names) => els.map((el) => names.map((a) => el.getAttribute(a) ?? '')), names);

  // Who can reach what, per environment: identity → policies → role → principals → host accounts.
  const when = (iso: string) =>
    new Date(iso)
      .toISOString()
      .replace('T', ' ')
      .replace(/\.\d+Z$/, 'Z');
  expect(await rows('#env-ssh-dev table.access tbody tr')).toEqual([
    [
      'dev-ci',
      'JWT role jwt aud https://vault.example.com; project_path=infra/deploy; ref=main; ref_type=branch; user claim project_path',
      'dev-sign-automation',
      'automation sign',
      'jenkins gitlab-runner',
      'deploy',
      '30m max 1h',
      'none',
      when(certs.ci!.signedAt!),
      '1',
    ],
    [
      'testuser',
      'userpass user userpass',
      'ssh-access',
      'developer sign',
      'ubuntu ec2-user',
      'ubuntu ec2-user',
      '1h max 8h',
      'permit-pty default: permit-pty',
      when(certs.devDeveloper!.signedAt!),
      '1',
    ],
    [
      'oncall',
      'userpass user userpass',
      'emergency-ssh',
      'emergency sign',
      'root',
      'root',
      '15m max 1h',
      'permit-pty default: permit-pty',
      when(certs.devEmergency!.signedAt!),
      '1',
    ],
    [
      'testuser',
      'userpass user userpass',
      'dev-creds-otp',
      'otp creds',
      'ubuntu root',
      'ubuntu root',
      '1h max 1d',
      '-',
      'never',
      '0',
    ],
  ]);
  expect(await attrs('#env-ssh-prod table.access tbody tr', 'data-subject', 'data-role')).toEqual([
    ['userpass/testuser', 'developer'],
    ['userpass/oncall', 'emergency'],
  ]);
  // Prod's hosts take no automation certificate: the role reaches no account there.
  expect((await rows('#env-ssh-prod table.roles tbody tr[data-role="automation"]'))[0]![4]).toBe('none');

  // CA keys: the fingerprint sshd logs and ssh-keygen shows, and the rotation stage.
  for (const mount of ['ssh-dev', 'ssh-prod']) {
    const fp = fingerprintOf((await server.request('GET', `/v1/${mount}/public_key`)).body);
    expect((await rows(`#env-${mount} table.ca-keys tbody tr`)).map((c) => [c[0], c[3]])).toEqual([['signing', fp]]);
    expect(await p.$eval(`#env-${mount} p.rotation`, (el) => el.textContent)).toBe(
      'steady: one signing key, no rotation in progress',
    );
  }

  // Activity: recent logins, the certificate never used, the unknown certificate.
  expect((await rows('table.recent-logins tbody tr')).map((c) => [c[1], c[4], c[5], c[6], c[7]]).sort()).toEqual(
    [
      ['dev1', 'testuser', 'userpass', 'ssh-dev/developer', certs.devDeveloper!.serial],
      ['dev1', 'oncall', 'userpass', 'ssh-dev/emergency', certs.devEmergency!.serial],
      ['dev1', 'dev-ci', 'jwt', 'ssh-dev/automation', certs.ci!.serial],
      ['prod1', 'testuser', 'userpass', 'ssh-prod/developer', certs.prodDeveloper!.serial],
    ].sort(),
  );
  expect((await rows('table.unused tbody tr')).map((c) => [c[1], c[3]])).toEqual([['testuser', 'ssh-dev/developer']]);
  expect((await rows('table.unknown tbody tr')).map((c) => [c[1], c[4], c[5]])).toEqual([['prod1', '42', 'rogue']]);

  // Charts: every signing and every login is a bar segment of its series.
  const totals = async (chart: string) => {
    const bars = await attrs(`${chart} rect.bar`, 'data-series', 'data-value');
    const sum: Record<string, number> = {};
    for (const [series, value] of bars) sum[series!] = (sum[series!] ?? 0) + Number(value);
    return sum;
  };
  expect(await totals('#chart-signs')).toEqual({
    'ssh-dev/automation': 1,
    'ssh-dev/developer': 2,
    'ssh-dev/emergency': 1,
    'ssh-prod/developer': 1,
  });
  // The unknown certificate's login is not charted: its sshd -e line has no time, and no signing
  // in the audit log gives one.
  expect(await totals('#chart-logins')).toEqual({ dev1: 3, prod1: 1 });
  expect(await p.$$eval('#chart-signs g.legend text', (ts) => ts.map((t) => t.textContent))).toEqual([
    'ssh-dev/automation',
    'ssh-dev/developer',
    'ssh-dev/emergency',
    'ssh-prod/developer',
  ]);

  expect(page.consoleErrors).toEqual([]);
  expect(page.requests).toEqual([]);
  await page.screenshot('report.png');
}, 60_000);
