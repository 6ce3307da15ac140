// The JSON lines Vault's file audit device writes: one `request` entry before a request is handled
// and one `response` entry after, with the caller's auth, the request and the response (or error).
// Sensitive strings are hashed per device unless it logs raw.

import { hashStrings, hmacValue } from './audit-hash.js';

/** The caller as an audit entry shows it. */
export interface AuditAuth {
  readonly clientToken: string;
  readonly accessor: string;
  readonly displayName: string;
  readonly policies: readonly string[];
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
}

/** The answer to a request. */
export interface AuditResponse {
  readonly data?: Record<string, unknown> | null;
  readonly warnings?: readonly string[];
  /** A login's new token. */
  readonly auth?: { readonly clientToken: string; readonly accessor: string; readonly [k: string]: unknown };
  /** The lease of a leased secret (an OTP), logged in clear as Vault does. */
  readonly leaseId?: string;
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
    token_policies: auth.policies,
    metadata: auth.metadata,
    entity_id: '',
    token_type: 'service',
    token_ttl: auth.tokenTtl,
    token_issue_time: auth.tokenIssueTime,
  };
}

function requestBlock(req: AuditRequest, h: ReturnType<typeof protect>) {
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
    data: h.data(req.data),
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
    request: requestBlock(req, h),
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
    request: requestBlock(req, h),
    response: {
      mount_point: req.mountPoint,
      mount_type: req.mountType,
      mount_accessor: req.mountAccessor,
      ...(res.auth
        ? { auth: { client_token: h.token(clientToken), accessor: h.accessor(accessor), ...restAuth } }
        : {}),
      data: h.data(res.data ?? null),
      ...(res.leaseId !== undefined ? { secret: { lease_id: res.leaseId } } : {}),
      ...(res.warnings && res.warnings.length > 0 ? { warnings: res.warnings } : {}),
    },
    error: res.error ?? '',
  });
}
