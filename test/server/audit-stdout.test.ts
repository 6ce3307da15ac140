// A file audit device with file_path "-" (or "stdout") writes its JSON lines to the server's standard
// output: the built `sshca serve --dev` in a child process, its stdout read line by line.

import { afterAll, beforeAll, expect, it } from 'vitest';
import { startSshcaServe, type ServeProcess } from '../helpers/sshca-serve.js';

let serve: ServeProcess;
let url: string;

beforeAll(async () => {
  serve = await startSshcaServe(['--dev', '--dev-root-token-id', 'root', '--listen', '127.0.0.1:0']);
  url = serve.url;
});

afterAll(() => serve?.stop());

const api = (method: string, path: string, body?: unknown) =>
  fetch(`${url}/v1/${path}`, {
    method,
    headers: { 'X-Vault-Token': 'root' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });

it('writes one request and one response line per request to standard output, values hashed', async () => {
  expect((await api('POST', 'sys/audit/out', { type: 'file', options: { file_path: '-' } })).status).toBe(204);
  const mark = serve.output().length;
  expect((await api('POST', 'sys/mounts/ssh', { type: 'ssh', description: 'secret-looking text' })).status).toBe(204);
  const hash = (
    (await (await api('POST', 'sys/audit-hash/out', { input: 'secret-looking text' })).json()) as {
      data: { hash: string };
    }
  ).data.hash;
  await new Promise((r) => setTimeout(r, 100));
  const lines = serve
    .output()
    .slice(mark)
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l));
  const mountLines = lines.filter((l) => l.request.path === 'sys/mounts/ssh');
  expect(mountLines.map((l) => l.type)).toEqual(['request', 'response']);
  expect(mountLines[0].request.data.description).toBe(hash);
  expect(mountLines[0].request.client_token).toMatch(/^hmac-sha256:[0-9a-f]{64}$/);
  expect(serve.output()).not.toContain('secret-looking text');
});
