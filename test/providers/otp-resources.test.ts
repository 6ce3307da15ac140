// SshOtpRole and SshZeroAddressRoles through Pulumi's own dynamic-provider server (the serialized
// provider text the engine stores as `__provider`, driven over gRPC), against the embedded server
// over HTTP: check (every failure, exact), create, diff, update, read (refresh) and delete, with the
// backend's state checked and the roles put to use: `creds` issues an OTP where the role says so.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sshOtpRoleProvider } from '../../providers/ssh-otp-role.js';
import { sshZeroAddressRolesProvider } from '../../providers/ssh-zero-address-roles.js';
import { serializeProvider, startProviderServer, type ProviderServer } from '../helpers/pulumi.js';
import { startTestServer, type TestServer } from '../helpers/vault-server.js';

const urn = (type: string, name: string) => `urn:pulumi:dev::test::pulumi-nodejs:dynamic/vault-ssh-ca:${type}::${name}`;
let backend: TestServer;
let grpc: ProviderServer;
const texts: Record<string, string> = {};

beforeAll(async () => {
  backend = await startTestServer();
  await backend.request('POST', '/v1/sys/mounts/ssh-otp', { type: 'ssh' });
  texts.otp = await serializeProvider(sshOtpRoleProvider);
  texts.zero = await serializeProvider(sshZeroAddressRolesProvider);
  grpc = await startProviderServer();
});

afterAll(async () => {
  await grpc?.stop();
  await backend?.close();
});

const conn = (kind: string) => ({ __provider: texts[kind]!, address: backend.url, token: backend.token });
/** What the server answers for a resource that is gone: no id (the engine then drops it), only the provider. */
const gone = (kind: string) => ({ id: '', props: { __provider: texts[kind] } });
const creds = (role: string, ip: string) => backend.request('POST', `/v1/ssh-otp/creds/${role}`, { ip });

describe('serialized providers', () => {
  it('capture no token', () => {
    for (const text of Object.values(texts)) expect(text).not.toContain(backend.token);
  });
});

describe('SshOtpRole', () => {
  const web = {
    mount: 'ssh-otp',
    name: 'web',
    defaultUser: 'ubuntu',
    allowedUsers: ['deploy'],
    cidrList: ['10.0.0.0/8'],
    excludeCidrList: ['10.0.0.1/32'],
  };

  it('writes the role, issues where it says, diffs, updates in place, shows out-of-band edits, deletes', async () => {
    const inputs = { ...conn('otp'), ...web };
    expect((await grpc.check(urn('SshOtpRole', 'web'), {}, inputs)).failures).toEqual([]);
    const { id, outs } = await grpc.create(urn('SshOtpRole', 'web'), inputs);
    expect(id).toBe('ssh-otp/roles/web');
    expect((await backend.request('GET', '/v1/ssh-otp/roles/web')).json.data).toEqual({
      default_user: 'ubuntu',
      allowed_users: 'deploy',
      cidr_list: '10.0.0.0/8',
      exclude_cidr_list: '10.0.0.1/32',
      key_type: 'otp',
      port: 22,
    });
    const issued = await creds('web', '10.0.0.5');
    expect(issued.status).toBe(200);
    expect(issued.json.data).toMatchObject({ key_type: 'otp', ip: '10.0.0.5', username: 'ubuntu', port: 22 });
    expect((await creds('web', '10.0.0.1')).json.errors).toEqual(['Error validating IP: IP does not belong to role']);

    expect(await grpc.diff(urn('SshOtpRole', 'web'), id, outs, { ...inputs, port: 22 })).toEqual({
      changes: 1,
      replaces: [],
      deleteBeforeReplace: false,
    });
    expect(await grpc.diff(urn('SshOtpRole', 'web'), id, outs, { ...inputs, name: 'web2' })).toEqual({
      changes: 2,
      replaces: ['name'],
      deleteBeforeReplace: false,
    });
    const next = { ...inputs, cidrList: ['10.0.0.0/8', '192.168.7.0/24'], port: 2222 };
    expect((await grpc.diff(urn('SshOtpRole', 'web'), id, outs, next)).changes).toBe(2);
    const updated = await grpc.update(urn('SshOtpRole', 'web'), id, outs, next);
    expect(updated.port).toBe(2222);
    expect((await backend.request('GET', '/v1/ssh-otp/roles/web')).json.data).toMatchObject({
      cidr_list: '10.0.0.0/8,192.168.7.0/24',
      port: 2222,
    });
    expect((await creds('web', '192.168.7.9')).json.data.port).toBe(2222);

    expect((await grpc.read(urn('SshOtpRole', 'web'), id, updated)).props).toEqual(updated);
    await backend.request('POST', '/v1/ssh-otp/roles/web', {
      key_type: 'otp',
      default_user: 'root',
      cidr_list: '0.0.0.0/0',
    });
    const refreshed = (await grpc.read(urn('SshOtpRole', 'web'), id, updated)).props;
    expect(refreshed).toEqual({
      ...updated,
      defaultUser: 'root',
      allowedUsers: [],
      cidrList: ['0.0.0.0/0'],
      excludeCidrList: [],
      port: 22,
    });
    expect((await grpc.diff(urn('SshOtpRole', 'web'), id, refreshed, next)).changes).toBe(2);

    // A CA role of the same name is not this resource: refresh shows it gone.
    await backend.request('POST', '/v1/ssh-otp/roles/web', { key_type: 'ca', allow_user_certificates: true });
    expect(await grpc.read(urn('SshOtpRole', 'web'), id, updated)).toEqual(gone('otp'));

    await grpc.delete(urn('SshOtpRole', 'web'), id, updated);
    expect((await backend.request('GET', '/v1/ssh-otp/roles/web')).status).toBe(404);
  });

  it("returns every failure with its property, ours and Vault's", async () => {
    const r = await grpc.check(
      urn('SshOtpRole', 'bad'),
      {},
      {
        ...conn('otp'),
        mount: '',
        name: 'web.',
        defaultUser: '',
        allowedUsers: ['*'],
        cidrList: ['0.0.0.0/0', '10.0.0.0/33'],
        port: 0,
      },
    );
    expect(r.failures).toEqual([
      { property: 'mount', reason: 'mount is required' },
      {
        property: 'name',
        reason: 'role name "web." must be letters, digits, _ - . @, not starting or ending with - . @',
      },
      {
        property: 'allowedUsers',
        reason: 'allowedUsers contains "*", which allows every principal: set allowWildcardPrincipals to mean it',
      },
      {
        property: 'cidrList',
        reason: 'cidrList contains 0.0.0.0/0, which is every address: set allowAnyAddress to mean it',
      },
      { property: 'port', reason: 'port 0 is not a TCP port: use 1 to 65535' },
      { property: 'cidrList', reason: 'failed to validate cidr_list: invalid CIDR address: 10.0.0.0/33' },
      { property: 'defaultUser', reason: 'missing default user' },
    ]);
    expect(
      (
        await grpc.check(
          urn('SshOtpRole', 'empty'),
          {},
          { ...conn('otp'), mount: 'ssh-otp', name: 'x', defaultUser: 'u' },
        )
      ).failures,
    ).toEqual([
      {
        property: 'cidrList',
        reason:
          "cidrList is empty, so the role can issue no OTP: name the hosts' CIDRs, or set zeroAddress and list the role in the mount's zero-address list",
      },
    ]);
  });
});

