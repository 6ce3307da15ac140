// The role-field table (core/role-fields.ts) is the one place a role field is declared: the server's
// schema, the stored role and its read shape, the spec mappers and the Terraform mapping all follow it.
// These tests hold each derived surface to the table; the type checks below fail `npm run typecheck`
// when a row and its RoleSpec / OtpRoleSpec prop drift apart.

import { describe, expect, it } from 'vitest';
import { CURRENT_ROLE_FIELD_ROWS, ROLE_FIELD_ROWS, rowsOf, type SpecMatchesTable } from '../../core/role-fields.js';
import { otpRoleSpecToWire, otpRoleSpecFromWire, type OtpRoleSpec } from '../../core/role-spec-otp.js';
import { roleSpecFromWire, roleSpecToWire, type RoleSpec } from '../../core/role-spec.js';
import { otpRoleSpecToTerraform, roleSpecToTerraform, terraformRoleIssues } from '../../core/role-spec-terraform.js';
import { EMPTY_CA_ROLE, LEGACY_ROLE_FIELDS, parseRoleWrite, ROLE_FIELDS, roleToWire } from '../../core/role.js';
import { SIGN_FIELDS } from '../../core/sign.js';

// Compile-time: each spec declares exactly its kind's table fields plus its opt-ins (which are not sent).
const caSpecMatches: SpecMatchesTable<
  RoleSpec,
  'ca',
  'allowWildcardPrincipals' | 'allowSha1Signatures' | 'allowReplaceableCriticalOptions'
> = true;
const otpSpecMatches: SpecMatchesTable<
  OtpRoleSpec,
  'otp',
  'zeroAddress' | 'allowWildcardPrincipals' | 'allowAnyAddress'
> = true;

