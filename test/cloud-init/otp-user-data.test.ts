// The OTP user-data (issue 12, point 4) against the real tools: `cloud-init schema` accepts it,
// `sshca render --format cloud-init-otp` prints it (and refuses it above EC2's 16 KB), and on a real
// sshd of the harness, running under a PAM service of its own, the files its write_files would write
// plus its runcmd script make an OTP from the embedded server log in, with certificates still working.
// Stops short of booting an instance: write_files is applied as cloud-init would (the deferred drop-in
// last, gz+b64 decoded), then the script runs as runcmd would (sh -c, as root) with sshd pointed at the
// test host's config, the PAM service at the test sshd's own and the reload at the test host's pid.

import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { renderOtpCloudConfig } from '../../core/render/otp-cloud-config.js';
import { otpPamIncludeLine, validateOtpHelper, type OtpHelper } from '../../core/render/otp-helper.js';
import { OTP_GOLDEN_SPECS, splitHelper } from '../core/render/otp-golden.js';
import { OTP_TEST_PAM_SERVICE, otpPathsUnder, startOtpTestHost, type OtpTestHost } from '../helpers/otp-host.js';
import { makeScratchDir, removeScratchDir } from '../helpers/scratch.js';
import { OTP_HELPER_PATH, sshOtpLogin } from '../helpers/sshd-otp.js';
import { SSHD_PATH, type SshdHost } from '../helpers/sshd.js';
import { startTestServer, type TestServer } from '../helpers/vault-server.js';

const ROOT = resolve(import.meta.dirname, '../..');
const HELPER = readFileSync(OTP_HELPER_PATH);
const ADDRESS = '127.0.0.7';
const MOUNT = 'ssh-otp';
const ROLE = 'otp-dev';

let dir: string;
let otpHost: OtpTestHost;
let server: TestServer;
let account: string;
let host: SshdHost;

/** `sshca args…` from the sources (tsx), as a user runs the installed command. */
function sshca(args: readonly string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'cli/main.ts'), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(VAULT|BAO)_/.test(k))),
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** `sshca render --format cloud-init-otp` for https://vault.example.com:8200, mount ssh-prod, then `args`. */
const renderProdOtp = (args: readonly string[]) =>
  sshca([
    ...['render', '--format', 'cloud-init-otp'],
    ...['--address', 'https://vault.example.com:8200', '--mount', 'ssh-prod'],
    ...args,
  ]);

