// The JWT and identity constructs (issue 18, point 3) through real cdktf synthesis (Testing.synth, no
// Terraform binary): exact `vault_jwt_auth_backend`, `vault_jwt_auth_backend_role`,
// `vault_identity_entity` and `vault_identity_entity_alias` attributes with our defaults, the
// SshEnvironment's CI login after its signing policy, and the core validators failing synthesis with
// the messages the Pulumi providers give.

import { describe, expect, it } from 'vitest';
import type { TerraformStack } from 'cdktf';
import { synth, synthError } from '../helpers/cdktf-synth.js';
import { SCENARIO_CI_LOGIN, SCENARIO_JWT_AUTH, SCENARIO_ROLES } from '../../core/scenario.js';
import { IdentityEntity, IdentityEntityAlias, JwtAuthBackend, JwtRole, SshEnvironment } from '../../modules/index.js';

describe('the scenario’s CI login (core/scenario.ts)', () => {
  const resources = synth((stack) => {
    const jwt = new JwtAuthBackend(stack, 'jwt', SCENARIO_JWT_AUTH);
    new SshEnvironment(stack, 'dev', {
      environment: 'dev',
      roles: SCENARIO_ROLES,
      ciLogin: { ...SCENARIO_CI_LOGIN.spec, authMount: jwt.path },
    });
  });

  it('synthesizes the JWT auth method with its config', () => {
    expect(resources.vault_jwt_auth_backend).toEqual({
      jwt_backend_B86C4D3E: {
        path: 'jwt',
        type: 'jwt',
        description: 'GitLab CI job tokens',
        jwks_url: 'https://gitlab.example.com/oauth/discovery/keys',
        bound_issuer: 'https://gitlab.example.com',
      },
    });
  });

  it('synthesizes the JWT role dev-ci on that method, bound to infra/deploy on main, after dev-sign-automation', () => {
    expect(Object.keys(resources.vault_jwt_auth_backend_role ?? {})).toEqual(['dev_ci-login_role_70AC43AD']);
    expect(resources.vault_jwt_auth_backend_role!['dev_ci-login_role_70AC43AD']).toEqual({
      backend: '${vault_jwt_auth_backend.jwt_backend_B86C4D3E.path}',
      role_name: 'dev-ci',
      role_type: 'jwt',
      user_claim: 'project_path',
      bound_claims_type: 'string',
      bound_audiences: ['https://vault.example.com'],
      bound_claims: { project_path: 'infra/deploy', ref: 'main', ref_type: 'branch' },
      token_policies: ['dev-sign-automation'],
      token_ttl: 900,
      token_max_ttl: 3600,
      depends_on: ['vault_policy.dev_policy-automation_policy_8E585BEB'],
    });
  });
});

