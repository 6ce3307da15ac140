// `sshca drift` (issue 20, point 3), pure: the one read-only command run on each host, the reading of
// its output, and the comparison of what a host has (sshd's effective TrustedUserCAKeys, RevokedKeys,
// AuthorizedPrincipalsFile and HostCertificate, and those files' contents) with what the backend and
// the inventory say it should have. Each difference is a finding with a code, a severity and a
// sentence that says what to do. The CLI (cli/drift.ts) does the I/O.

import { parseCertificate } from './cert/certificate.js';
import { parseKrlHeader } from './krl/krl-header.js';
import { fingerprint, parseSshPublicKey } from './keys/public-key.js';

/** How bad a finding is: `drift` makes the host drifted (exit 1), `warning` does not. */
export type DriftSeverity = 'drift' | 'warning';

/** One difference between a host and what it should have. */
export interface DriftFinding {
  readonly code:
    | 'probe-failed'
    | 'current-key-not-trusted'
    | 'staged-key-not-trusted'
    | 'unknown-key-trusted'
    | 'trusted-keys-missing'
    | 'krl-not-configured'
    | 'krl-missing'
    | 'krl-unreadable'
    | 'krl-old'
    | 'principals-not-configured'
    | 'principals-account-missing'
    | 'principals-missing'
    | 'principals-differ'
    | 'host-certificate-missing'
    | 'host-certificate-unreadable'
    | 'host-certificate-expired'
    | 'host-certificate-expiring';
  readonly severity: DriftSeverity;
  readonly message: string;
}

/** What the backend and the inventory say a host should have. */
export interface DriftExpectation {
  readonly mount: string;
  /** The key the mount signs with (`<algorithm> <base64>`). */
  readonly currentKey: string;
  /** Rotation stage 1: the next key, which hosts must trust already. */
  readonly stagedKey?: string;
  /** Rotation stage 2: the previous key, which hosts may still trust until stage 3. */
  readonly retiredKey?: string;
  /** Other keys of the mount (a backup CA): trusting them is expected. */
  readonly otherKeys?: readonly string[];
  /** The version of the mount's revocations in the backend (the KV secret's); 0 = none recorded. */
  readonly krlVersion: bigint;
  /** Account → principals its AuthorizedPrincipalsFile must list; undefined: not checked. */
  readonly principals?: Readonly<Record<string, readonly string[]>>;
  /** Where `principals` come from, for messages, e.g. `ssh_ca_trust_principals`. */
  readonly principalsSource?: string;
  /** Now, Unix seconds. */
  readonly now: number;
}

/** A file the probe read: its contents, or undefined when it is missing or unreadable. */
export interface ProbedFile {
  readonly path: string;
  readonly content?: Buffer;
}

/** What the probe found on a host. */
export type DriftProbe =
  | { readonly ok: false; readonly message: string }
  | {
      readonly ok: true;
      /** The sshd_config sshd -T read. */
      readonly config: string;
      /** undefined: TrustedUserCAKeys none. */
      readonly trustedUserCaKeys?: ProbedFile;
      /** undefined: RevokedKeys none. */
      readonly revokedKeys?: ProbedFile;
      /** The AuthorizedPrincipalsFile pattern; undefined: none. */
      readonly authorizedPrincipalsFile?: string;
      /** Per checked account: its principals file, or `null` when the account does not exist. */
      readonly principals: Readonly<Record<string, ProbedFile | null>>;
      readonly hostCertificates: readonly ProbedFile[];
    };

const MARK = '@@sshca-drift';

/** A POSIX shell single-quoted word. */
export const shellQuote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/**
 * The one command `sshca drift` runs on a host, read-only: as root (else through `sudo -n`), find the
 * sshd_config of the sshd serving this connection (its `-f`, else /etc/ssh/sshd_config), run `sshd -T`
 * for this connection, and print the four settings and the files they name (base64), for `accounts`'
 * principals files too. {@link parseDriftProbe} reads its output.
 */
