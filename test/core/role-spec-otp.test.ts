// The OTP role spec of the IaC front ends (core/role-spec-otp.ts) and its Terraform attributes
// (core/role-spec-terraform.ts): our checks with exact messages, then Vault's; the wire body and its
// inverse; the zero-address list; role names declared both as CA and OTP roles.

import { describe, expect, it } from 'vitest';
import type { Issue } from '../../core/errors.js';
import {
  normalisedOtpRole,
  otpRoleSpecFromWire,
  otpRoleSpecToWire,
  sharedRoleNameIssues,
  validateOtpRoleSpec,
  validateZeroAddressRoles,
  zeroAddressRolesToWire,
  type OtpRoleSpec,
} from '../../core/role-spec-otp.js';
import { otpRoleSpecToTerraform, terraformOtpRoleIssues } from '../../core/role-spec-terraform.js';
import { parseRoleWrite } from '../../core/role.js';

const ok: OtpRoleSpec = { defaultUser: 'ubuntu', cidrList: ['10.0.0.0/8'] };

describe('validateOtpRoleSpec', () => {
  it('accepts a role with a default user and CIDRs', () => {
    expect(validateOtpRoleSpec(ok)).toEqual([]);
    expect(validateOtpRoleSpec({ defaultUser: 'ubuntu', zeroAddress: true })).toEqual([]);
    expect(validateOtpRoleSpec({ ...ok, allowedUsers: ['*'], allowWildcardPrincipals: true })).toEqual([]);
    expect(validateOtpRoleSpec({ ...ok, cidrList: ['0.0.0.0/0', '::/0'], allowAnyAddress: true })).toEqual([]);
  });

  it.each<[string, OtpRoleSpec, Issue[]]>([
    [
      'no default user (Vault)',
      { defaultUser: '', cidrList: ['10.0.0.0/8'] },
      [{ field: 'defaultUser', message: 'missing default user' }],
    ],
    [
      '"*" in allowedUsers',
      { ...ok, allowedUsers: ['deploy', '*'] },
      [
        {
          field: 'allowedUsers',
          message: 'allowedUsers contains "*", which allows every principal: set allowWildcardPrincipals to mean it',
        },
      ],
    ],
    [
      'an empty cidrList outside the zero-address list',
      { defaultUser: 'ubuntu' },
      [
        {
          field: 'cidrList',
          message:
            "cidrList is empty, so the role can issue no OTP: name the hosts' CIDRs, or set zeroAddress and list the role in the mount's zero-address list",
        },
      ],
    ],
    [
      'every address',
      { ...ok, cidrList: ['10.0.0.0/8', '0.0.0.0/0', '::/0'] },
      [
        {
          field: 'cidrList',
          message: 'cidrList contains 0.0.0.0/0, ::/0, which is every address: set allowAnyAddress to mean it',
        },
      ],
    ],
    [
      'CIDRs on a zero-address role (Vault ignores them)',
      { ...ok, excludeCidrList: ['10.0.0.1/32'], zeroAddress: true },
      [
        {
          field: 'cidrList',
          message:
            'cidrList is ignored for a role in the zero-address list (every IP is accepted): leave it empty or drop zeroAddress',
        },
        {
          field: 'excludeCidrList',
          message:
            'excludeCidrList is ignored for a role in the zero-address list (every IP is accepted): leave it empty or drop zeroAddress',
        },
      ],
    ],
    [
      'an entry with spaces, which passes Vault at write time and fails every creds call',
      { ...ok, excludeCidrList: [' 10.0.0.1/32'] },
      [
        {
          field: 'excludeCidrList',
          message:
            'excludeCidrList entry " 10.0.0.1/32" has spaces around it, which Vault\'s creds check does not trim: remove them',
        },
      ],
    ],
    ['port 0', { ...ok, port: 0 }, [{ field: 'port', message: 'port 0 is not a TCP port: use 1 to 65535' }]],
    [
      'port 70000',
      { ...ok, port: 70000 },
      [{ field: 'port', message: 'port 70000 is not a TCP port: use 1 to 65535' }],
    ],
    [
      'a bad CIDR (Vault)',
      { ...ok, cidrList: ['10.0.0.0/33'] },
      [{ field: 'cidrList', message: 'failed to validate cidr_list: invalid CIDR address: 10.0.0.0/33' }],
    ],
    [
      'a bad exclusion (Vault)',
      { ...ok, excludeCidrList: ['10.1.2.3'] },
      [
        {
          field: 'excludeCidrList',
          message: 'failed to validate exclude_cidr_list entry: invalid CIDR address: 10.1.2.3',
        },
      ],
    ],
  ])('refuses %s', (_label, spec, issues) => {
    expect(validateOtpRoleSpec(spec)).toEqual(issues);
  });
});

