// The JWT auth method over real HTTP (issue 18, point 2): config, roles and login against a local
// JWKS endpoint (node:http on loopback) and against jwt_validation_pubkeys, with job tokens the test
// signs itself (GitLab CI id_tokens and GitHub Actions claim shapes). The server's clock is fixed, so
// every time rule is exact. Every refusal is checked with Vault's message and status.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { makeScratchDir, removeScratchDir } from '../../helpers/scratch.js';
import { mountSshCa, startTestServer, type TestServer } from '../../helpers/vault-server.js';
import {
  githubClaims,
  gitlabClaims,
  makeKey,
  signJwt,
  startJwksServer,
  unsignedJwt,
  type JwksServer,
  type TestKey,
} from './jwt-helpers.js';

const NOW_MS = Date.UTC(2027, 0, 15, 8, 0, 0);
const NOW = NOW_MS / 1000;

let rsa: TestKey;
let ec: TestKey;
let ed: TestKey;
let jwks: JwksServer;
let server: TestServer;
let nowMs: number;

beforeAll(async () => {
  rsa = makeKey('gitlab-1', 'RS256');
  ec = makeKey('gitlab-2', 'ES256');
  ed = makeKey('static-ed', 'EdDSA');
  jwks = await startJwksServer([rsa]);
});

afterAll(() => jwks?.close());

beforeEach(async () => {
  nowMs = NOW_MS;
  jwks.keys = [rsa];
  server = await startTestServer({ clock: () => nowMs });
  expect((await server.request('POST', '/v1/sys/auth/jwt', { type: 'jwt' })).status).toBe(204);
});

afterEach(() => server.close());

const ok = async (method: string, path: string, body?: unknown) => {
  const r = await server.request(method, path, body);
  if (r.status >= 300) throw new Error(`${method} ${path} answered ${r.status}: ${r.body}`);
  return r;
};

const configureJwks = (extra: Record<string, unknown> = {}) =>
  ok('POST', '/v1/auth/jwt/config', { jwks_url: jwks.url, bound_issuer: 'https://gitlab.example.com', ...extra });

/** The GitLab deploy role: main branch of infra/deploy, audience vault.example.com. */
const GITLAB_ROLE = {
  role_type: 'jwt',
  user_claim: 'user_login',
  bound_audiences: 'https://vault.example.com',
  bound_claims: { project_path: 'infra/deploy', ref: 'main', ref_type: 'branch' },
  claim_mappings: { project_path: 'project', ref: 'branch', namespace_path: 'namespace' },
  token_policies: 'ci-deploy',
  token_ttl: '10m',
  token_max_ttl: '30m',
};

/** Log in over HTTP without a token; `role: null` sends no role. */
const login = (jwt: string, role: string | null = 'ci', mount = 'jwt') =>
  server.request('POST', `/v1/auth/${mount}/login`, { ...(role === null ? {} : { role }), jwt }, null);

const errorsOf = async (p: ReturnType<typeof login>) => {
  const r = await p;
  return { status: r.status, errors: r.json?.errors };
};

describe('sys/auth: the jwt type', () => {
  it('is listed with its accessor, and oidc mounts are the same method', async () => {
    expect((await server.request('POST', '/v1/sys/auth/oidc', { type: 'oidc' })).status).toBe(204);
    const r = await server.request('GET', '/v1/sys/auth');
    expect(r.json.data['jwt/']).toMatchObject({ type: 'jwt', description: '', local: false });
    expect(r.json.data['jwt/'].accessor).toMatch(/^auth_jwt_[0-9a-f]{8}$/);
    expect(r.json.data['oidc/']).toMatchObject({ type: 'oidc' });
    expect(
      (await server.request('POST', '/v1/auth/oidc/config', { jwt_validation_pubkeys: [rsa.publicPem] })).status,
    ).toBe(204);
  });
});

