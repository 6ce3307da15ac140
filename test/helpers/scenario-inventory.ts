// What the dev+prod scenario (core/scenario.ts) puts in the backend, as Vault paths: the inventory
// both infrastructure surfaces must produce. test/providers/program.test.ts holds the Pulumi example
// to it and test/modules/cli-synth.test.ts the CDKTF example, so the two surfaces are at parity.

import {
  SCENARIO_APPROLE_AUTH,
  SCENARIO_CI_LOGIN,
  SCENARIO_DELIVERY,
  SCENARIO_ENVIRONMENTS,
  SCENARIO_POLICIES,
  SCENARIO_ROLES,
  SCENARIO_USERS,
  scenarioMount,
  scenarioRolePolicy,
} from '../../core/scenario.js';

/** Every backend path the scenario's examples write, sorted. */
export function scenarioInventory(): string[] {
  const perEnvironment = SCENARIO_ENVIRONMENTS.flatMap((env) => {
    const mount = scenarioMount(env);
    const host = `${mount}-host`;
    return [
      `sys/mounts/${mount}`,
      `sys/mounts/${host}`,
      `${mount}/config/ca`,
      `${host}/config/ca`,
      ...Object.keys(SCENARIO_ROLES).map((role) => `${mount}/roles/${role}`),
      `${host}/roles/host`,
      ...Object.keys(SCENARIO_ROLES).map((role) => `sys/policies/acl/${scenarioRolePolicy(env, role)}`),
      `sys/policies/acl/${env}-sign-host`,
    ];
  });
  return [
    ...perEnvironment,
    ...Object.keys(SCENARIO_POLICIES).map((name) => `sys/policies/acl/${name}`),
    'sys/auth/userpass',
    ...Object.keys(SCENARIO_USERS).map((user) => `auth/userpass/users/${user}`),
    'sys/auth/jwt',
    `auth/jwt/role/${SCENARIO_CI_LOGIN.env}-ci`,
    `sys/auth/${SCENARIO_APPROLE_AUTH.path}`,
    `auth/${SCENARIO_APPROLE_AUTH.path}/role/${SCENARIO_DELIVERY.spec.role}`,
    'sys/audit/file',
  ].sort();
}
