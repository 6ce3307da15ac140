// The JSON lines Vault's file audit device writes: one `request` entry before a request is handled
// and one `response` entry after, with the caller's auth, the request and the response (or error).
// Sensitive strings are hashed per device unless it logs raw. A request body past the audit bounds
// (over 1 MiB, or over 10,000 strings) is logged whole instead, as one HMAC of its bytes and its size:
// hashing it field by field could take seconds and make an audit line of a gigabyte (a 32 MiB body of
// ten million short strings), stalling every request; Vault has no such bound (issue 13).

import { createHmac } from 'node:crypto';
import { hashStrings, hmacValue } from './audit-hash.js';

/** The caller as an audit entry shows it. */
export interface AuditAuth {
  readonly clientToken: string;
  readonly accessor: string;
  readonly displayName: string;
  /** Token and identity policies together. */
  readonly policies: readonly string[];
  /** The token's own policies. @default policies */
  readonly tokenPolicies?: readonly string[];
  /** Its entity's policies (left out of the entry when none). */
  readonly identityPolicies?: readonly string[];
  /** Its identity entity; '' for none. */
  readonly entityId?: string;
  readonly metadata: Readonly<Record<string, string>> | null;
  readonly tokenTtl: number;
  readonly tokenIssueTime: string;
}

/** One request, as the broker sees it. */
export interface AuditRequest {
  readonly id: string;
  readonly operation: string;
  readonly mountType: string;
  readonly mountPoint: string;
  readonly mountAccessor: string;
  readonly path: string;
  readonly data: Readonly<Record<string, unknown>> | null;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly auth: AuditAuth | undefined;
  /** The body's bytes as they arrived, for bodies past the audit bounds. */
  readonly rawBody?: { readonly chunks: readonly Buffer[]; readonly bytes: number };
}

/** Bodies past either bound are audited whole (see the header). */
export const AUDIT_FIELD_BYTES = 1024 * 1024;
export const AUDIT_FIELD_STRINGS = 10_000;

/** Whether `value` holds more than `limit` strings; stops counting once it does. */
function moreStringsThan(value: unknown, limit: number): boolean {
  let count = 0;
  const walk = (v: unknown): boolean => {
    if (typeof v === 'string') return ++count > limit;
    if (Array.isArray(v)) return v.some(walk);
    if (typeof v === 'object' && v !== null) return Object.values(v).some(walk);
    return false;
  };
  return walk(value);
}

const oversized = new WeakMap<AuditRequest, boolean>();
const bodyHmacs = new WeakMap<AuditRequest, Map<string, string>>();

/** Whether the request's body is audited whole; decided once per request. */
function auditedWhole(req: AuditRequest): boolean {
  let whole = oversized.get(req);
  if (whole === undefined) {
    whole =
      req.rawBody !== undefined &&
      // The raw request, as the entry records it (see requestBlock), not the coerced fields.
      (req.rawBody.bytes > AUDIT_FIELD_BYTES || moreStringsThan(req.data, AUDIT_FIELD_STRINGS));
    oversized.set(req, whole);
  }
  return whole;
}

/** `hmac-sha256:<hex>` of the whole body under a device's salt, computed once per request and device. */
function bodyHmac(req: AuditRequest, salt: string): string {
  let bySalt = bodyHmacs.get(req);
  if (!bySalt) bodyHmacs.set(req, (bySalt = new Map()));
  let hash = bySalt.get(salt);
  if (hash === undefined) {
    const hmac = createHmac('sha256', salt);
    for (const chunk of req.rawBody!.chunks) hmac.update(chunk);
    hash = `hmac-sha256:${hmac.digest('hex')}`;
    bySalt.set(salt, hash);
  }
  return hash;
}

/** The answer to a request. */
export interface AuditResponse {
  readonly data?: Record<string, unknown> | null;
  readonly warnings?: readonly string[];
  /** A login's new token. */
  readonly auth?: { readonly clientToken: string; readonly accessor: string; readonly [k: string]: unknown };
  /** The lease of a leased secret (an OTP), logged in clear as Vault does. */
  readonly leaseId?: string;
  /** A wrapped answer's `wrap_info`: its token is hashed like a client token, its accessors like accessors. */
  readonly wrapInfo?: {
    readonly token: string;
    readonly accessor: string;
    readonly ttl: number;
    readonly creation_time: string;
    readonly creation_path: string;
    readonly wrapped_accessor?: string;
  };
  /** The error text, when the request failed. */
  readonly error?: string;
}

