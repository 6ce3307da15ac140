// Issue 13, finding 3: key generation runs off the event loop. Ten concurrent RSA-4096 issues (and a
// config/ca generation) leave sys/health answering promptly; RSA sizes are capped as before (Vault's
// floor of 2048 bits, OpenSSH's ceiling of 16384 where Vault sets none), with 500s as in Vault. The
// 400 ms bound leaves room for a loaded two-core machine running the full suite; generating keys on the
// event loop held it for seconds (15.6 s for the ten issues), and bench/hostile.ts measures the target.

import { afterAll, beforeAll, expect, it } from 'vitest';
import { healthLatencies } from '../helpers/health-latency.js';
import { startTestServer, type TestServer } from '../helpers/vault-server.js';

let srv: TestServer;

beforeAll(async () => {
  srv = await startTestServer();
  expect((await srv.request('POST', '/v1/sys/mounts/ssh', { type: 'ssh' })).status).toBe(204);
  expect((await srv.request('POST', '/v1/ssh/config/ca', { key_type: 'ed25519' })).status).toBe(200);
  const role = {
    key_type: 'ca',
    allow_user_certificates: true,
    allowed_users: 'alice',
    default_user: 'alice',
    ttl: '5m',
  };
  expect((await srv.request('POST', '/v1/ssh/roles/dev', role)).status).toBe(204);
});
afterAll(async () => {
  await srv?.close();
});

it('keeps sys/health under 400 ms while ten RSA-4096 key pairs are issued at once', async () => {
  const issues = Promise.all(
    Array.from({ length: 10 }, () => srv.request('POST', '/v1/ssh/issue/dev', { key_type: 'rsa', key_bits: 4096 })),
  );
  const latencies = await healthLatencies(srv.url, issues);
  const answers = await issues;
  expect(answers.map((a) => a.status)).toEqual(Array(10).fill(200));
  expect(answers[0]!.json.data.private_key).toMatch(/^-----BEGIN RSA PRIVATE KEY-----\n/);
  expect(answers[0]!.json.data.private_key_type).toBe('rsa');
  expect(latencies.length).toBeGreaterThan(3);
  expect(Math.max(...latencies)).toBeLessThan(400);
}, 120_000);

it('keeps sys/health under 400 ms while config/ca generates an RSA-4096 CA', async () => {
  expect((await srv.request('POST', '/v1/sys/mounts/rsa', { type: 'ssh' })).status).toBe(204);
  const generate = srv.request('POST', '/v1/rsa/config/ca', { key_type: 'rsa', key_bits: 4096 });
  const latencies = await healthLatencies(srv.url, generate);
  const r = await generate;
  expect(r.status).toBe(200);
  expect(r.json.data.public_key).toMatch(/^ssh-rsa AAAA\S+\n$/);
  expect(Math.max(...latencies)).toBeLessThan(400);
}, 60_000);

it.each([
  [1024, 'refusing to generate weak rsa key: 1024 bits < 2048 bits'],
  [16385, "refusing to generate rsa key: 16385 bits > 16384 bits (OpenSSH's maximum)"],
])('refuses RSA key_bits %d with 500 (Vault answers generation failures so)', async (bits, message) => {
  const r = await srv.request('POST', '/v1/ssh/issue/dev', { key_type: 'rsa', key_bits: bits });
  expect([r.status, r.json]).toEqual([500, { errors: [`1 error occurred:\n\t* ${message}\n\n`] }]);
});
