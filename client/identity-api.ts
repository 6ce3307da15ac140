// Typed calls for Vault's identity store: entities and entity aliases (issue 18).

import { InternalError } from '../core/errors.js';
import type { VaultClient } from './vault-client.js';

/**
 * Create or update an entity: by `id` when given (`identity/entity/id/<id>`), else by name
 * (`identity/entity`, which updates the entity of that name). Returns the entity's id.
 */
export async function writeIdentityEntity(
  client: VaultClient,
  body: Readonly<Record<string, unknown>>,
  id?: string,
): Promise<string> {
  if (id !== undefined) {
    await client.write(`identity/entity/id/${id}`, body);
    return id;
  }
  const r = await client.write<{ id?: string }>('identity/entity', body);
  if (r?.data?.id) return r.data.id;
  // 204: an entity of that name existed and was updated.
  const existing = await readIdentityEntityByName(client, String(body.name));
  if (!existing) throw new InternalError(`the backend kept no entity named ${JSON.stringify(body.name)}`);
  return String(existing.id);
}

/** An entity by id, or undefined. */
export async function readIdentityEntity(
  client: VaultClient,
  id: string,
): Promise<Record<string, unknown> | undefined> {
  return (await client.read(`identity/entity/id/${id}`))?.data;
}

/** An entity by name, or undefined. */
export async function readIdentityEntityByName(
  client: VaultClient,
  name: string,
): Promise<Record<string, unknown> | undefined> {
  return (await client.read(`identity/entity/name/${encodeURIComponent(name)}`))?.data;
}

export const deleteIdentityEntity = (client: VaultClient, id: string): Promise<void> =>
  client.delete(`identity/entity/id/${id}`);

/**
 * Create or update an alias (`name`, `canonical_id`, `mount_accessor`): by `id` when given, else by
 * name and accessor. Returns the alias's id.
 */
export async function writeIdentityEntityAlias(
  client: VaultClient,
  body: Readonly<Record<string, unknown>>,
  id?: string,
): Promise<string> {
  const r = await client.write<{ id?: string }>(
    id !== undefined ? `identity/entity-alias/id/${id}` : 'identity/entity-alias',
    body,
  );
  const written = r?.data?.id ?? id;
  if (!written) throw new InternalError(`the backend answered the alias ${JSON.stringify(body.name)} without an id`);
  return written;
}

/** An alias by id, or undefined. */
export async function readIdentityEntityAlias(
  client: VaultClient,
  id: string,
): Promise<Record<string, unknown> | undefined> {
  return (await client.read(`identity/entity-alias/id/${id}`))?.data;
}

export const deleteIdentityEntityAlias = (client: VaultClient, id: string): Promise<void> =>
  client.delete(`identity/entity-alias/id/${id}`);
