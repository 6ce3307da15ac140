// The typed HTTP client every layer uses to talk to a Vault-compatible server (Vault, OpenBao, or
// the embedded server), following Vault's Go client: X-Vault-Token and X-Vault-Request headers,
// writes as PUT, lists as GET ?list=true, a 404 on read/list means "absent", errors formatted as
// `Error making API request. URL: … Code: N. Errors: …`, retries with backoff on connection
// errors and 5xx for idempotent calls only, and response wrapping on request (X-Vault-Wrap-TTL).

import { createRequire } from 'node:module';
import { SshCaError } from '../core/errors.js';
import type { VaultClientOptions } from './env.js';

// Loaded with createRequire so providers that reach this code survive closure serialization.
const load = createRequire(import.meta.url);
const nodeHttp: typeof import('node:http') = load('node:http');
const nodeHttps: typeof import('node:https') = load('node:https');

/** An error answer from the server, or no answer at all. */
export class VaultApiError extends SshCaError {
  override readonly name = 'VaultApiError' as const;
  constructor(
    readonly method: string,
    readonly url: string,
    /** HTTP status; 0 when the server could not be reached. */
    readonly status: number,
    /** The server's `errors` list (empty for a raw or missing body). */
    readonly errors: readonly string[],
    detail: string,
  ) {
    super(`Error making API request.\n\nURL: ${method} ${url}\n${detail}`);
  }
}

/** Cross-realm guard for VaultApiError. */
export const isVaultApiError = (e: unknown): e is VaultApiError =>
  typeof e === 'object' && e !== null && (e as { name?: unknown }).name === 'VaultApiError';

/** A parsed response. */
export interface VaultResponse<T = Record<string, unknown>> {
  readonly status: number;
  /** The envelope's `data` (undefined for 204 and raw bodies). */
  readonly data?: T;
  readonly warnings: readonly string[];
  /** The envelope's `auth` block (logins, token create and renew). */
  readonly auth?: AuthBlock;
  /** The envelope's lease (secrets with a lease, such as OTP credentials); absent when `lease_id` is empty. */
  readonly lease?: { readonly id: string; readonly duration: number; readonly renewable: boolean };
  /** The envelope's `wrap_info`: the answer was wrapped (then `data` and `auth` are absent). */
  readonly wrapInfo?: WrapInfo;
  /** The raw body text. */
  readonly body: string;
}

/** Vault's `wrap_info` block of a wrapped answer. */
export interface WrapInfo {
  /** The single-use wrapping token. */
  readonly token: string;
  readonly accessor: string;
  /** Seconds the wrapping token lives. */
  readonly ttl: number;
  readonly creation_time: string;
  readonly creation_path: string;
  /** The accessor of the token inside, when the wrapped answer created one. */
  readonly wrapped_accessor?: string;
}

/** Vault's `auth` block. */
export interface AuthBlock {
  readonly client_token: string;
  readonly accessor: string;
  readonly policies: readonly string[];
  readonly token_policies: readonly string[];
  readonly metadata: Readonly<Record<string, string>> | null;
  readonly lease_duration: number;
  readonly renewable: boolean;
  readonly [key: string]: unknown;
}

interface RawResponse {
  readonly status: number;
  readonly body: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Options of one call. */
export interface CallOptions {
  readonly body?: unknown;
  readonly query?: Readonly<Record<string, string>>;
  /** Safe to repeat: retried on connection errors and 5xx. */
  readonly idempotent?: boolean;
  /** Send no token (unauthenticated endpoints). */
  readonly anonymous?: boolean;
  /** Error statuses that are answers here (sys/health's 429/472/473/501/503). */
  readonly acceptStatuses?: readonly number[];
  /**
   * Ask for the answer wrapped for this long (`X-Vault-Wrap-TTL`: seconds or a duration such as
   * `"5m"`); the response then carries `wrapInfo` only.
   * @default the client's `wrapTtl` option, else not wrapped
   */
  readonly wrapTtl?: string | number;
  /**
   * Send this token instead of the client's (a wrapping token unwrapping itself).
   * @default the client's token
   */
  readonly token?: string;
}

/** Client for one server. */
export class VaultClient {
  constructor(readonly options: VaultClientOptions) {}

