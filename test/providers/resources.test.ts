// Every resource through Pulumi's own dynamic-provider server (the serialized provider text the
// engine stores as `__provider`, driven over gRPC), against the embedded server over HTTP:
// check, create, diff, update, read (refresh) and delete, with the backend's state checked.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aclPolicyProvider } from '../../providers/acl-policy.js';
import { auditDeviceProvider } from '../../providers/audit-device.js';
import { authMethodProvider } from '../../providers/auth-method.js';
import { secretsMountProvider } from '../../providers/secrets-mount.js';
import { sshCaProvider } from '../../providers/ssh-ca.js';
import { sshRoleProvider } from '../../providers/ssh-role.js';
import { userpassUserProvider } from '../../providers/userpass-user.js';
import { generateKeyPair } from '../../server/ssh/generate-key-pair.js';
import { makeScratchDir, removeScratchDir } from '../helpers/scratch.js';
import { serializeProvider, startProviderServer, type ProviderServer } from '../helpers/pulumi.js';
import { startTestServer, type TestServer } from '../helpers/vault-server.js';

const urn = (type: string, name: string) => `urn:pulumi:dev::test::pulumi-nodejs:dynamic/vault-ssh-ca:${type}::${name}`;
let backend: TestServer;
let grpc: ProviderServer;
let dir: string;
const texts: Record<string, string> = {};

beforeAll(async () => {
  dir = makeScratchDir('providers');
  backend = await startTestServer();
  await backend.request('POST', '/v1/sys/mounts/ssh-dev', { type: 'ssh' });
  const providers = {
    mount: secretsMountProvider,
    ca: sshCaProvider,
    role: sshRoleProvider,
    policy: aclPolicyProvider,
    auth: authMethodProvider,
    user: userpassUserProvider,
    audit: auditDeviceProvider,
  };
  for (const [k, p] of Object.entries(providers)) texts[k] = await serializeProvider(p);
  grpc = await startProviderServer();
});

afterAll(async () => {
  await grpc?.stop();
  await backend?.close();
  if (dir) removeScratchDir(dir);
});

const conn = (kind: string) => ({ __provider: texts[kind]!, address: backend.url, token: backend.token });

describe('serialized providers', () => {
  it('capture no token, password or key', () => {
    for (const text of Object.values(texts)) {
      expect(text).not.toContain(backend.token);
      expect(text).not.toMatch(/-----BEGIN [A-Z ]*PRIVATE KEY-----\s*[A-Za-z0-9+/]{20}|hvs\.[A-Za-z0-9]{24}/);
    }
  });
});

