// `auth/<approle mount>/role/:role_name/secret-id` and its family (Vault's approle path_role.go):
// create a secret ID (a UUID; wrapped when the request asks, through the server's wrapping step),
// `custom-secret-id`, LIST the accessors, `secret-id/lookup` and `secret-id/destroy` by value, and
// `secret-id-accessor/lookup` and `/destroy` by accessor. Vault's messages and statuses throughout;
// a secret ID appears in clear only in the answer that creates it.

import { parseSecretIdMetadata, validateCidrList, verifyCidrSubset } from '../../core/approle.js';
import { ForbiddenError, InternalError, NotFoundError, RequestError } from '../../core/errors.js';
import type { FieldSchema } from '../../core/fields.js';
import { randomUUID } from 'node:crypto';
import { fieldOf, type LogicalRequest, type LogicalResponse, type PathSpec } from '../framework.js';
import { effectiveTtls } from '../sys/mount-table.js';
import { rfc3339Nano } from '../wrapping/response-wrapper.js';
import { APPROLE_ROLE_NAME } from './approle-role.js';
import {
  deleteSecretId,
  hasAccessor,
  readAppRole,
  readSecretId,
  registerSecretId,
  secretIdHmac,
  secretIdHmacOfAccessor,
  secretIdPlace,
  withLock,
  type AppRole,
  type SecretIdEntry,
} from './approle-store.js';

/** Fields of `secret-id` and `custom-secret-id` (the latter adds `secret_id`). */
const CREATE_FIELDS: FieldSchema = {
  metadata: { type: 'string', description: 'Metadata of the secret ID: a JSON object of strings (or key=value,…).' },
  cidr_list: { type: 'comma-string-slice', description: 'CIDR blocks the secret ID may be used from.' },
  token_bound_cidrs: { type: 'comma-string-slice', description: 'CIDR blocks the issued tokens may be used from.' },
  num_uses: { type: 'int', description: "Logins this secret ID allows; at most the role's secret_id_num_uses." },
  ttl: { type: 'duration', description: "Lifetime of this secret ID; at most the role's secret_id_ttl." },
};
const CUSTOM_FIELDS: FieldSchema = {
  ...CREATE_FIELDS,
  secret_id: { type: 'string', description: 'The secret ID to attach to the role.' },
};
const BY_VALUE_FIELDS: FieldSchema = { secret_id: { type: 'string', description: 'The secret ID.' } };
const BY_ACCESSOR_FIELDS: FieldSchema = {
  secret_id_accessor: { type: 'string', description: 'The accessor of the secret ID.' },
};

/** Vault's `deriveSecretIDTTL`: a TTL beyond the mount's maximum lease TTL is capped to it. */
const deriveTtl = (req: LogicalRequest, ttl: number): number => {
  const max = effectiveTtls(req.mount).maxLeaseTtl;
  return ttl < 0 || ttl > max ? max : ttl;
};

/** Go's zero time, as Vault shows a secret ID that does not expire. */
const GO_ZERO_TIME = '0001-01-01T00:00:00Z';

/** The read shape of a secret ID (Vault's ToResponseData). */
function secretIdToWire(entry: SecretIdEntry): Record<string, unknown> {
  return {
    secret_id_accessor: entry.secret_id_accessor,
    secret_id_num_uses: entry.secret_id_num_uses,
    secret_id_ttl: entry.secret_id_ttl,
    creation_time: rfc3339Nano(entry.creation_time),
    expiration_time: entry.expiration_time === 0 ? GO_ZERO_TIME : rfc3339Nano(entry.expiration_time),
    last_updated_time: rfc3339Nano(entry.last_updated_time),
    metadata: entry.metadata,
    cidr_list: entry.cidr_list,
    token_bound_cidrs: entry.token_bound_cidrs,
  };
}

/** The role for a secret ID path, or Vault's internal error for a missing one (lookup and destroy). */
async function roleOrFail(req: LogicalRequest): Promise<{ name: string; role: AppRole }> {
  const name = req.captures.role_name!.toLowerCase();
  const role = await readAppRole(req.storage, name);
  if (!role) throw new InternalError(`role ${JSON.stringify(name)} does not exist`);
  return { name, role };
}