describe('SshZeroAddressRoles', () => {
  it('lets a listed role issue for any IP, updates the list in place, refreshes, and deletes', async () => {
    const bastion = { ...conn('otp'), mount: 'ssh-otp', name: 'bastion', defaultUser: 'ops', zeroAddress: true };
    const jump = { ...bastion, name: 'jump' };
    expect((await grpc.check(urn('SshOtpRole', 'bastion'), {}, bastion)).failures).toEqual([]);
    const b = await grpc.create(urn('SshOtpRole', 'bastion'), bastion);
    const j = await grpc.create(urn('SshOtpRole', 'jump'), jump);
    expect((await creds('bastion', '203.0.113.9')).json.errors).toEqual([
      'Error validating IP: IP does not belong to role',
    ]);

    const inputs = { ...conn('zero'), mount: 'ssh-otp', roles: ['bastion'] };
    expect((await grpc.check(urn('SshZeroAddressRoles', 'z'), {}, inputs)).failures).toEqual([]);
    const { id, outs } = await grpc.create(urn('SshZeroAddressRoles', 'z'), inputs);
    expect(id).toBe('ssh-otp/config/zeroaddress');
    expect((await backend.request('GET', '/v1/ssh-otp/config/zeroaddress')).json.data).toEqual({ roles: ['bastion'] });
    expect((await creds('bastion', '203.0.113.9')).json.data).toMatchObject({ ip: '203.0.113.9', username: 'ops' });

    expect(
      (await grpc.diff(urn('SshZeroAddressRoles', 'z'), id, outs, { ...inputs, roles: ['bastion', 'bastion'] }))
        .changes,
    ).toBe(1);
    const next = { ...inputs, roles: ['jump', 'bastion'] };
    expect(await grpc.diff(urn('SshZeroAddressRoles', 'z'), id, outs, next)).toEqual({
      changes: 2,
      replaces: [],
      deleteBeforeReplace: false,
    });
    expect((await grpc.diff(urn('SshZeroAddressRoles', 'z'), id, outs, { ...inputs, mount: 'ssh' })).replaces).toEqual([
      'mount',
    ]);
    const updated = await grpc.update(urn('SshZeroAddressRoles', 'z'), id, outs, next);
    expect((await backend.request('GET', '/v1/ssh-otp/config/zeroaddress')).json.data).toEqual({
      roles: ['bastion', 'jump'],
    });
    expect((await grpc.read(urn('SshZeroAddressRoles', 'z'), id, updated)).props).toEqual(updated);

    // Deleting a listed role takes it off the list (as Vault does): refresh shows it.
    await grpc.delete(urn('SshOtpRole', 'jump'), j.id, j.outs);
    expect((await grpc.read(urn('SshZeroAddressRoles', 'z'), id, updated)).props).toEqual({
      ...updated,
      roles: ['bastion'],
    });

    await grpc.delete(urn('SshZeroAddressRoles', 'z'), id, updated);
    expect((await backend.request('GET', '/v1/ssh-otp/config/zeroaddress')).status).toBe(404);
    expect(await grpc.read(urn('SshZeroAddressRoles', 'z'), id, updated)).toEqual(gone('zero'));
    expect((await creds('bastion', '203.0.113.9')).status).toBe(400);
    await grpc.delete(urn('SshOtpRole', 'bastion'), b.id, b.outs);
  });

  it("refuses an empty list in check, and a role that does not exist at create, in Vault's words", async () => {
    expect(
      (await grpc.check(urn('SshZeroAddressRoles', 'e'), {}, { ...conn('zero'), mount: 'ssh-otp', roles: [] }))
        .failures,
    ).toEqual([{ property: 'roles', reason: 'Missing roles' }]);
    await expect(
      grpc.create(urn('SshZeroAddressRoles', 'g'), { ...conn('zero'), mount: 'ssh-otp', roles: ['ghost'] }),
    ).rejects.toThrow('* Role "ghost" does not exist');
  });
});
