// `sshca serve` request-limit flags (issue 13, finding 2): named after Vault's listener settings,
// passed to the server, and validated. The built binary in a child process on a loopback port.

import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SSHCA_BIN } from '../helpers/sshca-bin.js';
import { startSshcaServe, type ServeProcess } from '../helpers/sshca-serve.js';

let serve: ServeProcess;
let url: string;

beforeAll(async () => {
  serve = await startSshcaServe([
    '--dev',
    '--listen',
    '127.0.0.1:0',
    '--max-request-size',
    '1000',
    '--max-json-depth',
    '2',
    '--max-json-string-value-length',
    '5',
    '--max-json-object-entry-count',
    '3',
    '--max-json-array-element-count',
    '4',
  ]);
  url = serve.url;
});
afterAll(() => serve?.stop());

it.each([
  ['{"a":{"b":[]}}', 400, 'JSON input exceeds allowed nesting depth'],
  ['{"a":"123456"}', 400, 'JSON string value exceeds allowed length'],
  ['{"a":1,"b":2,"c":3,"d":4}', 400, 'JSON object exceeds allowed entry count'],
  ['{"a":[1,2,3,4,5]}', 400, 'JSON array exceeds allowed element count'],
  [`{"a":"b"}${' '.repeat(1000)}`, 413, 'http: request body too large'],
])('serve with small limits refuses %s', async (body, status, message) => {
  const r = await fetch(`${url}/v1/auth/userpass/login/x`, { method: 'POST', body });
  expect([r.status, await r.json()]).toEqual([status, { errors: [message] }]);
});

it('refuses a limit that is not a positive whole number, and documents the flags', () => {
  const r = spawnSync(process.execPath, [SSHCA_BIN, 'serve', '--dev', '--max-json-depth', '0'], { encoding: 'utf8' });
  expect(r.status).toBe(2);
  expect(r.stderr).toContain('--max-json-depth must be a positive whole number, got "0"');
  const help = spawnSync(process.execPath, [SSHCA_BIN, 'serve', '--help'], { encoding: 'utf8' });
  for (const flag of [
    '--max-request-size',
    '--max-json-depth',
    '--max-json-string-value-length',
    '--max-json-object-entry-count',
    '--max-json-array-element-count',
  ]) {
    expect(help.stdout).toContain(flag);
  }
});
