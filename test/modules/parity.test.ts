// Same role spec, same backend state: the attributes the CDKTF construct synthesizes, sent the way
// the Terraform Vault provider sends them, write the same role as the Pulumi provider does — over
// every role field, checked on the embedded server by reading both roles back; and the same for OTP
// roles and the zero-address list (`vault_generic_endpoint` data_json, written as that resource does).

import { AwsProvider } from '@cdktf/provider-aws/lib/provider/index.js';
import { VaultProvider } from '@cdktf/provider-vault/lib/provider/index.js';
import { Testing, TerraformStack } from 'cdktf';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { OtpRoleSpec } from '../../core/role-spec-otp.js';
import type { RoleSpec } from '../../core/role-spec.js';
import { SshOtpRole, SshRole, SshZeroAddressRoles } from '../../modules/index.js';
import { sshOtpRoleProvider } from '../../providers/ssh-otp-role.js';
import { sshRoleProvider } from '../../providers/ssh-role.js';
import { sshZeroAddressRolesProvider } from '../../providers/ssh-zero-address-roles.js';
import { startTestServer, type TestServer } from '../helpers/vault-server.js';

let backend: TestServer;
beforeAll(async () => {
  backend = await startTestServer();
  for (const path of ['ssh', 'ssh-terraform', 'ssh-pulumi'])
    await backend.request('POST', `/v1/sys/mounts/${path}`, { type: 'ssh' });
});
afterAll(() => backend?.close());

/** A spec that sets every field the Terraform provider has to a value other than its default. */
const EVERY_FIELD: RoleSpec = {
  allowedUsers: ['ubuntu', 'deploy-{{identity.entity.name}}'],
  allowedUsersTemplate: true,
  defaultUser: 'ubuntu',
  defaultUserTemplate: true,
  allowedDomains: ['example.com', 'internal.example.com'],
  allowedDomainsTemplate: true,
  allowUserCertificates: true,
  allowHostCertificates: true,
  allowBareDomains: true,
  allowSubdomains: true,
  ttl: '45m',
  maxTtl: '2h',
  allowedCriticalOptions: ['force-command', 'source-address'],
  defaultCriticalOptions: { 'source-address': '10.0.0.0/8' },
  // A requester may drop that default by asking for force-command (issue 13, finding 10): meant here.
  allowReplaceableCriticalOptions: true,
  allowedExtensions: ['permit-pty', 'permit-port-forwarding'],
  defaultExtensions: { 'permit-pty': '' },
  allowUserKeyIds: true,
  keyIdFormat: 'custom-{{role_name}}-{{token_display_name}}',
  allowedUserKeyLengths: { ed25519: [0], rsa: [3072, 4096] },
  algorithmSigner: 'rsa-sha2-512',
  notBeforeDuration: '1m',
  allowEmptyPrincipals: true,
};

/**
 * The body terraform-provider-vault's sshSecretBackendRoleWrite sends for these attributes: the
 * allow_* booleans always (false when not set), every other attribute only when set to a non-zero value (GetOk), and
 * allowed_user_key_config blocks as the allowed_user_key_lengths map.
 */
function terraformProviderBody(a: Record<string, unknown>): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const k of [
    'key_type',
    'allow_bare_domains',
    'allow_host_certificates',
    'allow_subdomains',
    'allow_user_certificates',
    'allow_user_key_ids',
  ]) {
    body[k] = a[k] ?? false;
  }
  for (const [k, v] of Object.entries(a)) {
    if (k in body || k === 'backend' || k === 'name' || k === '//') continue;
    if (k === 'allowed_user_key_config') {
      const blocks = v as Array<{ type: string; lengths: number[] }>;
      if (blocks.length > 0) body.allowed_user_key_lengths = Object.fromEntries(blocks.map((b) => [b.type, b.lengths]));
    } else if (
      v !== '' &&
      v !== false &&
      v !== null &&
      !(typeof v === 'object' && Object.keys(v as object).length === 0)
    ) {
      body[k] = v;
    }
  }
  return body;
}