/** Vault's handleRoleSecretIDCommon: checks in Vault's order, then register. */
async function createSecretId(req: LogicalRequest, secretId: string): Promise<LogicalResponse> {
  if (secretId === '') throw new RequestError('missing secret_id');
  const name = req.captures.role_name!.toLowerCase();
  const role = await readAppRole(req.storage, name);
  if (!role) throw new NotFoundError(`role ${JSON.stringify(name)} does not exist`);
  if (!role.bind_secret_id) throw new RequestError('bind_secret_id is not set on the role');

  const cidrList = fieldOf<string[]>(req, 'cidr_list') ?? [];
  if (cidrList.length > 0) {
    const bad = validateCidrList(cidrList);
    if (bad) throw new InternalError(`failed to validate CIDR blocks: ${bad}`);
  }
  const notWithinRole = verifyCidrSubset(cidrList, role.secret_id_bound_cidrs ?? []);
  if (notWithinRole) throw new InternalError(notWithinRole);
  const tokenCidrs = fieldOf<string[]>(req, 'token_bound_cidrs') ?? [];
  if (tokenCidrs.length > 0) {
    const bad = validateCidrList(tokenCidrs);
    if (bad) throw new InternalError(`failed to validate token CIDR blocks: ${bad}`);
  }
  const tokenNotWithinRole = verifyCidrSubset(tokenCidrs, role.token_bound_cidrs);
  if (tokenNotWithinRole) throw new InternalError(tokenNotWithinRole);

  let numUses = role.secret_id_num_uses;
  const askedUses = fieldOf<number>(req, 'num_uses');
  if (askedUses !== undefined) {
    if (askedUses < 0) throw new RequestError('num_uses cannot be negative');
    const roleMax = role.secret_id_num_uses;
    if ((askedUses === 0 && roleMax > 0) || (roleMax > 0 && askedUses > roleMax)) {
      throw new RequestError("num_uses cannot be higher than the role's secret_id_num_uses");
    }
    numUses = askedUses;
  }
  let ttl = role.secret_id_ttl;
  const askedTtl = fieldOf<number>(req, 'ttl');
  if (askedTtl !== undefined) {
    const roleMax = role.secret_id_ttl;
    if ((askedTtl === 0 && roleMax > 0) || (roleMax > 0 && askedTtl > roleMax)) {
      throw new RequestError("ttl cannot be longer than the role's secret_id_ttl");
    }
    ttl = askedTtl;
  }
  const metadata = parseSecretIdMetadata(fieldOf<string>(req, 'metadata') ?? '');
  if ('error' in metadata && typeof metadata.error === 'string') throw new RequestError(metadata.error);

  const nowMs = req.now * 1000;
  const effectiveTtl = deriveTtl(req, ttl);
  const place = secretIdPlace(role, name);
  const stored = await registerSecretId(req, place, secretIdHmac(role, secretId), {
    secret_id_num_uses: numUses,
    secret_id_ttl: ttl,
    creation_time: nowMs,
    last_updated_time: nowMs,
    expiration_time: effectiveTtl === 0 ? 0 : nowMs + effectiveTtl * 1000,
    metadata: metadata as Record<string, string>,
    cidr_list: cidrList,
    token_bound_cidrs: tokenCidrs,
  });
  return {
    data: {
      secret_id: secretId,
      secret_id_accessor: stored.secret_id_accessor,
      secret_id_ttl: effectiveTtl,
      secret_id_num_uses: stored.secret_id_num_uses,
    },
  };
}

/** Run `work` on the secret ID a request names by value, under its lock; undefined when not stored. */
async function bySecretId<T>(
  req: LogicalRequest,
  work: (entry: SecretIdEntry, key: string) => Promise<T>,
): Promise<T | undefined> {
  const secretId = fieldOf<string>(req, 'secret_id') ?? '';
  if (secretId === '') throw new RequestError('missing secret_id');
  const { name, role } = await roleOrFail(req);
  const hmac = secretIdHmac(role, secretId);
  const key = secretIdPlace(role, name).keyOf(hmac);
  return withLock(req, `secret/${hmac}`, async () => {
    const entry = await readSecretId(req.storage, key);
    return entry ? work(entry, key) : undefined;
  });
}