function schema(file: string) {
  const r = spawnSync('cloud-init', ['schema', '--config-file', file], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The OTP host in the scratch directory, its drop-in in the test sshd's Include directory. */
function otpFor(vaultAddr: string): OtpHelper {
  return validateOtpHelper({
    vaultAddr,
    mount: MOUNT,
    allowedRoles: [ROLE],
    dev: true,
    pamLog: join(dir, 'helper.log'),
    paths: { ...otpPathsUnder(join(dir, 'host')), pamService: host.pamFile!, dropIn: otpPathsUnder(dir).dropIn },
  });
}

const userDataFor = (otp: OtpHelper) =>
  renderOtpCloudConfig(otp, HELPER, {
    sshd: `${SSHD_PATH} -f ${join(host.dir, 'sshd_config')}`,
    reloadCommand: `kill -HUP ${host.pid}`,
  });

/**
 * What cloud-init would do with the user-data: write_files (deferred entries in the final stage, i.e.
 * after the others), then runcmd. Asynchronous: the helper's -verify-only asks this process's server.
 */
async function boot(userData: string): Promise<{ status: number; stderr: string }> {
  const doc = parse(userData);
  const files = [...doc.write_files].sort((a, b) => Number(a.defer ?? false) - Number(b.defer ?? false));
  for (const f of files) {
    mkdirSync(dirname(f.path), { recursive: true, mode: 0o755 });
    const content = f.encoding === 'gz+b64' ? gunzipSync(Buffer.from(f.content, 'base64')) : f.content;
    writeFileSync(f.path, content, { mode: Number.parseInt(f.permissions, 8) });
  }
  const [sh, flag, script] = doc.runcmd[0];
  const child = spawn(sh, [flag, script], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const status = await new Promise<number>((done) => child.once('close', (code) => done(code ?? -1)));
  return { status, stderr };
}

beforeAll(async () => {
  dir = makeScratchDir('cloud-init-otp');
  otpHost = await startOtpTestHost(dir, {
    name: 'cloud-otp',
    address: ADDRESS,
    mount: MOUNT,
    role: ROLE,
  });
  ({ server, account, host } = otpHost);
});

afterAll(async () => {
  await otpHost?.close();
  if (dir) removeScratchDir(dir);
});

describe('cloud-init schema and sshca render', () => {
  it.each(['tls', 'dev'] as const)('cloud-init schema accepts the %s OTP user-data', (name) => {
    const file = join(dir, `${name}-otp-user-data.yaml`);
    writeFileSync(file, renderOtpCloudConfig(validateOtpHelper(OTP_GOLDEN_SPECS[name]), HELPER));
    expect(schema(file)).toEqual({ code: 0, stdout: `Valid cloud-config: ${file}\n`, stderr: '' });
  });

  it('sshca render --format cloud-init-otp prints that user-data, with the packaged helper, and schema accepts it', () => {
    const r = renderProdOtp([
      '--allowed-roles',
      'otp-prod,otp-breakglass',
      '--allowed-cidr',
      '10.20.0.0/16',
      '--allowed-cidr',
      '192.0.2.10/32',
      '--pam-log',
      '/var/log/vault-ssh-helper.log',
      '--ca-cert',
      writeCa(),
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const expected = renderOtpCloudConfig(validateOtpHelper(OTP_GOLDEN_SPECS.tls), HELPER);
    expect(splitHelper(r.stdout)).toEqual(splitHelper(expected));
    const file = join(dir, 'cli-otp-user-data.yaml');
    writeFileSync(file, r.stdout);
    expect(schema(file)).toEqual({ code: 0, stdout: `Valid cloud-config: ${file}\n`, stderr: '' });
  });

  it("sshca render refuses OTP user-data over EC2's 16 KB", () => {
    // Fifteen copies of the CA certificate push the user-data past the limit.
    const bundle = join(dir, 'big-bundle.pem');
    writeFileSync(bundle, OTP_GOLDEN_SPECS.tls.caCert!.repeat(15));
    const r = renderProdOtp(['--allowed-roles', 'otp-prod', '--ca-cert', bundle]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(
      /^sshca render: the OTP user-data is \d+ bytes, over EC2's limit of 16384 bytes: leave out the CA bundle \(ca_cert\) or ship the helper another way \(the Ansible role ssh_otp_helper\)\n$/,
    );
  });
});

function writeCa(): string {
  const file = join(dir, 'vault-ca.pem');
  writeFileSync(file, OTP_GOLDEN_SPECS.tls.caCert!);
  return file;
}

describe('on a real sshd with a PAM service of its own', () => {
  it('a backend that fails -verify-only: the drop-in is removed, PAM and sshd stay as they were', async () => {
    const down = await startTestServer();
    await down.close();
    const otp = otpFor(down.url);
    const mark = host.log().length;
    expect(await boot(userDataFor(otp))).toEqual({
      status: 1,
      stderr:
        `vault-ssh-helper: verification failed: backend ${down.url} unreachable: Connection refused\n` +
        `vault-ssh-ca: ${otp.paths.helper} -verify-only failed: the backend did not answer; PAM and sshd left unchanged\n`,
    });
    expect(existsSync(otp.paths.dropIn)).toBe(false);
    expect(readFileSync(host.pamFile!, 'utf8')).toBe(OTP_TEST_PAM_SERVICE);
    expect(host.log().slice(mark)).not.toContain('SIGHUP');
    expect((await sshOtpLogin({ host, user: account, otp: await otpHost.issueOtp() })).code).toBe(255);
    expect(await otpHost.certificateLogin()).toEqual({ code: 0, stdout: `${account}\n`, stderr: '' });
  });

  it('with the backend up, the user-data enables OTP logins (once each) beside certificates', async () => {
    const otp = otpFor(server.url);
    const mark = host.log().length;
    expect(await boot(userDataFor(otp))).toEqual({
      status: 0,
      stderr: `vault-ssh-helper: verification successful: ${server.url} mount "${MOUNT}" answered verify-echo-response\n`,
    });
    await host.waitForLog(/^Received SIGHUP; restarting\.$/, mark, 10_000);
    await host.waitForLog(/^Server listening on /, mark + 1, 10_000);
    // The same PAM service as the Ansible role's lineinfile makes: one line, before the first auth line.
    expect(readFileSync(host.pamFile!, 'utf8')).toBe(
      OTP_TEST_PAM_SERVICE.replace('@include common-auth\n', `${otpPamIncludeLine(otp)}\n@include common-auth\n`),
    );
    const key = await otpHost.issueOtp();
    expect(await sshOtpLogin({ host, user: account, otp: key, command: 'id -un' })).toEqual({
      code: 0,
      stdout: `${account}\n`,
      stderr: '',
    });
    expect(await sshOtpLogin({ host, user: account, otp: key })).toEqual({
      code: 255,
      stdout: '',
      stderr: `${account}@${ADDRESS}: Permission denied (publickey,keyboard-interactive).\r\n`,
    });
    expect(await otpHost.certificateLogin()).toEqual({ code: 0, stdout: `${account}\n`, stderr: '' });
  });

  it('booting the same user-data again adds no second PAM line', async () => {
    const otp = otpFor(server.url);
    const before = readFileSync(host.pamFile!, 'utf8');
    expect(await boot(userDataFor(otp))).toEqual({
      status: 0,
      stderr: `vault-ssh-helper: verification successful: ${server.url} mount "${MOUNT}" answered verify-echo-response\n`,
    });
    expect(readFileSync(host.pamFile!, 'utf8')).toBe(before);
  });
});
