// An embedded Vault-compatible server for tests: in-process, real HTTP on 127.0.0.1 port 0, a known
// root token, closed by the test.

import type { Server } from 'node:http';
import { MemoryStorage } from '../../server/storage/memory-storage.js';
import type { Storage } from '../../server/storage/storage.js';
import { VaultServer } from '../../server/vault-server.js';

/** The root token of test servers. */
export const TEST_ROOT_TOKEN = 'root-test-token';

/** A running test server. */
export interface TestServer {
  readonly url: string;
  readonly token: string;
  readonly server: VaultServer;
  /** Send a request with the root token (unless `token` is given; `null` sends none). */
  request(
    method: string,
    path: string,
    body?: unknown,
    token?: string | null,
  ): Promise<{ status: number; body: string; json: any; headers: Headers }>;
  close(): Promise<void>;
}

/** How to start a test server. */
export interface TestServerOptions {
  /** @default a new MemoryStorage */
  readonly storage?: Storage;
  /** The server's clock in milliseconds. @default Date.now */
  readonly clock?: () => number;
  /** Receives the server's operational log lines. @default dropped */
  readonly log?: (line: string) => void;
  /** Vault 1.12's dynamic keys (`sshca serve --legacy-dynamic-keys`). @default false */
  readonly legacyDynamicKeys?: boolean;
  /** The first gap between retries of a failed revocation at expiry. @default 10 s (Vault's) */
  readonly revokeRetryBaseMs?: number;
}

/** Start a server (in memory unless a storage is given). */
export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const server = await VaultServer.open({
    storage: options.storage ?? new MemoryStorage(),
    version: '0.0.0-test',
    log: options.log ?? (() => {}),
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.legacyDynamicKeys ? { legacyDynamicKeys: true } : {}),
    ...(options.revokeRetryBaseMs !== undefined ? { revokeRetryBaseMs: options.revokeRetryBaseMs } : {}),
  });
  if (!(await server.tokens.initialized())) await server.tokens.createRoot(TEST_ROOT_TOKEN);
  const { server: listener, url } = await server.listen('127.0.0.1', 0);
  return {
    url,
    token: TEST_ROOT_TOKEN,
    server,
    async request(method, path, body, token = TEST_ROOT_TOKEN) {
      const res = await fetch(`${url}${path}`, {
        method,
        headers: token === null ? {} : { 'X-Vault-Token': token },
        ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
      });
      const text = await res.text();
      let json: unknown;
      try {
        json = text === '' ? undefined : JSON.parse(text);
      } catch {
        json = undefined;
      }
      return { status: res.status, body: text, json, headers: res.headers };
    },
    close: () => server.close(listener),
  };
}

/**
 * Mount an SSH engine at `mount`, generate its CA inside the server and write `roles` (name → body as
 * Vault takes it); returns the CA public key line. Every step must succeed.
 */
export async function mountSshCa(
  server: TestServer,
  mount: string,
  roles: Readonly<Record<string, Record<string, unknown>>>,
): Promise<string> {
  const ok = async (path: string, body: unknown) => {
    const r = await server.request('POST', path, body);
    if (r.status >= 300) throw new Error(`POST ${path} answered ${r.status}: ${r.body}`);
  };
  await ok(`/v1/sys/mounts/${mount}`, { type: 'ssh' });
  await ok(`/v1/${mount}/config/ca`, { generate_signing_key: true });
  for (const [name, body] of Object.entries(roles)) await ok(`/v1/${mount}/roles/${name}`, body);
  return (await server.request('GET', `/v1/${mount}/public_key`, undefined, null)).body.trim();
}
