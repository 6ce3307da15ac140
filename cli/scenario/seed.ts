// The seed scenario: environments dev and prod, each with its own mount and CA, the roles developer,
// automation and emergency, a signing policy per role; on dev also a one-time-password role `otp` for
// the local demo hosts (the post on Vault's OTP type); userpass users testuser (developer on both, OTPs
// on dev) and oncall (emergency on both); a file audit device. The CA part is the model of
// examples/pulumi-dev-prod.

import { credsPolicy, signingPolicy } from '../../core/acl/signing-policy.js';
import type { RoleSpec } from '../../core/role-spec.js';
import type { OtpRoleSpec } from '../../core/role-spec-otp.js';
import { aclPolicyProvider } from '../../providers/acl-policy.js';
import { auditDeviceProvider } from '../../providers/audit-device.js';
import { authMethodProvider } from '../../providers/auth-method.js';
import { secretsMountProvider } from '../../providers/secrets-mount.js';
import { sshCaProvider } from '../../providers/ssh-ca.js';
import { sshOtpRoleProvider } from '../../providers/ssh-otp-role.js';
import { sshRoleProvider } from '../../providers/ssh-role.js';
import { userpassUserProvider } from '../../providers/userpass-user.js';
import type { Desired } from './provision.js';

export const ENVIRONMENTS = ['dev', 'prod'] as const;
export type Environment = (typeof ENVIRONMENTS)[number];

/** The roles of every environment. */
export const ROLES: Readonly<Record<string, RoleSpec>> = {
  developer: {
    allowedUsers: ['ubuntu', 'ec2-user'],
    defaultUser: 'ubuntu',
    ttl: '1h',
    maxTtl: '8h',
    allowedExtensions: ['permit-pty'],
    defaultExtensions: { 'permit-pty': '' },
  },
  automation: { allowedUsers: ['ansible', 'gitlab-runner'], ttl: '30m', maxTtl: '1h' },
  emergency: {
    allowedUsers: ['root'],
    defaultUser: 'root',
    ttl: '15m',
    maxTtl: '1h',
    defaultExtensions: { 'permit-pty': '' },
  },
};

/** The OTP role of dev: passwords for the local demo hosts (loopback), for ubuntu or root. */
export const OTP_ROLE: { readonly name: string; readonly spec: OtpRoleSpec } = {
  name: 'otp',
  spec: { defaultUser: 'ubuntu', allowedUsers: ['root'], cidrList: ['127.0.0.0/8'] },
};

const PEOPLE_AND_ANSIBLE = { ubuntu: ['ubuntu'], 'ec2-user': ['ec2-user'], ansible: ['ansible'], root: ['root'] };

/**
 * Host accounts of the rendered host trust → the principals that may log in as them, per environment.
 * CI's automation certificates (principal gitlab-runner, the zero-trust post's CI role) deploy to dev
 * only, as the account `deploy`; prod hosts take automation certificates for `ansible` alone.
 */
export const HOST_PRINCIPALS: Readonly<Record<Environment, Readonly<Record<string, readonly string[]>>>> = {
  dev: { ...PEOPLE_AND_ANSIBLE, deploy: ['gitlab-runner'] },
  prod: PEOPLE_AND_ANSIBLE,
};

export const mountOf = (env: Environment) => `ssh-${env}`;

/** Every resource of the scenario, in dependency order. */
export function seedResources(
  conn: { address: string; token: string },
  passwords: Record<'testuser' | 'oncall', string>,
  auditLog: string,
): Desired[] {
  const out: Desired[] = [];
  for (const env of ENVIRONMENTS) {
    const mount = mountOf(env);
    out.push({
      label: `SecretsMount ${mount}`,
      provider: secretsMountProvider,
      id: mount,
      inputs: { ...conn, path: mount, description: `SSH CA for ${env}`, maxLeaseTtl: '24h' },
    });
    out.push({
      label: `SshCa ${mount}`,
      provider: sshCaProvider,
      id: `${mount}/config/ca`,
      inputs: { ...conn, mount },
    });
    for (const [name, spec] of Object.entries(ROLES)) {
      out.push({
        label: `SshRole ${mount}/${name}`,
        provider: sshRoleProvider,
        id: `${mount}/roles/${name}`,
        inputs: { ...conn, ...spec, mount, name },
      });
      out.push({
        label: `AclPolicy ${env}-sign-${name}`,
        provider: aclPolicyProvider,
        id: `${env}-sign-${name}`,
        inputs: { ...conn, name: `${env}-sign-${name}`, policy: signingPolicy(mount, [name]) },
      });
    }
  }
  const devMount = mountOf('dev');
  out.push({
    label: `SshOtpRole ${devMount}/${OTP_ROLE.name}`,
    provider: sshOtpRoleProvider,
    id: `${devMount}/roles/${OTP_ROLE.name}`,
    inputs: { ...conn, ...OTP_ROLE.spec, mount: devMount, name: OTP_ROLE.name },
  });
  out.push({
    label: `AclPolicy dev-creds-${OTP_ROLE.name}`,
    provider: aclPolicyProvider,
    id: `dev-creds-${OTP_ROLE.name}`,
    inputs: { ...conn, name: `dev-creds-${OTP_ROLE.name}`, policy: credsPolicy(devMount, [OTP_ROLE.name]) },
  });
  const both = (role: string) => ENVIRONMENTS.map((e) => signingPolicy(mountOf(e), [role])).join('\n');
  out.push({
    label: 'AclPolicy ssh-access',
    provider: aclPolicyProvider,
    id: 'ssh-access',
    inputs: { ...conn, name: 'ssh-access', policy: both('developer') },
  });
  out.push({
    label: 'AclPolicy emergency-ssh',
    provider: aclPolicyProvider,
    id: 'emergency-ssh',
    inputs: { ...conn, name: 'emergency-ssh', policy: both('emergency') },
  });
  out.push({
    label: 'AuthMethod userpass',
    provider: authMethodProvider,
    id: 'userpass',
    inputs: { ...conn, path: 'userpass', type: 'userpass' },
  });
  for (const [user, policies, ttl] of [
    ['testuser', ['ssh-access', `dev-creds-${OTP_ROLE.name}`], '1h'],
    ['oncall', ['emergency-ssh'], '30m'],
  ] as const) {
    out.push({
      label: `UserpassUser ${user}`,
      provider: userpassUserProvider,
      id: `auth/userpass/users/${user}`,
      inputs: { ...conn, username: user, password: passwords[user], tokenPolicies: [...policies], tokenTtl: ttl },
    });
  }
  out.push({
    label: 'AuditDevice file',
    provider: auditDeviceProvider,
    id: 'file',
    inputs: { ...conn, path: 'file', options: { file_path: auditLog } },
  });
  return out;
}
