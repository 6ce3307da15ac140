// The report's access model (core/report/access-model.ts; issue 21, point 2): which identity reaches
// which role is decided by the ACL code on the policies its tokens get, roles read as people read
// them (principals, host accounts, TTLs, extensions), CA keys with OpenSSH fingerprints and the
// rotation stage, and plain notes for what the report could not work out.

import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { caKeyFromKeyObject } from '../../../core/keys/ca-key.js';
import { formatAuthorizedKey } from '../../../core/keys/public-key.js';
import { resolveAccessModel } from '../../../core/report/access-model.js';
import type { ReportSnapshot, SnapshotMount, SnapshotRole, SnapshotSubject } from '../../../core/report/snapshot.js';
import { ROTATION_STAGE_TEXT, type RotationIssuer } from '../../../core/rotation.js';
import { makeScratchDir, removeScratchDir, writeFileAtomically } from '../../helpers/scratch.js';

const DEVELOPER: SnapshotRole = {
  name: 'developer',
  data: {
    key_type: 'ca',
    allow_user_certificates: true,
    allow_host_certificates: false,
    allowed_users: 'ubuntu,ec2-user',
    default_user: 'ubuntu',
    ttl: 3600,
    max_ttl: 28800,
    allowed_extensions: 'permit-pty',
    default_extensions: { 'permit-pty': '' },
  },
};

const OTP: SnapshotRole = {
  name: 'otp',
  data: {
    key_type: 'otp',
    default_user: 'ubuntu',
    allowed_users: 'ubuntu,deploy',
    cidr_list: '10.0.0.0/8, 192.168.1.0/24',
  },
};

const HOST: SnapshotRole = {
  name: 'host',
  data: {
    key_type: 'ca',
    allow_host_certificates: true,
    allow_user_certificates: false,
    allowed_domains: 'dev.example.com',
    ttl: 0,
    max_ttl: 0,
  },
};

const mount = (over: Partial<SnapshotMount> = {}): SnapshotMount => ({
  path: 'ssh-dev',
  description: 'dev hosts',
  defaultLeaseTtl: 2764800,
  maxLeaseTtl: 2764800,
  issuers: [],
  roles: [DEVELOPER],
  ...over,
});

const user = (name: string, policies: readonly string[], over: Partial<SnapshotSubject> = {}): SnapshotSubject => ({
  kind: 'userpass',
  authPath: 'userpass',
  name,
  policies,
  noDefaultPolicy: true,
  tokenTtl: 0,
  ...over,
});

const snapshot = (over: Partial<ReportSnapshot> = {}): ReportSnapshot => ({
  backend: 'http://127.0.0.1:8200',
  generatedAt: '2025-03-05T10:00:00Z',
  mounts: [mount()],
  policies: {},
  subjects: [],
  unreadable: [],
  ...over,
});

const pathBlock = (path: string, capabilities: readonly string[]) =>
  `path "${path}" { capabilities = [${capabilities.map((c) => `"${c}"`).join(', ')}] }`;

/** `subject name → role/endpoint → via` of every grant of the first environment. */
const grantsOf = (s: ReportSnapshot, env = 0) =>
  resolveAccessModel(s).environments[env]!.grants.map((g) => [g.subject.name, `${g.role.name}/${g.endpoint}`, g.via]);

