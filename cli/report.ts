// `sshca report` (issue 21, point 2): a static, self-contained HTML page answering "who can reach
// what" from the backend (read-only: `--print-policy` prints the policy its token needs) and,
// optionally, the audit and sshd logs `sshca audit` joins. The page is core/report/report-html.ts;
// this file reads the inputs and writes DIR/index.html atomically.

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parse as parseYaml } from 'yaml';
import type { VaultClient } from '../client/vault-client.js';
import { reportPolicy } from '../core/acl/report-policy.js';
import { resolveAuditReport } from '../core/audit/join.js';
import { RequestError, UsageError } from '../core/errors.js';
import { resolveAccessModel } from '../core/report/access-model.js';
import { resolveActivity } from '../core/report/activity.js';
import { renderReportHtml } from '../core/report/report-html.js';
import type { ReportSnapshot, SnapshotAudit } from '../core/report/snapshot.js';
import { normaliseMount, required, usageErrors } from './args.js';
import { checkSshdLogSpecs, parseSince, readAuditLogs, type AuditInputs } from './audit-inputs.js';
import { authenticate, invalidTokenError } from './auth.js';
import type { Command } from './command.js';
import { readText, writeFileAtomic } from './files.js';
import { authOptionsOf } from './login.js';
import { packageVersion } from './package-root.js';
import { readReportSnapshot } from './report-snapshot.js';

const HELP = `Usage: sshca report --out DIR [options]
       sshca report --print-policy --mount MOUNT...

Write DIR/index.html: one self-contained page (no script, no network, works offline) answering "who
can reach what". For each SSH mount (environment): its CA keys with fingerprints and rotation stage;
each identity (userpass user, JWT/OIDC/AppRole role, identity entity) with the policies that let it
sign on a role, the role's principals, the host accounts they log in to, TTLs and extensions; its
roles. Which roles an identity reaches is worked out by the same ACL rules the backend enforces.
Given the logs (as for sshca audit), also recent logins with who obtained each certificate, the
certificates never used, logins with certificates the audit log does not know, and charts of
certificates signed per role and logins per host over time.

The token needs read access only: --print-policy prints the policy (give it to a token of its own).
Paths the token is refused are left out of the page and listed in its notes.

Options:
  --out DIR                  where the page goes (created 0700 if missing; index.html, 0600, is
                             replaced)
  --mount MOUNT              only this SSH mount; repeat for several (default: every SSH mount)
  --host-principals MOUNT=FILE
                             the hosts' account -> principals mapping of MOUNT's environment, as
                             YAML or JSON: the ssh_ca_trust_principals variable (an Ansible vars
                             file holding it works as it is). Without it, sshd's default is shown:
                             a certificate logs in to the account named like one of its principals
  --audit-log FILE           the file audit device's log (JSON lines)
  --sshd-log [HOST=]FILE     an sshd log (auth.log, journalctl text, sshd -e); "-" reads standard
                             input; repeat for several hosts. Needs --audit-log
  --audit-device PATH        the audit device that wrote the log, for sys/audit-hash (default: the
                             device whose file_path is FILE, else the only one)
  --since TIME               only logs from TIME on: ISO 8601 or a duration ago (24h, 7d)
  --print-policy             print the read-only policy the report's token needs for the --mount
                             mounts, and exit
  --address URL              backend address (default VAULT_ADDR or BAO_ADDR)
  --token TOKEN              token (default VAULT_TOKEN, BAO_TOKEN, then ~/.vault-token)
  -h, --help                 show this help

Examples:
  sshca report --print-policy --mount ssh-dev --mount ssh-prod > report.hcl
  vault policy write sshca-report report.hcl
  VAULT_TOKEN=$(vault token create -policy=sshca-report -no-default-policy -field=token) \\
    sshca report --out report
  sshca report --out report --audit-log /var/log/vault_audit.log --sshd-log web1=web1.log \\
    --host-principals ssh-dev=group_vars/dev.yml

Exit codes: 0 page written, 1 the backend or a file failed, 2 bad command line, 3 the token is invalid.
`;

