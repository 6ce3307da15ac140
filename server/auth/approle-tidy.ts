// `auth/<approle mount>/tidy/secret-id` (Vault's approle path_tidy_user_id.go): removes expired
// secret IDs, secret IDs whose accessor index is gone, and accessor entries no secret ID uses.
// Vault answers 202 at once and tidies in the background; here the answer waits for the tidy (the
// same 202 and warning), so a caller that reads right after sees the result. A tidy already running
// on the mount answers Vault's "already in progress" warning instead.

import type { LogicalRequest, LogicalResponse, PathSpec } from '../framework.js';
import { getJson } from '../storage/storage.js';
import { deleteSecretId, hasAccessor, isExpired, readSecretId, withLock } from './approle-store.js';

/** Mounts (by UUID) whose tidy is running. */
const running = new Set<string>();

/** Tidy one mount's secret IDs; each entry is checked under its own lock. */
async function tidySecretIds(req: LogicalRequest): Promise<void> {
  const kept = new Set<string>();
  for (const roleHmac of await req.storage.list('secret_id/')) {
    const prefix = `secret_id/${roleHmac}`;
    for (const hmac of await req.storage.list(prefix)) {
      await withLock(req, `secret/${hmac}`, async () => {
        const entry = await readSecretId(req.storage, prefix + hmac);
        if (!entry) return;
        if (!(await hasAccessor(req, entry.secret_id_accessor))) {
          await req.storage.delete(prefix + hmac);
        } else if (isExpired(entry, req.now)) {
          await deleteSecretId(req, prefix + hmac, entry.secret_id_accessor);
        } else {
          kept.add(hmac);
        }
      });
    }
  }
  // Accessor entries whose secret ID is gone (Vault cleans these since 0.9.3).
  for (const accessorHash of await req.storage.list('accessor/')) {
    const index = await getJson<{ secret_id_hmac: string }>(req.storage, `accessor/${accessorHash}`);
    if (!index || kept.has(index.secret_id_hmac)) continue;
    const hmac = index.secret_id_hmac;
    await withLock(req, `secret/${hmac}`, async () => {
      if (!(await isReferenced(req, hmac))) await req.storage.delete(`accessor/${accessorHash}`);
    });
  }
}

/** Whether any role still stores a secret ID with this HMAC (created since the first pass). */
async function isReferenced(req: LogicalRequest, hmac: string): Promise<boolean> {
  for (const roleHmac of await req.storage.list('secret_id/')) {
    if ((await readSecretId(req.storage, `secret_id/${roleHmac}${hmac}`)) !== undefined) return true;
  }
  return false;
}

/** The tidy path. */
export const APPROLE_TIDY_PATH: PathSpec = {
  pattern: /^tidy\/secret-id$/,
  fields: {},
  operations: {
    async update(req): Promise<LogicalResponse> {
      if (running.has(req.mount.uuid)) return { warnings: ['Tidy operation already in progress.'] };
      running.add(req.mount.uuid);
      try {
        await tidySecretIds(req);
      } finally {
        running.delete(req.mount.uuid);
      }
      return {
        status: 202,
        warnings: [
          "Tidy operation successfully started. Any information from the operation will be printed to Vault's server logs.",
        ],
      };
    },
  },
};