  private send(method: string, url: URL, body: string | undefined, call: CallOptions): Promise<RawResponse> {
    const o = this.options;
    const headers: Record<string, string> = { 'X-Vault-Request': 'true' };
    const token = call.token ?? o.token;
    if (token && call.anonymous !== true) headers['X-Vault-Token'] = token;
    const wrapTtl = call.wrapTtl ?? o.wrapTtl;
    if (wrapTtl !== undefined && wrapTtl !== '') headers['X-Vault-Wrap-TTL'] = String(wrapTtl);
    if (o.namespace) headers['X-Vault-Namespace'] = o.namespace;
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      headers['Content-Length'] = String(Buffer.byteLength(body));
    }
    const https = url.protocol === 'https:';
    return new Promise((resolve, reject) => {
      const req = (https ? nodeHttps : nodeHttp).request(
        url,
        {
          method,
          headers,
          timeout: o.timeoutMs ?? 30_000,
          ...(https ? { ...(o.caCert ? { ca: o.caCert } : {}), rejectUnauthorized: !o.skipVerify } : {}),
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`no answer within ${o.timeoutMs ?? 30_000} ms`)));
      req.on('error', reject);
      req.end(body);
    });
  }

  /** Make one API call to `/v1/<path>`. Throws VaultApiError for statuses ≥ 400 (except a 404 with no errors, which is "absent"). */
  async call<T = Record<string, unknown>>(
    method: string,
    path: string,
    opts: CallOptions = {},
  ): Promise<VaultResponse<T> | undefined> {
    let url: URL;
    try {
      url = new URL(`${this.options.address}/v1/${path.replace(/^\/+/, '')}`);
    } catch {
      // clientOptionsFromEnv checks addresses; this is for options built by hand.
      throw new VaultApiError(
        method,
        this.options.address,
        0,
        [],
        `the address must be an http:// or https:// URL, got ${JSON.stringify(this.options.address)}`,
      );
    }
    for (const [k, v] of Object.entries(opts.query ?? {})) url.searchParams.set(k, v);
    const body = opts.body === undefined ? undefined : JSON.stringify(opts.body);
    const attempts = opts.idempotent ? (this.options.retries ?? 3) + 1 : 1;
    for (let attempt = 1; ; attempt++) {
      let raw: RawResponse;
      try {
        raw = await this.send(method, url, body, opts);
      } catch (e) {
        if (attempt < attempts) {
          await sleep(100 * 2 ** (attempt - 1));
          continue;
        }
        throw new VaultApiError(method, url.href, 0, [], `Connection error: ${(e as Error).message}`);
      }
      if (raw.status >= 500 && !(opts.acceptStatuses ?? []).includes(raw.status) && attempt < attempts) {
        await sleep(100 * 2 ** (attempt - 1));
        continue;
      }
      return this.interpret<T>(method, url.href, raw, opts.acceptStatuses ?? []);
    }
  }

  private interpret<T>(
    method: string,
    url: string,
    raw: RawResponse,
    accept: readonly number[],
  ): VaultResponse<T> | undefined {
    let json:
      | {
          data?: T;
          warnings?: string[] | null;
          errors?: string[];
          auth?: AuthBlock | null;
          lease_id?: string;
          lease_duration?: number;
          renewable?: boolean;
          wrap_info?: WrapInfo | null;
        }
      | undefined;
    try {
      json = raw.body === '' ? undefined : JSON.parse(raw.body);
    } catch {
      json = undefined;
    }
    if (raw.status === 404 && (!json?.errors || json.errors.length === 0)) return undefined;
    if (raw.status >= 400 && !accept.includes(raw.status)) {
      if (json && Array.isArray(json.errors)) {
        const list = json.errors.map((e) => `* ${e}`).join('\n');
        throw new VaultApiError(method, url, raw.status, json.errors, `Code: ${raw.status}. Errors:\n\n${list}`);
      }
      throw new VaultApiError(method, url, raw.status, [], `Code: ${raw.status}. Raw Message:\n\n${raw.body}`);
    }
    return {
      status: raw.status,
      ...(json?.data !== undefined && json.data !== null ? { data: json.data } : {}),
      warnings: json?.warnings ?? [],
      ...(json?.auth ? { auth: json.auth } : {}),
      ...(typeof json?.lease_id === 'string' && json.lease_id !== ''
        ? {
            lease: {
              id: json.lease_id,
              duration: Number(json.lease_duration ?? 0),
              renewable: json.renewable === true,
            },
          }
        : {}),
      ...(json?.wrap_info ? { wrapInfo: json.wrap_info } : {}),
      body: raw.body,
    };
  }

  /** GET (idempotent); undefined when absent. */
  read<T = Record<string, unknown>>(
    path: string,
    query?: Record<string, string>,
  ): Promise<VaultResponse<T> | undefined> {
    return this.call<T>('GET', path, { idempotent: true, ...(query ? { query } : {}) });
  }

  /** PUT a body; `idempotent` for full-replace writes such as roles. */
  write<T = Record<string, unknown>>(
    path: string,
    body: unknown,
    idempotent = false,
  ): Promise<VaultResponse<T> | undefined> {
    return this.call<T>('PUT', path, { body, idempotent });
  }

  /** GET ?list=true → the keys (empty when none). */
  async list(path: string): Promise<string[]> {
    const r = await this.call<{ keys?: string[] }>('GET', path, { idempotent: true, query: { list: 'true' } });
    return r?.data?.keys ?? [];
  }

  /** DELETE (idempotent). */
  async delete(path: string): Promise<void> {
    await this.call('DELETE', path, { idempotent: true });
  }
}
