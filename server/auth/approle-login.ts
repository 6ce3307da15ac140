// `auth/<approle mount>/login` (Vault's approle path_login.go): a role_id, and a secret ID when the
// role binds one. Checks run in Vault's order with its messages. A secret ID with a use limit is
// spent under its own lock (read, decrement or delete, write as one step), so of any number of
// parallel logins with a last use exactly one gets a token; the count is in storage, so it holds
// across restarts. The identity alias is the role_id; token metadata carry `role_name`.
//
// Two deliberate differences from Vault, both stricter, neither visible to a correct client:
// - an expired secret ID is refused (and removed) at login, with the answer Vault gives once its
//   once-a-minute tidy has removed it ("invalid role or secret ID"); Vault accepts it until then.
// - the use-limited path takes the lock before reading, so a login that lost the race for the last
//   use gets "invalid role or secret ID" rather than Vault's "invalid secret_id %q", which would
//   repeat the secret ID in an error.

import { verifyCidrSubset } from '../../core/approle.js';
import { InternalError, RequestError } from '../../core/errors.js';
import type { FieldSchema } from '../../core/fields.js';
import { fieldOf, type LogicalRequest, type LogicalResponse, type PathSpec } from '../framework.js';
import { putJson } from '../storage/storage.js';
import {
  deleteSecretId,
  hasAccessor,
  isExpired,
  readAppRole,
  readSecretId,
  roleNameOfRoleId,
  secretIdHmac,
  secretIdPlace,
  withLock,
  type SecretIdEntry,
} from './approle-store.js';
import { remoteAddrIsOk } from './bound-cidrs.js';
import { grantOf } from './token-fields.js';

/** `login` fields. */
const LOGIN_FIELDS: FieldSchema = {
  role_id: { type: 'string', description: 'The role_id of the role to log in with.' },
  secret_id: { type: 'string', description: 'A secret ID of the role (a secret: never logged).' },
};

const INVALID = 'invalid role or secret ID';

/** The remote address, or Vault's internal error when the connection has none. */
function remoteOf(req: LogicalRequest): string {
  if (!req.remoteAddress) throw new InternalError('failed to get connection information');
  return req.remoteAddress;
}

/**
 * Check and spend the secret ID under its lock; answers the entry as read before spending. Throws
 * Vault's refusals. Vault spends a use before it checks the secret ID's CIDRs; so does this.
 */
async function spendSecretId(
  req: LogicalRequest,
  roleName: string,
  role: NonNullable<Awaited<ReturnType<typeof readAppRole>>>,
  secretId: string,
): Promise<SecretIdEntry> {
  const hmac = secretIdHmac(role, secretId);
  const key = secretIdPlace(role, roleName).keyOf(hmac);
  return withLock(req, `secret/${hmac}`, async () => {
    const entry = await readSecretId(req.storage, key);
    if (!entry) throw new RequestError(INVALID);
    if (!(await hasAccessor(req, entry.secret_id_accessor)) || isExpired(entry, req.now)) {
      await deleteSecretId(req, key, entry.secret_id_accessor);
      throw new RequestError(INVALID);
    }
    const roleCidrs = role.secret_id_bound_cidrs ?? [];
    if (entry.secret_id_num_uses === 0) {
      const notWithin = verifyCidrSubset(entry.cidr_list, roleCidrs);
      if (notWithin) throw new InternalError(notWithin);
      if (entry.cidr_list.length > 0) {
        const address = remoteOf(req);
        if (!remoteAddrIsOk(address, entry.cidr_list)) {
          throw new RequestError(
            `source address ${JSON.stringify(address)} unauthorized through CIDR restrictions on the secret ID`,
          );
        }
      }
      return entry;
    }
    if (entry.secret_id_num_uses === 1) {
      await deleteSecretId(req, key, entry.secret_id_accessor);
    } else {
      await putJson(req.storage, key, {
        ...entry,
        secret_id_num_uses: entry.secret_id_num_uses - 1,
        last_updated_time: req.now * 1000,
      } satisfies SecretIdEntry);
    }
    const notWithin = verifyCidrSubset(entry.cidr_list, roleCidrs);
    if (notWithin) throw new InternalError(notWithin);
    if (entry.cidr_list.length > 0) {
      const address = remoteOf(req);
      if (!remoteAddrIsOk(address, entry.cidr_list)) {
        // Vault's text, `%!w(<nil>)` included: it formats a nil error into this message.
        throw new RequestError(
          `source address ${JSON.stringify(address)} unauthorized by CIDR restrictions on the secret ID: %!w(<nil>)`,
        );
      }
    }
    return entry;
  });
}

async function login(req: LogicalRequest): Promise<LogicalResponse> {
  const roleId = (fieldOf<string>(req, 'role_id') ?? '').trim();
  if (roleId === '') throw new RequestError('missing role_id');
  const roleName = await roleNameOfRoleId(req, roleId);
  const role = roleName === undefined ? undefined : await readAppRole(req.storage, roleName);
  if (roleName === undefined || !role) throw new RequestError(INVALID);

  let entry: SecretIdEntry | undefined;
  if (role.bind_secret_id) {
    const secretId = (fieldOf<string>(req, 'secret_id') ?? '').trim();
    if (secretId === '') throw new RequestError('missing secret_id');
    entry = await spendSecretId(req, roleName, role, secretId);
  }
  const roleCidrs = role.secret_id_bound_cidrs ?? [];
  if (roleCidrs.length > 0) {
    const address = remoteOf(req);
    if (!remoteAddrIsOk(address, roleCidrs)) {
      throw new RequestError(
        `source address ${JSON.stringify(address)} unauthorized by CIDR restrictions on the role: %!w(<nil>)`,
      );
    }
  }
  const metadata: Record<string, string> = { ...(entry?.metadata ?? {}), role_name: roleName };
  // Vault's display name for AppRole tokens is the mount's alone (`approle`): no name is appended.
  const grant = grantOf(role, '', metadata);
  const boundCidrs = entry && entry.token_bound_cidrs.length > 0 ? entry.token_bound_cidrs : role.token_bound_cidrs;
  return { login: { ...grant, boundCidrs, alias: { name: role.role_id, metadata } } };
}

/** The login path. */
export const APPROLE_LOGIN_PATH: PathSpec = {
  pattern: /^login$/,
  fields: LOGIN_FIELDS,
  unauthenticated: ['update'],
  operations: { update: login },
};
