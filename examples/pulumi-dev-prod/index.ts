// The seed scenario as code: environments dev and prod, each with its own mount and CA, the roles
// developer, automation and emergency, a signing policy per role, userpass users holding them, and
// a file audit device. Run with `pulumi up` against Vault, OpenBao or `sshca serve`.

import * as pulumi from '@pulumi/pulumi';
import {
  AclPolicy,
  AuditDevice,
  AuthMethod,
  SshEnvironment,
  UserpassUser,
  signingPolicy,
  type RoleSpec,
} from 'vault-ssh-ca/providers';

const config = new pulumi.Config();

/** The three roles of the seed posts, with our secure defaults. */
const roles = (env: string): Record<string, RoleSpec> => ({
  developer: {
    allowedUsers: ['ubuntu', 'ec2-user'],
    defaultUser: 'ubuntu',
    ttl: '1h',
    maxTtl: '8h',
    allowedExtensions: ['permit-pty'],
    defaultExtensions: { 'permit-pty': '' },
    keyIdFormat: `${env}-{{role_name}}-{{token_display_name}}-{{public_key_hash}}`,
  },
  automation: {
    allowedUsers: ['jenkins', 'gitlab-runner'],
    ttl: '30m',
    maxTtl: '1h',
    allowedUserKeyLengths: { ed25519: [0] },
  },
  emergency: {
    allowedUsers: ['root'],
    defaultUser: 'root',
    ttl: '15m',
    maxTtl: '1h',
    defaultExtensions: { 'permit-pty': '' },
    allowedExtensions: ['permit-pty'],
  },
});

const hostPrincipals = { ubuntu: ['ubuntu'], 'ec2-user': ['ec2-user'], root: ['root'] };

export const environments = Object.fromEntries(
  ['dev', 'prod'].map((env) => {
    const e = new SshEnvironment(env, { environment: env, roles: roles(env), hostPrincipals });
    return [env, { mountPath: e.mountPath, caPublicKey: e.caPublicKey, userData: e.userData }];
  }),
);

const userpass = new AuthMethod('userpass', { path: 'userpass', type: 'userpass' });

// Engineers sign on dev and prod developer roles; on-call holds the emergency roles.
const engineer = new AclPolicy('ssh-access', {
  name: 'ssh-access',
  policy: signingPolicy('ssh-dev', ['developer']) + '\n' + signingPolicy('ssh-prod', ['developer']),
});
const oncall = new AclPolicy('emergency-ssh', {
  name: 'emergency-ssh',
  policy: signingPolicy('ssh-dev', ['emergency']) + '\n' + signingPolicy('ssh-prod', ['emergency']),
});

new UserpassUser(
  'testuser',
  {
    username: 'testuser',
    password: config.requireSecret('testuserPassword'),
    tokenPolicies: [engineer.name],
    tokenTtl: '1h',
  },
  { dependsOn: [userpass] },
);
new UserpassUser(
  'oncall',
  {
    username: 'oncall',
    password: config.requireSecret('oncallPassword'),
    tokenPolicies: [oncall.name],
    tokenTtl: '30m',
  },
  { dependsOn: [userpass] },
);

new AuditDevice('audit', { path: 'file', options: { file_path: config.get('auditLog') ?? 'stdout' } });
