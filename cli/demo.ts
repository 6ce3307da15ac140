// `sshca demo` (what `npm start` runs): the seed scenario on this machine with the embedded server —
// provision dev and prod through the Pulumi providers' code, render host trust, synthesize the CDKTF
// example, and show who gets into which host with real logins. Durable in --out, so re-running
// changes nothing that is already right.

import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { accessSync, constants, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { userInfo } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loginUserpass } from '../client/access-api.js';
import { createCredential, readCaPublicKey } from '../client/ssh-api.js';
import { VaultClient } from '../client/vault-client.js';
import { renderAnsibleVars } from '../core/render/ansible-vars.js';
import { renderCloudConfig } from '../core/render/cloud-config.js';
import { validateHostTrust } from '../core/render/host-trust.js';
import { validateOtpHelper, type OtpHelper } from '../core/render/otp-helper.js';
import { renderPrincipalsFiles, renderSshdDropIn, renderTrustedCaKeys } from '../core/render/sshd-files.js';
import { openDataDir, readRootToken } from '../server/data-dir.js';
import { usageErrors } from './args.js';
import { obtainCertificate } from './certificate-session.js';
import type { Command } from './command.js';
import type { LocalHost } from './scenario/local-hosts.js';
import type { Environment } from './scenario/seed.js';
import { writeFileAtomic } from './files.js';
import { packageRoot, packageVersion } from './package-root.js';

const HELP = `Usage: sshca demo [--out DIR] [--no-hosts] [--no-cdktf]

Run the just-in-time SSH scenario on this machine, with the embedded Vault-compatible server and
nothing else (this is what "npm start" runs):

  1. start the embedded server, durable in DIR/server (a re-run reuses it: nothing is re-created)
  2. provision dev and prod through the Pulumi providers' code: a mount and CA per environment,
     roles developer, automation and emergency, signing policies, userpass users, an audit log
  3. render host trust into DIR/dev and DIR/prod: cloud-init user-data, sshd drop-in, trusted CA
     keys, principals files, Ansible variables; dev hosts also let CI's automation certificates
     (principal gitlab-runner) in as the account deploy, prod hosts do not
  4. synthesize the CDKTF example (examples/cdktf-dev-prod) into DIR/cdktf
  5. start local dev and prod sshd hosts from the rendered files, and a dev host that also takes
     one-time passwords (PAM runs the shipped vault-ssh-helper), and try real logins with each
     person's and CI's certificates and an OTP, used twice: the access matrix (needs root,
     openssh-server and python3)
  6. write the access report DIR/report/index.html (sshca report): who can reach what, from the
     backend, its audit log and the local hosts' sshd logs (DIR/*/local-host/sshd.log)

Options:
  --out DIR      where everything goes (default out)
  --no-hosts     skip step 5
  --no-cdktf     skip step 4
  -h, --help     show this help

Afterwards "sshca serve --data-dir DIR/server" serves the same backend ("npx sshca serve …" in a
clone, as the demo's last line says); its root token is in DIR/server/root-token and the demo
users' passwords in DIR/credentials.json (both 0600).

Examples:
  sshca demo                     # or: npm start
  sshca demo --out /tmp/sshca-demo --no-cdktf
`;

const say = (s = '') => process.stdout.write(`${s}\n`);

/**
 * How the user runs sshca from their own shell: `sshca` where it is installed on PATH (npm install -g),
 * else `npx sshca` (a clone, where `npm start` runs the demo, or a project that depends on the package).
 * The node_modules/.bin folders that npm and npx put on PATH for the commands they run do not count:
 * the user's shell does not have them.
 */
export function sshcaInvocation(path = process.env.PATH ?? ''): 'sshca' | 'npx sshca' {
  const installed = path
    .split(delimiter)
    .filter((dir) => dir !== '' && !/(^|[\\/])node_modules[\\/]\.bin[\\/]?$/.test(dir))
    .some((dir) => {
      const file = join(dir, 'sshca');
      try {
        accessSync(file, constants.X_OK);
        return statSync(file).isFile();
      } catch {
        return false;
      }
    });
  return installed ? 'sshca' : 'npx sshca';
}

/** Demo users' passwords: generated once, kept 0600. */
function credentials(out: string): Record<'testuser' | 'oncall', string> {
  const file = join(out, 'credentials.json');
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8'));
  const made = { testuser: randomBytes(18).toString('base64url'), oncall: randomBytes(18).toString('base64url') };
  writeFileAtomic(file, `${JSON.stringify(made, null, 2)}\n`, { mode: 0o600, overwrite: true });
  return made;
}

