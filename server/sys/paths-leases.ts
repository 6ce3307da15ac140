// `sys/leases/*` (and the older `sys/renew`, `sys/revoke`, `sys/revoke-prefix` paths): look a lease
// up, renew it (OTP leases are not renewable; legacy dynamic keys are), revoke it, revoke every lease
// under a prefix, list lease ids (reference §4.4; Vault's logical_system.go handlers and messages).

import { RequestError } from '../../core/errors.js';
import type { FieldSchema } from '../../core/fields.js';
import type { LogicalRequest, PathSpec } from '../framework.js';
import type { ExpirationManager } from '../leases/expiration-manager.js';

/** The lease id from the body, else from the path (`sys/leases/revoke/<id>`). */
function leaseIdOf(req: LogicalRequest): string {
  const id = (req.fields.get('lease_id') as string | undefined) || req.captures.url_lease_id || '';
  if (id === '') throw new RequestError('lease_id must be specified');
  return id;
}

/** The parameters of the lease paths, described as in Vault's logical_system.go. */
const LEASE_ID = { type: 'string', description: 'The lease identifier (included with a lease).' } as const;
const INCREMENT = { type: 'duration', description: 'The desired increment in seconds to the lease.' } as const;
const SYNC = {
  type: 'bool',
  description: 'Whether to revoke synchronously (always so here: false is taken as true).',
} as const;
const LOOKUP_FIELDS: FieldSchema = { lease_id: LEASE_ID };
const RENEW_FIELDS: FieldSchema = { lease_id: LEASE_ID, increment: INCREMENT };
const REVOKE_FIELDS: FieldSchema = { lease_id: LEASE_ID, sync: SYNC };
const REVOKE_PREFIX_FIELDS: FieldSchema = { sync: SYNC };

export function leasePaths(expiration: ExpirationManager): PathSpec[] {
  const renew: PathSpec['operations'] = {
    async update(req) {
      const lease = await expiration.renew(leaseIdOf(req), (req.fields.get('increment') as number | undefined) ?? 0);
      const duration = Math.max(0, Math.round((lease.expire_time - req.now * 1000) / 1000));
      return { lease: { id: lease.lease_id, duration, renewable: lease.renewable } };
    },
  };
  const revoke: PathSpec['operations'] = {
    async update(req) {
      await expiration.revoke(leaseIdOf(req));
      return undefined;
    },
  };
  const revokePrefix: PathSpec['operations'] = {
    async update(req) {
      await expiration.revokePrefix(req.captures.prefix ?? '', { force: req.captures.force !== undefined });
      return undefined;
    },
  };
  // Revocation here is always synchronous: `sync=false` (Vault's 202 "accepted") is taken as true.
  return [
    {
      pattern: /^leases\/lookup$/,
      fields: LOOKUP_FIELDS,
      operations: {
        async update(req) {
          const id = (req.fields.get('lease_id') as string | undefined) ?? '';
          if (id === '') throw new RequestError('lease_id must be specified');
          const lease = expiration.lookup(id);
          if (!lease) throw new RequestError('invalid lease');
          return { data: expiration.describe(lease) };
        },
      },
    },
    {
      pattern: /^leases\/lookup\/(?<prefix>.*?)\/?$/,
      fields: {},
      sudo: true,
      operations: {
        async list(req) {
          const prefix = req.captures.prefix ?? '';
          return { data: { keys: await expiration.list(prefix === '' ? '' : `${prefix}/`) } };
        },
      },
    },
    {
      pattern: /^(?:leases\/)?renew(?:\/(?<url_lease_id>.+))?$/,
      fields: RENEW_FIELDS,
      operations: renew,
    },
    { pattern: /^(?:leases\/)?revoke(?:\/(?<url_lease_id>.+))?$/, fields: REVOKE_FIELDS, operations: revoke },
    // revoke-force is Vault's way past failing backends (a legacy dynamic key whose host is gone): the
    // leases go even when their secret could not be revoked.
    {
      pattern: /^(?:leases\/)?revoke-(?:prefix|(?<force>force))\/(?<prefix>.+)$/,
      fields: REVOKE_PREFIX_FIELDS,
      sudo: true,
      operations: revokePrefix,
    },
  ];
}
