// SshEnvironment with one-time-password roles, as a whole Pulumi program under setMocks whose mocks
// run the serialized providers as the engine does (./mock-engine.ts), against the embedded server:
// the OTP roles, their creds policies, and the zero-address list written after the roles it names
// (Vault refuses it before), then put to use with `creds`.

import * as pulumi from '@pulumi/pulumi';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { credsPolicy } from '../../core/acl/signing-policy.js';
import { startTestServer, type TestServer } from '../helpers/vault-server.js';
import { setEngineMocks, settled, value } from './mock-engine.js';

let backend: TestServer;
const created: string[] = [];
let providers: typeof import('../../providers/index.js');

beforeAll(async () => {
  backend = await startTestServer();
  pulumi.runtime.setAllConfig({ 'vault-ssh-ca:address': backend.url, 'vault-ssh-ca:token': backend.token }, [
    'vault-ssh-ca:token',
  ]);
  await setEngineMocks('otp-environment', created);
  providers = await import('../../providers/index.js');
});

afterAll(() => backend?.close());

it('creates the OTP roles, a creds policy each, and the zero-address list after the roles it names', async () => {
  const env = new providers.SshEnvironment('dev', {
    environment: 'dev',
    roles: { developer: { allowedUsers: ['ubuntu'], defaultUser: 'ubuntu' } },
    otpRoles: {
      web: { defaultUser: 'ubuntu', allowedUsers: ['deploy'], cidrList: ['10.0.0.0/8'] },
      bastion: { defaultUser: 'ops', zeroAddress: true },
    },
  });
  expect(await value(env.credsPolicies.web!)).toBe('dev-creds-web');
  expect(await value(env.zeroAddressRoles!.roles)).toEqual(['bastion']);
  await settled(created);
  expect([...created].sort()).toEqual([
    'AclPolicy:dev-creds-bastion',
    'AclPolicy:dev-creds-web',
    'AclPolicy:dev-sign-developer',
    'SecretsMount:ssh-dev',
    'SshCa:ssh-dev/config/ca',
    'SshOtpRole:ssh-dev/roles/bastion',
    'SshOtpRole:ssh-dev/roles/web',
    'SshRole:ssh-dev/roles/developer',
    'SshZeroAddressRoles:ssh-dev/config/zeroaddress',
  ]);
  expect(created.indexOf('SshZeroAddressRoles:ssh-dev/config/zeroaddress')).toBeGreaterThan(
    created.indexOf('SshOtpRole:ssh-dev/roles/bastion'),
  );

  expect((await backend.request('GET', '/v1/ssh-dev/config/zeroaddress')).json.data).toEqual({ roles: ['bastion'] });
  expect((await backend.request('GET', '/v1/sys/policies/acl/dev-creds-web')).json.data.policy).toBe(
    credsPolicy('ssh-dev', ['web']),
  );
  // A token with the creds policy of web gets OTPs there, inside web's CIDRs, and nowhere else.
  const token = (await backend.request('POST', '/v1/auth/token/create', { policies: ['dev-creds-web'] })).json.auth
    .client_token as string;
  const creds = (role: string, ip: string) => backend.request('POST', `/v1/ssh-dev/creds/${role}`, { ip }, token);
  const issued = await creds('web', '10.1.2.3');
  expect(issued.status).toBe(200);
  expect(issued.json.data).toMatchObject({ ip: '10.1.2.3', username: 'ubuntu', key_type: 'otp', port: 22 });
  expect((await creds('web', '203.0.113.9')).json.errors).toEqual(['Error validating IP: IP does not belong to role']);
  expect((await creds('bastion', '203.0.113.9')).status).toBe(403);
  const root = await backend.request('POST', '/v1/ssh-dev/creds/bastion', { ip: '203.0.113.9' });
  expect(root.json.data).toMatchObject({ ip: '203.0.113.9', username: 'ops' });
});

it('refuses a role name declared both as a CA and as an OTP role', () => {
  expect(
    () =>
      new providers.SshEnvironment('clash', {
        environment: 'clash',
        roles: { ops: { allowedUsers: ['ops'] } },
        otpRoles: { ops: { defaultUser: 'ops', cidrList: ['10.0.0.0/8'] } },
      }),
  ).toThrow('SshEnvironment clash: role "ops" is declared in roles and in otpRoles: a mount holds one role per name');
});

it('refuses a host CA on the user CA mount before creating anything (issue 17)', () => {
  expect(
    () =>
      new providers.SshEnvironment('same-mount', {
        environment: 'dev',
        roles: {},
        hostCa: { allowedDomains: ['dev.example.com'], mount: 'ssh-dev' },
      }),
  ).toThrow(
    'SshEnvironment same-mount: hostCa.mount: the host CA needs a mount of its own, not the user CA\'s "ssh-dev": a key that signs both can make a user certificate pass as a host\'s',
  );
});
