// One name per concept on both surfaces (issue 16, point 5): the Pulumi resources and the CDKTF
// constructs export the same class for the same concept, every export is accounted for, the SSH
// mount is `mount` on both, and the deprecated CDKTF `backend` prop still synthesizes exactly what
// `mount` does (and is refused together with it).

import { VaultProvider } from '@cdktf/provider-vault/lib/provider/index.js';
import { Testing, TerraformStack } from 'cdktf';
import { describe, expect, expectTypeOf, it } from 'vitest';
import * as modules from '../../modules/index.js';
import {
  SshCertificateAuthority,
  SshEnvironment,
  SshOtpRole,
  SshRole,
  SshZeroAddressRoles,
} from '../../modules/index.js';
import * as providers from '../../providers/index.js';

/** Concept → the one class name both surfaces export for it. */
const SHARED: Record<string, string> = {
  'the CA of an SSH mount': 'SshCertificateAuthority',
  'a CA role': 'SshRole',
  'a one-time-password role': 'SshOtpRole',
  "a mount's zero-address list": 'SshZeroAddressRoles',
  'an ACL policy from a document': 'AclPolicy',
  "one environment's CA, roles and policies": 'SshEnvironment',
  'a response-wrapped token': 'WrappedToken',
  'an ACL policy that may sign on, or get OTPs from, roles of a mount': 'SshAccessPolicy',
  'a JWT auth method with its config': 'JwtAuthBackend',
  'a JWT auth role': 'JwtRole',
  'an identity entity': 'IdentityEntity',
  "an identity entity's alias": 'IdentityEntityAlias',
  'an AppRole role': 'AppRoleRole',
  'a token role': 'TokenRole',
  'an auth method at a path': 'AuthMethod',
  'a userpass user': 'UserpassUser',
  'an audit device': 'AuditDevice',
};
/** Helper functions both surfaces export, the same function. */
const SHARED_FUNCTIONS = ['signingPolicy', 'credsPolicy'];
/** Concepts only one surface has (the other uses its provider's own resource, or has no such thing). */
// Revocations (issue 20): Pulumi's SshRevocation adds and removes one record beside others (check-and-set);
// Terraform's vault_kv_secret_v2 owns a whole secret, so CDKTF's SshRevocations declares the whole list.
const PULUMI_ONLY = ['SecretsMount', 'SshRevocation'];
const CDKTF_ONLY = ['TrustedEc2Hosts', 'SshRevocations'];
/** Old name → new name, kept as deprecated aliases. */
const PULUMI_DEPRECATED: Record<string, string> = { SshCa: 'SshCertificateAuthority' };

describe('exported names', () => {
  it.each(Object.entries(SHARED))('%s is %s on both surfaces', (_concept, name) => {
    expect(typeof (providers as Record<string, unknown>)[name]).toBe('function');
    expect(typeof (modules as Record<string, unknown>)[name]).toBe('function');
  });

  it('every run-time export is a shared concept, a one-surface concept or a deprecated alias', () => {
    const shared = Object.values(SHARED);
    expect(Object.keys(providers).sort()).toEqual(
      [...shared, ...SHARED_FUNCTIONS, ...PULUMI_ONLY, ...Object.keys(PULUMI_DEPRECATED)].sort(),
    );
    expect(Object.keys(modules).sort()).toEqual([...shared, ...SHARED_FUNCTIONS, ...CDKTF_ONLY].sort());
  });

  it.each(SHARED_FUNCTIONS)('%s is the same function on both surfaces', (name) => {
    expect(typeof (providers as Record<string, unknown>)[name]).toBe('function');
    expect((modules as Record<string, unknown>)[name]).toBe((providers as Record<string, unknown>)[name]);
  });

  it('the deprecated Pulumi names are the new classes themselves', () => {
    for (const [old, name] of Object.entries(PULUMI_DEPRECATED))
      expect((providers as Record<string, unknown>)[old]).toBe((providers as Record<string, unknown>)[name]);
  });

  it('the SSH mount is `mount` in the args and props of both surfaces', () => {
    expectTypeOf<providers.SshCertificateAuthorityArgs>().toHaveProperty('mount');
    expectTypeOf<providers.SshRoleArgs>().toHaveProperty('mount');
    expectTypeOf<providers.SshOtpRoleArgs>().toHaveProperty('mount');
    expectTypeOf<providers.SshZeroAddressRolesArgs>().toHaveProperty('mount');
    expectTypeOf<modules.SshRoleProps>().toHaveProperty('mount');
    expectTypeOf<modules.SshOtpRoleProps>().toHaveProperty('mount');
    expectTypeOf<modules.SshZeroAddressRolesProps>().toHaveProperty('mount');
    expectTypeOf<providers.SshRevocationArgs>().toHaveProperty('mount');
    expectTypeOf<modules.SshRevocationsProps>().toHaveProperty('mount');
    expectTypeOf<providers.SshCaArgs>().toEqualTypeOf<providers.SshCertificateAuthorityArgs>();
  });
});