describe('SshCa', () => {
  it('generates inside the backend, refreshes, is replaced (delete first) on a key change, and deletes', async () => {
    const inputs = { ...conn('ca'), mount: 'ssh-dev' };
    expect((await grpc.check(urn('SshCa', 'dev'), {}, inputs)).failures).toEqual([]);
    const { id, outs } = await grpc.create(urn('SshCa', 'dev'), inputs);
    expect(id).toBe('ssh-dev/config/ca');
    const served = (await backend.request('GET', '/v1/ssh-dev/public_key', undefined, null)).body;
    expect(outs.publicKey).toBe(served);
    expect(outs.publicKey).toMatch(/^ssh-ed25519 AAAA/);
    expect(await grpc.diff(urn('SshCa', 'dev'), id, outs, { ...inputs, keyType: 'rsa', keyBits: 4096 })).toEqual({
      changes: 2,
      replaces: ['keyType', 'keyBits'],
      deleteBeforeReplace: true,
    });
    expect((await grpc.diff(urn('SshCa', 'dev'), id, outs, inputs)).changes).toBe(1);
    expect((await grpc.read(urn('SshCa', 'dev'), id, outs)).props.publicKey).toBe(served);
    await grpc.delete(urn('SshCa', 'dev'), id, outs);
    expect((await backend.request('GET', '/v1/ssh-dev/config/ca')).status).toBe(400);
  });

  it('imports a key: the private key is never an output', async () => {
    const pair = generateKeyPair('ed25519', 0);
    const inputs = { ...conn('ca'), mount: 'ssh-dev', importedPublicKey: pair.publicKey, privateKey: pair.privateKey };
    const { id, outs } = await grpc.create(urn('SshCa', 'imported'), inputs);
    expect(outs.publicKey).toBe(pair.publicKey);
    expect(outs.imported).toBe(true);
    const { __provider: _code, ...state } = outs;
    expect(JSON.stringify(state)).not.toContain('PRIVATE KEY');
    expect(Object.keys(state).sort()).toEqual([
      'address',
      'imported',
      'importedPublicKey',
      'mount',
      'publicKey',
      'token',
      'trustedKeys',
    ]);
    expect((await grpc.diff(urn('SshCa', 'imported'), id, outs, inputs)).changes).toBe(1);
    await grpc.delete(urn('SshCa', 'imported'), id, outs);
  });

  it('refuses half an import and weak RSA', async () => {
    // A private key means "import" (core/ca-spec.ts isCaImport): the check sees the request `create` sends.
    expect((await grpc.check(urn('SshCa', 'x'), {}, { ...conn('ca'), mount: 'm', privateKey: 'x' })).failures).toEqual([
      { property: 'importedPublicKey', reason: 'missing public_key' },
      { property: 'privateKey', reason: 'Unable to parse private_key as an SSH private key: ssh: no key found' },
    ]);
    const publicKeyOnly = { ...conn('ca'), mount: 'm', importedPublicKey: 'ssh-ed25519 AAAA' };
    expect((await grpc.check(urn('SshCa', 'x'), {}, publicKeyOnly)).failures).toEqual([
      {
        property: 'privateKey',
        reason:
          'only one of public_key and private_key set; both must be set to use, or both must be blank to auto-generate',
      },
    ]);
    expect(
      (await grpc.check(urn('SshCa', 'x'), {}, { ...conn('ca'), mount: 'm', keyType: 'rsa', keyBits: 1024 })).failures,
    ).toEqual([{ property: 'keyBits', reason: 'refusing to generate weak rsa key: 1024 bits < 2048 bits' }]);
  });
});

