// Vault's LIST verb over Node's HTTP server. Node 20's parser (llhttp) knows a fixed set of methods
// and rejects LIST before any handler runs, yet Vault clients send it (node-vault's `list`,
// `curl --request LIST` from Vault's docs). The server's `clientError` hook hands the rejected bytes
// here; a LIST request that arrived whole in them is parsed back so that the server can answer it.

/** A LIST request recovered from the bytes Node's parser refused. */
export interface ListRequest {
  readonly url: string;
  /** Lower-cased names; repeated headers joined with `, ` as Node does. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

const REQUEST_LINE = /^LIST (\/\S*) HTTP\/1\.[01]$/;
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * Parse a complete LIST request (request line, headers, and the whole `Content-Length` body, if any)
 * from the start of `raw`; undefined when `raw` holds anything else or only part of a request.
 */
export function parseListRequest(raw: Buffer): ListRequest | undefined {
  const end = raw.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  const [requestLine = '', ...headerLines] = raw.subarray(0, end).toString('latin1').split('\r\n');
  const line = REQUEST_LINE.exec(requestLine);
  if (!line) return undefined;
  const headers: Record<string, string> = {};
  for (const headerLine of headerLines) {
    const colon = headerLine.indexOf(':');
    const name = headerLine.slice(0, colon).toLowerCase();
    if (colon <= 0 || !HEADER_NAME.test(name)) return undefined;
    const value = headerLine.slice(colon + 1).trim();
    headers[name] = name in headers ? `${headers[name]}, ${value}` : value;
  }
  // A chunked body cannot be told apart from what follows it without a real parser: refuse it.
  if (headers['transfer-encoding'] !== undefined) return undefined;
  const declared = headers['content-length'] ?? '0';
  if (!/^\d+$/.test(declared)) return undefined;
  const start = end + 4;
  const length = Number(declared);
  if (raw.length - start < length) return undefined;
  return { url: line[1]!, headers, body: raw.subarray(start, start + length) };
}