describe('config', () => {
  it('needs exactly one key source', async () => {
    const message =
      "exactly one of 'jwt_validation_pubkeys', 'jwks_url', 'jwks_pairs' or 'oidc_discovery_url' must be set";
    expect((await server.request('POST', '/v1/auth/jwt/config', { bound_issuer: 'x' })).json).toEqual({
      errors: [message],
    });
    expect(
      (
        await server.request('POST', '/v1/auth/jwt/config', {
          jwks_url: jwks.url,
          jwt_validation_pubkeys: [rsa.publicPem],
        })
      ).json,
    ).toEqual({ errors: [message] });
    expect(
      (await server.request('POST', '/v1/auth/jwt/config', { oidc_discovery_url: 'https://x.example' })).json,
    ).toEqual({
      errors: ["'oidc_discovery_url' is not supported by this server: set 'jwks_url' or 'jwt_validation_pubkeys'"],
    });
  });

  it("checks the JWKS URL, the CA PEM, the public keys and the algorithms with Vault's messages", async () => {
    const down = 'http://127.0.0.1:1/jwks';
    const cases: [Record<string, unknown>, string][] = [
      [{ jwks_url: down }, `error checking jwks URL ${down}`],
      [
        { jwks_url: jwks.url.replace('/jwks', '/nothing') },
        `error checking jwks URL ${jwks.url.replace('/jwks', '/nothing')}`,
      ],
      [{ jwks_url: jwks.url, jwks_ca_pem: 'not a pem' }, 'error checking jwks_ca_pem'],
      [
        { jwt_validation_pubkeys: ['not a pem'] },
        'error parsing public key: data does not contain any valid public keys',
      ],
      [
        { jwt_validation_pubkeys: [`${rsa.publicPem}\ntrailing`] },
        'error parsing public key: unexpected trailing data after parsed PEM block',
      ],
      [
        { jwks_url: jwks.url, jwt_supported_algs: 'RS256,HS256' },
        'invalid jwt_supported_algs: unsupported signing algorithm "HS256"',
      ],
      [
        { jwks_url: jwks.url, jwt_supported_algs: 'none' },
        'invalid jwt_supported_algs: unsupported signing algorithm "none"',
      ],
    ];
    for (const [body, message] of cases) {
      const r = await server.request('POST', '/v1/auth/jwt/config', body);
      expect([r.status, r.json], JSON.stringify(body)).toEqual([400, { errors: [message] }]);
    }
  });

  it('reads back in Vault’s shape (404 before a write); each write replaces the whole config', async () => {
    expect((await server.request('GET', '/v1/auth/jwt/config')).status).toBe(404);
    await configureJwks({ default_role: 'CI', jwt_supported_algs: ['RS256', 'ES256'] });
    expect((await server.request('GET', '/v1/auth/jwt/config')).json.data).toEqual({
      oidc_discovery_url: '',
      oidc_discovery_ca_pem: '',
      oidc_client_id: '',
      oidc_response_mode: '',
      oidc_response_types: [],
      default_role: 'ci',
      jwt_validation_pubkeys: [],
      jwt_supported_algs: ['RS256', 'ES256'],
      jwks_url: jwks.url,
      jwks_pairs: [],
      jwks_ca_pem: '',
      bound_issuer: 'https://gitlab.example.com',
      provider_config: {},
      namespace_in_state: true,
      unsupported_critical_cert_extensions: [],
    });
    await ok('POST', '/v1/auth/jwt/config', { jwt_validation_pubkeys: [rsa.publicPem] });
    const data = (await server.request('GET', '/v1/auth/jwt/config')).json.data;
    expect([data.jwks_url, data.bound_issuer, data.default_role, data.jwt_validation_pubkeys]).toEqual([
      '',
      '',
      '',
      [rsa.publicPem.trim()],
    ]);
  });

  it('needs sudo-free update on auth/jwt/config: a token without a policy for it is refused', async () => {
    const t = (await ok('POST', '/v1/auth/token/create', { policies: 'default' })).json.auth.client_token;
    expect((await server.request('POST', '/v1/auth/jwt/config', { jwks_url: jwks.url }, t)).status).toBe(403);
  });
});