function cdktfCliAvailable(): boolean {
  try {
    createRequire(import.meta.url).resolve('cdktf-cli/package.json');
    return true;
  } catch {
    return false;
  }
}

export const demoCommand: Command = {
  name: 'demo',
  summary: 'run the dev+prod scenario on the embedded server, with real logins (npm start)',
  help: HELP,
  async run(argv) {
    const { values } = usageErrors(() =>
      parseArgs({
        args: [...argv],
        strict: true,
        options: {
          out: { type: 'string', default: 'out' },
          'no-hosts': { type: 'boolean' },
          'no-cdktf': { type: 'boolean' },
        },
      }),
    );
    // The scenario drives the Pulumi providers' code, loaded only when the demo runs.
    const { apply } = await import('./scenario/provision.js');
    const seed = await import('./scenario/seed.js');
    const { ENVIRONMENTS, HOST_PRINCIPALS, mountOf, seedResources } = seed;
    const hostsModule = await import('./scenario/local-hosts.js');
    const out = resolve(values.out);
    mkdirSync(out, { recursive: true, mode: 0o700 });
    const secret = (path: string, content: string) => writeFileAtomic(path, content, { mode: 0o600, overwrite: true });
    const publicFile = (path: string, content: string) =>
      writeFileAtomic(path, content, { mode: 0o644, overwrite: true });

    const dataDir = join(out, 'server');
    const { server, createdRootToken } = await openDataDir(
      dataDir,
      { version: packageVersion(), log: () => {} },
      secret,
    );
    const { server: listener, url } = await server.listen('127.0.0.1', 0);
    try {
      const token = readRootToken(dataDir);
      const root = new VaultClient({ address: url, token });
      say(`1. Embedded server at ${url}, ${createdRootToken ? 'new' : 'reused'} state in ${dataDir}`);

      const counts: Record<string, number> = {};
      const resources = seedResources({ address: url, token }, credentials(out), join(out, 'audit.log'));
      for (const r of resources) {
        const { outcome } = await apply(r);
        counts[outcome] = (counts[outcome] ?? 0) + 1;
      }
      say(
        `2. Provisioned dev and prod through the Pulumi providers: ${Object.entries(counts)
          .map(([k, v]) => `${v} ${k}`)
          .join(', ')}`,
      );

      const caKeys: Record<string, string> = {};
      for (const env of ENVIRONMENTS) {
        caKeys[env] = (await readCaPublicKey(root, mountOf(env)))!.trim();
        const trust = validateHostTrust({ environment: env, caKeys: [caKeys[env]], principals: HOST_PRINCIPALS[env] });
        const dir = join(out, env);
        mkdirSync(join(dir, 'principals'), { recursive: true, mode: 0o755 });
        publicFile(join(dir, 'user-data.yaml'), renderCloudConfig(trust));
        publicFile(join(dir, 'ansible-vars.yml'), renderAnsibleVars(trust));
        publicFile(join(dir, '10-sshca.conf'), renderSshdDropIn(trust));
        publicFile(join(dir, 'trusted_user_ca_keys'), renderTrustedCaKeys(trust));
        for (const f of renderPrincipalsFiles(trust)) publicFile(join(dir, 'principals', f.account), f.content);
      }
      say(
        `3. Host trust rendered: ${ENVIRONMENTS.map((e) => join(values.out, e)).join(', ')} (user-data.yaml, ansible-vars.yml, 10-sshca.conf, …)`,
      );

      const example = join(packageRoot(), 'examples', 'cdktf-dev-prod');
      if (values['no-cdktf']) say('4. CDKTF synthesis: skipped (--no-cdktf)');
      else if (!existsSync(example) || !cdktfCliAvailable())
        say('4. CDKTF synthesis: skipped (the cdktf example and cdktf-cli come with the repository)');
      else {
        say('4. Synthesizing examples/cdktf-dev-prod with cdktf (a few seconds) …');
        const r = spawnSync('npx', ['cdktf', 'synth', '--output', join(out, 'cdktf')], {
          cwd: example,
          env: { ...process.env, CHECKPOINT_DISABLE: '1', CI: '1' },
          encoding: 'utf8',
        });
        if (r.status !== 0) throw new Error(`cdktf synth failed: ${(r.stderr || r.stdout).trim()}`);
        say(`   Terraform JSON for dev and prod in ${join(values.out, 'cdktf', 'stacks')}`);
      }

      const why = values['no-hosts'] ? '--no-hosts' : hostsModule.localHostsUnavailable();
      let sshdLogs: string[] = [];
      if (why) {
        say(`5. Local hosts and access matrix: skipped (${why})`);
      } else {
        sshdLogs = await accessMatrix(out, url, root, credentials(out), caKeys, { ...seed, ...hostsModule });
      }

      const { writeReport } = await import('./report.js');
      const report = await writeReport(
        root,
        {
          out: join(out, 'report'),
          hostPrincipals: Object.fromEntries(ENVIRONMENTS.map((env) => [mountOf(env), HOST_PRINCIPALS[env]])),
          audit: { auditLog: join(out, 'audit.log'), sshdLogs, auditDevice: 'file' },
        },
        Date.now(),
      );
      say(`6. Access report: ${join(values.out, 'report', 'index.html')} (open it in a browser)`);
      say(`   ${report.summary}`);
      say('');
      say(`Done. Keep the backend running with: ${sshcaInvocation()} serve --data-dir ${join(values.out, 'server')}`);
      say(
        `(root token in ${join(values.out, 'server', 'root-token')}, demo passwords in ${join(values.out, 'credentials.json')})`,
      );
      return 0;
    } finally {
      await server.close(listener);
    }
  },
};

