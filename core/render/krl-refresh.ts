// The host side of revocation (issue 20, point 1): a POSIX sh script that fetches the environment's
// key revocation list (KRL, `sshca render --format krl`) from the URL it is published at, checks it
// with `ssh-keygen -Q -l` and only then replaces the installed file (same directory, mv), keeping the
// old KRL when the fetch or the check fails; and the systemd service and timer that run it every 5
// minutes. sshd reads RevokedKeys at every login, so nothing is reloaded. Hosts have no Node: curl
// and ssh-keygen only. Pure renderers; cloud-config.ts puts them in user-data, the Ansible role next.

import { ValidationError, type Issue } from '../errors.js';
import { checkOverlaps, checkPath } from './path-checks.js';

/** Where the KRL refresh's files live on a host. */
export interface KrlRefreshPaths {
  /** The installed KRL, sshd's `RevokedKeys`. */
  readonly krl: string;
  /** The refresh script. */
  readonly script: string;
  /** The CA bundle curl verifies the KRL's server with (written only when a bundle is given). */
  readonly caCert: string;
  /** The systemd service unit. */
  readonly service: string;
  /** The systemd timer unit (same name as the service, `.timer`). */
  readonly timer: string;
}

export const DEFAULT_KRL_REFRESH_PATHS: KrlRefreshPaths = {
  krl: '/etc/ssh/sshca/revoked_keys',
  script: '/usr/local/sbin/sshca-krl-refresh',
  caCert: '/etc/ssh/sshca/krl-ca.pem',
  service: '/etc/systemd/system/sshca-krl-refresh.service',
  timer: '/etc/systemd/system/sshca-krl-refresh.timer',
};

/** Largest KRL the script accepts, by default (bytes). */
export const DEFAULT_KRL_MAX_BYTES = 4_194_304;
/** Longest a fetch may take, by default (seconds). */
export const DEFAULT_KRL_MAX_TIME = 60;

/** How the hosts of one environment fetch its KRL. */
export interface KrlRefreshSpec {
  /** Environment name, for comments and messages. */
  readonly environment: string;
  /** Where the KRL is published, e.g. where CI uploads `sshca render --format krl`. https only unless `allowHttp`. */
  readonly url: string;
  /** PEM CA bundle for the server's certificate. @default the host's system trust store */
  readonly caCert?: string;
  /** Accept an http:// URL (tests only: the KRL would travel unauthenticated). @default false */
  readonly allowHttp?: boolean;
  /** @default DEFAULT_KRL_MAX_BYTES */
  readonly maxBytes?: number;
  /** @default DEFAULT_KRL_MAX_TIME */
  readonly maxTimeSeconds?: number;
  /** @default DEFAULT_KRL_REFRESH_PATHS */
  readonly paths?: Partial<KrlRefreshPaths>;
}

/** A validated spec. */
export interface KrlRefresh {
  readonly environment: string;
  readonly url: string;
  readonly caCert?: string;
  readonly allowHttp: boolean;
  readonly maxBytes: number;
  readonly maxTimeSeconds: number;
  readonly paths: KrlRefreshPaths;
}

const PEM_CERT = /^-----BEGIN CERTIFICATE-----\n[A-Za-z0-9+/=\n]+-----END CERTIFICATE-----\n?$/;
const ENVIRONMENT = /^[a-z0-9][a-z0-9_-]{0,31}$/;

