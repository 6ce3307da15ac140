// The revocations of one SSH mount in a KV version 2 secret (`<kv mount>/data/revocations/<ssh
// mount>`, issue 20): read them, add one record, remove one, each write a check-and-set retried on
// conflict (kv-api.ts `updateKvData`), so concurrent writers never lose each other's records. Used by
// `sshca revoke`, `sshca render --format krl`, `sshca drift` and the Pulumi `SshRevocation`.

import { RequestError } from '../core/errors.js';
import {
  findRevocation,
  parseRevocationList,
  revocationsKey,
  type RevocationListData,
  type RevocationRecord,
} from '../core/krl/revocations.js';
import type { RevocationCandidate } from '../core/revocation-spec.js';
import { readKvData, updateKvData } from './kv-api.js';
import { isVaultApiError, type VaultClient } from './vault-client.js';

/** The KV version 2 mount revocations are kept in unless told otherwise. */
export const DEFAULT_KV_MOUNT = 'sshca';

/** A KV call's failure in words that say what to do. */
export function kvFailure(e: unknown, kvMount: string, key: string): unknown {
  if (!isVaultApiError(e)) return e;
  if (e.errors.some((m) => /no handler for route|unsupported path/.test(m))) {
    return new RequestError(
      `there is no KV version 2 mount ${kvMount} on this backend: enable it once with ` +
        `"vault secrets enable -path=${kvMount} kv-v2", or name another with --kv-mount`,
    );
  }
  if (e.status === 403) {
    return new RequestError(
      `permission denied on ${kvMount}/data/${key}: the token needs read, create and update there ` +
        `(and read on ${kvMount}/metadata/${key})`,
    );
  }
  return e;
}

/** The mount's revocation records and the KV version they were read at (0 when none yet). */
export async function readRevocations(
  client: VaultClient,
  kvMount: string,
  sshMount: string,
): Promise<{ records: RevocationRecord[]; version: number; createdTime: string }> {
  const key = revocationsKey(sshMount);
  let secret;
  try {
    secret = await readKvData<RevocationListData>(client, kvMount, key);
  } catch (e) {
    throw kvFailure(e, kvMount, key);
  }
  return {
    records: parseRevocationList(secret?.data),
    version: secret?.metadata.version ?? 0,
    createdTime: secret?.metadata.created_time ?? '',
  };
}

/**
 * Add `record` unless a record already revokes the same thing. Resolves with that earlier record
 * (nothing written) or with the count and KV version after the write.
 */
export async function addRevocation(
  client: VaultClient,
  kvMount: string,
  sshMount: string,
  record: RevocationRecord,
): Promise<{ previous?: RevocationRecord; count: number; version: number }> {
  const key = revocationsKey(sshMount);
  let previous: RevocationRecord | undefined;
  let result;
  try {
    result = await updateKvData<RevocationListData>(client, kvMount, key, (current) => {
      const records = parseRevocationList(current);
      previous = findRevocation(records, record);
      return previous ? undefined : { ...(current ?? {}), revocations: [...records, record] };
    });
  } catch (e) {
    throw kvFailure(e, kvMount, key);
  }
  return { ...(previous ? { previous } : {}), count: result.data?.revocations.length ?? 0, version: result.version };
}

/**
 * Replace the record revoking what `candidate` revokes by `update(record)` (undefined removes it).
 * Resolves with the record found (undefined when none was: nothing written).
 */
export async function changeRevocation(
  client: VaultClient,
  kvMount: string,
  sshMount: string,
  candidate: RevocationCandidate,
  update: (record: RevocationRecord) => RevocationRecord | undefined,
): Promise<RevocationRecord | undefined> {
  const key = revocationsKey(sshMount);
  let found: RevocationRecord | undefined;
  try {
    await updateKvData<RevocationListData>(client, kvMount, key, (current) => {
      const records = parseRevocationList(current);
      found = findRevocation(records, candidate);
      if (!found) return undefined;
      const next = update(found);
      return {
        ...(current ?? {}),
        revocations: records.flatMap((r) => (r === found ? (next ? [next] : []) : [r])),
      };
    });
  } catch (e) {
    throw kvFailure(e, kvMount, key);
  }
  return found;
}
