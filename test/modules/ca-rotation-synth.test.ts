// The CDKTF `rotation` input (issue 20, point 2) by exact synthesis: Vault's provider has no SSH
// issuer resources, so SshCertificateAuthority takes the second-mount path. Stage 1 adds
// `<mount>-next` with its own CA and trusts both keys; stage 2 signs there (path, publicKey, and the
// SshEnvironment's roles and policies move); stage 3 keeps the next mount only. SshEnvironment's and
// TrustedEc2Hosts' host-trust outputs carry both key references during stages 1 and 2; a bad
// rotation input fails synthesis with core's message.

import { AwsProvider } from '@cdktf/provider-aws/lib/provider/index.js';
import { VaultProvider } from '@cdktf/provider-vault/lib/provider/index.js';
import { Testing, TerraformOutput, TerraformStack } from 'cdktf';
import { describe, expect, it } from 'vitest';
import type { RotationSpec } from '../../core/rotation.js';
import { SshCertificateAuthority, SshEnvironment, TrustedEc2Hosts } from '../../modules/index.js';

type Resources = Record<string, Record<string, Record<string, unknown>>>;

/** Synthesize; `build` returns the outputs to synthesize (Terraform references resolved). */
function synthAll(build: (stack: TerraformStack) => Record<string, unknown> | void, runValidations = false) {
  const stack = new TerraformStack(Testing.app(), 'test');
  new VaultProvider(stack, 'vault', {});
  new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
  for (const [name, value] of Object.entries(build(stack) ?? {})) new TerraformOutput(stack, name, { value });
  const json = JSON.parse(Testing.synth(stack, runValidations)) as {
    resource: Resources;
    output?: Record<string, { value: any }>;
  };
  const output = Object.fromEntries(Object.entries(json.output ?? {}).map(([k, v]) => [k, v.value]));
  return { resources: json.resource, output };
}
const synth = (build: (stack: TerraformStack) => unknown, runValidations = false): Resources =>
  synthAll((stack) => void build(stack), runValidations).resources;

/** Resource type → id → attributes, metadata removed. */
const strip = (resources: Resources) =>
  Object.fromEntries(
    Object.entries(resources).map(([type, byId]) => [
      type,
      Object.fromEntries(Object.entries(byId).map(([id, { '//': _meta, ...attrs }]) => [id, attrs])),
    ]),
  );

const OLD_MOUNT = 'vault_mount.ca_mount_654C994B';
const NEXT_MOUNT = 'vault_mount.ca_next-mount_D1905222';
const OLD_KEY = '${vault_ssh_secret_backend_ca.ca_C7185C10.public_key}';
const NEXT_KEY = '${vault_ssh_secret_backend_ca.ca_next-ca_81E69AA2.public_key}';

function caAt(rotation?: RotationSpec) {
  let ca!: SshCertificateAuthority;
  const { resources, output } = synthAll((stack) => {
    ca = new SshCertificateAuthority(stack, 'ca', { mount: 'ssh-dev', ...(rotation ? { rotation } : {}) });
    return { path: ca.path, publicKey: ca.publicKey, trustedKeys: ca.trustedKeys };
  });
  return { ca, resources: strip(resources), output };
}

describe('SshCertificateAuthority rotation (second-mount path)', () => {
  it('has one mount and one CA without rotation', () => {
    const { ca, resources, output } = caAt();
    expect(Object.keys(resources.vault_mount!)).toEqual(['ca_mount_654C994B']);
    expect(output).toEqual({ path: `\${${OLD_MOUNT}.path}`, publicKey: OLD_KEY, trustedKeys: [OLD_KEY] });
    expect(ca.nextMount).toBeUndefined();
  });

  it('stage 1: adds <mount>-next with its own CA; hosts trust both keys, the old one signs', () => {
    const { ca, resources, output } = caAt({ stage: 1, nextKeyType: 'rsa' });
    expect(resources.vault_mount).toEqual({
      ca_mount_654C994B: { description: 'SSH CA ssh-dev', max_lease_ttl_seconds: 86400, path: 'ssh-dev', type: 'ssh' },
      'ca_next-mount_D1905222': {
        description: 'SSH CA ssh-dev-next',
        max_lease_ttl_seconds: 86400,
        path: 'ssh-dev-next',
        type: 'ssh',
      },
    });
    expect(resources.vault_ssh_secret_backend_ca).toEqual({
      ca_C7185C10: { backend: `\${${OLD_MOUNT}.path}`, generate_signing_key: true, key_type: 'ed25519' },
      'ca_next-ca_81E69AA2': { backend: `\${${NEXT_MOUNT}.path}`, generate_signing_key: true, key_type: 'rsa' },
    });
    expect(output).toEqual({ path: `\${${OLD_MOUNT}.path}`, publicKey: OLD_KEY, trustedKeys: [OLD_KEY, NEXT_KEY] });
    expect(ca.nextMount).toBeDefined();
  });

  it('stage 2: the next mount signs; hosts still trust both keys', () => {
    const { resources, output } = caAt({ stage: 2, nextKeyType: 'rsa' });
    expect(Object.keys(resources.vault_mount!)).toEqual(['ca_mount_654C994B', 'ca_next-mount_D1905222']);
    expect(output).toEqual({ path: `\${${NEXT_MOUNT}.path}`, publicKey: NEXT_KEY, trustedKeys: [NEXT_KEY, OLD_KEY] });
  });

  it('stage 3: the old mount and CA are gone; the next one is the only key', () => {
    const { ca, resources, output } = caAt({ stage: 3, nextKeyType: 'rsa' });
    expect(resources.vault_mount).toEqual({
      'ca_next-mount_D1905222': {
        description: 'SSH CA ssh-dev-next',
        max_lease_ttl_seconds: 86400,
        path: 'ssh-dev-next',
        type: 'ssh',
      },
    });
    expect(Object.keys(resources.vault_ssh_secret_backend_ca!)).toEqual(['ca_next-ca_81E69AA2']);
    expect(output).toEqual({ path: `\${${NEXT_MOUNT}.path}`, publicKey: NEXT_KEY, trustedKeys: [NEXT_KEY] });
    expect(ca.nextMount).toBeUndefined();
  });

  it('fails synthesis on a bad rotation input', () => {
    expect(() =>
      synth(
        (stack) =>
          new SshCertificateAuthority(stack, 'ca', {
            mount: 'ssh-dev',
            rotation: { stage: 4 as never, nextKeyType: 'dsa' },
          }),
        true,
      ),
    ).toThrow(/rotation\.stage must be 1, 2 or 3, got 4[\s\S]*rotation\.nextKeyType must be ed25519, rsa or ec/);
  });
});

