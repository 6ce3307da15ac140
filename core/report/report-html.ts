// The report page (issue 21, point 2): one self-contained HTML file answering "who can reach what"
// per environment (identity → policies → role → principals → host accounts, with TTLs and extensions;
// CA keys with fingerprints and rotation stage) and, given the logs, recent logins, certificates never
// used, logins with certificates the audit log does not know, and charts of signing volume per role
// and logins per host over time. No script, no external resource: a Content-Security-Policy of
// `default-src 'none'` makes any request the page might try fail, so it works offline and leaks
// nothing. Every value is escaped. Pure.

import type { AuditSign } from '../audit/audit-log.js';
import type { AttributedLogin } from '../audit/join.js';
import type { SshdLogin } from '../audit/sshd-log.js';
import { lastLoginOf, loginTime, type Activity } from './activity.js';
import type { AccessGrant, AccessModel, EnvironmentView, RoleView } from './access-model.js';
import { escapeHtml as e } from './html-escape.js';
import type { ReportSnapshot, SnapshotSubject } from './snapshot.js';
import { stackedBarChart } from './svg-chart.js';

/** What the page is made from. */
export interface ReportPage {
  readonly snapshot: ReportSnapshot;
  readonly model: AccessModel;
  readonly activity?: Activity;
  /** The tool's version, shown in the footer. */
  readonly version: string;
  /** How many recent logins to list. @default 50 */
  readonly recentLogins?: number;
}

/** `5400` → `1h30m`; `0` → `0s`. */
export function shortDuration(seconds: number): string {
  if (seconds <= 0) return '0s';
  const parts: string[] = [];
  let rest = seconds;
  for (const [unit, size] of [
    ['d', 86400],
    ['h', 3600],
    ['m', 60],
    ['s', 1],
  ] as const) {
    const k = Math.floor(rest / size);
    if (k > 0) parts.push(`${k}${unit}`);
    rest -= k * size;
  }
  return parts.join('');
}

/** ISO 8601 → `2026-11-29 10:31:07Z` (as given when it does not parse). */
const when = (iso: string | undefined): string => {
  if (iso === undefined || iso === '') return '-';
  const t = Date.parse(iso);
  return Number.isNaN(t)
    ? iso
    : new Date(t)
        .toISOString()
        .replace('T', ' ')
        .replace(/\.\d+Z$/, 'Z');
};

const codes = (items: readonly string[], empty = '-'): string =>
  items.length === 0 ? empty : items.map((i) => `<code>${e(i)}</code>`).join(' ');

const subjectKey = (s: SnapshotSubject) => (s.kind === 'entity' ? `entity/${s.name}` : `${s.authPath}/${s.name}`);
const METHOD: Readonly<Record<SnapshotSubject['kind'], string>> = {
  userpass: 'userpass user',
  jwt: 'JWT role',
  oidc: 'OIDC role',
  approle: 'AppRole role',
  entity: 'identity entity',
};

function table(cls: string, header: readonly string[], rows: readonly string[], empty: string): string {
  const body =
    rows.length > 0 ? rows.join('\n') : `<tr class="none"><td colspan="${header.length}">${e(empty)}</td></tr>`;
  return `<table class="${cls}">\n<thead><tr>${header.map((h) => `<th scope="col">${e(h)}</th>`).join('')}</tr></thead>\n<tbody>\n${body}\n</tbody>\n</table>`;
}

const accountsCell = (r: RoleView): string =>
  r.accountsFrom === 'none'
    ? '-'
    : `${codes(r.accounts, 'none')}${r.accountsFrom === 'principal names' && r.keyType === 'ca' ? ' <span class="hint">(account = principal)</span>' : ''}`;

const principalsCell = (r: RoleView): string =>
  `${codes(r.principals, 'none')}${r.templated ? ' <span class="hint">(templated per identity)</span>' : ''}`;

const extensionsCell = (r: RoleView): string =>
  r.keyType !== 'ca'
    ? '-'
    : `${codes(r.allowedExtensions, 'none')}${r.defaultExtensions.length > 0 ? ` <span class="hint">default:</span> ${codes(r.defaultExtensions)}` : ''}`;

