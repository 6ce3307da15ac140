// The CDKTF constructs through real cdktf synthesis (Testing.synth, no Terraform binary): exact
// resources and attributes, validation from the core validators failing synthesis, the user-data
// that carries the CA public key as a Terraform reference, and OTP roles with their zero-address list.

import { AwsProvider } from '@cdktf/provider-aws/lib/provider/index.js';
import { VaultProvider } from '@cdktf/provider-vault/lib/provider/index.js';
import { Testing, TerraformOutput, TerraformStack } from 'cdktf';
import { describe, expect, it } from 'vitest';
import { credsPolicy, signingPolicy } from '../../core/acl/signing-policy.js';
import { roleSpecToTerraform } from '../../core/role-spec-terraform.js';
import { SshEnvironment, SshOtpRole, SshRole, SshZeroAddressRoles, TrustedEc2Hosts } from '../../modules/index.js';

type Resources = Record<string, Record<string, Record<string, unknown>>>;

/** Synthesize a stack built by `build` and return its resources by type, metadata removed. */
function synth(build: (stack: TerraformStack) => void, runValidations = false): Resources {
  const stack = new TerraformStack(Testing.app(), 'test');
  new VaultProvider(stack, 'vault', {});
  new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
  build(stack);
  const json = JSON.parse(Testing.synth(stack, runValidations)) as { resource: Resources };
  return json.resource;
}

const one = (resources: Resources, type: string) => {
  const entries = Object.entries(resources[type] ?? {});
  expect(entries).toHaveLength(1);
  const [id, attrs] = entries[0]!;
  const { '//': _meta, ...rest } = attrs;
  return { id, attrs: rest };
};

const developer = {
  allowedUsers: ['ubuntu'],
  defaultUser: 'ubuntu',
  ttl: '1h',
  maxTtl: '8h',
  defaultExtensions: { 'permit-pty': '' },
};

const snake = (o: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(o).map(([k, v]) => [k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), v]));

describe('SshEnvironment', () => {
  const resources = synth((stack) => new SshEnvironment(stack, 'dev', { environment: 'dev', roles: { developer } }));

  it('synthesizes the mount and a CA generated inside Vault, ed25519 by default', () => {
    const mount = one(resources, 'vault_mount');
    expect(mount.attrs).toEqual({
      path: 'ssh-dev',
      type: 'ssh',
      description: 'SSH CA ssh-dev',
      max_lease_ttl_seconds: 86400,
    });
    expect(one(resources, 'vault_ssh_secret_backend_ca').attrs).toEqual({
      backend: `\${vault_mount.${mount.id}.path}`,
      generate_signing_key: true,
      key_type: 'ed25519',
    });
  });

  it('synthesizes the role with our secure defaults, every attribute', () => {
    const mount = one(resources, 'vault_mount');
    const role = one(resources, 'vault_ssh_secret_backend_role');
    expect(role.attrs).toEqual({
      ...snake({ ...roleSpecToTerraform(developer) }),
      allowed_user_key_config: [
        { type: 'ed25519', lengths: [0] },
        { type: 'ecdsa', lengths: [256, 384] },
        { type: 'rsa', lengths: [3072, 4096] },
      ],
      backend: `\${vault_mount.${mount.id}.path}`,
      name: 'developer',
    });
    expect(role.attrs).toMatchObject({
      ttl: '3600',
      max_ttl: '28800',
      not_before_duration: '30',
      allowed_users: 'ubuntu',
    });
  });

  it('synthesizes one signing policy per role', () => {
    expect(one(resources, 'vault_policy').attrs).toEqual({
      name: 'dev-sign-developer',
      policy: signingPolicy('ssh-dev', ['developer']),
    });
  });
});

