// From an HTTP request to Vault's logical request: the operation its method (and `?list=true`)
// stands for, the decoded path under /v1/, the parameters (body for writes, query otherwise), the
// token it presents (`X-Vault-Token`, else `Authorization: Bearer`), and the response-wrapping TTL it
// asks for (`X-Vault-Wrap-TTL`).

import type { IncomingMessage } from 'node:http';
import { MethodNotAllowedError, NotFoundError, RequestError } from '../../core/errors.js';
import { parseGoBool } from '../../core/fields.js';
import type { Operation } from '../framework.js';
import { parseWrapTtlHeader, WRAP_TTL_HEADER } from '../wrapping/wrap-ttl.js';
import type { RequestLimits } from './json-limits.js';
import { parseBody, readBody } from './read-body.js';

/** A parsed HTTP request; `operation` undefined means OPTIONS. */
export interface ParsedRequest {
  readonly operation: Operation | undefined;
  readonly path: string;
  readonly data: Record<string, unknown>;
  readonly clientToken: string | undefined;
  readonly remoteAddress: string;
  readonly remotePort: number;
  /** The body's bytes as they arrived: audit devices HMAC an oversized body whole (audit-entry.ts). */
  readonly rawBody: { readonly chunks: readonly Buffer[]; readonly bytes: number };
  /** Seconds from `X-Vault-Wrap-TTL`; undefined when the header is absent (0 = asked, but not wrapped). */
  readonly wrapTtl?: number;
}

function presentedToken(req: IncomingMessage): string | undefined {
  const header = req.headers['x-vault-token'];
  if (typeof header === 'string' && header !== '') return header;
  const auth = req.headers.authorization;
  if (typeof auth === 'string' && auth.startsWith('Bearer ')) return auth.slice('Bearer '.length);
  return undefined;
}

function operationOf(method: string | undefined, query: Record<string, string>): Operation | undefined {
  switch (method) {
    case 'GET':
    case 'HEAD': {
      const list = query.list === undefined ? false : parseGoBool(query.list);
      if (list === undefined) throw new RequestError('');
      return list ? 'list' : 'read';
    }
    case 'LIST':
      return 'list';
    case 'POST':
    case 'PUT':
      return 'update';
    case 'DELETE':
      return 'delete';
    case 'PATCH':
      return 'patch';
    case 'OPTIONS':
      return undefined;
    default:
      throw new MethodNotAllowedError();
  }
}

/** Read and parse a request (the body is read whole, within `limits`: by default Vault's). */
export async function parseRequest(req: IncomingMessage, limits?: RequestLimits): Promise<ParsedRequest> {
  let url: URL;
  try {
    url = new URL(req.url ?? '/', 'http://localhost');
  } catch {
    // e.g. `//[` or `http://[::1/`: Node's parser lets request targets through that no URL holds.
    throw new RequestError('malformed HTTP request');
  }
  const body = await readBody(req, limits);
  if (!url.pathname.startsWith('/v1/')) throw new NotFoundError('');
  let path: string;
  try {
    path = decodeURIComponent(url.pathname.slice('/v1/'.length));
  } catch {
    throw new RequestError('invalid URL path encoding');
  }
  const query = Object.fromEntries(url.searchParams);
  const operation = operationOf(req.method, query);
  delete query.list;
  if (operation === 'list' && !path.endsWith('/')) path = `${path}/`;
  const data =
    operation === 'update' || operation === 'patch' ? await parseBody(body.text, req.headers['content-type']) : query;
  if (operation === 'update' && path.endsWith('/')) throw new RequestError("cannot write to a path ending in '/'");
  const wrapTtl = parseWrapTtlHeader(req.headers[WRAP_TTL_HEADER]);
  return {
    operation,
    path,
    data,
    clientToken: presentedToken(req),
    remoteAddress: req.socket.remoteAddress ?? '',
    remotePort: req.socket.remotePort ?? 0,
    rawBody: { chunks: body.raw, bytes: body.bytes },
    ...(wrapTtl !== undefined ? { wrapTtl } : {}),
  };
}
