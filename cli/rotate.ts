// `sshca rotate`: staged CA rotation of one SSH mount (issue 20, point 2), with no moment when a valid
// login is refused. Stage 1 adds a new key that hosts trust beside the old one; stage 2 makes the
// backend sign with it; stage 3 drops the old key, refused until the longest certificate lifetime on
// the mount has passed since stage 2. The state lives in the backend's issuer names (core/rotation.ts
// has the rules); `--status` shows it. On Vault, which keeps one CA per mount, the rotation takes the
// second-mount path instead, which this command describes.

import { parseArgs } from 'node:util';
import { clientOptionsFromEnv } from '../client/env.js';
import { readRotation, runRotationStage } from '../client/ssh-api.js';
import { VaultClient } from '../client/vault-client.js';
import { UsageError } from '../core/errors.js';
import { validateHostTrust } from '../core/render/host-trust.js';
import { renderTrustedCaKeys } from '../core/render/sshd-files.js';
import { ROTATION_STAGE_TEXT, type LongestTtl, type RotationStage, type RotationStatus } from '../core/rotation.js';
import { normaliseMount, required, usageErrors } from './args.js';
import type { Command } from './command.js';
import { writeFileAtomic } from './files.js';

const HELP = `Usage: sshca rotate --mount MOUNT (--stage 1|2|3 | --status) [options]

Rotate the CA key of an SSH mount in three stages, with no moment when a valid login is refused:

  stage 1  a new key is generated in the backend, NOT yet signing; hosts must now trust the old
           and the new key (give them the trusted keys this command renders)
  stage 2  the backend signs with the new key; hosts keep trusting both keys
  stage 3  the old key is deleted and hosts drop it: refused until the longest certificate
           lifetime on the mount (its roles' max_ttl, else the mount's max lease TTL) has passed
           since stage 2, so no certificate of the old key is still valid; it says when

The rotation's state is kept in the backend (issuer names staged-<time>, retired-<time>), so any
operator can see and continue it. It needs OpenBao 2.3+ or the embedded server (\`sshca serve\`),
which keep several CA keys on one mount. On Vault (one CA per mount) the command says so and
describes the second-mount path.

Options:
  --mount MOUNT            the SSH mount, e.g. ssh-dev
  --stage 1|2|3            run this stage (running a stage that already ran changes nothing)
  --status                 show the keys, which one signs, the stage and when stage 3 is allowed
  --json                   print the status as JSON
  --key-type TYPE          stage 1: the new key's type (ed25519 by default, rsa, ec)
  --trusted-keys-out FILE  after the stage (or with --status), write the TrustedUserCAKeys file
                           hosts need now: both keys during stages 1 and 2, the new one after 3
  --environment NAME       the environment named in that file's header (default: from the mount)
  --address URL            the backend (default VAULT_ADDR or BAO_ADDR); token from VAULT_TOKEN
  -h, --help               show this help

Examples:
  sshca rotate --mount ssh-dev --status
  sshca rotate --mount ssh-dev --stage 1 --trusted-keys-out /etc/ssh/trusted_user_ca_keys
  sshca rotate --mount ssh-dev --stage 2
  sshca rotate --mount ssh-dev --stage 3 --trusted-keys-out /etc/ssh/trusted_user_ca_keys

Hosts read TrustedUserCAKeys at every login: rewrite that file on every host after stages 1 and 3
(the Ansible role ssh_ca_trust and the IaC outputs render the same keys).
`;

const iso = (seconds: number): string => new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');

/** What `--status` shows, as JSON. */
function statusJson(mount: string, status: RotationStatus, longest: LongestTtl, now: number): Record<string, unknown> {
  const roleOf = (id: string): string =>
    id === status.current?.id ? 'current' : id === status.staged?.id ? 'staged' : id === status.retired?.id ? 'retired' : 'other';
  const issuers = [status.current, status.staged, status.retired, ...status.others].filter((i) => i !== undefined);
  return {
    mount,
    backend: 'issuers',
    path: 'several CA keys on one mount (OpenBao issuers API)',
    stage: status.stage,
    issuers: issuers.map((i) => ({ id: i.id, name: i.name, default: i.isDefault, role: roleOf(i.id), public_key: i.publicKey })),
    trusted_keys: status.trustedKeys,
    longest_ttl: longest.seconds,
    longest_ttl_role: longest.role ?? null,
    stage2_at: status.stage2At !== undefined ? iso(status.stage2At) : null,
    stage3_allowed_at: status.stage3AllowedAt !== undefined ? iso(status.stage3AllowedAt) : null,
    stage3_allowed: status.stage === 2 && now >= status.stage3AllowedAt!,
  };
}

