// One table of bad inputs per resource through every surface that has the resource (issue 16,
// point 2): the embedded server over HTTP (Vault's refusals, messages and statuses), the Pulumi
// providers' `check` through Pulumi's own dynamic-provider server, and CDKTF synthesis. Each surface
// frames the message its own way; the message itself comes from one validator in core/
// (mount-path.ts, policy-spec.ts, userpass-user-spec.ts, audit-device-spec.ts, jwt-role-spec.ts,
// approle-role-spec.ts, token-role-spec.ts). Rows marked
// `server: 'accepts'` are our secure defaults, which only the IaC surfaces apply: the server must
// accept what Vault accepts. Then good inputs, accepted everywhere.

import { VaultProvider } from '@cdktf/provider-vault/lib/provider/index.js';
import { Testing, TerraformStack } from 'cdktf';
import type * as pulumi from '@pulumi/pulumi';
import type { Construct } from 'constructs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AclPolicy } from '../modules/acl-policy.js';
import { SshAccessPolicy } from '../modules/ssh-access-policy.js';
import { SshCertificateAuthority } from '../modules/ssh-certificate-authority.js';
import { SshEnvironment } from '../modules/ssh-environment.js';
import { JwtRole } from '../modules/jwt-role.js';
import { jwtRoleProvider } from '../providers/jwt-role.js';
import { AppRoleRole } from '../modules/approle-role.js';
import { TokenRole } from '../modules/token-role.js';
import { appRoleRoleProvider } from '../providers/approle-role.js';
import { tokenRoleProvider } from '../providers/token-role.js';
import { aclPolicyProvider } from '../providers/acl-policy.js';
import { auditDeviceProvider } from '../providers/audit-device.js';
import { authMethodProvider } from '../providers/auth-method.js';
import { secretsMountProvider } from '../providers/secrets-mount.js';
import { sshCaProvider } from '../providers/ssh-ca.js';
import { userpassUserProvider } from '../providers/userpass-user.js';
import { serializeProvider, startProviderServer, type Failure, type ProviderServer } from './helpers/pulumi.js';
import { startTestServer, type TestServer } from './helpers/vault-server.js';

let backend: TestServer;
let grpc: ProviderServer;
/** Each provider's serialized text, made on first use. */
const serialized = new Map<pulumi.dynamic.ResourceProvider, Promise<string>>();

beforeAll(async () => {
  backend = await startTestServer();
  grpc = await startProviderServer();
  expect((await backend.request('POST', '/v1/sys/auth/userpass', { type: 'userpass' })).status).toBe(204);
});

afterAll(async () => {
  await grpc?.stop();
  await backend?.close();
});

/** The check failures of `provider` (a resource of type token `type`) through Pulumi's provider server. */
async function pulumiCheck(
  type: string,
  provider: pulumi.dynamic.ResourceProvider,
  inputs: Record<string, unknown>,
): Promise<Failure[]> {
  if (!serialized.has(provider)) serialized.set(provider, serializeProvider(provider));
  const urn = `urn:pulumi:dev::test::pulumi-nodejs:dynamic/vault-ssh-ca:${type}::x`;
  const __provider = await serialized.get(provider)!;
  return (await grpc.check(urn, {}, { __provider, address: backend.url, token: backend.token, ...inputs })).failures;
}

