// Same spec, same backend state, for the JWT and identity resources (issue 18, point 3): the
// attributes the CDKTF constructs synthesize, sent the way the Terraform Vault provider sends them,
// write the same JWT auth config, JWT role, entity and alias as the Pulumi providers do — checked on
// the embedded server by reading both back. The provider's bodies, as far as they are known here
// (terraform-provider-vault's jwt_auth_backend, jwt_auth_backend_role, identity_entity and
// identity_entity_alias resources): every attribute as synthesized, the role's token_* settings and
// leeways always (zero when unset), the bound claims' comma-separated values split into lists.

import { generateKeyPairSync } from 'node:crypto';
import { VaultProvider } from '@cdktf/provider-vault/lib/provider/index.js';
import { Testing, TerraformStack } from 'cdktf';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { JwtRoleSpec } from '../../core/jwt-role-spec.js';
import { IdentityEntity, IdentityEntityAlias, JwtAuthBackend, JwtRole } from '../../modules/index.js';
import { identityEntityAliasProvider } from '../../providers/identity-entity-alias.js';
import { identityEntityProvider } from '../../providers/identity-entity.js';
import { jwtAuthBackendProvider } from '../../providers/jwt-auth-backend.js';
import { jwtRoleProvider } from '../../providers/jwt-role.js';
import { startTestServer, type TestServer } from '../helpers/vault-server.js';

let backend: TestServer;
beforeAll(async () => {
  backend = await startTestServer();
});
afterAll(() => backend?.close());

const PEM = generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }).toString();

/** A role that sets every member to a value other than its default. */
const EVERY_FIELD: JwtRoleSpec = {
  boundAudiences: ['https://vault.example.com', 'https://vault.internal'],
  boundSubject: 'project_path:infra/deploy:ref_type:branch:ref:main',
  boundClaims: { project_path: 'infra/deploy', ref: ['main', 'release'] },
  boundClaimsType: 'glob',
  userClaim: 'project_path',
  claimMappings: { pipeline_id: 'pipeline', ref: 'branch' },
  tokenPolicies: ['dev-sign-automation', 'ci-read'],
  tokenTtl: '10m',
  tokenMaxTtl: '30m',
  tokenExplicitMaxTtl: '45m',
  tokenBoundCidrs: ['10.0.0.0/8'],
  expirationLeeway: -1,
  notBeforeLeeway: '30s',
  clockSkewLeeway: 10,
};

const snakeAttrs = (synthesized: Record<string, Record<string, unknown>>) => {
  const { '//': _meta, ...attrs } = Object.values(synthesized)[0]!;
  return attrs as Record<string, unknown>;
};

/** The role body terraform-provider-vault sends for these attributes. */
function terraformRoleBody(a: Record<string, unknown>): Record<string, unknown> {
  const { backend: _b, role_name: _n, ...rest } = a;
  const body: Record<string, unknown> = {
    token_ttl: 0,
    token_max_ttl: 0,
    token_explicit_max_ttl: 0,
    token_bound_cidrs: [],
    token_policies: [],
    expiration_leeway: 0,
    not_before_leeway: 0,
    clock_skew_leeway: 0,
    ...rest,
  };
  if (body.bound_claims) {
    body.bound_claims = Object.fromEntries(
      Object.entries(body.bound_claims as Record<string, string>).map(([k, v]) => {
        const parts = v.split(',').map((p) => p.trim());
        return [k, parts.length > 1 ? parts : v];
      }),
    );
  }
  return body;
}

const conn = () => ({ address: backend.url, token: backend.token });
const read = async (path: string) => (await backend.request('GET', path)).json.data;