type Scenario = Pick<typeof import('./scenario/seed.js'), 'ENVIRONMENTS' | 'HOST_PRINCIPALS' | 'mountOf' | 'OTP_ROLE'> &
  Pick<
    typeof import('./scenario/local-hosts.js'),
    'startLocalHost' | 'tryLogin' | 'tryOtpLogin' | 'otpHostUnavailable' | 'newPamService'
  >;

/** The dev host that also takes one-time passwords: PAM runs the shipped helper against the backend. */
function otpHelperFor(dir: string, url: string, s: Scenario): OtpHelper {
  return validateOtpHelper({
    vaultAddr: url,
    mount: s.mountOf('dev'),
    allowedRoles: [s.OTP_ROLE.name],
    dev: true, // the demo backend speaks plain http on loopback
    pamLog: join(dir, 'otp-helper.log'),
    paths: {
      helper: join(packageRoot(), 'ansible', 'roles', 'ssh_otp_helper', 'files', 'vault-ssh-helper'),
      config: join(dir, 'otp', 'config.hcl'),
      pamInclude: join(dir, 'otp', 'sshca-otp'),
      dropIn: join(dir, 'sshd_config.d', '20-sshca-otp.conf'),
      pamService: s.newPamService(),
      caCert: join(dir, 'otp', 'vault-ca.pem'),
    },
  });
}

const cell = (text: string) => text.padEnd(10);

