// The seed scenario as code: environments dev and prod, each with its own mount and CA, the roles
// developer, automation and emergency, a signing policy per role, a host CA whose certificates
// clients trust through the `knownHosts` output, userpass users holding them, a JWT auth method for
// GitLab CI job tokens with dev's CI login (the jobs of infra/deploy on main sign as automation), and
// a file audit device; and per environment, EC2 instances whose cloud-init makes sshd trust that
// environment's CA only, behind a security group that opens port 22 to the stack's `sshCidrs` only
// (Ubuntu 24.04 LTS looked up by owner and name, IMDSv2 required, encrypted root volume; a trust change
// does not replace them: run the Ansible role ssh_ca_trust). The values come from
// `vault-ssh-ca/scenario`, the scenario `sshca demo` runs; write your own roles and users in their
// place. Run with `pulumi up` against Vault, OpenBao or `sshca serve`, and AWS.

import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import {
  CANONICAL_OWNER,
  DEFAULT_INSTANCE_TYPE,
  ENCRYPTED_ROOT_VOLUME,
  IMDS_V2,
  UBUNTU_LTS_AMI_FILTERS,
  splitCidrFamilies,
  sshCidrIssues,
} from 'vault-ssh-ca';
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
  SCENARIO_APPROLE_AUTH,
  SCENARIO_CI_LOGIN,
  SCENARIO_DELIVERY,
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

// Who may reach port 22 (required; every address needs allowSshFromAnywhere), and the instances.
const sshCidrs = config.requireObject<string[]>('sshCidrs');
const cidrIssues = sshCidrIssues(sshCidrs, config.getBoolean('allowSshFromAnywhere') ?? false);
if (cidrIssues.length > 0) throw new Error(cidrIssues.map((i) => `${i.field}: ${i.message}`).join('; '));
const instanceType = config.get('instanceType') ?? DEFAULT_INSTANCE_TYPE;
const keyName = config.get('keyName');
const ami = aws.ec2.getAmiOutput({
  mostRecent: true,
  owners: [CANONICAL_OWNER],
  filters: UBUNTU_LTS_AMI_FILTERS.map((f) => ({ name: f.name, values: [...f.values] })),
});

/** An environment's instances: port 22 from sshCidrs only, user-data trusting its CA, kept on a trust change. */
function trustedHosts(env: string, userData: pulumi.Output<string>, names: readonly string[]) {
  const tags = { Environment: env, ManagedBy: 'vault-ssh-ca' };
  const { ipv4, ipv6 } = splitCidrFamilies(sshCidrs);
  const sg = new aws.ec2.SecurityGroup(`${env}-ssh`, {
    description: `SSH to ${env} hosts, certificates of the ${env} CA only`,
    ingress: [
      {
        description: 'SSH',
        protocol: 'tcp',
        fromPort: 22,
        toPort: 22,
        cidrBlocks: ipv4,
        ...(ipv6.length > 0 ? { ipv6CidrBlocks: ipv6 } : {}),
      },
    ],
    egress: [{ description: 'all', protocol: '-1', fromPort: 0, toPort: 0, cidrBlocks: ['0.0.0.0/0'] }],
    tags,
  });
  return names.map(
    (name) =>
      new aws.ec2.Instance(
        `${env}-${name}`,
        {
          ami: ami.id,
          instanceType,
          ...(keyName ? { keyName } : {}),
          vpcSecurityGroupIds: [sg.id],
          userData,
          metadataOptions: { ...IMDS_V2 },
          rootBlockDevice: { ...ENCRYPTED_ROOT_VOLUME },
          tags: { ...tags, Name: `${env}-${name}` },
        },
        // User-data runs at first boot only: trust changes reach running hosts through Ansible.
        { ignoreChanges: ['userData'] },
      ),
  );
}

// GitLab's job tokens; `jwksUrl` and `jwksCaPem` may be set in the stack config (a GitLab of your own).
const jwksCaPem = config.get('jwksCaPem');
const jwt = new JwtAuthBackend('jwt', {
  ...SCENARIO_JWT_AUTH,
  jwksUrl: config.get('jwksUrl') ?? SCENARIO_JWT_AUTH.jwksUrl,
  ...(jwksCaPem ? { jwksCaPem } : {}),
});

// The delivery platform's AppRole method (its role is dev's `deliveryPlatform`).
const approle = new AuthMethod('approle', { ...SCENARIO_APPROLE_AUTH, type: 'approle' });

export const environments = Object.fromEntries(
  SCENARIO_ENVIRONMENTS.map((env) => {
    const e = new SshEnvironment(env, {
      environment: env,
      roles: SCENARIO_ROLES,
      hostPrincipals: SCENARIO_HOST_PRINCIPALS[env],
      hostCa: SCENARIO_HOST_CA[env],
      ...(env === SCENARIO_CI_LOGIN.env ? { ciLogin: { ...SCENARIO_CI_LOGIN.spec, authMount: jwt.path } } : {}),
      ...(env === SCENARIO_DELIVERY.env
        ? { deliveryPlatform: { ...SCENARIO_DELIVERY.spec, authMount: approle.path } }
        : {}),
    });
    const instances = trustedHosts(env, e.userData, ['web-1', 'web-2']);
    return [
      env,
      {
        mount: e.mount,
        caPublicKey: e.caPublicKey,
        userData: e.userData,
        knownHosts: e.hostCa!.knownHosts,
        ...(e.deliveryPlatform ? { deliveryPlatformRoleId: e.deliveryPlatform.roleId } : {}),
        privateIps: instances.map((i) => i.privateIp),
      },
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
