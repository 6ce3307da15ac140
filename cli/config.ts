// `sshca config`: the ~/.ssh/config block that makes plain `ssh` use the key and certificate
// `sshca login` keeps for a mount and role, for hosts matching a pattern; with a host CA key, the
// known_hosts `@cert-authority` line as well.

import { parseArgs } from 'node:util';
import { parseSshPublicKey } from '../core/keys/public-key.js';
import { required, usageErrors } from './args.js';
import { defaultIdentityFile } from './certificate-session.js';
import type { Command } from './command.js';
import { readText } from './files.js';

const HELP = `Usage: sshca config --mount MOUNT --role ROLE --host PATTERN [--user USER] [--host-ca-key FILE]

Print an ~/.ssh/config block so that plain "ssh" uses the key and certificate "sshca login" keeps
for MOUNT and ROLE on hosts matching PATTERN. With --host-ca-key, also print the known_hosts line
that trusts host certificates signed by that CA for the same hosts.

Options:
  --mount MOUNT          e.g. ssh-dev
  --role ROLE            e.g. developer
  --host PATTERN         ssh_config Host pattern(s), e.g. "*.dev.example.com 10.1.*"
  --user USER            login account for those hosts
  --host-ca-key FILE     host CA public key (for the @cert-authority line)
  -h, --help             show this help

Example:
  sshca config --mount ssh-dev --role developer --host '*.dev.example.com' --user ubuntu >> ~/.ssh/config
`;

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
        },
      }),
    );
    const mount = required(values.mount, 'mount');
    const role = required(values.role, 'role');
    const host = required(values.host, 'host');
    const identity = defaultIdentityFile(mount, role);
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
      lines.push(
        '',
        `# known_hosts: trust host certificates of this CA for ${host}`,
        `@cert-authority ${host.split(/\s+/).join(',')} ${key}`,
      );
    }
    process.stdout.write(`${lines.join('\n')}\n`);
    return 0;
  },
};
