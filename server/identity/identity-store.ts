// The identity store of the embedded server, as Vault's (vault/identity_store*.go): entities with
// metadata, policies and a disabled flag, each holding its aliases (one per auth mount accessor and
// name). Entities are stored one per key under `core/identity/entities/` (aliases inside their
// entity, as Vault packs them) and indexed in memory on open, as Vault's MemDB is. Every change runs
// under one store lock and is written before the in-memory index changes, so a failed write changes
// nothing; a login's find-or-create also holds a lock on its mount accessor and alias name, so two
// parallel first logins of one user create one entity and one alias.

import { randomBytes, randomUUID } from 'node:crypto';
import { RequestError } from '../../core/errors.js';
import type { IdentityEntitySnapshot } from '../../core/policy/identity-template.js';
import { KeyedLock } from '../keyed-lock.js';
import { getJson, putJson, type Storage } from '../storage/storage.js';

/** An alias as stored (inside its entity), in Vault's wire names. */
export interface StoredAlias {
  readonly id: string;
  readonly canonical_id: string;
  readonly mount_accessor: string;
  /** The mount's type and path when the alias was made (reads show the mount's current ones). */
  readonly mount_type: string;
  readonly mount_path: string;
  readonly name: string;
  readonly metadata: Readonly<Record<string, string>> | null;
  readonly custom_metadata: Readonly<Record<string, string>> | null;
  readonly creation_time: string;
  readonly last_update_time: string;
}

/** An entity as stored, in Vault's wire names. */
export interface StoredEntity {
  readonly id: string;
  readonly name: string;
  readonly metadata: Readonly<Record<string, string>> | null;
  /** Trimmed, de-duplicated, sorted (Vault's strutil.RemoveDuplicates). */
  readonly policies: readonly string[];
  readonly disabled: boolean;
  readonly creation_time: string;
  readonly last_update_time: string;
  readonly aliases: readonly StoredAlias[];
}

/** What the store needs to know about a mount, by accessor (Vault's router.ValidateMountByAccessor). */
export interface MountInfo {
  readonly type: string;
  /** `auth/userpass/` for auth methods, `ssh/` for secrets engines. */
  readonly path: string;
}

/** The alias a login names, with the mount it logged in through. */
export interface LoginAliasInput {
  readonly mountAccessor: string;
  readonly mountType: string;
  readonly mountPath: string;
  readonly name: string;
  /** Replaces the stored alias metadata when it differs (undefined: none). */
  readonly metadata?: Readonly<Record<string, string>>;
}

const PREFIX = 'core/identity/entities/';
const STORE = 'store';

/** Vault's `strutil.RemoveDuplicates(list, false)`: trimmed, empties dropped, unique, sorted. */
export const removeDuplicates = (items: readonly string[]): string[] =>
  [...new Set(items.map((s) => s.trim()).filter((s) => s !== ''))].sort();

/** Go's ptypes.TimestampString (RFC 3339 with as many fraction digits as needed) for Unix milliseconds. */
export function timestampString(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d*?)0*Z$/, (_, f: string) => (f === '' ? 'Z' : `.${f}Z`));
}

/** Two string maps are equal, an absent map equal to an empty one (Vault's strutil.EqualStringMaps). */
function equalMaps(a: Readonly<Record<string, string>> | null | undefined, b: typeof a): boolean {
  const ka = Object.keys(a ?? {});
  if (ka.length !== Object.keys(b ?? {}).length) return false;
  return ka.every((k) => b && Object.prototype.hasOwnProperty.call(b, k) && b[k] === a![k]);
}

const factorsKey = (accessor: string, name: string) => `${accessor}\u0000${name}`;

/** Entities and aliases, durable in storage and indexed in memory. */
export class IdentityStore {
  private readonly lock = new KeyedLock();
  private readonly entities = new Map<string, StoredEntity>();
  private readonly byName = new Map<string, string>();
  /** Alias id → entity id. */
  private readonly aliasOwner = new Map<string, string>();
  /** Mount accessor + alias name → alias id. */
  private readonly byFactors = new Map<string, string>();

  private constructor(
    private readonly storage: Storage,
    private readonly clock: () => number,
    /** The mount with this accessor, if it exists. */
    readonly mountByAccessor: (accessor: string) => MountInfo | undefined,
  ) {}

  /** Load every entity from storage and index it. @param clock - Unix milliseconds */
  static async open(
    storage: Storage,
    clock: () => number,
    mountByAccessor: (accessor: string) => MountInfo | undefined,
  ): Promise<IdentityStore> {
    const store = new IdentityStore(storage, clock, mountByAccessor);
    for (const id of await storage.list(PREFIX)) {
      const entity = await getJson<StoredEntity>(storage, PREFIX + id);
      if (entity) store.index(entity);
    }
    return store;
  }

  /** The entity with this id. */
  entity(id: string): StoredEntity | undefined {
    return this.entities.get(id);
  }

  /** The entity with this name. */
  entityByName(name: string): StoredEntity | undefined {
    const id = this.byName.get(name);
    return id === undefined ? undefined : this.entities.get(id);
  }

