// `sys/health` (unauthenticated): Vault's health body and status codes. An unsealed embedded server
// is active, so the status is `activecode` (200 unless overridden); the sealed front
// (server/seal/sealable-server.ts) answers `uninitcode` (501) or `sealedcode` (503) with this path too.

import { RequestError } from '../../core/errors.js';
import type { FieldSchema } from '../../core/fields.js';
import { fieldOf, type PathSpec } from '../framework.js';

/**
 * The status-code parameters, described as in Vault's sys/health docs. Vault's sys/health is an HTTP
 * handler (http/sys_health.go), not a framework path: it reads these query parameters with
 * strconv.Atoi itself, with Atoi's errors. So they are strings here (a query value is one already)
 * and Atoi's rules apply below.
 */
const CODE_FIELDS: FieldSchema = {
  activecode: { type: 'string', description: 'Status code to return for an active node (default 200).' },
  standbycode: { type: 'string', description: 'Status code to return for a standby node (default 429).' },
  drsecondarycode: { type: 'string', description: 'Status code to return for a DR secondary node (default 472).' },
  performancestandbycode: {
    type: 'string',
    description: 'Status code to return for a performance standby node (default 473).',
  },
  sealedcode: { type: 'string', description: 'Status code to return for a sealed node (default 503).' },
  uninitcode: { type: 'string', description: 'Status code to return for an uninitialized node (default 501).' },
};

/** Whether the server is initialised and sealed; an unsealed server's cluster id. */
export interface HealthState {
  readonly initialized: boolean;
  readonly sealed: boolean;
}

const ACTIVE: HealthState = { initialized: true, sealed: false };

/**
 * The health path for a server of `version` in cluster `clusterId`; `state` says whether it is
 * initialised and unsealed (the embedded server behind the front always is).
 */
export function healthPath(version: string, clusterId: string, state: () => HealthState = () => ACTIVE): PathSpec {
  return {
    pattern: /^health$/,
    fields: CODE_FIELDS,
    unauthenticated: ['read', 'list'],
    operations: {
      async read(req) {
        const codes: Record<string, number> = {};
        for (const name of Object.keys(CODE_FIELDS)) {
          const text = fieldOf<string>(req, name);
          if (text === undefined) continue;
          if (!/^-?[0-9]+$/.test(text)) {
            throw new RequestError(`strconv.Atoi: parsing ${JSON.stringify(text)}: invalid syntax`);
          }
          const code = Number(text);
          if (Math.abs(code) >= 2 ** 63) {
            throw new RequestError(`strconv.Atoi: parsing ${JSON.stringify(text)}: value out of range`);
          }
          codes[name] = code;
        }
        const { initialized, sealed } = state();
        const [name, status] = !initialized
          ? ['uninitcode', codes.uninitcode ?? 501]
          : sealed
            ? ['sealedcode', codes.sealedcode ?? 503]
            : ['activecode', codes.activecode ?? 200];
        // Vault hands the code to Go's WriteHeader, which panics below 100 or above 999 and treats
        // 1xx as informational: only a final status can be answered.
        if (status < 200 || status > 999) throw new RequestError(`invalid ${name} ${status}: must be 200 to 999`);
        const active = initialized && !sealed;
        return {
          status,
          bare: true,
          data: {
            initialized,
            sealed,
            // As Vault: a sealed node reports standby, and names its cluster only when active.
            standby: !active,
            performance_standby: false,
            replication_performance_mode: 'disabled',
            replication_dr_mode: 'disabled',
            server_time_utc: Math.floor(Date.now() / 1000),
            version,
            enterprise: false,
            ...(active ? { cluster_name: 'sshca-embedded', cluster_id: clusterId } : {}),
            echo_duration_ms: 0,
            clock_skew_ms: 0,
          },
        };
      },
    },
  };
}
