// The embedded Vault-compatible server: the HTTP front (Vault's URL scheme, methods, tokens,
// envelopes, errors) over the mount table, the token store and the backends. `listen` serves it
// over HTTP or HTTPS; tests use `handle` through a real listener on port 0.

import { randomUUID } from 'node:crypto';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { MethodNotAllowedError, NotFoundError, PermissionDeniedError, RequestError } from '../core/errors.js';
import { dispatch, matchPath, type Backend, type Operation } from './framework.js';
import { parseBody, readBody } from './http/read-body.js';
import { writeError, writeResult } from './http/respond.js';
import { sshBackend } from './ssh/ssh-backend.js';
import { storageView, getJson, putJson, type Storage } from './storage/storage.js';
import { MountTable, mountStoragePrefix } from './sys/mount-table.js';
import { sysBackend } from './sys/sys-backend.js';
import { TokenStore, type TokenEntry } from './token-store.js';

/** Options for `VaultServer.open`. */
export interface VaultServerOptions {
  readonly storage: Storage;
  /** Reported by sys/health. */
  readonly version: string;
  /** Where operational messages go (never secrets). @default stderr */
  readonly log?: (line: string) => void;
}

/** TLS material for `listen`. */
export interface TlsOptions {
  readonly cert: string;
  readonly key: string;
}

const BACKENDS: Readonly<Record<string, Backend>> = { ssh: sshBackend };

function parseBool(s: string): boolean | undefined {
  return (
    {
      '1': true,
      t: true,
      T: true,
      TRUE: true,
      true: true,
      True: true,
      '0': false,
      f: false,
      F: false,
      FALSE: false,
      false: false,
      False: false,
    } as Record<string, boolean>
  )[s];
}

/** The token a request presents: `X-Vault-Token`, else `Authorization: Bearer`. */
function presentedToken(req: IncomingMessage): string | undefined {
  const header = req.headers['x-vault-token'];
  if (typeof header === 'string' && header !== '') return header;
  const auth = req.headers.authorization;
  if (typeof auth === 'string' && auth.startsWith('Bearer ')) return auth.slice('Bearer '.length);
  return undefined;
}

/** A running embedded server. */
export class VaultServer {
  private readonly sockets = new Set<Socket>();
  private constructor(
    private readonly storage: Storage,
    readonly mounts: MountTable,
    readonly tokens: TokenStore,
    private readonly sys: Backend,
    private readonly log: (line: string) => void,
  ) {}

  /** Load state from storage (mount table, cluster id) and return a server ready to handle requests. */
  static async open(options: VaultServerOptions): Promise<VaultServer> {
    const mounts = new MountTable(options.storage);
    await mounts.load();
    let clusterId = await getJson<string>(options.storage, 'core/cluster-id');
    if (!clusterId) {
      clusterId = randomUUID();
      await putJson(options.storage, 'core/cluster-id', clusterId);
    }
    const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
    const sys = sysBackend(mounts, options.storage, options.version, clusterId);
    return new VaultServer(options.storage, mounts, new TokenStore(options.storage), sys, log);
  }

  /** Answer one HTTP request. */
  readonly handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const head = req.method === 'HEAD';
    try {
      await this.route(req, res, head);
    } catch (e) {
      writeError(res, e, head, this.log);
    }
  };

  private async route(req: IncomingMessage, res: ServerResponse, head: boolean): Promise<void> {
    const requestId = randomUUID();
    const url = new URL(req.url ?? '/', 'http://localhost');
    const body = await readBody(req);
    if (!url.pathname.startsWith('/v1/')) throw new NotFoundError('');
    let path: string;
    try {
      path = decodeURIComponent(url.pathname.slice('/v1/'.length));
    } catch {
      throw new RequestError('invalid URL path encoding');
    }
    const query = Object.fromEntries(url.searchParams);
    let operation: Operation;
    switch (req.method) {
      case 'GET':
      case 'HEAD': {
        const list = query.list === undefined ? false : parseBool(query.list);
        if (list === undefined) throw new RequestError('');
        operation = list ? 'list' : 'read';
        break;
      }
      case 'LIST':
        operation = 'list';
        break;
      case 'POST':
      case 'PUT':
        operation = 'update';
        break;
      case 'DELETE':
        operation = 'delete';
        break;
      case 'PATCH':
        operation = 'patch';
        break;
      case 'OPTIONS':
        res.writeHead(204, { Allow: 'GET, LIST, POST, PUT, DELETE, PATCH, HEAD, OPTIONS' });
        res.end();
        return;
      default:
        throw new MethodNotAllowedError();
    }
    delete query.list;
    if (operation === 'list' && !path.endsWith('/')) path = `${path}/`;
    const data = operation === 'update' || operation === 'patch' ? parseBody(body, req.headers['content-type']) : query;
    if (operation === 'update' && path.endsWith('/')) throw new RequestError("cannot write to a path ending in '/'");

    const mount = this.mounts.find(path);
    const inMount = mount ? path.slice(Math.min(mount.path.length, path.length)) : '';
    const backend = mount ? (mount.type === 'system' ? this.sys : BACKENDS[mount.type]) : undefined;
    const spec = backend ? matchPath(backend, inMount)?.spec : undefined;
    const open = spec?.unauthenticated === true && (operation === 'read' || operation === 'list');
    const presented = presentedToken(req);
    let token: TokenEntry | undefined;
    if (presented !== undefined) token = await this.tokens.lookup(presented);
    if (!open && !token) throw new PermissionDeniedError();
    if (!mount || !backend) throw new NotFoundError(`no handler for route "${path}". route entry not found.`);

    const result = await dispatch(backend, {
      operation,
      path: inMount,
      data,
      storage: mount.type === 'system' ? this.storage : storageView(this.storage, mountStoragePrefix(mount)),
      mount,
      token,
    });
    writeResult(
      res,
      {
        requestId,
        path,
        mountType: mount.type,
        emptyIs404: operation === 'read' || operation === 'list',
        isList: operation === 'list',
        head,
      },
      result,
    );
  }

  /** Serve on `host:port` (port 0 = any free port); resolves with the address once listening. */
  listen(host: string, port: number, tls?: TlsOptions): Promise<{ server: Server; url: string }> {
    const server = tls
      ? createHttpsServer({ cert: tls.cert, key: tls.key }, this.handle)
      : createHttpServer(this.handle);
    server.on('connection', (s: Socket) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    // Node's HTTP parser rejects methods it does not know, such as Vault's LIST verb: answer clearly.
    server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
      if (!socket.writable) return socket.destroy();
      const message =
        err.code === 'HPE_INVALID_METHOD'
          ? 'unsupported HTTP method; for LIST use GET with ?list=true'
          : 'malformed HTTP request';
      const body = JSON.stringify({ errors: [message] });
      const status = err.code === 'HPE_INVALID_METHOD' ? '405 Method Not Allowed' : '400 Bad Request';
      socket.end(
        `HTTP/1.1 ${status}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
    });
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        const a = server.address() as AddressInfo;
        const hostPart = a.family === 'IPv6' ? `[${a.address}]` : a.address;
        resolve({ server, url: `${tls ? 'https' : 'http'}://${hostPart}:${a.port}` });
      });
    });
  }

  /** Close the listener and every open connection. */
  async close(server: Server): Promise<void> {
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      for (const s of this.sockets) s.destroy();
    });
  }
}
