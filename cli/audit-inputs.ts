// The logs `sshca audit` and `sshca report` join (issue 21): the backend's file audit log and sshd
// logs (files or standard input, one per host), read and parsed, with the login serials hashed through
// the backend's sys/audit-hash when the audit log has them HMAC'd (never un-hashed). One reading for
// both commands.

import { resolve } from 'node:path';
import { listAuditDevices } from '../client/access-api.js';
import { hashAuditValue } from '../client/audit-api.js';
import type { VaultClient } from '../client/vault-client.js';
import { isAuditHash, parseAuditLog, type AuditSign } from '../core/audit/audit-log.js';
import { planSerialLookups } from '../core/audit/join.js';
import { parseSshdLog, type SshdLogin } from '../core/audit/sshd-log.js';
import { parseDurationSeconds } from '../core/duration.js';
import { UsageError } from '../core/errors.js';
import { readText } from './files.js';

/** What the two commands are given. */
export interface AuditInputs {
  readonly auditLog: string;
  /** `[HOST=]FILE` each; `-` is standard input. */
  readonly sshdLogs: readonly string[];
  /** The audit device that wrote the log, for sys/audit-hash. */
  readonly auditDevice?: string;
}

/** The logs, read: every signing, every certificate login, the hashes of the login serials. */
export interface AuditLogs {
  readonly signs: AuditSign[];
  readonly logins: SshdLogin[];
  readonly serialHashes: Map<string, string>;
  /** What was read, as given: `audit.log`, `web1=web1.log`. */
  readonly sources: string[];
}

/** `--since`: an ISO 8601 time or a duration ago (`24h`, `7d`), as ms since the epoch. */
export function parseSince(value: string, now: number): number {
  if (/^\d{4}-\d{2}-\d{2}/.test(value)) {
    const ms = Date.parse(value);
    if (!Number.isNaN(ms)) return ms;
  } else {
    try {
      const d = /^\d+d$/.test(value) ? Number(value.slice(0, -1)) * 86400 : parseDurationSeconds(value);
      return now - d * 1000;
    } catch {
      /* fall through */
    }
  }
  throw new UsageError(
    `--since needs an ISO 8601 time (2025-03-05T10:00:00Z) or a duration such as 24h or 7d, got ${JSON.stringify(value)}`,
  );
}

/** Check the `--sshd-log` values before anything is read. */
export function checkSshdLogSpecs(specs: readonly string[]): void {
  if (specs.filter((s) => s === '-' || s.endsWith('=-')).length > 1)
    throw new UsageError('--sshd-log -: standard input can be read once only');
  for (const spec of specs) {
    const eq = spec.indexOf('=');
    if ((eq > 0 ? spec.slice(eq + 1) : spec) === '')
      throw new UsageError(`--sshd-log needs FILE or HOST=FILE, got ${JSON.stringify(spec)}`);
  }
}

/**
 * Read and parse the logs; when the audit log has serials HMAC'd and there are logins, hash their
 * serials through the backend (`client()` is asked for only then).
 */
export async function readAuditLogs(
  inputs: AuditInputs,
  now: number,
  client: () => Promise<VaultClient>,
): Promise<AuditLogs> {
  checkSshdLogSpecs(inputs.sshdLogs);
  const { signs } = parseAuditLog(readText(inputs.auditLog, 'the audit log'));
  const year = new Date(now).getUTCFullYear();
  const logins: SshdLogin[] = [];
  for (const spec of inputs.sshdLogs) {
    const eq = spec.indexOf('=');
    const host = eq > 0 ? spec.slice(0, eq) : undefined;
    const file = eq > 0 ? spec.slice(eq + 1) : spec;
    logins.push(...parseSshdLog(readText(file, 'the sshd log'), { year, ...(host !== undefined ? { host } : {}) }));
  }
  const serialHashes = new Map<string, string>();
  if (logins.length > 0 && signs.some((s) => isAuditHash(s.serialNumber))) {
    const c = await client();
    let device = inputs.auditDevice;
    if (device === undefined) {
      const devices = Object.values(await listAuditDevices(c));
      const byFile = devices.filter(
        (d) => d.options.file_path !== undefined && resolve(d.options.file_path) === resolve(inputs.auditLog),
      );
      const chosen = byFile.length === 1 ? byFile : devices;
      if (chosen.length !== 1) {
        throw new UsageError(
          `the backend has ${devices.length} audit devices (${devices.map((d) => d.path).join(', ') || 'none'}) and none writes ${inputs.auditLog}: name the one that wrote it with --audit-device`,
        );
      }
      device = chosen[0]!.path;
    }
    for (const hex of planSerialLookups(logins)) serialHashes.set(hex, await hashAuditValue(c, device, hex));
  }
  return { signs, logins, serialHashes, sources: [inputs.auditLog, ...inputs.sshdLogs] };
}