/** The account → principals mapping of a `--host-principals` file. */
function readHostPrincipals(spec: string): [string, Record<string, string[]>] {
  const eq = spec.indexOf('=');
  const mount = eq > 0 ? normaliseMount(spec.slice(0, eq), 'host-principals') : undefined;
  const file = eq > 0 ? spec.slice(eq + 1) : '';
  if (!mount || file === '') throw new UsageError(`--host-principals needs MOUNT=FILE, got ${JSON.stringify(spec)}`);
  let doc: unknown;
  try {
    doc = parseYaml(readText(file, 'the host principals'));
  } catch (e) {
    if (e instanceof RequestError) throw e;
    throw new UsageError(`--host-principals ${file}: not YAML or JSON: ${(e as Error).message.split('\n')[0]}`);
  }
  const map =
    doc !== null && typeof doc === 'object' && 'ssh_ca_trust_principals' in doc
      ? (doc as Record<string, unknown>).ssh_ca_trust_principals
      : doc;
  const bad = () =>
    new UsageError(
      `--host-principals ${file}: expected a mapping of account to a list of principals (ssh_ca_trust_principals), e.g. {"deploy": ["gitlab-runner"]}`,
    );
  if (map === null || typeof map !== 'object' || Array.isArray(map)) throw bad();
  const out: Record<string, string[]> = {};
  for (const [account, principals] of Object.entries(map)) {
    if (!Array.isArray(principals) || !principals.every((p) => typeof p === 'string')) throw bad();
    out[account] = principals;
  }
  return [mount, out];
}

/** What to put in a report. */
export interface ReportOptions {
  /** The folder of index.html (created 0700 when missing). */
  readonly out: string;
  /** Only these SSH mounts; undefined = every SSH mount. */
  readonly mounts?: readonly string[];
  /** Per mount: host account → principals. */
  readonly hostPrincipals?: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>>;
  /** The logs to join; undefined = no activity section. */
  readonly audit?: AuditInputs;
  /** Only logs from this time on (ms since the epoch). */
  readonly since?: number;
}

/** Read the backend (and the logs), write OUT/index.html; what was written, in a line, and the notes. */
export async function writeReport(
  client: VaultClient,
  o: ReportOptions,
  now: number,
): Promise<{ readonly file: string; readonly summary: string; readonly notes: readonly string[] }> {
  const base = await readReportSnapshot(
    client,
    client.options.address,
    { ...(o.mounts ? { mounts: o.mounts } : {}), ...(o.hostPrincipals ? { hostPrincipals: o.hostPrincipals } : {}) },
    new Date(now),
  );
  let audit: SnapshotAudit | undefined;
  if (o.audit) {
    const logs = await readAuditLogs(o.audit, now, async () => client);
    const shown = new Set(base.mounts.map((m) => m.path));
    const since = o.since;
    const report = resolveAuditReport(
      { signs: logs.signs, logins: logs.logins, serialHashes: logs.serialHashes },
      since !== undefined ? { since } : {},
    );
    audit = {
      signs: logs.signs.filter((s) => shown.has(s.mount) && (since === undefined || Date.parse(s.time) >= since)),
      report: {
        logins: report.logins.filter((l) => shown.has(l.certificate.mount)),
        unused: report.unused.filter((s) => shown.has(s.mount)),
        unknown: report.unknown,
      },
      sources: logs.sources,
    };
  }
  const snapshot: ReportSnapshot = { ...base, ...(audit ? { audit } : {}) };
  const model = resolveAccessModel(snapshot);
  const activity = audit ? resolveActivity(audit) : undefined;
  const html = renderReportHtml({ snapshot, model, ...(activity ? { activity } : {}), version: packageVersion() });
  try {
    mkdirSync(o.out, { recursive: true, mode: 0o700 });
  } catch (e) {
    throw new RequestError(`cannot create ${o.out}: ${(e as Error).message}`);
  }
  const file = join(o.out, 'index.html');
  // 0600: the page maps who can reach which host, which is worth keeping from whoever else is on the machine.
  writeFileAtomic(file, html, { mode: 0o600, overwrite: true });
  const grants = model.environments.reduce((sum, env) => sum + env.grants.length, 0);
  const count = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
  const summary = [
    count(model.environments.length, 'environment', 'environments'),
    count(snapshot.subjects.length, 'identity', 'identities'),
    count(grants, 'identity-role grant', 'identity-role grants'),
    ...(audit
      ? [
          count(audit.report.logins.length, 'certificate login', 'certificate logins'),
          count(audit.report.unused.length, 'certificate never used', 'certificates never used'),
          count(audit.report.unknown.length, 'unknown certificate', 'unknown certificates'),
        ]
      : []),
  ].join(', ');
  return { file, summary, notes: model.notes };
}

