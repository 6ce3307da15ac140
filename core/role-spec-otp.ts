// The one-time-password role as infrastructure code declares it (Pulumi providers and CDKTF
// constructs alike): Vault's OTP fields in camelCase with lists as arrays, the checks that refuse a
// role that can issue nothing or that opens every address unless asked for, then Vault's own
// validation, and the one mapping to the body Vault receives (derived from core/role.ts's mapper).
// Also the mount's zero-address list (`<mount>/config/zeroaddress`). The policy that may ask for OTPs
// (`credsPolicy`) lives beside `signingPolicy` in core/acl/signing-policy.ts.

import { toCamelCase } from './case.js';
import { parseCidr } from './cidr.js';
import type { Issue } from './errors.js';
import { parseCommaList } from './go-lists.js';
import { isValidRoleName, parseRoleWrite, validateRoleWrite } from './role.js';
import { specFromWire, specToWire, wildcardIssues } from './role-spec.js';

/** A one-time-password role (`key_type=otp`): who may get an OTP for which host addresses. */
export interface OtpRoleSpec {
  /** Account an OTP is for when the request names none (Vault's `default_user`). Required. */
  readonly defaultUser: string;
  /**
   * Further accounts a request may name. `*` (any account) needs `allowWildcardPrincipals`.
   * @default - none: OTPs are issued for defaultUser only
   */
  readonly allowedUsers?: readonly string[];
  /**
   * CIDRs of the hosts OTPs may be issued for. A block of every address (`0.0.0.0/0`, `::/0`) needs
   * `allowAnyAddress`.
   * @default - none, allowed only with `zeroAddress`: otherwise the role would issue nothing and is refused
   */
  readonly cidrList?: readonly string[];
  /** CIDRs inside cidrList that are refused. @default - none: every address in cidrList is allowed */
  readonly excludeCidrList?: readonly string[];
  /** The SSH port clients are told to use (Vault only echoes it). @default - 22 */
  readonly port?: number;
  /**
   * The role is in the mount's zero-address list (`SshZeroAddressRoles`, or `SshEnvironment`, which
   * lists it), so it issues OTPs for every IP; Vault then ignores cidrList and excludeCidrList, which
   * must stay empty. Not sent with the role.
   * @default - false: the role issues OTPs for cidrList only
   */
  readonly zeroAddress?: boolean;
  /** Opt in to `*` in allowedUsers. Not sent to the backend. @default - false: `*` is refused */
  readonly allowWildcardPrincipals?: boolean;
  /**
   * Opt in to a cidrList block that holds every address (`0.0.0.0/0`, `::/0`). Not sent.
   * @default - false: such a block is refused
   */
  readonly allowAnyAddress?: boolean;
}

/** The `POST <mount>/roles/<name>` body for an OTP spec (Vault's OTP read shape, which it also accepts). */
export const otpRoleSpecToWire = (spec: OtpRoleSpec): Record<string, unknown> => specToWire('otp', spec);

/** A spec from an OTP role as the backend reads it back (the inverse of otpRoleSpecToWire). */
export const otpRoleSpecFromWire = (data: Readonly<Record<string, unknown>>): OtpRoleSpec =>
  specFromWire('otp', data) as unknown as OtpRoleSpec;

const CIDR_FIELDS = ['cidrList', 'excludeCidrList'] as const;

/** Our checks on a spec (see OtpRoleSpec), before Vault's. */
function otpSpecIssues(spec: OtpRoleSpec): Issue[] {
  const issues: Issue[] = wildcardIssues(spec, ['allowedUsers']);
  for (const field of CIDR_FIELDS) {
    for (const entry of spec[field] ?? []) {
      if (entry !== entry.trim()) {
        issues.push({
          field,
          message: `${field} entry ${JSON.stringify(entry)} has spaces around it, which Vault's creds check does not trim: remove them`,
        });
      }
    }
  }
  const everything = (spec.cidrList ?? []).filter((c) => parseCidr(c.trim())?.prefix === 0);
  if (everything.length > 0 && !spec.allowAnyAddress) {
    issues.push({
      field: 'cidrList',
      message: `cidrList contains ${everything.join(', ')}, which is every address: set allowAnyAddress to mean it`,
    });
  }
  if (spec.zeroAddress) {
    for (const field of CIDR_FIELDS) {
      if ((spec[field] ?? []).length > 0) {
        issues.push({
          field,
          message: `${field} is ignored for a role in the zero-address list (every IP is accepted): leave it empty or drop zeroAddress`,
        });
      }
    }
  } else if ((spec.cidrList ?? []).length === 0) {
    issues.push({
      field: 'cidrList',
      message:
        "cidrList is empty, so the role can issue no OTP: name the hosts' CIDRs, or set zeroAddress and list the role in the mount's zero-address list",
    });
  }
  if (typeof spec.port === 'number' && !(Number.isInteger(spec.port) && spec.port >= 1 && spec.port <= 65535)) {
    issues.push({ field: 'port', message: `port ${spec.port} is not a TCP port: use 1 to 65535` });
  }
  return issues;
}

/** Every problem with an OTP spec: our secure-default checks, then Vault's validation; fields in camelCase. */
export function validateOtpRoleSpec(spec: OtpRoleSpec): Issue[] {
  return [
    ...otpSpecIssues(spec),
    ...validateRoleWrite(otpRoleSpecToWire(spec)).map((i) => ({ field: toCamelCase(i.field), message: i.message })),
  ];
}

/** The OTP role a spec writes, normalised (port 0 → 22, as Vault): equal specs, equal JSON. */
export const normalisedOtpRole = (spec: OtpRoleSpec): string => JSON.stringify(parseRoleWrite(otpRoleSpecToWire(spec)));

/**
 * Problems with a zero-address list: Vault's `Missing roles` when it is empty, and names that are
 * not role names. (That every role exists is Vault's check at write time: create the roles first.)
 */
export function validateZeroAddressRoles(roles: readonly string[]): Issue[] {
  if (roles.length === 0) return [{ field: 'roles', message: 'Missing roles' }];
  return roles
    .filter((r) => typeof r !== 'string' || !isValidRoleName(r))
    .map((r) => ({ field: 'roles', message: `${JSON.stringify(r)} is not a role name` }));
}

/** The `POST <mount>/config/zeroaddress` body: names de-duplicated and sorted, as read back. */
export const zeroAddressRolesToWire = (roles: readonly string[]): { roles: string[] } => ({
  roles: parseCommaList(roles.join(',')),
});

/** Role names declared both as CA and as OTP roles of one mount (a mount holds one role per name). */
export function sharedRoleNameIssues(caRoles: readonly string[], otpRoles: readonly string[]): Issue[] {
  return otpRoles
    .filter((r) => caRoles.includes(r))
    .map((r) => ({
      field: 'otpRoles',
      message: `role ${JSON.stringify(r)} is declared in roles and in otpRoles: a mount holds one role per name`,
    }));
}