describe('roles', () => {
  beforeEach(() => configureJwks());

  it("refuses bad roles with Vault's messages", async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ role_type: 'saml', user_claim: 'sub', bound_subject: 'x' }, "invalid 'role_type': saml"],
      [{ role_type: 'jwt', bound_subject: 'x' }, 'a user claim must be defined on the role'],
      [
        { role_type: 'jwt', user_claim: 'sub' },
        'must have at least one bound constraint when creating/updating a role',
      ],
      [
        { user_claim: 'sub', bound_subject: 'x' },
        "'allowed_redirect_uris' must be set if 'role_type' is 'oidc' or unspecified.",
      ],
      [
        { role_type: 'jwt', user_claim: 'sub', bound_subject: 'x', bound_claims_type: 'regex' },
        "invalid 'bound_claims_type': regex",
      ],
      [
        { role_type: 'jwt', user_claim: 'sub', bound_claims_type: 'glob', bound_claims: { ref: ['main', 7] } },
        'claim is not a string: 7',
      ],
      [
        { role_type: 'jwt', user_claim: 'sub', bound_claims_type: 'glob', bound_claims: { ref: { a: 'b' } } },
        'claim is not a string or list: map[a:b]',
      ],
      [
        { role_type: 'jwt', user_claim: 'sub', bound_subject: 'x', claim_mappings: { ref: 'role' } },
        'metadata key "role" is reserved and may not be a mapping destination',
      ],
      [
        { role_type: 'jwt', user_claim: 'sub', bound_subject: 'x', claim_mappings: { ref: 'b', ref_type: 'b' } },
        'multiple keys are mapped to metadata key "b"',
      ],
      [
        { role_type: 'jwt', user_claim: 'sub', bound_subject: 'x', token_ttl: '2h', token_max_ttl: '1h' },
        'ttl should not be greater than max ttl',
      ],
      [
        { role_type: 'jwt', user_claim: 'sub', bound_subject: 'x', token_period: '800h' },
        `'period' of '"800h0m0s"' is greater than the backend's maximum lease TTL of '"768h0m0s"'`,
      ],
      [
        { role_type: 'jwt', user_claim: 'sub', bound_subject: 'x', expiration_leeway: 'soon' },
        'Field validation failed: error converting input soon for field "expiration_leeway": time: invalid duration "soon"',
      ],
    ];
    for (const [body, message] of cases) {
      const r = await server.request('POST', '/v1/auth/jwt/role/ci', body);
      expect([r.status, r.json], JSON.stringify(body)).toEqual([400, { errors: [message] }]);
    }
    expect((await server.request('LIST', '/v1/auth/jwt/role')).status).toBe(404);
  });

  it('accepts a token_bound_cidrs role as bound, reads roles back and lists them', async () => {
    await ok('POST', '/v1/auth/jwt/role/CI', GITLAB_ROLE);
    await ok('POST', '/v1/auth/jwt/role/cidr-only', {
      role_type: 'jwt',
      user_claim: 'sub',
      token_bound_cidrs: '10.0.0.0/8',
    });
    await ok('POST', '/v1/auth/jwt/role/web', {
      user_claim: 'email',
      allowed_redirect_uris: 'https://vault.example.com/cb',
    });
    expect((await server.request('LIST', '/v1/auth/jwt/role')).json.data).toEqual({ keys: ['ci', 'cidr-only', 'web'] });
    expect((await server.request('GET', '/v1/auth/jwt/role/ci')).json.data).toEqual({
      role_type: 'jwt',
      expiration_leeway: 0,
      not_before_leeway: 0,
      clock_skew_leeway: 0,
      bound_audiences: ['https://vault.example.com'],
      bound_subject: '',
      bound_claims_type: 'string',
      bound_claims: { project_path: 'infra/deploy', ref: 'main', ref_type: 'branch' },
      claim_mappings: { project_path: 'project', ref: 'branch', namespace_path: 'namespace' },
      user_claim: 'user_login',
      user_claim_json_pointer: false,
      groups_claim: '',
      allowed_redirect_uris: null,
      oidc_scopes: null,
      verbose_oidc_logging: false,
      max_age: 0,
      token_bound_cidrs: [],
      token_explicit_max_ttl: 0,
      token_max_ttl: 1800,
      token_no_default_policy: false,
      token_num_uses: 0,
      token_period: 0,
      token_policies: ['ci-deploy'],
      token_ttl: 600,
      token_type: 'default',
    });
    expect((await server.request('GET', '/v1/auth/jwt/role/web')).json.data.role_type).toBe('oidc');
    // Signed leeways: durations or seconds, -1 disables.
    await ok('POST', '/v1/auth/jwt/role/ci', {
      ...GITLAB_ROLE,
      expiration_leeway: '2m',
      not_before_leeway: -1,
      clock_skew_leeway: '0',
    });
    const read = (await server.request('GET', '/v1/auth/jwt/role/ci')).json.data;
    expect([read.expiration_leeway, read.not_before_leeway, read.clock_skew_leeway]).toEqual([120, -1, 0]);
    expect((await server.request('DELETE', '/v1/auth/jwt/role/ci')).status).toBe(204);
    expect((await server.request('GET', '/v1/auth/jwt/role/ci')).status).toBe(404);
  });

  it('resets bound_claims_type to string on a write that omits it, as Vault does', async () => {
    await ok('POST', '/v1/auth/jwt/role/ci', { ...GITLAB_ROLE, bound_claims_type: 'glob' });
    await ok('POST', '/v1/auth/jwt/role/ci', { role_type: 'jwt', token_ttl: '5m' });
    const read = (await server.request('GET', '/v1/auth/jwt/role/ci')).json.data;
    expect([read.bound_claims_type, read.token_ttl, read.user_claim]).toEqual(['string', 300, 'user_login']);
  });
});