describe('standalone constructs', () => {
  it('JwtRole: every attribute, list values of bound claims joined as the provider splits them', () => {
    const resources = synth(
      (stack) =>
        new JwtRole(stack, 'ci', {
          mount: 'gitlab',
          name: 'deploy',
          boundAudiences: ['https://vault.example.com'],
          boundSubject: 'project_path:infra/deploy:ref_type:branch:ref:main',
          boundClaims: { ref: ['main', 'release'] },
          userClaim: 'sub',
          claimMappings: { pipeline_id: 'pipeline' },
          tokenPolicies: ['ci'],
          tokenTtl: '10m',
          tokenMaxTtl: '30m',
          tokenExplicitMaxTtl: '45m',
          tokenBoundCidrs: ['10.0.0.0/8'],
          expirationLeeway: -1,
          notBeforeLeeway: '30s',
          clockSkewLeeway: 10,
        }),
    );
    expect(resources.vault_jwt_auth_backend_role).toEqual({
      ci_role_59CBBC02: {
        backend: 'gitlab',
        role_name: 'deploy',
        role_type: 'jwt',
        user_claim: 'sub',
        bound_claims_type: 'string',
        bound_audiences: ['https://vault.example.com'],
        bound_subject: 'project_path:infra/deploy:ref_type:branch:ref:main',
        bound_claims: { ref: 'main,release' },
        claim_mappings: { pipeline_id: 'pipeline' },
        token_policies: ['ci'],
        token_bound_cidrs: ['10.0.0.0/8'],
        token_ttl: 600,
        token_max_ttl: 1800,
        token_explicit_max_ttl: 2700,
        expiration_leeway: -1,
        not_before_leeway: 30,
        clock_skew_leeway: 10,
      },
    });
  });

  it('IdentityEntity and IdentityEntityAlias on the JWT method’s accessor', () => {
    const resources = synth((stack) => {
      const jwt = new JwtAuthBackend(stack, 'jwt', {
        jwtValidationPubkeys: ['-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA\n-----END PUBLIC KEY-----\n'],
        boundIssuer: 'https://gitlab.example.com',
        defaultRole: 'dev-ci',
      });
      const entity = new IdentityEntity(stack, 'deploy', {
        name: 'ci-infra-deploy',
        metadata: { team: 'infra' },
        policies: ['ci-extra'],
      });
      new IdentityEntityAlias(stack, 'deploy-alias', {
        name: 'infra/deploy',
        canonicalId: entity.id,
        mountAccessor: jwt.accessor,
      });
    });
    expect(resources.vault_jwt_auth_backend).toEqual({
      jwt_backend_B86C4D3E: {
        path: 'jwt',
        type: 'jwt',
        jwt_validation_pubkeys: ['-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA\n-----END PUBLIC KEY-----\n'],
        bound_issuer: 'https://gitlab.example.com',
        default_role: 'dev-ci',
      },
    });
    expect(resources.vault_identity_entity).toEqual({
      deploy_entity_01554156: { name: 'ci-infra-deploy', metadata: { team: 'infra' }, policies: ['ci-extra'] },
    });
    expect(resources.vault_identity_entity_alias).toEqual({
      'deploy-alias_7A39E274': {
        name: 'infra/deploy',
        canonical_id: '${vault_identity_entity.deploy_entity_01554156.id}',
        mount_accessor: '${vault_jwt_auth_backend.jwt_backend_B86C4D3E.accessor}',
      },
    });
  });
});

describe('validation from the core validators', () => {
  it.each([
    [
      'a JWT role bound by audience only',
      (s: TerraformStack) => new JwtRole(s, 'ci', { name: 'ci', boundAudiences: ['a'], userClaim: 'sub' }),
      '[test/ci] boundClaims: bind the jobs this role admits: give boundClaims (e.g. project_path and ref) or boundSubject; an audience alone admits every job of the issuer',
    ],
    [
      'a * glob bound claim',
      (s: TerraformStack) =>
        new JwtRole(s, 'ci', {
          name: 'ci',
          boundClaimsType: 'glob',
          boundClaims: { ref: '*' },
          userClaim: 'sub',
        }),
      'boundClaims: bound claim ref value "*" is a glob with *: it admits any value there; set allowWildcardBoundClaims to mean it, or bind exact values with boundClaimsType "string"',
    ],
    [
      'a JWKS URL in clear',
      (s: TerraformStack) =>
        new JwtAuthBackend(s, 'jwt', { jwksUrl: 'http://gitlab.example.com/keys', boundIssuer: 'x' }),
      'jwksUrl: invalid jwksUrl "http://gitlab.example.com/keys": use an https:// URL',
    ],
    [
      'an entity with the root policy',
      (s: TerraformStack) => new IdentityEntity(s, 'e', { name: 'ci', policies: ['root'] }),
      'policies: policies cannot contain root',
    ],
    [
      'a CI login signing with a role the environment lacks',
      (s: TerraformStack) =>
        new SshEnvironment(s, 'dev', {
          environment: 'dev',
          roles: { developer: SCENARIO_ROLES.developer },
          ciLogin: { ...SCENARIO_CI_LOGIN.spec },
        }),
      'ciLogin.signingRole: signingRole "automation" is not a role of this environment (developer): name the role CI jobs sign with',
    ],
  ])('%s fails synthesis', (_label, build, message) => {
    expect(synthError(build)).toContain(message);
  });

  it('accepts a glob * when asked for', () => {
    expect(
      synthError(
        (s) =>
          new JwtRole(s, 'ci', {
            name: 'ci',
            boundClaimsType: 'glob',
            boundClaims: { ref: 'release/*' },
            allowWildcardBoundClaims: true,
            userClaim: 'sub',
          }),
      ),
    ).toBeUndefined();
  });
});
