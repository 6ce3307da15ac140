// `sshca render`: the host-trust artefacts of one environment (sshd drop-in, TrustedUserCAKeys file,
// principals files, cloud-init user-data, Ansible variables) from the CA public key a running
// backend serves at /v1/<mount>/public_key, plus any extra keys given for a rotation overlap.

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { clientOptionsFromEnv } from '../client/env.js';
import { readCaPublicKey } from '../client/ssh-api.js';
import { VaultClient } from '../client/vault-client.js';
import { RequestError, UsageError } from '../core/errors.js';
import { renderAnsibleVars } from '../core/render/ansible-vars.js';
import { renderCloudConfig } from '../core/render/cloud-config.js';
import { validateHostTrust, type HostTrust } from '../core/render/host-trust.js';
import { renderPrincipalsFiles, renderSshdDropIn, renderTrustedCaKeys } from '../core/render/sshd-files.js';
import { parsePairs, required, usageErrors } from './args.js';
import type { Command } from './command.js';
import { readText, writeFileAtomic } from './files.js';

const HELP = `Usage: sshca render --format FORMAT (--mount MOUNT | --ca-key FILE) [options]

Print (or write) what makes hosts trust one environment's CA, from the public key a running
Vault, OpenBao or sshca server serves at /v1/<mount>/public_key (no token needed).

Formats:
  sshd          the sshd_config.d drop-in (TrustedUserCAKeys, AuthorizedPrincipalsFile)
  trusted-keys  the TrustedUserCAKeys file
  principals    one AuthorizedPrincipalsFile per account (--out names a directory)
  cloud-init    #cloud-config user-data for new instances (checked against EC2's 16 KB limit)
  ansible-vars  group_vars for the Ansible role ssh_ca_trust

Options:
  --format FORMAT              one of the formats above
  --mount MOUNT                SSH secrets engine mount of the environment, e.g. ssh-dev
  --address URL                backend address (default: VAULT_ADDR or BAO_ADDR)
  --ca-key FILE                another CA public key to trust (repeatable), e.g. the next CA during
                               a rotation; with no --mount, the only source of keys
  --environment NAME           environment name (default: the mount's last segment without "ssh-")
  --principals ACCOUNT=P1,P2   principals that may log in as ACCOUNT (repeatable)
  --drop-in PATH               default /etc/ssh/sshd_config.d/10-sshca.conf
  --ca-keys-path PATH          default /etc/ssh/sshca/trusted_user_ca_keys
  --principals-dir PATH        default /etc/ssh/sshca/principals
  --reload-command CMD         cloud-init: how to reload sshd once checked
  --out PATH                   write to PATH (atomically, 0644) instead of standard output
  -h, --help                   show this help

Exit codes: 0 rendered, 1 refused (bad key, unreachable backend, no CA, user-data too large), 2 bad
command line.

Examples:
  sshca render --mount ssh-dev --format cloud-init --principals ubuntu=ubuntu,dev-admin > dev-user-data.yaml
  sshca render --mount ssh-prod --format ansible-vars --principals ubuntu=ubuntu \\
               --out ansible/inventories/example/group_vars/prod.yml
  sshca render --mount ssh-dev --ca-key next-dev-ca.pub --format trusted-keys
`;

const FORMATS = ['sshd', 'trusted-keys', 'principals', 'cloud-init', 'ansible-vars'] as const;
type Format = (typeof FORMATS)[number];

/** `ssh-dev` → `dev`, `team/ssh-prod` → `prod`, `ssh` → `ssh`. */
function environmentOf(mount: string): string {
  const last = mount.replace(/\/+$/, '').split('/').pop() ?? '';
  return last.replace(/^ssh[-_](?=.)/, '');
}

/** Account mapping from `ACCOUNT=P1,P2` items. */
function principalsOf(items: readonly string[] | undefined): Record<string, string[]> {
  const pairs = parsePairs(items, 'principals');
  return Object.fromEntries(Object.entries(pairs).map(([a, list]) => [a, list.split(',').filter((p) => p !== '')]));
}

async function backendKey(mount: string, address: string | undefined): Promise<string> {
  const client = new VaultClient(clientOptionsFromEnv(process.env, address ? { address } : {}));
  const key = await readCaPublicKey(client, mount);
  if (!key || key.trim() === '') {
    throw new RequestError(`no CA public key on mount ${mount} at ${client.options.address}: configure its CA first`);
  }
  return key;
}

function render(format: Format, trust: HostTrust, reloadCommand: string | undefined): string {
  switch (format) {
    case 'sshd':
      return renderSshdDropIn(trust);
    case 'trusted-keys':
      return renderTrustedCaKeys(trust);
    case 'cloud-init':
      return renderCloudConfig(trust, reloadCommand !== undefined ? { reloadCommand } : {});
    case 'ansible-vars':
      return renderAnsibleVars(trust);
    case 'principals':
      return renderPrincipalsFiles(trust)
        .map((f) => `==> ${f.path} <==\n${f.content}`)
        .join('\n');
  }
}

export const renderCommand: Command = {
  name: 'render',
  summary: 'print host-trust files (sshd drop-in, cloud-init, Ansible vars) for an environment',
  help: HELP,
  async run(argv) {
    const { values } = usageErrors(() =>
      parseArgs({
        args: [...argv],
        strict: true,
        options: {
          format: { type: 'string' },
          mount: { type: 'string' },
          address: { type: 'string' },
          'ca-key': { type: 'string', multiple: true },
          environment: { type: 'string' },
          principals: { type: 'string', multiple: true },
          'drop-in': { type: 'string' },
          'ca-keys-path': { type: 'string' },
          'principals-dir': { type: 'string' },
          'reload-command': { type: 'string' },
          out: { type: 'string' },
        },
      }),
    );
    const format = required(values.format, 'format') as Format;
    if (!FORMATS.includes(format)) {
      throw new UsageError(`--format must be one of ${FORMATS.join(', ')}, got ${JSON.stringify(format)}`);
    }
    const mount = values.mount;
    const extraKeys = (values['ca-key'] ?? []).map((f) => readText(f, 'CA public key'));
    if (mount === undefined && extraKeys.length === 0) throw new UsageError('give --mount or at least one --ca-key');
    const environment = values.environment ?? (mount !== undefined ? environmentOf(mount) : undefined);
    const trust = validateHostTrust({
      environment: required(environment, 'environment'),
      caKeys: [...(mount !== undefined ? [await backendKey(mount, values.address)] : []), ...extraKeys],
      principals: principalsOf(values.principals),
      paths: {
        ...(values['drop-in'] !== undefined ? { dropIn: values['drop-in'] } : {}),
        ...(values['ca-keys-path'] !== undefined ? { trustedCaKeys: values['ca-keys-path'] } : {}),
        ...(values['principals-dir'] !== undefined ? { principalsDir: values['principals-dir'] } : {}),
      },
    });
    const out = values.out;
    if (out === undefined) {
      process.stdout.write(render(format, trust, values['reload-command']));
    } else if (format === 'principals') {
      mkdirSync(out, { recursive: true, mode: 0o755 });
      for (const f of renderPrincipalsFiles(trust)) {
        writeFileAtomic(join(out, f.account), f.content, { mode: 0o644, overwrite: true });
      }
    } else {
      writeFileAtomic(out, render(format, trust, values['reload-command']), { mode: 0o644, overwrite: true });
    }
    return 0;
  },
};