describe('the role-field table', () => {
  it('declares each spec prop (checked by the type checker)', () => {
    expect([caSpecMatches, otpSpecMatches]).toEqual([true, true]);
  });

  it("is the server's schema for roles/:name: every field, its type and a one-line description", () => {
    expect(Object.keys(ROLE_FIELDS)).toEqual(CURRENT_ROLE_FIELD_ROWS.map(([name]) => name));
    for (const [name, row] of ROLE_FIELD_ROWS) {
      expect(LEGACY_ROLE_FIELDS[name]).toEqual({ type: row.type, description: row.description });
      expect(row.description).toMatch(/^[^\n]{10,120}$/);
    }
    expect(Object.keys(ROLE_FIELDS)).toHaveLength(27);
  });

  it('keeps the legacy dynamic-key rows out of the schema, the specs and Terraform (issue 23)', () => {
    const legacy = ROLE_FIELD_ROWS.filter(([, row]) => row.legacy === true).map(([name]) => name);
    expect(legacy).toEqual([
      'key',
      'admin_user',
      'key_bits',
      'install_script',
      'key_option_specs',
      'known_hosts',
      'insecure_ignore_host_key',
    ]);
    expect(Object.keys(LEGACY_ROLE_FIELDS)).toHaveLength(34);
    for (const [, row] of ROLE_FIELD_ROWS.filter(([, r]) => r.legacy === true)) {
      expect([row.kinds, row.spec, row.terraform]).toEqual([['dynamic'], undefined, undefined]);
    }
    expect(rowsOf('dynamic').map(([name]) => name)).toEqual([
      'allowed_users',
      'default_user',
      'cidr_list',
      'exclude_cidr_list',
      'port',
      ...legacy,
    ]);
  });

  it("stores each omitted field at Vault's default and reads every field of the kind back", () => {
    const caRole = parseRoleWrite({ key_type: 'ca', allow_user_certificates: true });
    expect(roleToWire(caRole)).toEqual({
      ...Object.fromEntries(rowsOf('ca').map(([name, , row]) => [name, row.vaultDefault])),
      key_type: 'ca',
      allow_user_certificates: true,
    });
    expect(Object.keys(roleToWire(caRole))).toHaveLength(24);
    const otpRole = parseRoleWrite({ key_type: 'otp', default_user: 'ubuntu' });
    expect(roleToWire(otpRole)).toEqual({
      allowed_users: '',
      default_user: 'ubuntu',
      key_type: 'otp',
      cidr_list: '',
      exclude_cidr_list: '',
      port: 22,
    });
  });

  it('gives the sign path a stand-in CA role that allows nothing, with the defaults of a written one', () => {
    expect(EMPTY_CA_ROLE).toEqual({
      ...parseRoleWrite({ key_type: 'ca', allow_user_certificates: true }),
      allowUserCertificates: false,
    });
    expect(EMPTY_CA_ROLE.notBeforeDuration).toBe(30);
    expect(EMPTY_CA_ROLE.algorithmSigner).toBe('default');
  });

  it("does not share a default object between roles (a read's copy cannot change another role)", () => {
    const a = parseRoleWrite({ key_type: 'ca', allow_user_certificates: true });
    const b = parseRoleWrite({ key_type: 'ca', allow_user_certificates: true });
    expect(a.keyType === 'ca' && b.keyType === 'ca' && a.defaultExtensions !== b.defaultExtensions).toBe(true);
    (roleToWire(a).default_extensions as Record<string, string>)['permit-pty'] = '';
    expect(roleToWire(a).default_extensions).toEqual({});
  });

  it('maps an empty CA spec to every CA field, at our secure defaults where they differ from Vault', () => {
    expect(roleSpecToWire({})).toEqual({
      key_type: 'ca',
      allowed_users: '',
      allowed_users_template: false,
      allowed_domains: '',
      allowed_domains_template: false,
      default_user: '',
      default_user_template: false,
      ttl: '30m',
      max_ttl: '1h',
      allowed_critical_options: '',
      allowed_extensions: '',
      allow_user_certificates: true,
      allow_host_certificates: false,
      allow_bare_domains: false,
      allow_subdomains: false,
      allow_user_key_ids: false,
      key_id_format: '',
      default_critical_options: {},
      default_extensions: {},
      default_extensions_template: false,
      allowed_user_key_lengths: { ed25519: [0], ecdsa: [256, 384], rsa: [3072, 4096] },
      algorithm_signer: 'default',
      not_before_duration: '30s',
      allow_empty_principals: false,
    });
  });

  it('reads back what it wrote, for every CA and OTP field', () => {
    const spec: RoleSpec = {
      allowedUsers: ['ubuntu', 'deploy'],
      defaultUser: 'ubuntu',
      allowedDomains: ['example.com'],
      allowHostCertificates: true,
      ttl: 600,
      maxTtl: 3600,
      defaultExtensions: { 'permit-pty': '' },
      allowedUserKeyLengths: { ed25519: [0] },
      algorithmSigner: 'rsa-sha2-512',
      notBeforeDuration: 60,
    };
    const back = roleSpecFromWire(roleToWire(parseRoleWrite(roleSpecToWire(spec))));
    expect(back).toMatchObject(spec);
    expect(Object.keys(back).sort()).toEqual(
      rowsOf('ca')
        .map(([, camel]) => camel)
        .sort(),
    );
    const otp: OtpRoleSpec = {
      defaultUser: 'ubuntu',
      cidrList: ['10.0.0.0/8'],
      excludeCidrList: ['10.0.0.1/32'],
      port: 2222,
    };
    expect(otpRoleSpecFromWire(roleToWire(parseRoleWrite(otpRoleSpecToWire(otp))))).toEqual({
      ...otp,
      allowedUsers: [],
    });
  });

  it('maps to the Terraform attributes by the terraform column: seconds, key-config blocks, no attribute', () => {
    const attrs = roleSpecToTerraform({ allowedUsers: ['ubuntu'], ttl: '2m', allowedUserKeyLengths: { rsa: [4096] } });
    expect(attrs).toMatchObject({
      keyType: 'ca',
      allowedUsers: 'ubuntu',
      ttl: '120',
      maxTtl: '3600',
      notBeforeDuration: '30',
      allowedUserKeyConfig: [{ type: 'rsa', lengths: [4096] }],
    });
    expect(attrs).not.toHaveProperty('defaultExtensionsTemplate');
    expect(attrs).not.toHaveProperty('allowedUserKeyLengths');
    expect(Object.keys(attrs)).toHaveLength(23);
    expect(terraformRoleIssues({ defaultExtensionsTemplate: true })).toEqual([
      {
        field: 'defaultExtensionsTemplate',
        message: 'defaultExtensionsTemplate has no attribute in the Terraform Vault provider 5.x',
      },
    ]);
    expect(otpRoleSpecToTerraform({ defaultUser: 'ubuntu', cidrList: ['10.0.0.0/8'] })).toEqual({
      keyType: 'otp',
      allowedUsers: '',
      defaultUser: 'ubuntu',
      cidrList: '10.0.0.0/8',
    });
  });

  it('keeps role fields apart from the sign fields they share a name with (ttl)', () => {
    expect(Object.keys(ROLE_FIELDS).filter((k) => k in SIGN_FIELDS)).toEqual(['ttl']);
  });
});
