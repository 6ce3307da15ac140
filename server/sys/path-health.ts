// `sys/health` (unauthenticated): Vault's health body and status codes. The embedded server is
// always initialised, unsealed and active, so the status is `activecode` (200 unless overridden).

import { RequestError } from '../../core/errors.js';
import type { PathSpec } from '../framework.js';

const CODE_PARAMS = [
  'activecode',
  'standbycode',
  'drsecondarycode',
  'performancestandbycode',
  'sealedcode',
  'uninitcode',
] as const;

/** The health path for a server of `version` in cluster `clusterId`. */
export function healthPath(version: string, clusterId: string): PathSpec {
  return {
    pattern: /^health$/,
    fields: {},
    unauthenticated: ['read', 'list'],
    operations: {
      async read(req) {
        const codes: Record<string, number> = {};
        for (const name of CODE_PARAMS) {
          const raw = req.data[name];
          if (raw === undefined) continue;
          if (!/^-?[0-9]+$/.test(String(raw))) {
            throw new RequestError(`strconv.Atoi: parsing ${JSON.stringify(String(raw))}: invalid syntax`);
          }
          codes[name] = Number(raw);
        }
        return {
          status: codes.activecode ?? 200,
          bare: true,
          data: {
            initialized: true,
            sealed: false,
            standby: false,
            performance_standby: false,
            replication_performance_mode: 'disabled',
            replication_dr_mode: 'disabled',
            server_time_utc: Math.floor(Date.now() / 1000),
            version,
            enterprise: false,
            cluster_name: 'sshca-embedded',
            cluster_id: clusterId,
            echo_duration_ms: 0,
            clock_skew_ms: 0,
          },
        };
      },
    },
  };
}