export const reportCommand: Command = {
  name: 'report',
  summary: 'write an HTML page: who can reach what, CA keys, recent logins and signing volume',
  help: HELP,
  async run(argv) {
    const { values } = usageErrors(() =>
      parseArgs({
        args: [...argv],
        strict: true,
        options: {
          out: { type: 'string' },
          mount: { type: 'string', multiple: true },
          'host-principals': { type: 'string', multiple: true },
          'audit-log': { type: 'string' },
          'sshd-log': { type: 'string', multiple: true },
          'audit-device': { type: 'string' },
          since: { type: 'string' },
          'print-policy': { type: 'boolean' },
          address: { type: 'string' },
          token: { type: 'string' },
        },
      }),
    );
    const mounts = (values.mount ?? []).map((m) => normaliseMount(m)!);
    if (values['print-policy']) {
      if (mounts.length === 0) {
        throw new UsageError('--print-policy needs the SSH mounts the report reads: --mount MOUNT, once per mount');
      }
      process.stdout.write(reportPolicy(mounts));
      return 0;
    }
    const out = required(values.out, 'out');
    const sshdLogs = values['sshd-log'] ?? [];
    const auditLog = values['audit-log'];
    if (sshdLogs.length > 0 && auditLog === undefined)
      throw new UsageError('--sshd-log needs --audit-log (the signings to join the logins with)');
    checkSshdLogSpecs(sshdLogs);
    const now = Date.now();
    const since = values.since !== undefined ? parseSince(values.since, now) : undefined;
    if (since !== undefined && auditLog === undefined)
      throw new UsageError('--since filters the logs: it needs --audit-log');
    const hostPrincipals = Object.fromEntries((values['host-principals'] ?? []).map(readHostPrincipals));
    for (const m of Object.keys(hostPrincipals)) {
      if (mounts.length > 0 && !mounts.includes(m))
        throw new UsageError(`--host-principals ${m}: not one of the --mount mounts (${mounts.join(', ')})`);
    }

    try {
      const { client } = await authenticate(authOptionsOf({ address: values.address, token: values.token }));
      const written = await writeReport(
        client,
        {
          out,
          ...(mounts.length > 0 ? { mounts } : {}),
          hostPrincipals,
          ...(auditLog !== undefined
            ? {
                audit: {
                  auditLog,
                  sshdLogs,
                  ...(values['audit-device'] !== undefined ? { auditDevice: values['audit-device'] } : {}),
                },
              }
            : {}),
          ...(since !== undefined ? { since } : {}),
        },
        now,
      );
      process.stdout.write(`wrote ${written.file}: ${written.summary}\n`);
      for (const note of written.notes) process.stderr.write(`sshca report: note: ${note}\n`);
    } catch (e) {
      throw invalidTokenError(e) ?? e;
    }
    return 0;
  },
};
