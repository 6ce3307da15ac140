// Activity over time for the report (core/report/activity.ts; issue 21, point 2): the bucket size
// and range chosen from the span of the logs, counts per `<mount>/<role>` and per host, which signings
// an identity made, and its last login per role.

import { describe, expect, it } from 'vitest';
import type { AuditSign } from '../../../core/audit/audit-log.js';
import type { AttributedLogin } from '../../../core/audit/join.js';
import type { SshdLogin } from '../../../core/audit/sshd-log.js';
import { lastLoginOf, loginTime, resolveActivity, signedBy } from '../../../core/report/activity.js';
import type { SnapshotAudit, SnapshotSubject } from '../../../core/report/snapshot.js';

const sign = (time: string, over: Partial<AuditSign> = {}): AuditSign => ({
  time,
  requestId: `req-${time}`,
  mount: 'ssh-dev',
  role: 'developer',
  path: 'ssh-dev/sign/developer',
  serialNumber: '1',
  displayName: 'userpass-alice',
  authMethod: 'userpass',
  user: 'alice',
  policies: ['developer'],
  tokenAccessor: 'acc',
  entityId: '',
  remoteAddress: '127.0.0.1',
  ...over,
});

const sshd = (time: string | undefined, host: string, over: Partial<SshdLogin> = {}): SshdLogin => ({
  ...(time !== undefined ? { time } : {}),
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

const login = (time: string | undefined, host: string, certificate: AuditSign): AttributedLogin => ({
  login: sshd(time, host),
  certificate,
});

const audit = (
  signs: readonly AuditSign[],
  logins: readonly AttributedLogin[] = [],
  unknown: readonly SshdLogin[] = [],
): SnapshotAudit => ({
  signs,
  report: { logins: [...logins], unused: [], unknown: [...unknown] },
  sources: ['audit.log'],
});

const HOUR = 3600_000;
const T0 = Date.parse('2025-03-05T10:00:00Z');
const at = (ms: number) => new Date(ms).toISOString();

describe('resolveActivity: buckets', () => {
  it('a short span: 12 hourly buckets ending with the newest', () => {
    const a = resolveActivity(audit([sign('2025-03-05T10:20:00Z'), sign('2025-03-05T12:59:59Z')]))!;
    expect(a.bucketSeconds).toBe(3600);
    expect(a.buckets).toEqual([
      '2025-03-05T01:00:00Z',
      '2025-03-05T02:00:00Z',
      '2025-03-05T03:00:00Z',
      '2025-03-05T04:00:00Z',
      '2025-03-05T05:00:00Z',
      '2025-03-05T06:00:00Z',
      '2025-03-05T07:00:00Z',
      '2025-03-05T08:00:00Z',
      '2025-03-05T09:00:00Z',
      '2025-03-05T10:00:00Z',
      '2025-03-05T11:00:00Z',
      '2025-03-05T12:00:00Z',
    ]);
    expect(a.signsByRole).toEqual([{ name: 'ssh-dev/developer', values: [0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1] }]);
    expect(a.loginsByHost).toEqual([]);
  });

  it('one event: 12 hourly buckets, the last holding it', () => {
    const a = resolveActivity(audit([sign('2025-03-05T10:30:00Z')]))!;
    expect(a.bucketSeconds).toBe(3600);
    expect(a.buckets).toHaveLength(12);
    expect(a.buckets.at(-1)).toBe('2025-03-05T10:00:00Z');
    expect(a.signsByRole[0]!.values).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
  });

  it('hours while the span fits 120 hourly buckets, one hour more goes to days', () => {
    const hourly = resolveActivity(audit([sign(at(T0)), sign(at(T0 + 119 * HOUR))]))!;
    expect(hourly.bucketSeconds).toBe(3600);
    expect(hourly.buckets).toHaveLength(120);
    expect(hourly.buckets[0]).toBe('2025-03-05T10:00:00Z');
    expect(hourly.buckets.at(-1)).toBe(at(T0 + 119 * HOUR).replace('.000Z', 'Z'));
    const daily = resolveActivity(audit([sign(at(T0)), sign(at(T0 + 120 * HOUR))]))!;
    expect(daily.bucketSeconds).toBe(86400);
    expect(daily.buckets).toHaveLength(12);
    expect(daily.buckets[0]).toBe('2025-02-27T00:00:00Z');
    expect(daily.buckets.at(-1)).toBe('2025-03-10T00:00:00Z');
    expect(daily.signsByRole[0]!.values).toEqual([0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);
  });

  it('weeks for spans longer than 120 days; weeks start on Thursday (Unix epoch)', () => {
    const a = resolveActivity(audit([sign('2025-01-01T00:00:00Z'), sign('2025-06-01T00:00:00Z')]))!;
    expect(a.bucketSeconds).toBe(604800);
    expect(a.buckets).toHaveLength(23);
    expect(a.buckets[0]).toBe('2024-12-26T00:00:00Z');
    expect(a.buckets.at(-1)).toBe('2025-05-29T00:00:00Z');
    expect(a.signsByRole[0]!.values.reduce((x, y) => x + y)).toBe(2);
    expect(a.signsByRole[0]!.values[0]).toBe(1);
    expect(a.signsByRole[0]!.values.at(-1)).toBe(1);
  });

  it('never more than 120 buckets', () => {
    const a = resolveActivity(audit([sign('2020-01-01T00:00:00Z'), sign('2025-01-01T00:00:00Z')]))!;
    expect(a.bucketSeconds).toBe(604800);
    expect(a.buckets).toHaveLength(120);
    expect(a.signsByRole.every((s) => s.values.length === 120)).toBe(true);
  });

  it('undefined when nothing has a time (or a time that parses)', () => {
    expect(resolveActivity(audit([]))).toBeUndefined();
    expect(resolveActivity(audit([sign('not a time')], [], [sshd(undefined, 'web1')]))).toBeUndefined();
    const noTimes = { ...sign(''), time: undefined as unknown as string };
    expect(resolveActivity(audit([], [login(undefined, 'web1', noTimes)]))).toBeUndefined();
  });
});

describe('resolveActivity: very long spans', () => {
  it('keeps the newest 120 weeks, so the latest activity is never cut off', () => {
    const a = resolveActivity(audit([sign('2020-01-01T00:00:00Z'), sign('2025-01-01T00:00:00Z')]))!;
    expect(a.bucketSeconds).toBe(7 * 86400);
    expect(a.buckets).toHaveLength(120);
    expect(a.buckets.at(-1)).toBe('2024-12-26T00:00:00Z');
    expect(a.signsByRole).toEqual([{ name: 'ssh-dev/developer', values: [...new Array(119).fill(0), 1] }]);
  });
});

describe('resolveActivity: series', () => {
  it('counts signings per <mount>/<role> and logins per host, unknown logins too, sorted by name', () => {
    const dev = sign('2025-03-05T10:05:00Z');
    const ops = sign('2025-03-05T11:05:00Z', { mount: 'ssh-prod', role: 'ops' });
    const a = resolveActivity(
      audit(
        [dev, sign('2025-03-05T10:45:00Z'), ops, sign('bad time', { role: 'ghost' })],
        [
          login('2025-03-05T10:10:00Z', 'web2', dev),
          login('2025-03-05T11:10:00Z', 'web1', ops),
          login('2025-03-05T11:20:00Z', 'web1', ops),
          login(undefined, '', dev),
        ],
        [sshd('2025-03-05T09:30:00Z', 'web1'), sshd('2025-03-05T11:30:00Z', 'db1'), sshd(undefined, 'db1')],
      ),
    )!;
    expect(a.bucketSeconds).toBe(3600);
    expect(a.buckets[0]).toBe('2025-03-05T00:00:00Z');
    expect(a.buckets.at(-1)).toBe('2025-03-05T11:00:00Z');
    const tail = (values: readonly number[]) => values.slice(-3); // 09:00, 10:00, 11:00
    expect(a.signsByRole.map((s) => [s.name, tail(s.values)])).toEqual([
      ['ssh-dev/developer', [0, 2, 0]],
      ['ssh-prod/ops', [0, 0, 1]],
    ]);
    expect(a.loginsByHost.map((s) => [s.name, tail(s.values)])).toEqual([
      // the login without a line time counts at its certificate's signing time (10:05)
      ['(unnamed host)', [0, 1, 0]],
      ['db1', [0, 0, 1]],
      ['web1', [1, 0, 2]],
      ['web2', [0, 1, 0]],
    ]);
    for (const s of [...a.signsByRole, ...a.loginsByHost]) expect(s.values.slice(0, 9)).toEqual(Array(9).fill(0));
  });

  it('loginTime: the line’s time, else the certificate’s signing time', () => {
    const c = sign('2025-03-05T10:05:00Z');
    expect(loginTime(login('2025-03-05T12:00:00Z', 'h', c))).toBe('2025-03-05T12:00:00Z');
    expect(loginTime(login(undefined, 'h', c))).toBe('2025-03-05T10:05:00Z');
  });
});

describe('signedBy', () => {
  const subject = (over: Partial<SnapshotSubject>): SnapshotSubject => ({
    kind: 'userpass',
    authPath: 'userpass',
    name: 'alice',
    policies: [],
    noDefaultPolicy: false,
    tokenTtl: 0,
    ...over,
  });

  it.each([
    ['userpass, same name', subject({}), sign('t'), true],
    ['user name case-insensitively', subject({ name: 'Alice' }), sign('t', { user: 'ALICE' }), true],
    ['another user', subject({}), sign('t', { user: 'bob', displayName: 'userpass-bob' }), false],
    ['another auth path', subject({}), sign('t', { displayName: 'ldap-alice' }), false],
    [
      'a nested auth path, slashes as dashes',
      subject({ authPath: 'corp/userpass' }),
      sign('t', { displayName: 'corp-userpass-alice' }),
      true,
    ],
    [
      'a dashed auth path',
      subject({ authPath: 'corp-userpass' }),
      sign('t', { displayName: 'corp-userpass-alice' }),
      true,
    ],
    [
      'the nested path seen as plain',
      subject({ authPath: 'corp' }),
      sign('t', { displayName: 'userpass-alice' }),
      false,
    ],
    ['a root token', subject({}), sign('t', { displayName: 'root', user: 'root' }), false],
    [
      'a JWT role by its role name',
      subject({ kind: 'jwt', authPath: 'jwt', name: 'ci' }),
      sign('t', { displayName: 'jwt-repo:org/app:ref:main', user: 'ci', authMethod: 'jwt' }),
      true,
    ],
    [
      'an entity by its id',
      subject({ kind: 'entity', authPath: '', name: 'alice', entityId: 'e-1' }),
      sign('t', { entityId: 'e-1', user: 'someone-else' }),
      true,
    ],
    [
      'an entity, another id',
      subject({ kind: 'entity', authPath: '', name: 'alice', entityId: 'e-1' }),
      sign('t', { entityId: 'e-2' }),
      false,
    ],
    [
      'an entity without an id never matches, not even a token without one',
      subject({ kind: 'entity', authPath: '', name: 'alice' }),
      sign('t', { entityId: '' }),
      false,
    ],
  ] as const)('%s', (_, s, c, expected) => {
    expect(signedBy(c, s)).toBe(expected);
  });
});

describe('signedBy: userpass display names', () => {
  it('matches the whole display name, so alice of userpass-corp is not alice of userpass', () => {
    const alice: SnapshotSubject = {
      kind: 'userpass',
      authPath: 'userpass',
      name: 'alice',
      policies: [],
      noDefaultPolicy: false,
      tokenTtl: 0,
    };
    expect(signedBy(sign('2025-03-05T10:00:00Z', { displayName: 'userpass-alice', user: 'alice' }), alice)).toBe(true);
    expect(signedBy(sign('2025-03-05T10:00:00Z', { displayName: 'userpass-corp-alice', user: 'alice' }), alice)).toBe(
      false,
    );
    expect(signedBy(sign('2025-03-05T10:00:00Z', { displayName: 'userpass-Alice', user: 'Alice' }), alice)).toBe(true);
  });
});

describe('lastLoginOf', () => {
  const alice: SnapshotSubject = {
    kind: 'userpass',
    authPath: 'userpass',
    name: 'alice',
    policies: [],
    noDefaultPolicy: false,
    tokenTtl: 0,
  };

  it('the newest login time and the count, for that subject, mount and role only', () => {
    const dev = sign('2025-03-05T08:00:00Z');
    const logins = [
      login('2025-03-05T10:00:00Z', 'web1', dev),
      login('2025-03-05T12:30:00+01:00', 'web1', dev), // 11:30Z: the newest, though not last in text order
      login('2025-03-05T11:00:00Z', 'web2', dev),
      login(undefined, 'web2', dev),
      login('2025-03-06T00:00:00Z', 'web1', sign('t', { role: 'ops' })),
      login('2025-03-06T00:00:00Z', 'web1', sign('t', { mount: 'ssh-prod' })),
      login('2025-03-06T00:00:00Z', 'web1', sign('t', { user: 'bob', displayName: 'userpass-bob' })),
    ];
    expect(lastLoginOf(logins, alice, 'ssh-dev', 'developer')).toEqual({ last: '2025-03-05T12:30:00+01:00', count: 4 });
    expect(lastLoginOf(logins, alice, 'ssh-dev', 'ops')).toEqual({ last: '2025-03-06T00:00:00Z', count: 1 });
    expect(lastLoginOf(logins, alice, 'ssh-dev', 'nope')).toEqual({ count: 0 });
    expect(lastLoginOf([], alice, 'ssh-dev', 'developer')).toEqual({ count: 0 });
  });

  it('falls back to the certificate’s signing time for logins without a line time', () => {
    expect(
      lastLoginOf([login(undefined, 'web1', sign('2025-03-05T08:00:00Z'))], alice, 'ssh-dev', 'developer'),
    ).toEqual({ last: '2025-03-05T08:00:00Z', count: 1 });
  });
});