describe('login', () => {
  beforeEach(async () => {
    await configureJwks();
    await ok('POST', '/v1/auth/jwt/role/ci', GITLAB_ROLE);
  });

  it('logs a GitLab CI job in: a token with the role policies, alias metadata and Vault’s display name', async () => {
    const r = await login(await signJwt(rsa, gitlabClaims(NOW)));
    expect(r.status).toBe(200);
    expect(r.json.auth).toMatchObject({
      policies: ['ci-deploy', 'default'],
      token_policies: ['ci-deploy', 'default'],
      metadata: { branch: 'main', namespace: 'infra', project: 'infra/deploy', role: 'ci' },
      lease_duration: 600,
      renewable: true,
      token_type: 'service',
      orphan: true,
    });
    const self = await server.request('GET', '/v1/auth/token/lookup-self', undefined, r.json.auth.client_token);
    expect(self.json.data).toMatchObject({
      display_name: 'jwt-ci-bot',
      path: 'auth/jwt/login',
      meta: { branch: 'main', namespace: 'infra', project: 'infra/deploy', role: 'ci' },
      ttl: 600,
      explicit_max_ttl: 1800,
    });
  });

  it('maps the job to one identity entity: alias named by user_claim, claim_mappings as alias metadata', async () => {
    const first = await login(await signJwt(rsa, gitlabClaims(NOW)));
    const second = await login(await signJwt(rsa, gitlabClaims(NOW, { ref: 'main', job_id: '556' })));
    const entityId = first.json.auth.entity_id as string;
    expect(entityId).toMatch(/^[0-9a-f-]{36}$/);
    expect(second.json.auth.entity_id).toBe(entityId);
    const accessor = (await server.request('GET', '/v1/sys/auth')).json.data['jwt/'].accessor;
    const entity = (await server.request('GET', `/v1/identity/entity/id/${entityId}`)).json.data;
    expect(entity.aliases).toHaveLength(1);
    expect(entity.aliases[0]).toMatchObject({
      name: 'ci-bot',
      mount_accessor: accessor,
      metadata: { branch: 'main', namespace: 'infra', project: 'infra/deploy', role: 'ci' },
    });
  });

  it('uses default_role when the login names none, and says which role is missing', async () => {
    const jwt = await signJwt(rsa, gitlabClaims(NOW));
    expect(await errorsOf(login(jwt, null))).toEqual({ status: 400, errors: ['missing role'] });
    expect(await errorsOf(login(jwt, 'nope'))).toEqual({ status: 400, errors: ['role "nope" could not be found'] });
    await configureJwks({ default_role: 'ci' });
    expect((await login(jwt, null)).status).toBe(200);
    expect((await login(jwt, 'CI')).status).toBe(200);
  });

  it('refuses an empty token, an OIDC role and an unconfigured mount', async () => {
    expect(await errorsOf(login(''))).toEqual({ status: 400, errors: ['missing token'] });
    await ok('POST', '/v1/auth/jwt/role/web', { user_claim: 'sub', allowed_redirect_uris: 'https://v.example/cb' });
    expect(await errorsOf(login('x.y.z', 'web'))).toEqual({
      status: 400,
      errors: ['role with oidc role_type is not allowed'],
    });
    await ok('POST', '/v1/sys/auth/fresh', { type: 'jwt' });
    expect(await errorsOf(login('x.y.z', 'ci', 'fresh'))).toEqual({
      status: 400,
      errors: ['could not load configuration'],
    });
  });

  describe('refusals, each with Vault’s message', () => {
    const claims = (o: Record<string, unknown> = {}) => gitlabClaims(NOW, o);
    const v = (m: string) => [`error validating token: ${m}`];
    const cases: [string, () => Promise<string>, string[]][] = [
      [
        'expired (exp + 60 s skew passed)',
        () => signJwt(rsa, claims({ iat: NOW - 900, nbf: NOW - 900, exp: NOW - 61 })),
        v('invalid expiration time (exp) claim: token is expired'),
      ],
      [
        'not yet valid (nbf beyond the skew)',
        () => signJwt(rsa, claims({ iat: NOW - 10, nbf: NOW + 61 })),
        v('invalid not before (nbf) claim: token not yet valid'),
      ],
      [
        'issued in the future',
        () => signJwt(rsa, claims({ iat: NOW + 61, nbf: NOW - 5 })),
        v('invalid issued at (iat) claim: token issued in the future'),
      ],
      [
        'no time claims at all',
        () => signJwt(rsa, claims({ iat: undefined, nbf: undefined, exp: undefined })),
        v('no issued at (iat), not before (nbf), or expiration time (exp) claims in token'),
      ],
      [
        'wrong audience',
        () => signJwt(rsa, claims({ aud: ['https://other.example.com'] })),
        v('invalid audience (aud) claim: audience claim does not match any expected audience'),
      ],
      [
        'wrong issuer',
        () => signJwt(rsa, claims({ iss: 'https://evil.example.com' })),
        v('invalid issuer (iss) claim'),
      ],
      [
        'unsigned (alg: none)',
        async () => unsignedJwt(claims(), rsa.kid),
        v(
          'error verifying token signature: oidc: malformed jwt: go-jose/go-jose: unexpected signature algorithm "none"; expected ["RS256" "RS384" "RS512" "ES256" "ES384" "ES512" "PS256" "PS384" "PS512" "EdDSA"]',
        ),
      ],
      [
        'HS256 keyed with the public key',
        () =>
          new SignJWT(claims())
            .setProtectedHeader({ alg: 'HS256', kid: rsa.kid })
            .sign(new Uint8Array(Buffer.from(rsa.publicPem))),
        v(
          'error verifying token signature: oidc: malformed jwt: go-jose/go-jose: unexpected signature algorithm "HS256"; expected ["RS256" "RS384" "RS512" "ES256" "ES384" "ES512" "PS256" "PS384" "PS512" "EdDSA"]',
        ),
      ],
      [
        'tampered signature',
        async () => {
          const t = await signJwt(rsa, claims());
          const [h, p, s] = t.split('.');
          const sig = Buffer.from(s!, 'base64url');
          sig[10] = sig[10]! ^ 0xff;
          return `${h}.${p}.${sig.toString('base64url')}`;
        },
        v('error verifying token signature: failed to verify id token signature'),
      ],
      [
        'tampered payload',
        async () => {
          const [h, , s] = (await signJwt(rsa, claims())).split('.');
          return `${h}.${Buffer.from(JSON.stringify(claims({ project_path: 'infra/other' }))).toString('base64url')}.${s}`;
        },
        v('error verifying token signature: failed to verify id token signature'),
      ],
      [
        'not a JWT',
        async () => 'not-a-jwt',
        v(
          'error verifying token signature: oidc: malformed jwt: go-jose/go-jose: compact JWS format must have three parts',
        ),
      ],
      [
        'bound claim mismatch (branch)',
        () => signJwt(rsa, claims({ ref: 'feature-x' })),
        ['error validating claims: claim "ref" does not match any associated bound claim values'],
      ],
      [
        'bound claim missing',
        () => signJwt(rsa, claims({ ref_type: undefined })),
        ['error validating claims: claim "ref_type" is missing'],
      ],
      [
        'missing user claim',
        () => signJwt(rsa, claims({ user_login: undefined })),
        ['claim "user_login" not found in token'],
      ],
      [
        'user claim not a string',
        () => signJwt(rsa, claims({ user_login: 42 })),
        ['claim "user_login" could not be converted to string'],
      ],
      [
        'mapped claim not a string',
        () => signJwt(rsa, claims({ namespace_path: ['a'] })),
        ["error converting claim 'namespace_path' to string"],
      ],
    ];
    for (const [name, make, errors] of cases) {
      it(name, async () => {
        const jwt = await make();
        const r = await login(jwt);
        expect({ status: r.status, errors: r.json?.errors }).toEqual({ status: 400, errors });
        expect(r.body).not.toContain(jwt.split('.')[2] || jwt);
      });
    }
  });

  it('applies the leeways as Vault computes them (fixed clock)', async () => {
    // Within the default 60 s clock skew: accepted; one second past it: refused.
    expect(
      (await login(await signJwt(rsa, gitlabClaims(NOW, { iat: NOW - 900, nbf: NOW - 900, exp: NOW - 60 })))).status,
    ).toBe(200);
    expect((await login(await signJwt(rsa, gitlabClaims(NOW, { nbf: NOW + 60, iat: NOW + 60 })))).status).toBe(200);
    // Without exp, a token expires expiration_leeway (default 150 s) after its iat, plus the skew.
    const noExp = gitlabClaims(NOW, { exp: undefined, nbf: undefined, iat: NOW - 210 });
    expect((await login(await signJwt(rsa, noExp))).status).toBe(200);
    const tooOld = { ...noExp, iat: NOW - 211 };
    expect((await errorsOf(login(await signJwt(rsa, tooOld)))).errors).toEqual([
      'error validating token: invalid expiration time (exp) claim: token is expired',
    ]);
    // clock_skew_leeway -1 disables the skew; expiration_leeway 30 s shortens the implied exp.
    await ok('POST', '/v1/auth/jwt/role/ci', { ...GITLAB_ROLE, clock_skew_leeway: -1, expiration_leeway: '30s' });
    expect(
      (await login(await signJwt(rsa, gitlabClaims(NOW, { exp: NOW - 1, iat: NOW - 100, nbf: NOW - 100 })))).status,
    ).toBe(400);
    expect((await login(await signJwt(rsa, { ...noExp, iat: NOW - 30 }))).status).toBe(200);
    expect((await login(await signJwt(rsa, { ...noExp, iat: NOW - 31 }))).status).toBe(400);
  });

  it('refuses a token naming an audience when the role binds none', async () => {
    await ok('POST', '/v1/auth/jwt/role/noaud', {
      ...GITLAB_ROLE,
      bound_audiences: [],
      bound_subject: 'project_path:infra/deploy:ref_type:branch:ref:main',
    });
    expect(await errorsOf(login(await signJwt(rsa, gitlabClaims(NOW)), 'noaud'))).toEqual({
      status: 400,
      errors: ['audience claim found in JWT but no audiences bound to the role'],
    });
    expect((await login(await signJwt(rsa, gitlabClaims(NOW, { aud: undefined })), 'noaud')).status).toBe(200);
  });

  it('checks bound_subject', async () => {
    await ok('POST', '/v1/auth/jwt/role/ci', {
      ...GITLAB_ROLE,
      bound_subject: 'project_path:infra/deploy:ref_type:branch:ref:main',
    });
    expect((await login(await signJwt(rsa, gitlabClaims(NOW)))).status).toBe(200);
    expect(
      await errorsOf(
        login(await signJwt(rsa, gitlabClaims(NOW, { sub: 'project_path:infra/deploy:ref_type:branch:ref:dev' }))),
      ),
    ).toEqual({
      status: 400,
      errors: ['error validating token: invalid subject (sub) claim'],
    });
  });

  it('refuses a login from outside token_bound_cidrs before looking at the token, and binds the token', async () => {
    await ok('POST', '/v1/auth/jwt/role/ci', { ...GITLAB_ROLE, token_bound_cidrs: '10.0.0.0/8' });
    expect(await errorsOf(login('x.y.z'))).toEqual({
      status: 403,
      errors: ['1 error occurred:\n\t* permission denied\n\n'],
    });
    await ok('POST', '/v1/auth/jwt/role/ci', { ...GITLAB_ROLE, token_bound_cidrs: '127.0.0.0/8' });
    const r = await login(await signJwt(rsa, gitlabClaims(NOW)));
    expect(r.status).toBe(200);
    expect(
      (await server.request('GET', '/v1/auth/token/lookup-self', undefined, r.json.auth.client_token)).json.data
        .bound_cidrs,
    ).toEqual(['127.0.0.0/8']);
  });

  it('honours jwt_supported_algs after the signature', async () => {
    jwks.keys = [rsa, ec];
    await configureJwks({ jwt_supported_algs: 'RS256' });
    expect(await errorsOf(login(await signJwt(ec, gitlabClaims(NOW))))).toEqual({
      status: 400,
      errors: [
        'error validating token: invalid algorithm (alg) header parameter: token signed with unexpected algorithm',
      ],
    });
    await configureJwks();
    expect((await login(await signJwt(ec, gitlabClaims(NOW)))).status).toBe(200);
  });
});

