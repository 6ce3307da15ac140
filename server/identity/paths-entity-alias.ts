// `identity/entity-alias`, `entity-alias/id/:id` and `LIST entity-alias/id`, as Vault's
// identity_store_aliases.go: create (a new entity unless `canonical_id` names one), update (name,
// mount accessor, canonical id, custom metadata), read, delete and list, with Vault's messages.

import { randomUUID } from 'node:crypto';
import { RequestError } from '../../core/errors.js';
import { toStringMap, type FieldSchema } from '../../core/fields.js';
import type { LogicalRequest, LogicalResponse, PathSpec } from '../framework.js';
import type { IdentityStore, StoredAlias, StoredEntity } from './identity-store.js';
import { GENERIC_NAME, mountFields } from './paths-entity.js';

/** The fields of the alias paths, described as in Vault's aliasFieldSchema. */
export const ALIAS_FIELDS: FieldSchema = {
  id: { type: 'string', description: 'ID of the entity alias. If set, updates the corresponding entity alias.' },
  entity_id: {
    type: 'string',
    description: 'Entity ID to which this alias belongs (deprecated: use canonical_id).',
  },
  canonical_id: { type: 'string', description: 'Entity ID to which this alias belongs.' },
  mount_accessor: {
    type: 'string',
    description: 'Mount accessor to which this alias belongs to; unused for a modify.',
  },
  name: { type: 'string', description: 'Name of the alias; unused for a modify.' },
  custom_metadata: { type: 'map', description: 'User provided key-value pairs.' },
};

type StringMap = Readonly<Record<string, string>>;

function equalMaps(a: StringMap | null, b: StringMap | null): boolean {
  const ka = Object.keys(a ?? {});
  return ka.length === Object.keys(b ?? {}).length && ka.every((k) => b !== null && b[k] === a![k] && k in b);
}

/** Vault's handleAliasCreate: a new alias, on `canonicalId`'s entity or a new one. */
async function createAlias(
  store: IdentityStore,
  canonicalId: string,
  name: string,
  accessor: string,
  customMetadata: StringMap,
): Promise<LogicalResponse> {
  let entity: StoredEntity | undefined;
  if (canonicalId !== '') {
    entity = store.entity(canonicalId);
    if (!entity) throw new RequestError('invalid canonical ID');
  }
  const now = store.now();
  const base: StoredEntity = entity ?? {
    id: randomUUID(),
    name: store.generateName(),
    metadata: null,
    policies: [],
    disabled: false,
    creation_time: now,
    last_update_time: now,
    aliases: [],
  };
  if (base.aliases.some((a) => a.mount_accessor === accessor)) {
    throw new RequestError('Alias already exists for requested entity and mount accessor');
  }
  const mount = store.mountByAccessor(accessor)!;
  const alias: StoredAlias = {
    id: randomUUID(),
    canonical_id: base.id,
    mount_accessor: accessor,
    mount_type: mount.type,
    mount_path: mount.path,
    name,
    metadata: null,
    custom_metadata: customMetadata,
    creation_time: now,
    last_update_time: now,
  };
  await store.save({ ...base, aliases: [...base.aliases, alias] });
  return { data: { id: alias.id, canonical_id: base.id } };
}

/** Vault's handleAliasUpdate. */
async function updateAlias(
  store: IdentityStore,
  canonicalId: string,
  name: string,
  accessor: string,
  alias: StoredAlias,
  customMetadata: StringMap | null,
): Promise<LogicalResponse | undefined> {
  if (
    name === alias.name &&
    accessor === alias.mount_accessor &&
    (canonicalId === alias.canonical_id || canonicalId === '') &&
    equalMaps(customMetadata, alias.custom_metadata)
  ) {
    return undefined;
  }
  const current = store.entity(alias.canonical_id);
  if (!current) throw new RequestError('given alias is not associated with an entity');
  if (accessor !== alias.mount_accessor && (canonicalId === '' || canonicalId === alias.canonical_id)) {
    if (current.aliases.some((a) => a.mount_accessor === accessor)) {
      throw new RequestError(
        "Alias cannot be updated as the entity already has an alias for the given 'mount_accessor' ",
      );
    }
  }
  const now = store.now();
  let updated: StoredAlias = { ...alias, last_update_time: now };
  if (name !== alias.name || accessor !== alias.mount_accessor || !equalMaps(customMetadata, alias.custom_metadata)) {
    const mount = store.mountByAccessor(accessor);
    if (!mount) throw new RequestError(`invalid mount accessor ${JSON.stringify(accessor)}`);
    const existing = store.aliasByFactors(accessor, name);
    if (existing && existing.id !== alias.id) {
      throw new RequestError('alias with combination of mount accessor and name already exists');
    }
    updated = {
      ...updated,
      name,
      mount_accessor: accessor,
      mount_type: mount.type,
      mount_path: mount.path,
      custom_metadata: customMetadata,
    };
  }
  if (canonicalId !== '' && canonicalId !== alias.canonical_id) {
    const target = store.entity(canonicalId);
    if (!target) throw new RequestError("given 'canonical_id' is not associated with an entity");
    if (target.aliases.some((a) => a.mount_accessor === accessor)) {
      throw new RequestError('Alias cannot be updated as the given entity already has an alias for this mount ');
    }
    updated = { ...updated, canonical_id: target.id };
    await store.save({ ...current, aliases: current.aliases.filter((a) => a.id !== alias.id) });
    await store.save({ ...target, aliases: [...target.aliases, updated] });
    return { data: { id: updated.id, canonical_id: target.id } };
  }
  await store.save({
    ...current,
    aliases: current.aliases.map((a) => (a.id === alias.id ? updated : a)),
  });
  return { data: { id: updated.id, canonical_id: current.id } };
}

