// The providers serialize and run the same whatever runs the Pulumi program: tsc output (dist/, as
// `pulumi up` runs a built program), tsx (TypeScript source), and vitest (the other tests). Each
// serialized text is then executed by Pulumi's dynamic-provider server: SshRole, SshOtpRole
// with SshZeroAddressRoles, and the JWT and identity providers (issue 18).

import { execFile } from 'node:child_process';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startProviderServer, type ProviderServer } from '../helpers/pulumi.js';
import { startTestServer, type TestServer } from '../helpers/vault-server.js';

const ROOT = resolve(import.meta.dirname, '../..');
let backend: TestServer;
let grpc: ProviderServer;

beforeAll(async () => {
  backend = await startTestServer();
  grpc = await startProviderServer();
});

afterAll(async () => {
  await grpc?.stop();
  await backend?.close();
});

/**
 * Serialize the provider exported as `name` in a fresh process running `module` with `runner`, from a program
 * file in the project, as Pulumi runs one (not `node -e`, where Node exposes built-in modules as
 * globals and the serializer would refer to `global.http`).
 */
const run = promisify(execFile);
let programs = 0;

/**
 * The provider's serialized text, made in a child process. Asynchronous on purpose: a synchronous
 * child blocks this process's event loop for seconds, during which the in-process test server's
 * keep-alive timer and fetch's idle connection fall out of step (ECONNRESET on the next request).
 */
async function serializeWith(runner: string[], module: string, name = 'sshRoleProvider'): Promise<string> {
  const program = join(ROOT, `.serialize-${process.pid}-${++programs}.mjs`);
  writeFileSync(
    program,
    `import * as pulumi from '@pulumi/pulumi';
const provider = (await import(${JSON.stringify(module)}))[${JSON.stringify(name)}];
const { text } = await pulumi.runtime.serializeFunction(() => provider, { allowSecrets: true });
process.stdout.write(text);
`,
  );
  try {
    return (await run(runner[0]!, [...runner.slice(1), program], { cwd: ROOT, encoding: 'utf8' })).stdout;
  } finally {
    rmSync(program);
  }
}

it.each([
  ['tsc output', [process.execPath], resolve(ROOT, 'dist/providers/ssh-role.js')],
  ['tsx', [process.execPath, '--import', 'tsx'], resolve(ROOT, 'providers/ssh-role.ts')],
])('a provider serialized from %s runs in the dynamic-provider server', async (label, runner, module) => {
  if (label === 'tsc output' && !existsSync(module)) throw new Error(`${module} is missing: run "npm run build" first`);
  const text = await serializeWith(runner, module);
  const urn = `urn:pulumi:dev::test::pulumi-nodejs:dynamic/vault-ssh-ca:SshRole::${label.replace(/\W/g, '')}`;
  await backend.request('POST', '/v1/sys/mounts/ssh', { type: 'ssh' });
  const inputs = {
    __provider: text,
    address: backend.url,
    token: backend.token,
    mount: 'ssh',
    name: 'ci',
    allowedUsers: ['gitlab-runner'],
  };
  expect((await grpc.check(urn, {}, inputs)).failures).toEqual([]);
  expect((await grpc.create(urn, inputs)).id).toBe('ssh/roles/ci');
  expect((await backend.request('GET', '/v1/ssh/roles/ci')).json.data.allowed_users).toBe('gitlab-runner');
  await backend.request('DELETE', '/v1/sys/mounts/ssh');
});

