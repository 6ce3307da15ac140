// `sshca audit` (issue 21, point 1): who obtained the certificate behind each SSH login. Reads the
// backend's file audit log and sshd logs (files or stdin, one per host), joins them in core/audit by
// serial (hashed through the backend's sys/audit-hash when the audit log has it HMAC'd; never
// un-hashed), and prints the logins with their signer, the certificates never used, and the logins
// with certificates the audit log does not know. Exit 1 when a log cannot be read.

import { parseArgs } from 'node:util';
import { renderAuditTable, resolveAuditReport, type AuditFilters } from '../core/audit/join.js';
import { UsageError } from '../core/errors.js';
import { normaliseMount, required, usageErrors } from './args.js';
import { checkSshdLogSpecs, parseSince, readAuditLogs } from './audit-inputs.js';
import { authenticate, invalidTokenError } from './auth.js';
import type { Command } from './command.js';
import { authOptionsOf } from './login.js';

const HELP = `Usage: sshca audit --audit-log FILE --sshd-log [HOST=]FILE... [options]

Answer "who logged in where, with whose certificate": join the backend's file audit log with sshd's
logs. For each certificate login sshd accepted ("Accepted publickey for ACCOUNT from IP port P ssh2:
ED25519-CERT SHA256:… ID KEYID (serial N) CA …") it finds the audit entry that signed the
certificate (sign/ or issue/ of an SSH mount) and shows who obtained it (auth method, user, display
name, policies, token accessor, entity), when, under which role, on which host and account it was
used; then the certificates signed but never used, and the logins with certificates the audit log
does not know (signed by another CA, or outside the period the audit log covers).

The audit log has the serial HMAC'd (Vault's default): the serials from the sshd logs are hashed by
the backend (POST sys/audit-hash/DEVICE, needs a token allowed to) and the hashes compared; nothing
is un-hashed. A device with log_raw=true needs no backend at all.

Options:
  --audit-log FILE         the file audit device's log (JSON lines, as Vault writes them)
  --sshd-log [HOST=]FILE   an sshd log: auth.log, journalctl text (any of its short formats) or sshd -e
                           output; "-" reads standard input. HOST= names the host of its lines (else
                           the syslog host name of each line). Repeat for several hosts
  --audit-device PATH      the audit device that wrote the log, for sys/audit-hash (default: the
                           device whose file_path is FILE, else the only enabled device)
  --mount MOUNT            only certificates of this SSH mount, e.g. ssh-dev
  --since TIME             only from TIME on: an ISO 8601 time (2025-03-05T10:00:00Z) or a duration
                           ago (24h, 7d is 168h)
  --user NAME              only this user: who signed (user name or display name) or the account
  --host HOST              only logins on this host (the unused list is not per host)
  --json                   print the report as JSON
  --address URL            backend address (default VAULT_ADDR or BAO_ADDR)
  --token TOKEN            token (default VAULT_TOKEN, BAO_TOKEN, then ~/.vault-token)
  -h, --help               show this help

Syslog times carry no year: this year is assumed. Lines of sshd -e have no time at all: such a login
counts for --since by its certificate's signing time.

Examples:
  # the audit device "file" of the embedded server and two hosts' journals
  journalctl -u ssh --since today > web1.log
  sshca audit --audit-log /var/log/vault_audit.log --sshd-log web1=web1.log --sshd-log web2=web2.log

  # one host's auth.log over ssh, as JSON, logins of testuser in the last day
  ssh web1 cat /var/log/auth.log | sshca audit --audit-log audit.log --sshd-log web1=- --user testuser --since 24h --json

Exit codes: 0 report printed, 1 a log cannot be read or the backend refused, 2 bad command line,
3 the token is invalid.
`;

export const auditCommand: Command = {
  name: 'audit',
  summary: 'join the audit log with sshd logs: who obtained the certificate of each login',
  help: HELP,
  async run(argv) {
    const { values } = usageErrors(() =>
      parseArgs({
        args: [...argv],
        strict: true,
        options: {
          'audit-log': { type: 'string' },
          'sshd-log': { type: 'string', multiple: true },
          'audit-device': { type: 'string' },
          mount: { type: 'string' },
          since: { type: 'string' },
          user: { type: 'string' },
          host: { type: 'string' },
          json: { type: 'boolean' },
          address: { type: 'string' },
          token: { type: 'string' },
        },
      }),
    );
    const auditLog = required(values['audit-log'], 'audit-log');
    const sshdLogs = values['sshd-log'] ?? [];
    if (sshdLogs.length === 0) throw new UsageError('missing required option --sshd-log');
    const now = Date.now();
    const filters: AuditFilters = {
      ...(values.mount !== undefined ? { mount: normaliseMount(values.mount)! } : {}),
      ...(values.since !== undefined ? { since: parseSince(values.since, now) } : {}),
      ...(values.user !== undefined ? { user: values.user } : {}),
      ...(values.host !== undefined ? { host: values.host } : {}),
    };
    checkSshdLogSpecs(sshdLogs);
    let logs;
    try {
      logs = await readAuditLogs(
        {
          auditLog,
          sshdLogs,
          ...(values['audit-device'] !== undefined ? { auditDevice: values['audit-device'] } : {}),
        },
        now,
        async () => (await authenticate(authOptionsOf(values))).client,
      );
    } catch (e) {
      throw invalidTokenError(e) ?? e;
    }
    const { signs, logins, serialHashes } = logs;

    const report = resolveAuditReport({ signs, logins, serialHashes }, filters);
    process.stdout.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : renderAuditTable(report));
    return 0;
  },
};