export function renderDriftProbeCommand(user: string, accounts: readonly string[]): string {
  const script = [
    'PATH=$PATH:/usr/sbin:/sbin; export PATH',
    `u=${shellQuote(user)}`,
    `accounts=${shellQuote(accounts.join(' '))}`,
    `echo "${MARK} uid $(id -u)"`,
    // The sshd serving this connection is an ancestor; a listener started with -f names its config.
    'cfg=/etc/ssh/sshd_config; p=$$',
    'while [ -n "$p" ] && [ "$p" -gt 1 ]; do',
    '  c=$(tr "\\000" " " < /proc/$p/cmdline 2>/dev/null)',
    // Only an sshd's own command line counts (sudo's and sh's hold this script, which says "-f").
    '  case "${c%% *}" in *sshd*) case "$c" in *" -f "*) cfg=$(printf "%s\\n" "$c" | sed -n "s/.* -f \\([^ ]*\\).*/\\1/p"); break;; esac;; esac',
    '  p=$(sed -n "s/^PPid:[[:space:]]*//p" /proc/$p/status 2>/dev/null)',
    'done',
    `echo "${MARK} config $cfg"`,
    'set -- $1',
    'spec="user=$u"; [ -n "${1:-}" ] && spec="$spec,host=$1,addr=$1,laddr=$3,lport=$4"',
    'out=$(sshd -T -f "$cfg" -C "$spec" 2>&1) || {',
    `  echo "${MARK} sshd-failed"; printf "%s\\n" "$out" | tail -n 2; exit 0; }`,
    `emit() { if [ -f "$3" ] && [ -r "$3" ]; then echo "${MARK} file $1 $2 $3"; base64 < "$3" | tr -d "\\n"; echo; else echo "${MARK} missing $1 $2 $3"; fi; }`,
    'val() { printf "%s\\n" "$out" | sed -n "s/^$1 //p"; }',
    't=$(val trustedusercakeys); echo "' + MARK + ' set trustedusercakeys $t"; [ "$t" = none ] || [ -z "$t" ] || emit trusted - "$t"',
    'r=$(val revokedkeys); echo "' + MARK + ' set revokedkeys $r"; [ "$r" = none ] || [ -z "$r" ] || emit revoked - "$r"',
    'a=$(val authorizedprincipalsfile); echo "' + MARK + ' set authorizedprincipalsfile $a"',
    'if [ "$a" != none ] && [ -n "$a" ]; then for acc in $accounts; do',
    '  h=$(getent passwd "$acc" | cut -d: -f6)',
    `  if [ -z "$h" ]; then echo "${MARK} noaccount $acc"; continue; fi`,
    '  f=$(printf "%s" "$a" | sed -e "s|%u|$acc|g" -e "s|%h|$h|g" -e "s|%%|%|g")',
    '  case "$f" in /*) ;; *) f="$h/$f";; esac',
    '  emit principals "$acc" "$f"',
    'done; fi',
    'val hostcertificate | while read -r hc; do [ -n "$hc" ] && emit hostcert - "$hc"; done',
    `echo "${MARK} end"`,
  ].join('\n');
  const q = shellQuote(script);
  return `if [ "$(id -u)" = 0 ]; then sh -c ${q} sshca-drift "$SSH_CONNECTION"; else sudo -n sh -c ${q} sshca-drift "$SSH_CONNECTION"; fi`;
}

/** Read what {@link renderDriftProbeCommand} printed (`stderr` explains a failure). */
export function parseDriftProbe(stdout: string, stderr: string, user: string): DriftProbe {
  const lines = stdout.split('\n');
  const lastWords = (text: string) =>
    text
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean)
      .pop() ?? '';
  if (!lines.some((l) => l.startsWith(`${MARK} uid `))) {
    const said = lastWords(stderr) || lastWords(stdout) || 'no output';
    return {
      ok: false,
      message:
        `cannot read sshd's configuration as ${user}: sshd -T needs root, and sudo -n refused (${said}); ` +
        `give ${user} passwordless sudo, or list the host with ansible_user root`,
    };
  }
  const failed = lines.findIndex((l) => l === `${MARK} sshd-failed`);
  if (failed >= 0) {
    return { ok: false, message: `sshd -T failed: ${lines.slice(failed + 1).filter(Boolean).join(' ') || 'no output'}` };
  }
  if (!lines.includes(`${MARK} end`)) return { ok: false, message: `the probe stopped early: ${lastWords(stderr) || 'no output'}` };
  let config = '';
  const settings: Record<string, string> = {};
  const files: { kind: string; name: string; file: ProbedFile }[] = [];
  const noAccount = new Set<string>();
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    if (!l.startsWith(`${MARK} `)) continue;
    const rest = l.slice(MARK.length + 1);
    const m = /^(file|missing) (\S+) (\S+) (.*)$/.exec(rest);
    if (m) {
      const file: ProbedFile =
        m[1] === 'file' ? { path: m[4]!, content: Buffer.from(lines[++i] ?? '', 'base64') } : { path: m[4]! };
      files.push({ kind: m[2]!, name: m[3]!, file });
      continue;
    }
    const s = /^set (\S+) ?(.*)$/.exec(rest);
    if (s) settings[s[1]!] = s[2]!;
    else if (rest.startsWith('config ')) config = rest.slice(7);
    else if (rest.startsWith('noaccount ')) noAccount.add(rest.slice(10));
  }
  const one = (kind: string) => files.find((f) => f.kind === kind)?.file;
  const principals: Record<string, ProbedFile | null> = {};
  for (const a of noAccount) principals[a] = null;
  for (const f of files.filter((x) => x.kind === 'principals')) principals[f.name] = f.file;
  const apf = settings.authorizedprincipalsfile;
  return {
    ok: true,
    config,
    ...(one('trusted') ? { trustedUserCaKeys: one('trusted')! } : {}),
    ...(one('revoked') ? { revokedKeys: one('revoked')! } : {}),
    ...(apf && apf !== 'none' ? { authorizedPrincipalsFile: apf } : {}),
    principals,
    hostCertificates: files.filter((f) => f.kind === 'hostcert').map((f) => f.file),
  };
}

