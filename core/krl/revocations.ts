// The revocations of one SSH mount as they are kept in a KV version 2 secret (Vault, OpenBao or the
// embedded server: `<kv mount>/data/revocations/<ssh mount>`), and the KRL they make. A record
// revokes a certificate serial of one CA, a certificate key ID, or a public key outright. Key-ID
// revocations apply to the CA the record names and to every CA key the mount has when the KRL is
// rendered, so that an identity revoked before a CA rotation stays revoked after it.

import { ValidationError, type Issue } from '../errors.js';
import { parseSshPublicKey } from '../keys/public-key.js';
import type { KrlSpec } from './krl.js';

/** What a record revokes. */
export type RevocationType = 'serial' | 'key_id' | 'public_key';

/** One revocation, in its stored (snake_case) shape. */
export interface RevocationRecord {
  readonly type: RevocationType;
  /** Decimal certificate serial (type `serial`). */
  readonly serial?: string;
  /** Certificate key ID (type `key_id`; informational on a `serial` record made from a certificate). */
  readonly key_id?: string;
  /** `<algorithm> <base64>` of the revoked key (type `public_key`). */
  readonly public_key?: string;
  /** `<algorithm> <base64>` of the CA whose certificates the record revokes ("" for `public_key`). */
  readonly ca_key: string;
  readonly reason: string;
  /** RFC 3339 time the revocation was recorded. */
  readonly revoked_at: string;
  /** Who recorded it (the token's display name). */
  readonly by: string;
}

/** The KV secret's data. */
export interface RevocationListData {
  readonly revocations: readonly RevocationRecord[];
  readonly [key: string]: unknown;
}

/** The KV key of a mount's revocations inside the KV mount: `revocations/<ssh mount>`. */
export const revocationsKey = (sshMount: string): string => `revocations/${sshMount.replace(/^\/+|\/+$/g, '')}`;

const U64_MAX = (1n << 64n) - 1n;
const TYPES: readonly RevocationType[] = ['serial', 'key_id', 'public_key'];

/** Problems of one stored record (`index` names it in messages). */
function recordIssues(r: unknown, index: number): Issue[] {
  const at = `revocations[${index}]`;
  if (typeof r !== 'object' || r === null || Array.isArray(r))
    return [{ field: at, message: `${at} is not an object` }];
  const rec = r as Record<string, unknown>;
  const issues: Issue[] = [];
  const type = rec.type as RevocationType;
  if (!TYPES.includes(type)) {
    return [
      {
        field: `${at}.type`,
        message: `${at}.type must be one of ${TYPES.join(', ')}, got ${JSON.stringify(rec.type)}`,
      },
    ];
  }
  const key = (field: string, value: unknown) => {
    try {
      parseSshPublicKey(String(value ?? ''));
    } catch (e) {
      issues.push({ field: `${at}.${field}`, message: `${at}.${field}: ${(e as Error).message}` });
    }
  };
  if (type === 'serial') {
    const s = rec.serial;
    if (typeof s !== 'string' || !/^\d+$/.test(s) || BigInt(s) < 1n || BigInt(s) > U64_MAX) {
      issues.push({
        field: `${at}.serial`,
        message: `${at}.serial must be a decimal between 1 and 2^64-1, got ${JSON.stringify(s)}`,
      });
    }
  }
  if (type === 'key_id' && (typeof rec.key_id !== 'string' || rec.key_id === '' || rec.key_id.includes('\0'))) {
    issues.push({ field: `${at}.key_id`, message: `${at}.key_id must be a non-empty string without NUL` });
  }
  if (type === 'public_key') key('public_key', rec.public_key);
  else key('ca_key', rec.ca_key);
  return issues;
}

/** The records of a KV secret's data (absent data = none); throws ValidationError naming each bad record. */
export function parseRevocationList(data: unknown): RevocationRecord[] {
  if (data === undefined || data === null) return [];
  const list = (data as { revocations?: unknown }).revocations;
  if (!Array.isArray(list)) {
    throw new ValidationError([{ field: 'revocations', message: 'the revocation list has no "revocations" array' }]);
  }
  const issues = list.flatMap(recordIssues);
  if (issues.length > 0) throw new ValidationError(issues);
  return list as RevocationRecord[];
}

const blobOf = (line: string): Buffer => parseSshPublicKey(line).blob;

/** The record already revoking what `candidate` revokes (same type, value and CA), if any. */
export function findRevocation(
  records: readonly RevocationRecord[],
  candidate: Pick<RevocationRecord, 'type' | 'serial' | 'key_id' | 'public_key' | 'ca_key'>,
): RevocationRecord | undefined {
  const same = (a: string | undefined, b: string | undefined) =>
    a !== undefined && b !== undefined && a !== '' && b !== '' && blobOf(a).equals(blobOf(b));
  return records.find((r) => {
    if (r.type !== candidate.type) return false;
    switch (r.type) {
      case 'serial':
        return r.serial === candidate.serial && same(r.ca_key, candidate.ca_key);
      case 'key_id':
        return r.key_id === candidate.key_id && same(r.ca_key, candidate.ca_key);
      case 'public_key':
        return same(r.public_key, candidate.public_key);
    }
  });
}

/**
 * The KRL of a mount's revocations: one certificates section per CA key in the order records first
 * name them (then the mount's current CA keys), serials under the CA that signed them, key IDs under
 * every CA, revoked public keys as explicit keys.
 */
export function planKrl(
  records: readonly RevocationRecord[],
  options: {
    /** The mount's CA public keys now (`<algorithm> <base64>` lines). */
    readonly caKeys: readonly string[];
    readonly krlVersion: bigint;
    readonly generatedDate: bigint;
    readonly comment?: string;
  },
): KrlSpec {
  const sections: { caKey: Buffer; serials: bigint[]; keyIds: string[] }[] = [];
  const sectionOf = (blob: Buffer) => {
    let s = sections.find((x) => x.caKey.equals(blob));
    if (!s) {
      s = { caKey: blob, serials: [], keyIds: [] };
      sections.push(s);
    }
    return s;
  };
  const current = options.caKeys.map(blobOf);
  const explicitKeys: Buffer[] = [];
  for (const r of records) {
    if (r.type === 'serial') sectionOf(blobOf(r.ca_key)).serials.push(BigInt(r.serial!));
    else if (r.type === 'key_id') for (const ca of [blobOf(r.ca_key), ...current]) sectionOf(ca).keyIds.push(r.key_id!);
    else explicitKeys.push(blobOf(r.public_key!));
  }
  return {
    krlVersion: options.krlVersion,
    generatedDate: options.generatedDate,
    ...(options.comment !== undefined ? { comment: options.comment } : {}),
    certificates: sections,
    explicitKeys,
  };
}
