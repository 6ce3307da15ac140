// The local role file `sshca sign` reads: mount TTLs and roles written as Vault request bodies; every
// error names the role (or the file) at fault, and unknown role parameters give Vault's warning.

import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseRoleFile } from '../../cli/role-file.js';
import { roleToWire } from '../../core/role.js';
import { caught } from '../core/fixtures.js';

const ROOT = resolve(import.meta.dirname, '../..');
const file = (doc: unknown) => JSON.stringify(doc);
const CA = { key_type: 'ca', allow_user_certificates: true, allowed_users: 'ubuntu' };

describe('parseRoleFile', () => {
  it('reads the example role file', () => {
    const path = join(ROOT, 'examples', 'roles.json');
    const parsed = parseRoleFile(readFileSync(path, 'utf8'), path);
    expect(parsed.mount).toEqual({ defaultLeaseTtl: 3600, maxLeaseTtl: 86_400 });
    expect([...parsed.roles.keys()]).toEqual(['developer', 'automation', 'emergency']);
    expect(parsed.warnings).toEqual([]);
    expect(roleToWire(parsed.roles.get('developer')!)).toMatchObject({
      ttl: 3600,
      max_ttl: 28_800,
      allowed_user_key_lengths: { ed25519: [0], 'ecdsa-sha2-nistp256': [0], rsa: [3072, 4096] },
      not_before_duration: 30,
    });
  });

  it('builds roles with Vault role-write semantics and defaults', () => {
    const parsed = parseRoleFile(file({ roles: { dev: CA, otp: { key_type: 'otp', default_user: 'u' } } }), 'r.json');
    expect(roleToWire(parsed.roles.get('dev')!)).toMatchObject({ algorithm_signer: 'default', default_extensions: {} });
    expect(roleToWire(parsed.roles.get('otp')!)).toEqual({
      default_user: 'u',
      cidr_list: '',
      exclude_cidr_list: '',
      key_type: 'otp',
      port: 22,
      allowed_users: '',
    });
  });

  it('uses the system default TTLs (768h) when the mount says nothing or 0', () => {
    expect(parseRoleFile(file({ roles: {} }), 'r.json').mount).toEqual({
      defaultLeaseTtl: 2_764_800,
      maxLeaseTtl: 2_764_800,
    });
    expect(
      parseRoleFile(file({ mount: { default_lease_ttl: 0, max_lease_ttl: '0s' }, roles: {} }), 'r.json').mount,
    ).toEqual({
      defaultLeaseTtl: 2_764_800,
      maxLeaseTtl: 2_764_800,
    });
  });

  it('accepts the sys/mounts body form with a config object', () => {
    const doc = { mount: { type: 'ssh', config: { default_lease_ttl: '30m', max_lease_ttl: '2h' } }, roles: {} };
    expect(parseRoleFile(file(doc), 'r.json').mount).toEqual({ defaultLeaseTtl: 1800, maxLeaseTtl: 7200 });
  });

  it("warns about unknown role parameters with Vault's words, naming the role", () => {
    const parsed = parseRoleFile(file({ roles: { dev: { ...CA, zeta: 1, allowed_user: 'typo' }, ok: CA } }), 'r.json');
    expect(parsed.warnings).toEqual([
      'role "dev": Endpoint ignored these unrecognized parameters: [allowed_user zeta]',
    ]);
    expect(parsed.roles.size).toBe(2);
  });

  it.each<[string, unknown, string]>([
    ['a missing key type', { roles: { dev: {} } }, 'role "dev": missing key type'],
    [
      'an unknown algorithm signer (a 500 on Vault)',
      { roles: { dev: { ...CA, algorithm_signer: 'sha1' } } },
      'role "dev": unknown algorithm signer "sha1"',
    ],
    [
      'a bad CIDR',
      { roles: { ops: { key_type: 'otp', default_user: 'u', cidr_list: '10.0.0.0/33' } } },
      'role "ops": failed to validate cidr_list: invalid CIDR address: 10.0.0.0/33',
    ],
    [
      'a type error',
      { roles: { dev: { ...CA, ttl: 'abc' } } },
      'role "dev": Field validation failed: error converting input abc for field "ttl": time: invalid duration "abc"',
    ],
    [
      'ttl above max_ttl',
      { roles: { ok: CA, dev: { ...CA, ttl: '2h', max_ttl: '1h' } } },
      'role "dev": "ttl" value must be less than "max_ttl" when both are specified',
    ],
    ['a role that is not an object', { roles: { dev: 'ca' } }, 'role "dev": must be an object of role parameters'],
    ['a role that is an array', { roles: { dev: [CA] } }, 'role "dev": must be an object of role parameters'],
    [
      'an invalid role name',
      { roles: { '-dev': CA } },
      'role name "-dev" is invalid: use letters, digits and _ at both ends and -, ., @ inside',
    ],
    ['no roles object', { mount: {} }, 'r.json must be a JSON object with a "roles" object (name → role parameters)'],
    ['a top-level array', [], 'r.json must be a JSON object with a "roles" object (name → role parameters)'],
    [
      'a bad mount TTL',
      { mount: { default_lease_ttl: 'abc' }, roles: {} },
      'unable to parse default TTL of abc: time: invalid duration "abc"',
    ],
    [
      'a bad mount max TTL',
      { mount: { max_lease_ttl: '1.5d' }, roles: {} },
      'unable to parse max TTL of 1.5d: strconv.ParseInt: parsing "1.5": invalid syntax',
    ],
    [
      'a default TTL above the max',
      { mount: { default_lease_ttl: '2h', max_lease_ttl: '1h' }, roles: {} },
      'given default lease TTL greater than given max lease TTL',
    ],
  ])('refuses %s', (_label, doc, message) => {
    expect(caught(() => parseRoleFile(file(doc), 'r.json'))).toEqual({ message, name: 'RequestError', status: 400 });
  });

  it('refuses text that is not JSON, naming the file', () => {
    const err = caught(() => parseRoleFile('{ roles: ', '/etc/sshca/roles.json'));
    expect(err.name).toBe('RequestError');
    expect(err.message).toMatch(/^\/etc\/sshca\/roles\.json is not valid JSON: /);
  });
});
