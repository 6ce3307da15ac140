// Reading and parsing request bodies as Vault does: JSON, or form data when the content type says
// so and the body does not start with `{` or `[`; at most `max_request_size` bytes, and JSON within
// Vault's shape limits (json-limits.ts), checked chunk by chunk while the body arrives. Large bodies
// are parsed in slices so that other requests keep being answered meanwhile.

import type { IncomingMessage } from 'node:http';
import { StringDecoder } from 'node:string_decoder';
import { RequestError, RequestTooLargeError } from '../../core/errors.js';
import { DEFAULT_REQUEST_LIMITS, JsonLimitScanner, type RequestLimits } from './json-limits.js';
import { parseJsonSliced } from './parse-json-sliced.js';

/** Vault's request size limit. */
export const MAX_REQUEST_BYTES = DEFAULT_REQUEST_LIMITS.maxRequestSize;

/** The client went away before its body arrived whole: nobody to answer, one log line. */
export class ClientAbortedError extends Error {
  override readonly name = 'ClientAbortedError';
}

/** A body as read: its text, and its bytes as they arrived (for audit devices, see ParsedRequest.rawBody). */
export interface ReadBody {
  readonly text: string;
  readonly raw: readonly Buffer[];
  readonly bytes: number;
}

/**
 * Read the whole body as UTF-8 text, refusing more than `maxRequestSize` bytes or JSON past the shape
 * limits. Decoded chunk by chunk: decoding 32 MiB at once would hold the event loop for ~65 ms.
 */
export function readBody(req: IncomingMessage, limits: RequestLimits = DEFAULT_REQUEST_LIMITS): Promise<ReadBody> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > limits.maxRequestSize) {
      req.resume();
      reject(new RequestTooLargeError());
      return;
    }
    const scanner = new JsonLimitScanner(limits);
    const decoder = new StringDecoder('utf8');
    const pieces: string[] = [];
    const raw: Buffer[] = [];
    let size = 0;
    const refuse = (e: Error) => {
      req.removeAllListeners('data');
      req.resume();
      reject(e);
    };
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limits.maxRequestSize) return refuse(new RequestTooLargeError());
      try {
        scanner.feed(chunk);
      } catch (e) {
        return refuse(e as Error);
      }
      pieces.push(decoder.write(chunk));
      raw.push(chunk);
    });
    req.on('end', () => resolve({ text: pieces.join('') + decoder.end(), raw, bytes: size }));
    req.on('error', (e) => {
      if (req.complete) return reject(e);
      // The path only: a query string may carry values that do not belong in a log.
      const path = (req.url ?? '').split('?')[0];
      reject(
        new ClientAbortedError(
          `request aborted by the client: ${req.method} ${path} after ${size} body bytes (${e.message})`,
        ),
      );
    });
  });
}

/** Parse a body into request data (empty body = no data). */
export async function parseBody(text: string, contentType: string | undefined): Promise<Record<string, unknown>> {
  const trimmed = text.trimStart();
  if (trimmed === '') return {};
  if ((contentType ?? '').startsWith('application/x-www-form-urlencoded') && !/^[{[]/.test(trimmed)) {
    const data: Record<string, unknown> = {};
    for (const [k, v] of new URLSearchParams(text)) data[k] = v;
    return data;
  }
  let parsed: unknown;
  try {
    parsed = await parseJsonSliced(text);
  } catch {
    throw new RequestError('error parsing JSON');
  }
  if (parsed === null) return {};
  if (typeof parsed !== 'object' || Array.isArray(parsed)) throw new RequestError('error parsing JSON');
  return parsed as Record<string, unknown>;
}