describe('SshEnvironment and TrustedEc2Hosts during a rotation', () => {
  const build = (rotation: RotationSpec) => {
    const { resources, output } = synthAll((stack) => {
      const env = new SshEnvironment(stack, 'dev', {
        environment: 'dev',
        rotation,
        roles: { dev: { allowedUsers: ['ubuntu'], defaultUser: 'ubuntu' } },
        hostPrincipals: { ubuntu: ['dev-engineer'] },
      });
      new TrustedEc2Hosts(stack, 'hosts', {
        environment: env,
        ami: 'ami-0123456789abcdef0',
        sshCidrs: ['10.0.0.0/8'],
        names: ['web'],
      });
      return {
        trustedCaKeys: env.trustedCaKeys,
        userData: env.userData,
        ansibleVars: env.ansibleVars,
        sshdDropIn: env.sshdDropIn,
      };
    });
    return {
      env: output as Record<'trustedCaKeys' | 'userData' | 'ansibleVars' | 'sshdDropIn', string>,
      resources: strip(resources),
    };
  };
  const OLD = '${vault_ssh_secret_backend_ca.dev_ca_F67C9CCF.public_key}';
  const NEXT = '${vault_ssh_secret_backend_ca.dev_ca_next-ca_922CC40B.public_key}';

  it('stage 1: every host-trust output carries both keys; roles and policies stay on the old mount', () => {
    const { env, resources } = build({ stage: 1 });
    expect(env.trustedCaKeys).toBe(
      `# Managed by vault-ssh-ca: changes here are overwritten.\n# CA public keys of environment dev.\n${OLD}\n${NEXT}\n`,
    );
    for (const text of [env.trustedCaKeys, env.userData, env.ansibleVars]) {
      expect(text).toContain(OLD);
      expect(text).toContain(NEXT);
    }
    expect(env.trustedCaKeys.indexOf(OLD)).toBeLessThan(env.trustedCaKeys.indexOf(NEXT));
    const instance = Object.values(resources.aws_instance!)[0]!;
    expect(String(instance.user_data)).toContain(OLD);
    expect(String(instance.user_data)).toContain(NEXT);
    expect(Object.values(resources.vault_policy!)[0]!.policy).toContain('path "ssh-dev/sign/dev"');
    expect(Object.values(resources.vault_ssh_secret_backend_role!)[0]!.backend).toBe(
      '${vault_mount.dev_ca_mount_6BD0D23A.path}',
    );
  });

  it('stage 2: roles and policies move to <mount>-next; hosts still trust both keys', () => {
    const { env, resources } = build({ stage: 2 });
    expect(env.trustedCaKeys).toContain(OLD);
    expect(env.trustedCaKeys).toContain(NEXT);
    expect(Object.values(resources.vault_policy!)[0]!.policy).toContain('path "ssh-dev-next/sign/dev"');
    expect(Object.values(resources.vault_ssh_secret_backend_role!)[0]!.backend).toBe(
      '${vault_mount.dev_ca_next-mount_6CF2FDF8.path}',
    );
  });

  it('stage 3: hosts trust the next key only', () => {
    const { env } = build({ stage: 3 });
    expect(env.trustedCaKeys).toBe(
      `# Managed by vault-ssh-ca: changes here are overwritten.\n# CA public keys of environment dev.\n${NEXT}\n`,
    );
  });
});
