// `sshca config`: the ~/.ssh/config block that makes plain `ssh` use the key and certificate
// `sshca login` keeps for a mount and role, for hosts matching a pattern. With a host CA (a key file,
// or the mount that serves it), the `@cert-authority` line goes into a known_hosts file (ssh_config
// refuses it: issue 15, defect 3) that the block names with UserKnownHostsFile, beside
// StrictHostKeyChecking yes: those hosts are trusted for their host certificates only (issue 17).

import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { UsageError } from '../core/errors.js';
import { normaliseMount, required, usageErrors } from './args.js';
import { defaultIdentityFile, sshcaHome } from './certificate-session.js';
import type { Command } from './command.js';
import {
  certAuthorityOf,
  configHostPatternsOf,
  describeHostCa,
  hasHostCa,
  hostCaSourceOf,
  readHostCaKeys,
  writeKnownHosts,
} from './host-ca.js';

const HELP = `Usage: sshca config --mount MOUNT --role ROLE --host PATTERN [--user USER]
                    [--host-ca-mount MOUNT | --host-ca-key FILE] [--known-hosts FILE] [--allow-any-host]

Print an ~/.ssh/config block so that plain "ssh" uses the key and certificate "sshca login" keeps
for MOUNT and ROLE on hosts matching PATTERN.

With a host CA (--host-ca-mount, the mount of the environment's host CA, or --host-ca-key, its
public key), ssh trusts those hosts through their host certificates, and nothing else: the
"@cert-authority PATTERN KEY" line (known_hosts syntax, which ssh_config refuses) is written to
$SSHCA_HOME/known_hosts (~/.ssh/sshca/known_hosts unless SSHCA_HOME is set; or --known-hosts FILE;
0644, atomically; other lines of the file are kept, an older line for the same PATTERN is
replaced), and the block adds:
  UserKnownHostsFile <that file>
  StrictHostKeyChecking yes
so a host that presents no certificate of that CA for the name you typed is refused, never learnt.
ssh checks a host certificate against the name as given on its command line (on any port). ssh
keeps the first value it reads for an option: put the block before a "Host *" that sets
UserKnownHostsFile or StrictHostKeyChecking. Nothing but the block is printed, so its output can
be appended to ~/.ssh/config.

Options:
  --mount MOUNT          e.g. ssh-dev
  --role ROLE            e.g. developer
  --host PATTERN         ssh_config Host pattern(s), e.g. "*.dev.example.com 10.1.*"
  --user USER            login account for those hosts
  --host-ca-mount MOUNT  mount of the environment's host CA (e.g. ssh-dev-host): its public key is
                         read from the backend (--address, else VAULT_ADDR or BAO_ADDR; no token)
  --host-ca-key FILE     the host CA's public key from a file (repeatable: two during a rotation)
  --known-hosts FILE     where the @cert-authority line goes (default: $SSHCA_HOME/known_hosts)
  --allow-any-host       with a host CA, allow a PATTERN that matches every host, such as "*"
                         (refused without: the CA would vouch for hosts outside the environment)
  --address URL          backend address for --host-ca-mount
  -h, --help             show this help

Exit codes: 0 printed, 1 refused (no such host CA mount, bad key), 2 bad command line (a host
pattern that matches every host without --allow-any-host, an empty or malformed pattern).

Example:
  sshca config --mount ssh-dev --role developer --host '*.dev.example.com' --user ubuntu >> ~/.ssh/config
  sshca config --mount ssh-prod --role developer --host '*.prod.example.com' --user ubuntu \\
    --host-ca-mount ssh-prod-host >> ~/.ssh/config
  sshca config --mount ssh-prod --role developer --host '*.prod.example.com' --user ubuntu \\
    --host-ca-key prod-host-ca.pub >> ~/.ssh/config
`;

/** A path as ssh_config takes it: double-quoted when it holds white space. */
const configPath = (path: string): string => (/\s/.test(path) ? `"${path}"` : path);

