// The role paths every role-based auth method has (the JWT and AppRole methods' `role/`, the token
// store's `roles/`): LIST of the names, and read, write and delete of one role, which exists when it
// reads back. One shape; each backend gives how its roles are read, answered, written and deleted.

import type { FieldSchema } from '../../core/fields.js';
import type { Handler, PathSpec } from '../framework.js';
import type { Storage } from '../storage/storage.js';

/** A role name as Vault's role path patterns take it, captured as `capture`. */
const roleName = (capture: string): string => String.raw`(?<${capture}>\w(?:[\w.-]*\w)?)`;

/** A role name captured as `role_name` (AppRole, token roles). */
export const ROLE_NAME = roleName('role_name');

export interface RolePathsSpec<T> {
  /** `role` or `roles`. */
  readonly prefix: string;
  /**
   * The capture of the name, as Vault's path names it (a body field of that name is replaced by it).
   * @default 'role_name'
   */
  readonly capture?: string;
  /** Where the roles are stored, ending in `/` (their names are the keys under it). */
  readonly storagePrefix: string;
  readonly fields: FieldSchema;
  /** The stored role, or undefined. */
  read(storage: Storage, name: string): Promise<T | undefined>;
  /** The role as a read answers it. */
  toWire(role: T): Record<string, unknown>;
  readonly write: Handler;
  readonly delete: Handler;
}

/** `<prefix>/` (list) and `<prefix>/:<capture>` (read, create, update, delete). */
export function rolePaths<T>(spec: RolePathsSpec<T>): PathSpec[] {
  const capture = spec.capture ?? 'role_name';
  return [
    {
      pattern: new RegExp(`^${spec.prefix}/?$`),
      fields: {},
      operations: {
        async list(req) {
          const keys = (await req.storage.list(spec.storagePrefix)).filter((k) => !k.endsWith('/'));
          return { data: { keys } };
        },
      },
    },
    {
      pattern: new RegExp(`^${spec.prefix}/${roleName(capture)}$`),
      fields: spec.fields,
      exists: async (req) => (await spec.read(req.storage, req.captures[capture]!)) !== undefined,
      operations: {
        update: spec.write,
        async read(req) {
          const role = await spec.read(req.storage, req.captures[capture]!);
          return role ? { data: spec.toWire(role) } : undefined;
        },
        delete: spec.delete,
      },
    },
  ];
}