/** The URL's problem, or undefined. It goes into single quotes in sh and into curl: no quotes, spaces or controls. */
function urlProblem(url: string, allowHttp: boolean): string | undefined {
  if (!/^[!-~]+$/.test(url) || /['"\\`$]/.test(url)) {
    return `url must be printable ASCII without spaces, quotes, backslashes or $, got ${JSON.stringify(url)}`;
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `url is not a URL: ${JSON.stringify(url)}`;
  }
  if (parsed.protocol === 'https:') return undefined;
  if (parsed.protocol === 'http:' && allowHttp) return undefined;
  if (parsed.protocol === 'http:') {
    return `url must be https (the KRL decides who may log in), got ${url}; http is for tests only (allowHttp)`;
  }
  return `url must be https, got ${url}`;
}

/** Validate and fill in defaults; throws a ValidationError listing every problem. */
export function validateKrlRefresh(spec: KrlRefreshSpec): KrlRefresh {
  const issues: Issue[] = [];
  if (!ENVIRONMENT.test(spec.environment)) {
    issues.push({
      field: 'environment',
      message: `environment must be 1-32 lower-case letters, digits, _ or -, got ${JSON.stringify(spec.environment)}`,
    });
  }
  const allowHttp = spec.allowHttp === true;
  const problem = urlProblem(spec.url, allowHttp);
  if (problem !== undefined) issues.push({ field: 'krl_url', message: problem });
  let caCert: string | undefined;
  if (spec.caCert !== undefined) {
    caCert = spec.caCert.replace(/\r\n/g, '\n').trim() + '\n';
    const blocks = caCert.match(/-----BEGIN [^\n]*-----\n[\s\S]*?-----END [^\n]*-----\n?/g) ?? [];
    if (/PRIVATE KEY/.test(caCert)) {
      issues.push({ field: 'krl_ca_cert', message: 'krl_ca_cert holds a private key: give the CA certificate only' });
    } else if (blocks.length === 0 || blocks.join('') !== caCert || !blocks.every((b) => PEM_CERT.test(b))) {
      issues.push({ field: 'krl_ca_cert', message: 'krl_ca_cert must be PEM certificates (-----BEGIN CERTIFICATE-----)' });
    }
  }
  const maxBytes = spec.maxBytes ?? DEFAULT_KRL_MAX_BYTES;
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 1024) {
    issues.push({ field: 'krl_max_bytes', message: `krl_max_bytes must be an integer of at least 1024, got ${maxBytes}` });
  }
  const maxTimeSeconds = spec.maxTimeSeconds ?? DEFAULT_KRL_MAX_TIME;
  if (!Number.isSafeInteger(maxTimeSeconds) || maxTimeSeconds < 1 || maxTimeSeconds > 3600) {
    issues.push({
      field: 'krl_max_time',
      message: `krl_max_time must be whole seconds from 1 to 3600, got ${maxTimeSeconds}`,
    });
  }
  const paths = { ...DEFAULT_KRL_REFRESH_PATHS, ...spec.paths };
  const formed = [
    checkPath('paths.krl', paths.krl, issues),
    checkPath('paths.krl_script', paths.script, issues),
    checkPath('paths.krl_ca_cert', paths.caCert, issues),
    checkPath('paths.krl_service', paths.service, issues),
    checkPath('paths.krl_timer', paths.timer, issues),
  ].every(Boolean);
  if (formed) {
    if (!paths.service.endsWith('.service') || !paths.timer.endsWith('.timer')) {
      issues.push({ field: 'paths.krl_timer', message: 'the service must end in .service and the timer in .timer' });
    } else if (paths.service.slice(0, -'.service'.length) !== paths.timer.slice(0, -'.timer'.length)) {
      issues.push({
        field: 'paths.krl_timer',
        message: `the timer must have the service's name and directory (${paths.service.replace(/\.service$/, '.timer')})`,
      });
    }
    checkOverlaps(
      [
        { field: 'paths.krl', name: 'the KRL', path: paths.krl, written: true },
        { field: 'paths.krl_script', name: 'the KRL refresh script', path: paths.script, written: true },
        { field: 'paths.krl_ca_cert', name: 'the KRL CA bundle', path: paths.caCert, written: true },
        { field: 'paths.krl_service', name: 'the KRL refresh service', path: paths.service, written: true },
      ],
      issues,
    );
  }
  if (issues.length > 0) throw new ValidationError(issues);
  return {
    environment: spec.environment,
    url: spec.url,
    ...(caCert !== undefined ? { caCert } : {}),
    allowHttp,
    maxBytes,
    maxTimeSeconds,
    paths,
  };
}

const MANAGED = '# Managed by vault-ssh-ca: changes here are overwritten.';

const dirOf = (path: string): string => path.slice(0, path.lastIndexOf('/')) || '/';

/** The systemd unit name of the service, e.g. `sshca-krl-refresh.service`. */
export const krlServiceName = (krl: KrlRefresh): string => krl.paths.service.slice(krl.paths.service.lastIndexOf('/') + 1);
/** The systemd unit name of the timer. */
export const krlTimerName = (krl: KrlRefresh): string => krl.paths.timer.slice(krl.paths.timer.lastIndexOf('/') + 1);

/**
 * The refresh script. Exit 0 when the KRL is installed or unchanged (one line on stdout); otherwise
 * exit 1 with one line on stderr naming the reason, the installed KRL untouched.
 */