/** The key lines of an authorized_keys-like file (no blank lines, no comments). */
const keyLines = (text: string): string[] =>
  text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));

const fp = (line: string): string | undefined => {
  try {
    return fingerprint(parseSshPublicKey(line.split(/\s+/).slice(0, 2).join(' ')).blob);
  } catch {
    return undefined;
  }
};

const iso = (seconds: number | bigint): string => new Date(Number(seconds) * 1000).toISOString().replace('.000Z', 'Z');

/** The findings for one host, in a fixed order: trusted keys, KRL, principals, host certificates. */
export function planDriftFindings(probe: DriftProbe, expected: DriftExpectation): DriftFinding[] {
  if (!probe.ok) return [{ code: 'probe-failed', severity: 'drift', message: probe.message }];
  const out: DriftFinding[] = [];
  const drift = (code: DriftFinding['code'], message: string) => out.push({ code, severity: 'drift', message });
  const mount = expected.mount;

  // Trusted CA keys.
  const t = probe.trustedUserCaKeys;
  if (t === undefined) {
    drift('trusted-keys-missing', `TrustedUserCAKeys is not set in ${probe.config}: the host trusts no CA; set it to a file with ${mount}'s key`);
  } else if (t.content === undefined) {
    drift('trusted-keys-missing', `TrustedUserCAKeys ${t.path} is missing: the host trusts no CA; install ${mount}'s key there`);
  } else {
    const trusted = keyLines(t.content.toString('utf8')).map(fp);
    const has = (key: string | undefined) => key !== undefined && trusted.includes(fp(key));
    const known = new Set(
      [expected.currentKey, expected.stagedKey, expected.retiredKey, ...(expected.otherKeys ?? [])]
        .filter((k): k is string => k !== undefined)
        .map(fp),
    );
    if (!has(expected.currentKey)) {
      drift(
        'current-key-not-trusted',
        `does not trust ${mount}'s signing key ${fp(expected.currentKey)} (${t.path}): its certificates are refused; render the trusted keys again (sshca rotate --mount ${mount} --status --trusted-keys-out FILE)`,
      );
    }
    if (expected.stagedKey !== undefined && !has(expected.stagedKey)) {
      drift(
        'staged-key-not-trusted',
        `does not trust ${mount}'s staged key ${fp(expected.stagedKey)} (rotation stage 1): stage 2 would lock it out; give it the trusted keys of stage 1`,
      );
    }
    for (const f of trusted.filter((x, i, a) => !known.has(x) && a.indexOf(x) === i)) {
      drift(
        'unknown-key-trusted',
        `trusts ${f ?? 'an unreadable line'}, which is not a key of ${mount} (a key retired by a rotation, or another CA's): remove it from ${t.path}`,
      );
    }
  }

  // KRL.
  const r = probe.revokedKeys;
  const want = expected.krlVersion;
  if (r === undefined) {
    if (want > 0n) {
      drift('krl-not-configured', `RevokedKeys is not set: the ${mount} revocations (KRL version ${want}) are not enforced; render them (sshca render --format krl --mount ${mount}) and set RevokedKeys`);
    }
  } else if (r.content === undefined) {
    drift('krl-missing', `RevokedKeys ${r.path} is missing: sshd refuses every key; install the KRL (sshca render --format krl --mount ${mount})`);
  } else {
    try {
      const header = parseKrlHeader(r.content);
      if (header.krlVersion < want) {
        drift('krl-old', `KRL ${r.path} is version ${header.krlVersion}, the backend's is ${want}: later revocations are not enforced; render it again (sshca render --format krl --mount ${mount})`);
      }
    } catch (e) {
      drift('krl-unreadable', `RevokedKeys ${r.path} is not a KRL (${(e as Error).message}): replace it with sshca render --format krl --mount ${mount}`);
    }
  }

  // Principals.
  if (expected.principals !== undefined) {
    const source = expected.principalsSource ?? 'the inventory';
    const accounts = Object.keys(expected.principals);
    if (probe.authorizedPrincipalsFile === undefined) {
      if (accounts.length > 0) drift('principals-not-configured', `AuthorizedPrincipalsFile is not set: ${source} expects principals files for ${accounts.join(', ')}`);
    } else {
      for (const account of accounts) {
        const want = [...expected.principals[account]!];
        const file = probe.principals[account];
        if (file === null) {
          drift('principals-account-missing', `account ${account} (in ${source}) does not exist on the host`);
        } else if (file === undefined || file.content === undefined) {
          drift('principals-missing', `principals file of ${account} ${file?.path ?? ''} is missing: ${source} lists ${want.join(', ')}`.replace('  ', ' '));
        } else {
          const have = keyLines(file.content.toString('utf8'));
          const missing = want.filter((p) => !have.includes(p));
          const extra = have.filter((p) => !want.includes(p));
          if (missing.length > 0 || extra.length > 0) {
            const parts = [
              ...(missing.length > 0 ? [`missing ${missing.join(', ')}`] : []),
              ...(extra.length > 0 ? [`extra ${extra.join(', ')}`] : []),
            ];
            drift('principals-differ', `principals of ${account} (${file.path}) differ from ${source}: ${parts.join('; ')}`);
          }
        }
      }
    }
  }

  // Host certificates: a warning within the last third of their life.
  for (const c of probe.hostCertificates) {
    if (c.content === undefined) {
      drift('host-certificate-missing', `HostCertificate ${c.path} is missing`);
      continue;
    }
    let after: bigint;
    let before: bigint;
    try {
      const cert = parseCertificate(c.content.toString('utf8'));
      after = cert.validAfter;
      before = cert.validBefore;
    } catch (e) {
      drift('host-certificate-unreadable', `HostCertificate ${c.path} is not a certificate (${(e as Error).message})`);
      continue;
    }
    const now = BigInt(expected.now);
    if (before !== (1n << 64n) - 1n) {
      if (now >= before) {
        drift('host-certificate-expired', `host certificate ${c.path} expired at ${iso(before)}: sign the host key again`);
      } else if ((before - now) * 3n <= before - after) {
        out.push({
          code: 'host-certificate-expiring',
          severity: 'warning',
          message: `host certificate ${c.path} expires at ${iso(before)}, within the last third of its life: sign the host key again`,
        });
      }
    }
  }
  return out;
}

