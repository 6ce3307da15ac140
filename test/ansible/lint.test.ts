// The Ansible content (ssh_ca_trust, ssh_otp_helper, ssh_host_certificate, ssh_dynamic_keys_admin)
// passes the real ansible-lint (Debian's 6.13, production profile, offline) and ansible-playbook's
// syntax check with the example inventory; a copy of the role with one real problem fails the same
// lint, so the passing run means something.

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
 * Lint a copy of ansible/ in which the task or handler `name` of `role` (in `file`) lost the capital of
 * its name: the lint must fail on that task and nothing else (proof that the role's files are linted).
 */
async function lintWithLowerCaseName(label: string, role: string, file: string, name: string) {
  const project = join(dir, label);
  cpSync(ANSIBLE_DIR, join(project, 'ansible'), { recursive: true, verbatimSymlinks: true });
  const path = join(project, 'ansible/roles', role, file);
  const text = readFileSync(path, 'utf8');
  const at = text.indexOf(`- name: ${name}\n`);
  expect(at).toBeGreaterThan(-1);
  const line = text.slice(0, at).split('\n').length;
  const lower = name[0]!.toLowerCase() + name.slice(1);
  writeFileSync(path, text.slice(0, at) + text.slice(at).replace(`- name: ${name}\n`, `- name: ${lower}\n`));
  // From the copy's parent, as from the repository root: ansible-lint lints only files below its working directory.
  const r = await runCommand('ansible-lint', ['--offline', '--profile', 'production', 'ansible/'], env, project);
  expect(r.code).toBe(2);
  expect(r.stdout).toBe(
    'name[casing]: All names should start with an uppercase letter.\n' +
      `ansible/roles/${role}/${file}:${line} Task/Handler: ${lower}\n\n`,
  );
  return r;
}

it('the same lint fails a copy of ssh_ca_trust whose task name lost its capital', async () => {
  const r = await lintWithLowerCaseName(
    'project',
    'ssh_ca_trust',
    'tasks/main.yml',
    'Write the trusted CA keys, principals and drop-in files and check the whole sshd configuration',
  );
  expect(r.stderr).toMatch(
    /Failed after basic profile, 1\/5 star rating: 1 failure\(s\), 0 warning\(s\) on \d+ files\.\n$/,
  );
});

it('the same lint fails a copy of ssh_host_certificate whose handler name lost its capital', async () => {
  await lintWithLowerCaseName(
    'project-host-certificate',
    'ssh_host_certificate',
    'handlers/main.yml',
    'Reload sshd for the host certificates',
  );
});

it('the same lint fails a copy of ssh_dynamic_keys_admin whose sudoers task name lost its capital', async () => {
  await lintWithLowerCaseName(
    'project-dynamic-keys-admin',
    'ssh_dynamic_keys_admin',
    'tasks/sudo.yml',
    'Write the sudoers drop-in, checked with visudo before it is put in place',
  );
});
