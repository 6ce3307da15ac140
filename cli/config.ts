// `sshca config`: the ~/.ssh/config block that makes plain `ssh` use the key and certificate
// `sshca login` keeps for a mount and role, for hosts matching a pattern. With a host CA key, the
// `@cert-authority` line goes into a known_hosts file (ssh_config refuses it: issue 15, defect 3)
// that the block names with UserKnownHostsFile.

import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { parseSshPublicKey } from '../core/keys/public-key.js';
import { UsageError } from '../core/errors.js';
import { normaliseMount, required, usageErrors } from './args.js';
import { defaultIdentityFile, sshcaHome } from './certificate-session.js';
import type { Command } from './command.js';
import { readText, writeFileAtomic } from './files.js';

const HELP = `Usage: sshca config --mount MOUNT --role ROLE --host PATTERN [--user USER]
                    [--host-ca-key FILE [--known-hosts FILE]]

Print an ~/.ssh/config block so that plain "ssh" uses the key and certificate "sshca login" keeps
for MOUNT and ROLE on hosts matching PATTERN.

With --host-ca-key, ssh also trusts host certificates signed by that CA for the same hosts: the
"@cert-authority PATTERN KEY" line (known_hosts syntax, which ssh_config refuses) is written to
$SSHCA_HOME/known_hosts (or --known-hosts FILE; 0644, atomically; other lines of the file are kept,
an older line for the same PATTERN is replaced), and the block names that file after your own:
  UserKnownHostsFile ~/.ssh/known_hosts <that file>
(your own file first, so that keys ssh learns still go there). Nothing but the block is printed, so
its output can be appended to ~/.ssh/config.

Options:
  --mount MOUNT          e.g. ssh-dev
  --role ROLE            e.g. developer
  --host PATTERN         ssh_config Host pattern(s), e.g. "*.dev.example.com 10.1.*"
  --user USER            login account for those hosts
  --host-ca-key FILE     host CA public key: trust host certificates it signed for PATTERN
  --known-hosts FILE     where the @cert-authority line goes (default: $SSHCA_HOME/known_hosts)
  -h, --help             show this help

Example:
  sshca config --mount ssh-dev --role developer --host '*.dev.example.com' --user ubuntu >> ~/.ssh/config
  sshca config --mount ssh-prod --role developer --host '*.prod.example.com' --user ubuntu \\
    --host-ca-key prod-host-ca.pub >> ~/.ssh/config
`;

/** A path as ssh_config takes it: double-quoted when it holds white space. */
const configPath = (path: string): string => (/\s/.test(path) ? `"${path}"` : path);

/**
 * The known_hosts file with `line` trusting a host CA for `patterns`: every other line of `existing`
 * kept, an older `@cert-authority` line for the same patterns replaced.
 */
export function renderKnownHosts(existing: string, patterns: string, line: string): string {
  const kept = existing.split('\n').filter((l) => l !== '' && !l.startsWith(`@cert-authority ${patterns} `));
  return `${[...kept, line].join('\n')}\n`;
}

export const configCommand: Command = {
  name: 'config',
  summary: 'print an ~/.ssh/config block (and @cert-authority line) for an environment',
  help: HELP,
  run(argv) {
    const { values } = usageErrors(() =>
      parseArgs({
        args: [...argv],
        strict: true,
        options: {
          mount: { type: 'string' },
          role: { type: 'string' },
          host: { type: 'string' },
          user: { type: 'string' },
          'host-ca-key': { type: 'string' },
          'known-hosts': { type: 'string' },
        },
      }),
    );
    const mount = required(normaliseMount(values.mount), 'mount');
    const role = required(values.role, 'role');
    const host = required(values.host, 'host');
    const identity = defaultIdentityFile(mount, role);
    if (values['known-hosts'] !== undefined && !values['host-ca-key']) {
      throw new UsageError('--known-hosts needs --host-ca-key (it names where the @cert-authority line goes)');
    }
    const lines = [
      `# sshca: certificates of ${mount}/${role} (renew with: sshca login --mount ${mount} --role ${role})`,
      `Host ${host}`,
      ...(values.user ? [`  User ${values.user}`] : []),
      `  IdentityFile ${identity}`,
      `  CertificateFile ${identity}-cert.pub`,
      '  IdentitiesOnly yes',
    ];
    if (values['host-ca-key']) {
      const key = readText(values['host-ca-key'], 'host CA key').trim().split(/\s+/).slice(0, 2).join(' ');
      parseSshPublicKey(key);
      const file = values['known-hosts'] ?? join(sshcaHome(), 'known_hosts');
      const patterns = host.split(/\s+/).join(',');
      if (!existsSync(dirname(file))) mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
      const existing = existsSync(file) ? readFileSync(file, 'utf8') : '';
      writeFileAtomic(file, renderKnownHosts(existing, patterns, `@cert-authority ${patterns} ${key}`), {
        mode: 0o644,
        overwrite: true,
      });
      // ssh adds keys it learns to the first file: the user's own stays first.
      lines.push(`  UserKnownHostsFile ~/.ssh/known_hosts ${configPath(file)}`);
      process.stderr.write(
        `sshca config: trusting host certificates of ${values['host-ca-key']} for ${patterns} in ${file}\n`,
      );
    }
    process.stdout.write(`${lines.join('\n')}\n`);
    return 0;
  },
};
