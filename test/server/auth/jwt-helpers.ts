// Shared pieces of the JWT auth tests: the test's own signing keys, a local JWKS endpoint over real
// HTTP (node:http on 127.0.0.1, port 0) that counts its requests, job-token signing with jose, and
// the claim shapes of GitLab CI `id_tokens` and GitHub Actions OIDC tokens.

import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { exportJWK, SignJWT, type JWK } from 'jose';

/** A signing key of the test's identity provider. */
export interface TestKey {
  readonly kid: string;
  readonly alg: 'RS256' | 'ES256' | 'EdDSA' | 'PS256';
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  /** The public key as SPKI PEM (for `jwt_validation_pubkeys`). */
  readonly publicPem: string;
}

/** A new key pair for `alg`, named `kid`. */
export function makeKey(kid: string, alg: TestKey['alg']): TestKey {
  const pair =
    alg === 'ES256'
      ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
      : alg === 'EdDSA'
        ? generateKeyPairSync('ed25519')
        : generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    kid,
    alg,
    ...pair,
    publicPem: pair.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

/** Sign `claims` with `key` (header `alg` and `kid` from the key unless overridden). */
export function signJwt(
  key: TestKey,
  claims: Record<string, unknown>,
  header: { kid?: string | undefined; alg?: string } = {},
): Promise<string> {
  const kid = 'kid' in header ? header.kid : key.kid;
  return new SignJWT(claims)
    .setProtectedHeader({ alg: header.alg ?? key.alg, typ: 'JWT', ...(kid === undefined ? {} : { kid }) })
    .sign(key.privateKey);
}

const b64url = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

/** An unsigned token (`alg: none`), as an attacker would send it. */
export const unsignedJwt = (claims: Record<string, unknown>, kid?: string): string =>
  `${b64url({ alg: 'none', typ: 'JWT', ...(kid ? { kid } : {}) })}.${b64url(claims)}.`;

/** A JWKS endpoint on loopback whose key list the test changes, counting the GETs it answers. */
export interface JwksServer {
  readonly url: string;
  /** GET requests answered so far. */
  requests: number;
  keys: TestKey[];
  close(): Promise<void>;
}

/** Start a JWKS endpoint serving `keys` at `/jwks` (over HTTPS with `tls`). */
export async function startJwksServer(
  keys: TestKey[],
  tls?: { readonly cert: string; readonly key: string },
): Promise<JwksServer> {
  let server: Server;
  const state: JwksServer = {
    url: '',
    requests: 0,
    keys,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      if (req.url !== '/jwks') {
        res.writeHead(404).end('not found');
        return;
      }
      state.requests++;
      const jwks: JWK[] = [];
      for (const k of state.keys) jwks.push({ ...(await exportJWK(k.publicKey)), kid: k.kid, alg: k.alg, use: 'sig' });
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: jwks }));
    })();
  };
  server = tls ? createHttpsServer({ cert: tls.cert, key: tls.key }, handler) : createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  (state as { url: string }).url = `${tls ? 'https' : 'http'}://127.0.0.1:${port}/jwks`;
  return state;
}

/** The claims of a GitLab CI `id_tokens` job token (main branch of group/project). */
export function gitlabClaims(now: number, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    namespace_id: '72',
    namespace_path: 'infra',
    project_id: '1234',
    project_path: 'infra/deploy',
    user_id: '42',
    user_login: 'ci-bot',
    user_email: 'ci-bot@example.com',
    pipeline_id: '9876',
    pipeline_source: 'push',
    job_id: '555',
    ref: 'main',
    ref_type: 'branch',
    ref_path: 'refs/heads/main',
    ref_protected: 'true',
    environment: 'production',
    jti: '6a1f0e4c-9b27-4c7f-8a6e-3d1e2f0b9c11',
    iss: 'https://gitlab.example.com',
    iat: now,
    nbf: now - 5,
    exp: now + 300,
    sub: 'project_path:infra/deploy:ref_type:branch:ref:main',
    aud: 'https://vault.example.com',
    ...overrides,
  };
}

/** The claims of a GitHub Actions OIDC token (a push to main of acme/deploy). */
export function githubClaims(now: number, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    jti: 'example-id',
    sub: 'repo:acme/deploy:ref:refs/heads/main',
    aud: 'https://github.com/acme',
    ref: 'refs/heads/main',
    sha: 'example-sha',
    repository: 'acme/deploy',
    repository_owner: 'acme',
    repository_owner_id: 65,
    run_id: '123456',
    run_number: '7',
    run_attempt: '1',
    actor: 'octocat',
    workflow: 'deploy',
    event_name: 'push',
    ref_type: 'branch',
    job_workflow_ref: 'acme/deploy/.github/workflows/deploy.yml@refs/heads/main',
    iss: 'https://token.actions.githubusercontent.com',
    nbf: now - 5,
    exp: now + 300,
    iat: now,
    ...overrides,
  };
}

/** What setUpCiLogin needs of a test server: its HTTP API. */
interface ApiServer {
  request(method: string, path: string, body?: unknown): Promise<{ status: number; body: string }>;
}

/**
 * The scenario's CI login on a test server: ssh-dev with its CA and `automation` role (jenkins,
 * gitlab-runner; 30m, max 1h), the policy `policyName` (`policy` HCL), the JWT auth method trusting
 * `jwksUrl` for GitLab's issuer, and the role `dev-ci` binding infra/deploy on main to that policy
 * (tokens 15m, max 1h). Each write must succeed.
 */
export async function setUpCiLogin(server: ApiServer, jwksUrl: string, policyName: string, policy: string) {
  const api = async (method: string, path: string, body?: unknown) => {
    const r = await server.request(method, path, body);
    if (r.status >= 300) throw new Error(`${method} ${path} answered ${r.status}: ${r.body}`);
  };
  await api('POST', '/v1/sys/mounts/ssh-dev', { type: 'ssh' });
  await api('POST', '/v1/ssh-dev/config/ca', { generate_signing_key: true });
  await api('POST', '/v1/ssh-dev/roles/automation', {
    key_type: 'ca',
    allow_user_certificates: true,
    allowed_users: 'jenkins,gitlab-runner',
    ttl: '30m',
    max_ttl: '1h',
  });
  await api('POST', `/v1/sys/policies/acl/${policyName}`, { policy });
  await api('POST', '/v1/sys/auth/jwt', { type: 'jwt' });
  await api('POST', '/v1/auth/jwt/config', { jwks_url: jwksUrl, bound_issuer: 'https://gitlab.example.com' });
  await api('POST', '/v1/auth/jwt/role/dev-ci', {
    role_type: 'jwt',
    bound_audiences: 'https://vault.example.com',
    bound_claims: { project_path: 'infra/deploy', ref: 'main', ref_type: 'branch' },
    user_claim: 'project_path',
    token_policies: policyName,
    token_ttl: '15m',
    token_max_ttl: '1h',
  });
}