function grantRow(g: AccessGrant, env: EnvironmentView, logins: readonly AttributedLogin[] | undefined): string {
  const s = g.subject;
  const used = logins ? lastLoginOf(logins, s, env.mount, g.role.name) : undefined;
  const cells = [
    `<th scope="row">${e(s.name)}</th>`,
    `<td>${e(METHOD[s.kind])}${s.authPath ? ` <code>${e(s.authPath)}</code>` : ''}${s.detail ? `<div class="hint">${e(s.detail)}</div>` : ''}</td>`,
    `<td>${codes(g.via, '(root)')}</td>`,
    `<td><code>${e(g.role.name)}</code> <span class="hint">${e(g.endpoint)}</span></td>`,
    `<td>${principalsCell(g.role)}</td>`,
    `<td>${accountsCell(g.role)}</td>`,
    `<td>${e(shortDuration(g.role.ttl))} <span class="hint">max ${e(shortDuration(g.role.maxTtl))}</span></td>`,
    `<td>${extensionsCell(g.role)}</td>`,
    `<td>${used === undefined ? '<span class="hint">no logs</span>' : used.last !== undefined ? e(when(used.last)) : 'never'}</td>`,
    `<td class="num">${used === undefined ? '-' : used.count}</td>`,
  ];
  return `<tr data-subject="${e(subjectKey(s))}" data-role="${e(g.role.name)}">${cells.join('')}</tr>`;
}

function roleRow(r: RoleView): string {
  const cells = [
    `<th scope="row"><code>${e(r.name)}</code></th>`,
    `<td>${e(r.keyType)}${r.certificates ? ` <span class="hint">${e(r.certificates)}</span>` : ''}</td>`,
    `<td>${principalsCell(r)}</td>`,
    `<td>${r.defaultUser ? `<code>${e(r.defaultUser)}</code>` : '-'}</td>`,
    `<td>${accountsCell(r)}</td>`,
    `<td>${e(shortDuration(r.ttl))}</td>`,
    `<td>${e(shortDuration(r.maxTtl))}</td>`,
    `<td>${extensionsCell(r)}</td>`,
    `<td>${codes(r.cidrList)}</td>`,
  ];
  return `<tr data-role="${e(r.name)}">${cells.join('')}</tr>`;
}

function environmentSection(env: EnvironmentView, logins: readonly AttributedLogin[] | undefined): string {
  const keys = env.caKeys.map(
    (k) =>
      `<tr data-use="${k.use}"><th scope="row">${e(k.use)}</th><td>${k.name ? `<code>${e(k.name)}</code>` : '-'}</td><td>${e(k.algorithm || '-')}</td><td><code class="fp">${e(k.fingerprint)}</code></td><td>${k.id ? `<code>${e(k.id)}</code>` : '-'}</td></tr>`,
  );
  return [
    `<section class="environment" id="env-${e(env.mount)}" data-mount="${e(env.mount)}">`,
    `<h2>${e(env.mount)}${env.description ? ` <small>${e(env.description)}</small>` : ''}</h2>`,
    '<h3>CA keys</h3>',
    `<p class="rotation" data-stage="${env.rotationStage}">${e(env.rotationText)}${env.stage3AllowedAt ? `; stage 3 allowed from ${e(when(env.stage3AllowedAt))}` : ''}</p>`,
    table('ca-keys', ['Use', 'Name', 'Algorithm', 'Fingerprint', 'Issuer id'], keys, 'no CA key'),
    '<h3>Who can reach what</h3>',
    table(
      'access',
      [
        'Identity',
        'Logs in through',
        'Policies',
        'Role',
        'Principals',
        'Host accounts',
        'TTL',
        'Extensions',
        'Last login',
        'Logins',
      ],
      env.grants.map((g) => grantRow(g, env, logins)),
      'no identity can use a role of this mount',
    ),
    '<h3>Roles</h3>',
    table(
      'roles',
      ['Role', 'Type', 'Principals', 'Default user', 'Host accounts', 'TTL', 'Max TTL', 'Extensions', 'CIDRs'],
      env.roles.map(roleRow),
      'no roles',
    ),
    '</section>',
  ].join('\n');
}