it('writes the same JWT auth config and role through the CDKTF constructs and the Pulumi providers', async () => {
  const stack = new TerraformStack(Testing.app(), 'parity');
  new VaultProvider(stack, 'vault', {});
  new JwtAuthBackend(stack, 'jwt', {
    path: 'jwt-terraform',
    jwtValidationPubkeys: [PEM],
    boundIssuer: 'https://gitlab.example.com',
    defaultRole: 'ci',
  });
  new JwtRole(stack, 'role', { ...EVERY_FIELD, allowWildcardBoundClaims: true, mount: 'jwt-terraform', name: 'ci' });
  const json = JSON.parse(Testing.synth(stack, true)).resource;

  // Terraform: sys/auth with the type and description, then the config with its attributes.
  const method = snakeAttrs(json.vault_jwt_auth_backend);
  const { path, type, ...config } = method;
  expect((await backend.request('POST', `/v1/sys/auth/${String(path)}`, { type })).status).toBe(204);
  expect((await backend.request('POST', `/v1/auth/${String(path)}/config`, config)).status).toBe(204);
  const role = snakeAttrs(json.vault_jwt_auth_backend_role);
  expect((await backend.request('POST', '/v1/auth/jwt-terraform/role/ci', terraformRoleBody(role))).status).toBe(204);

  // Pulumi.
  await jwtAuthBackendProvider.create({
    ...conn(),
    path: 'jwt-pulumi',
    jwtValidationPubkeys: [PEM],
    boundIssuer: 'https://gitlab.example.com',
    defaultRole: 'ci',
  });
  await jwtRoleProvider.create({ ...conn(), ...EVERY_FIELD, mount: 'jwt-pulumi', name: 'ci' });

  expect(await read('/v1/auth/jwt-terraform/config')).toEqual(await read('/v1/auth/jwt-pulumi/config'));
  const fromPulumi = await read('/v1/auth/jwt-pulumi/role/ci');
  expect(await read('/v1/auth/jwt-terraform/role/ci')).toEqual(fromPulumi);
  expect(fromPulumi).toMatchObject({
    bound_claims: { project_path: 'infra/deploy', ref: ['main', 'release'] },
    bound_claims_type: 'glob',
    token_ttl: 600,
    token_max_ttl: 1800,
    token_explicit_max_ttl: 2700,
    expiration_leeway: -1,
    not_before_leeway: 30,
    clock_skew_leeway: 10,
  });
});

it('writes the same entity and alias through the CDKTF constructs and the Pulumi providers', async () => {
  await backend.request('POST', '/v1/sys/auth/jwt', { type: 'jwt' });
  const accessor = (await read('/v1/sys/auth'))['jwt/'].accessor as string;
  const spec = { metadata: { team: 'infra' }, policies: ['ci-extra'], disabled: true };

  const stack = new TerraformStack(Testing.app(), 'parity-identity');
  new VaultProvider(stack, 'vault', {});
  const entity = new IdentityEntity(stack, 'entity', { ...spec, name: 'from-terraform' });
  new IdentityEntityAlias(stack, 'alias', { name: 'infra/terraform', canonicalId: entity.id, mountAccessor: accessor });
  const json = JSON.parse(Testing.synth(stack, true)).resource;
  const created = await backend.request('POST', '/v1/identity/entity', snakeAttrs(json.vault_identity_entity));
  const terraformId = created.json.data.id as string;
  const aliasAttrs = { ...snakeAttrs(json.vault_identity_entity_alias), canonical_id: terraformId };
  const terraformAlias = (await backend.request('POST', '/v1/identity/entity-alias', aliasAttrs)).json.data.id;

  const pulumiEntity = await identityEntityProvider.create({ ...conn(), ...spec, name: 'from-pulumi' });
  const pulumiAlias = await identityEntityAliasProvider.create({
    ...conn(),
    name: 'infra/pulumi',
    canonicalId: pulumiEntity.id,
    mountAccessor: accessor,
  });

  const pick = (e: Record<string, unknown>) => ({ metadata: e.metadata, policies: e.policies, disabled: e.disabled });
  expect(pick(await read(`/v1/identity/entity/id/${terraformId}`))).toEqual(
    pick(await read(`/v1/identity/entity/id/${pulumiEntity.id}`)),
  );
  const aliasOf = async (id: string) => {
    const a = await read(`/v1/identity/entity-alias/id/${id}`);
    return { mount_accessor: a.mount_accessor, mount_path: a.mount_path, metadata: a.metadata };
  };
  expect(await aliasOf(terraformAlias)).toEqual(await aliasOf(pulumiAlias.id));
  expect((await read(`/v1/identity/entity/id/${pulumiEntity.id}`)).aliases).toMatchObject([
    { id: pulumiAlias.id, name: 'infra/pulumi', mount_path: 'auth/jwt/' },
  ]);
});
