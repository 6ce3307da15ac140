// `npx cdktf synth` of examples/cdktf-dev-prod, as CI runs it: the real cdktf CLI, no Terraform
// binary, no network; JSON and `--hcl` output for both stacks.

import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDurationSeconds } from '../../core/duration.js';
import { renderAnsibleVars } from '../../core/render/ansible-vars.js';
import { validateHostTrust } from '../../core/render/host-trust.js';
import { SCENARIO_ENVIRONMENTS, SCENARIO_HOST_PRINCIPALS, SCENARIO_ROLES } from '../../core/scenario.js';
import { scenarioInventory } from '../helpers/scenario-inventory.js';
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
    expect(r.stdout).toContain('Generated Terraform code for the stacks: access, dev, prod');
    for (const env of ['dev', 'prod']) {
      const tf = JSON.parse(readFileSync(join(out, 'stacks', env, 'cdk.tf.json'), 'utf8'));
      // dev also has the JWT auth method and its CI login (core/scenario.ts, issue 18).
      expect(Object.keys(tf.resource).sort()).toEqual([
        'aws_instance',
        'aws_security_group',
        ...(env === 'dev'
          ? [
              'vault_approle_auth_backend_role',
              'vault_auth_backend',
              'vault_jwt_auth_backend',
              'vault_jwt_auth_backend_role',
            ]
          : []),
        'vault_mount',
        'vault_policy',
        'vault_ssh_secret_backend_ca',
        'vault_ssh_secret_backend_role',
      ]);
      if (env === 'dev') {
        expect(Object.values(tf.resource.vault_jwt_auth_backend_role)).toMatchObject([
          { role_name: 'dev-ci', token_policies: ['dev-sign-automation'], user_claim: 'project_path' },
        ]);
        // The delivery platform's AppRole role (issue 24): one-use 10 m secret IDs, 15 m tokens.
        expect(Object.values(tf.resource.vault_approle_auth_backend_role)).toEqual([
          expect.objectContaining({
            backend: expect.stringMatching(/^\$\{vault_auth_backend\.[\w-]+\.path\}$/),
            role_name: 'dev-delivery',
            bind_secret_id: true,
            secret_id_num_uses: 1,
            secret_id_ttl: 600,
            token_policies: ['dev-sign-automation'],
            token_ttl: 900,
            token_max_ttl: 3600,
          }),
        ]);
        expect(tf.output.delivery_role_id.value).toMatch(/^\$\{vault_approle_auth_backend_role\.[\w-]+\.role_id\}$/);
      }
      expect(Object.values(tf.resource.vault_mount).map((m: any) => m.path)).toEqual([`ssh-${env}`, `ssh-${env}-host`]);
      expect(Object.keys(tf.resource.aws_instance)).toHaveLength(2);
      expect(Object.keys(tf.output).sort()).toEqual([
        'ansible_vars',
        'ca_public_key',
        ...(env === 'dev' ? ['delivery_role_id'] : []),
        'instance_private_ips',
        'known_hosts',
      ]);
      // The AMI from a data source, port 22 from the required variable only.
      expect(Object.keys(tf.data)).toEqual(['aws_ami']);
      expect(tf.variable.ssh_cidrs).toMatchObject({ type: 'list(string)' });
      expect((Object.values(tf.resource.aws_security_group)[0] as any).ingress[0].cidr_blocks).toBe('${var.ssh_cidrs}');
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

  it('writes the scenario inventory the Pulumi example writes too (parity of the surfaces)', () => {
    const out = join(dir, 'json');
    const paths: string[] = [];
    for (const stack of ['dev', 'prod', 'access']) {
      const tf = JSON.parse(readFileSync(join(out, 'stacks', stack, 'cdk.tf.json'), 'utf8'));
      const r = (type: string) => Object.entries((tf.resource[type] ?? {}) as Record<string, any>);
      // A `${vault_mount.<id>.path}` or `${vault_jwt_auth_backend.<id>.path}` reference → the path it names.
      const mounts = Object.fromEntries(r('vault_mount').map(([id, m]) => [`\${vault_mount.${id}.path}`, m.path]));
      const jwt = Object.fromEntries(
        r('vault_jwt_auth_backend').map(([id, m]) => [`\${vault_jwt_auth_backend.${id}.path}`, m.path]),
      );
      const auth = Object.fromEntries(
        r('vault_auth_backend').map(([id, m]) => [`\${vault_auth_backend.${id}.path}`, m.path]),
      );
      const ref = (v: string) => mounts[v] ?? jwt[v] ?? auth[v] ?? v;
      paths.push(
        ...r('vault_mount').map(([, m]) => `sys/mounts/${m.path}`),
        ...r('vault_ssh_secret_backend_ca').map(([, c]) => `${ref(c.backend)}/config/ca`),
        ...r('vault_ssh_secret_backend_role').map(([, x]) => `${ref(x.backend)}/roles/${x.name}`),
        ...r('vault_policy').map(([, p]) => `sys/policies/acl/${p.name}`),
        ...r('vault_auth_backend').map(([, a]) => `sys/auth/${a.path}`),
        ...r('vault_jwt_auth_backend').map(([, a]) => `sys/auth/${a.path}`),
        ...r('vault_jwt_auth_backend_role').map(([, x]) => `auth/${ref(x.backend)}/role/${x.role_name}`),
        ...r('vault_approle_auth_backend_role').map(([, x]) => `auth/${ref(x.backend)}/role/${x.role_name}`),
        ...r('vault_generic_endpoint').map(([, e]) => e.path),
        ...r('vault_audit').map(([, a]) => `sys/audit/${a.path}`),
      );
    }
    expect(paths.sort()).toEqual(scenarioInventory());
  });

  it("renders the Ansible vars of each environment as core renders them, around the CA key's reference", () => {
    for (const env of SCENARIO_ENVIRONMENTS) {
      const tf = JSON.parse(readFileSync(join(dir, 'json', 'stacks', env, 'cdk.tf.json'), 'utf8'));
      const key = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl';
      const withKey = String(tf.output.ansible_vars.value).replace(
        /\$\{vault_ssh_secret_backend_ca\.[\w-]+\.public_key\}/,
        key,
      );
      expect(withKey).toBe(
        renderAnsibleVars(
          validateHostTrust({ environment: env, caKeys: [key], principals: SCENARIO_HOST_PRINCIPALS[env] }),
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
