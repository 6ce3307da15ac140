// Reading and parsing request bodies as Vault does: JSON, or form data when the content type says
// so and the body does not start with `{` or `[`; at most 32 MiB.

import type { IncomingMessage } from 'node:http';
import { RequestError, RequestTooLargeError } from '../../core/errors.js';

/** Vault's request size limit. */
export const MAX_REQUEST_BYTES = 32 * 1024 * 1024;

/** Read the whole body, refusing more than MAX_REQUEST_BYTES. */
export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > MAX_REQUEST_BYTES) {
      req.resume();
      reject(new RequestTooLargeError());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_REQUEST_BYTES) {
        req.removeAllListeners('data');
        req.resume();
        reject(new RequestTooLargeError());
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Parse a body into request data (empty body = no data). */
export function parseBody(body: Buffer, contentType: string | undefined): Record<string, unknown> {
  const text = body.toString('utf8');
  const trimmed = text.trimStart();
  if (trimmed === '') return {};
  if ((contentType ?? '').startsWith('application/x-www-form-urlencoded') && !/^[{[]/.test(trimmed)) {
    const data: Record<string, unknown> = {};
    for (const [k, v] of new URLSearchParams(text)) data[k] = v;
    return data;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new RequestError('error parsing JSON');
  }
  if (parsed === null) return {};
  if (typeof parsed !== 'object' || Array.isArray(parsed)) throw new RequestError('error parsing JSON');
  return parsed as Record<string, unknown>;
}