describe('bound claims: GitLab and GitHub shapes, string and glob, lists and JSON pointers', () => {
  beforeEach(() => ok('POST', '/v1/auth/jwt/config', { jwks_url: jwks.url }));

  it('GitHub Actions: glob on ref and repository, bound subject, list values', async () => {
    await ok('POST', '/v1/auth/jwt/role/gha', {
      role_type: 'jwt',
      user_claim: 'repository',
      bound_audiences: 'https://github.com/acme',
      bound_subject: 'repo:acme/deploy:ref:refs/heads/main',
      bound_claims_type: 'glob',
      bound_claims: { repository: 'acme/*', ref: ['refs/heads/main', 'refs/tags/v*'] },
      claim_mappings: { actor: 'actor', workflow: 'workflow' },
      token_policies: 'ci-deploy',
    });
    const r = await login(await signJwt(rsa, githubClaims(NOW)), 'gha');
    expect(r.status).toBe(200);
    expect(r.json.auth.metadata).toEqual({ actor: 'octocat', workflow: 'deploy', role: 'gha' });
    const self = await server.request('GET', '/v1/auth/token/lookup-self', undefined, r.json.auth.client_token);
    expect(self.json.data.display_name).toBe('jwt-acme/deploy');
    expect(await errorsOf(login(await signJwt(rsa, githubClaims(NOW, { repository: 'evil/deploy' })), 'gha'))).toEqual({
      status: 400,
      errors: ['error validating claims: claim "repository" does not match any associated bound claim values'],
    });
    // A tag matches the second glob (the subject is bound, so the tag token carries main's subject here).
    expect((await login(await signJwt(rsa, githubClaims(NOW, { ref: 'refs/tags/v1.2.0' })), 'gha')).status).toBe(200);
    expect(
      (await errorsOf(login(await signJwt(rsa, githubClaims(NOW, { ref: 'refs/heads/dev' })), 'gha'))).errors,
    ).toEqual(['error validating claims: claim "ref" does not match any associated bound claim values']);
  });

  it('string matching is exact (no glob), takes any of a list, and reads nested claims by JSON pointer', async () => {
    await ok('POST', '/v1/auth/jwt/role/nested', {
      role_type: 'jwt',
      user_claim: '/actor/login',
      user_claim_json_pointer: true,
      bound_audiences: 'https://vault.example.com',
      bound_claims: { '/ci/project': ['infra/deploy', 'infra/tools'], ref: 'main*' },
      claim_mappings: { '/ci/project': 'project' },
    });
    const base = gitlabClaims(NOW, { ci: { project: 'infra/tools' }, actor: { login: 'release-bot' } });
    expect((await errorsOf(login(await signJwt(rsa, base), 'nested'))).errors).toEqual([
      'error validating claims: claim "ref" does not match any associated bound claim values',
    ]);
    const r = await login(await signJwt(rsa, { ...base, ref: 'main*' }), 'nested');
    expect(r.status).toBe(200);
    expect(r.json.auth.metadata).toEqual({ project: 'infra/tools', role: 'nested' });
    const self = await server.request('GET', '/v1/auth/token/lookup-self', undefined, r.json.auth.client_token);
    expect(self.json.data.display_name).toBe('jwt-release-bot');
    expect(
      (await errorsOf(login(await signJwt(rsa, { ...base, ref: 'main*', ci: { project: 'x' } }), 'nested'))).errors,
    ).toEqual(['error validating claims: claim "/ci/project" does not match any associated bound claim values']);
  });
});

