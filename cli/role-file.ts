// The local role file `sshca sign` reads: the mount's TTLs and named roles, written exactly as the
// bodies of Vault's `sys/mounts` and `<mount>/roles/:name` requests, so the same file can be
// replayed against Vault later:
//   { "mount": { "default_lease_ttl": "1h", "max_lease_ttl": "24h" },
//     "roles": { "developer": { "key_type": "ca", "allow_user_certificates": true, … } } }

import { parseDurationSeconds } from '../core/duration.js';
import { RequestError } from '../core/errors.js';
import { formatUnknownFieldsWarning, parseFields } from '../core/fields.js';
import { SYSTEM_DEFAULT_LEASE_TTL, type MountTtls } from '../core/policy/validity.js';
import { ROLE_FIELDS, isValidRoleName, parseRoleWrite, type Role } from '../core/role.js';

/** A parsed role file. */
export interface RoleFile {
  readonly mount: MountTtls;
  readonly roles: ReadonlyMap<string, Role>;
  /** Vault's warnings (unknown parameters), one per role that has them. */
  readonly warnings: readonly string[];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function parseMountTtl(raw: unknown, label: 'default' | 'max'): number {
  try {
    const seconds = parseDurationSeconds(raw);
    return seconds === 0 ? SYSTEM_DEFAULT_LEASE_TTL : seconds;
  } catch (e) {
    throw new RequestError(`unable to parse ${label} TTL of ${String(raw)}: ${(e as Error).message}`);
  }
}

/** Parse and validate a role file's text; every error names the role or field at fault. */
export function parseRoleFile(text: string, source: string): RoleFile {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new RequestError(`${source} is not valid JSON: ${(e as Error).message}`);
  }
  if (!isObject(doc) || !isObject(doc.roles)) {
    throw new RequestError(`${source} must be a JSON object with a "roles" object (name → role parameters)`);
  }
  const mountRaw = isObject(doc.mount) ? doc.mount : {};
  const config = isObject(mountRaw.config) ? mountRaw.config : mountRaw; // accept the sys/mounts body too
  const mount = {
    defaultLeaseTtl: parseMountTtl(config.default_lease_ttl, 'default'),
    maxLeaseTtl: parseMountTtl(config.max_lease_ttl, 'max'),
  };
  if (mount.defaultLeaseTtl > mount.maxLeaseTtl) {
    throw new RequestError('given default lease TTL greater than given max lease TTL');
  }
  const roles = new Map<string, Role>();
  const warnings: string[] = [];
  for (const [name, body] of Object.entries(doc.roles)) {
    if (!isValidRoleName(name)) {
      throw new RequestError(
        `role name ${JSON.stringify(name)} is invalid: use letters, digits and _ at both ends and -, ., @ inside`,
      );
    }
    if (!isObject(body)) throw new RequestError(`role "${name}": must be an object of role parameters`);
    try {
      roles.set(name, parseRoleWrite(body));
    } catch (e) {
      throw new RequestError(`role "${name}": ${(e as Error).message}`);
    }
    const warning = formatUnknownFieldsWarning(parseFields(ROLE_FIELDS, body).unknown);
    if (warning) warnings.push(`role "${name}": ${warning}`);
  }
  return { mount, roles, warnings };
}
