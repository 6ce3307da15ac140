// Issue 20, point 1, end to end: the real ansible-playbook over real SSH applies ssh_ca_trust with
// ssh_ca_trust_krl_url to a real loopback sshd host; a local HTTP server (node:http on 127.0.0.1, http
// allowed for the test) serves KRLs made by core/krl. Certificates revoked by serial and by key ID are
// refused after the run, a non-revoked one logs in; the installed refresh script, run as the timer
// would, installs a newer KRL and keeps the good one when a corrupt one is served; a second run
// changes nothing. The timer is not enabled (no systemd in the test container).

import { execFileSync, spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { renderKrl } from '../../core/krl/krl.js';
import type { GeneratedKeyPair } from '../../core/keys/ca-key.js';
import { generateKeyPair } from '../../server/ssh/generate-key-pair.js';
import { ansibleEnv, parseRecap, runSitePlaybook } from '../helpers/ansible.js';
import { makeScratchDir, removeScratchDir } from '../helpers/scratch.js';
import { sshLogin, writeKnownHosts } from '../helpers/ssh-client.js';
import { SSHD_PATH, startSshdHosts, stopAll, type SshdHost } from '../helpers/sshd.js';
import { ensureTestUser } from '../helpers/test-user.js';
import { issueUserCertificate, type UserCertificate } from '../helpers/user-cert.js';

let dir: string;
let server: Server;
let url: string;
let body: Buffer = Buffer.alloc(0);
let host: SshdHost;
let account: string;
let knownHosts: string;
let bootstrapKey: string;
let env: NodeJS.ProcessEnv;
const ca: GeneratedKeyPair = generateKeyPair('ed25519', 0);
const caBlob = Buffer.from(ca.publicKey.split(' ')[1]!, 'base64');

const field = (cert: UserCertificate, name: string): string =>
  execFileSync('ssh-keygen', ['-L', '-f', cert.certificateFile], { encoding: 'utf8' }).match(new RegExp(`${name}: "?([^"\\n]+)`))![1]!;

const krlOf = (version: bigint, serials: bigint[], keyIds: string[]): Buffer =>
  renderKrl({ krlVersion: version, generatedDate: 1_700_000_000n, certificates: [{ caKey: caBlob, serials, keyIds }] });

const paths = () => ({
  dropIn: join(dir, 'host/sshd_config.d/10-sshca.conf'),
  keys: join(dir, 'host/sshca/trusted_user_ca_keys'),
  principals: join(dir, 'host/sshca/principals'),
  krl: join(dir, 'host/sshca/revoked_keys'),
  script: join(dir, 'host/sbin/sshca-krl-refresh'),
});

function runSh(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn('sh', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('exit', (code) => done({ code: code ?? -1, stdout, stderr }));
  });
}

const login = (cert: UserCertificate) =>
  sshLogin({ host, user: account, identityFile: cert.identityFile, certificateFile: cert.certificateFile, knownHostsFile: knownHosts, command: 'id -un' });
const IN = () => ({ code: 0, stdout: `${account}\n`, stderr: '' });
const OUT = () => ({ code: 255, stdout: '', stderr: `${account}@${host.address}: Permission denied (publickey).\r\n` });

function inventory(): string {
  const p = paths();
  const file = join(dir, 'hosts.yml');
  writeFileSync(
    file,
    `---\n${stringify({
      all: {
        hosts: {
          'krl-sshd': {
            ansible_host: host.address,
            ansible_port: host.port,
            ansible_user: 'root',
            ansible_ssh_private_key_file: bootstrapKey,
            ansible_ssh_common_args: `-F none -o IdentitiesOnly=yes -o IdentityAgent=none -o BatchMode=yes -o UserKnownHostsFile=${knownHosts} -o GlobalKnownHostsFile=none -o StrictHostKeyChecking=yes`,
            ssh_ca_trust_environment: 'dev',
            ssh_ca_trust_ca_keys: [ca.publicKey],
            ssh_ca_trust_principals: { [account]: ['dev-engineer'] },
            ssh_ca_trust_dropin_path: p.dropIn,
            ssh_ca_trust_ca_keys_path: p.keys,
            ssh_ca_trust_principals_dir: p.principals,
            ssh_ca_trust_sshd_command: SSHD_PATH,
            ssh_ca_trust_sshd_config: join(host.dir, 'sshd_config'),
            ssh_ca_trust_reload_command: `kill -HUP ${host.pid}`,
            ssh_ca_trust_krl_url: url,
            ssh_ca_trust_krl_allow_http: true,
            ssh_ca_trust_krl_path: p.krl,
            ssh_ca_trust_krl_script_path: p.script,
            ssh_ca_trust_krl_ca_cert_path: join(dir, 'host/sshca/krl-ca.pem'),
            ssh_ca_trust_krl_systemd_dir: join(dir, 'host/systemd'),
            ssh_ca_trust_krl_timer: false,
          },
        },
      },
    })}`,
  );
  return file;
}