/** What one ssh_config block of ours says. */
export interface ConfigBlock {
  readonly mount: string;
  readonly role: string;
  /** The Host line's patterns, as typed (white space separated). */
  readonly host: string;
  readonly user?: string | undefined;
  readonly identityFile: string;
  /** With a host CA: the known_hosts file holding its `@cert-authority` line. */
  readonly knownHosts?: string | undefined;
}

/** The first line of the block for `mount` and `role`; it marks the block in a file of several. */
export const configBlockMarker = (mount: string, role: string): string =>
  `# sshca: certificates of ${mount}/${role} (renew with: sshca login --mount ${mount} --role ${role})`;

/** The ssh_config block: key and certificate for the hosts, and with a host CA, only that CA. */
export function renderConfigBlock(b: ConfigBlock): string {
  return [
    configBlockMarker(b.mount, b.role),
    `Host ${b.host}`,
    ...(b.user ? [`  User ${b.user}`] : []),
    `  IdentityFile ${b.identityFile}`,
    `  CertificateFile ${b.identityFile}-cert.pub`,
    '  IdentitiesOnly yes',
    ...(b.knownHosts !== undefined
      ? [`  UserKnownHostsFile ${configPath(b.knownHosts)}`, '  StrictHostKeyChecking yes']
      : []),
    '',
  ].join('\n');
}

/**
 * An ssh_config file holding `block`: the earlier block of the same mount and role (from its marker
 * line to the blank line after it) replaced, everything else kept; blocks are separated by a blank line.
 */
export function renderConfigFile(existing: string, block: ConfigBlock): string {
  const marker = configBlockMarker(block.mount, block.role);
  const out: string[] = [];
  let skipping = false;
  for (const line of existing.split('\n')) {
    if (line === marker) skipping = true;
    else if (skipping && line.trim() === '') skipping = false;
    else if (!skipping) out.push(line);
  }
  const kept = out.join('\n').replace(/\n+$/, '');
  return `${kept === '' ? '' : `${kept}\n\n`}${renderConfigBlock(block)}`;
}

export const configCommand: Command = {
  name: 'config',
  summary: 'print an ~/.ssh/config block (and @cert-authority line) for an environment',
  help: HELP,
  async run(argv) {
    const { values } = usageErrors(() =>
      parseArgs({
        args: [...argv],
        strict: true,
        options: {
          mount: { type: 'string' },
          role: { type: 'string' },
          host: { type: 'string' },
          user: { type: 'string' },
          'host-ca-key': { type: 'string', multiple: true },
          'host-ca-mount': { type: 'string' },
          'known-hosts': { type: 'string' },
          'allow-any-host': { type: 'boolean' },
          address: { type: 'string' },
        },
      }),
    );
    const mount = required(normaliseMount(values.mount), 'mount');
    const role = required(values.role, 'role');
    const host = required(values.host, 'host');
    const identityFile = defaultIdentityFile(mount, role);
    const hostCa = hostCaSourceOf(values);
    if (!hasHostCa(hostCa)) {
      if (values['known-hosts'] !== undefined) {
        throw new UsageError(
          '--known-hosts needs --host-ca-mount or --host-ca-key (it names where the @cert-authority line goes)',
        );
      }
      for (const flag of ['allow-any-host', 'address'] as const) {
        if (values[flag] !== undefined) throw new UsageError(`--${flag} needs --host-ca-mount or --host-ca-key`);
      }
      process.stdout.write(renderConfigBlock({ mount, role, host, user: values.user, identityFile }));
      return 0;
    }
    const hosts = configHostPatternsOf(host, '--host', values['allow-any-host'] === true);
    const trust = certAuthorityOf(hosts, await readHostCaKeys(hostCa));
    const knownHosts = values['known-hosts'] ?? join(sshcaHome(), 'known_hosts');
    writeKnownHosts(knownHosts, trust);
    process.stderr.write(
      `sshca config: trusting host certificates of ${describeHostCa(hostCa)} for ${hosts.join(',')} in ${knownHosts}\n`,
    );
    process.stdout.write(
      renderConfigBlock({ mount, role, host: hosts.join(' '), user: values.user, identityFile, knownHosts }),
    );
    return 0;
  },
};