describe('jwt_validation_pubkeys', () => {
  it('verifies with local PEM keys (RSA, EC, Ed25519) and names the failure as cap does', async () => {
    await ok('POST', '/v1/auth/jwt/config', { jwt_validation_pubkeys: [rsa.publicPem, ec.publicPem, ed.publicPem] });
    await ok('POST', '/v1/auth/jwt/role/ci', GITLAB_ROLE);
    for (const key of [rsa, ec, ed])
      expect((await login(await signJwt(key, gitlabClaims(NOW), { kid: undefined }))).status).toBe(200);
    const stranger = makeKey('x', 'ES256');
    const failure = [
      'error validating token: error verifying token signature: no known key successfully validated the token signature',
    ];
    expect((await errorsOf(login(await signJwt(stranger, gitlabClaims(NOW))))).errors).toEqual(failure);
    expect((await errorsOf(login(unsignedJwt(gitlabClaims(NOW))))).errors).toEqual(failure);
    const hs = await new SignJWT(gitlabClaims(NOW))
      .setProtectedHeader({ alg: 'HS256' })
      .sign(new Uint8Array(Buffer.from(rsa.publicPem)));
    expect((await errorsOf(login(hs))).errors).toEqual(failure);
    expect(jwks.requests).toBeGreaterThanOrEqual(0);
  });
});

