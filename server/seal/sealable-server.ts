// The sealable front of a durable server: it owns the listener and answers as a sealed Vault until
// the barrier opens. While sealed or uninitialised only `sys/init`, `sys/unseal`, `sys/seal-status`
// and `sys/health` answer (Vault's bodies and codes); everything else is 503 "Vault is sealed". On
// unseal it opens a `VaultServer` over the barrier storage and hands it every other request;
// `sys/seal` (authenticated, sudo) stops that server and forgets the keys. `sys/rotate` and
// `sys/key-status` manage the barrier's key terms.

import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { MethodNotAllowedError, RequestError, SealedError } from '../../core/errors.js';
import { decodeKey, Seal, type InitOptions } from '../barrier/seal.js';
import { dispatch, type Backend, type LogicalResponse, type PathSpec } from '../framework.js';
import { HttpListener, type TlsOptions } from '../http/http-listener.js';
import { DEFAULT_REQUEST_LIMITS, type RequestLimits } from '../http/json-limits.js';
import { parseRequest } from '../http/parse-request.js';
import { writeError, writeResult } from '../http/respond.js';
import { getJson, type Storage } from '../storage/storage.js';
import { healthPath } from '../sys/path-health.js';
import { SYS_MOUNT } from '../sys/mount-table.js';
import { VaultServer, type VaultServerOptions } from '../vault-server.js';

/** Options for `SealableServer.open`: those of `VaultServer.open`, with the physical storage. */
export interface SealableServerOptions extends Omit<VaultServerOptions, 'storage' | 'sysPaths'> {
  /** The storage under the barrier (a data directory's `storage/`). */
  readonly physical: Storage;
  /** Reported as `storage_type` by sys/seal-status. @default "file" */
  readonly storageType?: string;
}

/** Paths the front always answers itself (Vault's HTTP handlers, outside the router and audit). */
const FRONT_PATHS = ['sys/init', 'sys/unseal', 'sys/seal-status'];

/** A Go JSON type name for a decode error message. */
const goType = (v: unknown): string =>
  typeof v === 'number'
    ? `number ${v}`
    : Array.isArray(v)
      ? 'array'
      : v === null
        ? 'null'
        : typeof v === 'object'
          ? 'object'
          : typeof v;

/** An `int` field of a Vault request struct, with Go's decode errors. */
function intField(data: Record<string, unknown>, name: string, struct: string): number {
  const v = data[name];
  if (v === undefined || v === null) return 0;
  if (typeof v !== 'number' || !Number.isInteger(v)) {
    throw new RequestError(`json: cannot unmarshal ${goType(v)} into Go struct field ${struct}.${name} of type int`);
  }
  return v;
}

/** The logical path of a request URL (`/v1/sys/init?x` → `sys/init`), or '' outside `/v1/`. */
function pathOf(url: string | undefined): string {
  try {
    const { pathname } = new URL(url ?? '/', 'http://localhost');
    return pathname.startsWith('/v1/') ? pathname.slice('/v1/'.length).replace(/\/+$/, '') : '';
  } catch {
    return '';
  }
}

/** A durable server behind Vault's seal. */
export class SealableServer {
  private inner: VaultServer | undefined;
  private readonly http = new HttpListener((req, res) => this.handle(req, res));
  private readonly limits: RequestLimits;
  private readonly log: (line: string) => void;
  private readonly clock: () => number;
  /** Init, unseal and seal run one at a time. */
  private queue: Promise<unknown> = Promise.resolve();
  private readonly frontBackend: Backend;

  private constructor(
    private readonly seal: Seal,
    private readonly options: SealableServerOptions,
  ) {
    this.limits = { ...DEFAULT_REQUEST_LIMITS, ...options.limits };
    this.log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
    this.clock = options.clock ?? Date.now;
    this.frontBackend = {
      type: 'system',
      paths: [healthPath(options.version, '', () => ({ initialized: seal.initialized, sealed: true }))],
    };
  }

  /** Read the seal configuration; the server starts sealed (or uninitialised). */
  static async open(options: SealableServerOptions): Promise<SealableServer> {
    return new SealableServer(await Seal.load(options.physical), options);
  }

  /** The unsealed server, or undefined while sealed. */
  get server(): VaultServer | undefined {
    return this.inner;
  }

  get initialized(): boolean {
    return this.seal.initialized;
  }

  get sealed(): boolean {
    return this.inner === undefined;
  }

  /** The seal, for `sshca operator migrate`. */
  get sealState(): Seal {
    return this.seal;
  }

