// The join of the backend's audit log with sshd logs (issue 21, point 1): each certificate login
// attributed to the audit entry that signed its certificate (matched by serial: Vault logs it in
// hex, HMAC'd by default, sshd in decimal, so the serial is hashed through sys/audit-hash and the
// hashes compared), the certificates signed but never used, and the logins with certificates the
// audit log does not know. Filters and the table. Pure: the hashes come in as a map.

import type { AuditSign } from './audit-log.js';
import { serialHex, type SshdLogin } from './sshd-log.js';

/** A login whose certificate the audit log knows. */
export interface AttributedLogin {
  readonly login: SshdLogin;
  readonly certificate: AuditSign;
}

/** What `sshca audit` reports. */
export interface AuditReport {
  readonly logins: AttributedLogin[];
  /** Certificates signed that no login in the given sshd logs used. */
  readonly unused: AuditSign[];
  /** Logins with a certificate the audit log has no signing of (signed elsewhere). */
  readonly unknown: SshdLogin[];
}

/** What to keep. */
export interface AuditFilters {
  /** Mount of the certificates: others' logins and signings are left out (unknown logins stay). */
  readonly mount?: string;
  /**
   * Only from this time on (ms since the epoch): logins at or after it (a login whose line has no time
   * counts by its certificate's signing time; an unknown one without time is kept), signings at or after it.
   */
  readonly since?: number;
  /** Only this user: the signer's user name or display name, or the login's account. */
  readonly user?: string;
  /** Only logins on this host (the unused list is not per host). */
  readonly host?: string;
}

/** What to join. */
export interface AuditJoinInput {
  readonly signs: readonly AuditSign[];
  readonly logins: readonly SshdLogin[];
  /** Hex serial (as Vault writes it) → its HMAC under the audit device, for serials logged hashed. */
  readonly serialHashes?: ReadonlyMap<string, string>;
}

/** The hex serials whose HMAC the join needs: every distinct login serial. */
export const planSerialLookups = (logins: readonly SshdLogin[]): string[] => [
  ...new Set(logins.map((l) => serialHex(l.serial))),
];

const at = (iso: string | undefined): number | undefined => {
  if (iso === undefined) return undefined;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? undefined : ms;
};

/** Join, then filter. */
export function resolveAuditReport(input: AuditJoinInput, filters: AuditFilters = {}): AuditReport {
  const bySerial = new Map<string, AuditSign>();
  for (const s of input.signs) if (!bySerial.has(s.serialNumber)) bySerial.set(s.serialNumber, s);
  const used = new Set<AuditSign>();
  const logins: AttributedLogin[] = [];
  const unknown: SshdLogin[] = [];
  for (const login of input.logins) {
    const hex = serialHex(login.serial);
    const hash = input.serialHashes?.get(hex);
    const certificate = bySerial.get(hex) ?? (hash !== undefined ? bySerial.get(hash) : undefined);
    if (certificate) {
      used.add(certificate);
      logins.push({ login, certificate });
    } else unknown.push(login);
  }
  const f = filters;
  const signerIs = (s: AuditSign) => s.user === f.user || s.displayName === f.user;
  const sinceOk = (time: string | undefined, fallback: boolean) => {
    if (f.since === undefined) return true;
    const ms = at(time);
    return ms === undefined ? fallback : ms >= f.since;
  };
  const signedSince = (s: AuditSign) => sinceOk(s.time, true);
  return {
    logins: logins.filter(
      ({ login, certificate }) =>
        (f.mount === undefined || certificate.mount === f.mount) &&
        sinceOk(login.time, signedSince(certificate)) &&
        (f.user === undefined || signerIs(certificate) || login.account === f.user) &&
        (f.host === undefined || login.host === f.host),
    ),
    unused: input.signs.filter(
      (s) =>
        !used.has(s) &&
        (f.mount === undefined || s.mount === f.mount) &&
        signedSince(s) &&
        (f.user === undefined || signerIs(s)),
    ),
    unknown: unknown.filter(
      (l) =>
        sinceOk(l.time, true) &&
        (f.user === undefined || l.account === f.user) &&
        (f.host === undefined || l.host === f.host),
    ),
  };
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  if (rows.length === 0) return '(none)\n';
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  return [header, ...rows]
    .map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  '))
    .join('\n')
    .concat('\n');
}

const or = (v: string | undefined) => (v === undefined || v === '' ? '-' : v);
const shownSerial = (s: AuditSign) => (s.serialNumber.startsWith('hmac-sha256:') ? '(hashed)' : s.serialNumber);

/** The plain table: logins, certificates never used, logins with unknown certificates. */
export function renderAuditTable(r: AuditReport): string {
  return [
    'Logins:\n',
    table(
      ['TIME', 'HOST', 'ACCOUNT', 'FROM', 'SERIAL', 'SIGNED BY', 'METHOD', 'ROLE', 'SIGNED AT'],
      r.logins.map(({ login: l, certificate: c }) => [
        or(l.time),
        or(l.host),
        l.account,
        l.from,
        l.serial,
        c.user,
        c.authMethod,
        `${c.mount}/${c.role}`,
        c.time,
      ]),
    ),
    '\nSigned, never used:\n',
    table(
      ['SIGNED AT', 'SIGNED BY', 'METHOD', 'ROLE', 'SERIAL', 'REQUEST ID'],
      r.unused.map((c) => [c.time, c.user, c.authMethod, `${c.mount}/${c.role}`, shownSerial(c), c.requestId]),
    ),
    '\nUnknown certificates (not in the audit log):\n',
    table(
      ['TIME', 'HOST', 'ACCOUNT', 'FROM', 'SERIAL', 'KEY ID', 'CA'],
      r.unknown.map((l) => [or(l.time), or(l.host), l.account, l.from, l.serial, l.keyId, l.caFingerprint]),
    ),
  ].join('');
}