const signRow = (c: AuditSign) =>
  `<tr><td>${e(when(c.time))}</td><th scope="row">${e(c.user)}</th><td>${e(c.authMethod)}</td><td><code>${e(`${c.mount}/${c.role}`)}</code></td><td>${codes(c.principals ?? [], '<span class="hint">(hashed)</span>')}</td><td>${c.tokenAccessor.startsWith('hmac-sha256:') ? '<span class="hint">(hashed)</span>' : `<code>${e(c.tokenAccessor || '-')}</code>`}</td><td><code>${e(c.requestId)}</code></td></tr>`;

const loginRow = ({ login: l, certificate: c }: AttributedLogin) =>
  `<tr data-host="${e(l.host)}" data-account="${e(l.account)}"><td>${e(when(l.time ?? c.time))}</td><td>${e(l.host || '-')}</td><td><code>${e(l.account)}</code></td><td>${e(l.from)}</td><th scope="row">${e(c.user)}</th><td>${e(c.authMethod)}</td><td><code>${e(`${c.mount}/${c.role}`)}</code></td><td>${e(l.serial)}</td></tr>`;

const unknownRow = (l: SshdLogin) =>
  `<tr data-host="${e(l.host)}"><td>${e(when(l.time))}</td><td>${e(l.host || '-')}</td><td><code>${e(l.account)}</code></td><td>${e(l.from)}</td><td>${e(l.serial)}</td><td><code>${e(l.keyId)}</code></td><td><code class="fp">${e(l.caFingerprint)}</code></td></tr>`;

const tick = (bucketSeconds: number) => (iso: string) =>
  bucketSeconds < 86400 ? iso.slice(5, 16).replace('T', ' ') : iso.slice(0, 10);

function activitySection(page: ReportPage): string {
  const audit = page.snapshot.audit;
  if (!audit) {
    return '<section id="activity"><h2>Activity</h2><p class="hint">No logs given: run <code>sshca report</code> with <code>--audit-log</code> and <code>--sshd-log</code> to see logins, unused certificates and signing volume.</p></section>';
  }
  const a = page.activity;
  const recent = [...audit.report.logins]
    .sort((x, y) => (loginTime(y) ?? '').localeCompare(loginTime(x) ?? ''))
    .slice(0, page.recentLogins ?? 50);
  const charts = a
    ? [
        `<h3>Certificates signed per role, per ${a.bucketSeconds === 3600 ? 'hour' : a.bucketSeconds === 86400 ? 'day' : 'week'}</h3>`,
        a.signsByRole.length > 0
          ? `<figure id="chart-signs">${stackedBarChart({ title: 'Certificates signed per role', labels: a.buckets, series: a.signsByRole, tick: tick(a.bucketSeconds) })}</figure>`
          : '<p class="hint">No certificates signed in the audit log.</p>',
        `<h3>Certificate logins per host, per ${a.bucketSeconds === 3600 ? 'hour' : a.bucketSeconds === 86400 ? 'day' : 'week'}</h3>`,
        a.loginsByHost.length > 0
          ? `<figure id="chart-logins">${stackedBarChart({ title: 'Certificate logins per host', labels: a.buckets, series: a.loginsByHost, tick: tick(a.bucketSeconds) })}</figure>`
          : '<p class="hint">No certificate logins in the sshd logs.</p>',
      ].join('\n')
    : '<p class="hint">The logs have no times to chart.</p>';
  return [
    '<section id="activity">',
    '<h2>Activity</h2>',
    `<p class="hint">From ${audit.sources.map((s) => `<code>${e(s)}</code>`).join(', ')}.</p>`,
    charts,
    `<h3>Recent logins</h3>`,
    table(
      'recent-logins',
      ['Time', 'Host', 'Account', 'From', 'Certificate of', 'Method', 'Role', 'Serial'],
      recent.map(loginRow),
      'no certificate logins in the sshd logs',
    ),
    '<h3>Certificates signed and never used</h3>',
    table(
      'unused',
      ['Signed', 'By', 'Method', 'Role', 'Principals', 'Token accessor', 'Request id'],
      audit.report.unused.map(signRow),
      'none',
    ),
    '<h3>Logins with certificates the audit log does not know</h3>',
    table(
      'unknown',
      ['Time', 'Host', 'Account', 'From', 'Serial', 'Key ID', 'CA fingerprint'],
      audit.report.unknown.map(unknownRow),
      'none',
    ),
    '</section>',
  ].join('\n');
}

