// The seed scenario as code: environments dev and prod, each with its own mount and CA, the roles
// developer, automation and emergency, a signing policy per role, a host CA whose certificates
// clients trust through the `knownHosts` output, userpass users holding them, a JWT auth method for
// GitLab CI job tokens with dev's CI login (the jobs of infra/deploy on main sign as automation), and
// a file audit device. The values come from `vault-ssh-ca/scenario`, the scenario `sshca demo` runs;
// write your own roles and users in their place. Run with `pulumi up` against Vault, OpenBao or
// `sshca serve`.

import * as pulumi from '@pulumi/pulumi';
import {
  AclPolicy,
  AuditDevice,
  AuthMethod,
  JwtAuthBackend,
  SshEnvironment,
  UserpassUser,
  signingPolicy,
} from 'vault-ssh-ca/providers';
import {
  SCENARIO_CI_LOGIN,
  SCENARIO_ENVIRONMENTS,
  SCENARIO_HOST_CA,
  SCENARIO_HOST_PRINCIPALS,
  SCENARIO_JWT_AUTH,
  SCENARIO_POLICIES,
  SCENARIO_ROLES,
  SCENARIO_USERS,
  scenarioMount,
} from 'vault-ssh-ca/scenario';

const config = new pulumi.Config();

// GitLab's job tokens; `jwksUrl` and `jwksCaPem` may be set in the stack config (a GitLab of your own).
const jwksCaPem = config.get('jwksCaPem');
const jwt = new JwtAuthBackend('jwt', {
  ...SCENARIO_JWT_AUTH,
  jwksUrl: config.get('jwksUrl') ?? SCENARIO_JWT_AUTH.jwksUrl,
  ...(jwksCaPem ? { jwksCaPem } : {}),
});

export const environments = Object.fromEntries(
  SCENARIO_ENVIRONMENTS.map((env) => {
    const e = new SshEnvironment(env, {
      environment: env,
      roles: SCENARIO_ROLES,
      hostPrincipals: SCENARIO_HOST_PRINCIPALS[env],
      hostCa: SCENARIO_HOST_CA[env],
      ...(env === SCENARIO_CI_LOGIN.env ? { ciLogin: { ...SCENARIO_CI_LOGIN.spec, authMount: jwt.path } } : {}),
    });
    return [
      env,
      { mount: e.mount, caPublicKey: e.caPublicKey, userData: e.userData, knownHosts: e.hostCa!.knownHosts },
    ];
  }),
);

const userpass = new AuthMethod('userpass', { path: 'userpass', type: 'userpass' });

// Engineers sign on dev and prod developer roles; on-call holds the emergency roles.
const policies = Object.fromEntries(
  Object.entries(SCENARIO_POLICIES).map(([name, { environments: envs, roles }]) => [
    name,
    new AclPolicy(name, { name, policy: envs.map((env) => signingPolicy(scenarioMount(env), roles)).join('\n') }),
  ]),
);

for (const [user, { policies: names, tokenTtl }] of Object.entries(SCENARIO_USERS)) {
  new UserpassUser(
    user,
    {
      username: user,
      password: config.requireSecret(`${user}Password`),
      tokenPolicies: names.map((name) => policies[name]!.name),
      tokenTtl,
    },
    { dependsOn: [userpass] },
  );
}

new AuditDevice('audit', { path: 'file', options: { file_path: config.get('auditLog') ?? 'stdout' } });
