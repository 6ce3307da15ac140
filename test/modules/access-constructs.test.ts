// The CDKTF twins of the Pulumi access resources (issue 19, point 2): AuthMethod, UserpassUser and
// AuditDevice through real cdktf synthesis (Testing.synth), the same validators failing synthesis,
// and, on the embedded server over real HTTP, the same backend state from the synthesized attributes
// (sent as the Terraform Vault provider sends them) as from the Pulumi providers.

import { VaultProvider } from '@cdktf/provider-vault/lib/provider/index.js';
import { Testing, TerraformStack, TerraformVariable } from 'cdktf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditDevice, type AuditDeviceProps } from '../../modules/audit-device.js';
import { AuthMethod, type AuthMethodProps } from '../../modules/auth-method.js';
import { UserpassUser, type UserpassUserProps } from '../../modules/userpass-user.js';
import { authMethodProvider } from '../../providers/auth-method.js';
import { userpassUserProvider } from '../../providers/userpass-user.js';
import { startTestServer, type TestServer } from '../helpers/vault-server.js';

type Resources = Record<string, Record<string, Record<string, unknown>>>;

function synth(build: (stack: TerraformStack) => void, runValidations = false): Resources {
  const stack = new TerraformStack(Testing.app(), 'access');
  new VaultProvider(stack, 'vault', {});
  build(stack);
  return (JSON.parse(Testing.synth(stack, runValidations)) as { resource: Resources }).resource;
}

const only = (resources: Resources, type: string): Record<string, unknown> => {
  const all = Object.values(resources[type] ?? {});
  expect(all).toHaveLength(1);
  const { '//': _meta, ...attrs } = all[0]!;
  return attrs;
};

let backend: TestServer;
beforeAll(async () => {
  backend = await startTestServer();
});
afterAll(() => backend?.close());

describe('AuthMethod, UserpassUser, AuditDevice', () => {
  const resources = synth((stack) => {
    const userpass = new AuthMethod(stack, 'userpass', { path: 'userpass-tf', type: 'userpass' });
    new UserpassUser(stack, 'testuser', {
      mount: 'userpass-tf',
      username: 'testuser',
      password: 'testuser-password',
      tokenPolicies: ['ssh-access'],
      tokenTtl: '1h',
      dependsOn: [userpass.backend],
    });
    new AuditDevice(stack, 'audit', { path: 'file', options: { file_path: 'stdout' } });
  });

  it('synthesizes a vault_auth_backend, a generic endpoint for the user and a vault_audit', () => {
    expect(only(resources, 'vault_auth_backend')).toEqual({ path: 'userpass-tf', type: 'userpass' });
    const user = only(resources, 'vault_generic_endpoint');
    expect(user).toMatchObject({ path: 'auth/userpass-tf/users/testuser', ignore_absent_fields: true });
    expect(user.depends_on).toEqual([expect.stringMatching(/^vault_auth_backend\./)]);
    expect(only(resources, 'vault_audit')).toEqual({ path: 'file', type: 'file', options: { file_path: 'stdout' } });
  });

  it('writes the same user as the Pulumi provider: a login gets the same policies and TTL', async () => {
    const user = only(resources, 'vault_generic_endpoint');
    const body = JSON.parse(String(user.data_json));
    expect(body).toEqual({ token_policies: ['ssh-access'], token_ttl: 3600, password: 'testuser-password' });
    const conn = { address: backend.url, token: backend.token };
    await authMethodProvider.create!({ ...conn, path: 'userpass-tf', type: 'userpass' });
    await authMethodProvider.create!({ ...conn, path: 'userpass-pulumi', type: 'userpass' });
    expect((await backend.request('POST', '/v1/auth/userpass-tf/users/testuser', body)).status).toBe(204);
    await userpassUserProvider.create!({
      ...conn,
      mount: 'userpass-pulumi',
      username: 'testuser',
      password: 'testuser-password',
      tokenPolicies: ['ssh-access'],
      tokenTtl: '1h',
    });
    const read = async (mount: string) => (await backend.request('GET', `/v1/auth/${mount}/users/testuser`)).json.data;
    expect(await read('userpass-tf')).toEqual(await read('userpass-pulumi'));
    expect(await read('userpass-tf')).toMatchObject({ token_policies: ['ssh-access'], token_ttl: 3600 });
  });

  it('takes a password from a sensitive variable unchecked (Vault checks it at apply)', () => {
    const r = synth((stack) => {
      const password = new TerraformVariable(stack, 'password', { type: 'string', sensitive: true });
      new UserpassUser(stack, 'u', { username: 'alice', password: password.stringValue });
    }, true);
    expect(only(r, 'vault_generic_endpoint').data_json).toBe('${jsonencode({"password" = var.password})}');
  });

  it.each([
    [
      () => ({ kind: 'auth', path: 'token', type: 'userpass' }),
      'path: token credential backend cannot be instantiated',
    ],
    [() => ({ kind: 'auth', path: 'userpass', type: '' }), 'type: type is required, e.g. "userpass"'],
    [
      () => ({ kind: 'user', username: 'alice', password: 'short' }),
      'password: password must be at least 8 characters',
    ],
    [() => ({ kind: 'user', username: '-x', password: 'long-enough' }), 'username: invalid username "-x"'],
    [() => ({ kind: 'audit', path: 'file', options: {} }), 'options: file_path is required'],
    [() => ({ kind: 'audit', path: 'a/b', options: { file_path: 'stdout' } }), 'path: invalid audit device path "a/b"'],
  ])('fails synthesis with the core validators (%#)', (make, message) => {
    // One table for three constructs: each row's props fit the construct its `kind` names.
    const p = make() as unknown as AuthMethodProps & UserpassUserProps & AuditDeviceProps & { kind: string };
    expect(() =>
      synth((stack) => {
        if (p.kind === 'auth') new AuthMethod(stack, 'x', p);
        else if (p.kind === 'user') new UserpassUser(stack, 'x', p);
        else new AuditDevice(stack, 'x', p);
      }, true),
    ).toThrow(message);
  });
});
