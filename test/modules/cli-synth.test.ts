// `npx cdktf synth` of examples/cdktf-dev-prod, as CI runs it: the real cdktf CLI, no Terraform
// binary, no network; JSON and `--hcl` output for both stacks.

import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDurationSeconds } from '../../core/duration.js';
import { SCENARIO_ROLES } from '../../core/scenario.js';
import { makeScratchDir, removeScratchDir } from '../helpers/scratch.js';

const EXAMPLE = resolve(import.meta.dirname, '../../examples/cdktf-dev-prod');
const run = promisify(execFile);
let dir: string;

beforeAll(() => {
  dir = makeScratchDir('cdktf-cli');
});
afterAll(() => removeScratchDir(dir));

/** Run `npx cdktf synth` in the example with output into `out`. */
const synth = (out: string, ...extra: string[]) =>
  run('npx', ['cdktf', 'synth', '--output', out, ...extra], {
    cwd: EXAMPLE,
    env: { ...process.env, CHECKPOINT_DISABLE: '1', CI: '1' },
    timeout: 120_000,
  });

describe('npx cdktf synth of the example', () => {
  it('writes plain Terraform JSON for dev and prod', async () => {
    const out = join(dir, 'json');
    const r = await synth(out);
    expect(r.stdout).toContain('Generated Terraform code for the stacks: dev, prod');
    for (const env of ['dev', 'prod']) {
      const tf = JSON.parse(readFileSync(join(out, 'stacks', env, 'cdk.tf.json'), 'utf8'));
      // dev also has the JWT auth method and its CI login (core/scenario.ts, issue 18).
      expect(Object.keys(tf.resource).sort()).toEqual([
        'aws_instance',
        'aws_security_group',
        ...(env === 'dev' ? ['vault_jwt_auth_backend', 'vault_jwt_auth_backend_role'] : []),
        'vault_mount',
        'vault_policy',
        'vault_ssh_secret_backend_ca',
        'vault_ssh_secret_backend_role',
      ]);
      if (env === 'dev') {
        expect(Object.values(tf.resource.vault_jwt_auth_backend_role)).toMatchObject([
          { role_name: 'dev-ci', token_policies: ['dev-sign-automation'], user_claim: 'project_path' },
        ]);
      }
      expect(Object.values(tf.resource.vault_mount).map((m: any) => m.path)).toEqual([`ssh-${env}`, `ssh-${env}-host`]);
      expect(Object.keys(tf.resource.aws_instance)).toHaveLength(2);
      expect(Object.keys(tf.output).sort()).toEqual(['ca_public_key', 'instance_private_ips', 'known_hosts']);
      expect(tf.output.known_hosts.value).toMatch(
        new RegExp(
          `^@cert-authority \\*\\.${env}\\.example\\.com \\$\\{vault_ssh_secret_backend_ca\\.[\\w-]+\\.public_key\\}\\n$`,
        ),
      );
      // The roles are the scenario's (core/scenario.ts, test/scenario.test.ts), and the host CA's role.
      const all = Object.values(tf.resource.vault_ssh_secret_backend_role) as any[];
      expect(all.filter((r) => r.name === 'host').map((r) => [r.allowed_domains, r.allow_user_certificates])).toEqual([
        [`${env}.example.com`, false],
      ]);
      const roles = all.filter((r) => r.name !== 'host');
      expect(
        Object.fromEntries(roles.map((r) => [r.name, [r.allowed_users, r.default_user ?? '', r.ttl, r.max_ttl]])),
      ).toEqual(
        Object.fromEntries(
          Object.entries(SCENARIO_ROLES).map(([name, s]) => [
            name,
            [
              s.allowedUsers!.join(','),
              s.defaultUser ?? '',
              String(parseDurationSeconds(s.ttl!)),
              String(parseDurationSeconds(s.maxTtl!)),
            ],
          ]),
        ),
      );
    }
  });

  it('writes HCL with --hcl', async () => {
    const out = join(dir, 'hcl');
    await synth(out, '--hcl');
    const hcl = readFileSync(join(out, 'stacks', 'dev', 'cdk.tf'), 'utf8');
    expect(hcl).toContain('resource "vault_ssh_secret_backend_ca"');
    expect(hcl).toMatch(/generate_signing_key\s+= true/);
    expect(hcl).toContain('user_data_replace_on_change = false');
  });
});