export function renderKrlRefreshScript(krl: KrlRefresh): string {
  const tls = krl.allowHttp ? [] : ["--proto '=https' --proto-redir '=https'"];
  const caOption = krl.caCert !== undefined ? ['--cacert "$ca_cert"'] : [];
  return [
    '#!/bin/sh',
    MANAGED,
    `# Fetch environment ${krl.environment}'s key revocation list and install it for sshd's RevokedKeys,`,
    '# only once ssh-keygen reads it; when the fetch or the check fails the installed KRL is kept.',
    'set -u',
    `url='${krl.url}'`,
    `krl='${krl.paths.krl}'`,
    ...(krl.caCert !== undefined ? [`ca_cert='${krl.paths.caCert}'`] : []),
    `max_bytes=${krl.maxBytes}`,
    `max_time=${krl.maxTimeSeconds}`,
    'tmp=',
    'fail() {',
    '  [ -n "$tmp" ] && rm -f "$tmp"',
    '  echo "sshca-krl-refresh: $1; kept $krl as it was" >&2',
    '  exit 1',
    '}',
    'trap \'[ -n "$tmp" ] && rm -f "$tmp"\' EXIT',
    "trap 'exit 1' HUP INT TERM",
    // Same directory as the KRL, so the mv below is a rename.
    'tmp=$(mktemp "$krl.XXXXXX" 2>/dev/null) || { tmp=; fail "cannot create a temporary file beside $krl"; }',
    [
      'curl --silent --fail --location',
      ...tls,
      ...caOption,
      '--connect-timeout 10 --max-time "$max_time" --max-filesize "$max_bytes"',
      '--output "$tmp" "$url"',
    ].join(' '),
    'rc=$?',
    '[ "$rc" -eq 0 ] || fail "fetching $url failed (curl exit $rc)"',
    'size=$(wc -c < "$tmp" | tr -d \' \')',
    '[ "$size" -gt 0 ] || fail "$url served an empty file, not a KRL"',
    '[ "$size" -le "$max_bytes" ] || fail "$url served $size bytes, over the limit of $max_bytes"',
    'ssh-keygen -Q -l -f "$tmp" > /dev/null 2>&1 || fail "$url did not serve a KRL that ssh-keygen -Q reads ($size bytes)"',
    'if [ -f "$krl" ] && cmp -s "$tmp" "$krl"; then',
    '  echo "sshca-krl-refresh: $krl is up to date ($size bytes)"',
    '  exit 0',
    'fi',
    'chmod 0644 "$tmp" || fail "cannot chmod $tmp"',
    'mv -f "$tmp" "$krl" || fail "cannot move the new KRL to $krl"',
    'tmp=',
    'echo "sshca-krl-refresh: installed $krl ($size bytes) from $url"',
    '',
  ].join('\n');
}

/** The oneshot service that runs the script; it may write the KRL's directory only. */
export function renderKrlRefreshService(krl: KrlRefresh): string {
  return [
    MANAGED,
    '[Unit]',
    `Description=Refresh the SSH key revocation list of vault-ssh-ca environment ${krl.environment}`,
    'Wants=network-online.target',
    'After=network-online.target',
    '',
    '[Service]',
    'Type=oneshot',
    `ExecStart=/bin/sh ${krl.paths.script}`,
    'NoNewPrivileges=yes',
    'PrivateTmp=yes',
    'ProtectSystem=strict',
    'ProtectHome=yes',
    `ReadWritePaths=${dirOf(krl.paths.krl)}`,
    '',
  ].join('\n');
}

/** The timer: every 5 minutes, spread over a minute so hosts do not fetch at once. */
export function renderKrlRefreshTimer(krl: KrlRefresh): string {
  return [
    MANAGED,
    '[Unit]',
    `Description=Refresh the SSH key revocation list of vault-ssh-ca environment ${krl.environment} every 5 minutes`,
    '',
    '[Timer]',
    'OnCalendar=*:0/5',
    'RandomizedDelaySec=60',
    'AccuracySec=1s',
    `Unit=${krlServiceName(krl)}`,
    '',
    '[Install]',
    'WantedBy=timers.target',
    '',
  ].join('\n');
}

/** Every file of the refresh, by path, with its mode. */
export function renderKrlRefreshFiles(krl: KrlRefresh): Array<{ path: string; content: string; mode: string }> {
  return [
    ...(krl.caCert !== undefined ? [{ path: krl.paths.caCert, content: krl.caCert, mode: '0644' }] : []),
    { path: krl.paths.script, content: renderKrlRefreshScript(krl), mode: '0755' },
    { path: krl.paths.service, content: renderKrlRefreshService(krl), mode: '0644' },
    { path: krl.paths.timer, content: renderKrlRefreshTimer(krl), mode: '0644' },
  ];
}

/**
 * The first-boot commands: the first fetch; if it fails and no KRL is installed yet, an empty KRL so
 * that sshd -t passes and sshd does not refuse every key (the timer retries); then the timer.
 */
export function renderKrlFirstBoot(krl: KrlRefresh): string {
  return [
    `if ! sh ${krl.paths.script}; then`,
    `  [ -s ${krl.paths.krl} ] || ssh-keygen -q -k -f ${krl.paths.krl}`,
    `  echo 'vault-ssh-ca: the first ${krl.environment} KRL fetch failed; ${krl.paths.krl} revokes nothing new until ${krlTimerName(krl)} succeeds' >&2`,
    'fi',
    'systemctl daemon-reload',
    `systemctl enable --now ${krlTimerName(krl)}`,
    '',
  ].join('\n');
}
