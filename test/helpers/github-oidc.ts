// A stand-in for GitHub Actions' OIDC token endpoint (ACTIONS_ID_TOKEN_REQUEST_URL) on loopback: a
// job sends `GET <url>&audience=<aud>` with `Authorization: bearer <ACTIONS_ID_TOKEN_REQUEST_TOKEN>`
// and gets `{"value": "<job token for that audience>"}`, as from GitHub. The test signs the token.

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A running OIDC token endpoint. */
export interface OidcTokenEndpoint {
  /** What the runner puts in ACTIONS_ID_TOKEN_REQUEST_URL: it already holds a query (`?api-version=2.0`). */
  readonly requestUrl: string;
  /** What the runner puts in ACTIONS_ID_TOKEN_REQUEST_TOKEN. */
  readonly requestToken: string;
  /** The audiences asked for so far, one per answered request. */
  readonly audiences: string[];
  close(): Promise<void>;
}

/**
 * Start the endpoint on 127.0.0.1 (port 0). `sign(audience)` makes the job token; a request without
 * the bearer token is answered 401, one without an audience 400, as GitHub does.
 */
export async function startOidcTokenEndpoint(
  requestToken: string,
  sign: (audience: string) => Promise<string>,
): Promise<OidcTokenEndpoint> {
  const audiences: string[] = [];
  const server: Server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      if (req.method !== 'GET' || url.pathname !== '/token') {
        res.writeHead(404).end('not found');
        return;
      }
      if (req.headers.authorization !== `bearer ${requestToken}`) {
        res.writeHead(401, { 'content-type': 'application/json' }).end('{"message":"Unauthorized"}');
        return;
      }
      const audience = url.searchParams.get('audience');
      if (!audience) {
        res.writeHead(400, { 'content-type': 'application/json' }).end('{"message":"audience required"}');
        return;
      }
      audiences.push(audience);
      const value = await sign(audience);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ count: 1, value }));
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    requestUrl: `http://127.0.0.1:${port}/token?api-version=2.0`,
    requestToken,
    audiences,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