function statusTable(j: Record<string, unknown>, status: RotationStatus, now: number): string {
  const rows = (j.issuers as Array<Record<string, string | boolean>>).map((i) => [
    String(i.id),
    String(i.name) || '-',
    i.default ? 'yes' : 'no',
    String(i.role),
    String(i.public_key).trim().split(' ').slice(0, 2).join(' ').slice(0, 40) + '…',
  ]);
  const head = ['ISSUER', 'NAME', 'DEFAULT', 'ROLE', 'KEY'];
  const widths = head.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const line = (r: string[]) => r.map((v, c) => v.padEnd(widths[c]!)).join('  ').trimEnd();
  const out = [
    `mount ${j.mount}: ${j.path}`,
    ROTATION_STAGE_TEXT[status.stage],
    '',
    line(head),
    ...rows.map(line),
    '',
    `hosts trust ${status.trustedKeys.length} key(s); longest certificate lifetime ${j.longest_ttl}s${j.longest_ttl_role ? ` (role ${j.longest_ttl_role})` : ''}`,
  ];
  if (status.stage === 2) {
    out.push(
      now >= status.stage3AllowedAt!
        ? `stage 3 allowed since ${iso(status.stage3AllowedAt!)}`
        : `stage 3 allowed from ${iso(status.stage3AllowedAt!)} (in ${status.stage3AllowedAt! - now}s)`,
    );
  }
  return `${out.join('\n')}\n`;
}

export const rotateCommand: Command = {
  name: 'rotate',
  summary: 'rotate a mount’s CA key in three stages without refusing a valid login (--status shows where it is)',
  help: HELP,
  async run(argv) {
    const { values } = usageErrors(() =>
      parseArgs({
        args: [...argv],
        strict: true,
        options: {
          mount: { type: 'string' },
          stage: { type: 'string' },
          status: { type: 'boolean' },
          json: { type: 'boolean' },
          'key-type': { type: 'string' },
          'trusted-keys-out': { type: 'string' },
          environment: { type: 'string' },
          address: { type: 'string' },
        },
      }),
    );
    const mount = required(normaliseMount(values.mount), 'mount');
    if ((values.stage === undefined) === (values.status !== true)) {
      throw new UsageError('give exactly one of --stage 1|2|3 and --status');
    }
    if (values.stage !== undefined && !/^[123]$/.test(values.stage)) {
      throw new UsageError(`--stage must be 1, 2 or 3, got ${JSON.stringify(values.stage)}`);
    }
    if (values.json && values.stage !== undefined) throw new UsageError('--json goes with --status');
    const client = new VaultClient(
      clientOptionsFromEnv(process.env, values.address ? { address: values.address } : {}, '--address'),
    );
    const now = () => Math.floor(Date.now() / 1000);
    let { status, longest } = await readRotation(client, mount);

    if (values.stage !== undefined) {
      const stage = Number(values.stage) as RotationStage;
      const done = await runRotationStage(client, mount, stage, {
        now,
        ...(values['key-type'] ? { keyType: values['key-type'] } : {}),
      });
      ({ status, longest } = done);
      switch (done.step.kind) {
        case 'stage1':
          process.stdout.write(
            `stage 1: new key ${done.staged!.name} (${done.staged!.id}) staged on ${mount}; the backend still signs with the old key.\n` +
              'Now give every host both keys (TrustedUserCAKeys), then run stage 2.\n',
          );
          break;
        case 'stage2':
          process.stdout.write(
            `stage 2: ${mount} now signs with the new key; hosts keep trusting both keys.\n` +
              `Stage 3 is allowed from ${iso(now() + longest.seconds)} (longest certificate lifetime ${longest.seconds}s).\n`,
          );
          break;
        case 'stage3':
          process.stdout.write(`stage 3: the old key is deleted from ${mount}; hosts now trust the new key only.\n`);
          break;
        case 'nothing':
          process.stdout.write(`stage ${stage}: nothing to do (${done.step.reason}).\n`);
          break;
      }
    } else {
      const j = statusJson(mount, status, longest, now());
      process.stdout.write(values.json ? `${JSON.stringify(j, null, 2)}\n` : statusTable(j, status, now()));
    }

    const out = values['trusted-keys-out'];
    if (out !== undefined) {
      const environment = values.environment ?? (mount.toLowerCase().replace(/[^a-z0-9_-]+/g, '-').replace(/^[^a-z0-9]+/, '').slice(0, 32) || 'ssh');
      const trust = validateHostTrust({ environment, caKeys: status.trustedKeys, principals: {} });
      writeFileAtomic(out, renderTrustedCaKeys(trust), { mode: 0o644, overwrite: true });
      if (!values.json) process.stdout.write(`wrote ${out}: ${status.trustedKeys.length} trusted CA key(s)\n`);
    }
    return 0;
  },
};
