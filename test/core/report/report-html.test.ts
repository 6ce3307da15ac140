// The report page (core/report/report-html.ts; issue 21, point 2): self-contained (a CSP that forbids
// every request, no script, no external resource), every value from the backend or a log escaped,
// rows carrying data attributes for tools, and the page without logs.

import { describe, expect, it } from 'vitest';
import type { AuditSign } from '../../../core/audit/audit-log.js';
import type { SshdLogin } from '../../../core/audit/sshd-log.js';
import { resolveAccessModel } from '../../../core/report/access-model.js';
import { resolveActivity } from '../../../core/report/activity.js';
import { renderReportHtml, shortDuration } from '../../../core/report/report-html.js';
import type { ReportSnapshot, SnapshotSubject } from '../../../core/report/snapshot.js';

const HOSTILE = '"><img src=x onerror=alert(1)>';
const ESCAPED = '&quot;&gt;&lt;img src=x onerror=alert(1)&gt;';
const BACKEND = 'https://vault.example.com:8200';
const CSP = `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`;

const subject = (name: string, policies: readonly string[]): SnapshotSubject => ({
  kind: 'userpass',
  authPath: 'userpass',
  name,
  policies,
  noDefaultPolicy: true,
  tokenTtl: 0,
});

const ROLE_DATA = {
  key_type: 'ca',
  allow_user_certificates: true,
  allowed_users: 'ubuntu,ec2-user',
  default_user: 'ubuntu',
  ttl: 3600,
  max_ttl: 28800,
  allowed_extensions: 'permit-pty',
  default_extensions: { 'permit-pty': '' },
};

const sign = (time: string, over: Partial<AuditSign> = {}): AuditSign => ({
  time,
  requestId: 'req-1',
  mount: 'ssh-dev',
  role: 'developer',
  path: 'ssh-dev/sign/developer',
  serialNumber: '1',
  displayName: 'userpass-testuser',
  authMethod: 'userpass',
  user: 'testuser',
  policies: ['developer'],
  tokenAccessor: 'acc-1',
  entityId: '',
  remoteAddress: '127.0.0.1',
  ...over,
});

const sshd = (time: string, host: string, over: Partial<SshdLogin> = {}): SshdLogin => ({
  time,
  host,
  account: 'ubuntu',
  from: '10.0.0.1',
  port: 40000,
  keyType: 'ED25519-CERT',
  keyFingerprint: 'SHA256:key',
  keyId: 'kid',
  serial: '1',
  caFingerprint: 'SHA256:ca',
  ...over,
});

const base = (over: Partial<ReportSnapshot> = {}): ReportSnapshot => ({
  backend: BACKEND,
  generatedAt: '2025-03-05T10:00:00.123Z',
  mounts: [
    {
      path: 'ssh-dev',
      description: 'dev hosts',
      defaultLeaseTtl: 3600,
      maxLeaseTtl: 86400,
      issuers: [],
      roles: [{ name: 'developer', data: ROLE_DATA }],
    },
  ],
  policies: { developer: 'path "ssh-dev/sign/developer" { capabilities = ["update"] }' },
  subjects: [subject('testuser', ['developer']), subject('nobody', [])],
  unreadable: [],
  ...over,
});

const render = (snapshot: ReportSnapshot) => {
  const model = resolveAccessModel(snapshot);
  const activity = snapshot.audit ? resolveActivity(snapshot.audit) : undefined;
  return renderReportHtml({ snapshot, model, ...(activity ? { activity } : {}), version: '1.2.3' });
};

describe('shortDuration', () => {
  it.each([
    [0, '0s'],
    [-5, '0s'],
    [1, '1s'],
    [60, '1m'],
    [3600, '1h'],
    [5400, '1h30m'],
    [28800, '8h'],
    [86400, '1d'],
    [90061, '1d1h1m1s'],
    [2764800, '32d'],
  ] as const)('%i → %s', (seconds, text) => {
    expect(shortDuration(seconds)).toBe(text);
  });
});