beforeAll(async () => {
  dir = makeScratchDir('ansible-krl-e2e');
  chmodSync(dir, 0o711);
  account = await ensureTestUser();
  server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length });
    res.end(body);
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/dev/revoked_keys`;
  bootstrapKey = join(dir, 'bootstrap');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', bootstrapKey]);
  mkdirSync(join(dir, 'host/sshd_config.d'), { recursive: true, mode: 0o755 });
  mkdirSync(join(dir, 'host/authorized_keys'), { mode: 0o755 });
  writeFileSync(join(dir, 'host/authorized_keys/root'), readFileSync(`${bootstrapKey}.pub`, 'utf8'));
  chmodSync(join(dir, 'host'), 0o755);
  host = (await startSshdHosts([
    {
      name: 'krl',
      address: '127.0.0.5',
      trustedUserCaKeys: [],
      principals: {},
      extraConfig: [`Include ${join(dir, 'host')}/sshd_config.d/*.conf`, `AuthorizedKeysFile ${join(dir, 'host')}/authorized_keys/%u`],
    },
  ]))[0]!;
  knownHosts = writeKnownHosts([host], dir);
  env = ansibleEnv(dir);
});

afterAll(async () => {
  if (host) await stopAll([host]);
  await new Promise((ok) => server?.close(ok));
  if (dir) removeScratchDir(dir);
});

describe('ssh_ca_trust with a KRL over SSH against a real sshd host', () => {
  it('revokes by serial and key ID after the run, by a refresh later, keeps the good KRL on a corrupt one; re-run changed=0', async () => {
    const bySerial = issueUserCertificate(dir, ca, ['dev-engineer']);
    const byKeyId = issueUserCertificate(dir, ca, ['dev-engineer']);
    const later = issueUserCertificate(dir, ca, ['dev-engineer']);
    const good = issueUserCertificate(dir, ca, ['dev-engineer']);
    const first = krlOf(1n, [BigInt(field(bySerial, 'Serial'))], [field(byKeyId, 'Key ID')]);
    body = first;

    const r = await runSitePlaybook(inventory(), env);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(parseRecap(r.stdout)).toEqual({
      'krl-sshd': { ok: 3, changed: 2, unreachable: 0, failed: 0, skipped: 2, rescued: 0, ignored: 0 },
    });
    expect(readFileSync(paths().krl).equals(first)).toBe(true);
    expect(readFileSync(paths().dropIn, 'utf8')).toContain(`RevokedKeys ${paths().krl}\n`);
    await host.waitForLog(/^Received SIGHUP; restarting\.$/, 0, 10_000);
    await host.waitForLog(new RegExp(`^Server listening on ${host.address.replaceAll('.', '\\.')} port ${host.port}\\.$`), host.log().lastIndexOf('Received SIGHUP'), 10_000);
    expect(await login(bySerial)).toEqual(OUT());
    expect(await login(byKeyId)).toEqual(OUT());
    expect(await login(later)).toEqual(IN());
    expect(await login(good)).toEqual(IN());

    const second = krlOf(2n, [BigInt(field(bySerial, 'Serial')), BigInt(field(later, 'Serial'))], [field(byKeyId, 'Key ID')]);
    body = second;
    expect(await runSh([paths().script])).toEqual({
      code: 0,
      stdout: `sshca-krl-refresh: installed ${paths().krl} (${second.length} bytes) from ${url}\n`,
      stderr: '',
    });
    expect(await login(later)).toEqual(OUT());
    expect(await login(good)).toEqual(IN());

    const corrupt = Buffer.concat([Buffer.from('not a KRL, '), second.subarray(11)]);
    body = corrupt;
    expect(await runSh([paths().script])).toEqual({
      code: 1,
      stdout: '',
      stderr: `sshca-krl-refresh: ${url} did not serve a KRL that ssh-keygen -Q reads (${corrupt.length} bytes); kept ${paths().krl} as it was\n`,
    });
    expect(readFileSync(paths().krl).equals(second)).toBe(true);
    expect(await login(bySerial)).toEqual(OUT());
    expect(await login(byKeyId)).toEqual(OUT());
    expect(await login(later)).toEqual(OUT());
    expect(await login(good)).toEqual(IN());

    body = second;
    const again = await runSitePlaybook(inventory(), env);
    expect(again.stderr).toBe('');
    expect(again.code).toBe(0);
    expect(parseRecap(again.stdout)).toEqual({
      'krl-sshd': { ok: 2, changed: 0, unreachable: 0, failed: 0, skipped: 2, rescued: 0, ignored: 0 },
    });
  });
});