it('writes the same role through the CDKTF construct and the Pulumi provider, for every field', async () => {
  const stack = new TerraformStack(Testing.app(), 'parity');
  new VaultProvider(stack, 'vault', {});
  new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
  new SshRole(stack, 'role', { ...EVERY_FIELD, mount: 'ssh', name: 'from-terraform' });
  const synthesized = JSON.parse(Testing.synth(stack, true)).resource.vault_ssh_secret_backend_role;
  const attrs = Object.values(synthesized)[0] as Record<string, unknown>;
  const tf = await backend.request('PUT', '/v1/ssh/roles/from-terraform', terraformProviderBody(attrs));
  // 200, not 204: the server warns that a request can drop the default source-address (as meant above).
  expect(tf.status).toBe(200);
  expect(tf.json.warnings).toEqual([
    expect.stringMatching(/^default_critical_options source-address can be dropped: /),
  ]);

  await sshRoleProvider.create({
    ...EVERY_FIELD,
    mount: 'ssh',
    name: 'from-pulumi',
    address: backend.url,
    token: backend.token,
  });

  const fromTerraform = (await backend.request('GET', '/v1/ssh/roles/from-terraform')).json.data;
  const fromPulumi = (await backend.request('GET', '/v1/ssh/roles/from-pulumi')).json.data;
  expect(fromTerraform).toEqual(fromPulumi);
  expect(fromPulumi).toMatchObject({
    allowed_users: 'ubuntu,deploy-{{identity.entity.name}}',
    ttl: 2700,
    max_ttl: 7200,
    not_before_duration: 60,
    algorithm_signer: 'rsa-sha2-512',
    allowed_user_key_lengths: { ed25519: [0], rsa: [3072, 4096] },
    allow_empty_principals: true,
    default_critical_options: { 'source-address': '10.0.0.0/8' },
  });
});

/** An OTP role with every field the Terraform provider has, and one that only the zero-address list opens. */
const OTP_ROLES: Record<string, OtpRoleSpec> = {
  web: { defaultUser: 'ubuntu', allowedUsers: ['deploy', 'ubuntu'], cidrList: ['10.0.0.0/8', '192.168.7.0/24'] },
  bastion: { defaultUser: 'ops', zeroAddress: true },
};

it('writes the same OTP roles and zero-address list through the CDKTF constructs and the Pulumi providers', async () => {
  const stack = new TerraformStack(Testing.app(), 'otp-parity');
  new VaultProvider(stack, 'vault', {});
  const roles = Object.entries(OTP_ROLES).map(
    ([name, spec]) => new SshOtpRole(stack, `role-${name}`, { ...spec, mount: 'ssh-terraform', name }),
  );
  new SshZeroAddressRoles(stack, 'zero', {
    mount: 'ssh-terraform',
    roles: ['bastion'],
    dependsOn: roles.map((r) => r.role),
  });
  const resources = JSON.parse(Testing.synth(stack, true)).resource;
  // In Terraform's order: the roles, then the endpoint that depends on them.
  for (const attrs of Object.values(resources.vault_ssh_secret_backend_role) as Array<Record<string, unknown>>) {
    const r = await backend.request('PUT', `/v1/ssh-terraform/roles/${attrs.name}`, terraformProviderBody(attrs));
    expect(r.status).toBe(204);
  }
  // vault_generic_endpoint writes data_json, decoded, to its path.
  const [endpoint] = Object.values(resources.vault_generic_endpoint) as Array<{ path: string; data_json: string }>;
  expect((await backend.request('PUT', `/v1/${endpoint!.path}`, JSON.parse(endpoint!.data_json))).status).toBe(204);

  const conn = { address: backend.url, token: backend.token };
  for (const [name, spec] of Object.entries(OTP_ROLES)) {
    await sshOtpRoleProvider.create({ ...spec, ...conn, mount: 'ssh-pulumi', name });
  }
  await sshZeroAddressRolesProvider.create({ ...conn, mount: 'ssh-pulumi', roles: ['bastion'] });

  for (const path of ['roles/web', 'roles/bastion', 'config/zeroaddress']) {
    const fromTerraform = (await backend.request('GET', `/v1/ssh-terraform/${path}`)).json.data;
    expect((await backend.request('GET', `/v1/ssh-pulumi/${path}`)).json.data).toEqual(fromTerraform);
  }
  expect((await backend.request('GET', '/v1/ssh-pulumi/roles/web')).json.data).toEqual({
    default_user: 'ubuntu',
    allowed_users: 'deploy,ubuntu',
    cidr_list: '10.0.0.0/8,192.168.7.0/24',
    exclude_cidr_list: '',
    key_type: 'otp',
    port: 22,
  });
  expect((await backend.request('GET', '/v1/ssh-pulumi/config/zeroaddress')).json.data).toEqual({ roles: ['bastion'] });
  // Both mounts then issue the same way: bastion for any IP, web inside its CIDRs only.
  for (const mount of ['ssh-terraform', 'ssh-pulumi']) {
    const creds = (role: string, ip: string) => backend.request('POST', `/v1/${mount}/creds/${role}`, { ip });
    expect((await creds('bastion', '203.0.113.9')).status).toBe(200);
    expect((await creds('web', '192.168.7.9')).status).toBe(200);
    expect((await creds('web', '203.0.113.9')).json.errors).toEqual([
      'Error validating IP: IP does not belong to role',
    ]);
  }
});
