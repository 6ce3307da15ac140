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
          // Deliberately raw: Vault's sys/health is an HTTP handler (http/sys_health.go), not a framework
          // path, and reads these query parameters with strconv.Atoi itself, with Atoi's errors.
          const raw = req.data[name];
          if (raw === undefined) continue;
          if (!/^-?[0-9]+$/.test(String(raw))) {
            throw new RequestError(`strconv.Atoi: parsing ${JSON.stringify(String(raw))}: invalid syntax`);
          }
          const code = Number(raw);
          if (Math.abs(code) >= 2 ** 63) {
            throw new RequestError(`strconv.Atoi: parsing ${JSON.stringify(String(raw))}: value out of range`);
          }
          codes[name] = code;
        }
        const status = codes.activecode ?? 200;
        // Vault hands the code to Go's WriteHeader, which panics below 100 or above 999 and treats
        // 1xx as informational: only a final status can be answered.
        if (status < 200 || status > 999) throw new RequestError(`invalid activecode ${status}: must be 200 to 999`);
        return {
          status,
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
