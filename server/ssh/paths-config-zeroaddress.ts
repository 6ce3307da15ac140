// `<mount>/config/zeroaddress`: the roles that may issue OTPs for any ip, bypassing their CIDR lists
// (reference §2.14). Deleting a role takes it off the list, as Vault does.

import { RequestError } from '../../core/errors.js';
import { CONFIG_ZEROADDRESS_FIELDS } from '../../core/path-fields.js';
import type { PathSpec } from '../framework.js';
import { getJson, putJson, type Storage } from '../storage/storage.js';

const KEY = 'config/zeroaddress';

/** The zero-address roles; undefined when never configured. */
export const readZeroAddressRoles = async (storage: Storage): Promise<string[] | undefined> =>
  (await getJson<{ roles: string[] }>(storage, KEY))?.roles;

/** Take a deleted role off the list (nothing to do when it is not on it). */
export async function removeZeroAddressRole(storage: Storage, role: string): Promise<void> {
  const roles = await readZeroAddressRoles(storage);
  if (roles?.includes(role)) await putJson(storage, KEY, { roles: roles.filter((r) => r !== role) });
}

export const configZeroAddressPath: PathSpec = {
  pattern: /^config\/zeroaddress$/,
  fields: CONFIG_ZEROADDRESS_FIELDS,
  operations: {
    async update(req) {
      const roles = (req.fields.get('roles') as string[] | undefined) ?? [];
      if (roles.length === 0) throw new RequestError('Missing roles');
      for (const name of roles) {
        if (!(await req.storage.get(`roles/${name}`)))
          throw new RequestError(`Role ${JSON.stringify(name)} does not exist`);
      }
      await putJson(req.storage, KEY, { roles });
      return undefined;
    },
    async read(req) {
      const roles = await readZeroAddressRoles(req.storage);
      return roles === undefined ? undefined : { data: { roles } };
    },
    async delete(req) {
      await req.storage.delete(KEY);
      return undefined;
    },
  },
};