it.each([
  ['tsc output', [process.execPath], resolve(ROOT, 'dist/providers'), 'js'],
  ['tsx', [process.execPath, '--import', 'tsx'], resolve(ROOT, 'providers'), 'ts'],
])(
  'the OTP role and zero-address providers serialized from %s run in the dynamic-provider server',
  async (label, runner, dir, ext) => {
    const otpModule = `${dir}/ssh-otp-role.${ext}`;
    if (label === 'tsc output' && !existsSync(otpModule))
      throw new Error(`${otpModule} is missing: run "npm run build" first`);
    const otp = await serializeWith(runner, otpModule, 'sshOtpRoleProvider');
    const zero = await serializeWith(runner, `${dir}/ssh-zero-address-roles.${ext}`, 'sshZeroAddressRolesProvider');
    const urn = (type: string) => `urn:pulumi:dev::test::pulumi-nodejs:dynamic/vault-ssh-ca:${type}::${ext}`;
    await backend.request('POST', '/v1/sys/mounts/ssh', { type: 'ssh' });
    const conn = { address: backend.url, token: backend.token, mount: 'ssh' };
    const role = { __provider: otp, ...conn, name: 'bastion', defaultUser: 'ops', zeroAddress: true };
    expect((await grpc.check(urn('SshOtpRole'), {}, role)).failures).toEqual([]);
    expect((await grpc.create(urn('SshOtpRole'), role)).id).toBe('ssh/roles/bastion');
    expect((await grpc.create(urn('SshZeroAddressRoles'), { __provider: zero, ...conn, roles: ['bastion'] })).id).toBe(
      'ssh/config/zeroaddress',
    );
    expect((await backend.request('POST', '/v1/ssh/creds/bastion', { ip: '203.0.113.9' })).json.data.username).toBe(
      'ops',
    );
    await backend.request('DELETE', '/v1/sys/mounts/ssh');
  },
);

it.each([
  ['tsc output', [process.execPath], resolve(ROOT, 'dist/providers'), 'js'],
  ['tsx', [process.execPath, '--import', 'tsx'], resolve(ROOT, 'providers'), 'ts'],
])(
  'the JWT auth, JWT role and identity providers serialized from %s run in the dynamic-provider server',
  async (label, runner, dir, ext) => {
    const backendModule = `${dir}/jwt-auth-backend.${ext}`;
    if (label === 'tsc output' && !existsSync(backendModule))
      throw new Error(`${backendModule} is missing: run "npm run build" first`);
    const text = {
      JwtAuthBackend: await serializeWith(runner, backendModule, 'jwtAuthBackendProvider'),
      JwtRole: await serializeWith(runner, `${dir}/jwt-role.${ext}`, 'jwtRoleProvider'),
      IdentityEntity: await serializeWith(runner, `${dir}/identity-entity.${ext}`, 'identityEntityProvider'),
      IdentityEntityAlias: await serializeWith(
        runner,
        `${dir}/identity-entity-alias.${ext}`,
        'identityEntityAliasProvider',
      ),
    };
    const urn = (type: string) => `urn:pulumi:dev::test::pulumi-nodejs:dynamic/vault-ssh-ca:${type}::${ext}`;
    const run = async (type: keyof typeof text, inputs: Record<string, unknown>) => {
      const props = { __provider: text[type], address: backend.url, token: backend.token, ...inputs };
      expect((await grpc.check(urn(type), {}, props)).failures).toEqual([]);
      return grpc.create(urn(type), props);
    };
    const { publicKey } = await import('node:crypto').then((c) => c.generateKeyPairSync('ed25519'));
    const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const method = await run('JwtAuthBackend', {
      path: `jwt-${ext}`,
      jwtValidationPubkeys: [pem],
      boundIssuer: 'https://gitlab.example.com',
    });
    const role = await run('JwtRole', {
      mount: `jwt-${ext}`,
      name: 'ci',
      boundAudiences: ['https://vault.example.com'],
      boundClaims: { project_path: 'infra/deploy' },
      userClaim: 'project_path',
    });
    expect(role.id).toBe(`auth/jwt-${ext}/role/ci`);
    const entity = await run('IdentityEntity', { name: `ci-${ext}` });
    const alias = await run('IdentityEntityAlias', {
      name: 'infra/deploy',
      canonicalId: entity.id,
      mountAccessor: method.outs.accessor,
    });
    expect((await backend.request('GET', `/v1/identity/entity/id/${entity.id}`)).json.data.aliases).toMatchObject([
      { id: alias.id, name: 'infra/deploy', mount_path: `auth/jwt-${ext}/` },
    ]);
    expect((await backend.request('GET', `/v1/auth/jwt-${ext}/role/ci`)).json.data.token_ttl).toBe(900);
    await backend.request('DELETE', `/v1/sys/auth/jwt-${ext}`);
  },
);
