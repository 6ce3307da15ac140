// The role model (reference §2.1, §2.2, §1.8): write-time validation in Vault's order with Vault's
// messages and statuses, full-replace semantics, defaults, the read shapes of CA and OTP roles, and
// the role-name rule.

import { describe, expect, it } from 'vitest';
import { formatGoList, parseCommaList } from '../../core/go-lists.js';
import {
  ALGORITHM_SIGNERS,
  isValidRoleName,
  parseRoleWrite,
  roleToWire,
  validateRoleWrite,
} from '../../core/role.js';
import { caught, type Caught } from './fixtures.js';

const CA = { key_type: 'ca', allow_user_certificates: true } as const;
const bad = (message: string): Caught => ({ message, name: 'RequestError', status: 400 });
const internal = (message: string): Caught => ({ message, name: 'InternalError', status: 500 });

describe('parseRoleWrite: validation in Vault order', () => {
  it.each<[string, Record<string, unknown>, Caught]>([
    // 12. framework type errors come before every handler check
    [
      'a bad ttl',
      { key_type: 'ca', ttl: 'abc' },
      bad('Field validation failed: error converting input abc for field "ttl": time: invalid duration "abc"'),
    ],
    [
      'a bad port',
      { key_type: 'otp', port: 'x' },
      bad(
        'Field validation failed: error converting input x for field "port": cannot parse \'\' as int: strconv.ParseInt: parsing "x": invalid syntax',
      ),
    ],
    [
      'a bad bool',
      { key_type: 'ca', allow_user_certificates: 'maybe' },
      bad(
        'Field validation failed: error converting input maybe for field "allow_user_certificates": cannot parse \'\' as bool: strconv.ParseBool: parsing "maybe": invalid syntax',
      ),
    ],
    [
      'a negative max_ttl',
      { ...CA, max_ttl: -1 },
      bad(
        'Field validation failed: error converting input -1 for field "max_ttl": cannot provide negative value \'-1\'',
      ),
    ],
    [
      'a type error and a bad CIDR',
      { cidr_list: 'bad', ttl: 'abc' },
      bad('Field validation failed: error converting input abc for field "ttl": time: invalid duration "abc"'),
    ],
    // 2. cidr_list is checked first, on every role type, and a failure is a 500
    [
      'a bad cidr_list without key_type',
      { cidr_list: 'bad' },
      internal('failed to validate cidr_list: invalid CIDR address: bad'),
    ],
    [
      'a bad cidr_list on a CA role',
      { ...CA, cidr_list: '10.0.0.0/8, 10.1.0.0/33' },
      internal('failed to validate cidr_list: invalid CIDR address: 10.1.0.0/33'),
    ],
    [
      'a bad cidr_list on an OTP role without default user',
      { key_type: 'otp', cidr_list: '10.0.0.256/8' },
      internal('failed to validate cidr_list: invalid CIDR address: 10.0.0.256/8'),
    ],
    // 3. then exclude_cidr_list
    [
      'a bad exclude_cidr_list',
      { key_type: 'otp', default_user: 'u', cidr_list: '10.0.0.0/8', exclude_cidr_list: '10.0.0.0' },
      internal('failed to validate exclude_cidr_list entry: invalid CIDR address: 10.0.0.0'),
    ],
    [
      'a bad exclude_cidr_list and no key type',
      { exclude_cidr_list: '010.0.0.0/8' },
      internal('failed to validate exclude_cidr_list entry: invalid CIDR address: 010.0.0.0/8'),
    ],
    // 4. key type
    ['no key_type', {}, bad('missing key type')],
    ['an empty key_type', { key_type: '', allow_user_certificates: true }, bad('missing key type')],
    // 5. OTP default user
    ['an OTP role without default_user', { key_type: 'otp', cidr_list: '10.0.0.0/8' }, bad('missing default user')],
    ['an OTP role (upper case) without default_user', { key_type: 'OTP' }, bad('missing default user')],
    // 6. dynamic
    ['a dynamic role', { key_type: 'dynamic' }, bad('dynamic key type roles are no longer supported')],
    [
      'a Dynamic role',
      { key_type: 'Dynamic', default_user: 'u' },
      bad('dynamic key type roles are no longer supported'),
    ],
    // 7. algorithm_signer: a 500, before the cert-type check
    [
      'an unknown algorithm_signer',
      { key_type: 'ca', algorithm_signer: 'sha1' },
      internal('unknown algorithm signer "sha1"'),
    ],
    [
      'an algorithm_signer with the wrong case',
      { ...CA, algorithm_signer: 'RSA-SHA2-256' },
      internal('unknown algorithm signer "RSA-SHA2-256"'),
    ],
    [
      'an unknown algorithm_signer and bad key lengths',
      { ...CA, algorithm_signer: 'ssh-ed25519', allowed_user_key_lengths: { rsa: true } },
      internal('unknown algorithm signer "ssh-ed25519"'),
    ],
    // 8. user or host certificates
    [
      'a CA role allowing no certificate type',
      { key_type: 'ca' },
      bad("Either 'allow_user_certificates' or 'allow_host_certificates' must be set to 'true'"),
    ],
    [
      'a CA role with both flags false and bad key lengths',
      { key_type: 'ca', allow_user_certificates: false, allowed_user_key_lengths: { rsa: true } },
      bad("Either 'allow_user_certificates' or 'allow_host_certificates' must be set to 'true'"),
    ],
    // 9. allowed_user_key_lengths
    [
      'a bool key length',
      { ...CA, allowed_user_key_lengths: { rsa: true } },
      bad('error processing allowed_user_key_lengths: could not parse value from input'),
    ],
    [
      'a non-numeric key length',
      { ...CA, allowed_user_key_lengths: { rsa: 'abc' } },
      bad('error processing allowed_user_key_lengths: strconv.ParseInt: parsing "abc": invalid syntax'),
    ],
    [
      'a list with a non-numeric entry',
      { ...CA, allowed_user_key_lengths: { rsa: [2048, 'x'] } },
      bad('error processing allowed_user_key_lengths: strconv.ParseInt: parsing "x": invalid syntax'),
    ],
    [
      'bad key lengths and ttl > max_ttl',
      { ...CA, allowed_user_key_lengths: { rsa: {} }, ttl: '2h', max_ttl: '1h' },
      bad('error processing allowed_user_key_lengths: could not parse value from input'),
    ],
    // 10. ttl vs max_ttl
    [
      'ttl above max_ttl',
      { ...CA, ttl: '2h', max_ttl: '1h' },
      bad('"ttl" value must be less than "max_ttl" when both are specified'),
    ],
    [
      'ttl above max_ttl by one second',
      { ...CA, ttl: 3601, max_ttl: '1h' },
      bad('"ttl" value must be less than "max_ttl" when both are specified'),
    ],
    // 11. anything else
    ['an unknown key_type', { key_type: 'x' }, bad('invalid key type')],
    [
      'an unknown key_type with CA fields',
      { key_type: 'cert', allow_user_certificates: true },
      bad('invalid key type'),
    ],
  ])('refuses %s', (_label, body, expected) => {
    expect(caught(() => parseRoleWrite(body))).toEqual(expected);
  });

  it.each<[string, Record<string, unknown>]>([
    ['ttl equal to max_ttl', { ...CA, ttl: '1h', max_ttl: 3600 }],
    ['ttl without max_ttl', { ...CA, ttl: '2h' }],
    ['max_ttl without ttl', { ...CA, max_ttl: '1h' }],
    ['valid, padded and repeated CIDRs on a CA role', { ...CA, cidr_list: ' 10.0.0.0/8 ,10.0.0.0/8,, fd00::/8' }],
    [
      'an OTP role with a CA-only bad signer (ignored)',
      { key_type: 'otp', default_user: 'u', algorithm_signer: 'bogus' },
    ],
    ['an OTP role with ttl above max_ttl (ignored)', { key_type: 'otp', default_user: 'u', ttl: '2h', max_ttl: '1h' }],
    ['an OTP role without cidr_list (not enforced)', { key_type: 'otp', default_user: 'u' }],
    ['host certificates only', { key_type: 'ca', allow_host_certificates: true }],
    ['an upper-case key type', { key_type: 'CA', allow_user_certificates: 'true' }],
  ])('accepts %s', (_label, body) => {
    expect(() => parseRoleWrite(body)).not.toThrow();
  });

  it('accepts every documented algorithm_signer and stores "" as "default"', () => {
    expect(ALGORITHM_SIGNERS).toEqual(['default', 'ssh-rsa', 'rsa-sha2-256', 'rsa-sha2-512']);
    for (const signer of ALGORITHM_SIGNERS) {
      expect(roleToWire(parseRoleWrite({ ...CA, algorithm_signer: signer })).algorithm_signer).toBe(signer);
    }
    expect(roleToWire(parseRoleWrite({ ...CA, algorithm_signer: '' })).algorithm_signer).toBe('default');
    expect(roleToWire(parseRoleWrite({ ...CA, algorithm_signer: null })).algorithm_signer).toBe('default');
  });
});