describe('the JWKS cache', () => {
  beforeEach(async () => {
    await configureJwks();
    await ok('POST', '/v1/auth/jwt/role/ci', GITLAB_ROLE);
  });

  it('fetches once, serves later logins from the cache, and refetches once for a new kid', async () => {
    const start = jwks.requests;
    expect((await login(await signJwt(rsa, gitlabClaims(NOW)))).status).toBe(200);
    expect(jwks.requests - start).toBe(1);
    expect((await login(await signJwt(rsa, gitlabClaims(NOW)))).status).toBe(200);
    expect(jwks.requests - start).toBe(1);
    // Key rotation: the provider publishes a new key; the first token with its kid refetches once.
    jwks.keys = [rsa, ec];
    expect((await login(await signJwt(ec, gitlabClaims(NOW)))).status).toBe(200);
    expect(jwks.requests - start).toBe(2);
    expect((await login(await signJwt(ec, gitlabClaims(NOW)))).status).toBe(200);
    expect(jwks.requests - start).toBe(2);
    // A forged signature under a known kid does not refetch.
    const [h, p] = (await signJwt(rsa, gitlabClaims(NOW))).split('.');
    const [, , s] = (await signJwt(rsa, gitlabClaims(NOW, { ref: 'x' }))).split('.');
    expect((await login(`${h}.${p}.${s}`)).status).toBe(400);
    expect(jwks.requests - start).toBe(2);
  });

  it('refuses an unknown kid after one refresh', async () => {
    const start = jwks.requests;
    const unknown = makeKey('not-published', 'RS256');
    expect(await errorsOf(login(await signJwt(unknown, gitlabClaims(NOW))))).toEqual({
      status: 400,
      errors: ['error validating token: error verifying token signature: failed to verify id token signature'],
    });
    expect(jwks.requests - start).toBe(1);
  });

  it('serves parallel logins with one fetch', async () => {
    const start = jwks.requests;
    const tokens = await Promise.all(
      Array.from({ length: 12 }, (_, i) => signJwt(rsa, gitlabClaims(NOW, { job_id: String(i) }))),
    );
    const answers = await Promise.all(tokens.map((t) => login(t)));
    expect(answers.map((a) => a.status)).toEqual(Array(12).fill(200));
    expect(new Set(answers.map((a) => a.json.auth.client_token)).size).toBe(12);
    expect(jwks.requests - start).toBe(1);
  });

  it('drops the cache when the config is written again', async () => {
    const start = jwks.requests;
    expect((await login(await signJwt(rsa, gitlabClaims(NOW)))).status).toBe(200);
    await configureJwks(); // the write itself checks the URL: one request
    expect((await login(await signJwt(rsa, gitlabClaims(NOW)))).status).toBe(200);
    expect(jwks.requests - start).toBe(3);
  });

  it('says clearly when the JWKS endpoint is down', async () => {
    const flaky = await startJwksServer([rsa]);
    await ok('POST', '/v1/auth/jwt/config', { jwks_url: flaky.url, bound_issuer: 'https://gitlab.example.com' });
    await flaky.close();
    const port = new URL(flaky.url).port;
    expect(await errorsOf(login(await signJwt(rsa, gitlabClaims(NOW))))).toEqual({
      status: 400,
      errors: [
        `error validating token: error verifying token signature: fetching keys oidc: get keys failed Get "${flaky.url}": dial tcp 127.0.0.1:${port}: connect: connection refused`,
      ],
    });
  });
});