describe('resolveAccessModel: grants', () => {
  it.each([
    ['the exact sign path', pathBlock('ssh-dev/sign/developer', ['update']), [['alice', 'developer/sign', ['p']]]],
    [
      'a glob over the mount’s sign paths',
      pathBlock('ssh-dev/sign/*', ['update']),
      [['alice', 'developer/sign', ['p']]],
    ],
    [
      'a + segment',
      pathBlock('ssh-dev/+/developer', ['update']),
      [
        ['alice', 'developer/sign', ['p']],
        ['alice', 'developer/issue', ['p']],
      ],
    ],
    ['a + mount', pathBlock('+/sign/developer', ['update']), [['alice', 'developer/sign', ['p']]]],
    ['create only (not update)', pathBlock('ssh-dev/sign/developer', ['create']), []],
    ['read only', pathBlock('ssh-dev/sign/developer', ['read']), []],
    ['another role', pathBlock('ssh-dev/sign/other', ['update']), []],
    ['another mount', pathBlock('ssh-prod/sign/developer', ['update']), []],
    ['a prefix without a glob', pathBlock('ssh-dev/sign/dev', ['update']), []],
  ] as const)('%s', (_, text, expected) => {
    expect(grantsOf(snapshot({ policies: { p: text }, subjects: [user('alice', ['p'])] }))).toEqual(expected);
  });

  it('lists in via exactly the subject’s policies that grant the path on their own, in the subject’s order', () => {
    const s = snapshot({
      policies: {
        sign: pathBlock('ssh-dev/sign/developer', ['update']),
        glob: pathBlock('ssh-dev/sign/*', ['create', 'update']),
        unrelated: pathBlock('secret/*', ['read']),
      },
      subjects: [user('alice', ['unrelated', 'glob', 'sign']), user('bob', ['unrelated'])],
    });
    expect(grantsOf(s)).toEqual([['alice', 'developer/sign', ['glob', 'sign']]]);
    const model = resolveAccessModel(s);
    expect(model.withoutAccess.map((x) => x.name)).toEqual(['bob']);
    expect(model.notes).toEqual([]);
    expect(model.environments[0]!.grants[0]!.subject).toBe(s.subjects[0]);
  });

  it('a deny in another policy removes the grant', () => {
    const s = snapshot({
      policies: {
        allow: pathBlock('ssh-dev/sign/developer', ['update']),
        deny: pathBlock('ssh-dev/sign/developer', ['deny']),
      },
      subjects: [user('alice', ['allow', 'deny']), user('bob', ['allow'])],
    });
    expect(grantsOf(s)).toEqual([['bob', 'developer/sign', ['allow']]]);
    expect(resolveAccessModel(s).withoutAccess.map((x) => x.name)).toEqual(['alice']);
  });

  it('counts the default policy unless the subject has token_no_default_policy', () => {
    const s = snapshot({
      policies: { default: pathBlock('ssh-dev/sign/developer', ['update']) },
      subjects: [user('alice', [], { noDefaultPolicy: false }), user('bob', [], { noDefaultPolicy: true })],
    });
    expect(grantsOf(s)).toEqual([['alice', 'developer/sign', ['default']]]);
    const model = resolveAccessModel(s);
    expect(model.withoutAccess.map((x) => x.name)).toEqual(['bob']);
    expect(model.notes).toEqual([]);
  });

  it('a root subject reaches every endpoint of every role, via root', () => {
    const s = snapshot({ mounts: [mount({ roles: [DEVELOPER, OTP] })], subjects: [user('admin', ['root'])] });
    expect(grantsOf(s)).toEqual([
      ['admin', 'developer/sign', ['root']],
      ['admin', 'developer/issue', ['root']],
      ['admin', 'otp/creds', ['root']],
    ]);
    expect(resolveAccessModel(s).notes).toEqual([]);
  });

  it('a host-only role is reached on sign only when a policy allows its sign path', () => {
    const roles = [HOST];
    const none = snapshot({
      mounts: [mount({ roles })],
      policies: { p: pathBlock('ssh-dev/sign/developer', ['update']) },
      subjects: [user('alice', ['p'])],
    });
    expect(grantsOf(none)).toEqual([]);
    const some = snapshot({
      mounts: [mount({ roles })],
      policies: { p: pathBlock('ssh-dev/sign/host', ['update']) },
      subjects: [user('alice', ['p'])],
    });
    expect(grantsOf(some)).toEqual([['alice', 'host/sign', ['p']]]);
  });

  it('an OTP role is reached through creds/<role>, not sign', () => {
    const s = snapshot({
      mounts: [mount({ roles: [OTP] })],
      policies: {
        creds: pathBlock('ssh-dev/creds/otp', ['update']),
        sign: pathBlock('ssh-dev/sign/otp', ['update']),
      },
      subjects: [user('alice', ['creds']), user('bob', ['sign'])],
    });
    expect(grantsOf(s)).toEqual([['alice', 'otp/creds', ['creds']]]);
    expect(resolveAccessModel(s).withoutAccess.map((x) => x.name)).toEqual(['bob']);
  });

  it('orders roles by name and gives grants per environment', () => {
    const s = snapshot({
      mounts: [
        mount({ roles: [OTP, DEVELOPER] }),
        mount({ path: 'ssh-prod', description: '', roles: [{ ...DEVELOPER, name: 'ops' }] }),
      ],
      policies: { p: `${pathBlock('+/sign/*', ['update'])}\n${pathBlock('ssh-dev/creds/*', ['update'])}` },
      subjects: [user('alice', ['p'])],
    });
    const model = resolveAccessModel(s);
    expect(model.environments.map((e) => [e.mount, e.roles.map((r) => r.name)])).toEqual([
      ['ssh-dev', ['developer', 'otp']],
      ['ssh-prod', ['ops']],
    ]);
    expect(grantsOf(s, 0)).toEqual([
      ['alice', 'developer/sign', ['p']],
      ['alice', 'otp/creds', ['p']],
    ]);
    expect(grantsOf(s, 1)).toEqual([['alice', 'ops/sign', ['p']]]);
  });
});

