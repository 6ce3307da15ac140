// Every field of every path the server routes to carries a one-line description, as a Vault
// `FieldSchema` does (issue 16, point 3): the SSH engine, the system backend (sys/wrapping included)
// and the auth backends, walked from their path tables.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FieldSchema } from '../../core/fields.js';
import type { Backend } from '../../server/framework.js';
import { sshBackend } from '../../server/ssh/ssh-backend.js';
import { startTestServer, type TestServer } from '../helpers/vault-server.js';

/**
 * Paths whose schemas are not described yet, by backend and pattern: the files that hold them are
 * being converted to `{ type, description }` (with their fields read through the schema) in their own
 * changes. An entry that no longer has an undescribed field fails the test below, so the list only
 * shrinks: delete the entry with the change that describes its fields.
 */
const NOT_YET_DESCRIBED: readonly { backend: string; pattern: string; file: string }[] = [
  { backend: 'sys', pattern: String.raw`^auth\/(?<path>.+?)\/tune\/?$`, file: 'server/sys/paths-auth.ts' },
  { backend: 'sys', pattern: String.raw`^auth\/(?<path>.+)$`, file: 'server/sys/paths-auth.ts' },
  { backend: 'sys', pattern: String.raw`^policy\/(?<name>.+)$`, file: 'server/sys/paths-policies.ts' },
  { backend: 'sys', pattern: String.raw`^audit\/(?<path>.+)$`, file: 'server/sys/paths-audit.ts' },
  { backend: 'sys', pattern: String.raw`^audit-hash\/(?<path>.+)$`, file: 'server/sys/paths-audit.ts' },
];

let srv: TestServer;
let backends: Readonly<Record<string, Backend>>;

beforeAll(async () => {
  srv = await startTestServer();
  // The server keeps its system and auth backends private; the path tables are what this test reads.
  const inner = srv.server as unknown as { sys: Backend; authBackends: Readonly<Record<string, Backend>> };
  backends = { ssh: sshBackend, sys: inner.sys, ...inner.authBackends };
});

afterAll(() => srv?.close());

/** The field names of `schema` without a one-line description. */
const undescribed = (schema: FieldSchema): string[] =>
  Object.entries(schema)
    .filter(([, entry]) => typeof entry === 'string' || !/^[^\n]*\S[^\n]*$/.test(entry.description))
    .map(([name]) => name);

describe('field descriptions', () => {
  it('the path tables cover the SSH engine, the system backend and both auth methods', () => {
    expect(Object.keys(backends).sort()).toEqual(['ssh', 'sys', 'token', 'userpass']);
    expect(backends.sys!.paths.some((p) => p.pattern.source.includes('wrapping'))).toBe(true);
  });

  it('every field of every path has a one-line description (paths listed in NOT_YET_DESCRIBED aside)', () => {
    const missing: string[] = [];
    for (const [backend, { paths }] of Object.entries(backends)) {
      for (const spec of paths) {
        const listed = NOT_YET_DESCRIBED.some((n) => n.backend === backend && n.pattern === spec.pattern.source);
        if (listed) continue;
        for (const field of undescribed(spec.fields)) missing.push(`${backend} ${spec.pattern.source}: ${field}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it.each(NOT_YET_DESCRIBED.map((n) => [n.backend, n.pattern, n.file] as const))(
    'the NOT_YET_DESCRIBED entry %s %s (%s) still names a path with an undescribed field',
    (backend, pattern) => {
      const spec = backends[backend]?.paths.find((p) => p.pattern.source === pattern);
      expect(spec, 'no such path: remove the entry').toBeDefined();
      expect(undescribed(spec!.fields), 'all described: remove the entry').not.toEqual([]);
    },
  );
});