  /** Every entity, by id. */
  allEntities(): StoredEntity[] {
    return [...this.entities.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  /** The alias with this id and its entity. */
  alias(id: string): { alias: StoredAlias; entity: StoredEntity } | undefined {
    const owner = this.aliasOwner.get(id);
    const entity = owner === undefined ? undefined : this.entities.get(owner);
    const alias = entity?.aliases.find((a) => a.id === id);
    return alias && entity ? { alias, entity } : undefined;
  }

  /** The alias with this mount accessor and name. */
  aliasByFactors(accessor: string, name: string): StoredAlias | undefined {
    const id = this.byFactors.get(factorsKey(accessor, name));
    return id === undefined ? undefined : this.alias(id)?.alias;
  }

  /** Every alias, by id. */
  allAliases(): StoredAlias[] {
    return this.allEntities()
      .flatMap((e) => e.aliases)
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  /** The policies an entity adds to its tokens (Vault's identity_policies); none for an unknown entity. */
  policiesOf(entityId: string | undefined): readonly string[] {
    return entityId ? (this.entities.get(entityId)?.policies ?? []) : [];
  }

  /** What identity templates see of an entity. */
  snapshot(entityId: string): IdentityEntitySnapshot | undefined {
    const e = this.entities.get(entityId);
    if (!e) return undefined;
    return {
      id: e.id,
      name: e.name,
      metadata: e.metadata,
      aliases: e.aliases.map((a) => ({
        id: a.id,
        name: a.name,
        mountAccessor: a.mount_accessor,
        metadata: a.metadata,
        customMetadata: a.custom_metadata,
      })),
    };
  }

  /** Now as Vault's timestamps show it. */
  now(): string {
    return timestampString(this.clock());
  }

  /**
   * The entity a login's alias belongs to (Vault's CreateOrFetchEntity): an existing alias gets the
   * login's metadata when it differs; an unknown one gets a new entity with that one alias.
   */
  async loginEntity(input: LoginAliasInput): Promise<StoredEntity> {
    if (input.name === '') throw new Error('empty alias name');
    const fetch = () => {
      const aliasId = this.byFactors.get(factorsKey(input.mountAccessor, input.name));
      const found = aliasId === undefined ? undefined : this.alias(aliasId);
      return found && equalMaps(found.alias.metadata, input.metadata) ? found.entity : undefined;
    };
    // Most logins find their entity unchanged and take no lock.
    const unchanged = fetch();
    if (unchanged) return unchanged;
    return this.lock.run(`alias/${factorsKey(input.mountAccessor, input.name)}`, () =>
      this.change(async () => {
        const again = fetch();
        if (again) return again;
        const now = this.now();
        const existing = this.aliasByFactors(input.mountAccessor, input.name);
        if (existing) {
          const entity = this.entities.get(existing.canonical_id)!;
          const alias: StoredAlias = { ...existing, metadata: input.metadata ?? null, last_update_time: now };
          return this.save({ ...entity, aliases: entity.aliases.map((a) => (a.id === alias.id ? alias : a)) });
        }
        const id = randomUUID();
        const alias: StoredAlias = {
          id: randomUUID(),
          canonical_id: id,
          mount_accessor: input.mountAccessor,
          mount_type: input.mountType,
          mount_path: input.mountPath,
          name: input.name,
          metadata: input.metadata ?? null,
          custom_metadata: null,
          creation_time: now,
          last_update_time: now,
        };
        return this.save({
          id,
          name: this.generateName(),
          metadata: null,
          policies: [],
          disabled: false,
          creation_time: now,
          last_update_time: now,
          aliases: [alias],
        });
      }),
    );
  }

  /** Run a change of the store alone (one at a time). */
  change<T>(work: () => Promise<T>): Promise<T> {
    return this.lock.run(STORE, work);
  }

  /** A new entity name, `entity_<8 hex>`, unused (Vault's generateName). Call inside `change`. */
  generateName(): string {
    for (;;) {
      const name = `entity_${randomBytes(4).toString('hex')}`;
      if (!this.byName.has(name)) return name;
    }
  }

  /** Write an entity and index it (call inside `change`). */
  async save(entity: StoredEntity): Promise<StoredEntity> {
    await putJson(this.storage, PREFIX + entity.id, entity);
    this.unindex(entity.id);
    this.index(entity);
    return entity;
  }

  /** Delete an entity and its aliases (call inside `change`). */
  async remove(id: string): Promise<void> {
    await this.storage.delete(PREFIX + id);
    this.unindex(id);
  }

  /** Refuse a name another entity has (Vault: "entity name is already in use"). */
  checkNameFree(name: string, id: string | undefined): void {
    const holder = this.byName.get(name);
    if (holder !== undefined && holder !== id) throw new RequestError('entity name is already in use');
  }

  private index(entity: StoredEntity): void {
    this.entities.set(entity.id, entity);
    this.byName.set(entity.name, entity.id);
    for (const a of entity.aliases) {
      this.aliasOwner.set(a.id, entity.id);
      this.byFactors.set(factorsKey(a.mount_accessor, a.name), a.id);
    }
  }

  private unindex(id: string): void {
    const old = this.entities.get(id);
    if (!old) return;
    this.entities.delete(id);
    if (this.byName.get(old.name) === id) this.byName.delete(old.name);
    for (const a of old.aliases) {
      if (this.aliasOwner.get(a.id) === id) this.aliasOwner.delete(a.id);
      const key = factorsKey(a.mount_accessor, a.name);
      if (this.byFactors.get(key) === a.id) this.byFactors.delete(key);
    }
  }
}