describe('resolveAccessModel: notes', () => {
  it('says which held policies could not be read, once each, sorted', () => {
    const s = snapshot({
      policies: { p: pathBlock('ssh-dev/sign/developer', ['update']) },
      subjects: [user('alice', ['p', 'zeta', 'ghost']), user('bob', ['ghost'])],
    });
    const model = resolveAccessModel(s);
    expect(model.notes).toEqual([
      'policy ghost is held but could not be read: its paths are not counted',
      'policy zeta is held but could not be read: its paths are not counted',
    ]);
    expect(grantsOf(s)).toEqual([['alice', 'developer/sign', ['p']]]);
    expect(model.withoutAccess.map((x) => x.name)).toEqual(['bob']);
  });

  it('notes the default policy as unread when a subject gets it and the snapshot lacks it', () => {
    const model = resolveAccessModel(snapshot({ subjects: [user('alice', [], { noDefaultPolicy: false })] }));
    expect(model.notes).toEqual(['policy default is held but could not be read: its paths are not counted']);
  });

  it('says a policy cannot be parsed, and counts none of its paths', () => {
    const s = snapshot({
      policies: { broken: 'path "ssh-dev/sign/developer" { capabilities = ["update"]', p: '' },
      subjects: [user('alice', ['broken', 'p'])],
    });
    const model = resolveAccessModel(s);
    expect(model.notes).toHaveLength(2);
    expect(model.notes[0]).toMatch(/^policy broken cannot be parsed: failed to parse policy: /);
    expect(model.notes[1]).toBe("policy p cannot be parsed: 'policy' parameter not supplied or empty");
    expect(grantsOf(s)).toEqual([]);
    expect(model.withoutAccess.map((x) => x.name)).toEqual(['alice']);
  });

  it('turns each unreadable path into a note, first and in order', () => {
    const model = resolveAccessModel(
      snapshot({
        unreadable: ['sys/policies/acl/secret-ops', 'auth/userpass/users'],
        subjects: [user('alice', ['missing'])],
      }),
    );
    expect(model.notes).toEqual([
      'not readable with this token: sys/policies/acl/secret-ops',
      'not readable with this token: auth/userpass/users',
      'policy missing is held but could not be read: its paths are not counted',
    ]);
  });
});