const STYLE = `
body{font:14px/1.45 system-ui,sans-serif;margin:0 auto;max-width:1200px;padding:1rem 1.5rem;color:#1b1b1b}
h1{margin:.2rem 0}h2{margin-top:2rem;border-bottom:2px solid #0072B2;padding-bottom:.2rem}h2 small{font-weight:normal;color:#555;font-size:.8em}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1rem}th,td{border:1px solid #ccc;padding:.3rem .45rem;text-align:left;vertical-align:top}
thead th{background:#eef3f8}tbody th{font-weight:600}td.num{text-align:right}tr.none td{color:#666;font-style:italic}
code{font:12px ui-monospace,monospace;background:#f3f3f3;padding:0 .2rem;border-radius:3px}.fp{word-break:break-all}
.hint{color:#666;font-size:.9em}nav a{margin-right:1rem}figure{margin:0;overflow-x:auto}
dl.cards{display:flex;flex-wrap:wrap;gap:.75rem;margin:1rem 0}dl.cards div{border:1px solid #ccc;border-radius:6px;padding:.5rem .9rem;min-width:8rem}
dl.cards dt{color:#555;font-size:.85em}dl.cards dd{margin:0;font-size:1.5em;font-weight:600}
ul.notes li{color:#8a4b00}`;

/** The page's HTML. */
export function renderReportHtml(page: ReportPage): string {
  const { snapshot: s, model: m } = page;
  const logins = s.audit?.report.logins;
  const grants = m.environments.reduce((sum, env) => sum + env.grants.length, 0);
  const card = (id: string, label: string, value: number | string) =>
    `<div id="card-${id}"><dt>${e(label)}</dt><dd>${e(String(value))}</dd></div>`;
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>SSH access report: ${e(s.backend)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    '<header>',
    '<h1>Who can reach what</h1>',
    `<p>Backend <code>${e(s.backend)}</code>, read at ${e(when(s.generatedAt))}.</p>`,
    `<nav>${m.environments.map((env) => `<a href="#env-${e(env.mount)}">${e(env.mount)}</a>`).join('')}<a href="#activity">Activity</a>${m.withoutAccess.length > 0 ? '<a href="#without-access">No SSH access</a>' : ''}${m.notes.length > 0 ? '<a href="#notes">Notes</a>' : ''}</nav>`,
    '</header>',
    '<section id="summary"><dl class="cards">',
    card('environments', 'Environments', m.environments.length),
    card('identities', 'Identities', s.subjects.length),
    card('grants', 'Identity × role grants', grants),
    card('logins', 'Certificate logins', logins ? logins.length : '-'),
    card('signed', 'Certificates signed', s.audit ? s.audit.signs.length : '-'),
    card('unused', 'Signed, never used', s.audit ? s.audit.report.unused.length : '-'),
    card('unknown', 'Unknown certificates', s.audit ? s.audit.report.unknown.length : '-'),
    '</dl></section>',
    ...m.environments.map((env) => environmentSection(env, logins)),
    activitySection(page),
    m.withoutAccess.length > 0
      ? [
          '<section id="without-access"><h2>Identities with no SSH role</h2>',
          table(
            'without-access',
            ['Identity', 'Logs in through', 'Policies'],
            m.withoutAccess.map(
              (x) =>
                `<tr data-subject="${e(subjectKey(x))}"><th scope="row">${e(x.name)}</th><td>${e(METHOD[x.kind])}${x.authPath ? ` <code>${e(x.authPath)}</code>` : ''}</td><td>${codes(x.policies)}</td></tr>`,
            ),
            'none',
          ),
          '</section>',
        ].join('\n')
      : '',
    m.notes.length > 0
      ? `<section id="notes"><h2>Notes</h2><ul class="notes">${m.notes.map((n) => `<li>${e(n)}</li>`).join('')}</ul></section>`
      : '',
    `<footer><p class="hint">Written by <code>sshca report</code> ${e(page.version)}. Access is worked out from the policies as the backend enforces them; host accounts from the hosts' principals mapping where given.</p></footer>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
