// The dev and prod environments as CDK for Terraform stacks, and the Vault-wide access both use: each
// environment its own SSH CA in Vault (mount, generated key, roles, signing policies, a host CA) and
// two EC2 instances that trust that CA only (Ubuntu 24.04 LTS looked up by a data source, IMDSv2,
// encrypted root volume, port 22 from the `ssh_cidrs` variable only, kept on a trust change: run the
// Ansible role ssh_ca_trust); dev also gets the JWT auth method for GitLab CI job tokens and its CI
// login (infra/deploy on main signs as automation). The `access` stack holds what spans both: the
// userpass method, the policies `ssh-access` and `emergency-ssh`, the users (passwords from sensitive
// variables) and a file audit device, as the Pulumi example makes them. The values come from
// `vault-ssh-ca/scenario`, the scenario `sshca demo` runs; put your own there.
// `npx cdktf synth` writes plain Terraform JSON to cdktf.out/ (no Terraform binary needed);
// `npx cdktf synth --hcl --output cdktf.out.hcl` writes HCL, in a folder of its own (see README.md).

import { AwsProvider } from '@cdktf/provider-aws/lib/provider/index.js';
import { VaultProvider } from '@cdktf/provider-vault/lib/provider/index.js';
import { App, TerraformOutput, TerraformStack, TerraformVariable } from 'cdktf';
import type { Construct } from 'constructs';
import {
  AclPolicy,
  AuditDevice,
  AuthMethod,
  JwtAuthBackend,
  SshEnvironment,
  TrustedEc2Hosts,
  UserpassUser,
  signingPolicy,
} from 'vault-ssh-ca/modules';
import {
  SCENARIO_APPROLE_AUTH,
  SCENARIO_CI_LOGIN,
  SCENARIO_DELIVERY,
  SCENARIO_HOST_CA,
  SCENARIO_HOST_PRINCIPALS,
  SCENARIO_JWT_AUTH,
  SCENARIO_POLICIES,
  SCENARIO_ROLES,
  SCENARIO_USERS,
  scenarioMount,
  type ScenarioEnvironment,
} from 'vault-ssh-ca/scenario';

/** One environment: its Vault side and its hosts. */
class EnvironmentStack extends TerraformStack {
  constructor(scope: Construct, environment: ScenarioEnvironment) {
    super(scope, environment);
    new VaultProvider(this, 'vault', {}); // VAULT_ADDR and VAULT_TOKEN at plan time
    new AwsProvider(this, 'aws', { region: 'eu-west-1' });
    const sshCidrs = new TerraformVariable(this, 'ssh_cidrs', {
      type: 'list(string)',
      description: 'CIDRs that may reach port 22 of the instances, e.g. ["10.0.0.0/8"] (required)',
    });
    const ci = environment === SCENARIO_CI_LOGIN.env ? new JwtAuthBackend(this, 'jwt', SCENARIO_JWT_AUTH) : undefined;
    const delivery =
      environment === SCENARIO_DELIVERY.env
        ? new AuthMethod(this, 'approle', { ...SCENARIO_APPROLE_AUTH, type: 'approle' })
        : undefined;
    const env = new SshEnvironment(this, 'ssh', {
      environment,
      roles: SCENARIO_ROLES,
      hostPrincipals: SCENARIO_HOST_PRINCIPALS[environment],
      hostCa: SCENARIO_HOST_CA[environment],
      ...(ci ? { ciLogin: { ...SCENARIO_CI_LOGIN.spec, authMount: ci.path } } : {}),
      ...(delivery ? { deliveryPlatform: { ...SCENARIO_DELIVERY.spec, authMount: delivery.path } } : {}),
    });
    const hosts = new TrustedEc2Hosts(this, 'hosts', {
      environment: env,
      names: ['web-1', 'web-2'],
      sshCidrs: sshCidrs.listValue,
    });
    new TerraformOutput(this, 'ca_public_key', { value: env.authority.publicKey });
    new TerraformOutput(this, 'known_hosts', { value: env.hostCa!.knownHosts });
    new TerraformOutput(this, 'ansible_vars', { value: env.ansibleVars });
    new TerraformOutput(this, 'instance_private_ips', { value: hosts.instances.map((i) => i.privateIp) });
    if (env.deliveryPlatform) new TerraformOutput(this, 'delivery_role_id', { value: env.deliveryPlatform.roleId });
  }
}

/** What both environments use: userpass, the cross-environment policies, the users, the audit device. */
class AccessStack extends TerraformStack {
  constructor(scope: Construct) {
    super(scope, 'access');
    new VaultProvider(this, 'vault', {});
    const userpass = new AuthMethod(this, 'userpass', { path: 'userpass', type: 'userpass' });
    for (const [name, { environments, roles }] of Object.entries(SCENARIO_POLICIES)) {
      new AclPolicy(this, `policy-${name}`, {
        name,
        policy: environments.map((env) => signingPolicy(scenarioMount(env), roles)).join('\n'),
      });
    }
    for (const [user, { policies, tokenTtl }] of Object.entries(SCENARIO_USERS)) {
      const password = new TerraformVariable(this, `${user}_password`, { type: 'string', sensitive: true });
      new UserpassUser(this, `user-${user}`, {
        username: user,
        password: password.stringValue,
        tokenPolicies: policies,
        tokenTtl,
        dependsOn: [userpass.backend],
      });
    }
    new AuditDevice(this, 'audit', { path: 'file', options: { file_path: 'stdout' } });
  }
}

const app = new App();
new EnvironmentStack(app, 'dev');
new EnvironmentStack(app, 'prod');
new AccessStack(app);
app.synth();
