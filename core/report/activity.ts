// Activity over time for the report page (issue 21, point 2): certificates signed per role and
// logins per host, counted in buckets of one hour, one day or one week (the smallest that keeps the
// chart at 120 bars or fewer; at least 12 bars, ending with the newest), plus when each identity last logged in. From `sshca audit`'s join. Pure.

import type { AuditSign } from '../audit/audit-log.js';
import type { AttributedLogin } from '../audit/join.js';
import type { SnapshotAudit, SnapshotSubject } from './snapshot.js';

/** One line of a chart: a name and a count per bucket. */
export interface Series {
  readonly name: string;
  readonly values: readonly number[];
}

/** Counts over time. */
export interface Activity {
  /** Bucket length in seconds: 3600, 86400 or 604800. */
  readonly bucketSeconds: number;
  /** Each bucket's start, ISO 8601 UTC. */
  readonly buckets: readonly string[];
  /** Certificates signed per `<mount>/<role>`. */
  readonly signsByRole: readonly Series[];
  /** Certificate logins per host. */
  readonly loginsByHost: readonly Series[];
}

const SIZES = [3600, 86400, 7 * 86400];
const MAX_BUCKETS = 120;
const MIN_BUCKETS = 12;

const ms = (iso: string | undefined): number | undefined => {
  if (iso === undefined) return undefined;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? undefined : t;
};

/** When a login happened: its line's time, else its certificate's signing time. */
export const loginTime = (l: AttributedLogin): string | undefined => l.login.time ?? l.certificate.time;

/** The signings and logins of an audit join, counted over time; undefined when nothing has a time. */
export function resolveActivity(audit: SnapshotAudit): Activity | undefined {
  const signs = audit.signs.flatMap((s) =>
    ms(s.time) !== undefined ? [{ at: ms(s.time)!, name: `${s.mount}/${s.role}` }] : [],
  );
  const logins = audit.report.logins.flatMap((l) => {
    const at = ms(loginTime(l));
    return at !== undefined ? [{ at, name: l.login.host || '(unnamed host)' }] : [];
  });
  const unknown = audit.report.unknown.flatMap((l) => {
    const at = ms(l.time);
    return at !== undefined ? [{ at, name: l.host || '(unnamed host)' }] : [];
  });
  const all = [...signs, ...logins, ...unknown].map((e) => e.at);
  if (all.length === 0) return undefined;
  const min = Math.min(...all);
  const max = Math.max(...all);
  const size =
    SIZES.find((s) => Math.floor(max / 1000 / s) - Math.floor(min / 1000 / s) < MAX_BUCKETS) ?? SIZES.at(-1)!;
  const last = Math.floor(max / 1000 / size);
  // At least MIN_BUCKETS bars (a chart of one wide bar says little) and at most MAX_BUCKETS, always
  // ending with the newest: over a very long span the oldest weeks are left out.
  const first = Math.max(Math.min(Math.floor(min / 1000 / size), last - MIN_BUCKETS + 1), last - MAX_BUCKETS + 1);
  const count = Math.min(last - first + 1, MAX_BUCKETS);
  const series = (events: readonly { at: number; name: string }[]): Series[] => {
    const byName = new Map<string, number[]>();
    for (const e of events) {
      const i = Math.floor(e.at / 1000 / size) - first;
      if (i < 0 || i >= count) continue;
      if (!byName.has(e.name)) byName.set(e.name, new Array<number>(count).fill(0));
      byName.get(e.name)![i]!++;
    }
    return [...byName.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([name, values]) => ({ name, values }));
  };
  return {
    bucketSeconds: size,
    buckets: Array.from({ length: count }, (_, i) =>
      new Date((first + i) * size * 1000).toISOString().replace('.000Z', 'Z'),
    ),
    signsByRole: series(signs),
    loginsByHost: series([...logins, ...unknown]),
  };
}

/** Whether a signing was done by this identity (by auth method path and name, as the audit log has them). */
export function signedBy(sign: AuditSign, subject: SnapshotSubject): boolean {
  if (subject.kind === 'entity') return subject.entityId !== undefined && sign.entityId === subject.entityId;
  // Vault's display name is the auth method's path (slashes as dashes), a dash, then the login's name.
  const method = subject.authPath.replace(/\//g, '-');
  // A userpass login's display name is exactly that (so `userpass-corp-alice` is not alice of
  // `userpass`); a JWT/OIDC/AppRole login's names the claim, its metadata the role.
  if (subject.kind === 'userpass') return sign.displayName.toLowerCase() === `${method}-${subject.name}`.toLowerCase();
  return sign.displayName.startsWith(`${method}-`) && sign.user.toLowerCase() === subject.name.toLowerCase();
}

/** The identity's last login (ISO time) and how many logins its certificates made. */
export function lastLoginOf(
  logins: readonly AttributedLogin[],
  subject: SnapshotSubject,
  mount: string,
  role: string,
): { readonly last?: string; readonly count: number } {
  let last: string | undefined;
  let count = 0;
  for (const l of logins) {
    if (l.certificate.mount !== mount || l.certificate.role !== role || !signedBy(l.certificate, subject)) continue;
    count++;
    const t = loginTime(l);
    if (t !== undefined && (last === undefined || (ms(t) ?? 0) > (ms(last) ?? 0))) last = t;
  }
  return { ...(last !== undefined ? { last } : {}), count };
}
