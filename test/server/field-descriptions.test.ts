// Every field of every path the server routes to carries a one-line description, as a Vault
// `FieldSchema` does (issue 16, point 3): the SSH engine, the system backend (sys/wrapping included),
// the identity backend (issue 18), KV version 2 (issue 20) and the auth backends, walked from their path tables.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FieldSchema } from '../../core/fields.js';
import type { Backend } from '../../server/framework.js';
import { kvBackend } from '../../server/kv/kv-backend.js';
import { sshBackend } from '../../server/ssh/ssh-backend.js';
import { startTestServer, type TestServer } from '../helpers/vault-server.js';

let srv: TestServer;
let backends: Readonly<Record<string, Backend>>;

beforeAll(async () => {
  srv = await startTestServer();
  // The server keeps its system and auth backends private; the path tables are what this test reads.
  const inner = srv.server as unknown as {
    sys: Backend;
    identityBackend: Backend;
    authBackends: Readonly<Record<string, Backend>>;
  };
  backends = { ssh: sshBackend, kv: kvBackend, sys: inner.sys, identity: inner.identityBackend, ...inner.authBackends };
});

afterAll(() => srv?.close());

/** The field names of `schema` without a one-line description. */
const undescribed = (schema: FieldSchema): string[] =>
  Object.entries(schema)
    .filter(([, entry]) => !/^[^\n]*\S[^\n]*$/.test(entry.description))
    .map(([name]) => name);

describe('field descriptions', () => {
  it('the path tables cover the SSH engine, the system and identity backends and the auth methods', () => {
    expect(Object.keys(backends)).toEqual(
      expect.arrayContaining(['identity', 'jwt', 'kv', 'oidc', 'ssh', 'sys', 'token', 'userpass']),
    );
    // The JWT method (issue 18): config, role list, role, login.
    expect(backends.jwt!.paths.map((p) => p.pattern.source)).toEqual([
      '^config\\/?$',
      '^role\\/?$',
      '^role\\/(?<name>\\w(?:[\\w.-]*\\w)?)$',
      '^login\\/?$',
    ]);
    expect(backends.identity!.paths.length).toBeGreaterThan(0);
    expect(backends.sys!.paths.some((p) => p.pattern.source.includes('wrapping'))).toBe(true);
  });

  it('every field of every path has a one-line description', () => {
    const missing: string[] = [];
    for (const [backend, { paths }] of Object.entries(backends)) {
      for (const spec of paths) {
        for (const field of undescribed(spec.fields)) missing.push(`${backend} ${spec.pattern.source}: ${field}`);
      }
    }
    expect(missing).toEqual([]);
  });
});
