// The README's "Audit" commands (issue 21, point 1) run exactly as written, in bash, with `sshca` on
// PATH, against an embedded test server (VAULT_ADDR, VAULT_TOKEN) whose file audit device writes
// vault_audit.log in the working directory; web1-auth.log is an auth.log with testuser's certificate
// login in OpenSSH's format. test/e2e/audit.test.ts proves the same against real sshd hosts.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { setUpAuditedLogin } from './helpers/audited-login.js';
import { sectionBlocks } from './helpers/readme.js';
import { useReadmeServer } from './helpers/readme-server.js';

const readme = useReadmeServer('readme-audit');

it('prints testuser\'s login and writes logins.json as the "Audit" section says', async () => {
  const { server, dir, runBlock } = readme;
  const blocks = sectionBlocks('## Audit');
  expect(blocks.map((b) => b.lang)).toEqual(['sh']);
  const folder = join(dir, 'work');
  const { serial, when } = await setUpAuditedLogin(server, folder);

  const r = await runBlock(blocks[0]!.code, folder);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  const rows = r.stdout.split('\n').map((l) => l.split(/ {2,}/));
  expect(rows.slice(0, 3)).toEqual([
    ['Logins:'],
    ['TIME', 'HOST', 'ACCOUNT', 'FROM', 'SERIAL', 'SIGNED BY', 'METHOD', 'ROLE', 'SIGNED AT'],
    [
      when.toISOString(),
      'web1',
      'ubuntu',
      '10.0.0.7',
      serial,
      'testuser',
      'userpass',
      'ssh-dev/developer',
      expect.stringMatching(/Z$/),
    ],
  ]);
  const report = JSON.parse(readFileSync(join(folder, 'logins.json'), 'utf8'));
  expect(
    report.logins.map((l: any) => [l.login.host, l.login.account, l.certificate.displayName, l.certificate.role]),
  ).toEqual([['web1', 'ubuntu', 'userpass-testuser', 'developer']]);
  expect(report.unused).toEqual([]);
  expect(report.unknown).toEqual([]);
});
