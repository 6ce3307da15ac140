// The seed scenario as resources for the demo: the values come from core/scenario.ts (environments
// dev and prod, each with its own mount and CA, the roles developer, automation and emergency, a
// signing policy per role; on dev also the one-time-password role `otp` for the local demo hosts;
// userpass users testuser and oncall), plus a file audit device. examples/pulumi-dev-prod states the
// same scenario from the same module.

import { credsPolicy, signingPolicy } from '../../core/acl/signing-policy.js';
import type { RoleSpec } from '../../core/role-spec.js';
import {
  SCENARIO_ENVIRONMENTS,
  SCENARIO_HOST_PRINCIPALS,
  SCENARIO_MOUNT,
  SCENARIO_OTP_POLICY,
  SCENARIO_OTP_ROLE,
  SCENARIO_POLICIES,
  SCENARIO_ROLES,
  SCENARIO_USERS,
  scenarioMount,
  scenarioRolePolicy,
  type ScenarioEnvironment,
} from '../../core/scenario.js';
import { aclPolicyProvider } from '../../providers/acl-policy.js';
import { auditDeviceProvider } from '../../providers/audit-device.js';
import { authMethodProvider } from '../../providers/auth-method.js';
import { secretsMountProvider } from '../../providers/secrets-mount.js';
import { sshCaProvider } from '../../providers/ssh-ca.js';
import { sshOtpRoleProvider } from '../../providers/ssh-otp-role.js';
import { sshRoleProvider } from '../../providers/ssh-role.js';
import { userpassUserProvider } from '../../providers/userpass-user.js';
import type { Desired } from './provision.js';

export const ENVIRONMENTS = SCENARIO_ENVIRONMENTS;
export type Environment = ScenarioEnvironment;

/** The roles of every environment. */
export const ROLES: Readonly<Record<string, RoleSpec>> = SCENARIO_ROLES;

/** The OTP role of dev: passwords for the local demo hosts (loopback), for ubuntu or root. */
export const OTP_ROLE = SCENARIO_OTP_ROLE;

/** Host accounts of the rendered host trust → the principals that may log in as them, per environment. */
export const HOST_PRINCIPALS = SCENARIO_HOST_PRINCIPALS;

export const mountOf = scenarioMount;

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
      inputs: { ...conn, path: mount, description: `SSH CA for ${env}`, ...SCENARIO_MOUNT },
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
      const policy = scenarioRolePolicy(env, name);
      out.push({
        label: `AclPolicy ${policy}`,
        provider: aclPolicyProvider,
        id: policy,
        inputs: { ...conn, name: policy, policy: signingPolicy(mount, [name]) },
      });
    }
  }
  const devMount = mountOf(OTP_ROLE.env);
  out.push({
    label: `SshOtpRole ${devMount}/${OTP_ROLE.name}`,
    provider: sshOtpRoleProvider,
    id: `${devMount}/roles/${OTP_ROLE.name}`,
    inputs: { ...conn, ...OTP_ROLE.spec, mount: devMount, name: OTP_ROLE.name },
  });
  out.push({
    label: `AclPolicy ${SCENARIO_OTP_POLICY}`,
    provider: aclPolicyProvider,
    id: SCENARIO_OTP_POLICY,
    inputs: { ...conn, name: SCENARIO_OTP_POLICY, policy: credsPolicy(devMount, [OTP_ROLE.name]) },
  });
  for (const [name, { environments, roles }] of Object.entries(SCENARIO_POLICIES)) {
    out.push({
      label: `AclPolicy ${name}`,
      provider: aclPolicyProvider,
      id: name,
      inputs: { ...conn, name, policy: environments.map((e) => signingPolicy(mountOf(e), roles)).join('\n') },
    });
  }
  out.push({
    label: 'AuthMethod userpass',
    provider: authMethodProvider,
    id: 'userpass',
    inputs: { ...conn, path: 'userpass', type: 'userpass' },
  });
  for (const [user, { policies, otpPolicies = [], tokenTtl }] of Object.entries(SCENARIO_USERS)) {
    out.push({
      label: `UserpassUser ${user}`,
      provider: userpassUserProvider,
      id: `auth/userpass/users/${user}`,
      inputs: {
        ...conn,
        username: user,
        password: passwords[user as keyof typeof SCENARIO_USERS],
        tokenPolicies: [...policies, ...otpPolicies],
        tokenTtl,
      },
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
