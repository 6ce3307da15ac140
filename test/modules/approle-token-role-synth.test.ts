// The AppRole and token role constructs (issue 24, point 3) through real cdktf synthesis
// (Testing.synth, no Terraform binary): exact `vault_approle_auth_backend_role` and
// `vault_token_auth_backend_role` attributes with our defaults, the SshEnvironment's delivery platform
// after its signing policy with its role_id as a reference, and the core validators failing synthesis
// with the messages the Pulumi providers give.

import { describe, expect, it } from 'vitest';
import { synth, synthError } from '../helpers/cdktf-synth.js';
import { SCENARIO_APPROLE_AUTH, SCENARIO_DELIVERY, SCENARIO_ROLES } from '../../core/scenario.js';
import { AppRoleRole, AuthMethod, SshEnvironment, TokenRole } from '../../modules/index.js';

describe('AppRoleRole', () => {
  it('synthesizes our defaults: bound one-use secret IDs for 10 minutes, 15 m / 1 h tokens', () => {
    const resources = synth((s) => new AppRoleRole(s, 'deploy', { name: 'deploy', tokenPolicies: ['deploy'] }));
    expect(resources.vault_approle_auth_backend_role).toEqual({
      deploy_role_528EF620: {
        backend: 'approle',
        role_name: 'deploy',
        bind_secret_id: true,
        secret_id_num_uses: 1,
        secret_id_ttl: 600,
        token_ttl: 900,
        token_max_ttl: 3600,
        token_policies: ['deploy'],
      },
    });
  });

  it('synthesizes every member it is given', () => {
    const resources = synth(
      (s) =>
        new AppRoleRole(s, 'r', {
          mount: 'machines',
          name: 'r',
          secretIdBoundCidrs: ['10.0.0.0/8'],
          secretIdNumUses: 0,
          secretIdTtl: '1h',
          tokenPolicies: ['a', 'b'],
          tokenTtl: '5m',
          tokenMaxTtl: '10m',
          tokenExplicitMaxTtl: '20m',
          tokenNoDefaultPolicy: true,
          tokenNumUses: 3,
          tokenType: 'service',
          tokenBoundCidrs: ['10.1.0.0/16'],
        }),
    );
    expect(Object.values(resources.vault_approle_auth_backend_role!)).toEqual([
      {
        backend: 'machines',
        role_name: 'r',
        bind_secret_id: true,
        secret_id_bound_cidrs: ['10.0.0.0/8'],
        secret_id_num_uses: 0,
        secret_id_ttl: 3600,
        token_policies: ['a', 'b'],
        token_ttl: 300,
        token_max_ttl: 600,
        token_explicit_max_ttl: 1200,
        token_no_default_policy: true,
        token_num_uses: 3,
        token_type: 'service',
        token_bound_cidrs: ['10.1.0.0/16'],
      },
    ]);
  });

  it('fails synthesis with every problem, at the construct', () => {
    const thrown = synthError(
      (s) =>
        new AppRoleRole(s, 'bad', {
          name: 'bad',
          bindSecretId: false,
          secretIdTtl: 0,
          tokenPolicies: ['root'],
          tokenType: 'batch',
          tokenPeriod: '1h',
        }),
    );
    expect(thrown).toMatch(/test\/bad/);
    for (const line of [
      "tokenPeriod: 'token_type' cannot be 'batch' or 'default_batch' when set to generate periodic tokens",
      'bindSecretId: at least one constraint should be enabled on the role',
      'secretIdTtl: secretIdTtl 0 makes secret IDs that never expire: give a TTL, e.g. "10m" for a deploy',
      'tokenPolicies: an AppRole login may not get the root policy: name the policies it needs',
    ])
      expect(thrown).toContain(line);
  });
});

