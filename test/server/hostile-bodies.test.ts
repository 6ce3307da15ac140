// Issue 13, finding 2: hostile request bodies. Vault's listener limits refuse oversized JSON shapes
// with 400 and Vault's messages before anything is built from them, and while the largest body the
// limits still allow is being parsed, sys/health keeps answering. The bound here is 400 ms, not the
// issue's 100 ms: the test shares its process with the server and, in the full suite, two cores with
// sshd and Ansible tests, and building millions of values brings V8 garbage-collection pauses of up to
// ~170 ms. It catches a request that holds the event loop for its whole parse (seconds before issue 13);
// the 100 ms target itself is measured by bench/hostile.ts, in its own process (p99 8 ms, max 65 ms).

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { largestAllowedBodies, refusedBodies } from '../../bench/hostile-bodies.js';
import { makeScratchDir } from '../helpers/scratch.js';
import { healthLatencies } from '../helpers/health-latency.js';
import { startTestServer, type TestServer } from '../helpers/vault-server.js';

let srv: TestServer;
let dir: string;

beforeAll(async () => {
  dir = makeScratchDir('hostile-bodies');
  srv = await startTestServer();
  expect((await srv.request('POST', '/v1/sys/auth/userpass', { type: 'userpass' })).status).toBe(204);
});
afterAll(async () => {
  await srv?.close();
});

const login = (body: string) => srv.request('POST', '/v1/auth/userpass/login/x', body, null);

describe('Vault listener limits', () => {
  it.each(refusedBodies)('$limit: 400 "$message"', async ({ body, message }) => {
    const r = await login(body);
    expect(r.status).toBe(400);
    expect(r.json).toEqual({ errors: [message] });
  });

  it('lets bodies at the limits through to the handler', async () => {
    const atLimits = [
      `{"a":${'['.repeat(299)}${']'.repeat(299)}}`,
      `{"a":"${'a'.repeat(1024 * 1024)}"}`,
      `{"a":[${Array(10_000).fill(0).join(',')}]}`,
    ];
    for (const body of atLimits) {
      const r = await login(body);
      // The login handler's own answer: no password given.
      expect([r.status, r.json]).toEqual([400, { errors: ['missing password'] }]);
    }
  });

  it('refuses a 24 MiB array with a file audit device enabled, quickly and with 400', async () => {
    const log = join(dir, 'audit.log');
    expect(
      (await srv.request('POST', '/v1/sys/audit/file', { type: 'file', options: { file_path: log } })).status,
    ).toBe(204);
    try {
      const body = `{"password":[${Array(12 * 1024 * 1024)
        .fill('0')
        .join(',')}]}`;
      const t0 = performance.now();
      const r = await login(body);
      expect([r.status, r.json]).toEqual([400, { errors: ['JSON array exceeds allowed element count'] }]);
      expect(performance.now() - t0).toBeLessThan(3000);
    } finally {
      expect((await srv.request('DELETE', '/v1/sys/audit/file')).status).toBe(204);
    }
  });
});

describe('the largest allowed bodies do not stall the server', () => {
  const bodies = Object.entries(largestAllowedBodies());

  it.each(bodies)(
    'sys/health answers within 400 ms while %s (32 MiB) is parsed',
    async (_name, body) => {
      const answer = login(body);
      const latencies = await healthLatencies(srv.url, answer);
      const r = await answer;
      expect([r.status, r.json]).toEqual([400, { errors: ['missing password'] }]);
      expect(latencies.length).toBeGreaterThan(5);
      expect(Math.max(...latencies)).toBeLessThan(400);
    },
    60_000,
  );

  it('audits the largest allowed body whole (one HMAC of its bytes), keeping health responsive', async () => {
    const log = join(dir, 'audit-large.log');
    expect(
      (await srv.request('POST', '/v1/sys/audit/large', { type: 'file', options: { file_path: log } })).status,
    ).toBe(204);
    try {
      const body = largestAllowedBodies()['arrays of 10,000 empty strings']!;
      const answer = login(body);
      const latencies = await healthLatencies(srv.url, answer);
      const r = await answer;
      expect([r.status, r.json]).toEqual([400, { errors: ['missing password'] }]);
      expect(Math.max(...latencies)).toBeLessThan(400);
      const lines = readFileSync(log, 'utf8').trim().split('\n');
      // sys/health is not audited (as in Vault): just the login's request and response.
      expect(lines).toHaveLength(2);
      const [request, response] = lines.map((l) => JSON.parse(l));
      expect(request.request.data).toEqual({
        body_hmac: expect.stringMatching(/^hmac-sha256:[0-9a-f]{64}$/),
        body_bytes: Buffer.byteLength(body),
      });
      expect(response.request.data).toEqual(request.request.data);
      expect(response.error).toBe('missing password');
      expect(lines.every((l) => l.length < 10_000)).toBe(true);
    } finally {
      expect((await srv.request('DELETE', '/v1/sys/audit/large')).status).toBe(204);
    }
  }, 60_000);

  it('audits a body of more than 10,000 strings whole: the HMAC sys/audit-hash gives for its text', async () => {
    const log = join(dir, 'audit-strings.log');
    await srv.request('POST', '/v1/sys/audit/strings', { type: 'file', options: { file_path: log } });
    try {
      const body = JSON.stringify({ a: Array(6000).fill(''), b: Array(6000).fill('') });
      await login(body);
      const hash = (await srv.request('POST', '/v1/sys/audit-hash/strings', { input: body })).json.data.hash;
      const request = JSON.parse(readFileSync(log, 'utf8').split('\n')[0]!);
      expect(request.request.data).toEqual({ body_hmac: hash, body_bytes: body.length });
    } finally {
      await srv.request('DELETE', '/v1/sys/audit/strings');
    }
  });

  it('still audits small bodies field by field', async () => {
    const log = join(dir, 'audit-small.log');
    await srv.request('POST', '/v1/sys/audit/small', { type: 'file', options: { file_path: log } });
    try {
      await login(JSON.stringify({ password: 'pw', junk: Array(100).fill('x') }));
      const request = JSON.parse(readFileSync(log, 'utf8').split('\n')[0]!);
      const x = (await srv.request('POST', '/v1/sys/audit-hash/small', { input: 'x' })).json.data.hash;
      expect(request.request.data.junk).toEqual(Array(100).fill(x));
    } finally {
      await srv.request('DELETE', '/v1/sys/audit/small');
    }
  });
});
