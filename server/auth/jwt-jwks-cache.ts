// The remote key set of a JWT auth mount's `jwks_url`, after go-oidc's RemoteKeySet (which Vault's
// jwt plugin uses through hashicorp/cap): keys are fetched on first use and cached; a token whose
// `kid` is not in the cache triggers one refetch (the OIDC key-rotation rule), and parallel
// refetches share one request. Unlike go-oidc, a token naming a cached `kid` whose signature fails
// does not refetch, so forged tokens cannot make the server hammer the JWKS endpoint. Fetches are
// bounded: a deadline, a response size limit, no redirects, TLS verified against `jwks_ca_pem` when
// set (else the system roots). Error texts follow go-oidc's.

import { STATUS_CODES, request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

/** A JSON Web Key as a JWKS document lists it. */
export type Jwk = Readonly<Record<string, unknown>>;

/** Bounds of one JWKS fetch. */
export interface JwksFetchLimits {
  /** Milliseconds for the whole fetch (connect, headers, body). */
  readonly timeoutMs: number;
  /** Largest accepted response body, in bytes. */
  readonly maxBytes: number;
}

/** 10 seconds, 1 MiB: a JWKS document is a few kilobytes. */
export const DEFAULT_JWKS_LIMITS: JwksFetchLimits = { timeoutMs: 10_000, maxBytes: 1024 * 1024 };

/** Where a key set comes from. */
export interface JwksSource {
  readonly url: string;
  /** PEM CA certificates for an https URL; empty = the system roots. */
  readonly caPem: string;
}

/** Go's net/http error text for a failed connection (`dial tcp host:port: connect: connection refused`). */
function describeNetError(url: URL, e: NodeJS.ErrnoException & { address?: string; port?: number }): string {
  const where = `${url.hostname.replace(/^\[|\]$/g, '')}:${url.port || (url.protocol === 'https:' ? '443' : '80')}`;
  if (e.code === 'ECONNREFUSED') return `dial tcp ${where}: connect: connection refused`;
  if (e.code === 'ENOTFOUND') return `dial tcp: lookup ${url.hostname}: no such host`;
  return e.message;
}

/** The first bytes of a body, for an error message (go-oidc quotes the whole body). */
const excerpt = (body: Buffer): string => {
  const text = body.subarray(0, 512).toString('utf8');
  return body.length > 512 ? `${text}…` : text;
};

/**
 * GET a JWKS document and return its keys. Throws go-oidc's errors: `oidc: get keys failed <cause>`,
 * `oidc: get keys failed: <status> <body>`, `oidc: failed to decode keys: <cause> <body>`.
 */
export function fetchJwks(source: JwksSource, limits: JwksFetchLimits = DEFAULT_JWKS_LIMITS): Promise<Jwk[]> {
  let url: URL;
  try {
    url = new URL(source.url);
  } catch {
    return Promise.reject(new Error(`oidc: get keys failed parse ${JSON.stringify(source.url)}: invalid URL`));
  }
  const get = `Get ${JSON.stringify(source.url)}`;
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    const scheme = url.protocol.replace(/:$/, '');
    return Promise.reject(
      new Error(`oidc: get keys failed ${get}: unsupported protocol scheme ${JSON.stringify(scheme)}`),
    );
  }
  const options = {
    method: 'GET',
    headers: { accept: 'application/json' },
    // One connection per fetch: nothing lingers in a pool after the key set is cached.
    agent: false as const,
    ...(url.protocol === 'https:' && source.caPem !== '' ? { ca: source.caPem } : {}),
  };
  return new Promise<Jwk[]>((resolve, reject) => {
    let settled = false;
    const fail = (message: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      req.destroy();
      reject(new Error(message));
    };
    const req = (url.protocol === 'https:' ? httpsRequest : httpRequest)(url, options, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > limits.maxBytes) {
          fail(`oidc: get keys failed ${get}: response body larger than ${limits.maxBytes} bytes`);
          return;
        }
        chunks.push(chunk);
      });
      res.on('error', (e) => fail(`unable to read response body: ${e.message}`));
      res.on('end', () => {
        if (settled) return;
        const body = Buffer.concat(chunks);
        const status = res.statusCode ?? 0;
        if (status !== 200) {
          fail(`oidc: get keys failed: ${status} ${STATUS_CODES[status] ?? ''} ${excerpt(body)}`);
          return;
        }
        let doc: unknown;
        try {
          doc = JSON.parse(body.toString('utf8'));
        } catch (e) {
          fail(`oidc: failed to decode keys: ${(e as Error).message} ${excerpt(body)}`);
          return;
        }
        const keys = (doc as { keys?: unknown } | null)?.keys;
        if (
          typeof doc !== 'object' ||
          doc === null ||
          Array.isArray(doc) ||
          (keys !== undefined && !Array.isArray(keys))
        ) {
          fail(`oidc: failed to decode keys: not a JSON Web Key Set ${excerpt(body)}`);
          return;
        }
        settled = true;
        clearTimeout(deadline);
        resolve(
          ((keys ?? []) as unknown[]).filter((k): k is Jwk => typeof k === 'object' && k !== null && !Array.isArray(k)),
        );
      });
    });
    const deadline = setTimeout(
      () =>
        fail(
          `oidc: get keys failed ${get}: context deadline exceeded (Client.Timeout exceeded while awaiting headers)`,
        ),
      limits.timeoutMs,
    );
    req.on('error', (e) => fail(`oidc: get keys failed ${get}: ${describeNetError(url, e)}`));
    req.end();
  });
}