describe('SshRole', () => {
  const role = {
    mount: 'ssh-dev',
    name: 'developer',
    allowedUsers: ['ubuntu'],
    defaultUser: 'ubuntu',
    ttl: '1h',
    maxTtl: '8h',
    defaultExtensions: { 'permit-pty': '' },
    allowedExtensions: ['permit-pty'],
  };

  it('writes every field, diffs normalised values, updates in place, shows out-of-band edits, deletes', async () => {
    const inputs = { ...conn('role'), ...role };
    expect((await grpc.check(urn('SshRole', 'dev'), {}, inputs)).failures).toEqual([]);
    const { id, outs } = await grpc.create(urn('SshRole', 'dev'), inputs);
    expect(id).toBe('ssh-dev/roles/developer');
    const stored = (await backend.request('GET', '/v1/ssh-dev/roles/developer')).json.data;
    expect(stored).toMatchObject({
      allowed_users: 'ubuntu',
      default_user: 'ubuntu',
      ttl: 3600,
      max_ttl: 28800,
      default_extensions: { 'permit-pty': '' },
      allowed_extensions: 'permit-pty',
      algorithm_signer: 'default',
      not_before_duration: 30,
      allowed_user_key_lengths: { ed25519: [0], ecdsa: [256, 384], rsa: [3072, 4096] },
    });
    expect((await grpc.diff(urn('SshRole', 'dev'), id, outs, { ...inputs, ttl: 3600, maxTtl: '480m' })).changes).toBe(
      1,
    );
    expect(await grpc.diff(urn('SshRole', 'dev'), id, outs, { ...inputs, name: 'dev2' })).toEqual({
      changes: 2,
      replaces: ['name'],
      deleteBeforeReplace: false,
    });
    const updated = await grpc.update(urn('SshRole', 'dev'), id, outs, { ...inputs, ttl: '2h' });
    expect(updated.ttl).toBe('2h');
    expect((await backend.request('GET', '/v1/ssh-dev/roles/developer')).json.data.ttl).toBe(7200);

    expect((await grpc.read(urn('SshRole', 'dev'), id, updated)).props).toEqual(updated);
    await backend.request('POST', '/v1/ssh-dev/roles/developer', {
      key_type: 'ca',
      allow_user_certificates: true,
      allowed_users: '*',
      ttl: 60,
    });
    const refreshed = (await grpc.read(urn('SshRole', 'dev'), id, updated)).props;
    expect(refreshed).toMatchObject({
      allowedUsers: ['*'],
      ttl: 60,
      defaultExtensions: {},
      mount: 'ssh-dev',
      name: 'developer',
    });
    expect((await grpc.diff(urn('SshRole', 'dev'), id, refreshed, { ...inputs, ttl: '2h' })).changes).toBe(2);

    await grpc.delete(urn('SshRole', 'dev'), id, updated);
    expect((await backend.request('GET', '/v1/ssh-dev/roles/developer')).status).toBe(404);
  });

  it("returns every failure with its property, ours and Vault's", async () => {
    const r = await grpc.check(
      urn('SshRole', 'bad'),
      {},
      {
        ...conn('role'),
        mount: 'ssh-dev',
        name: '-bad-',
        allowedUsers: ['*'],
        algorithmSigner: 'ssh-rsa',
        ttl: '2h',
        maxTtl: '1h',
      },
    );
    expect(r.failures).toEqual([
      {
        property: 'name',
        reason: 'role name "-bad-" must be letters, digits, _ - . @, not starting or ending with - . @',
      },
      {
        property: 'allowedUsers',
        reason: 'allowedUsers contains "*", which allows every principal: set allowWildcardPrincipals to mean it',
      },
      {
        property: 'algorithmSigner',
        reason:
          'algorithmSigner "ssh-rsa" signs with SHA-1, which OpenSSH 8.2 and later refuse: set allowSha1Signatures to mean it',
      },
      { property: 'ttl', reason: '"ttl" value must be less than "max_ttl" when both are specified' },
    ]);
  });
});

describe('SshRole: default critical options (issue 13, finding 10)', () => {
  const backup = {
    mount: 'ssh-dev',
    name: 'backup',
    allowedUsers: ['backup'],
    defaultCriticalOptions: { 'force-command': '/usr/local/bin/backup' },
  };

  it('check() refuses a default force-command that any requested critical option would drop', async () => {
    const r = await grpc.check(urn('SshRole', 'backup'), {}, { ...conn('role'), ...backup });
    expect(r.failures).toEqual([
      {
        property: 'allowedCriticalOptions',
        reason:
          'defaultCriticalOptions force-command can be dropped: a request that asks for any critical option replaces ' +
          'all the defaults, and allowedCriticalOptions is empty, which lets a requester ask for any critical option. ' +
          'No allowedCriticalOptions value forbids asking; list in it only names sshd refuses in a certificate ' +
          '(not force-command, source-address, verify-required), or enforce the restriction on the host ' +
          '(sshd_config ForceCommand, or command="…" in the AuthorizedPrincipalsFile); ' +
          'or set allowReplaceableCriticalOptions to mean it',
      },
    ]);
  });

  it('check() accepts it with allowReplaceableCriticalOptions, which is not sent to the backend', async () => {
    const inputs = { ...conn('role'), ...backup, allowReplaceableCriticalOptions: true };
    expect((await grpc.check(urn('SshRole', 'backup'), {}, inputs)).failures).toEqual([]);
    const { id, outs } = await grpc.create(urn('SshRole', 'backup'), inputs);
    const role = (await backend.request('GET', '/v1/ssh-dev/roles/backup')).json.data;
    expect(role.default_critical_options).toEqual({ 'force-command': '/usr/local/bin/backup' });
    expect(role).not.toHaveProperty('allow_replaceable_critical_options');
    await grpc.delete(urn('SshRole', 'backup'), id, outs);
  });
});