/** The synthesized stack as JSON text, or the validation error. */
function synth(build: (stack: TerraformStack) => void): string {
  const stack = new TerraformStack(Testing.app(), 'test');
  new VaultProvider(stack, 'vault', {});
  build(stack);
  return Testing.synth(stack, true);
}

const developer = { allowedUsers: ['ubuntu'], defaultUser: 'ubuntu', ttl: '1h', maxTtl: '8h' };
const web = { defaultUser: 'ops', cidrList: ['10.0.0.0/8'] };

describe('the deprecated CDKTF `backend` prop', () => {
  it.each([
    [
      'SshRole',
      (m: { mount: string } | { backend: string }) => (s: TerraformStack) =>
        new SshRole(s, 'r', { ...developer, ...m, name: 'developer' }),
    ],
    [
      'SshOtpRole',
      (m: { mount: string } | { backend: string }) => (s: TerraformStack) =>
        new SshOtpRole(s, 'r', { ...web, ...m, name: 'web' }),
    ],
    [
      'SshZeroAddressRoles',
      (m: { mount: string } | { backend: string }) => (s: TerraformStack) =>
        new SshZeroAddressRoles(s, 'z', { ...m, roles: ['web'] }),
    ],
  ] as const)('%s synthesizes the same bytes from backend as from mount', (_name, build) => {
    const withMount = synth(build({ mount: 'ssh-dev' }));
    expect(withMount).toContain('ssh-dev');
    expect(synth(build({ backend: 'ssh-dev' }))).toBe(withMount);
  });

  it.each([
    [
      'SshRole',
      (s: TerraformStack) =>
        new SshRole(s, 'r', { ...developer, mount: 'ssh-dev', backend: 'ssh-prod', name: 'developer' }),
    ],
    [
      'SshOtpRole',
      (s: TerraformStack) => new SshOtpRole(s, 'r', { ...web, mount: 'ssh-dev', backend: 'ssh-prod', name: 'web' }),
    ],
    [
      'SshZeroAddressRoles',
      (s: TerraformStack) => new SshZeroAddressRoles(s, 'z', { mount: 'ssh-dev', backend: 'ssh-prod', roles: ['web'] }),
    ],
  ] as const)('%s refuses mount and backend given at once', (_name, build) => {
    expect(() => synth(build)).toThrow(
      'mount: give mount or the deprecated backend, not both (mount "ssh-dev", backend "ssh-prod"): remove backend',
    );
  });

  it('a role with neither fails synthesis naming mount', () => {
    expect(() => synth((s) => new SshRole(s, 'r', { ...developer, name: 'developer' }))).toThrow(
      'mount: mount is required: the SSH mount path, e.g. "ssh-dev"',
    );
  });
});

describe('the deprecated CDKTF `path` (SshCertificateAuthority) and `mountPath` (SshEnvironment) props', () => {
  it('SshCertificateAuthority synthesizes the same bytes from path as from mount', () => {
    const withMount = synth((s) => new SshCertificateAuthority(s, 'ca', { mount: 'ssh-dev' }));
    expect(withMount).toContain('"path": "ssh-dev"');
    expect(synth((s) => new SshCertificateAuthority(s, 'ca', { path: 'ssh-dev' }))).toBe(withMount);
    expect(() => synth((s) => new SshCertificateAuthority(s, 'ca', { mount: 'ssh-dev', path: 'ssh-x' }))).toThrow(
      'mount: give mount or the deprecated path, not both (mount "ssh-dev", path "ssh-x"): remove path',
    );
  });

  it('SshEnvironment synthesizes the same bytes from mountPath as from mount, and keeps `policies`', () => {
    const env = (m: { mount: string } | { mountPath: string }) => (s: TerraformStack) =>
      new SshEnvironment(s, 'dev', { environment: 'dev', ...m, roles: { developer } });
    const withMount = synth(env({ mount: 'ssh-team' }));
    expect(withMount).toContain('"path": "ssh-team"');
    expect(synth(env({ mountPath: 'ssh-team' }))).toBe(withMount);
    const stack = new TerraformStack(Testing.app(), 'test');
    const dev = new SshEnvironment(stack, 'dev', { environment: 'dev', roles: { developer } });
    expect(dev.policies).toBe(dev.signingPolicies);
    expect(dev.caPublicKey).toBe(dev.authority.publicKey);
    expect(dev.mount).toBe(dev.authority.path);
  });
});