describe('validateRoleWrite', () => {
  it('lists every write-time problem with its field', () => {
    expect(validateRoleWrite({ key_type: 'ca', algorithm_signer: 'x', ttl: '2h', max_ttl: '1h' })).toEqual([
      { field: 'algorithm_signer', message: 'unknown algorithm signer "x"' },
      {
        field: 'allow_user_certificates',
        message: "Either 'allow_user_certificates' or 'allow_host_certificates' must be set to 'true'",
      },
      { field: 'ttl', message: '"ttl" value must be less than "max_ttl" when both are specified' },
    ]);
  });

  it('reports a type error alone', () => {
    expect(validateRoleWrite({ key_type: 'ca', ttl: 'abc' })).toEqual([
      {
        field: 'role',
        message: 'Field validation failed: error converting input abc for field "ttl": time: invalid duration "abc"',
      },
    ]);
  });

  it('has nothing to say about a valid role', () => {
    expect(validateRoleWrite({ ...CA, allowed_users: 'ubuntu' })).toEqual([]);
  });
});

describe('roleToWire: read shapes (§2.2)', () => {
  it('returns exactly the CA role keys, with Vault defaults', () => {
    const wire = roleToWire(parseRoleWrite({ key_type: 'ca', allow_user_certificates: true }));
    expect(wire).toStrictEqual({
      allowed_users: '',
      allowed_users_template: false,
      allowed_domains: '',
      allowed_domains_template: false,
      default_user: '',
      default_user_template: false,
      ttl: 0,
      max_ttl: 0,
      allowed_critical_options: '',
      allowed_extensions: '',
      allow_user_certificates: true,
      allow_host_certificates: false,
      allow_bare_domains: false,
      allow_subdomains: false,
      allow_user_key_ids: false,
      key_id_format: '',
      key_type: 'ca',
      default_critical_options: {},
      default_extensions: {},
      default_extensions_template: false,
      allowed_user_key_lengths: {},
      algorithm_signer: 'default',
      not_before_duration: 30,
      allow_empty_principals: false,
    });
    // no key_bits, port or CIDR fields on CA roles
    expect(Object.keys(wire).sort()).toEqual(
      [
        'allowed_users',
        'allowed_users_template',
        'allowed_domains',
        'allowed_domains_template',
        'default_user',
        'default_user_template',
        'ttl',
        'max_ttl',
        'allowed_critical_options',
        'allowed_extensions',
        'allow_user_certificates',
        'allow_host_certificates',
        'allow_bare_domains',
        'allow_subdomains',
        'allow_user_key_ids',
        'key_id_format',
        'key_type',
        'default_critical_options',
        'default_extensions',
        'default_extensions_template',
        'allowed_user_key_lengths',
        'algorithm_signer',
        'not_before_duration',
        'allow_empty_principals',
      ].sort(),
    );
  });

  it('returns every CA field as written, durations in integer seconds', () => {
    const wire = roleToWire(
      parseRoleWrite({
        key_type: 'CA',
        allowed_users: 'ubuntu, ec2-user',
        allowed_users_template: 't',
        allowed_domains: 'example.com',
        allowed_domains_template: '1',
        default_user: 'ubuntu',
        default_user_template: true,
        ttl: '30m0s',
        max_ttl: '1d',
        allowed_critical_options: 'force-command',
        allowed_extensions: 'permit-pty, permit-X11-forwarding',
        allow_user_certificates: true,
        allow_host_certificates: 'true',
        allow_bare_domains: true,
        allow_subdomains: true,
        allow_user_key_ids: true,
        key_id_format: '{{role_name}}-{{token_display_name}}',
        default_critical_options: { 'force-command': '/bin/true' },
        default_extensions: [{ 'permit-pty': '' }, { 'x-flag': true }],
        default_extensions_template: true,
        allowed_user_key_lengths: { rsa: 2048, 'ssh-rsa': ['3072', 4096], ecdsa: '256,384', ed25519: [0] },
        algorithm_signer: 'rsa-sha2-512',
        not_before_duration: '1m',
        allow_empty_principals: true,
        cidr_list: '10.0.0.0/8',
        port: 2222,
      }),
    );
    expect(wire).toStrictEqual({
      allowed_users: 'ubuntu, ec2-user',
      allowed_users_template: true,
      allowed_domains: 'example.com',
      allowed_domains_template: true,
      default_user: 'ubuntu',
      default_user_template: true,
      ttl: 1800,
      max_ttl: 86_400,
      allowed_critical_options: 'force-command',
      allowed_extensions: 'permit-pty, permit-X11-forwarding',
      allow_user_certificates: true,
      allow_host_certificates: true,
      allow_bare_domains: true,
      allow_subdomains: true,
      allow_user_key_ids: true,
      key_id_format: '{{role_name}}-{{token_display_name}}',
      key_type: 'ca',
      default_critical_options: { 'force-command': '/bin/true' },
      // map values go through Go's %v
      default_extensions: { 'permit-pty': '', 'x-flag': 'true' },
      default_extensions_template: true,
      // normalised to lists
      allowed_user_key_lengths: { rsa: [2048], 'ssh-rsa': [3072, 4096], ecdsa: [256, 384], ed25519: [0] },
      algorithm_signer: 'rsa-sha2-512',
      not_before_duration: 60,
      allow_empty_principals: true,
    });
  });

  it('returns exactly the OTP role keys; CA-only fields are neither stored nor returned', () => {
    expect(
      roleToWire(
        parseRoleWrite({
          key_type: 'otp',
          default_user: 'ubuntu',
          cidr_list: '10.0.0.0/8',
          allowed_users: 'ubuntu,admin',
          ttl: '1h',
          allowed_extensions: '*',
          allow_user_certificates: true,
        }),
      ),
    ).toStrictEqual({
      default_user: 'ubuntu',
      cidr_list: '10.0.0.0/8',
      exclude_cidr_list: '',
      key_type: 'otp',
      port: 22,
      allowed_users: 'ubuntu,admin',
    });
  });

  it('keeps an OTP port, and turns port 0 into 22', () => {
    expect(roleToWire(parseRoleWrite({ key_type: 'otp', default_user: 'u', port: '2222' })).port).toBe(2222);
    expect(roleToWire(parseRoleWrite({ key_type: 'otp', default_user: 'u', port: 0 })).port).toBe(22);
  });
});