describe('resolveAccessModel: roles', () => {
  const roleOf = (m: SnapshotMount, name: string) =>
    resolveAccessModel(snapshot({ mounts: [m] })).environments[0]!.roles.find((r) => r.name === name)!;

  it('reads a user CA role without a host principals mapping: accounts are the principal names', () => {
    expect(roleOf(mount(), 'developer')).toEqual({
      name: 'developer',
      keyType: 'ca',
      certificates: 'user',
      principals: ['ubuntu', 'ec2-user'],
      templated: false,
      defaultUser: 'ubuntu',
      accounts: ['ubuntu', 'ec2-user'],
      accountsFrom: 'principal names',
      ttl: 3600,
      maxTtl: 28800,
      allowedExtensions: ['permit-pty'],
      defaultExtensions: ['permit-pty'],
      cidrList: [],
    });
  });

  it('maps principals to host accounts through hostPrincipals', () => {
    const m = mount({
      hostPrincipals: { ubuntu: ['ubuntu', 'dev-team'], admin: ['ops'], 'ec2-user': ['ec2-user'] },
    });
    expect(roleOf(m, 'developer')).toMatchObject({
      principals: ['ubuntu', 'ec2-user'],
      accounts: ['ubuntu', 'ec2-user'],
      accountsFrom: 'host principals',
    });
    const team = mount({
      hostPrincipals: { ubuntu: ['dev-team'], admin: ['ops'], deploy: ['dev-team', 'ci'] },
      roles: [{ name: 'team', data: { ...DEVELOPER.data, allowed_users: 'dev-team' } }],
    });
    expect(roleOf(team, 'team')).toMatchObject({
      principals: ['dev-team'],
      accounts: ['ubuntu', 'deploy'],
      accountsFrom: 'host principals',
    });
  });

  it('a `*` principal reaches every account of the mapping, or `*` without one', () => {
    const any: SnapshotRole = { name: 'any', data: { ...DEVELOPER.data, allowed_users: '*' } };
    expect(roleOf(mount({ roles: [any], hostPrincipals: { ubuntu: ['x'], root: ['y'] } }), 'any')).toMatchObject({
      principals: ['*'],
      accounts: ['ubuntu', 'root'],
      accountsFrom: 'host principals',
    });
    expect(roleOf(mount({ roles: [any] }), 'any')).toMatchObject({
      principals: ['*'],
      accounts: ['*'],
      accountsFrom: 'principal names',
    });
  });

  it('a host-only role: principals are the allowed domains, no accounts, mount TTLs when 0', () => {
    expect(
      roleOf(mount({ roles: [HOST], defaultLeaseTtl: 7200, maxLeaseTtl: 86400, hostPrincipals: { a: ['*'] } }), 'host'),
    ).toEqual({
      name: 'host',
      keyType: 'ca',
      certificates: 'host',
      principals: ['dev.example.com'],
      templated: false,
      defaultUser: '',
      accounts: [],
      accountsFrom: 'none',
      ttl: 7200,
      maxTtl: 86400,
      allowedExtensions: [],
      defaultExtensions: [],
      cidrList: [],
    });
  });

  it('a role signing user and host certificates says both and keeps allowed_users', () => {
    const both: SnapshotRole = { name: 'both', data: { ...DEVELOPER.data, allow_host_certificates: true } };
    expect(roleOf(mount({ roles: [both] }), 'both')).toMatchObject({
      certificates: 'user, host',
      principals: ['ubuntu', 'ec2-user'],
      accountsFrom: 'principal names',
    });
  });

  it('an OTP role: principals are default_user and allowed_users deduplicated, with its CIDRs', () => {
    expect(roleOf(mount({ roles: [OTP], defaultLeaseTtl: 60, maxLeaseTtl: 120 }), 'otp')).toEqual({
      name: 'otp',
      keyType: 'otp',
      certificates: '',
      principals: ['ubuntu', 'deploy'],
      templated: false,
      defaultUser: 'ubuntu',
      accounts: ['ubuntu', 'deploy'],
      accountsFrom: 'principal names',
      ttl: 60,
      maxTtl: 120,
      allowedExtensions: [],
      defaultExtensions: [],
      cidrList: ['10.0.0.0/8', '192.168.1.0/24'],
    });
  });

  it('an OTP role logs in to the account it names: the hosts’ principals mapping (for certificates) does not apply', () => {
    const m = mount({ roles: [OTP], hostPrincipals: { ubuntu: ['dev-team'], deploy: ['ci'] } });
    expect(roleOf(m, 'otp')).toMatchObject({ accounts: ['ubuntu', 'deploy'], accountsFrom: 'principal names' });
  });

  it('reads TTLs given as duration strings and templated principals', () => {
    const t: SnapshotRole = {
      name: 't',
      data: {
        ...DEVELOPER.data,
        ttl: '30m',
        max_ttl: '12h',
        allowed_users: '{{identity.entity.aliases.auth_userpass_1.name}},ubuntu',
        allowed_users_template: true,
        default_extensions: { 'permit-port-forwarding': '', 'permit-agent-forwarding': '' },
      },
    };
    expect(roleOf(mount({ roles: [t] }), 't')).toMatchObject({
      ttl: 1800,
      maxTtl: 43200,
      templated: true,
      principals: ['{{identity.entity.aliases.auth_userpass_1.name}}', 'ubuntu'],
      defaultExtensions: ['permit-agent-forwarding', 'permit-port-forwarding'],
    });
  });
});