/** A cached remote key set with go-oidc's refresh rule (see the file header). */
export class RemoteKeySet {
  private cached: readonly Jwk[] = [];
  private inflight: Promise<readonly Jwk[]> | undefined;

  constructor(
    readonly source: JwksSource,
    private readonly fetcher: (source: JwksSource) => Promise<Jwk[]> = fetchJwks,
  ) {}

  /** The cached keys a token with `kid` may be signed with (every key when the token names none). */
  cachedCandidates(kid: string | undefined): readonly Jwk[] {
    return candidates(this.cached, kid);
  }

  /** True when the cache holds a key named `kid`. */
  knows(kid: string): boolean {
    return this.cached.some((k) => k.kid === kid);
  }

  /** Fetch the keys again (one request however many callers wait) and return the candidates for `kid`. */
  async refresh(kid: string | undefined): Promise<readonly Jwk[]> {
    if (!this.inflight) {
      this.inflight = this.fetcher(this.source).then(
        (keys) => {
          this.cached = keys;
          this.inflight = undefined;
          return keys;
        },
        (e: unknown) => {
          this.inflight = undefined;
          throw e;
        },
      );
    }
    return candidates(await this.inflight, kid);
  }
}

const candidates = (keys: readonly Jwk[], kid: string | undefined): readonly Jwk[] =>
  kid === undefined || kid === '' ? keys : keys.filter((k) => k.kid === kid);

/** What a mount's config says to verify with: a JWKS URL or PEM public keys. */
export interface KeySourceConfig {
  readonly jwks_url: string;
  readonly jwks_ca_pem: string;
  readonly jwt_validation_pubkeys: readonly string[];
}

/**
 * The key sets of every JWT mount of one server, by mount UUID (Vault's cached validator): kept
 * until the mount's config is written again, so the JWKS cache survives between logins.
 */
export class MountKeySets {
  private readonly byMount = new Map<string, { readonly fingerprint: string; readonly keySet: RemoteKeySet }>();

  constructor(private readonly fetcher: (source: JwksSource) => Promise<Jwk[]> = fetchJwks) {}

  /** The remote key set of a mount whose config names `jwks_url`. */
  remote(mountUuid: string, config: KeySourceConfig): RemoteKeySet {
    const fingerprint = JSON.stringify([config.jwks_url, config.jwks_ca_pem]);
    const known = this.byMount.get(mountUuid);
    if (known && known.fingerprint === fingerprint) return known.keySet;
    const keySet = new RemoteKeySet({ url: config.jwks_url, caPem: config.jwks_ca_pem }, this.fetcher);
    this.byMount.set(mountUuid, { fingerprint, keySet });
    return keySet;
  }

  /** Forget a mount's keys (its config was written, or the mount is gone). */
  reset(mountUuid: string): void {
    this.byMount.delete(mountUuid);
  }
}
