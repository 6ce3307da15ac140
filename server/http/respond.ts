// Writing Vault's responses: the success envelope, 204s, raw bodies, wrapped responses (only
// `wrap_info`), and the error envelope with Vault's status codes (ACL and internal errors in
// go-multierror's wrapping, user errors plain).

import type { ServerResponse } from 'node:http';
import { isSshCaError } from '../../core/errors.js';
import { multiError, type LogicalResponse } from '../framework.js';
import type { WrapInfo } from '../wrapping/response-wrapper.js';

/** Paths whose `data` Vault also copies to the top level of the body (legacy compatibility). */
const TOP_LEVEL_COPY =
  /^sys\/(mounts|audit|audit-hash|auth|policy|capabilities(-self|-accessor)?|remount|rotate|key-status|ha-status)(\/|$)/;

function send(res: ServerResponse, status: number, body: string, contentType = 'application/json', head = false): void {
  res.writeHead(status, {
    'Content-Type': contentType,
    'Cache-Control': 'no-store',
    'Content-Length': Buffer.byteLength(body),
  });
  res.end(head ? undefined : body);
}

/** Where and how a request was answered. */
export interface ResultContext {
  readonly requestId: string;
  /** The full logical path, e.g. `sys/mounts/ssh`. */
  readonly path: string;
  readonly mountType: string;
  /** Reads and lists answer "nothing" with 404; writes and deletes with 204. */
  readonly emptyIs404: boolean;
  readonly isList: boolean;
  readonly head: boolean;
}

/** A handler's answer, possibly replaced by its wrapping (then only `wrapInfo` is set). */
export type ServedResult = LogicalResponse & { readonly wrapInfo?: WrapInfo };

/** Whether an answer is "nothing": 404 for reads and lists, 204 otherwise (and never wrapped). */
export function isEmptyResult(result: LogicalResponse | undefined, isList: boolean): boolean {
  const data = result?.data ?? null;
  const warnings = result?.warnings && result.warnings.length > 0 ? result.warnings : null;
  const auth = result?.auth ?? null;
  // A renewed lease answers with its lease fields only, as Vault's (200, `data: null`).
  const lease = result?.lease ?? null;
  const keys = data?.keys;
  return (
    (data === null && warnings === null && auth === null && lease === null) ||
    (isList && (!Array.isArray(keys) || keys.length === 0))
  );
}

/** Vault's success envelope for an answer (what is sent, and what a wrapping token keeps). */
export function envelopeOf(
  ctx: Pick<ResultContext, 'requestId' | 'mountType'>,
  result: LogicalResponse | undefined,
): Record<string, unknown> {
  return {
    request_id: ctx.requestId,
    lease_id: result?.lease?.id ?? '',
    renewable: result?.lease?.renewable ?? false,
    lease_duration: result?.lease?.duration ?? 0,
    data: result?.data ?? null,
    wrap_info: null,
    warnings: result?.warnings && result.warnings.length > 0 ? result.warnings : null,
    auth: result?.auth ?? null,
    mount_type: ctx.mountType,
  };
}

/** Write a handler's answer. */
export function writeResult(res: ServerResponse, ctx: ResultContext, result: ServedResult | undefined): void {
  if (result?.wrapInfo) {
    // As Vault's respondLogical: a wrapped answer carries only wrap_info (no request id, warnings or mount type).
    const wrapped = { ...envelopeOf({ requestId: '', mountType: '' }, undefined), wrap_info: result.wrapInfo };
    return send(res, 200, JSON.stringify(wrapped), 'application/json', ctx.head);
  }
  if (result?.raw) return send(res, result.raw.status, result.raw.body, result.raw.contentType, ctx.head);
  if (result?.bare) return send(res, result.status ?? 200, JSON.stringify(result.data), 'application/json', ctx.head);
  if (isEmptyResult(result, ctx.isList)) {
    if (ctx.emptyIs404) return send(res, 404, '{"errors":[]}', 'application/json', ctx.head);
    res.writeHead(204, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
    res.end();
    return;
  }
  const data = result?.data ?? null;
  const envelope = envelopeOf(ctx, result);
  const body = TOP_LEVEL_COPY.test(ctx.path) && data ? { ...data, ...envelope } : envelope;
  // A handler may answer its envelope with another success status (AppRole's tidy: 202).
  send(res, result?.status ?? 200, JSON.stringify(body), 'application/json', ctx.head);
}

/** Errors Vault reports in go-multierror text (ACL, routing and internal failures); user errors stay plain. */
const WRAPPED = new Set([
  'PermissionDeniedError',
  'UnsupportedPathError',
  'UnsupportedOperationError',
  'InternalError',
]);

/** Write an error in Vault's envelope; unexpected errors become 500s whose detail stays in the log. */
export function writeError(res: ServerResponse, error: unknown, head: boolean, log: (line: string) => void): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if ((error as Error)?.name === 'ClientAbortedError') {
    // Nobody is left to answer; one line, not a stack trace (issue 13).
    log((error as Error).message);
    res.destroy();
    return;
  }
  if (isSshCaError(error)) {
    const message = WRAPPED.has(error.name) ? multiError(error.message) : error.message;
    const errors = error.message === '' ? [] : [message];
    return send(res, error.status, JSON.stringify({ errors }), 'application/json', head);
  }
  log(`internal error: ${(error as Error)?.stack ?? String(error)}`);
  send(res, 500, JSON.stringify({ errors: [multiError('internal error')] }), 'application/json', head);
}