/** Vault's handleAliasCreateUpdate (both `entity-alias` and `entity-alias/id/:id`). */
function writeAlias(store: IdentityStore, req: LogicalRequest): Promise<LogicalResponse | undefined> {
  const f = req.fields;
  let name = (f.get('name') as string | undefined) ?? '';
  let accessor = (f.get('mount_accessor') as string | undefined) ?? '';
  const id = (f.get('id') as string | undefined) ?? req.captures.id ?? '';
  const hasCustom = f.has('custom_metadata');
  const custom = hasCustom ? toStringMap(f.get('custom_metadata') as Record<string, unknown>) : {};
  const canonicalId =
    (f.get('canonical_id') as string | undefined) || ((f.get('entity_id') as string | undefined) ?? '');
  return store.change(async () => {
    if (id !== '') {
      const found = store.alias(id);
      if (!found) throw new RequestError('invalid alias ID provided');
      const { alias } = found;
      const customMetadata = hasCustom ? custom : alias.custom_metadata;
      if (accessor === '' && name === '') {
        if (canonicalId === '' && !hasCustom) return undefined;
        name = alias.name;
        accessor = alias.mount_accessor;
      } else if (accessor === '') {
        accessor = alias.mount_accessor;
      } else if (name === '') {
        name = alias.name;
      }
      return updateAlias(store, canonicalId, name, accessor, alias, customMetadata);
    }
    if (accessor === '' || name === '') {
      throw new RequestError("'id' or 'mount_accessor' and 'name' must be provided");
    }
    if (!store.mountByAccessor(accessor)) throw new RequestError(`invalid mount accessor ${JSON.stringify(accessor)}`);
    const existing = store.aliasByFactors(accessor, name);
    if (existing) return updateAlias(store, canonicalId, name, accessor, existing, custom);
    return createAlias(store, canonicalId, name, accessor, custom);
  });
}

/** Vault's alias read (handleAliasReadCommon). */
export function aliasData(store: IdentityStore, a: StoredAlias): Record<string, unknown> {
  return {
    id: a.id,
    canonical_id: a.canonical_id,
    mount_accessor: a.mount_accessor,
    metadata: a.metadata,
    custom_metadata: a.custom_metadata,
    name: a.name,
    merged_from_canonical_ids: null,
    namespace_id: 'root',
    local: false,
    ...mountFields(store, a.mount_accessor),
    creation_time: a.creation_time,
    last_update_time: a.last_update_time,
  };
}

/** The entity-alias paths over `store`. */
export function entityAliasPaths(store: IdentityStore): PathSpec[] {
  return [
    { pattern: /^entity-alias$/, fields: ALIAS_FIELDS, operations: { update: (req) => writeAlias(store, req) } },
    {
      pattern: /^entity-alias\/id\/?$/,
      fields: {},
      operations: {
        async list() {
          const aliases = store.allAliases();
          if (aliases.length === 0) return undefined;
          const keyInfo: Record<string, unknown> = {};
          for (const a of aliases) {
            keyInfo[a.id] = {
              name: a.name,
              canonical_id: a.canonical_id,
              mount_accessor: a.mount_accessor,
              custom_metadata: a.custom_metadata,
              metadata: a.metadata,
              local: false,
              ...mountFields(store, a.mount_accessor),
            };
          }
          return { data: { keys: aliases.map((a) => a.id), key_info: keyInfo } };
        },
      },
    },
    {
      pattern: new RegExp(`^entity-alias/id/(?<id>${GENERIC_NAME})$`),
      fields: ALIAS_FIELDS,
      operations: {
        update: (req) => writeAlias(store, req),
        async read(req) {
          const found = store.alias(req.captures.id!);
          return found ? { data: aliasData(store, found.alias) } : undefined;
        },
        async delete(req) {
          await store.change(async () => {
            const found = store.alias(req.captures.id!);
            if (!found) return;
            const { entity } = found;
            await store.save({ ...entity, aliases: entity.aliases.filter((a) => a.id !== req.captures.id) });
          });
          return undefined;
        },
      },
    },
  ];
}