/** The secret ID paths of one role. */
export const APPROLE_SECRET_ID_PATHS: readonly PathSpec[] = [
  {
    pattern: new RegExp(`^role/${APPROLE_ROLE_NAME}/secret-id/?$`),
    fields: CREATE_FIELDS,
    operations: {
      update: (req) => createSecretId(req, randomUUID()),
      async list(req) {
        const name = req.captures.role_name!.toLowerCase();
        const role = await readAppRole(req.storage, name);
        if (!role) throw new RequestError(`role ${JSON.stringify(name)} does not exist`);
        const place = secretIdPlace(role, name);
        const keys: string[] = [];
        for (const hmac of await req.storage.list(place.prefix)) {
          const entry = await readSecretId(req.storage, place.keyOf(hmac));
          if (entry) keys.push(entry.secret_id_accessor);
        }
        return { data: { keys } };
      },
    },
  },
  {
    pattern: new RegExp(`^role/${APPROLE_ROLE_NAME}/custom-secret-id$`),
    fields: CUSTOM_FIELDS,
    operations: { update: (req) => createSecretId(req, fieldOf<string>(req, 'secret_id') ?? '') },
  },
  {
    pattern: new RegExp(`^role/${APPROLE_ROLE_NAME}/secret-id/lookup/?$`),
    fields: BY_VALUE_FIELDS,
    operations: {
      async update(req) {
        return bySecretId(req, async (entry, key) => {
          // As Vault: a secret ID whose accessor index is gone is revoked on sight.
          if (!(await hasAccessor(req, entry.secret_id_accessor))) {
            await req.storage.delete(key);
            throw new RequestError('invalid secret id');
          }
          return { data: secretIdToWire(entry) };
        });
      },
    },
  },
  {
    pattern: new RegExp(`^role/${APPROLE_ROLE_NAME}/secret-id/destroy/?$`),
    fields: BY_VALUE_FIELDS,
    operations: Object.fromEntries(
      (['update', 'delete'] as const).map((op) => [
        op,
        async (req: LogicalRequest) => {
          await bySecretId(req, (entry, key) => deleteSecretId(req, key, entry.secret_id_accessor));
          return undefined;
        },
      ]),
    ),
  },
  {
    pattern: new RegExp(`^role/${APPROLE_ROLE_NAME}/secret-id-accessor/lookup/?$`),
    fields: BY_ACCESSOR_FIELDS,
    operations: {
      async update(req) {
        const accessor = fieldOf<string>(req, 'secret_id_accessor') ?? '';
        if (accessor === '') throw new RequestError('missing secret_id_accessor');
        const { name, role } = await roleOrFail(req);
        const hmac = await secretIdHmacOfAccessor(req, accessor);
        if (hmac === undefined) {
          throw new NotFoundError(`failed to find accessor entry for secret_id_accessor: ${JSON.stringify(accessor)}`);
        }
        const entry = await withLock(req, `secret/${hmac}`, () =>
          readSecretId(req.storage, secretIdPlace(role, name).keyOf(hmac)),
        );
        return entry ? { data: secretIdToWire(entry) } : undefined;
      },
    },
  },
  {
    pattern: new RegExp(`^role/${APPROLE_ROLE_NAME}/secret-id-accessor/destroy/?$`),
    fields: BY_ACCESSOR_FIELDS,
    operations: Object.fromEntries(
      (['update', 'delete'] as const).map((op) => [
        op,
        async (req: LogicalRequest) => {
          const accessor = fieldOf<string>(req, 'secret_id_accessor') ?? '';
          if (accessor === '') throw new RequestError('missing secret_id_accessor');
          const { name, role } = await roleOrFail(req);
          const hmac = await secretIdHmacOfAccessor(req, accessor);
          if (hmac === undefined) {
            throw new InternalError(
              `failed to find accessor entry for secret_id_accessor: ${JSON.stringify(accessor)}`,
            );
          }
          const key = secretIdPlace(role, name).keyOf(hmac);
          await withLock(req, `secret/${hmac}`, async () => {
            const entry = await readSecretId(req.storage, key);
            if (!entry) throw new ForbiddenError('invalid secret id accessor');
            await deleteSecretId(req, key, accessor);
          });
          return undefined;
        },
      ]),
    ),
  },
];