/** The CDKTF validation error of a stack (undefined when it synthesizes). */
const cdktfError = (build: (stack: Construct) => void): string | undefined => {
  const stack = new TerraformStack(Testing.app(), 'test');
  new VaultProvider(stack, 'vault', {});
  build(stack);
  try {
    Testing.synth(stack, true);
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
};

/** The server's answer: Vault's refusal (400 with the core message), or acceptance. */
type Server = 'refuses' | 'accepts';

/** Expect the server's `answer` to be `server`; an accepted write is undone by DELETE on `undo`. */
async function expectServer(answer: { status: number }, server: Server, message: string, undo: string) {
  if (server === 'refuses') expect(answer).toMatchObject({ status: 400, json: { errors: [message] } });
  else {
    expect(answer.status).toBe(204);
    expect((await backend.request('DELETE', undo)).status).toBe(204);
  }
}

describe('mount paths (core/mount-path.ts)', () => {
  const OUR_SHAPE = (path: string) =>
    `invalid mount path ${JSON.stringify(path)}: use segments of letters, digits, _ . - separated by /, without a leading or trailing /`;
  /** Secrets-engine paths: the path, the core message, the server's answer. */
  const SECRETS: ReadonlyArray<readonly [string, string, Server]> = [
    ['sys', 'cannot mount "sys/"', 'refuses'],
    ['sys/x', 'cannot mount "sys/x/"', 'refuses'],
    ['cubbyhole', 'cannot mount "cubbyhole/"', 'refuses'],
    ['identity/team', 'cannot mount "identity/team/"', 'refuses'],
    ['audit', 'cannot mount "audit/"', 'refuses'],
    ['auth/ssh', 'cannot mount "auth/ssh/"', 'refuses'],
    ['ssh~x', OUR_SHAPE('ssh~x'), 'accepts'],
    ['ssh.a/-/b!', OUR_SHAPE('ssh.a/-/b!'), 'accepts'],
  ];

  it.each(SECRETS)('secrets engine at %s: %s', async (path, message, server) => {
    // (a) the server, as Vault: sys/mounts/:path.
    const answer = await backend.request('POST', `/v1/sys/mounts/${path}`, { type: 'ssh' });
    await expectServer(answer, server, message, `/v1/sys/mounts/${path}`);
    // (b) Pulumi: SecretsMount's `path`, and the `mount` of SshCertificateAuthority (and so of
    // SshEnvironment, whose SecretsMount and SshCertificateAuthority children run these checks).
    expect(await pulumiCheck('SecretsMount', secretsMountProvider, { path })).toEqual([
      { property: 'path', reason: message },
    ]);
    expect(await pulumiCheck('SshCa', sshCaProvider, { mount: path })).toEqual([
      { property: 'mount', reason: message },
    ]);
    // (c) CDKTF: SshCertificateAuthority's `mount` (its deprecated `path` too) and SshEnvironment's `mount`.
    for (const build of [
      (s: Construct) => new SshCertificateAuthority(s, 'ca', { mount: path }),
      (s: Construct) => new SshCertificateAuthority(s, 'ca', { path }),
    ]) {
      const thrown = cdktfError(build);
      expect(thrown).toContain(`mount: ${message}`);
      expect(thrown).toMatch(/test\/ca/);
    }
    const env = cdktfError((s) => new SshEnvironment(s, 'dev', { environment: 'dev', mount: path, roles: {} }));
    expect(env).toContain(`mount: ${message}`);
    expect(env).toMatch(/test\/dev\/ca/);
  });

  /** Auth-method paths (no CDKTF construct enables an auth method: issue 19). */
  const AUTH: ReadonlyArray<readonly [string, string, Server]> = [
    ['token', 'token credential backend cannot be instantiated', 'refuses'],
    ['//token', 'token credential backend cannot be instantiated', 'refuses'],
    ['userpass~x', OUR_SHAPE('userpass~x'), 'accepts'],
  ];

  it.each(AUTH)('auth method at %s: %s', async (path, message, server) => {
    const answer = await backend.request('POST', `/v1/sys/auth/${path}`, { type: 'userpass' });
    await expectServer(answer, server, message, `/v1/sys/auth/${path}`);
    const failures = await pulumiCheck('AuthMethod', authMethodProvider, { path, type: 'userpass' });
    // `//token` breaks our shape rule as well as Vault's: the IaC surface shows both.
    expect(failures).toEqual(
      path === '//token'
        ? [
            { property: 'path', reason: message },
            { property: 'path', reason: OUR_SHAPE(path) },
          ]
        : [{ property: 'path', reason: message }],
    );
  });
});

describe('ACL policies (core/policy-spec.ts)', () => {
  const READ = 'path "ssh-dev/sign/dev" {\n  capabilities = ["update"]\n}\n';
  const OUR_NAME = (name: string) =>
    `invalid policy name ${JSON.stringify(name)}: use lower-case letters, digits, _ . @ -, starting with a letter or digit`;
  /** Name, document, the input at fault, the core message, the server's answer. */
  const BAD: ReadonlyArray<readonly [string, string, 'name' | 'policy', string, Server]> = [
    ['root', READ, 'name', 'cannot update "root" policy', 'refuses'],
    ['response-wrapping', READ, 'name', 'cannot update "response-wrapping" policy', 'refuses'],
    ['empty', '', 'policy', "'policy' parameter not supplied or empty", 'refuses'],
    ['blank', ' \n ', 'policy', "'policy' parameter not supplied or empty", 'refuses'],
    [
      'bad-capability',
      'path "x" { capabilities = ["fly"] }',
      'policy',
      'failed to parse policy: path "x": invalid capability "fly"',
      'refuses',
    ],
    ['Dev-Team', READ, 'name', OUR_NAME('Dev-Team'), 'accepts'],
    ['-dev', READ, 'name', OUR_NAME('-dev'), 'accepts'],
  ];

  it.each(BAD)('%s: %s → %s: %s', async (name, policy, field, message, server) => {
    // (a) the server: sys/policies/acl/:name, and the legacy sys/policy/:name (`rules`).
    const modern = await backend.request('POST', `/v1/sys/policies/acl/${name}`, { policy });
    const legacy = await backend.request('POST', `/v1/sys/policy/${name}`, { rules: policy });
    if (server === 'refuses') {
      expect(modern).toMatchObject({ status: 400, json: { errors: [message] } });
      expect(legacy).toMatchObject({ status: 400, json: { errors: [message.replace("'policy'", "'rules'")] } });
    } else {
      // 200 when Vault lower-cased the name (its warning says so), else 204.
      const status = name === name.toLowerCase() ? 204 : 200;
      expect([modern.status, legacy.status]).toEqual([status, status]);
      expect((await backend.request('DELETE', `/v1/sys/policies/acl/${name.toLowerCase()}`)).status).toBe(204);
    }
    // (b) Pulumi: AclPolicy (SshAccessPolicy is an AclPolicy: the same provider and check).
    expect(await pulumiCheck('AclPolicy', aclPolicyProvider, { name, policy })).toEqual([
      { property: field, reason: message },
    ]);
    // (c) CDKTF: AclPolicy; and SshAccessPolicy, whose document is generated, for the name rows.
    const thrown = cdktfError((s) => new AclPolicy(s, 'policy', { name, policy }));
    expect(thrown).toContain(`${field}: ${message}`);
    expect(thrown).toMatch(/test\/policy/);
    if (field === 'name') {
      const access = cdktfError((s) => new SshAccessPolicy(s, 'access', { name, mount: 'ssh-dev', roles: ['dev'] }));
      expect(access).toContain(`name: ${message}`);
    }
  });
});

describe('userpass users (core/userpass-user-spec.ts)', () => {
  // No CDKTF construct creates a userpass user yet (issue 19): the server and Pulumi only.
  const TTL_MESSAGE =
    'Field validation failed: error converting input forever for field "token_ttl": time: invalid duration "forever"';
  /** A user, the input at fault, the core message, the server's answer (status and errors). */
  const BAD: ReadonlyArray<
    readonly [Record<string, unknown>, string, string, { status: number; errors: string[] } | 'accepts']
  > = [
    [{ username: 'alice' }, 'password', 'missing password', { status: 400, errors: ['missing password'] }],
    [{ username: 'bob', password: '' }, 'password', 'missing password', { status: 400, errors: ['missing password'] }],
    [
      { username: 'carol', password: 'long-enough', tokenTtl: 'forever' },
      'tokenTtl',
      TTL_MESSAGE,
      { status: 400, errors: [TTL_MESSAGE] },
    ],
    [{ username: 'dave', password: 'short' }, 'password', 'password must be at least 8 characters', 'accepts'],
    // Vault's users/:username route does not match such a name: the server answers unsupported path.
    [
      { username: '-eve', password: 'long-enough' },
      'username',
      'invalid username "-eve": use letters, digits, _ . @ -, starting and ending with a letter, digit or _',
      { status: 404, errors: ['1 error occurred:\n\t* unsupported path\n\n'] },
    ],
  ];

  it.each(BAD)('%j → %s: %s', async (user, property, message, server) => {
    const { username, password, tokenTtl } = user;
    const body = {
      ...(password !== undefined ? { password } : {}),
      ...(tokenTtl !== undefined ? { token_ttl: tokenTtl } : {}),
    };
    const answer = await backend.request('POST', `/v1/auth/userpass/users/${String(username)}`, body);
    if (server === 'accepts') expect(answer.status).toBe(204);
    else expect(answer).toMatchObject({ status: server.status, json: { errors: server.errors } });
    expect(await pulumiCheck('UserpassUser', userpassUserProvider, user)).toEqual([{ property, reason: message }]);
  });
});

describe('audit devices (core/audit-device-spec.ts)', () => {
  // No CDKTF construct enables an audit device yet (issue 19): the server and Pulumi only.
  /** A device, the input at fault, the core message, the server's answer. */
  const BAD: ReadonlyArray<readonly [Record<string, unknown>, string, string, Server]> = [
    [{ path: 'file', type: 'file', options: {} }, 'options', 'file_path is required', 'refuses'],
    [
      { path: 'file', type: 'file', options: { file_path: 'discard', mode: 'rw' } },
      'options',
      'unable to parse mode: rw',
      'refuses',
    ],
    [{ path: 'file', type: 'kafka', options: {} }, 'type', 'unknown backend type: "kafka"', 'refuses'],
    [
      { path: 'team/file', type: 'file', options: { file_path: 'discard' } },
      'path',
      'invalid audit device path "team/file": use letters, digits, _ . - (one segment)',
      'accepts',
    ],
  ];

  it.each(BAD)('%j → %s: %s', async (device, property, message, server) => {
    const { path, ...body } = device;
    const answer = await backend.request('POST', `/v1/sys/audit/${String(path)}`, body);
    await expectServer(answer, server, message, `/v1/sys/audit/${String(path)}`);
    expect(await pulumiCheck('AuditDevice', auditDeviceProvider, device)).toEqual([{ property, reason: message }]);
  });
});

describe('JWT roles (core/jwt-role-spec.ts)', () => {
  // The server writes with Vault's field names; the IaC surfaces name camelCase inputs.
  const BASE = { boundAudiences: ['https://vault.example.com'], boundClaims: { project_path: 'infra/deploy' } };
  const WIRE_BASE = { role_type: 'jwt', bound_audiences: 'https://vault.example.com', bound_claims: BASE.boundClaims };
  /** The IaC spec, the server's body, the input at fault, the core message, the server's answer. */
  const BAD: ReadonlyArray<readonly [Record<string, unknown>, Record<string, unknown>, string, string, Server]> = [
    [
      { ...BASE, userClaim: '' },
      { ...WIRE_BASE, user_claim: '' },
      'userClaim',
      'a user claim must be defined on the role',
      'refuses',
    ],
    [
      { ...BASE, userClaim: 'sub', boundClaimsType: 'regex' },
      { ...WIRE_BASE, user_claim: 'sub', bound_claims_type: 'regex' },
      'boundClaimsType',
      "invalid 'bound_claims_type': regex",
      'refuses',
    ],
    [
      { ...BASE, userClaim: 'sub', claimMappings: { ref: 'role' } },
      { ...WIRE_BASE, user_claim: 'sub', claim_mappings: { ref: 'role' } },
      'claimMappings',
      'metadata key "role" is reserved and may not be a mapping destination',
      'refuses',
    ],
    [
      { ...BASE, userClaim: 'sub', tokenTtl: '2h', tokenMaxTtl: '1h' },
      { ...WIRE_BASE, user_claim: 'sub', token_ttl: '2h', token_max_ttl: '1h' },
      'tokenTtl',
      'ttl should not be greater than max ttl',
      'refuses',
    ],
    [
      { ...BASE, userClaim: 'sub', expirationLeeway: 'soon' },
      { ...WIRE_BASE, user_claim: 'sub', expiration_leeway: 'soon' },
      'expirationLeeway',
      'Field validation failed: error converting input soon for field "expiration_leeway": time: invalid duration "soon"',
      'refuses',
    ],
    [
      { boundAudiences: BASE.boundAudiences, userClaim: 'sub' },
      { role_type: 'jwt', bound_audiences: 'https://vault.example.com', user_claim: 'sub' },
      'boundClaims',
      'bind the jobs this role admits: give boundClaims (e.g. project_path and ref) or boundSubject; an audience alone admits every job of the issuer',
      'accepts',
    ],
    [
      { ...BASE, userClaim: 'sub', boundClaimsType: 'glob', boundClaims: { ref: 'release/*' } },
      { ...WIRE_BASE, user_claim: 'sub', bound_claims_type: 'glob', bound_claims: { ref: 'release/*' } },
      'boundClaims',
      'bound claim ref value "release/*" is a glob with *: it admits any value there; set allowWildcardBoundClaims to mean it, or bind exact values with boundClaimsType "string"',
      'accepts',
    ],
    [
      { ...BASE, userClaim: 'sub', tokenPolicies: ['root'] },
      { ...WIRE_BASE, user_claim: 'sub', token_policies: 'root' },
      'tokenPolicies',
      'a JWT login may not get the root policy: name the policies it needs',
      'accepts',
    ],
  ];

  it.each(BAD)('%j (server: %j) → %s: %s', async (spec, wire, field, message, server) => {
    await backend.request('POST', '/v1/sys/auth/jwt-surfaces', { type: 'jwt' });
    const answer = await backend.request('POST', '/v1/auth/jwt-surfaces/role/ci', wire);
    await expectServer(answer, server, message, '/v1/auth/jwt-surfaces/role/ci');
    expect(await pulumiCheck('JwtRole', jwtRoleProvider, { mount: 'jwt-surfaces', name: 'ci', ...spec })).toEqual([
      { property: field, reason: message },
    ]);
    const thrown = cdktfError((s) => new JwtRole(s, 'ci', { mount: 'jwt-surfaces', name: 'ci', ...spec } as never));
    expect(thrown).toContain(`${field}: ${message}`);
    expect(thrown).toMatch(/test\/ci/);
  });

  it('accepts the scenario’s kind of role everywhere', async () => {
    await backend.request('POST', '/v1/sys/auth/jwt-surfaces', { type: 'jwt' });
    const spec = { ...BASE, boundClaims: { project_path: 'infra/deploy', ref: 'main' }, userClaim: 'project_path' };
    const answer = await backend.request('POST', '/v1/auth/jwt-surfaces/role/ok', {
      ...WIRE_BASE,
      bound_claims: spec.boundClaims,
      user_claim: 'project_path',
    });
    expect(answer.status).toBe(204);
    expect(await pulumiCheck('JwtRole', jwtRoleProvider, { mount: 'jwt-surfaces', name: 'ok', ...spec })).toEqual([]);
    expect(cdktfError((s) => new JwtRole(s, 'ok', { mount: 'jwt-surfaces', name: 'ok', ...spec }))).toBeUndefined();
  });
});

describe('AppRole roles (core/approle-role-spec.ts)', () => {
  /** The IaC spec, the server's body, the input at fault, the core message, the server's answer. */
  const BAD: ReadonlyArray<readonly [Record<string, unknown>, Record<string, unknown>, string, string, Server]> = [
    [{ tokenType: 'weird' }, { token_type: 'weird' }, 'tokenType', `invalid 'token_type' value "weird"`, 'refuses'],
    [
      { tokenTtl: '2h', tokenMaxTtl: '1h' },
      { token_ttl: '2h', token_max_ttl: '1h' },
      'tokenTtl',
      "'token_ttl' cannot be greater than 'token_max_ttl'",
      'refuses',
    ],
    [
      { tokenType: 'batch', tokenPeriod: '1h' },
      { token_type: 'batch', token_period: '1h' },
      'tokenPeriod',
      "'token_type' cannot be 'batch' or 'default_batch' when set to generate periodic tokens",
      'refuses',
    ],
    [
      { secretIdNumUses: -1 },
      { secret_id_num_uses: -1 },
      'secretIdNumUses',
      'secret_id_num_uses cannot be negative',
      'refuses',
    ],
    [
      { secretIdTtl: 'soon' },
      { secret_id_ttl: 'soon' },
      'secretIdTtl',
      'Field validation failed: error converting input soon for field "secret_id_ttl": time: invalid duration "soon"',
      'refuses',
    ],
    [
      { secretIdTtl: 0 },
      { secret_id_ttl: 0 },
      'secretIdTtl',
      'secretIdTtl 0 makes secret IDs that never expire: give a TTL, e.g. "10m" for a deploy',
      'accepts',
    ],
    [
      { tokenPolicies: ['root'] },
      { token_policies: 'root' },
      'tokenPolicies',
      'an AppRole login may not get the root policy: name the policies it needs',
      'accepts',
    ],
  ];

  it.each(BAD)('%j (server: %j) → %s: %s', async (spec, wire, field, message, server) => {
    await backend.request('POST', '/v1/sys/auth/approle-surfaces', { type: 'approle' });
    const answer = await backend.request('POST', '/v1/auth/approle-surfaces/role/deploy', wire);
    await expectServer(answer, server, message, '/v1/auth/approle-surfaces/role/deploy');
    expect(
      await pulumiCheck('AppRoleRole', appRoleRoleProvider, { mount: 'approle-surfaces', name: 'deploy', ...spec }),
    ).toEqual([{ property: field, reason: message }]);
    const thrown = cdktfError(
      (s) => new AppRoleRole(s, 'deploy', { mount: 'approle-surfaces', name: 'deploy', ...spec } as never),
    );
    expect(thrown).toContain(`${field}: ${message}`);
    expect(thrown).toMatch(/test\/deploy/);
  });

  it('the constraint rule: Vault answers it as an internal error (500), the IaC surfaces as a field', async () => {
    await backend.request('POST', '/v1/sys/auth/approle-surfaces', { type: 'approle' });
    const message = 'at least one constraint should be enabled on the role';
    expect(
      await backend.request('POST', '/v1/auth/approle-surfaces/role/deploy', { bind_secret_id: false }),
    ).toMatchObject({ status: 500, json: { errors: [`1 error occurred:\n\t* ${message}\n\n`] } }); // Vault's multierror framing
    expect(
      await pulumiCheck('AppRoleRole', appRoleRoleProvider, {
        mount: 'approle-surfaces',
        name: 'deploy',
        bindSecretId: false,
      }),
    ).toEqual([{ property: 'bindSecretId', reason: message }]);
    expect(
      cdktfError(
        (s) => new AppRoleRole(s, 'deploy', { mount: 'approle-surfaces', name: 'deploy', bindSecretId: false }),
      ),
    ).toContain(`bindSecretId: ${message}`);
  });

  it('accepts the scenario’s kind of role everywhere', async () => {
    await backend.request('POST', '/v1/sys/auth/approle-surfaces', { type: 'approle' });
    const spec = { tokenPolicies: ['dev-sign-automation'], secretIdNumUses: 1, secretIdTtl: '10m', tokenTtl: '15m' };
    const answer = await backend.request('POST', '/v1/auth/approle-surfaces/role/ok', {
      token_policies: 'dev-sign-automation',
      secret_id_num_uses: 1,
      secret_id_ttl: '10m',
      token_ttl: '15m',
    });
    expect(answer.status).toBe(204);
    expect(
      await pulumiCheck('AppRoleRole', appRoleRoleProvider, { mount: 'approle-surfaces', name: 'ok', ...spec }),
    ).toEqual([]);
    expect(
      cdktfError((s) => new AppRoleRole(s, 'ok', { mount: 'approle-surfaces', name: 'ok', ...spec })),
    ).toBeUndefined();
  });
});

describe('token roles (core/token-role-spec.ts)', () => {
  /** The IaC spec, the same as the server's wire body, the input at fault, the core message, the server's answer. */
  const BAD: ReadonlyArray<readonly [Record<string, unknown>, Record<string, unknown>, string, string, Server]> = [
    [
      { allowedPolicies: ['a'], tokenType: 'weird' },
      { allowed_policies: 'a', token_type: 'weird' },
      'tokenType',
      `invalid 'token_type' value "weird"`,
      'refuses',
    ],
    [
      { allowedPolicies: ['a'], pathSuffix: 'v1/../x' },
      { allowed_policies: 'a', path_suffix: 'v1/../x' },
      'pathSuffix',
      String.raw`given role path suffix contains invalid characters; must match \w[\w-.]+\w`,
      'refuses',
    ],
    [
      { allowedPolicies: ['a'], pathSuffix: 'v1..2' },
      { allowed_policies: 'a', path_suffix: 'v1..2' },
      'pathSuffix',
      'error registering path suffix: path cannot contain parent references',
      'refuses',
    ],
    [
      { allowedPolicies: ['a'], tokenType: 'batch', orphan: true, renewable: false, tokenExplicitMaxTtl: '1h' },
      { allowed_policies: 'a', token_type: 'batch', orphan: true, renewable: false, token_explicit_max_ttl: '1h' },
      'tokenExplicitMaxTtl',
      "'token_type' cannot be 'batch' when role is set to generate tokens with an explicit max TTL",
      'refuses',
    ],
    [
      { allowedPolicies: ['a'], tokenPeriod: 'soon' },
      { allowed_policies: 'a', token_period: 'soon' },
      'tokenPeriod',
      'Field validation failed: error converting input soon for field "token_period": time: invalid duration "soon"',
      'refuses',
    ],
    [
      {},
      {},
      'allowedPolicies',
      "name allowedPolicies (or allowedPoliciesGlob): with none, a token made with this role may get any of its creator's policies",
      'accepts',
    ],
    [
      { allowedPolicies: ['root'] },
      { allowed_policies: 'root' },
      'allowedPolicies',
      'a token role may not allow the root policy: name the policies it needs',
      'accepts',
    ],
  ];

  it.each(BAD)('%j (server: %j) → %s: %s', async (spec, wire, field, message, server) => {
    const answer = await backend.request('POST', '/v1/auth/token/roles/deployer', wire);
    await expectServer(answer, server, message, '/v1/auth/token/roles/deployer');
    expect(await pulumiCheck('TokenRole', tokenRoleProvider, { name: 'deployer', ...spec })).toEqual([
      { property: field, reason: message },
    ]);
    const thrown = cdktfError((s) => new TokenRole(s, 'deployer', { name: 'deployer', ...spec } as never));
    expect(thrown).toContain(`${field}: ${message}`);
    expect(thrown).toMatch(/test\/deployer/);
  });
});

describe('good inputs pass every surface', () => {
  it.each(['ssh-ok', 'team/ssh-ok', 'ssh_ok.v2'])('the mount path %s', async (path) => {
    expect((await backend.request('POST', `/v1/sys/mounts/${path}`, { type: 'ssh' })).status).toBe(204);
    expect((await backend.request('DELETE', `/v1/sys/mounts/${path}`)).status).toBe(204);
    expect((await backend.request('POST', `/v1/sys/auth/${path}`, { type: 'userpass' })).status).toBe(204);
    expect((await backend.request('DELETE', `/v1/sys/auth/${path}`)).status).toBe(204);
    expect(await pulumiCheck('SecretsMount', secretsMountProvider, { path })).toEqual([]);
    expect(await pulumiCheck('SshCa', sshCaProvider, { mount: path })).toEqual([]);
    expect(await pulumiCheck('AuthMethod', authMethodProvider, { path, type: 'userpass' })).toEqual([]);
    expect(cdktfError((s) => new SshCertificateAuthority(s, 'ca', { mount: path }))).toBeUndefined();
    expect(cdktfError((s) => new SshEnvironment(s, 'dev', { environment: 'dev', mount: path, roles: {} }))).toBe(
      undefined,
    );
  });

  it.each([
    ['dev-sign-developer', 'path "ssh-dev/sign/developer" {\n  capabilities = ["create", "update"]\n}\n'],
    ['ops@team.v2', '{"path": {"ssh-dev/creds/web": {"capabilities": ["update"]}}}'],
  ])('the policy %s', async (name, policy) => {
    expect((await backend.request('POST', `/v1/sys/policies/acl/${name}`, { policy })).status).toBe(204);
    expect(await pulumiCheck('AclPolicy', aclPolicyProvider, { name, policy })).toEqual([]);
    expect(cdktfError((s) => new AclPolicy(s, 'policy', { name, policy }))).toBeUndefined();
    expect(cdktfError((s) => new SshAccessPolicy(s, 'p', { name, mount: 'ssh-dev', roles: ['dev'] }))).toBe(undefined);
  });

  it('the userpass user alice.ops with policies and TTLs', async () => {
    const body = { password: 'correct horse', token_policies: 'dev,ops', token_ttl: '1h', token_max_ttl: 7200 };
    expect((await backend.request('POST', '/v1/auth/userpass/users/alice.ops', body)).status).toBe(204);
    const user = {
      username: 'alice.ops',
      password: 'correct horse',
      tokenPolicies: ['dev', 'ops'],
      tokenTtl: '1h',
      tokenMaxTtl: 7200,
    };
    expect(await pulumiCheck('UserpassUser', userpassUserProvider, user)).toEqual([]);
  });

  it('the file audit device at audit-ok', async () => {
    const device = { type: 'file', options: { file_path: 'discard', mode: '0600' } };
    expect((await backend.request('POST', '/v1/sys/audit/audit-ok', device)).status).toBe(204);
    expect((await backend.request('DELETE', '/v1/sys/audit/audit-ok')).status).toBe(204);
    expect(await pulumiCheck('AuditDevice', auditDeviceProvider, { path: 'audit-ok', ...device })).toEqual([]);
  });
});
