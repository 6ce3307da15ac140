// The JWKS fetch and cache of the JWT method (server/auth/jwt-jwks-cache.ts): a fetch is bounded (size,
// deadline, no redirects, http/https only) with go-oidc's error texts, and the remote key set shares one
// request between parallel refreshes and keeps its keys when a refresh fails.

import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { fetchJwks, RemoteKeySet, type Jwk, type JwksSource } from '../../../server/auth/jwt-jwks-cache.js';

let servers: Server[] = [];

afterEach(async () => {
  for (const s of servers) {
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }
  servers = [];
});

/** A loopback HTTP server answering with `handler`; returns its base URL. */
async function serve(handler: RequestListener): Promise<string> {
  const s = createServer(handler);
  servers.push(s);
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
}

/** A handler, typed for the table. */
const h = (f: RequestListener): RequestListener => f;
const source = (url: string): JwksSource => ({ url, caPem: '' });
const limits = { timeoutMs: 300, maxBytes: 1024 };

describe('fetchJwks', () => {
  it('returns the keys of a JWKS document', async () => {
    const base = await serve((_, res) => res.end(JSON.stringify({ keys: [{ kty: 'EC', kid: 'a' }, 'junk'] })));
    expect(await fetchJwks(source(`${base}/jwks`), limits)).toEqual([{ kty: 'EC', kid: 'a' }]);
  });

  it.each([
    [
      'a 404',
      h((_, res) => res.writeHead(404).end('no such thing')),
      'oidc: get keys failed: 404 Not Found no such thing',
    ],
    [
      'a redirect (not followed)',
      h((_, res) => res.writeHead(302, { location: '/elsewhere' }).end()),
      'oidc: get keys failed: 302 Found ',
    ],
    ['not JSON', h((_, res) => res.end('<html>')), 'oidc: failed to decode keys: '],
    [
      'not a key set',
      h((_, res) => res.end('{"keys": 5}')),
      'oidc: failed to decode keys: not a JSON Web Key Set {"keys": 5}',
    ],
  ])('refuses %s', async (_, handler, message) => {
    const base = await serve(handler);
    await expect(fetchJwks(source(`${base}/jwks`), limits)).rejects.toThrow(message);
  });

  it('stops reading a body larger than the limit', async () => {
    const base = await serve((_, res) => res.end(JSON.stringify({ keys: [{ kty: 'x'.repeat(4096) }] })));
    await expect(fetchJwks(source(`${base}/jwks`), limits)).rejects.toThrow(
      `oidc: get keys failed Get "${base}/jwks": response body larger than 1024 bytes`,
    );
  });

  it('gives up on an endpoint that never answers', async () => {
    const base = await serve(() => {});
    await expect(fetchJwks(source(`${base}/jwks`), limits)).rejects.toThrow(
      `oidc: get keys failed Get "${base}/jwks": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`,
    );
  });

  it('takes http and https URLs only', async () => {
    await expect(fetchJwks(source('file:///etc/passwd'), limits)).rejects.toThrow(
      'oidc: get keys failed Get "file:///etc/passwd": unsupported protocol scheme "file"',
    );
    await expect(fetchJwks(source('not a url'), limits)).rejects.toThrow(
      'oidc: get keys failed parse "not a url": invalid URL',
    );
  });
});

describe('RemoteKeySet', () => {
  it('shares one fetch between parallel refreshes and filters by kid', async () => {
    let calls = 0;
    let release!: (keys: Jwk[]) => void;
    const keySet = new RemoteKeySet(source('http://jwks.invalid/'), () => {
      calls++;
      return new Promise<Jwk[]>((resolve) => (release = resolve));
    });
    const waiting = [keySet.refresh('a'), keySet.refresh('b'), keySet.refresh(undefined)];
    release([{ kid: 'a' }, { kid: 'b' }]);
    expect(await Promise.all(waiting)).toEqual([[{ kid: 'a' }], [{ kid: 'b' }], [{ kid: 'a' }, { kid: 'b' }]]);
    expect(calls).toBe(1);
    expect([keySet.knows('a'), keySet.knows('c')]).toEqual([true, false]);
    expect(keySet.cachedCandidates('b')).toEqual([{ kid: 'b' }]);
  });

  it('keeps its keys when a refresh fails, and tries again next time', async () => {
    let fail = false;
    const keySet = new RemoteKeySet(source('http://jwks.invalid/'), async () => {
      if (fail) throw new Error('down');
      return [{ kid: 'a' }];
    });
    await keySet.refresh('a');
    fail = true;
    await expect(keySet.refresh('z')).rejects.toThrow('down');
    expect(keySet.cachedCandidates('a')).toEqual([{ kid: 'a' }]);
    fail = false;
    expect(await keySet.refresh('a')).toEqual([{ kid: 'a' }]);
  });
});