describe('renderReportHtml: a snapshot without logs', () => {
  const html = render(base());

  it('is a self-contained page under a CSP that forbids every request', () => {
    expect(html.startsWith('<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n')).toBe(true);
    expect(html).toContain(CSP);
    expect(html.endsWith('</body>\n</html>\n')).toBe(true);
    expect(html).not.toContain('<script');
    expect(html).not.toContain('src=');
    expect(html.split(BACKEND).join('')).not.toMatch(/https?:\/\//);
    expect(html).toContain(`<title>SSH access report: ${BACKEND}</title>`);
    expect(html).toContain(`<p>Backend <code>${BACKEND}</code>, read at 2025-03-05 10:00:00Z.</p>`);
  });

  it('shows the "No logs given" hint, dashes in the log cards and "no logs" per grant', () => {
    expect(html).toContain(
      '<section id="activity"><h2>Activity</h2><p class="hint">No logs given: run <code>sshca report</code> with <code>--audit-log</code> and <code>--sshd-log</code> to see logins, unused certificates and signing volume.</p></section>',
    );
    expect(html).toContain(
      [
        '<section id="summary"><dl class="cards">',
        '<div id="card-environments"><dt>Environments</dt><dd>1</dd></div>',
        '<div id="card-identities"><dt>Identities</dt><dd>2</dd></div>',
        '<div id="card-grants"><dt>Identity × role grants</dt><dd>1</dd></div>',
        '<div id="card-logins"><dt>Certificate logins</dt><dd>-</dd></div>',
        '<div id="card-signed"><dt>Certificates signed</dt><dd>-</dd></div>',
        '<div id="card-unused"><dt>Signed, never used</dt><dd>-</dd></div>',
        '<div id="card-unknown"><dt>Unknown certificates</dt><dd>-</dd></div>',
        '</dl></section>',
      ].join('\n'),
    );
    expect(html).not.toContain('<svg');
  });

  it('one access row per grant, with data-subject and data-role', () => {
    const rows = [...html.matchAll(/<tr data-subject="([^"]*)" data-role="([^"]*)">/g)].map((m) => [m[1], m[2]]);
    expect(rows).toEqual([['userpass/testuser', 'developer']]);
    expect(html).toContain(
      '<tr data-subject="userpass/testuser" data-role="developer"><th scope="row">testuser</th><td>userpass user <code>userpass</code></td><td><code>developer</code></td><td><code>developer</code> <span class="hint">sign</span></td><td><code>ubuntu</code> <code>ec2-user</code></td><td><code>ubuntu</code> <code>ec2-user</code> <span class="hint">(account = principal)</span></td><td>1h <span class="hint">max 8h</span></td><td><code>permit-pty</code> <span class="hint">default:</span> <code>permit-pty</code></td><td><span class="hint">no logs</span></td><td class="num">-</td></tr>',
    );
    expect(html).toContain(
      '<tr data-role="developer"><th scope="row"><code>developer</code></th><td>ca <span class="hint">user</span></td><td><code>ubuntu</code> <code>ec2-user</code></td><td><code>ubuntu</code></td><td><code>ubuntu</code> <code>ec2-user</code> <span class="hint">(account = principal)</span></td><td>1h</td><td>8h</td><td><code>permit-pty</code> <span class="hint">default:</span> <code>permit-pty</code></td><td>-</td></tr>',
    );
  });

  it('lists the identities without access and says there is no CA key', () => {
    expect(html).toContain(
      '<tr data-subject="userpass/nobody"><th scope="row">nobody</th><td>userpass user <code>userpass</code></td><td>-</td></tr>',
    );
    expect(html).toContain('<a href="#without-access">No SSH access</a>');
    expect(html).toContain('<p class="rotation" data-stage="0">no CA key configured</p>');
    expect(html).toContain('<tr class="none"><td colspan="5">no CA key</td></tr>');
    expect(html).not.toContain('id="notes"');
    expect(html).toContain('<footer><p class="hint">Written by <code>sshca report</code> 1.2.3.');
  });

  it('shows the notes', () => {
    const noted = render(base({ unreadable: ['sys/policies/acl/ops'] }));
    expect(noted).toContain(
      '<section id="notes"><h2>Notes</h2><ul class="notes"><li>not readable with this token: sys/policies/acl/ops</li></ul></section>',
    );
    expect(noted).toContain('<a href="#notes">Notes</a>');
  });
});

describe('renderReportHtml: hostile names and logs', () => {
  const dev = sign('2025-03-05T10:05:00Z');
  const hostileSign = sign('2025-03-05T10:06:00Z', {
    role: HOSTILE,
    user: HOSTILE,
    requestId: HOSTILE,
    principals: [HOSTILE],
    tokenAccessor: HOSTILE,
  });
  const snapshot = base({
    mounts: [
      {
        path: 'ssh-dev',
        description: HOSTILE,
        defaultLeaseTtl: 3600,
        maxLeaseTtl: 86400,
        issuers: [{ id: HOSTILE, name: HOSTILE, isDefault: true, publicKey: HOSTILE }],
        roles: [
          { name: 'developer', data: ROLE_DATA },
          { name: HOSTILE, data: { ...ROLE_DATA, allowed_users: HOSTILE, allowed_extensions: HOSTILE } },
        ],
      },
    ],
    policies: {
      developer: 'path "ssh-dev/sign/developer" { capabilities = ["update"] }',
      [HOSTILE]: 'path "ssh-dev/sign/*" { capabilities = ["update"] }',
    },
    subjects: [subject('testuser', ['developer']), { ...subject(HOSTILE, [HOSTILE]), detail: HOSTILE }],
    unreadable: [HOSTILE],
    audit: {
      signs: [dev, hostileSign],
      report: {
        logins: [
          { login: sshd('2025-03-05T10:10:00Z', 'web1'), certificate: dev },
          { login: sshd('2025-03-05T10:20:00Z', HOSTILE, { account: HOSTILE, from: HOSTILE }), certificate: dev },
        ],
        unused: [hostileSign],
        unknown: [sshd('2025-03-05T10:30:00Z', HOSTILE, { keyId: HOSTILE, serial: HOSTILE, caFingerprint: HOSTILE })],
      },
      sources: [HOSTILE],
    },
  });
  const html = render(snapshot);
  const stripped = html.split(ESCAPED).join('HOSTILE');

  it('escapes every hostile value: it appears only as text', () => {
    expect(html).toContain(ESCAPED);
    expect(stripped).not.toContain('<img');
    expect(stripped).not.toContain('onerror');
    expect(stripped).not.toContain('src=');
    expect(stripped).not.toContain('<script');
    expect(html).toContain(`data-subject="userpass/${ESCAPED}" data-role="${ESCAPED}">`);
    expect(html).toContain(`<tr data-role="${ESCAPED}"><th scope="row"><code>${ESCAPED}</code></th>`);
    expect(html).toContain(
      `<td><code>${ESCAPED}</code></td><td><code>${ESCAPED}</code> <span class="hint">sign</span></td>`,
    );
    expect(html).toContain(`<tr data-host="${ESCAPED}"><td>2025-03-05 10:30:00Z</td><td>${ESCAPED}</td>`);
    expect(html).toContain(`<td><code>${ESCAPED}</code></td><td><code class="fp">${ESCAPED}</code></td></tr>`);
    expect(html).toContain(`<h2>ssh-dev <small>${ESCAPED}</small></h2>`);
    expect(html).toContain(`<li>not readable with this token: ${ESCAPED}</li>`);
    expect(html).toContain(`<p class="hint">From <code>${ESCAPED}</code>.</p>`);
  });

  it('requests nothing: no script, no src, no address but the backend’s (and the SVG namespace)', () => {
    expect(html).toContain(CSP);
    expect(html.split('<svg').length - 1).toBe(2);
    const rest = stripped.split(BACKEND).join('').split('xmlns="http://www.w3.org/2000/svg"').join('');
    expect(rest).not.toMatch(/https?:\/\//);
    expect(rest).not.toMatch(/\b(src|href)="(?!#)/);
  });

  it('rows carry data-subject and data-role; the last login and count come from the logs', () => {
    const rows = [...html.matchAll(/<tr data-subject="([^"]*)" data-role="([^"]*)">/g)].map((m) => [m[1], m[2]]);
    // roles by name (the hostile one sorts first), then the subjects in snapshot order
    expect(rows).toEqual([
      [`userpass/${ESCAPED}`, ESCAPED],
      ['userpass/testuser', 'developer'],
      [`userpass/${ESCAPED}`, 'developer'],
    ]);
    expect(html).toMatch(
      /<tr data-subject="userpass\/testuser" data-role="developer">.*<td>2025-03-05 10:20:00Z<\/td><td class="num">2<\/td><\/tr>/,
    );
    expect(html).toContain('<div id="card-logins"><dt>Certificate logins</dt><dd>2</dd></div>');
    expect(html).toContain('<div id="card-signed"><dt>Certificates signed</dt><dd>2</dd></div>');
    expect(html).toContain('<div id="card-unused"><dt>Signed, never used</dt><dd>1</dd></div>');
    expect(html).toContain('<div id="card-unknown"><dt>Unknown certificates</dt><dd>1</dd></div>');
    expect(html).toContain('<div id="card-grants"><dt>Identity × role grants</dt><dd>3</dd></div>');
  });

  it('lists recent logins newest first, and the charts per hour', () => {
    const recent = [...html.matchAll(/<tr data-host="([^"]*)" data-account="[^"]*"><td>([^<]*)<\/td>/g)].map((m) => [
      m[1],
      m[2],
    ]);
    expect(recent).toEqual([
      [ESCAPED, '2025-03-05 10:20:00Z'],
      ['web1', '2025-03-05 10:10:00Z'],
    ]);
    expect(html).toContain('<h3>Certificates signed per role, per hour</h3>');
    expect(html).toContain('<h3>Certificate logins per host, per hour</h3>');
    expect(html).toContain('<figure id="chart-signs"><svg');
    expect(html).toContain('<figure id="chart-logins"><svg');
  });

  it('limits recent logins to recentLogins', () => {
    const model = resolveAccessModel(snapshot);
    const page = renderReportHtml({ snapshot, model, version: 'x', recentLogins: 1 });
    expect([...page.matchAll(/<tr data-host="[^"]*" data-account=/g)]).toHaveLength(1);
    expect(page).toContain('<p class="hint">The logs have no times to chart.</p>');
  });
});
