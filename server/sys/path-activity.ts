// `sys/internal/counters/activity`: Vault's client-count query (the zero-trust post reads it to
// "view recent activity"). The embedded server keeps no activity log, so it answers as Vault does
// when its activity log holds nothing for the period asked: 204 No Content (Vault's CLI then prints
// "No value found at sys/internal/counters/activity"). Counts made up from live tokens would not be
// Vault's figures (clients that made requests in the period); who signed what is in the audit log.
// A normal sys path: the default policy does not grant it.

import { RequestError } from '../../core/errors.js';
import { fieldOf, type PathSpec } from '../framework.js';

/** The activity (client count) query path. */
export function activityPath(): PathSpec {
  return {
    pattern: /^internal\/counters\/activity$/,
    fields: {
      start_time: { type: 'time', description: 'Start of query interval (RFC 3339 or Unix seconds).' },
      end_time: { type: 'time', description: 'End of query interval (RFC 3339 or Unix seconds).' },
    },
    operations: {
      async read(req) {
        // Unix seconds, coerced as Vault's TypeTime (an unparsable time was refused with a 400).
        const start = fieldOf<number>(req, 'start_time');
        const end = fieldOf<number>(req, 'end_time');
        // Vault's check (handleClientMetricQuery) before it looks at any data.
        if (start !== undefined && end !== undefined && start > end) {
          throw new RequestError('start_time is later than end_time');
        }
        return { raw: { status: 204, contentType: 'application/json', body: '' } };
      },
    },
  };
}