/** How a device hashes. */
export interface HashOptions {
  readonly salt: string;
  /** Log sensitive values in clear. */
  readonly logRaw: boolean;
  /** Hash token accessors too. */
  readonly hmacAccessor: boolean;
}

function protect(o: HashOptions) {
  return {
    token: (v: string) => (o.logRaw || v === '' ? v : hmacValue(o.salt, v)),
    accessor: (v: string) => (o.logRaw || !o.hmacAccessor || v === '' ? v : hmacValue(o.salt, v)),
    data: (v: unknown) => (o.logRaw || v === null || v === undefined ? (v ?? null) : hashStrings(o.salt, v)),
  };
}

function authBlock(auth: AuditAuth | undefined, h: ReturnType<typeof protect>) {
  if (!auth) return undefined;
  return {
    client_token: h.token(auth.clientToken),
    accessor: h.accessor(auth.accessor),
    display_name: auth.displayName,
    policies: auth.policies,
    token_policies: auth.tokenPolicies ?? auth.policies,
    ...(auth.identityPolicies && auth.identityPolicies.length > 0 ? { identity_policies: auth.identityPolicies } : {}),
    metadata: auth.metadata,
    entity_id: auth.entityId ?? '',
    token_type: 'service',
    token_ttl: auth.tokenTtl,
    token_issue_time: auth.tokenIssueTime,
  };
}

function requestBlock(req: AuditRequest, h: ReturnType<typeof protect>, o: HashOptions) {
  return {
    id: req.id,
    operation: req.operation,
    mount_point: req.mountPoint,
    mount_type: req.mountType,
    mount_accessor: req.mountAccessor,
    client_token: h.token(req.auth?.clientToken ?? ''),
    client_token_accessor: h.accessor(req.auth?.accessor ?? ''),
    namespace: { id: 'root' },
    path: req.path,
    // The request as received, not coerced: Vault audits `req.Data` before the framework converts it.
    data: auditedWhole(req) ? { body_hmac: bodyHmac(req, o.salt), body_bytes: req.rawBody!.bytes } : h.data(req.data),
    remote_address: req.remoteAddress,
    remote_port: req.remotePort,
  };
}

/** The `request` line (without the trailing newline). */
export function requestLine(time: string, req: AuditRequest, o: HashOptions): string {
  const h = protect(o);
  return JSON.stringify({
    time,
    type: 'request',
    auth: authBlock(req.auth, h),
    request: requestBlock(req, h, o),
    error: '',
  });
}

/** The `response` line (without the trailing newline). */
export function responseLine(time: string, req: AuditRequest, res: AuditResponse, o: HashOptions): string {
  const h = protect(o);
  const { clientToken, accessor, ...restAuth } = res.auth ?? { clientToken: '', accessor: '' };
  return JSON.stringify({
    time,
    type: 'response',
    auth: authBlock(req.auth, h),
    request: requestBlock(req, h, o),
    response: {
      mount_point: req.mountPoint,
      mount_type: req.mountType,
      mount_accessor: req.mountAccessor,
      ...(res.auth
        ? { auth: { client_token: h.token(clientToken), accessor: h.accessor(accessor), ...restAuth } }
        : {}),
      data: h.data(res.data ?? null),
      ...(res.leaseId !== undefined ? { secret: { lease_id: res.leaseId } } : {}),
      ...(res.wrapInfo
        ? {
            wrap_info: {
              ttl: res.wrapInfo.ttl,
              token: h.token(res.wrapInfo.token),
              accessor: h.accessor(res.wrapInfo.accessor),
              creation_time: res.wrapInfo.creation_time,
              creation_path: res.wrapInfo.creation_path,
              ...(res.wrapInfo.wrapped_accessor !== undefined
                ? { wrapped_accessor: h.accessor(res.wrapInfo.wrapped_accessor) }
                : {}),
            },
          }
        : {}),
      ...(res.warnings && res.warnings.length > 0 ? { warnings: res.warnings } : {}),
    },
    error: res.error ?? '',
  });
}