/** Step 5: local hosts, each person's certificates and one-time passwords, real logins, the table. */
async function accessMatrix(
  out: string,
  url: string,
  root: VaultClient,
  passwords: Record<'testuser' | 'oncall', string>,
  caKeys: Record<string, string>,
  s: Scenario,
): Promise<string[]> {
  const account = userInfo().username;
  const hosts: LocalHost[] = [];
  // Every login goes to the account running the demo, which stands in for the rendered host trust's
  // accounts: ubuntu and root, and on the dev host deploy too (CI's gitlab-runner). The OTP host is
  // for people: it has no deploy account.
  const standIns = (env: Environment, accounts: readonly string[]) =>
    accounts.flatMap((a) => s.HOST_PRINCIPALS[env][a] ?? []);
  const hostTrust = (env: Environment, dir: string, accounts = ['ubuntu', 'root', 'deploy']) =>
    validateHostTrust({
      environment: env,
      caKeys: [caKeys[env]!],
      principals: { [account]: standIns(env, accounts) },
      paths: {
        dropIn: join(dir, 'sshd_config.d', '10-sshca.conf'),
        trustedCaKeys: join(dir, 'trusted_user_ca_keys'),
        principalsDir: join(dir, 'principals'),
      },
    });
  try {
    for (const [i, env] of s.ENVIRONMENTS.entries()) {
      const dir = join(out, env, 'local-host');
      hosts.push(await s.startLocalHost(env, `127.0.0.${i + 2}`, dir, hostTrust(env, dir)));
    }
    const noOtp = s.otpHostUnavailable();
    const otpDir = join(out, 'dev', 'local-otp-host');
    const otpHost = noOtp
      ? undefined
      : await s.startLocalHost(
          'dev',
          '127.0.0.4',
          otpDir,
          hostTrust('dev', otpDir, ['ubuntu', 'root']),
          otpHelperFor(otpDir, url, s),
        );
    if (otpHost) hosts.push(otpHost);
    const knownHosts = join(out, 'known_hosts');
    writeFileSync(knownHosts, hosts.map((h) => `${h.knownHostsLine}\n`).join(''));
    const as = async (user: 'testuser' | 'oncall') =>
      new VaultClient({
        address: url,
        token: (await loginUserpass(new VaultClient({ address: url }), 'userpass', user, passwords[user])).client_token,
      });
    const ci = new VaultClient({
      address: url,
      token: String(
        (await root.write('auth/token/create', { policies: ['dev-sign-automation'], ttl: '10m', display_name: 'ci' }))
          ?.auth?.client_token,
      ),
    });
    const testuser = await as('testuser');
    const oncall = await as('oncall');
    const rows: Array<[string, VaultClient, string, string, string]> = [
      ['testuser', testuser, 'ssh-dev', 'developer', 'ubuntu'],
      ['testuser', testuser, 'ssh-prod', 'developer', 'ubuntu'],
      ['oncall', oncall, 'ssh-dev', 'emergency', 'root'],
      ['ci', ci, 'ssh-dev', 'automation', 'gitlab-runner'],
      ['testuser', testuser, 'ssh-dev', 'emergency', 'root'],
    ];
    say(
      `5. Access matrix: real ssh logins as ${account} to local sshd hosts (${hosts.map((h) => `${h === otpHost ? 'OTP' : h.environment} ${h.address}:${h.port}`).join(', ')})`,
    );
    say(
      `   ${'who'.padEnd(10)}${'credential (principal)'.padEnd(36)}${cell('dev host')}${cell('prod host')}${otpHost ? 'OTP host' : ''}`.trimEnd(),
    );
    for (const [who, client, mount, role, principal] of rows) {
      const label = `${role}@${mount} (${principal})`.padEnd(36);
      try {
        const issued = await obtainCertificate(client, {
          mount,
          role,
          principals: [principal],
          freshKeyFile: join(out, 'keys', `${who}-${mount}-${role}`),
        });
        const cells = hosts.map((h) =>
          cell(s.tryLogin(h, account, issued.identityFile, knownHosts) ? 'in' : 'refused'),
        );
        say(`   ${who.padEnd(10)}${label}${cells.join('')}`.trimEnd());
      } catch (e) {
        say(`   ${who.padEnd(10)}${label}not signed: ${(e as Error).message.replace(/ \(backend said: .*\)$/, '')}`);
      }
    }
    if (otpHost) {
      const otp = await createCredential(testuser, s.mountOf('dev'), s.OTP_ROLE.name, {
        ip: otpHost.address,
        username: account,
      });
      for (const label of [`OTP ${s.OTP_ROLE.name}@${s.mountOf('dev')} (${account})`, 'the same OTP again']) {
        const result = (await s.tryOtpLogin(otpHost, account, otp.key, knownHosts)) ? 'in' : 'refused';
        say(`   ${'testuser'.padEnd(10)}${label.padEnd(36)}${cell('-')}${cell('-')}${result}`);
      }
    }
    say(
      "   (the dev host maps ci's gitlab-runner to its deploy account, root here; prod trusts only the prod CA, and the OTP host has no deploy account)",
    );
    if (otpHost)
      say('   (an OTP is issued for one host address and works once; the OTP host takes dev certificates too)');
    else say(`   (OTP host skipped: ${noOtp})`);
    // The hosts' sshd logs, for the access report (step 6) and `sshca audit`.
    return hosts.map((h) => {
      const name = h === otpHost ? 'otp-host' : `${h.environment}-host`;
      const file = join(h === otpHost ? otpDir : join(out, h.environment, 'local-host'), 'sshd.log');
      writeFileAtomic(file, h.log(), { mode: 0o600, overwrite: true });
      return `${name}=${file}`;
    });
  } finally {
    await Promise.all(hosts.map((h) => h.stop()));
  }
}