describe('AclPolicy, AuthMethod, UserpassUser, AuditDevice', () => {
  it('AclPolicy: create, update in place, refresh, replace on rename, delete', async () => {
    const inputs = {
      ...conn('policy'),
      name: 'ssh-access',
      policy: 'path "ssh-dev/sign/developer" { capabilities = ["update"] }',
    };
    const { id, outs } = await grpc.create(urn('AclPolicy', 'p'), inputs);
    expect((await backend.request('GET', '/v1/sys/policies/acl/ssh-access')).json.data.policy).toBe(inputs.policy);
    const next = { ...inputs, policy: 'path "ssh-dev/sign/*" { capabilities = ["update"] }' };
    expect((await grpc.diff(urn('AclPolicy', 'p'), id, outs, next)).changes).toBe(2);
    const updated = await grpc.update(urn('AclPolicy', 'p'), id, outs, next);
    expect((await grpc.read(urn('AclPolicy', 'p'), id, updated)).props.policy).toBe(next.policy);
    expect((await grpc.diff(urn('AclPolicy', 'p'), id, outs, { ...next, name: 'other' })).replaces).toEqual(['name']);
    expect(
      (await grpc.check(urn('AclPolicy', 'p'), {}, { ...inputs, policy: 'path "x" { capabilities = ["foo"] }' }))
        .failures,
    ).toEqual([{ property: 'policy', reason: 'failed to parse policy: path "x": invalid capability "foo"' }]);
    await grpc.delete(urn('AclPolicy', 'p'), id, updated);
    expect((await backend.request('GET', '/v1/sys/policies/acl/ssh-access')).status).toBe(404);
  });

  it('AuthMethod and UserpassUser: a user logs in with the policies given, password changes in place', async () => {
    const auth = await grpc.create(urn('AuthMethod', 'up'), { ...conn('auth'), path: 'userpass', type: 'userpass' });
    expect(auth.outs.accessor).toMatch(/^auth_userpass_[0-9a-f]{8}$/);
    const inputs = {
      ...conn('user'),
      username: 'testuser',
      password: 'first-password',
      tokenPolicies: ['ssh-access'],
      tokenTtl: '1h',
    };
    const { id, outs } = await grpc.create(urn('UserpassUser', 'u'), inputs);
    expect(id).toBe('auth/userpass/users/testuser');
    const login = (password: string) => backend.request('POST', '/v1/auth/userpass/login/testuser', { password }, null);
    expect((await login('first-password')).json.auth.policies).toEqual(['default', 'ssh-access']);
    const next = { ...inputs, password: 'second-password' };
    expect((await grpc.diff(urn('UserpassUser', 'u'), id, outs, next)).changes).toBe(2);
    await grpc.update(urn('UserpassUser', 'u'), id, outs, next);
    expect((await login('first-password')).status).toBe(400);
    expect((await login('second-password')).status).toBe(200);
    expect((await grpc.read(urn('UserpassUser', 'u'), id, next)).props).toEqual(next);
    await grpc.delete(urn('UserpassUser', 'u'), id, next);
    expect((await login('second-password')).status).toBe(400);
    await grpc.delete(urn('AuthMethod', 'up'), auth.id, auth.outs);
    expect(Object.keys((await backend.request('GET', '/v1/sys/auth')).json.data)).toEqual(['token/']);
  });

  it('AuditDevice: enabled with its options, replaced on any change, deleted', async () => {
    const inputs = { ...conn('audit'), path: 'file', options: { file_path: `${dir}/audit.log` } };
    const { id, outs } = await grpc.create(urn('AuditDevice', 'a'), inputs);
    expect((await backend.request('GET', '/v1/sys/audit')).json.data['file/'].options).toEqual({
      file_path: `${dir}/audit.log`,
    });
    expect(
      await grpc.diff(urn('AuditDevice', 'a'), id, outs, { ...inputs, options: { file_path: `${dir}/b.log` } }),
    ).toEqual({
      changes: 2,
      replaces: ['options'],
      deleteBeforeReplace: true,
    });
    await grpc.delete(urn('AuditDevice', 'a'), id, outs);
    expect((await backend.request('GET', '/v1/sys/audit')).json.data).toEqual({});
  });
});
