// One-time-password credentials (`key_type=otp` roles), as Vault's SSH engine decides them: which
// username an OTP is for, whether the target ip belongs to the role, and which roles `lookup` reports
// for an ip — in Vault's order with Vault's messages (reference §2.11–2.12, §4). Pure: the OTP itself,
// its storage and its lease are the server's.

import { cidrContains, formatIp, parseCidr, parseIp } from './cidr.js';
import { InternalError, RequestError } from './errors.js';
import type { Role } from './role.js';

/** What a `creds` request asks for. */
export interface OtpCredentialRequest {
  readonly roleName: string;
  /** `""` = the role's default user. */
  readonly username: string;
  readonly ip: string;
}

/** Whom and where an OTP is for, once the request passed every check. */
export interface OtpCredentialPlan {
  readonly username: string;
  /** Normalised as Go's `net.IP.String()` (IPv4-mapped IPv6 becomes dotted quad). */
  readonly ip: string;
  readonly port: number;
}

/**
 * Vault's `cidrListContainsIP`: the list is split on `,` without trimming (an entry with a space fails
 * here although the role write accepted it), and an empty list belongs to nobody.
 */
function cidrListContainsIp(ip: Uint8Array, cidrList: string): boolean {
  if (cidrList.length === 0) throw new Error('IP does not belong to role');
  for (const item of cidrList.split(',')) {
    const cidr = parseCidr(item);
    if (!cidr) throw new Error(`invalid CIDR entry ${JSON.stringify(item)}`);
    if (cidrContains(cidr, ip)) return true;
  }
  return false;
}

/** Vault's `validateIP`: zero-address roles take any ip; otherwise in `cidr_list` and not excluded. */
function checkIp(ip: Uint8Array, roleName: string, cidrList: string, excludeCidrList: string, zero: readonly string[]) {
  if (zero.includes(roleName)) return;
  if (!cidrListContainsIp(ip, cidrList)) throw new Error('IP does not belong to role');
  if (excludeCidrList.length > 0 && cidrListContainsIp(ip, excludeCidrList)) {
    throw new Error('IP does not belong to role');
  }
}

/** Vault's `validateUsername` over an OTP role's `allowed_users` (entries trimmed, `*` = anyone). */
const inAllowedUsers = (username: string, allowedUsers: string): boolean =>
  allowedUsers === '*' || allowedUsers.split(',').some((u) => u.trim() === username);

/**
 * Check a `creds` request against its role (`undefined` = no such role) and the mount's zero-address
 * roles. Throws `RequestError` with Vault's message, or `InternalError` (500) for a role that is not an
 * OTP role, as Vault does once such a role passes the ip check.
 */
export function planOtpCredential(
  request: OtpCredentialRequest,
  role: Role | undefined,
  zeroAddressRoles: readonly string[],
  /** Also accept `key_type=dynamic` roles (`--legacy-dynamic-keys`, issue 23). @default false */
  legacyDynamicKeys = false,
): OtpCredentialPlan {
  if (request.ip === '') throw new RequestError('Missing ip');
  if (!role) throw new RequestError(`Role ${JSON.stringify(request.roleName)} not found`);
  const username = request.username || role.defaultUser;
  if (username === '') throw new RequestError("No default username registered. Use 'username' option");
  if (role.allowedUsers !== '') {
    if (!inAllowedUsers(username, role.allowedUsers) && username !== role.defaultUser) {
      throw new RequestError('Username is not present is allowed users list');
    }
  } else if (username !== role.defaultUser) {
    throw new RequestError('Username has to be either in allowed users list or has to be a default username');
  }
  const ip = parseIp(request.ip);
  if (!ip) throw new RequestError(`Invalid IP ${JSON.stringify(request.ip)}`);
  // CA roles have no CIDR lists: they fail here unless listed as zero-address roles.
  const cidrs = role.keyType !== 'ca' ? role : { cidrList: '', excludeCidrList: '' };
  try {
    checkIp(ip, request.roleName, cidrs.cidrList, cidrs.excludeCidrList, zeroAddressRoles);
  } catch (e) {
    throw new RequestError(`Error validating IP: ${(e as Error).message}`);
  }
  if (role.keyType === 'dynamic' && !legacyDynamicKeys) {
    throw new InternalError('dynamic key types have been removed');
  }
  if (role.keyType === 'ca') throw new InternalError('key type unknown');
  return { username, ip: formatIp(ip), port: role.port };
}

/**
 * `lookup`: every role whose `cidr_list` holds the ip (exclusions are not applied, as in Vault), in
 * storage order, then every zero-address role (duplicates kept); `null` when none, as Vault answers.
 */
export function planIpLookup(
  ipText: string,
  roles: readonly { readonly name: string; readonly role: Role }[],
  zeroAddressRoles: readonly string[],
): string[] | null {
  if (ipText === '') throw new RequestError('Missing ip');
  // Vault prints the parsed value, which is always <nil> when parsing failed.
  const ip = parseIp(ipText);
  if (!ip) throw new RequestError('Invalid IP "<nil>"');
  const matching = roles
    .filter(({ role }) => {
      try {
        return role.keyType !== 'ca' && cidrListContainsIp(ip, role.cidrList);
      } catch {
        return false;
      }
    })
    .map(({ name }) => name);
  const all = [...matching, ...zeroAddressRoles];
  return all.length === 0 ? null : all;
}
