// `sys/audit` (list, enable, disable) and `sys/audit-hash` (reference §5.5); all root-protected.

import { validateAuditDeviceVault } from '../../core/audit-device-spec.js';
import { RequestError } from '../../core/errors.js';
import { toStringMap } from '../../core/fields.js';
import { AUDIT_FIELDS, AUDIT_HASH_FIELDS } from '../../core/path-fields.js';
import type { AuditBroker } from '../audit/audit-broker.js';
import type { PathSpec } from '../framework.js';
import { normalise } from './paths-mounts.js';

export function auditPaths(broker: AuditBroker): PathSpec[] {
  return [
    {
      pattern: /^audit\/?$/,
      fields: {},
      sudo: true,
      operations: {
        async read() {
          return { data: Object.fromEntries(broker.list().map((d) => [d.path, d])) };
        },
      },
    },
    {
      pattern: /^audit\/(?<path>.+)$/,
      fields: AUDIT_FIELDS,
      sudo: true,
      operations: {
        async update(req) {
          const path = normalise(req.captures.path!);
          const type = (req.fields.get('type') as string | undefined) ?? '';
          const options = toStringMap((req.fields.get('options') as Record<string, unknown> | undefined) ?? {});
          // Vault checks the path against the enabled devices first (the broker answers `path already
          // in use`), then the device itself (core/audit-device-spec.ts), answering the first problem.
          if (!broker.list().some((d) => d.path === path)) {
            const [refused] = validateAuditDeviceVault({ path, type, options });
            if (refused) throw new RequestError(refused.message);
          }
          await broker.enable({
            path,
            type,
            description: (req.fields.get('description') as string | undefined) ?? '',
            options,
            local: (req.fields.get('local') as boolean | undefined) ?? false,
          });
          return undefined;
        },
        async delete(req) {
          await broker.disable(normalise(req.captures.path!));
          return undefined;
        },
      },
    },
    {
      pattern: /^audit-hash\/(?<path>.+)$/,
      fields: AUDIT_HASH_FIELDS,
      sudo: true,
      operations: {
        async update(req) {
          const hash = broker.hash(
            normalise(req.captures.path!),
            (req.fields.get('input') as string | undefined) ?? '',
          );
          if (hash === undefined) throw new RequestError('unknown audit backend');
          return { data: { hash } };
        },
      },
    },
  ];
}