describe('parseRoleWrite: defaults and full replace', () => {
  it('defaults not_before_duration to 30 s; null means not supplied; an explicit 0 is kept', () => {
    expect(roleToWire(parseRoleWrite(CA)).not_before_duration).toBe(30);
    expect(roleToWire(parseRoleWrite({ ...CA, not_before_duration: null })).not_before_duration).toBe(30);
    expect(roleToWire(parseRoleWrite({ ...CA, not_before_duration: 0 })).not_before_duration).toBe(0);
    expect(roleToWire(parseRoleWrite({ ...CA, not_before_duration: '' })).not_before_duration).toBe(0);
    expect(roleToWire(parseRoleWrite({ ...CA, not_before_duration: '2m' })).not_before_duration).toBe(120);
  });

  it('rebuilds the whole role on every write: omitted fields revert to their defaults', () => {
    const first = parseRoleWrite({
      ...CA,
      allowed_users: 'ubuntu',
      default_user: 'ubuntu',
      ttl: '1h',
      max_ttl: '8h',
      default_extensions: { 'permit-pty': '' },
      allowed_extensions: 'permit-pty',
      allowed_user_key_lengths: { ed25519: [0] },
      algorithm_signer: 'rsa-sha2-512',
      not_before_duration: 0,
      allow_empty_principals: true,
    });
    expect(roleToWire(first)).toMatchObject({
      allowed_users: 'ubuntu',
      ttl: 3600,
      default_extensions: { 'permit-pty': '' },
      algorithm_signer: 'rsa-sha2-512',
      not_before_duration: 0,
    });
    const second = parseRoleWrite({ ...CA, allowed_users: 'ubuntu' });
    expect(roleToWire(second)).toStrictEqual(roleToWire(parseRoleWrite({ ...CA, allowed_users: 'ubuntu' })));
    expect(roleToWire(second)).toMatchObject({
      default_user: '',
      ttl: 0,
      max_ttl: 0,
      default_extensions: {},
      allowed_extensions: '',
      allowed_user_key_lengths: {},
      algorithm_signer: 'default',
      not_before_duration: 30,
      allow_empty_principals: false,
    });
  });

  it('stores the key type lower-case', () => {
    expect(parseRoleWrite({ key_type: 'Ca', allow_host_certificates: true }).keyType).toBe('ca');
    expect(parseRoleWrite({ key_type: 'OTP', default_user: 'u' }).keyType).toBe('otp');
  });
});