describe('validation from the core validators', () => {
  it.each([
    [{ ...developer, ttl: '9h' }, 'ttl: "ttl" value must be less than "max_ttl" when both are specified'],
    [
      { ...developer, allowedUsers: ['*'] },
      'allowedUsers: allowedUsers contains "*", which allows every principal: set allowWildcardPrincipals to mean it',
    ],
    [
      { ...developer, defaultExtensionsTemplate: true },
      'defaultExtensionsTemplate: defaultExtensionsTemplate has no attribute in the Terraform Vault provider 5.x',
    ],
  ])('fails synthesis for %j', (spec, message) => {
    expect(() => synth((stack) => new SshRole(stack, 'r', { ...spec, mount: 'ssh', name: 'dev' }), true)).toThrow(
      message,
    );
  });

  it('fails synthesis for a default force-command a requester can drop, unless allowReplaceableCriticalOptions (issue 13, finding 10)', () => {
    const backup = { ...developer, defaultCriticalOptions: { 'force-command': '/usr/local/bin/backup' } };
    expect(() => synth((stack) => new SshRole(stack, 'r', { ...backup, mount: 'ssh', name: 'backup' }), true)).toThrow(
      'allowedCriticalOptions: defaultCriticalOptions force-command can be dropped: a request that asks for any ' +
        'critical option replaces all the defaults, and allowedCriticalOptions is empty, which lets a requester ask ' +
        'for any critical option. No allowedCriticalOptions value forbids asking; list in it only names sshd refuses ' +
        'in a certificate (not force-command, source-address, verify-required), or enforce the restriction on the ' +
        'host (sshd_config ForceCommand, or command="…" in the AuthorizedPrincipalsFile); ' +
        'or set allowReplaceableCriticalOptions to mean it',
    );
    const r = synth(
      (stack) =>
        new SshRole(stack, 'r', { ...backup, allowReplaceableCriticalOptions: true, mount: 'ssh', name: 'backup' }),
      true,
    );
    const attrs = one(r, 'vault_ssh_secret_backend_role').attrs;
    expect(attrs.default_critical_options).toEqual({ 'force-command': '/usr/local/bin/backup' });
    expect(Object.keys(attrs).filter((k) => k.includes('replaceable'))).toEqual([]);
  });

  it('accepts "*" when explicitly asked for', () => {
    const r = synth(
      (stack) =>
        new SshRole(stack, 'r', {
          ...developer,
          allowedUsers: ['*'],
          allowWildcardPrincipals: true,
          mount: 'ssh',
          name: 'dev',
        }),
      true,
    );
    expect(one(r, 'vault_ssh_secret_backend_role').attrs.allowed_users).toBe('*');
  });

  it('refuses SSH open to the world unless asked', () => {
    expect(() =>
      synth((stack) => {
        const env = new SshEnvironment(stack, 'dev', { environment: 'dev', roles: { developer } });
        new TrustedEc2Hosts(stack, 'hosts', { environment: env, names: ['a'], ami: 'ami-1', sshCidrs: ['0.0.0.0/0'] });
      }, true),
    ).toThrow('sshCidrs: sshCidrs contains 0.0.0.0/0: set allowSshFromAnywhere to mean it');
  });
});

