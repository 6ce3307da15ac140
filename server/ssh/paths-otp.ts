// One-time passwords: `<mount>/creds/:role` issues an OTP with a lease, the unauthenticated
// `<mount>/verify` takes it (once), `<mount>/lookup` names the roles for an ip (reference §2.11–2.13,
// §4). The checks are core's (core/otp.ts); storage of the salted OTPs is otp-store's.

import { RequestError } from '../../core/errors.js';
import { planIpLookup, planOtpCredential } from '../../core/otp.js';
import { CREDS_FIELDS, LOOKUP_FIELDS, VERIFY_FIELDS } from '../../core/path-fields.js';
import type { LogicalRequest, PathSpec } from '../framework.js';
import { effectiveTtls } from '../sys/mount-table.js';
import { readZeroAddressRoles } from './paths-config-zeroaddress.js';
import { createOtp, deleteOtp, takeOtp } from './otp-store.js';
import { issueDynamicCredential, revokeDynamicCredential } from './dynamic-credentials.js';
import { readRole, ROLE_NAME } from './paths-roles.js';

/** vault-ssh-helper's health probe and the answer it expects. */
const VERIFY_ECHO_REQUEST = 'verify-echo-request';
const VERIFY_ECHO_RESPONSE = 'verify-echo-response';

/** The lease an OTP gets: the mount's default lease TTL, within its maximum (OTP secrets set none). */
const otpTtl = (req: LogicalRequest): number => {
  const { defaultLeaseTtl, maxLeaseTtl } = effectiveTtls(req.mount);
  return Math.min(defaultLeaseTtl, maxLeaseTtl);
};

/**
 * `creds/:role`. With `legacyDynamicKeys` (`sshca serve --legacy-dynamic-keys`, issue 23) it also
 * issues Vault 1.12's dynamic keys on `key_type=dynamic` roles (dynamic-credentials.ts); without it such
 * a role answers Vault ≥ 1.13's 500.
 */
export const credsPathWith = (legacyDynamicKeys: boolean): PathSpec => ({
  pattern: new RegExp(`^creds/(?<role>${ROLE_NAME})$`),
  fields: CREDS_FIELDS,
  operations: {
    async update(req) {
      const roleName = req.captures.role!;
      const request = {
        roleName,
        username: (req.fields.get('username') as string | undefined) ?? '',
        ip: (req.fields.get('ip') as string | undefined) ?? '',
      };
      // Vault checks the ip's presence before it reads the role.
      const role = request.ip === '' ? undefined : await readRole(req.storage, roleName);
      const zero = (await readZeroAddressRoles(req.storage)) ?? [];
      const plan = planOtpCredential(request, role, zero, legacyDynamicKeys);
      const ttl = otpTtl(req);
      // Vault 1.12 gave dynamic keys the same lease TTL as OTPs (the mount's default, within its maximum).
      if (role?.keyType === 'dynamic') return issueDynamicCredential(req, roleName, role, plan, ttl);
      const { otp, saltedId } = await createOtp(req.storage, req.mount, {
        username: plan.username,
        ip: plan.ip,
        role_name: roleName,
        expire_time: req.now * 1000 + ttl * 1000,
      });
      return {
        data: { ip: plan.ip, key: otp, key_type: 'otp', port: plan.port, username: plan.username },
        // Only the salted id goes into the lease: the OTP itself is never stored.
        secret: { ttl, renewable: false, internal: { otp_salted_id: saltedId } },
      };
    },
  },
});

export const credsPath: PathSpec = credsPathWith(false);

export const verifyPath: PathSpec = {
  pattern: /^verify$/,
  fields: VERIFY_FIELDS,
  unauthenticated: ['update'],
  operations: {
    async update(req) {
      const otp = (req.fields.get('otp') as string | undefined) ?? '';
      if (otp === VERIFY_ECHO_REQUEST) return { data: { message: VERIFY_ECHO_RESPONSE } };
      const entry = await takeOtp(req.storage, req.mount, otp, req.now * 1000);
      if (!entry) throw new RequestError('OTP not found');
      return { data: { username: entry.username, ip: entry.ip, role_name: entry.role_name } };
    },
  },
};

export const lookupPath: PathSpec = {
  pattern: /^lookup$/,
  fields: LOOKUP_FIELDS,
  operations: {
    async update(req) {
      const ip = (req.fields.get('ip') as string | undefined) ?? '';
      const roles = [];
      if (ip !== '') {
        for (const name of (await req.storage.list('roles/')).filter((k) => !k.endsWith('/'))) {
          const role = await readRole(req.storage, name);
          if (role) roles.push({ name, role });
        }
      }
      return { data: { roles: planIpLookup(ip, roles, (await readZeroAddressRoles(req.storage)) ?? []) } };
    },
  },
};

/**
 * Revoking an OTP's lease (by id, prefix, expiry or unmount) deletes the OTP if it is still unused;
 * revoking a legacy dynamic key's lease uninstalls the key from its host, whatever the server's mode
 * (taking access away is always allowed).
 */
export const revokeOtpSecret = async (
  req: Pick<LogicalRequest, 'storage' | 'mount'>,
  internal: Readonly<Record<string, unknown>>,
) => {
  if (typeof internal.otp_salted_id === 'string') await deleteOtp(req.storage, req.mount, internal.otp_salted_id);
  else await revokeDynamicCredential(req, internal);
};