describe('isValidRoleName (§1.8)', () => {
  it.each<[string, boolean]>([
    ['a', true],
    ['_', true],
    ['dev', true],
    ['dev-ops', true],
    ['dev.ops', true],
    ['test@RoleName', true],
    ['a-b.c@d_e', true],
    ['9', true],
    ['', false],
    ['-dev', false],
    ['dev-', false],
    ['.dev', false],
    ['dev@', false],
    ['@dev', false],
    ['dev ops', false],
    ['dev/ops', false],
    ['dev+ops', false],
    ['dév', false],
  ])('%j → %j', (name, valid) => {
    expect(isValidRoleName(name)).toBe(valid);
  });
});

describe('parseCommaList and formatGoList', () => {
  it('splits on commas, trims, drops empties, de-duplicates and sorts by bytes', () => {
    expect(parseCommaList(' b, a ,,a, c ')).toEqual(['a', 'b', 'c']);
    expect(parseCommaList('')).toEqual([]);
    expect(parseCommaList(' , ')).toEqual([]);
    expect(parseCommaList('b,B,a,A,_')).toEqual(['A', 'B', '_', 'a', 'b']);
  });

  it('sorts as Go does (UTF-8 byte order), also above U+FFFF', () => {
    // U+FF21 (3 UTF-8 bytes, EF BC A1) sorts before U+1F600 (4 bytes, F0 9F 98 80) in Go;
    // a UTF-16 comparison would put the emoji (surrogate D83D) first.
    expect(parseCommaList('\u{1F600},\uFF21,z')).toEqual(['z', '\uFF21', '\u{1F600}']);
  });

  it("prints Go's %v of a string slice", () => {
    expect(formatGoList(['a', 'b'])).toBe('[a b]');
    expect(formatGoList([])).toBe('[]');
  });
});
