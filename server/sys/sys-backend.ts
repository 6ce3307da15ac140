// The system backend (`sys/`): health, secrets-engine mounts, auth methods, ACL policies, audit devices,
// leases.

import type { AuditBroker } from '../audit/audit-broker.js';
import type { TokenStore } from '../auth/token-store.js';
import type { Backend } from '../framework.js';
import type { ExpirationManager } from '../leases/expiration-manager.js';
import type { PolicyStore } from '../policy-store.js';
import type { Storage } from '../storage/storage.js';
import type { MountTable } from './mount-table.js';
import { activityPath } from './path-activity.js';
import { healthPath } from './path-health.js';
import { auditPaths } from './paths-audit.js';
import { authPaths } from './paths-auth.js';
import { capabilitiesPaths } from './paths-capabilities.js';
import { leasePaths } from './paths-leases.js';
import { mountPaths } from './paths-mounts.js';
import { policyPaths } from './paths-policies.js';

/** What the system backend manages. */
export interface SystemParts {
  readonly mounts: MountTable;
  readonly auth: MountTable;
  readonly storage: Storage;
  readonly tokens: TokenStore;
  readonly policies: PolicyStore;
  readonly audit: AuditBroker;
  readonly expiration: ExpirationManager;
  readonly version: string;
  readonly clusterId: string;
  /** The policies a token's identity entity adds (none without an entity). */
  readonly identityPolicies: (entityId: string | undefined) => readonly string[];
}

export function sysBackend(p: SystemParts): Backend {
  return {
    type: 'system',
    paths: [
      healthPath(p.version, p.clusterId),
      ...mountPaths(p.mounts, p.storage, p.expiration),
      ...authPaths(p.auth, p.storage, p.tokens),
      ...policyPaths(p.policies),
      ...capabilitiesPaths(p.tokens, p.policies, p.identityPolicies),
      ...auditPaths(p.audit),
      ...leasePaths(p.expiration),
      activityPath(),
    ],
  };
}