describe('the wire body', () => {
  const spec: OtpRoleSpec = {
    defaultUser: 'ubuntu',
    allowedUsers: ['ubuntu', 'deploy'],
    cidrList: ['10.0.0.0/8', '192.168.1.0/24'],
    excludeCidrList: ['10.0.0.1/32'],
    port: 2222,
  };

  it('is the OTP role in Vault snake_case, with lists as comma strings and port 22 by default', () => {
    expect(otpRoleSpecToWire(spec)).toEqual({
      default_user: 'ubuntu',
      cidr_list: '10.0.0.0/8,192.168.1.0/24',
      exclude_cidr_list: '10.0.0.1/32',
      key_type: 'otp',
      port: 2222,
      allowed_users: 'ubuntu,deploy',
    });
    expect(otpRoleSpecToWire({ defaultUser: 'ubuntu', zeroAddress: true, allowAnyAddress: true })).toEqual({
      default_user: 'ubuntu',
      cidr_list: '',
      exclude_cidr_list: '',
      key_type: 'otp',
      port: 22,
      allowed_users: '',
    });
  });

  it('reads back to the same spec, and Vault builds the role it describes', () => {
    expect(otpRoleSpecFromWire(otpRoleSpecToWire(spec))).toEqual(spec);
    expect(parseRoleWrite(otpRoleSpecToWire(spec))).toEqual({
      keyType: 'otp',
      defaultUser: 'ubuntu',
      allowedUsers: 'ubuntu,deploy',
      cidrList: '10.0.0.0/8,192.168.1.0/24',
      excludeCidrList: '10.0.0.1/32',
      port: 2222,
    });
    expect(normalisedOtpRole({ ...spec, port: 22 })).toBe(normalisedOtpRole({ ...spec, port: undefined }));
    expect(normalisedOtpRole(spec)).not.toBe(normalisedOtpRole({ ...spec, cidrList: ['10.0.0.0/8'] }));
  });
});

describe('Terraform attributes of an OTP role', () => {
  it('are the wire body without exclude_cidr_list and port', () => {
    expect(
      otpRoleSpecToTerraform({ defaultUser: 'ubuntu', allowedUsers: ['deploy'], cidrList: ['10.0.0.0/8'] }),
    ).toEqual({ defaultUser: 'ubuntu', cidrList: '10.0.0.0/8', keyType: 'otp', allowedUsers: 'deploy' });
  });

  it('refuse the fields the Vault provider 5.x has no attribute for, unless at their default', () => {
    expect(terraformOtpRoleIssues({ ...ok, port: 22, excludeCidrList: [] })).toEqual([]);
    expect(terraformOtpRoleIssues({ ...ok, port: 2222, excludeCidrList: ['10.0.0.1/32'] })).toEqual([
      { field: 'excludeCidrList', message: 'excludeCidrList has no attribute in the Terraform Vault provider 5.x' },
      { field: 'port', message: 'port has no attribute in the Terraform Vault provider 5.x' },
    ]);
  });
});

describe('the zero-address list and role names declared twice', () => {
  it("refuses an empty list in Vault's words, and names that are not role names", () => {
    expect(validateZeroAddressRoles([])).toEqual([{ field: 'roles', message: 'Missing roles' }]);
    expect(validateZeroAddressRoles(['otp', '-bad', 'a,b'])).toEqual([
      { field: 'roles', message: '"-bad" is not a role name' },
      { field: 'roles', message: '"a,b" is not a role name' },
    ]);
  });

  it('writes the names sorted, duplicates dropped', () => {
    expect(zeroAddressRolesToWire(['web', 'bastion', 'web'])).toEqual({ roles: ['bastion', 'web'] });
  });

  it('refuses a name declared as a CA and an OTP role of one mount', () => {
    expect(sharedRoleNameIssues(['developer', 'ops'], ['ops', 'web'])).toEqual([
      {
        field: 'otpRoles',
        message: 'role "ops" is declared in roles and in otpRoles: a mount holds one role per name',
      },
    ]);
  });
});
