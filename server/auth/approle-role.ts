// `auth/<approle mount>/role`, `role/:role_name` and `role/:role_name/role-id` (Vault's approle
// path_role.go): the role's secret ID rules (`bind_secret_id`, `secret_id_bound_cidrs`,
// `secret_id_num_uses`, `secret_id_ttl`), its role_id (a UUID unless set; indexed to the role) and
// the shared `token_*` settings (token-fields.ts). Refusals are Vault's, with its statuses: the
// constraint rule and a role_id in use are internal errors (500) in Vault, as here.
//
// `token_period` and `token_type` are stored, validated and read back as Vault does; the token store
// does not issue periodic or batch tokens yet (issue 24 point 2), so logins ignore them for now.

import { randomUUID } from 'node:crypto';
import { APPROLE_MAX_HMAC_INPUT, validateAppRoleConstraints, validateCidrList } from '../../core/approle.js';
import { InternalError, RequestError, UnsupportedPathError } from '../../core/errors.js';
import type { FieldSchema } from '../../core/fields.js';
import { TOKEN_FIELDS } from '../../core/path-fields.js';
import { fieldOf, type LogicalRequest, type LogicalResponse, type PathSpec } from '../framework.js';
import { putJson } from '../storage/storage.js';
import { effectiveTtls } from '../sys/mount-table.js';
import { ROLE_NAME, rolePaths } from './role-paths.js';
import {
  deleteAppRoleEntry,
  deleteSecretId,
  readAppRole,
  readSecretId,
  roleIdKey,
  roleNameOfRoleId,
  secretIdPlace,
  withLock,
  writeAppRole,
  type AppRole,
} from './approle-store.js';
import {
  DEFAULT_TOKEN_SETTINGS,
  readTokenSettings,
  updateTokenSettings,
  validateTokenSettings,
} from './token-fields.js';

/** Vault's GenericNameRegex for role names. */
/** A role name in AppRole's paths (captured as `role_name`). */
export const APPROLE_ROLE_NAME = ROLE_NAME;

/** `role/:role_name` fields (plus the shared token_* fields). */
export const APPROLE_ROLE_FIELDS: FieldSchema = {
  ...TOKEN_FIELDS,
  bind_secret_id: { type: 'bool', description: 'Require a secret_id at login (default true).' },
  bound_cidr_list: { type: 'comma-string-slice', description: 'Deprecated alias of secret_id_bound_cidrs.' },
  secret_id_bound_cidrs: {
    type: 'comma-string-slice',
    description: 'CIDR blocks from which logins with this role may come.',
  },
  secret_id_num_uses: { type: 'int', description: 'Logins each secret ID allows (0 = unlimited).' },
  secret_id_ttl: { type: 'duration', description: 'Lifetime of secret IDs (0 = no expiry).' },
  role_id: { type: 'string', description: 'The role_id to log in with; a UUID by default.' },
  local_secret_ids: { type: 'bool', description: 'Cluster-local secret IDs (only at creation).' },
};

/** `role/:role_name/role-id` fields. */
const ROLE_ID_FIELDS: FieldSchema = {
  role_id: { type: 'string', description: 'The role_id to log in with.' },
};

/**
 * Vault's `setRoleEntry`: the constraint rule, the role_id index (refusing a role_id another role
 * has), then the role and its index. Call under the role's lock.
 */
async function saveRole(req: LogicalRequest, name: string, role: AppRole, previousRoleId: string): Promise<void> {
  const refused = validateAppRoleConstraints({
    bindSecretId: role.bind_secret_id,
    secretIdBoundCidrs: role.secret_id_bound_cidrs ?? [],
    tokenBoundCidrs: role.token_bound_cidrs,
  });
  if (refused) throw new InternalError(refused);
  const owner = await roleNameOfRoleId(req, role.role_id);
  if (owner !== undefined && owner !== name) throw new InternalError('role_id already in use');
  if (previousRoleId !== '' && previousRoleId !== role.role_id) {
    await req.storage.delete(await roleIdKey(req, previousRoleId));
  }
  await writeAppRole(req.storage, name, role);
  if (owner === undefined) await putJson(req.storage, await roleIdKey(req, role.role_id), { name });
}

