// JwtAuthBackend, JwtRole, IdentityEntity and IdentityEntityAlias through Pulumi's own
// dynamic-provider server (the serialized provider text the engine stores as `__provider`, driven
// over gRPC), against the embedded server over HTTP, with a local JWKS endpoint (real HTTP on
// loopback) standing in for GitLab's: check, create, diff, update, read (refresh) and delete, the
// backend's state read back, and a GitLab job token signed by the test's key logging in to the role
// the providers wrote, as the entity they made (issue 18, point 3).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { identityEntityAliasProvider } from '../../providers/identity-entity-alias.js';
import { identityEntityProvider } from '../../providers/identity-entity.js';
import { jwtAuthBackendProvider } from '../../providers/jwt-auth-backend.js';
import { jwtRoleProvider } from '../../providers/jwt-role.js';
import { serializeProvider, startProviderServer, type ProviderServer } from '../helpers/pulumi.js';
import { startTestServer, type TestServer } from '../helpers/vault-server.js';
import {
  gitlabClaims,
  makeKey,
  signJwt,
  startJwksServer,
  type JwksServer,
  type TestKey,
} from '../server/auth/jwt-helpers.js';

const urn = (type: string, name: string) => `urn:pulumi:dev::test::pulumi-nodejs:dynamic/vault-ssh-ca:${type}::${name}`;
let backend: TestServer;
let grpc: ProviderServer;
let jwks: JwksServer;
let key: TestKey;
const texts: Record<string, string> = {};

beforeAll(async () => {
  backend = await startTestServer();
  key = makeKey('gitlab-1', 'ES256');
  jwks = await startJwksServer([key]);
  const providers = {
    backend: jwtAuthBackendProvider,
    role: jwtRoleProvider,
    entity: identityEntityProvider,
    alias: identityEntityAliasProvider,
  };
  for (const [k, p] of Object.entries(providers)) texts[k] = await serializeProvider(p);
  grpc = await startProviderServer();
});

afterAll(async () => {
  await grpc?.stop();
  await backend?.close();
  await jwks?.close();
});

const conn = (kind: string) => ({ __provider: texts[kind]!, address: backend.url, token: backend.token });
const get = async (path: string) => (await backend.request('GET', path)).json?.data;

/** The role the scenario's CI login writes (core/scenario.ts), as JwtRole inputs. */
const ROLE = {
  mount: 'jwt',
  name: 'dev-ci',
  boundAudiences: ['https://vault.example.com'],
  boundClaims: { project_path: 'infra/deploy', ref: 'main', ref_type: 'branch' },
  userClaim: 'project_path',
  tokenPolicies: ['dev-sign-automation'],
};

describe('serialized providers', () => {
  it('capture no token or key', () => {
    for (const text of Object.values(texts)) {
      expect(text).not.toContain(backend.token);
      expect(text).not.toMatch(/-----BEGIN [A-Z ]*PRIVATE KEY-----/);
    }
  });
});

describe('JwtAuthBackend', () => {
  it('enables the method with its config, updates the config in place, refreshes, replaces on path, deletes', async () => {
    const inputs = { ...conn('backend'), jwksUrl: jwks.url, boundIssuer: 'https://gitlab.example.com' };
    expect((await grpc.check(urn('JwtAuthBackend', 'jwt'), {}, inputs)).failures).toEqual([]);
    const { id, outs } = await grpc.create(urn('JwtAuthBackend', 'jwt'), inputs);
    expect(id).toBe('jwt');
    expect(outs.accessor).toMatch(/^auth_jwt_[0-9a-f]{8}$/);
    expect((await get('/v1/sys/auth'))['jwt/']).toMatchObject({ type: 'jwt', accessor: outs.accessor });
    expect(await get('/v1/auth/jwt/config')).toMatchObject({
      jwks_url: jwks.url,
      jwks_ca_pem: '',
      jwt_validation_pubkeys: [],
      bound_issuer: 'https://gitlab.example.com',
      default_role: '',
    });
    // Local keys instead of the JWKS URL, and a default role: the config is replaced in place.
    const next = { ...inputs, jwksUrl: undefined, jwtValidationPubkeys: [key.publicPem], defaultRole: 'dev-ci' };
    delete (next as { jwksUrl?: string }).jwksUrl;
    expect(await grpc.diff(urn('JwtAuthBackend', 'jwt'), id, outs, next)).toEqual({
      changes: 2,
      replaces: [],
      deleteBeforeReplace: false,
    });
    const updated = await grpc.update(urn('JwtAuthBackend', 'jwt'), id, outs, next);
    expect(updated.accessor).toBe(outs.accessor);
    expect(await get('/v1/auth/jwt/config')).toMatchObject({
      jwks_url: '',
      jwt_validation_pubkeys: [key.publicPem.trim()], // Vault's list type trims each entry
      default_role: 'dev-ci',
    });
    expect((await grpc.read(urn('JwtAuthBackend', 'jwt'), id, updated)).props).toEqual(updated);
    // Changed outside Pulumi: the refresh shows the backend's issuer.
    await backend.request('POST', '/v1/auth/jwt/config', {
      jwt_validation_pubkeys: [key.publicPem],
      bound_issuer: 'https://other.example.com',
      default_role: 'dev-ci',
    });
    expect((await grpc.read(urn('JwtAuthBackend', 'jwt'), id, updated)).props.boundIssuer).toBe(
      'https://other.example.com',
    );
    expect((await grpc.diff(urn('JwtAuthBackend', 'jwt'), id, outs, { ...next, path: 'gitlab' })).replaces).toEqual([
      'path',
    ]);
    await grpc.delete(urn('JwtAuthBackend', 'jwt'), id, updated);
    expect((await get('/v1/sys/auth'))['jwt/']).toBeUndefined();
  });

  it('leaves no method behind when the backend refuses the config', async () => {
    const inputs = { ...conn('backend'), path: 'jwt-bad', jwksUrl: `${jwks.url}-missing`, boundIssuer: 'x' };
    await expect(grpc.create(urn('JwtAuthBackend', 'bad'), inputs)).rejects.toThrow(
      `error checking jwks URL ${jwks.url}-missing`,
    );
    expect((await get('/v1/sys/auth'))['jwt-bad/']).toBeUndefined();
  });

  it('check reports every problem with its input', async () => {
    const inputs = { ...conn('backend'), path: 'token', jwksUrl: 'http://gitlab.example.com/keys' };
    expect((await grpc.check(urn('JwtAuthBackend', 'x'), {}, inputs)).failures).toEqual([
      { property: 'path', reason: 'token credential backend cannot be instantiated' },
      {
        property: 'jwksUrl',
        reason:
          'invalid jwksUrl "http://gitlab.example.com/keys": use an https:// URL (http:// only for a loopback address): the keys that admit jobs must not travel in clear',
      },
      {
        property: 'boundIssuer',
        reason:
          'give boundIssuer, the iss job tokens must carry (e.g. https://gitlab.example.com): without it any issuer the keys sign for is accepted',
      },
    ]);
  });
});

