// core/audit (issue 21, point 1): sshd log lines in their real formats, audit entries as the server's
// file device writes them (hashed and raw), and the join with exact results.

import { describe, expect, it } from 'vitest';
import { parseAuditLog } from '../../../core/audit/audit-log.js';
import { planSerialLookups, renderAuditTable, resolveAuditReport } from '../../../core/audit/join.js';
import { parseSshdLog, serialHex } from '../../../core/audit/sshd-log.js';
import { responseLine, requestLine, type AuditRequest } from '../../../server/audit/audit-entry.js';
import { hmacValue } from '../../../server/audit/audit-hash.js';

const ACCEPTED =
  'Accepted publickey for sshca-test from 127.0.0.1 port 40522 ssh2: ED25519-CERT SHA256:keyfp ID developer-userpass-testuser-abc (serial 1311768467463790320) CA ED25519 SHA256:cafp';

describe('parseSshdLog', () => {
  it('reads sshd -e lines, auth.log, journal and ISO prefixes, and skips the rest', () => {
    const text = [
      ACCEPTED,
      `Mar  5 10:00:01 web1 sshd[123]: ${ACCEPTED.replace('40522', '1')}`,
      `Mar 05 10:00:02 web2 sshd[124]: ${ACCEPTED.replace('40522', '2')}`,
      `2025-03-05T10:00:03.250000+01:00 web3 sshd[125]: ${ACCEPTED.replace('40522', '3')}`,
      'Accepted publickey for bob from 10.0.0.1 port 22 ssh2: ED25519 SHA256:plainkey',
      'Connection closed by 127.0.0.1 port 40522 [preauth]',
      `Mar  5 10:00:04 web1 sshd-session[126]: ${ACCEPTED.replace('40522', '4').replace('ID developer-userpass-testuser-abc', 'ID with spaces (x)')}`,
    ].join('\n');
    const logins = parseSshdLog(text, { year: 2025 });
    expect(logins.map((l) => [l.time, l.host, l.port, l.keyId])).toEqual([
      [undefined, '', 40522, 'developer-userpass-testuser-abc'],
      ['2025-03-05T10:00:01.000Z', 'web1', 1, 'developer-userpass-testuser-abc'],
      ['2025-03-05T10:00:02.000Z', 'web2', 2, 'developer-userpass-testuser-abc'],
      ['2025-03-05T09:00:03.250Z', 'web3', 3, 'developer-userpass-testuser-abc'],
      ['2025-03-05T10:00:04.000Z', 'web1', 4, 'with spaces (x)'],
    ]);
    expect(logins[0]).toEqual({
      host: '',
      account: 'sshca-test',
      from: '127.0.0.1',
      port: 40522,
      keyType: 'ED25519-CERT',
      keyFingerprint: 'SHA256:keyfp',
      keyId: 'developer-userpass-testuser-abc',
      serial: '1311768467463790320',
      caFingerprint: 'SHA256:cafp',
    });
    expect(parseSshdLog(ACCEPTED, { host: 'dev1', year: 2025 })[0]!.host).toBe('dev1');
  });

  it('formats serials as Vault does', () => {
    expect(serialHex('1311768467463790320')).toBe('123456789abcdef0');
    expect(serialHex('18446744073709551615')).toBe('ffffffffffffffff');
    expect(serialHex('0')).toBe('0');
  });
});

const SALT = 'salt-1';
function signRequest(id: string, user: string, role: string, data: Record<string, unknown>): AuditRequest {
  return {
    id,
    operation: 'update',
    mountType: 'ssh',
    mountPoint: 'ssh-dev/',
    mountAccessor: 'ssh_1',
    path: `ssh-dev/sign/${role}`,
    data,
    remoteAddress: '127.0.0.1',
    remotePort: 5000,
    auth: {
      clientToken: `tok-${user}`,
      accessor: `acc-${user}`,
      displayName: `userpass-${user}`,
      policies: ['default', 'ssh-access'],
      entityId: `ent-${user}`,
      metadata: { username: user },
      tokenTtl: 3600,
      tokenIssueTime: '2025-03-05T09:00:00Z',
    },
  };
}
const line = (time: string, req: AuditRequest, serial: string, logRaw = false) => {
  const o = { salt: SALT, logRaw, hmacAccessor: true };
  return `${requestLine(time, req, o)}\n${responseLine(time, req, { data: { serial_number: serial, signed_key: 'cert' } }, o)}`;
};

