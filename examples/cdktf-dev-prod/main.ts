// The dev and prod environments as CDK for Terraform stacks: each its own SSH CA in Vault (mount,
// generated key, roles, signing policies) and two EC2 instances that trust that CA only; dev also
// gets the JWT auth method for GitLab CI job tokens and its CI login (infra/deploy on main signs as
// automation). The roles and
// host principals come from `vault-ssh-ca/scenario`, the scenario `sshca demo` runs; put your own there.
// `npx cdktf synth` writes plain Terraform JSON to cdktf.out/ (no Terraform binary needed);
// `npx cdktf synth --hcl --output cdktf.out.hcl` writes HCL, in a folder of its own (see README.md).

import { AwsProvider } from '@cdktf/provider-aws/lib/provider/index.js';
import { VaultProvider } from '@cdktf/provider-vault/lib/provider/index.js';
import { App, TerraformOutput, TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import { JwtAuthBackend, SshEnvironment, TrustedEc2Hosts } from 'vault-ssh-ca/modules';
import {
  SCENARIO_CI_LOGIN,
  SCENARIO_HOST_CA,
  SCENARIO_HOST_PRINCIPALS,
  SCENARIO_JWT_AUTH,
  SCENARIO_ROLES,
  type ScenarioEnvironment,
} from 'vault-ssh-ca/scenario';

/** One environment: its Vault side and its hosts. */
class EnvironmentStack extends TerraformStack {
  constructor(
    scope: Construct,
    environment: ScenarioEnvironment,
    options: { readonly ami: string; readonly sshCidrs: string[] },
  ) {
    super(scope, environment);
    new VaultProvider(this, 'vault', {}); // VAULT_ADDR and VAULT_TOKEN at plan time
    new AwsProvider(this, 'aws', { region: 'eu-west-1' });
    const ci = environment === SCENARIO_CI_LOGIN.env ? new JwtAuthBackend(this, 'jwt', SCENARIO_JWT_AUTH) : undefined;
    const env = new SshEnvironment(this, 'ssh', {
      environment,
      roles: SCENARIO_ROLES,
      hostPrincipals: SCENARIO_HOST_PRINCIPALS[environment],
      hostCa: SCENARIO_HOST_CA[environment],
      ...(ci ? { ciLogin: { ...SCENARIO_CI_LOGIN.spec, authMount: ci.path } } : {}),
    });
    const hosts = new TrustedEc2Hosts(this, 'hosts', {
      environment: env,
      names: ['web-1', 'web-2'],
      ami: options.ami,
      sshCidrs: options.sshCidrs,
    });
    new TerraformOutput(this, 'ca_public_key', { value: env.authority.publicKey });
    new TerraformOutput(this, 'known_hosts', { value: env.hostCa!.knownHosts });
    new TerraformOutput(this, 'instance_private_ips', { value: hosts.instances.map((i) => i.privateIp) });
  }
}

const app = new App();
// Ubuntu 24.04 LTS (eu-west-1); replace with your AMI and office/VPN ranges.
new EnvironmentStack(app, 'dev', { ami: 'ami-0a89fa9a6d8c7ad98', sshCidrs: ['10.0.0.0/8'] });
new EnvironmentStack(app, 'prod', { ami: 'ami-0a89fa9a6d8c7ad98', sshCidrs: ['10.20.0.0/16'] });
app.synth();
