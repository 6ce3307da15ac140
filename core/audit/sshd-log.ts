// sshd's certificate logins as its log shows them (issue 21, point 1). OpenSSH logs an accepted
// certificate (auth2-pubkey.c format_key, via auth.c auth_log) as
//   Accepted publickey for ACCOUNT from IP port P ssh2: ED25519-CERT SHA256:<key fp> ID <key id> (serial N) CA ED25519 SHA256:<ca fp>
// with the serial in decimal. The line may stand alone (`sshd -e`), or follow a syslog prefix
// (auth.log: `Mar  5 10:00:00 web1 sshd[123]: `, RFC 3339 `2025-03-05T10:00:00.123456+00:00 web1 sshd[123]: `)
// or a journal one (`journalctl`: `Mar 05 10:00:00 web1 sshd[123]: `, `-o short-iso`). Pure: no I/O, no clock.

/** One certificate login sshd accepted. */
export interface SshdLogin {
  /** ISO 8601 time of the line (UTC when the log gives no zone); undefined when the line has none. */
  readonly time?: string;
  /** The host: the label the log was given, else the syslog host name; '' when neither. */
  readonly host: string;
  /** The account logged in to. */
  readonly account: string;
  readonly from: string;
  readonly port: number;
  /** The certificate's key type as sshd names it, e.g. `ED25519-CERT`. */
  readonly keyType: string;
  /** Fingerprint of the certified key, `SHA256:…`. */
  readonly keyFingerprint: string;
  readonly keyId: string;
  /** The serial in decimal, as sshd logs it. */
  readonly serial: string;
  /** Fingerprint of the CA key that signed the certificate, `SHA256:…`. */
  readonly caFingerprint: string;
}

/** Where the lines come from. */
export interface SshdLogSource {
  /** The host name to give every login. @default the syslog host name of each line, else '' */
  readonly host?: string;
  /** The year of syslog times, which have none (`Mar  5 10:00:00`). */
  readonly year: number;
}

const ACCEPTED =
  /Accepted publickey for (\S+) from (\S+) port (\d+) ssh2: (\S+-CERT) (\S+) ID (.*) \(serial (\d+)\) CA (\S+) (\S+)/;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
/** `2025-03-05T10:00:00[.frac](Z|±hh:mm|±hhmm) host sshd[pid]: ` */
const ISO_PREFIX = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?)(Z|[+-]\d{2}:?\d{2})? (\S+) sshd(?:-session)?\[\d+\]: /;
/** `Mar  5 10:00:00 host sshd[pid]: ` (auth.log) or `Mar 05 10:00:00 host sshd[pid]: ` (journal). */
const SYSLOG_PREFIX = /^([A-Z][a-z]{2}) +(\d{1,2}) (\d{2}):(\d{2}):(\d{2}) (\S+) sshd(?:-session)?\[\d+\]: /;

function isoTime(date: string, zone: string | undefined): string | undefined {
  const z = zone === undefined || zone === 'Z' ? 'Z' : zone.includes(':') ? zone : `${zone.slice(0, 3)}:${zone.slice(3)}`;
  const ms = Date.parse(`${date}${z}`);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

/** The certificate logins of an sshd log, in log order; other lines are skipped. */
export function parseSshdLog(text: string, source: SshdLogSource): SshdLogin[] {
  const out: SshdLogin[] = [];
  for (const line of text.split('\n')) {
    const m = ACCEPTED.exec(line);
    if (!m) continue;
    let time: string | undefined;
    let syslogHost: string | undefined;
    const iso = ISO_PREFIX.exec(line);
    const sys = iso ? null : SYSLOG_PREFIX.exec(line);
    if (iso) {
      time = isoTime(iso[1]!, iso[2]);
      syslogHost = iso[3];
    } else if (sys) {
      const month = MONTHS.indexOf(sys[1]!);
      if (month >= 0) {
        time = new Date(
          Date.UTC(source.year, month, Number(sys[2]), Number(sys[3]), Number(sys[4]), Number(sys[5])),
        ).toISOString();
      }
      syslogHost = sys[6];
    }
    out.push({
      ...(time !== undefined ? { time } : {}),
      host: source.host ?? syslogHost ?? '',
      account: m[1]!,
      from: m[2]!,
      port: Number(m[3]),
      keyType: m[4]!,
      keyFingerprint: m[5]!,
      keyId: m[6]!,
      serial: m[7]!,
      caFingerprint: m[9]!,
    });
  }
  return out;
}

/** A decimal serial as Vault's `serial_number` writes it: lower-case hex without leading zeros. */
export const serialHex = (decimal: string): string => BigInt(decimal).toString(16);