describe('resolveAccessModel: CA keys and rotation', () => {
  const dir = makeScratchDir('report-model');
  afterAll(() => removeScratchDir(dir));

  /** A real ed25519 public key as an authorized_keys line, and its fingerprint as ssh-keygen -l prints it. */
  const realKey = (name: string): { line: string; fingerprint: string } => {
    const { privateKey } = generateKeyPairSync('ed25519');
    const line = formatAuthorizedKey(caKeyFromKeyObject(privateKey).publicBlob, name);
    const file = join(dir, `${name}.pub`);
    writeFileAtomically(file, `${line}\n`);
    const out = execFileSync('ssh-keygen', ['-lf', file], { encoding: 'utf8' });
    return { line, fingerprint: out.split(' ')[1]! };
  };

  const issuer = (id: string, name: string, isDefault: boolean, publicKey: string): RotationIssuer => ({
    id,
    name,
    isDefault,
    publicKey,
  });

  it('a steady mount: its one key with the fingerprint ssh-keygen -l prints', () => {
    const key = realKey('steady');
    expect(key.fingerprint).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
    const env = resolveAccessModel(snapshot({ mounts: [mount({ issuers: [issuer('', '', true, `${key.line}\n`)] })] }))
      .environments[0]!;
    expect(env.caKeys).toEqual([
      { id: '', name: '', use: 'signing', algorithm: 'ssh-ed25519', fingerprint: key.fingerprint },
    ]);
    expect(env.rotationStage).toBe(0);
    expect(env.rotationText).toBe(ROTATION_STAGE_TEXT[0]);
    expect(env.rotationText).toBe('steady: one signing key, no rotation in progress');
    expect(env).not.toHaveProperty('stage3AllowedAt');
  });

  it('stage 1: the staged key is listed after the signing key', () => {
    const a = realKey('a');
    const b = realKey('b');
    const env = resolveAccessModel(
      snapshot({
        mounts: [
          mount({
            issuers: [issuer('id-b', 'staged-1700000000', false, b.line), issuer('id-a', 'active', true, a.line)],
          }),
        ],
      }),
    ).environments[0]!;
    expect(env.caKeys).toEqual([
      { id: 'id-a', name: 'active', use: 'signing', algorithm: 'ssh-ed25519', fingerprint: a.fingerprint },
      { id: 'id-b', name: 'staged-1700000000', use: 'staged', algorithm: 'ssh-ed25519', fingerprint: b.fingerprint },
    ]);
    expect(env.rotationStage).toBe(1);
    expect(env.rotationText).toBe('stage 1: hosts trust the old and the new key; the backend signs with the old key');
    expect(env.rotationText).toBe(ROTATION_STAGE_TEXT[1]);
    expect(env).not.toHaveProperty('stage3AllowedAt');
  });

  it('stage 2: stage 3 is allowed the longest role max_ttl after the retirement', () => {
    const a = realKey('old');
    const b = realKey('new');
    const env = resolveAccessModel(
      snapshot({
        mounts: [
          mount({
            roles: [
              DEVELOPER,
              { name: 'short', data: { ...DEVELOPER.data, max_ttl: 600 } },
              { name: 'otp-long', data: { ...OTP.data, max_ttl: 999999 } },
            ],
            issuers: [
              issuer('id-bak', 'backup', false, 'not a key'),
              issuer('id-old', 'retired-1700000000', false, a.line),
              issuer('id-new', 'active-1700000000', true, b.line),
            ],
          }),
        ],
      }),
    ).environments[0]!;
    expect(env.rotationStage).toBe(2);
    expect(env.rotationText).toBe('stage 2: the backend signs with the new key; hosts still trust the old key');
    expect(env.stage3AllowedAt).toBe('2023-11-15T06:13:20Z'); // 1700000000 + 28800
    expect(env.caKeys).toEqual([
      { id: 'id-new', name: 'active-1700000000', use: 'signing', algorithm: 'ssh-ed25519', fingerprint: b.fingerprint },
      {
        id: 'id-old',
        name: 'retired-1700000000',
        use: 'retired',
        algorithm: 'ssh-ed25519',
        fingerprint: a.fingerprint,
      },
      { id: 'id-bak', name: 'backup', use: 'other', algorithm: '', fingerprint: '(unreadable public key)' },
    ]);
  });

  it('stage 2 with a role without max_ttl counts the mount’s max lease TTL', () => {
    const a = realKey('old2');
    const b = realKey('new2');
    const env = resolveAccessModel(
      snapshot({
        mounts: [
          mount({
            maxLeaseTtl: 86400,
            roles: [{ name: 'open', data: { ...DEVELOPER.data, max_ttl: 0 } }],
            issuers: [issuer('o', 'retired-1700000000', false, a.line), issuer('n', '', true, b.line)],
          }),
        ],
      }),
    ).environments[0]!;
    expect(env.stage3AllowedAt).toBe('2023-11-15T22:13:20Z');
  });

  it('no issuers: no CA key configured', () => {
    const env = resolveAccessModel(snapshot()).environments[0]!;
    expect(env).toEqual({
      mount: 'ssh-dev',
      description: 'dev hosts',
      caKeys: [],
      rotationStage: 0,
      rotationText: 'no CA key configured',
      roles: [expect.objectContaining({ name: 'developer' })],
      grants: [],
    });
  });
});

describe('resolveAccessModel: withoutAccess', () => {
  it('lists the subjects with no grant on any mount, in snapshot order', () => {
    const entity: SnapshotSubject = {
      kind: 'entity',
      authPath: '',
      name: 'carol',
      policies: ['p'],
      noDefaultPolicy: true,
      tokenTtl: 0,
      entityId: 'e-1',
    };
    const s = snapshot({
      mounts: [mount(), mount({ path: 'ssh-prod' })],
      policies: { p: pathBlock('ssh-prod/sign/developer', ['update']), q: pathBlock('secret/*', ['read']) },
      subjects: [
        user('zed', ['q']),
        entity,
        user('amy', []),
        { ...user('ci', ['q']), kind: 'approle', authPath: 'approle' },
      ],
    });
    const model = resolveAccessModel(s);
    expect(model.withoutAccess).toEqual([s.subjects[0], s.subjects[2], s.subjects[3]]);
    expect(grantsOf(s, 0)).toEqual([]);
    expect(grantsOf(s, 1)).toEqual([['carol', 'developer/sign', ['p']]]);
  });
});
