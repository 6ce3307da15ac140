// The HTTP(S) listener of the embedded server: Node's server plus what Vault's clients need from it
// (the LIST verb, which Node's parser refuses, answered once per connection; clear 400/405 answers
// for requests Node cannot parse), and a close that ends every open connection. Shared by
// `VaultServer` and the sealable front (server/seal/sealable-server.ts).

import { createServer as createHttpServer, IncomingMessage, ServerResponse, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { parseListRequest } from './list-verb.js';

/** TLS material for `listen`. */
export interface TlsOptions {
  readonly cert: string;
  readonly key: string;
}

/** Serves one request handler on listeners it opens. */
export class HttpListener {
  private readonly sockets = new Set<Socket>();

  constructor(private readonly handle: (req: IncomingMessage, res: ServerResponse) => Promise<void>) {}

  /** Answer a LIST request that Node's parser refused, on its socket, then close the connection. */
  private answerList(
    list: { url: string; headers: Readonly<Record<string, string>>; body: Buffer },
    socket: Socket,
  ): void {
    const req = new IncomingMessage(socket);
    req.method = 'LIST';
    req.url = list.url;
    req.headers = { ...list.headers };
    req.httpVersion = '1.1';
    req.httpVersionMajor = 1;
    req.httpVersionMinor = 1;
    // Node's parser marks a request complete; without it, reading to the end destroys the socket.
    req.complete = true;
    req.push(list.body);
    req.push(null);
    const res = new ServerResponse(req);
    res.shouldKeepAlive = false;
    res.assignSocket(socket);
    res.on('finish', () => {
      res.detachSocket(socket);
      socket.end();
    });
    void this.handle(req, res);
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
    // Node's HTTP parser rejects methods it does not know, such as Vault's LIST verb. A LIST that
    // arrived whole is answered (once: the connection then closes); anything else is refused clearly.
    const answeredList = new WeakSet<Socket>();
    server.on('clientError', (err: NodeJS.ErrnoException & { rawPacket?: Buffer }, socket: Socket) => {
      if (answeredList.has(socket)) return;
      if (!socket.writable) return socket.destroy();
      const list = err.code === 'HPE_INVALID_METHOD' && err.rawPacket ? parseListRequest(err.rawPacket) : undefined;
      if (list) {
        answeredList.add(socket);
        this.answerList(list, socket);
        return;
      }
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