  private serialized<T>(op: () => Promise<T>): Promise<T> {
    const run = this.queue.then(op, op);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Initialise (Vault's `sys/init`): returns the shares and, unless `createRoot` is false, a new root
   * token (the barrier opens for that, then closes again: the server stays sealed, as Vault's).
   */
  initialize(
    shares: number,
    threshold: number,
    options: InitOptions & { readonly createRoot?: boolean } = {},
  ): Promise<{ keys: Buffer[]; rootToken: string | undefined }> {
    return this.serialized(async () => {
      const { shares: keys, unsealKey } = await this.seal.initialize(shares, threshold, this.clock(), options);
      let rootToken: string | undefined;
      if (options.createRoot !== false) {
        const barrier = await this.seal.openWith(unsealKey);
        try {
          const server = await VaultServer.open({ ...this.options, storage: barrier });
          try {
            rootToken = await server.tokens.createRoot();
          } finally {
            server.expiration.stop();
            await server.tokens.stop();
          }
        } finally {
          this.seal.seal();
        }
      } else {
        unsealKey.fill(0);
      }
      return { keys, rootToken };
    });
  }

  /** Submit one unseal share (Vault's `sys/unseal`); at the threshold the server opens. */
  submitShare(key: Buffer): Promise<void> {
    return this.serialized(async () => {
      await this.seal.submit(key);
      if (!this.seal.sealed && !this.inner) await this.start();
    });
  }

  /** Unseal with every share at once (auto-unseal); fails when they do not open the barrier. */
  async unsealWith(shares: readonly Buffer[]): Promise<void> {
    this.seal.resetProgress();
    for (const share of shares) {
      if (!this.sealed) break;
      await this.submitShare(share);
    }
    if (this.sealed) {
      this.seal.resetProgress();
      throw new RequestError(
        `${shares.length} unseal key share${shares.length === 1 ? '' : 's'} given, ${this.seal.configuration?.secret_threshold ?? 0} needed`,
      );
    }
  }

  /** Reset the unseal progress (Vault's `reset`). */
  resetProgress(): void {
    if (!this.sealed) throw new RequestError('vault is unsealed');
    this.seal.resetProgress();
  }

  private async start(): Promise<void> {
    try {
      this.inner = await VaultServer.open({ ...this.options, storage: this.seal.barrier!, sysPaths: this.sealPaths() });
    } catch (e) {
      this.seal.seal();
      throw e;
    }
  }

  /** Seal now: new requests answer 503; the server's timers stop and the keys are forgotten. */
  sealNow(): void {
    const inner = this.inner;
    this.inner = undefined;
    inner?.expiration.stop();
    // Sets the token store's stop flag at once; its background pass, if any, ends on its own.
    void inner?.tokens.stop();
    this.seal.seal();
  }

  /** Vault's `sys/seal-status` body. */
  async status(): Promise<Record<string, unknown>> {
    const p = this.seal.progress();
    const clusterId =
      this.inner && this.seal.barrier ? await getJson<string>(this.seal.barrier, 'core/cluster-id') : undefined;
    return {
      type: 'shamir',
      initialized: p.initialized,
      sealed: this.sealed,
      t: p.t,
      n: p.n,
      progress: p.progress,
      nonce: p.nonce,
      version: this.options.version,
      build_date: '',
      migration: false,
      ...(clusterId ? { cluster_name: 'sshca-embedded', cluster_id: clusterId } : {}),
      recovery_seal: false,
      storage_type: this.options.storageType ?? 'file',
    };
  }

  /** The authenticated seal paths, served by the unsealed server's `sys/` backend (ACL, sudo, audit). */
  private sealPaths(): PathSpec[] {
    return [
      {
        pattern: /^seal$/,
        fields: {},
        sudo: true,
        operations: {
          update: async () => {
            // At once, before the answer: requests from now on answer 503, and no unseal share can
            // reach a barrier that is still open. This request's 204 needs no storage.
            this.sealNow();
            this.log('sealed by sys/seal');
            return undefined;
          },
        },
      },
      {
        pattern: /^rotate$/,
        fields: {},
        sudo: true,
        operations: {
          update: async () => {
            await this.seal.rotate(this.clock());
            return undefined;
          },
        },
      },
      {
        pattern: /^key-status$/,
        fields: {},
        sudo: true,
        operations: {
          read: async (): Promise<LogicalResponse> => ({ data: { ...this.seal.barrier!.keyStatus() } }),
        },
      },
    ];
  }

  /** Answer one HTTP request. */
  readonly handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const head = req.method === 'HEAD';
    try {
      const path = pathOf(req.url);
      const inner = this.inner;
      if (FRONT_PATHS.includes(path) || (!inner && path === 'sys/health')) {
        await this.answer(path, req, res, head);
        return;
      }
      if (inner) return await inner.handle(req, res);
      throw new SealedError();
    } catch (e) {
      writeError(res, e, head, this.log);
    }
  };

  private async answer(path: string, req: IncomingMessage, res: ServerResponse, head: boolean): Promise<void> {
    const method = req.method ?? 'GET';
    const parsed = await parseRequest(req, this.limits);
    const ctx = { requestId: randomUUID(), path, mountType: 'system', emptyIs404: false, isList: false, head };
    const bare = (data: Record<string, unknown>, status = 200): LogicalResponse => ({ status, bare: true, data });
    if (path === 'sys/health') {
      if (parsed.operation === undefined) throw new MethodNotAllowedError();
      const result = await dispatch(this.frontBackend, {
        operation: parsed.operation,
        path: 'health',
        data: parsed.data,
        storage: this.options.physical,
        mount: SYS_MOUNT,
        token: undefined,
        clientToken: undefined,
        sudo: false,
        now: Math.floor(this.clock() / 1000),
        remoteAddress: parsed.remoteAddress,
      });
      return writeResult(res, ctx, result);
    }
    if (path === 'sys/seal-status') {
      if (method !== 'GET' && method !== 'HEAD') throw new MethodNotAllowedError();
      return writeResult(res, ctx, bare(await this.status()));
    }
    if (path === 'sys/init') {
      if (method === 'GET' || method === 'HEAD') return writeResult(res, ctx, bare({ initialized: this.initialized }));
      if (method !== 'PUT' && method !== 'POST') throw new MethodNotAllowedError();
      const data = parsed.data;
      for (const name of ['pgp_keys', 'root_token_pgp_key', 'stored_shares']) {
        const v = data[name];
        if (v !== undefined && v !== null && v !== '' && v !== 0 && !(Array.isArray(v) && v.length === 0)) {
          throw new RequestError(`${name} is not supported by this server: leave it out`);
        }
      }
      if (
        ['recovery_shares', 'recovery_threshold', 'recovery_pgp_keys'].some(
          (n) => data[n] !== undefined && data[n] !== 0,
        )
      ) {
        throw new RequestError('parameters specific to auto unseal seals present');
      }
      const shares = intField(data, 'secret_shares', 'InitRequest');
      const threshold = intField(data, 'secret_threshold', 'InitRequest');
      const { keys, rootToken } = await this.initialize(shares, threshold);
      return writeResult(
        res,
        ctx,
        bare({
          keys: keys.map((k) => k.toString('hex')),
          keys_base64: keys.map((k) => k.toString('base64')),
          root_token: rootToken,
        }),
      );
    }
    // sys/unseal
    if (method !== 'PUT' && method !== 'POST') throw new MethodNotAllowedError();
    // Go decodes Vault's UnsealRequest fields case-insensitively.
    const field = (name: string) => Object.entries(parsed.data).find(([k]) => k.toLowerCase() === name)?.[1];
    const reset = field('reset');
    const key = field('key');
    if (reset !== undefined && typeof reset !== 'boolean') {
      throw new RequestError(
        `json: cannot unmarshal ${goType(reset)} into Go struct field UnsealRequest.Reset of type bool`,
      );
    }
    if (key !== undefined && key !== null && typeof key !== 'string') {
      throw new RequestError(
        `json: cannot unmarshal ${goType(key)} into Go struct field UnsealRequest.Key of type string`,
      );
    }
    if (reset === true) {
      this.resetProgress();
      return writeResult(res, ctx, bare(await this.status()));
    }
    if (!key) throw new RequestError("'key' must be specified in request body as JSON, or 'reset' set to true");
    const decoded = decodeKey(key);
    if (!decoded) throw new RequestError("'key' must be a valid hex or base64 string");
    await this.submitShare(decoded);
    return writeResult(res, ctx, bare(await this.status()));
  }

  /** Serve on `host:port` (port 0 = any free port); resolves with the address once listening. */
  listen(host: string, port: number, tls?: TlsOptions): Promise<{ server: Server; url: string }> {
    return this.http.listen(host, port, tls);
  }

  /** Seal, close the listener and every open connection. */
  async close(server: Server): Promise<void> {
    // The token store's background pass ends before the keys go, so it never reads a sealed barrier.
    await this.inner?.tokens.stop();
    this.sealNow();
    await this.http.close(server);
  }
}
