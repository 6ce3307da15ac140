// The Ansible content (ssh_ca_trust, ssh_otp_helper, ssh_host_certificate) passes the real ansible-lint (Debian's 6.13, production profile, offline) and
// ansible-playbook's syntax check with the example inventory; a copy of the role with one real
// problem fails the same lint, so the passing run means something.

import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ANSIBLE_DIR, ansibleEnv, runCommand } from '../helpers/ansible.js';
import { makeScratchDir, removeScratchDir } from '../helpers/scratch.js';

let dir: string;
let env: NodeJS.ProcessEnv;

beforeAll(() => {
  dir = makeScratchDir('ansible-lint');
  // ansible-lint keeps its cache under XDG_CACHE_HOME; rich prints no colour with NO_COLOR.
  env = ansibleEnv(dir, { XDG_CACHE_HOME: join(dir, 'cache'), NO_COLOR: '1', COLUMNS: '200' });
});

afterAll(() => removeScratchDir(dir));

it('ansible-lint --offline --profile production ansible/ passes', async () => {
  const r = await runCommand('ansible-lint', ['--offline', '--profile', 'production', 'ansible/'], env);
  // The file count grows with every role; the verdict is what matters.
  expect(r).toMatchObject({ code: 0, stdout: '' });
  expect(r.stderr).toMatch(/^\nPassed with production profile: 0 failure\(s\), 0 warning\(s\) on \d+ files\.\n$/);
});

it('ansible-playbook --syntax-check accepts site.yml with the example inventory', async () => {
  const r = await runCommand(
    'ansible-playbook',
    ['--syntax-check', '-i', 'ansible/inventories/example/hosts.yml', 'ansible/playbooks/site.yml'],
    env,
  );
  expect(r).toMatchObject({ code: 0, stdout: '\nplaybook: ansible/playbooks/site.yml\n', stderr: '' });
});

it('ansible-playbook --syntax-check accepts otp.yml (role ssh_otp_helper) with the example inventory', async () => {
  const r = await runCommand(
    'ansible-playbook',
    ['--syntax-check', '-i', 'ansible/inventories/example/hosts.yml', 'ansible/playbooks/otp.yml'],
    env,
  );
  expect(r).toMatchObject({ code: 0, stdout: '\nplaybook: ansible/playbooks/otp.yml\n', stderr: '' });
});

it('the same lint fails a copy of ssh_otp_helper whose PAM include task lost its mode', async () => {
  const project = join(dir, 'project-otp');
  cpSync(ANSIBLE_DIR, join(project, 'ansible'), { recursive: true, verbatimSymlinks: true });
  const tasks = join(project, 'ansible/roles/ssh_otp_helper/tasks/files.yml');
  const text = readFileSync(tasks, 'utf8');
  const at = text.indexOf('- name: Write the PAM include that runs the helper');
  expect(at).toBeGreaterThan(0);
  const line = text.slice(0, at).split('\n').length;
  writeFileSync(tasks, text.slice(0, at) + text.slice(at).replace("    mode: '0644'\n", ''));
  const r = await runCommand('ansible-lint', ['--offline', '--profile', 'production', 'ansible/'], env, project);
  expect(r.code).toBe(2);
  expect(r.stdout).toBe(
    'risky-file-permissions: File permissions unset or incorrect.\n' +
      `ansible/roles/ssh_otp_helper/tasks/files.yml:${line} Task/Handler: Write the PAM include that runs the helper\n\n`,
  );
});

/**
 * Lint a copy of ansible/ in which the handler `name` of `role` calls its module `module` by its short
 * name instead of `ansible.builtin.<module>` (which a collection could shadow): the lint must fail on
 * that handler and nothing else.
 */
async function lintWithShortName(label: string, role: string, name: string, module: string) {
  const project = join(dir, label);
  cpSync(ANSIBLE_DIR, join(project, 'ansible'), { recursive: true, verbatimSymlinks: true });
  const handlers = join(project, 'ansible/roles', role, 'handlers/main.yml');
  const text = readFileSync(handlers, 'utf8');
  const at = text.indexOf(`- name: ${name}\n`);
  expect(at).toBeGreaterThan(-1);
  const line = text.slice(0, at).split('\n').length;
  const mutated = text.slice(0, at) + text.slice(at).replace(`  ansible.builtin.${module}:\n`, `  ${module}:\n`);
  expect(mutated.length).toBe(text.length - 'ansible.builtin.'.length);
  writeFileSync(handlers, mutated);
  // From the copy's parent, as from the repository root: ansible-lint lints only files below its working directory.
  const r = await runCommand('ansible-lint', ['--offline', '--profile', 'production', 'ansible/'], env, project);
  expect(r.code).toBe(2);
  expect(r.stdout).toBe(
    `fqcn[action-core]: Use FQCN for builtin module actions (${module}).\n` +
      `ansible/roles/${role}/handlers/main.yml:${line} Use \`ansible.builtin.${module}\` or \`ansible.legacy.${module}\` instead.\n\n`,
  );
  return r;
}

it('the same lint fails a copy of ssh_ca_trust whose reload command is not called by its full name', async () => {
  const r = await lintWithShortName('project', 'ssh_ca_trust', 'Reload sshd with the configured command', 'command');
  expect(r.stderr).toMatch(
    /Failed after shared profile, 4\/5 star rating: 1 failure\(s\), 0 warning\(s\) on \d+ files\.\n$/,
  );
});

it('the same lint fails a copy of ssh_host_certificate whose reload service is not called by its full name', async () => {
  await lintWithShortName(
    'project-host-certificate',
    'ssh_host_certificate',
    'Reload the sshd service for the host certificates',
    'service',
  );
});
