// `<mount>/roles` and `<mount>/roles/:role`: full-replace writes, reads in Vault's shape, lists with
// `key_info`, deletes that always succeed and take the role off the zero-address list (reference §2.1–2.4).
// OpenBao's `issuer_ref` (§2.16) is stored beside the role when given: the issuer its certificates are
// signed by, resolved at sign time; absent means `default`, and Vault's answers stay as they were.

import { replaceableDefaultCriticalOptions } from '../../core/role-spec.js';
import { InternalError } from '../../core/errors.js';
import { LEGACY_ROLE_FIELDS, roleFromFields, roleToWire, ROLE_FIELDS, type Role } from '../../core/role.js';
import { getJson, putJson, type Storage } from '../storage/storage.js';
import type { PathSpec } from '../framework.js';
import { removeZeroAddressRole } from './paths-config-zeroaddress.js';

/** Vault's role-name capture (`framework.GenericNameWithAtRegex`). */
export const ROLE_NAME = String.raw`\w(?:(?:[\w\-.@]+)?\w)?`;

/** A stored role: core's model plus OpenBao's `issuer_ref` when the role names an issuer. */
export type StoredRole = Role & { readonly issuerRef?: string };

export const readRole = (storage: Storage, name: string): Promise<StoredRole | undefined> =>
  getJson<StoredRole>(storage, `roles/${name}`);

/** OpenBao's `issuer_ref`, beside the role fields. */
const ISSUER_REF = {
  type: 'string',
  description: "Issuer reference (issuer id, name or 'default') whose key signs this role's certificates.",
} as const;

export const rolesListPath: PathSpec = {
  pattern: /^roles\/?$/,
  fields: {},
  operations: {
    async list(req) {
      const keys = (await req.storage.list('roles/')).filter((k) => !k.endsWith('/'));
      if (keys.length === 0) return undefined;
      const keyInfo: Record<string, { key_type: string; issuer_ref?: string }> = {};
      for (const name of keys) {
        const role = await readRole(req.storage, name);
        if (role) keyInfo[name] = { key_type: role.keyType, ...(role.issuerRef ? { issuer_ref: role.issuerRef } : {}) };
      }
      return { data: { keys, key_info: keyInfo } };
    },
  },
};

/**
 * `roles/:role`. With `legacyDynamicKeys` (`sshca serve --legacy-dynamic-keys`, issue 23) the schema
 * has the dynamic-key fields of core/role-fields.ts and `key_type=dynamic` roles are written and read
 * as Vault 1.12 did (plus our host-key pins); without it they are Vault ≥ 1.13's errors.
 */
export const rolePathWith = (legacyDynamicKeys: boolean): PathSpec => ({
  pattern: new RegExp(`^roles/(?<role>${ROLE_NAME})$`),
  fields: { ...(legacyDynamicKeys ? LEGACY_ROLE_FIELDS : ROLE_FIELDS), issuer_ref: ISSUER_REF },
  operations: {
    async update(req) {
      // req.fields is the request coerced with this path's schema (core/role-fields.ts).
      const keyName = ((req.fields.get('key') as string | undefined) ?? '').trim();
      const keyExists =
        legacyDynamicKeys &&
        keyName !== '' &&
        !keyName.includes('/') &&
        (await req.storage.get(`keys/${keyName}`)) !== undefined;
      const role = roleFromFields(req.fields, { legacyDynamicKeys, keyExists });
      const issuerRef = ((req.fields.get('issuer_ref') as string | undefined) ?? '').trim();
      const stored: StoredRole = issuerRef !== '' && issuerRef !== 'default' ? { ...role, issuerRef } : role;
      await putJson(req.storage, `roles/${req.captures.role}`, stored);
      // Issue 13, finding 10: Vault stores such a role silently; refusing it would break Vault
      // compatibility, so the write succeeds and says why its default critical options can be dropped.
      const replaceable =
        role.keyType === 'ca'
          ? replaceableDefaultCriticalOptions(role.defaultCriticalOptions, role.allowedCriticalOptions, {
              defaults: 'default_critical_options',
              allowed: 'allowed_critical_options',
            })
          : undefined;
      return replaceable ? { data: null, warnings: [replaceable] } : undefined;
    },
    async read(req) {
      const role = await readRole(req.storage, req.captures.role!);
      if (!role) return undefined;
      if (role.keyType === 'dynamic' && !legacyDynamicKeys) {
        throw new InternalError('dynamic key type roles are no longer supported');
      }
      const { issuerRef, ...model } = role;
      return { data: { ...roleToWire(model), ...(issuerRef ? { issuer_ref: issuerRef } : {}) } };
    },
    async delete(req) {
      await req.storage.delete(`roles/${req.captures.role}`);
      await removeZeroAddressRole(req.storage, req.captures.role!);
      return undefined;
    },
  },
});

export const rolePath: PathSpec = rolePathWith(false);
