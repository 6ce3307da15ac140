// `sys/policies/acl` and the legacy `sys/policy` that `vault policy write` uses (reference §5.2).

import { RequestError } from '../../core/errors.js';
import { POLICY_ACL_FIELDS, POLICY_LEGACY_FIELDS } from '../../core/path-fields.js';
import { validatePolicyVault } from '../../core/policy-spec.js';
import type { LogicalRequest, PathSpec } from '../framework.js';
import type { PolicyStore } from '../policy-store.js';

export function policyPaths(store: PolicyStore): PathSpec[] {
  async function write(req: LogicalRequest, field: 'policy' | 'rules') {
    const given = req.captures.name!;
    const name = given.toLowerCase();
    const raw = (req.fields.get(field) as string | undefined) ?? (req.fields.get('policy') as string | undefined) ?? '';
    // Vault's refusals in Vault's order, the first one answered (core/policy-spec.ts).
    const [refused] = validatePolicyVault({ name, policy: raw }, field);
    if (refused) throw new RequestError(refused.message);
    await store.write(name, raw);
    return name === given ? undefined : { data: null, warnings: [`policy name was converted to ${name}`] };
  }

  const named = (req: LogicalRequest) => req.captures.name!.toLowerCase();

  return [
    {
      pattern: /^policies\/acl\/?$/,
      fields: {},
      operations: {
        async list() {
          return { data: { keys: await store.list() } };
        },
      },
    },
    {
      pattern: /^policies\/acl\/(?<name>.+)$/,
      fields: POLICY_ACL_FIELDS,
      operations: {
        async read(req) {
          const text = await store.read(named(req));
          return text === undefined ? undefined : { data: { name: named(req), policy: text } };
        },
        update: (req) => write(req, 'policy'),
        async delete(req) {
          await store.delete(named(req));
          return undefined;
        },
      },
    },
    {
      pattern: /^policy\/?$/,
      fields: {},
      operations: {
        async read() {
          const keys = await store.list();
          return { data: { keys, policies: keys } };
        },
      },
    },
    {
      pattern: /^policy\/(?<name>.+)$/,
      fields: POLICY_LEGACY_FIELDS,
      operations: {
        async read(req) {
          const text = await store.read(named(req));
          return text === undefined ? undefined : { data: { name: named(req), rules: text } };
        },
        update: (req) => write(req, 'rules'),
        async delete(req) {
          await store.delete(named(req));
          return undefined;
        },
      },
    },
  ];
}
