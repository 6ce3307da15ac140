// The user-data TrustedEc2Hosts synthesizes, with the Terraform reference replaced by a real CA key
// (as Terraform does at apply time): `cloud-init schema` accepts it, and the files it writes, placed
// under a real sshd host's own root in the harness, make that host accept its environment's
// certificates and refuse the other's. Stops short of EC2 itself: no instance is booted.

import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider/index.js';
import { VaultProvider } from '@cdktf/provider-vault/lib/provider/index.js';
import { Testing, TerraformStack } from 'cdktf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { GeneratedKeyPair } from '../../core/keys/ca-key.js';
import { generateKeyPair } from '../../server/ssh/generate-key-pair.js';
import { SshEnvironment, TrustedEc2Hosts } from '../../modules/index.js';
import { makeScratchDir, removeScratchDir } from '../helpers/scratch.js';
import { sshLogin } from '../helpers/ssh-client.js';
import { startSshdHosts, stopAll, type SshdHost } from '../helpers/sshd.js';
import { ensureTestUser } from '../helpers/test-user.js';
import { issueUserCertificate } from '../helpers/user-cert.js';

let dir: string;
let account: string;
let hosts: SshdHost[] = [];
const cas: Record<string, GeneratedKeyPair> = {};
const userData: Record<string, string> = {};

/** Synthesize an environment's stack and return its first instance's user_data and its CA's id. */
function synthEnvironment(environment: string): { userData: string; caId: string } {
  const stack = new TerraformStack(Testing.app(), environment);
  new VaultProvider(stack, 'vault', {});
  new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
  const env = new SshEnvironment(stack, 'ssh', {
    environment,
    roles: { developer: { allowedUsers: ['ubuntu'], defaultUser: 'ubuntu' } },
    hostPrincipals: { [account]: ['ubuntu'] },
  });
  new TrustedEc2Hosts(stack, 'hosts', { environment: env, names: ['web-1'], ami: 'ami-1', sshCidrs: ['10.0.0.0/8'] });
  const resources = JSON.parse(Testing.synth(stack, true)).resource;
  const instance = Object.values(resources.aws_instance)[0] as { user_data: string };
  return { userData: instance.user_data, caId: Object.keys(resources.vault_ssh_secret_backend_ca)[0]! };
}

/** Write the user-data's write_files under `root`, pointing the drop-in at the files there. */
function placeUnder(root: string, text: string): void {
  for (const f of parse(text).write_files as Array<{ path: string; content: string }>) {
    const path = join(root, f.path);
    mkdirSync(dirname(path), { recursive: true, mode: 0o755 });
    writeFileSync(path, f.content.replaceAll('/etc/ssh/', `${root}/etc/ssh/`), { mode: 0o644 });
  }
}

beforeAll(async () => {
  dir = makeScratchDir('cdktf-hosts');
  chmodSync(dir, 0o711); // sshd reads principals files as the logging-in account
  account = await ensureTestUser();
  for (const env of ['dev', 'prod']) {
    cas[env] = generateKeyPair('ed25519', 0);
    const { userData: text, caId } = synthEnvironment(env);
    // What Terraform substitutes at apply time: Vault's public_key attribute, newline included.
    userData[env] = text.replace(`\${vault_ssh_secret_backend_ca.${caId}.public_key}`, cas[env]!.publicKey);
  }
  hosts = await startSshdHosts(
    ['dev', 'prod'].map((env, i) => {
      const root = join(dir, `${env}-root`);
      placeUnder(root, userData[env]!);
      return {
        name: env,
        address: `127.0.0.${i + 2}`,
        trustedUserCaKeys: [],
        principals: {},
        extraConfig: [`Include ${root}/etc/ssh/sshd_config.d/*.conf`],
      };
    }),
  );
});

afterAll(async () => {
  await stopAll(hosts);
  if (dir) removeScratchDir(dir);
});

describe('TrustedEc2Hosts user-data', () => {
  it.each(['dev', 'prod'])('passes cloud-init schema for %s with the real key in place', (env) => {
    const file = join(dir, `${env}.yaml`);
    writeFileSync(file, userData[env]!);
    const r = spawnSync('cloud-init', ['schema', '--config-file', file], { encoding: 'utf8' });
    expect({ status: r.status, stdout: r.stdout }).toEqual({ status: 0, stdout: `Valid cloud-config: ${file}\n` });
  });

  it('never gives prod instances the dev CA', () => {
    expect(userData.prod).toContain(cas.prod!.publicKey.trim());
    expect(userData.prod).not.toContain(cas.dev!.publicKey.trim());
    expect(userData.dev).not.toContain(cas.prod!.publicKey.trim());
  });

  it('makes each host accept its own environment and refuse the other', async () => {
    const [dev, prod] = hosts as [SshdHost, SshdHost];
    const devCert = issueUserCertificate(dir, cas.dev!, ['ubuntu']);
    const prodCert = issueUserCertificate(dir, cas.prod!, ['ubuntu']);
    const login = (host: SshdHost, c: typeof devCert) => sshLogin({ host, user: account, ...c, command: 'echo in' });
    expect(await login(dev, devCert)).toEqual({ code: 0, stdout: 'in\n', stderr: '' });
    expect(await login(prod, prodCert)).toEqual({ code: 0, stdout: 'in\n', stderr: '' });
    expect((await login(prod, devCert)).code).toBe(255);
    expect((await login(dev, prodCert)).code).toBe(255);
  });
});
