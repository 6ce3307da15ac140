// Issue 13, finding 12: an aborted request is one log line (no stack trace), and a rejected value of a
// sensitive field (a password sent as an array) appears neither in the answer nor in the audit log.

import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { makeScratchDir } from '../helpers/scratch.js';
import { startTestServer, type TestServer } from '../helpers/vault-server.js';

let srv: TestServer;
const logged: string[] = [];
let auditLog: string;

beforeAll(async () => {
  auditLog = join(makeScratchDir('noise-and-leaks'), 'audit.log');
  srv = await startTestServer({ log: (line) => logged.push(line) });
  expect((await srv.request('POST', '/v1/sys/auth/userpass', { type: 'userpass' })).status).toBe(204);
  expect((await srv.request('POST', '/v1/auth/userpass/users/alice', { password: 'correct horse' })).status).toBe(204);
  const device = { type: 'file', options: { file_path: auditLog } };
  expect((await srv.request('POST', '/v1/sys/audit/file', device)).status).toBe(204);
});
afterAll(async () => {
  await srv?.close();
});

it('logs one line for a request whose client disconnects mid-body', async () => {
  const { port } = new URL(srv.url);
  const before = logged.length;
  await new Promise<void>((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1', () => {
      socket.write(
        'POST /v1/auth/userpass/login/alice HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"password":',
        () => setTimeout(() => socket.destroy(), 50),
      );
    });
    socket.on('close', () => resolve());
    socket.on('error', reject);
  });
  await new Promise((r) => setTimeout(r, 200));
  const lines = logged.slice(before).flatMap((l) => l.split('\n'));
  expect(lines).toEqual([
    'request aborted by the client: POST /v1/auth/userpass/login/alice after 12 body bytes (aborted)',
  ]);
});

it('never echoes a rejected password, in the answer or in the audit log', async () => {
  const secret = 'hunter2-do-not-log';
  const r = await srv.request('POST', '/v1/auth/userpass/login/alice', { password: [secret, 7] }, null);
  expect([r.status, r.json]).toEqual([
    400,
    {
      errors: [
        `Field validation failed: error converting input [redacted] for field "password": '' expected type 'string', got unconvertible type '[]interface {}', value: '[redacted]'`,
      ],
    },
  ]);
  const audit = readFileSync(auditLog, 'utf8');
  expect(audit).not.toContain(secret);
  const response = audit
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l))
    .find((e) => e.type === 'response' && e.request.path === 'auth/userpass/login/alice');
  expect(response.error).toBe(r.json.errors[0]);
});

it('still echoes a rejected value of an ordinary field, as Vault does', async () => {
  const r = await srv.request('POST', '/v1/auth/userpass/users/bob', { password: 'x', token_num_uses: 'many' });
  expect([r.status, r.json]).toEqual([
    400,
    {
      errors: [
        `Field validation failed: error converting input many for field "token_num_uses": cannot parse '' as int: strconv.ParseInt: parsing "many": invalid syntax`,
      ],
    },
  ]);
});