/** Create or update a role as Vault's pathRoleCreateUpdate. */
async function writeRole(req: LogicalRequest): Promise<LogicalResponse | undefined> {
  const name = req.captures.role_name!.toLowerCase();
  if (Buffer.byteLength(name) > APPROLE_MAX_HMAC_INPUT) {
    throw new RequestError(`role_name is longer than maximum of ${APPROLE_MAX_HMAC_INPUT} bytes`);
  }
  return withLock(req, `role/${name}`, async () => {
    const existing = await readAppRole(req.storage, name);
    const creating = existing === undefined;
    const warnings: string[] = [];
    // Vault's backwards-compatible token types: adjusted, with a warning.
    let fields = req.fields;
    const rawType = fields.get('token_type');
    if (rawType === 'default-service' || rawType === 'default-batch') {
      const adjusted = rawType === 'default-service' ? 'service' : 'batch';
      fields = new Map(fields).set('token_type', adjusted);
      warnings.push(`${rawType} has no useful meaning; adjusting to ${adjusted}`);
    }
    const tokenSettings = updateTokenSettings(existing ?? DEFAULT_TOKEN_SETTINGS, fields);
    const invalid = validateTokenSettings(tokenSettings);
    if (invalid) throw new RequestError(invalid);

    let localSecretIds = existing?.local_secret_ids ?? false;
    if (fields.has('local_secret_ids')) {
      if (!creating) throw new RequestError('local_secret_ids can only be modified during role creation');
      localSecretIds = fields.get('local_secret_ids') as boolean;
    }
    const previousRoleId = existing?.role_id ?? '';
    const roleId = fields.has('role_id') ? (fields.get('role_id') as string) : creating ? randomUUID() : previousRoleId;
    if (roleId === '') throw new RequestError('invalid role_id supplied, or failed to generate a role_id');

    const bindSecretId = fieldOf<boolean>(req, 'bind_secret_id') ?? existing?.bind_secret_id ?? true;
    let boundCidrs = existing?.secret_id_bound_cidrs ?? null;
    const givenCidrs = fieldOf<string[]>(req, 'secret_id_bound_cidrs') ?? fieldOf<string[]>(req, 'bound_cidr_list');
    if (givenCidrs !== undefined) boundCidrs = givenCidrs;
    if (boundCidrs && boundCidrs.length > 0) {
      const bad = validateCidrList(boundCidrs);
      if (bad) throw new InternalError(`failed to validate CIDR blocks: ${bad}`);
    }
    const numUses = fieldOf<number>(req, 'secret_id_num_uses') ?? existing?.secret_id_num_uses ?? 0;
    if (numUses < 0) throw new RequestError('secret_id_num_uses cannot be negative');
    const ttl = fieldOf<number>(req, 'secret_id_ttl') ?? existing?.secret_id_ttl ?? 0;

    if (tokenSettings.token_max_ttl > effectiveTtls(req.mount).maxLeaseTtl) {
      warnings.push(
        "token_max_ttl is greater than the backend mount's maximum TTL value; issued tokens' max TTL value will be truncated",
      );
    }
    const role: AppRole = {
      ...tokenSettings,
      role_id: roleId,
      hmac_key: existing?.hmac_key ?? randomUUID(),
      bind_secret_id: bindSecretId,
      secret_id_bound_cidrs: boundCidrs,
      secret_id_num_uses: numUses,
      secret_id_ttl: ttl,
      local_secret_ids: localSecretIds,
    };
    await saveRole(req, name, role, previousRoleId);
    return warnings.length > 0 ? { warnings } : undefined;
  });
}

/** The read shape of a role (Vault's pathRoleRead). */
function roleToWire(role: AppRole): Record<string, unknown> {
  return {
    bind_secret_id: role.bind_secret_id,
    secret_id_bound_cidrs: role.secret_id_bound_cidrs,
    secret_id_num_uses: role.secret_id_num_uses,
    secret_id_ttl: role.secret_id_ttl,
    local_secret_ids: role.local_secret_ids,
    ...readTokenSettings(role),
  };
}

/** Delete a role, its secret IDs (and their accessors) and its role_id index, under the role's lock. */
async function deleteRole(req: LogicalRequest): Promise<undefined> {
  const name = req.captures.role_name!.toLowerCase();
  return withLock(req, `role/${name}`, async () => {
    const role = await readAppRole(req.storage, name);
    if (!role) return undefined;
    const place = secretIdPlace(role, name);
    for (const hmac of await req.storage.list(place.prefix)) {
      await withLock(req, `secret/${hmac}`, async () => {
        const entry = await readSecretId(req.storage, place.keyOf(hmac));
        if (entry) await deleteSecretId(req, place.keyOf(hmac), entry.secret_id_accessor);
      });
    }
    await req.storage.delete(await roleIdKey(req, role.role_id));
    await deleteAppRoleEntry(req.storage, name);
    return undefined;
  });
}

/** The role paths: LIST `role`, read/write/delete `role/:role_name`, read/write its `role-id`. */
export const APPROLE_ROLE_PATHS: readonly PathSpec[] = [
  ...rolePaths({
    prefix: 'role',
    storagePrefix: 'role/',
    fields: APPROLE_ROLE_FIELDS,
    read: readAppRole,
    toWire: roleToWire,
    write: writeRole,
    delete: deleteRole,
  }),
  {
    pattern: new RegExp(`^role/${APPROLE_ROLE_NAME}/role-id$`),
    fields: ROLE_ID_FIELDS,
    operations: {
      async read(req) {
        const role = await readAppRole(req.storage, req.captures.role_name!);
        return role ? { data: { role_id: role.role_id } } : undefined;
      },
      async update(req) {
        const name = req.captures.role_name!.toLowerCase();
        return withLock(req, `role/${name}`, async () => {
          const role = await readAppRole(req.storage, name);
          if (!role) throw new UnsupportedPathError();
          const roleId = fieldOf<string>(req, 'role_id') ?? '';
          if (roleId === '') throw new RequestError('missing role_id');
          await saveRole(req, name, { ...role, role_id: roleId }, role.role_id);
          return undefined;
        });
      },
    },
  },
];
