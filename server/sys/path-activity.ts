// `sys/internal/counters/activity`: Vault's client-count query (the zero-trust post reads it to
// "view recent activity"). The embedded server keeps no activity log, so it answers as Vault does
// when its activity log holds nothing for the period asked: 204 No Content (Vault's CLI then prints
// "No value found at sys/internal/counters/activity"). Counts made up from live tokens would not be
// Vault's figures (clients that made requests in the period); who signed what is in the audit log.
// A normal sys path: the default policy does not grant it.

import { RequestError } from '../../core/errors.js';
import type { PathSpec } from '../framework.js';

/** A `start_time`/`end_time` as Vault's time fields take them: RFC 3339 or Unix seconds; undefined when absent. */
function parseTime(raw: unknown): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (typeof raw === 'number' || /^[0-9]+$/.test(String(raw))) return Number(raw) * 1000;
  const ms = Date.parse(String(raw));
  return Number.isNaN(ms) ? undefined : ms;
}

/** The activity (client count) query path. */
export function activityPath(): PathSpec {
  return {
    pattern: /^internal\/counters\/activity$/,
    fields: {
      start_time: { type: 'string', description: 'Start of the queried period: RFC 3339 or Unix seconds.' },
      end_time: { type: 'string', description: 'End of the queried period: RFC 3339 or Unix seconds.' },
    },
    operations: {
      async read(req) {
        // Vault declares these TypeTime; our field types have no time type yet, so they arrive as
        // coerced strings and parseTime reads them (an unparsable time is ignored, not refused).
        const start = parseTime(req.fields.get('start_time'));
        const end = parseTime(req.fields.get('end_time'));
        // Vault's check (handleClientMetricQuery) before it looks at any data.
        if (start !== undefined && end !== undefined && start > end) {
          throw new RequestError('start_time is later than end_time');
        }
        return { raw: { status: 204, contentType: 'application/json', body: '' } };
      },
    },
  };
}