/** A host's status from its findings. */
export type DriftStatus = 'clean' | 'warning' | 'drifted' | 'unreachable';

export const statusOf = (findings: readonly DriftFinding[]): DriftStatus =>
  findings.some((f) => f.severity === 'drift') ? 'drifted' : findings.length > 0 ? 'warning' : 'clean';

/** One host's row. */
export interface DriftRow {
  readonly host: string;
  readonly status: DriftStatus;
  readonly findings: readonly DriftFinding[];
  /** For an unreachable host: why. */
  readonly message?: string;
}

/** The exit code of a run: 4 when a host is unreachable, else 1 when one drifted, else 0. */
export const exitCodeOf = (rows: readonly DriftRow[]): number =>
  rows.some((r) => r.status === 'unreachable') ? 4 : rows.some((r) => r.status === 'drifted') ? 1 : 0;

/** The plain table: HOST, STATUS, FINDINGS, one line per finding, then a summary line. */
export function renderDriftTable(rows: readonly DriftRow[]): string {
  const lines: [string, string, string][] = [];
  for (const r of rows) {
    const texts = r.status === 'unreachable' ? [r.message ?? 'unreachable'] : r.findings.map((f) => `${f.severity === 'warning' ? 'warning: ' : ''}${f.message}`);
    if (texts.length === 0) texts.push('-');
    texts.forEach((t, i) => lines.push(i === 0 ? [r.host, r.status, t] : ['', '', t]));
  }
  const w0 = Math.max(4, ...lines.map((l) => l[0].length));
  const w1 = Math.max(6, ...lines.map((l) => l[1].length));
  const fmt = (l: [string, string, string]) => `${l[0].padEnd(w0)}  ${l[1].padEnd(w1)}  ${l[2]}`.trimEnd();
  const count = (s: DriftStatus) => rows.filter((r) => r.status === s).length;
  return `${[fmt(['HOST', 'STATUS', 'FINDINGS']), ...lines.map(fmt)].join('\n')}\n\n${rows.length} host(s): ${count('clean')} clean, ${count('warning')} warning, ${count('drifted')} drifted, ${count('unreachable')} unreachable\n`;
}
