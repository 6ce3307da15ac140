// `identity/entity`, `entity/id/:id`, `entity/name/:name` and their lists, as Vault's
// identity_store_entities.go: create or update (name, metadata, policies, disabled), read, delete and
// list with Vault's response shapes and messages.

import { randomUUID } from 'node:crypto';
import { RequestError } from '../../core/errors.js';
import { toStringMap, type FieldSchema } from '../../core/fields.js';
import type { LogicalRequest, LogicalResponse, PathSpec } from '../framework.js';
import { removeDuplicates, type IdentityStore, type StoredAlias, type StoredEntity } from './identity-store.js';

/** The fields of the entity paths, described as in Vault's entityPathFields. */
export const ENTITY_FIELDS: FieldSchema = {
  id: { type: 'string', description: 'ID of the entity. If set, updates the corresponding existing entity.' },
  name: { type: 'string', description: 'Name of the entity.' },
  metadata: { type: 'map', description: 'Metadata to be associated with the entity.' },
  policies: { type: 'comma-string-slice', description: 'Policies to be tied to the entity.' },
  disabled: {
    type: 'bool',
    description: 'If set true, tokens tied to this identity will not be able to be used (but will not be revoked).',
  },
};

/** Vault's GenericNameRegex: what an `:id` segment may be. */
export const GENERIC_NAME = '\\w(?:[\\w-.]*\\w)?';

/** `mount_type` and `mount_path` of an alias's mount, when it still exists. */
export function mountFields(store: IdentityStore, accessor: string): Record<string, string> {
  const mount = store.mountByAccessor(accessor);
  return mount ? { mount_type: mount.type, mount_path: mount.path } : {};
}

function aliasInEntity(store: IdentityStore, a: StoredAlias): Record<string, unknown> {
  return {
    id: a.id,
    canonical_id: a.canonical_id,
    mount_accessor: a.mount_accessor,
    metadata: a.metadata,
    name: a.name,
    merged_from_canonical_ids: null,
    creation_time: a.creation_time,
    last_update_time: a.last_update_time,
    local: false,
    custom_metadata: a.custom_metadata,
    ...mountFields(store, a.mount_accessor),
  };
}

/** Vault's entity read (handleEntityReadCommon); the embedded server has no groups. */
export function entityData(store: IdentityStore, e: StoredEntity): Record<string, unknown> {
  return {
    id: e.id,
    name: e.name,
    metadata: e.metadata,
    merged_entity_ids: null,
    policies: e.policies,
    disabled: e.disabled,
    namespace_id: 'root',
    creation_time: e.creation_time,
    last_update_time: e.last_update_time,
    aliases: e.aliases.map((a) => aliasInEntity(store, a)),
    direct_group_ids: [],
    inherited_group_ids: [],
    group_ids: [],
  };
}

/** Vault's handleEntityUpdateCommon: 200 `{id, name, aliases}` for a new entity, 204 for an update. */
async function writeEntity(store: IdentityStore, req: LogicalRequest): Promise<LogicalResponse | undefined> {
  return store.change(async () => {
    const f = req.fields;
    let entity: StoredEntity | undefined;
    const id = (f.get('id') as string | undefined) ?? req.captures.id ?? '';
    if (id !== '') {
      entity = store.entity(id);
      if (!entity) throw new RequestError('entity not found from id');
    }
    const name = (f.get('name') as string | undefined) ?? req.captures.name ?? '';
    if (name !== '') {
      const byName = store.entityByName(name);
      if (byName && !entity) entity = byName;
      else if (byName && byName.id !== entity!.id) throw new RequestError('entity name is already in use');
    }
    const policies = f.has('policies') ? removeDuplicates(f.get('policies') as string[]) : (entity?.policies ?? []);
    if (policies.includes('root')) throw new RequestError('policies cannot contain root');
    const metadata = f.has('metadata')
      ? toStringMap(f.get('metadata') as Record<string, unknown>)
      : (entity?.metadata ?? null);
    const now = store.now();
    const next: StoredEntity = {
      id: entity?.id ?? randomUUID(),
      name: name !== '' ? name : (entity?.name ?? store.generateName()),
      metadata,
      policies,
      disabled: f.has('disabled') ? (f.get('disabled') as boolean) : (entity?.disabled ?? false),
      creation_time: entity?.creation_time ?? now,
      last_update_time: now,
      aliases: entity?.aliases ?? [],
    };
    await store.save(next);
    if (entity) return undefined;
    return { data: { id: next.id, name: next.name, aliases: null } };
  });
}

async function deleteEntity(store: IdentityStore, entity: StoredEntity | undefined): Promise<undefined> {
  if (!entity) return undefined;
  await store.change(async () => {
    if (store.entity(entity.id)) await store.remove(entity.id);
  });
  return undefined;
}

/** Vault's handlePathEntityListCommon: keys, and key_info by entity id (for both lists). */
function listEntities(store: IdentityStore, byId: boolean): LogicalResponse | undefined {
  const entities = store.allEntities();
  if (entities.length === 0) return undefined;
  const keyInfo: Record<string, unknown> = {};
  for (const e of entities) {
    keyInfo[e.id] = {
      name: e.name,
      ...(e.aliases.length > 0
        ? {
            aliases: e.aliases.map((a) => ({
              id: a.id,
              name: a.name,
              mount_accessor: a.mount_accessor,
              ...mountFields(store, a.mount_accessor),
            })),
          }
        : {}),
    };
  }
  return { data: { keys: entities.map((e) => (byId ? e.id : e.name)), key_info: keyInfo } };
}

/** The entity paths over `store`. */
export function entityPaths(store: IdentityStore): PathSpec[] {
  const read = async (entity: StoredEntity | undefined) => (entity ? { data: entityData(store, entity) } : undefined);
  return [
    { pattern: /^entity$/, fields: ENTITY_FIELDS, operations: { update: (req) => writeEntity(store, req) } },
    {
      pattern: /^entity\/name\/?$/,
      fields: {},
      operations: { list: async () => listEntities(store, false) },
    },
    {
      pattern: /^entity\/id\/?$/,
      fields: {},
      operations: { list: async () => listEntities(store, true) },
    },
    {
      pattern: /^entity\/name\/(?<name>.+)$/,
      fields: ENTITY_FIELDS,
      operations: {
        update: (req) => writeEntity(store, req),
        read: (req) => read(store.entityByName(req.captures.name!)),
        delete: (req) => deleteEntity(store, store.entityByName(req.captures.name!)),
      },
    },
    {
      pattern: new RegExp(`^entity/id/(?<id>${GENERIC_NAME})$`),
      fields: ENTITY_FIELDS,
      operations: {
        update: (req) => writeEntity(store, req),
        read: (req) => read(store.entity(req.captures.id!)),
        delete: (req) => deleteEntity(store, store.entity(req.captures.id!)),
      },
    },
  ];
}
