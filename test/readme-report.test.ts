// The README's "Access report" commands (issue 21, point 2) run exactly as written, in bash, with
// `sshca`, curl and jq on PATH, against an embedded test server (VAULT_ADDR, VAULT_TOKEN as root)
// whose file audit device writes vault_audit.log in the working directory: the block writes the
// read-only policy, creates a token with it alone and writes the page with that token.
// web1-auth.log is an auth.log with testuser's certificate login in OpenSSH's format, and
// group_vars/dev.yml an Ansible vars file holding ssh_ca_trust_principals.

import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { setUpAuditedLogin } from './helpers/audited-login.js';
import { sectionBlocks } from './helpers/readme.js';
import { useReadmeServer } from './helpers/readme-server.js';

const readme = useReadmeServer('readme-report');

it('writes the read-only policy and the page with a token of its own as the "Access report" section says', async () => {
  const { server, dir, runBlock } = readme;
  const blocks = sectionBlocks('## Access report');
  expect(blocks.map((b) => b.lang)).toEqual(['sh']);
  const folder = join(dir, 'work');
  const { serial } = await setUpAuditedLogin(server, folder);
  mkdirSync(join(folder, 'group_vars'));
  writeFileSync(
    join(folder, 'group_vars', 'dev.yml'),
    'ssh_ca_trust_environment: dev\nssh_ca_trust_principals:\n  ubuntu: [ubuntu]\n',
  );

  const r = await runBlock(blocks[0]!.code, folder);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  expect(r.stdout).toBe(
    'wrote report/index.html: 1 environment, 1 identity, 1 identity-role grant, 1 certificate login, 0 certificates never used, 0 unknown certificates\n',
  );
  expect(statSync(join(folder, 'report')).mode & 0o777).toBe(0o700);
  expect(statSync(join(folder, 'report', 'index.html')).mode & 0o777).toBe(0o600);
  const html = readFileSync(join(folder, 'report', 'index.html'), 'utf8');
  expect(html).toContain('<tr data-subject="userpass/testuser" data-role="developer">');
  // Host accounts from group_vars/dev.yml, not sshd's default.
  expect(html).not.toContain('(account = principal)');
  const recent = /<table class="recent-logins">[\s\S]*?<tbody>\n([\s\S]*?)\n<\/tbody>/.exec(html)?.[1];
  expect(recent?.split('\n')).toEqual([
    expect.stringMatching(
      new RegExp(
        `^<tr data-host="web1" data-account="ubuntu"><td>[^<]+</td><td>web1</td><td><code>ubuntu</code></td><td>10\\.0\\.0\\.7</td><th scope="row">testuser</th><td>userpass</td><td><code>ssh-dev/developer</code></td><td>${serial}</td></tr>$`,
      ),
    ),
  ]);

  // The block wrote the policy it printed on the server.
  const policy = await server.request('GET', '/v1/sys/policies/acl/sshca-report');
  expect(policy.status).toBe(200);
  expect(policy.json.data.policy).toBe(readFileSync(join(folder, 'sshca-report.hcl'), 'utf8'));
}, 60_000);