describe('TokenRole', () => {
  it('synthesizes orphan, renewable and the token type always, the rest when given', () => {
    const resources = synth((s) => new TokenRole(s, 'deployer', { name: 'deployer', allowedPolicies: ['deploy'] }));
    expect(resources.vault_token_auth_backend_role).toEqual({
      deployer_role_FD4FD43A: {
        role_name: 'deployer',
        allowed_policies: ['deploy'],
        orphan: false,
        renewable: true,
        token_type: 'default-service',
      },
    });
    const full = synth(
      (s) =>
        new TokenRole(s, 't', {
          name: 't',
          allowedPolicies: ['a'],
          disallowedPolicies: ['b'],
          allowedPoliciesGlob: ['team-*'],
          disallowedPoliciesGlob: ['admin-*'],
          allowedEntityAliases: ['svc'],
          orphan: true,
          renewable: false,
          pathSuffix: 'v1.2',
          tokenPeriod: '1h',
          tokenExplicitMaxTtl: '2h',
          tokenBoundCidrs: ['10.0.0.0/8'],
          tokenNoDefaultPolicy: true,
          tokenNumUses: 5,
          tokenType: 'service',
        }),
    );
    expect(Object.values(full.vault_token_auth_backend_role!)).toEqual([
      {
        role_name: 't',
        allowed_policies: ['a'],
        disallowed_policies: ['b'],
        allowed_policies_glob: ['team-*'],
        disallowed_policies_glob: ['admin-*'],
        allowed_entity_aliases: ['svc'],
        orphan: true,
        renewable: false,
        path_suffix: 'v1.2',
        token_period: 3600,
        token_explicit_max_ttl: 7200,
        token_bound_cidrs: ['10.0.0.0/8'],
        token_no_default_policy: true,
        token_num_uses: 5,
        token_type: 'service',
      },
    ]);
  });

  it('fails synthesis with Vault’s refusals and ours', () => {
    const thrown = synthError((s) => new TokenRole(s, 'bad', { name: 'bad', tokenType: 'batch', pathSuffix: 'a..b' }));
    expect(thrown).toMatch(/test\/bad/);
    for (const line of [
      'pathSuffix: error registering path suffix: path cannot contain parent references',
      "orphan: 'token_type' cannot be 'batch' when role is set to generate non-orphan tokens",
      "renewable: 'token_type' cannot be 'batch' when role is set to generate renewable tokens",
      "allowedPolicies: name allowedPolicies (or allowedPoliciesGlob): with none, a token made with this role may get any of its creator's policies",
    ])
      expect(thrown).toContain(line);
  });
});

describe('the scenario’s delivery platform (core/scenario.ts)', () => {
  const resources = synth((stack) => {
    const approle = new AuthMethod(stack, 'approle', { ...SCENARIO_APPROLE_AUTH, type: 'approle' });
    const env = new SshEnvironment(stack, 'dev', {
      environment: 'dev',
      roles: SCENARIO_ROLES,
      deliveryPlatform: { ...SCENARIO_DELIVERY.spec, authMount: approle.path },
    });
    expect(env.deliveryPlatform!.roleId).toMatch(/^\$\{TfToken\[TOKEN\.\d+\]\}$/);
  });

  it('writes dev-delivery on the approle mount after dev-sign-automation, with its signing policy', () => {
    const roles = Object.entries(resources.vault_approle_auth_backend_role!);
    expect(roles).toHaveLength(1);
    const [id, role] = roles[0]!;
    expect(id).toMatch(/^dev_delivery_role_/);
    const policyId = Object.entries(resources.vault_policy!).find(([, p]) => p.name === 'dev-sign-automation')![0];
    expect(role).toEqual({
      backend: '${vault_auth_backend.approle_backend_05935A89.path}',
      role_name: 'dev-delivery',
      bind_secret_id: true,
      secret_id_num_uses: 1,
      secret_id_ttl: 600,
      token_policies: ['dev-sign-automation'],
      token_ttl: 900,
      token_max_ttl: 3600,
      depends_on: [`vault_policy.${policyId}`],
    });
  });

  it('refuses a signing role the environment lacks, and the AppRole rules, at synthesis', () => {
    const thrown = synthError(
      (s) =>
        new SshEnvironment(s, 'dev', {
          environment: 'dev',
          roles: SCENARIO_ROLES,
          deliveryPlatform: { signingRole: 'deployer', secretIdTtl: 0 },
        }),
    );
    expect(thrown).toContain(
      'deliveryPlatform.signingRole: signingRole "deployer" is not a role of this environment (developer, automation, emergency): name the role deploys sign with',
    );
    expect(thrown).toContain('secretIdTtl: secretIdTtl 0 makes secret IDs that never expire');
    expect(thrown).toMatch(/test\/dev\/delivery/);
  });
});