describe('JwtRole, IdentityEntity, IdentityEntityAlias', () => {
  it('a GitLab job of infra/deploy on main logs in to the role as the entity the providers made', async () => {
    const method = await grpc.create(urn('JwtAuthBackend', 'jwt'), {
      ...conn('backend'),
      jwksUrl: jwks.url,
      boundIssuer: 'https://gitlab.example.com',
    });
    // The role: check, create, read back with our defaults (15 m / 1 h tokens).
    const inputs = { ...conn('role'), ...ROLE };
    expect((await grpc.check(urn('JwtRole', 'ci'), {}, inputs)).failures).toEqual([]);
    const role = await grpc.create(urn('JwtRole', 'ci'), inputs);
    expect(role.id).toBe('auth/jwt/role/dev-ci');
    expect(await get('/v1/auth/jwt/role/dev-ci')).toMatchObject({
      role_type: 'jwt',
      bound_audiences: ['https://vault.example.com'],
      bound_subject: '',
      bound_claims_type: 'string',
      bound_claims: { project_path: 'infra/deploy', ref: 'main', ref_type: 'branch' },
      claim_mappings: {},
      user_claim: 'project_path',
      token_policies: ['dev-sign-automation'],
      token_ttl: 900,
      token_max_ttl: 3600,
      token_explicit_max_ttl: 0,
      token_bound_cidrs: [],
      expiration_leeway: 0,
      not_before_leeway: 0,
      clock_skew_leeway: 0,
    });
    expect((await grpc.read(urn('JwtRole', 'ci'), role.id, role.outs)).props).toEqual(role.outs);
    expect((await grpc.diff(urn('JwtRole', 'ci'), role.id, role.outs, { ...inputs, tokenTtl: 900 })).changes).toBe(1);

    // The entity and its alias: the job's user claim (its project) on the method's accessor.
    const entity = await grpc.create(urn('IdentityEntity', 'deploy'), {
      ...conn('entity'),
      name: 'ci-infra-deploy',
      metadata: { team: 'infra' },
      policies: ['ci-extra'],
    });
    expect(entity.id).toMatch(/^[0-9a-f-]{36}$/);
    const alias = await grpc.create(urn('IdentityEntityAlias', 'deploy'), {
      ...conn('alias'),
      name: 'infra/deploy',
      canonicalId: entity.id,
      mountAccessor: method.outs.accessor,
    });
    expect(await get(`/v1/identity/entity-alias/id/${alias.id}`)).toMatchObject({
      name: 'infra/deploy',
      canonical_id: entity.id,
      mount_accessor: method.outs.accessor,
      mount_path: 'auth/jwt/',
    });

    const now = Math.floor(Date.now() / 1000);
    const login = async (claims: Record<string, unknown>) =>
      backend.request('POST', '/v1/auth/jwt/login', { role: 'dev-ci', jwt: await signJwt(key, claims) }, null);
    const ok = await login(gitlabClaims(now));
    expect(ok.status).toBe(200);
    expect(ok.json.auth).toMatchObject({
      entity_id: entity.id,
      token_policies: ['default', 'dev-sign-automation'],
      identity_policies: ['ci-extra'],
      lease_duration: 900,
    });
    // Another branch, another project: bound claims refuse them.
    expect((await login(gitlabClaims(now, { ref: 'feature-x', ref_path: 'refs/heads/feature-x' }))).json).toEqual({
      errors: ['error validating claims: claim "ref" does not match any associated bound claim values'],
    });

    // Updates in place: a second branch; the entity's policies; the alias moves to a new name.
    const next = { ...inputs, boundClaims: { ...ROLE.boundClaims, ref: ['main', 'release'] } };
    expect((await grpc.diff(urn('JwtRole', 'ci'), role.id, role.outs, next)).changes).toBe(2);
    await grpc.update(urn('JwtRole', 'ci'), role.id, role.outs, next);
    expect((await get('/v1/auth/jwt/role/dev-ci')).bound_claims.ref).toEqual(['main', 'release']);
    const nextEntity = { ...entity.outs, policies: [] };
    expect((await grpc.diff(urn('IdentityEntity', 'deploy'), entity.id, entity.outs, nextEntity)).replaces).toEqual([]);
    await grpc.update(urn('IdentityEntity', 'deploy'), entity.id, entity.outs, nextEntity);
    expect((await get(`/v1/identity/entity/id/${entity.id}`)).policies).toEqual([]);
    expect((await grpc.read(urn('IdentityEntity', 'deploy'), entity.id, nextEntity)).props).toEqual(nextEntity);
    const nextAlias = { ...alias.outs, name: 'infra/deploy-2' };
    await grpc.update(urn('IdentityEntityAlias', 'deploy'), alias.id, alias.outs, nextAlias);
    expect((await get(`/v1/identity/entity-alias/id/${alias.id}`)).name).toBe('infra/deploy-2');
    expect((await grpc.read(urn('IdentityEntityAlias', 'deploy'), alias.id, nextAlias)).props).toEqual(nextAlias);

    // Changed outside Pulumi: the refresh shows the backend's role.
    await backend.request('POST', '/v1/auth/jwt/role/dev-ci', { role_type: 'jwt', token_ttl: '5m' });
    expect((await grpc.read(urn('JwtRole', 'ci'), role.id, next)).props).toMatchObject({ tokenTtl: 300 });

    // Deletes.
    await grpc.delete(urn('IdentityEntityAlias', 'deploy'), alias.id, nextAlias);
    expect((await backend.request('GET', `/v1/identity/entity-alias/id/${alias.id}`)).status).toBe(404);
    await grpc.delete(urn('IdentityEntity', 'deploy'), entity.id, nextEntity);
    expect((await backend.request('GET', `/v1/identity/entity/id/${entity.id}`)).status).toBe(404);
    await grpc.delete(urn('JwtRole', 'ci'), role.id, next);
    expect((await backend.request('GET', '/v1/auth/jwt/role/dev-ci')).status).toBe(404);
    expect((await grpc.read(urn('JwtRole', 'ci'), role.id, next)).id).toBe('');
    await grpc.delete(urn('JwtAuthBackend', 'jwt'), method.id, method.outs);
  });

  it('check reports Vault’s refusals and ours with their inputs', async () => {
    const failures = async (type: string, kind: string, inputs: Record<string, unknown>) =>
      (await grpc.check(urn(type, 'x'), {}, { ...conn(kind), ...inputs })).failures;
    expect(
      await failures('JwtRole', 'role', {
        name: 'ci',
        boundAudiences: ['https://vault.example.com'],
        boundClaimsType: 'glob',
        boundClaims: { project_path: 'infra/*' },
        userClaim: '',
        tokenTtl: '2h',
      }),
    ).toEqual([
      { property: 'userClaim', reason: 'a user claim must be defined on the role' },
      {
        property: 'boundClaims',
        reason:
          'bound claim project_path value "infra/*" is a glob with *: it admits any value there; set allowWildcardBoundClaims to mean it, or bind exact values with boundClaimsType "string"',
      },
    ]);
    expect(
      await failures('JwtRole', 'role', { name: 'ci', boundAudiences: ['a'], userClaim: 'sub', tokenTtl: '2h' }),
    ).toEqual([
      { property: 'tokenTtl', reason: 'ttl should not be greater than max ttl' },
      {
        property: 'boundClaims',
        reason:
          'bind the jobs this role admits: give boundClaims (e.g. project_path and ref) or boundSubject; an audience alone admits every job of the issuer',
      },
    ]);
    expect(await failures('IdentityEntity', 'entity', { name: 'ci', policies: ['root'] })).toEqual([
      { property: 'policies', reason: 'policies cannot contain root' },
    ]);
    expect(
      await failures('IdentityEntityAlias', 'alias', { name: 'infra/deploy', mountAccessor: 'auth_jwt_1' }),
    ).toEqual([
      {
        property: 'canonicalId',
        reason: 'give canonicalId, the id of the entity the alias belongs to: without it each write makes a new entity',
      },
    ]);
  });
});