describe('the job token is a secret', () => {
  it('is HMAC’d in the audit log and never echoed in errors', async () => {
    const dir = makeScratchDir('jwt-audit');
    try {
      const file = join(dir, 'audit.log');
      await ok('POST', '/v1/sys/audit/file', { type: 'file', options: { file_path: file } });
      await configureJwks();
      await ok('POST', '/v1/auth/jwt/role/ci', GITLAB_ROLE);
      const good = await signJwt(rsa, gitlabClaims(NOW));
      const bad = await signJwt(rsa, gitlabClaims(NOW, { ref: 'dev' }));
      expect((await login(good)).status).toBe(200);
      const refused = await login(bad);
      expect(refused.status).toBe(400);
      expect(refused.body).not.toContain(bad);
      const log = readFileSync(file, 'utf8');
      for (const t of [good, bad]) {
        expect(log).not.toContain(t);
        expect(log).not.toContain(t.split('.')[1]);
        expect(log).not.toContain(t.split('.')[2]);
      }
      const entries = log
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      const loginRequests = entries.filter((e) => e.type === 'request' && e.request.path === 'auth/jwt/login');
      expect(loginRequests).toHaveLength(2);
      for (const e of loginRequests) expect(e.request.data.jwt).toMatch(/^hmac-sha256:[0-9a-f]{64}$/);
    } finally {
      removeScratchDir(dir);
    }
  });
});

describe('from job token to SSH certificate', () => {
  it('a CI login gets a token whose policy signs on the SSH mount, and nothing else', async () => {
    await mountSshCa(server, 'ssh-prod', {
      automation: {
        key_type: 'ca',
        allow_user_certificates: true,
        allowed_users: 'deploy',
        default_user: 'deploy',
        ttl: '10m',
      },
    });
    await ok('POST', '/v1/sys/policies/acl/ci-deploy', {
      policy: 'path "ssh-prod/sign/automation" { capabilities = ["update"] }',
    });
    await configureJwks();
    await ok('POST', '/v1/auth/jwt/role/ci', GITLAB_ROLE);
    const token = (await login(await signJwt(rsa, gitlabClaims(NOW)))).json.auth.client_token;
    const key = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBXSS3ny8n2gbOqJ4uBqjX5QvfKu4mnLSUDZ+R9FRwP9 ci';
    const signed = await server.request('POST', '/v1/ssh-prod/sign/automation', { public_key: key }, token);
    expect(signed.status).toBe(200);
    expect(signed.json.data.signed_key).toMatch(/^ssh-ed25519-cert-v01@openssh\.com /);
    expect((await server.request('POST', '/v1/ssh-prod/roles/automation', { key_type: 'ca' }, token)).status).toBe(403);
  });
});
