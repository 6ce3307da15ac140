// A file audit device with file_path "-" (or "stdout") writes its JSON lines to the server's standard
// output: the built `sshca serve --dev` in a child process, its stdout read line by line.

import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SSHCA_BIN } from '../helpers/sshca-bin.js';

let child: ChildProcess;
let url: string;
let out = '';

beforeAll(async () => {
  child = spawn(
    process.execPath,
    [SSHCA_BIN, 'serve', '--dev', '--dev-root-token-id', 'root', '--listen', '127.0.0.1:0'],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`sshca serve did not start:\n${out}`)), 10_000);
    const poll = setInterval(() => {
      const m = /^Listening on (\S+)$/m.exec(out);
      if (m) {
        clearInterval(poll);
        clearTimeout(timer);
        resolve(m[1]!);
      }
    }, 10);
  });
});

afterAll(async () => {
  if (child?.exitCode === null) {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
});

const api = (method: string, path: string, body?: unknown) =>
  fetch(`${url}/v1/${path}`, {
    method,
    headers: { 'X-Vault-Token': 'root' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });

it('writes one request and one response line per request to standard output, values hashed', async () => {
  expect((await api('POST', 'sys/audit/out', { type: 'file', options: { file_path: '-' } })).status).toBe(204);
  const mark = out.length;
  expect((await api('POST', 'sys/mounts/ssh', { type: 'ssh', description: 'secret-looking text' })).status).toBe(204);
  const hash = (
    (await (await api('POST', 'sys/audit-hash/out', { input: 'secret-looking text' })).json()) as {
      data: { hash: string };
    }
  ).data.hash;
  await new Promise((r) => setTimeout(r, 100));
  const lines = out
    .slice(mark)
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l));
  const mountLines = lines.filter((l) => l.request.path === 'sys/mounts/ssh');
  expect(mountLines.map((l) => l.type)).toEqual(['request', 'response']);
  expect(mountLines[0].request.data.description).toBe(hash);
  expect(mountLines[0].request.client_token).toMatch(/^hmac-sha256:[0-9a-f]{64}$/);
  expect(out).not.toContain('secret-looking text');
});
