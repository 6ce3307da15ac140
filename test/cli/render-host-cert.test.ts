// `sshca render --format cloud-init-host-cert` (the built binary): the user-data that certifies a new
// instance's host keys at boot, with the wrapping token read from a file or standard input (never the
// command line), byte for byte what core/render/host-cert-cloud-config.ts renders for the same input,
// accepted by the real `cloud-init schema`; and the refusals with their exit codes and messages.
// test/cloud-init/host-cert-user-data.test.ts runs that user-data's boot script against the server and
// a real sshd.

import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderHostCertCloudConfig } from '../../core/render/host-cert-cloud-config.js';
import { makeScratchDir, removeScratchDir } from '../helpers/scratch.js';
import { runSshca } from '../helpers/sshca-bin.js';

const ADDRESS = 'https://vault.example.com:8200';
const TOKEN = 'hvs.CAESIJwrapped-token-for-the-test';
let dir: string;
let tokenFile: string;

beforeAll(() => {
  dir = makeScratchDir('render-host-cert');
  tokenFile = join(dir, 'wrapping-token');
  writeFileSync(tokenFile, `${TOKEN}\n`, { mode: 0o600 });
});
afterAll(() => removeScratchDir(dir));

const ARGS = [
  'render',
  '--format',
  'cloud-init-host-cert',
  '--mount',
  'ssh-dev-host',
  '--host-names',
  'web-1.dev.example.com,10.0.1.5',
];

describe('sshca render --format cloud-init-host-cert', () => {
  it('renders what core renders for the same input, from a token file, and cloud-init accepts it', async () => {
    const r = await runSshca([...ARGS, '--wrapping-token-file', tokenFile, '--ttl', '720h'], { VAULT_ADDR: ADDRESS });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      renderHostCertCloudConfig({
        vaultAddr: ADDRESS,
        mount: 'ssh-dev-host',
        principals: ['web-1.dev.example.com', '10.0.1.5'],
        wrappingToken: TOKEN,
        ttl: '720h',
      }),
    );
    const file = join(dir, 'user-data.yaml');
    writeFileSync(file, r.stdout);
    expect(execFileSync('cloud-init', ['schema', '--config-file', file], { encoding: 'utf8' })).toBe(
      `Valid cloud-config: ${file}\n`,
    );
  });

  it('reads the token from standard input with --wrapping-token-file -, and takes role, keys and drop-in', async () => {
    const r = await runSshca(
      [
        ...ARGS,
        '--address',
        ADDRESS,
        '--wrapping-token-file',
        '-',
        '--role',
        'web',
        '--host-keys',
        '/etc/ssh/ssh_host_ed25519_key',
        '--drop-in',
        '/etc/ssh/sshd_config.d/11-host-cert.conf',
        '--reload-command',
        'systemctl reload ssh',
      ],
      {},
      `${TOKEN}\n`,
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      renderHostCertCloudConfig(
        {
          vaultAddr: ADDRESS,
          mount: 'ssh-dev-host',
          role: 'web',
          principals: ['web-1.dev.example.com', '10.0.1.5'],
          wrappingToken: TOKEN,
          paths: { hostKeys: ['/etc/ssh/ssh_host_ed25519_key'], dropIn: '/etc/ssh/sshd_config.d/11-host-cert.conf' },
        },
        { reloadCommand: 'systemctl reload ssh' },
      ),
    );
  });

  it.each([
    [[], 2, 'sshca render: missing required option --wrapping-token-file\nRun "sshca render --help" for usage.'],
    [
      ['--wrapping-token-file', 'TOKEN_FILE', '--principals', 'ubuntu=ubuntu'],
      2,
      'sshca render: --principals cannot be used with --format cloud-init-host-cert\nRun "sshca render --help" for usage.',
    ],
    [
      ['--wrapping-token-file', 'EMPTY_FILE'],
      2,
      'sshca render: the wrapping token file EMPTY_FILE is empty\nRun "sshca render --help" for usage.',
    ],
    [['--wrapping-token-file', 'NO_FILE'], 1, 'sshca render: cannot read wrapping token NO_FILE: no such file'],
  ])('refuses %j with exit %i', async (extra, code, message) => {
    const empty = join(dir, 'empty');
    writeFileSync(empty, '\n');
    const names: Record<string, string> = { TOKEN_FILE: tokenFile, EMPTY_FILE: empty, NO_FILE: join(dir, 'none') };
    const args = extra.map((a) => names[a] ?? a);
    const r = await runSshca([...ARGS, ...args], { VAULT_ADDR: ADDRESS });
    expect(r.code).toBe(code);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim()).toBe(message.replace(/EMPTY_FILE|NO_FILE/, (k) => names[k]!));
    expect(r.stderr).not.toContain(TOKEN);
  });

  it("refuses host names that are not names, with the renderer's words", async () => {
    const r = await runSshca([...ARGS.slice(0, -1), 'web 1', '--wrapping-token-file', tokenFile], {
      VAULT_ADDR: ADDRESS,
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('principal "web 1" must be a host name or address (letters, digits, . - _ : *)');
  });
});