describe('TrustedEc2Hosts', () => {
  const resources = synth((stack) => {
    const env = new SshEnvironment(stack, 'prod', {
      environment: 'prod',
      roles: { developer },
      hostPrincipals: { ubuntu: ['ubuntu'] },
    });
    new TrustedEc2Hosts(stack, 'hosts', {
      environment: env,
      names: ['web-1', 'web-2'],
      ami: 'ami-123',
      sshCidrs: ['10.20.0.0/16'],
      tags: { Team: 'ops' },
    });
  });
  const ca = one(resources, 'vault_ssh_secret_backend_ca');
  const instances = Object.values(resources.aws_instance!);

  it('opens port 22 only to the given CIDRs', () => {
    const sg = one(resources, 'aws_security_group');
    expect(sg.attrs.ingress).toEqual([
      {
        description: 'SSH',
        protocol: 'tcp',
        from_port: 22,
        to_port: 22,
        cidr_blocks: ['10.20.0.0/16'],
        ipv6_cidr_blocks: null,
        prefix_list_ids: null,
        security_groups: null,
        self: null,
      },
    ]);
  });

  it('gives each instance user-data with the CA key as a Terraform reference, kept on a trust change (Ansible updates it)', () => {
    expect(instances).toHaveLength(2);
    for (const i of instances) {
      expect(i.user_data).toContain(`\n      \${vault_ssh_secret_backend_ca.${ca.id}.public_key}\n`);
      expect(i.user_data).not.toMatch(/\$\$\{|ssh-ed25519 AAAA/); // not escaped, no literal key
      expect(i.user_data_replace_on_change).toBe(false);
      expect(i.lifecycle).toEqual({ ignore_changes: ['user_data'] });
      expect(i.instance_type).toBe('t3.micro');
      expect(i.ami).toBe('ami-123');
    }
    expect(instances.map((i) => i.tags)).toEqual([
      { Environment: 'prod', ManagedBy: 'vault-ssh-ca', Team: 'ops', Name: 'prod-web-1' },
      { Environment: 'prod', ManagedBy: 'vault-ssh-ca', Team: 'ops', Name: 'prod-web-2' },
    ]);
  });
});

describe('OTP roles and the zero-address list', () => {
  const resources = synth(
    (stack) =>
      new SshEnvironment(stack, 'dev', {
        environment: 'dev',
        roles: { developer },
        otpRoles: {
          web: { defaultUser: 'ubuntu', allowedUsers: ['deploy'], cidrList: ['10.0.0.0/8', '192.168.7.0/24'] },
          bastion: { defaultUser: 'ops', zeroAddress: true },
        },
      }),
  );
  const mount = one(resources, 'vault_mount');
  const roles = Object.entries(resources.vault_ssh_secret_backend_role!);
  const roleNamed = (name: string) => roles.find(([, r]) => r.name === name)!;

  it('synthesizes each OTP role as a vault_ssh_secret_backend_role with key_type "otp", no CA attributes', () => {
    expect(roles).toHaveLength(3);
    const { '//': _w, ...web } = roleNamed('web')[1];
    expect(web).toEqual({
      backend: `\${vault_mount.${mount.id}.path}`,
      name: 'web',
      key_type: 'otp',
      default_user: 'ubuntu',
      allowed_users: 'deploy',
      cidr_list: '10.0.0.0/8,192.168.7.0/24',
    });
    const { '//': _b, ...bastion } = roleNamed('bastion')[1];
    expect(bastion).toEqual({
      backend: `\${vault_mount.${mount.id}.path}`,
      name: 'bastion',
      key_type: 'otp',
      default_user: 'ops',
      allowed_users: '',
      cidr_list: '',
    });
  });

  it('synthesizes a creds policy per OTP role beside the signing policy', () => {
    const policies = Object.values(resources.vault_policy!).map(({ name, policy }) => ({ name, policy }));
    expect(policies.sort((x, y) => String(x.name).localeCompare(String(y.name)))).toEqual([
      { name: 'dev-creds-bastion', policy: credsPolicy('ssh-dev', ['bastion']) },
      { name: 'dev-creds-web', policy: credsPolicy('ssh-dev', ['web']) },
      { name: 'dev-sign-developer', policy: signingPolicy('ssh-dev', ['developer']) },
    ]);
  });

  it('writes the zero-address list through vault_generic_endpoint, after the roles it names', () => {
    const endpoint = one(resources, 'vault_generic_endpoint');
    expect(endpoint.attrs).toEqual({
      path: `\${vault_mount.${mount.id}.path}/config/zeroaddress`,
      data_json: '{"roles":["bastion"]}',
      depends_on: [`vault_ssh_secret_backend_role.${roleNamed('bastion')[0]}`],
    });
  });

  it('has no zero-address list unless a role asks for it', () => {
    const r = synth(
      (stack) =>
        new SshEnvironment(stack, 'dev', {
          environment: 'dev',
          roles: {},
          otpRoles: { web: { defaultUser: 'ubuntu', cidrList: ['10.0.0.0/8'] } },
        }),
    );
    expect(r.vault_generic_endpoint).toBeUndefined();
  });

  it('names the roles of a standalone SshZeroAddressRoles sorted, duplicates dropped, references as Terraform references', () => {
    const r = synth((stack) => {
      const role = new SshOtpRole(stack, 'r', { mount: 'ssh', name: 'jump', defaultUser: 'ops', zeroAddress: true });
      new SshZeroAddressRoles(stack, 'z', { mount: 'ssh', roles: ['web', role.role.name, 'bastion', 'web'] });
    }, true);
    const endpoint = one(r, 'vault_generic_endpoint');
    expect(JSON.parse(endpoint.attrs.data_json as string)).toEqual({
      roles: [`\${vault_ssh_secret_backend_role.${one(r, 'vault_ssh_secret_backend_role').id}.name}`, 'bastion', 'web'],
    });
  });

  it.each([
    [
      { defaultUser: 'ubuntu', cidrList: ['10.0.0.0/8'], excludeCidrList: ['10.0.0.1/32'], port: 2222 },
      'excludeCidrList: excludeCidrList has no attribute in the Terraform Vault provider 5.x',
    ],
    [
      { defaultUser: 'ubuntu', cidrList: ['10.0.0.0/8'], port: 2222 },
      'port: port has no attribute in the Terraform Vault provider 5.x',
    ],
    [
      { defaultUser: 'ubuntu' },
      "cidrList: cidrList is empty, so the role can issue no OTP: name the hosts' CIDRs, or set zeroAddress and list the role in the mount's zero-address list",
    ],
    [
      { defaultUser: 'ubuntu', cidrList: ['::/0'] },
      'cidrList: cidrList contains ::/0, which is every address: set allowAnyAddress to mean it',
    ],
    [{ defaultUser: '', cidrList: ['10.0.0.0/8'] }, 'defaultUser: missing default user'],
  ])('fails synthesis for %j', (spec, message) => {
    expect(() => synth((stack) => new SshOtpRole(stack, 'r', { ...spec, mount: 'ssh', name: 'web' }), true)).toThrow(
      message,
    );
  });

  it('fails synthesis for an empty zero-address list and a name used by a CA and an OTP role', () => {
    expect(() => synth((stack) => new SshZeroAddressRoles(stack, 'z', { mount: 'ssh', roles: [] }), true)).toThrow(
      'roles: Missing roles',
    );
    expect(() =>
      synth(
        (stack) =>
          new SshEnvironment(stack, 'dev', {
            environment: 'dev',
            roles: { developer },
            otpRoles: { developer: { defaultUser: 'ubuntu', cidrList: ['10.0.0.0/8'] } },
          }),
        true,
      ),
    ).toThrow('otpRoles: role "developer" is declared in roles and in otpRoles: a mount holds one role per name');
  });
});

describe('a host CA (issue 17)', () => {
  const resources = synth(
    (stack) =>
      new SshEnvironment(stack, 'dev', {
        environment: 'dev',
        roles: { developer },
        hostCa: { allowedDomains: ['dev.example.com'] },
      }),
  );
  const byPath = (type: string, attr: string, value: string) =>
    Object.entries(resources[type] ?? {}).find(([, a]) => a[attr] === value);

  it('gets a mount of its own, a CA generated inside Vault, a host-only role and a signing policy', () => {
    const mount = byPath('vault_mount', 'path', 'ssh-dev-host');
    expect(mount?.[1]).toMatchObject({
      type: 'ssh',
      description: 'SSH host CA for dev',
      max_lease_ttl_seconds: 2160 * 3600,
    });
    const roles = Object.values(resources.vault_ssh_secret_backend_role ?? {});
    const host = roles.find((r) => r.name === 'host')!;
    expect(host).toMatchObject({
      backend: `\${vault_mount.${mount![0]}.path}`,
      key_type: 'ca',
      allow_user_certificates: false,
      allow_host_certificates: true,
      allowed_domains: 'dev.example.com',
      allow_subdomains: true,
      allow_bare_domains: false,
      ttl: String(720 * 3600),
      max_ttl: String(2160 * 3600),
    });
    expect(byPath('vault_policy', 'name', 'dev-sign-host')?.[1]).toMatchObject({
      policy: signingPolicy('ssh-dev-host', ['host']),
    });
    expect(Object.keys(resources.vault_ssh_secret_backend_ca ?? {})).toHaveLength(2);
  });

  it("gives clients an @cert-authority line with the host CA's key as a Terraform reference", () => {
    const stack = new TerraformStack(Testing.app(), 'known-hosts');
    new VaultProvider(stack, 'vault', {});
    const env = new SshEnvironment(stack, 'dev', {
      environment: 'dev',
      roles: { developer },
      hostCa: { allowedDomains: ['dev.example.com'], allowBareDomains: true },
    });
    new TerraformOutput(stack, 'known_hosts', { value: env.hostCa!.knownHosts });
    const json = JSON.parse(Testing.synth(stack)) as { output: Record<string, { value: string }> };
    expect(json.output.known_hosts!.value).toMatch(
      /^@cert-authority \*\.dev\.example\.com,dev\.example\.com \$\{vault_ssh_secret_backend_ca\.[\w-]+\.public_key\}\n$/,
    );
  });

  it.each([
    [
      { allowedDomains: ['dev.example.com'], mount: 'ssh-dev' },
      'hostCa.mount: the host CA needs a mount of its own, not the user CA\'s "ssh-dev": a key that signs both can make a user certificate pass as a host\'s',
    ],
    [{ allowedDomains: [] }, 'hostCa.allowedDomains: name the domains host certificates may be signed for'],
    [
      { allowedDomains: ['dev.example.com'], allowSubdomains: false },
      'hostCa.allowSubdomains: allowSubdomains and allowBareDomains are both false, so the host role can sign no name',
    ],
  ])('fails synthesis for %j', (hostCa, message) => {
    expect(() =>
      synth((stack) => new SshEnvironment(stack, 'dev', { environment: 'dev', roles: { developer }, hostCa }), true),
    ).toThrow(message);
  });
});
