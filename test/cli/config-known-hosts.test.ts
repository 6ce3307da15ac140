// Issue 15, defect 3: `sshca config --host-ca-key` output appended to an ssh config is accepted by
// real ssh (no "Bad configuration option: @cert-authority"): the @cert-authority line goes to a
// known_hosts file the block names with UserKnownHostsFile, and a real login to a real sshd that
// presents a host certificate succeeds through that config with StrictHostKeyChecking=yes.

import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeScratchDir, removeScratchDir } from '../helpers/scratch.js';
import { runSshca } from '../helpers/sshca-bin.js';
import { SSH_PATH } from '../helpers/ssh-client.js';
import { startSshdHosts, stopAll, type SshdHost } from '../helpers/sshd.js';
import { ensureTestUser } from '../helpers/test-user.js';
import { mountSshCa, startTestServer, type TestServer } from '../helpers/vault-server.js';

let server: TestServer;
let dir: string;
let home: string;
let account: string;
let hosts: SshdHost[] = [];
let hostCaKey: string;

beforeAll(async () => {
  dir = makeScratchDir('config-known-hosts');
  chmodSync(dir, 0o711);
  home = join(dir, 'home');
  mkdirSync(join(home, '.ssh'), { recursive: true, mode: 0o700 });
  account = await ensureTestUser();
  server = await startTestServer();
  const userCa = await mountSshCa(server, 'ssh-dev', {
    developer: {
      key_type: 'ca',
      allow_user_certificates: true,
      allowed_users: account,
      default_user: account,
    },
  });
  // The host CA signs a host key of our own, which sshd presents with its certificate.
  const hostCa = join(dir, 'host_ca');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'host-ca', '-f', hostCa]);
  hostCaKey = `${hostCa}.pub`;
  const hostKey = join(dir, 'host_key');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'host', '-f', hostKey]);
  execFileSync('ssh-keygen', [
    '-q',
    '-s',
    hostCa,
    '-h',
    '-I',
    'dev-host',
    '-n',
    '127.0.0.3',
    '-V',
    '-5m:+1h',
    `${hostKey}.pub`,
  ]);
  hosts = await startSshdHosts([
    {
      name: 'dev-hostcert',
      address: '127.0.0.3',
      trustedUserCaKeys: [userCa],
      principals: { [account]: [account] },
      extraConfig: [`HostKey ${hostKey}`, `HostCertificate ${hostKey}-cert.pub`],
    },
  ]);
});

afterAll(async () => {
  await stopAll(hosts);
  await server?.close();
  if (dir) removeScratchDir(dir);
});

const configArgs = (extra: string[] = []) => [
  'config',
  '--mount',
  'ssh-dev',
  '--role',
  'developer',
  '--host',
  '127.0.0.3',
  '--user',
  account,
  '--host-ca-key',
  hostCaKey,
  ...extra,
];

describe('sshca config --host-ca-key', () => {
  it('prints only an ssh_config block naming the known_hosts file it wrote (0644)', async () => {
    const sshcaDir = join(home, '.ssh', 'sshca');
    const knownHosts = join(sshcaDir, 'known_hosts');
    const identity = join(sshcaDir, 'ssh-dev-developer');
    const key = readFileSync(hostCaKey, 'utf8').split(' ').slice(0, 2).join(' ');
    const r = await runSshca(configArgs(), { HOME: home });
    expect(r).toEqual({
      code: 0,
      stdout: [
        '# sshca: certificates of ssh-dev/developer (renew with: sshca login --mount ssh-dev --role developer)',
        'Host 127.0.0.3',
        `  User ${account}`,
        `  IdentityFile ${identity}`,
        `  CertificateFile ${identity}-cert.pub`,
        '  IdentitiesOnly yes',
        `  UserKnownHostsFile ${knownHosts}`,
        '  StrictHostKeyChecking yes',
        '',
      ].join('\n'),
      stderr: `sshca config: trusting host certificates of ${hostCaKey} for 127.0.0.3 in ${knownHosts}\n`,
    });
    expect(readFileSync(knownHosts, 'utf8')).toBe(`@cert-authority 127.0.0.3 ${key}\n`);
    expect(statSync(knownHosts).mode & 0o777).toBe(0o644);
    // Run again, with another line in the file: that line is kept, ours is not doubled.
    writeFileSync(
      knownHosts,
      `other.example.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOtherKeyxx\n@cert-authority 127.0.0.3 ${key}\n`,
    );
    expect((await runSshca(configArgs(), { HOME: home })).code).toBe(0);
    expect(readFileSync(knownHosts, 'utf8')).toBe(
      `other.example.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOtherKeyxx\n@cert-authority 127.0.0.3 ${key}\n`,
    );
  });

  it('--known-hosts without --host-ca-key is a usage error (exit 2)', async () => {
    const r = await runSshca(
      ['config', '--mount', 'ssh-dev', '--role', 'developer', '--host', 'x', '--known-hosts', join(dir, 'kh')],
      { HOME: home },
    );
    expect(r).toEqual({
      code: 2,
      stdout: '',
      stderr:
        'sshca config: --known-hosts needs --host-ca-mount or --host-ca-key (it names where the @cert-authority line goes)\n' +
        'Run "sshca config --help" for usage.\n',
    });
  });

  it('appended to a real ssh config: ssh -G accepts it and a login with StrictHostKeyChecking=yes works', async () => {
    const sshConfig = join(home, '.ssh', 'config');
    const block = await runSshca(configArgs(), { HOME: home });
    expect(block.code).toBe(0);
    writeFileSync(sshConfig, `# the user's own config\nHost *\n  ServerAliveInterval 30\n\n${block.stdout}`, {
      mode: 0o600,
    });
    const shown = execFileSync(SSH_PATH, ['-G', '-F', sshConfig, '127.0.0.3'], {
      encoding: 'utf8',
      env: { ...process.env, HOME: home },
    });
    // Issue 17: only our file, and no key is learnt for these hosts.
    expect(/^userknownhostsfile (.*)$/m.exec(shown)![1]).toBe(join(home, '.ssh', 'sshca', 'known_hosts'));
    expect(shown).toMatch(/^stricthostkeychecking true$/m);
    const login = await runSshca(['login', '--mount', 'ssh-dev', '--role', 'developer', '--no-agent'], {
      HOME: home,
      VAULT_ADDR: server.url,
      VAULT_TOKEN: server.token,
    });
    expect(login.code, login.stderr).toBe(0);
    const out = execFileSync(
      SSH_PATH,
      [
        '-F',
        sshConfig,
        '-p',
        String(hosts[0]!.port),
        '-o',
        'StrictHostKeyChecking=yes',
        '-o',
        'BatchMode=yes',
        '127.0.0.3',
        'echo in',
      ],
      { encoding: 'utf8', env: { ...process.env, HOME: home, SSH_AUTH_SOCK: '' } },
    );
    expect(out).toBe('in\n');
  });
});