describe('parseAuditLog and the join', () => {
  const log = [
    line('2025-03-05T09:59:00Z', signRequest('r1', 'testuser', 'developer', { public_key: 'k', valid_principals: 'ubuntu' }), '123456789abcdef0'),
    line('2025-03-05T09:59:30Z', signRequest('r2', 'oncall', 'emergency', { public_key: 'k', ttl: 600 }), 'ff', true),
    line('2025-03-05T09:59:40Z', signRequest('r3', 'testuser', 'developer', { public_key: 'k' }), 'abc'),
    'not json',
    responseLine('2025-03-05T10:00:00Z', signRequest('r4', 'testuser', 'developer', {}), { error: 'denied' }, { salt: SALT, logRaw: false, hmacAccessor: true }),
  ].join('\n');

  it('keeps the successful signings, hashed values as logged', () => {
    const { signs, badLines } = parseAuditLog(log);
    expect(badLines).toBe(1);
    expect(signs.map((s) => [s.requestId, s.user, s.role, s.serialNumber, s.principals, s.ttl])).toEqual([
      ['r1', 'testuser', 'developer', hmacValue(SALT, '123456789abcdef0'), undefined, undefined],
      ['r2', 'oncall', 'emergency', 'ff', undefined, 600],
      ['r3', 'testuser', 'developer', hmacValue(SALT, 'abc'), undefined, undefined],
    ]);
    expect(signs[0]).toMatchObject({
      mount: 'ssh-dev',
      path: 'ssh-dev/sign/developer',
      displayName: 'userpass-testuser',
      authMethod: 'userpass',
      policies: ['default', 'ssh-access'],
      tokenAccessor: hmacValue(SALT, 'acc-testuser'),
      entityId: 'ent-testuser',
    });
  });

  it('attributes logins by hashed and raw serials, lists unused and unknown, and filters', () => {
    const { signs } = parseAuditLog(log);
    const logins = parseSshdLog(
      [
        `Mar  5 10:00:01 web1 sshd[1]: ${ACCEPTED}`,
        `Mar  5 10:00:02 web2 sshd[2]: ${ACCEPTED.replace('sshca-test', 'root').replace('1311768467463790320', '255')}`,
        `Mar  5 10:00:03 web2 sshd[3]: ${ACCEPTED.replace('1311768467463790320', '7')}`,
      ].join('\n'),
      { year: 2025 },
    );
    const lookups = planSerialLookups(logins);
    expect(lookups).toEqual(['123456789abcdef0', 'ff', '7']);
    const serialHashes = new Map(lookups.map((h) => [h, hmacValue(SALT, h)]));
    const r = resolveAuditReport({ signs, logins, serialHashes });
    expect(r.logins.map((l) => [l.login.host, l.login.account, l.certificate.user, l.certificate.role])).toEqual([
      ['web1', 'sshca-test', 'testuser', 'developer'],
      ['web2', 'root', 'oncall', 'emergency'],
    ]);
    expect(r.unused.map((s) => s.requestId)).toEqual(['r3']);
    expect(r.unknown.map((l) => l.serial)).toEqual(['7']);
    expect(renderAuditTable(r)).toBe(
      [
        'Logins:',
        'TIME                      HOST  ACCOUNT     FROM       SERIAL               SIGNED BY  METHOD    ROLE               SIGNED AT',
        '2025-03-05T10:00:01.000Z  web1  sshca-test  127.0.0.1  1311768467463790320  testuser   userpass  ssh-dev/developer  2025-03-05T09:59:00Z',
        '2025-03-05T10:00:02.000Z  web2  root        127.0.0.1  255                  oncall     userpass  ssh-dev/emergency  2025-03-05T09:59:30Z',
        '',
        'Signed, never used:',
        'SIGNED AT             SIGNED BY  METHOD    ROLE               SERIAL    REQUEST ID',
        '2025-03-05T09:59:40Z  testuser   userpass  ssh-dev/developer  (hashed)  r3',
        '',
        'Unknown certificates (not in the audit log):',
        'TIME                      HOST  ACCOUNT     FROM       SERIAL  KEY ID                           CA',
        '2025-03-05T10:00:03.000Z  web2  sshca-test  127.0.0.1  7       developer-userpass-testuser-abc  SHA256:cafp',
        '',
      ].join('\n'),
    );
    const pick = (f: Parameters<typeof resolveAuditReport>[1]) => {
      const x = resolveAuditReport({ signs, logins, serialHashes }, f);
      return [x.logins.map((l) => l.certificate.requestId), x.unused.map((s) => s.requestId), x.unknown.map((l) => l.serial)];
    };
    expect(pick({ user: 'oncall' })).toEqual([['r2'], [], []]);
    expect(pick({ user: 'userpass-testuser' })).toEqual([['r1'], ['r3'], []]);
    expect(pick({ host: 'web2' })).toEqual([['r2'], ['r3'], ['7']]);
    expect(pick({ since: Date.parse('2025-03-05T10:00:02Z') })).toEqual([['r2'], [], ['7']]);
    expect(pick({ mount: 'ssh-prod' })).toEqual([[], [], ['7']]);
    // Without the hashes, hashed serials do not join.
    const bare = resolveAuditReport({ signs, logins });
    expect(bare.logins.map((l) => l.certificate.requestId)).toEqual(['r2']);
  });
});
