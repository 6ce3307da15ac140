// Whole Pulumi programs executed with `pulumi.runtime.setMocks`, whose mocks do what the engine does
// with a dynamic resource: load the serialized `__provider` text and run its check and create. The
// program is examples/pulumi-dev-prod, against the embedded server over HTTP; a certificate signed
// on a role it created then logs into a real sshd that trusts the environment's CA. GitLab's JWKS
// endpoint is a local one on loopback (the stack config `jwksUrl`), serving the test's own key: a job
// token of the scenario's project and branch logs in to dev's CI login and signs as automation.

import { join } from 'node:path';
import { readFileSync, writeFileSync } from 'node:fs';
import * as pulumi from '@pulumi/pulumi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCertificate } from '../../core/cert/certificate.js';
import { parseDurationSeconds } from '../../core/duration.js';
import { generateKeyPair } from '../../server/ssh/generate-key-pair.js';
import { SCENARIO_CI_LOGIN, SCENARIO_ENVIRONMENTS, SCENARIO_ROLES } from '../../core/scenario.js';
import {
  gitlabClaims,
  makeKey,
  signJwt,
  startJwksServer,
  type JwksServer,
  type TestKey,
} from '../server/auth/jwt-helpers.js';
import { makeScratchDir, removeScratchDir } from '../helpers/scratch.js';
import { sshLogin } from '../helpers/ssh-client.js';
import { startSshdHosts, stopAll, type SshdHost } from '../helpers/sshd.js';
import { ensureTestUser } from '../helpers/test-user.js';
import { startTestServer, type TestServer } from '../helpers/vault-server.js';
import { MOCK_AMI_ID, setEngineMocks, settled, value, type MockedResource } from './mock-engine.js';
import { CANONICAL_OWNER, UBUNTU_LTS_AMI_NAME } from '../../core/ec2-hosts.js';
import { scenarioInventory } from '../helpers/scenario-inventory.js';

let backend: TestServer;
let dir: string;
let hosts: SshdHost[] = [];
let jwks: JwksServer;
let gitlabKey: TestKey;
const created: string[] = [];
const others: MockedResource[] = [];
let environments: Record<
  string,
  { mount: string; caPublicKey: string; userData: string; knownHosts: string; privateIps: string[] }
>;

beforeAll(async () => {
  dir = makeScratchDir('pulumi-program');
  backend = await startTestServer();
  gitlabKey = makeKey('gitlab-1', 'RS256');
  jwks = await startJwksServer([gitlabKey]);
  pulumi.runtime.setAllConfig(
    {
      'pulumi-dev-prod:jwksUrl': jwks.url,
      'vault-ssh-ca:address': backend.url,
      'vault-ssh-ca:token': backend.token,
      'pulumi-dev-prod:testuserPassword': 'testuser-password',
      'pulumi-dev-prod:oncallPassword': 'oncall-password',
      'pulumi-dev-prod:auditLog': join(dir, 'audit.log'),
      'pulumi-dev-prod:sshCidrs': '["10.0.0.0/8","2001:db8::/32"]',
    },
    ['vault-ssh-ca:token', 'pulumi-dev-prod:testuserPassword', 'pulumi-dev-prod:oncallPassword'],
  );
  await setEngineMocks('pulumi-dev-prod', created, others);
  const program = await import('../../examples/pulumi-dev-prod/index.js');
  environments = (await value(pulumi.output(program.environments))) as typeof environments;
  await settled(created);
});

afterAll(async () => {
  await stopAll(hosts);
  await backend?.close();
  await jwks?.close();
  if (dir) removeScratchDir(dir);
});

describe('examples/pulumi-dev-prod under setMocks', () => {
  it('creates per environment a security group open to sshCidrs only and two instances trusting its CA', () => {
    const of = (type: string) => others.filter((r) => r.type === type);
    expect(of('aws:ec2/securityGroup:SecurityGroup').map((r) => [r.name, r.inputs.ingress])).toEqual(
      SCENARIO_ENVIRONMENTS.map((env) => [
        `${env}-ssh`,
        [
          {
            description: 'SSH',
            protocol: 'tcp',
            fromPort: 22,
            toPort: 22,
            cidrBlocks: ['10.0.0.0/8'],
            ipv6CidrBlocks: ['2001:db8::/32'],
          },
        ],
      ]),
    );
    const instances = of('aws:ec2/instance:Instance');
    expect(instances.map((i) => i.name)).toEqual(['dev-web-1', 'dev-web-2', 'prod-web-1', 'prod-web-2']);
    for (const i of instances) {
      const env = i.name.split('-')[0]!;
      expect(i.inputs).toMatchObject({
        ami: MOCK_AMI_ID,
        instanceType: 't3.micro',
        vpcSecurityGroupIds: [`${env}-ssh_id`],
        metadataOptions: { httpEndpoint: 'enabled', httpTokens: 'required', httpPutResponseHopLimit: 1 },
        rootBlockDevice: { encrypted: true, volumeType: 'gp3' },
        tags: { Environment: env, ManagedBy: 'vault-ssh-ca', Name: i.name },
      });
      expect('keyName' in i.inputs).toBe(false);
      expect(i.inputs.userData).toBe(environments[env]!.userData);
      expect(i.inputs.userData).toContain(environments[env]!.caPublicKey.trim());
      const other = SCENARIO_ENVIRONMENTS.find((e) => e !== env)!;
      expect(i.inputs.userData).not.toContain(environments[other]!.caPublicKey.trim());
    }
    expect(environments.dev!.privateIps).toHaveLength(2);
  });

  it("looks the AMI up by Canonical's account and Ubuntu 24.04 LTS's name, once", () => {
    expect(others.filter((r) => r.type === 'aws:ec2/getAmi:getAmi').map((r) => r.inputs)).toEqual([
      {
        mostRecent: true,
        owners: [CANONICAL_OWNER],
        filters: [
          { name: 'name', values: [UBUNTU_LTS_AMI_NAME] },
          { name: 'virtualization-type', values: ['hvm'] },
        ],
      },
    ]);
  });

  it('creates every resource of the seed scenario on the backend', () => {
    expect([...created].sort()).toEqual(
      [
        'AclPolicy:dev-sign-automation',
        'AclPolicy:dev-sign-developer',
        'AclPolicy:dev-sign-emergency',
        'AclPolicy:dev-sign-host',
        'AclPolicy:emergency-ssh',
        'AclPolicy:prod-sign-automation',
        'AclPolicy:prod-sign-developer',
        'AclPolicy:prod-sign-emergency',
        'AclPolicy:prod-sign-host',
        'AclPolicy:ssh-access',
        'AuditDevice:file',
        'AppRoleRole:auth/approle/role/dev-delivery',
        'AuthMethod:approle',
        'AuthMethod:userpass',
        'JwtAuthBackend:jwt',
        'JwtRole:auth/jwt/role/dev-ci',
        'SecretsMount:ssh-dev',
        'SecretsMount:ssh-dev-host',
        'SecretsMount:ssh-prod',
        'SecretsMount:ssh-prod-host',
        'SshCa:ssh-dev/config/ca',
        'SshCa:ssh-dev-host/config/ca',
        'SshCa:ssh-prod/config/ca',
        'SshCa:ssh-prod-host/config/ca',
        'SshRole:ssh-dev/roles/automation',
        'SshRole:ssh-dev/roles/developer',
        'SshRole:ssh-dev/roles/emergency',
        'SshRole:ssh-dev-host/roles/host',
        'SshRole:ssh-prod/roles/automation',
        'SshRole:ssh-prod/roles/developer',
        'SshRole:ssh-prod/roles/emergency',
        'SshRole:ssh-prod-host/roles/host',
        'UserpassUser:auth/userpass/users/oncall',
        'UserpassUser:auth/userpass/users/testuser',
      ].sort(),
    );
  });

  it('writes the scenario inventory the CDKTF example writes too (parity of the surfaces)', () => {
    const path = (entry: string) => {
      const [type, id] = entry.split(/:(.*)/s) as [string, string];
      const prefix: Record<string, string> = {
        SecretsMount: 'sys/mounts/',
        AclPolicy: 'sys/policies/acl/',
        AuthMethod: 'sys/auth/',
        JwtAuthBackend: 'sys/auth/',
        AuditDevice: 'sys/audit/',
      };
      return `${prefix[type] ?? ''}${id}`;
    };
    expect(created.map(path).sort()).toEqual(scenarioInventory());
  });

  it('creates the scenario’s roles on both mounts (core/scenario.ts)', async () => {
    for (const env of SCENARIO_ENVIRONMENTS)
      for (const [name, spec] of Object.entries(SCENARIO_ROLES)) {
        const { data } = (await backend.request('GET', `/v1/ssh-${env}/roles/${name}`)).json;
        expect([name, data.allowed_users, data.default_user, data.ttl, data.max_ttl]).toEqual([
          name,
          spec.allowedUsers!.join(','),
          spec.defaultUser ?? '',
          parseDurationSeconds(spec.ttl!),
          parseDurationSeconds(spec.maxTtl!),
        ]);
      }
  });

  it('gives dev and prod their own CAs, served by the backend, and host trust for each', async () => {
    const dev = environments.dev!;
    const prod = environments.prod!;
    expect(dev.caPublicKey).not.toBe(prod.caPublicKey);
    expect(dev.caPublicKey).toBe((await backend.request('GET', '/v1/ssh-dev/public_key', undefined, null)).body);
    expect(dev.userData).toContain(dev.caPublicKey.trim());
    expect(dev.userData).not.toContain(prod.caPublicKey.trim());
    expect(readFileSync(join(dir, 'audit.log'), 'utf8')).toContain('"path":"ssh-dev/roles/developer"');
  });

  it('gives each environment a host CA of its own, whose role signs host keys for its domain only', async () => {
    for (const env of SCENARIO_ENVIRONMENTS) {
      const hostKey = (await backend.request('GET', `/v1/ssh-${env}-host/public_key`, undefined, null)).body;
      expect(hostKey).not.toBe(environments[env]!.caPublicKey);
      expect(environments[env]!.knownHosts).toBe(`@cert-authority *.${env}.example.com ${hostKey.trim()}\n`);
      const { data } = (await backend.request('GET', `/v1/ssh-${env}-host/roles/host`)).json;
      expect([data.allow_user_certificates, data.allow_host_certificates, data.allowed_domains]).toEqual([
        false,
        true,
        `${env}.example.com`,
      ]);
      expect([data.allow_subdomains, data.allow_bare_domains, data.ttl, data.max_ttl]).toEqual([
        true,
        false,
        720 * 3600,
        2160 * 3600,
      ]);
    }
    const host = generateKeyPair('ed25519', 0);
    const sign = (env: string, name: string) =>
      backend.request('POST', `/v1/ssh-${env}-host/sign/host`, {
        public_key: host.publicKey,
        cert_type: 'host',
        valid_principals: name,
      });
    const signed = await sign('dev', 'web-1.dev.example.com');
    expect(signed.status).toBe(200);
    expect(parseCertificate(signed.json.data.signed_key)).toMatchObject({
      certType: 'host',
      principals: ['web-1.dev.example.com'],
    });
    expect((await sign('dev', 'web-1.prod.example.com')).json.errors).toEqual([
      'web-1.prod.example.com is not a valid value for valid_principals',
    ]);
  });

  it('testuser signs on dev/developer and the certificate opens a host trusting the dev CA only', async () => {
    const account = await ensureTestUser();
    hosts = await startSshdHosts([
      {
        name: 'dev',
        address: '127.0.0.2',
        trustedUserCaKeys: [environments.dev!.caPublicKey.trim()],
        principals: { [account]: ['ubuntu'] },
      },
      {
        name: 'prod',
        address: '127.0.0.3',
        trustedUserCaKeys: [environments.prod!.caPublicKey.trim()],
        principals: { [account]: ['ubuntu'] },
      },
    ]);
    const login = await backend.request(
      'POST',
      '/v1/auth/userpass/login/testuser',
      { password: 'testuser-password' },
      null,
    );
    expect(login.json.auth.policies).toEqual(['default', 'ssh-access']);
    const token = login.json.auth.client_token;
    const pair = generateKeyPair('ed25519', 0);
    const identity = join(dir, 'id_testuser');
    writeFileSync(identity, pair.privateKey, { mode: 0o600 });
    const signed = await backend.request('POST', '/v1/ssh-dev/sign/developer', { public_key: pair.publicKey }, token);
    expect(signed.status).toBe(200);
    const cert = parseCertificate(signed.json.data.signed_key);
    expect(cert.principals).toEqual(['ubuntu']);
    expect(cert.keyId).toMatch(/^developer-userpass-testuser-[0-9a-f]{64}$/);
    writeFileSync(`${identity}-cert.pub`, signed.json.data.signed_key);
    const [dev, prod] = hosts as [SshdHost, SshdHost];
    expect(await sshLogin({ host: dev, user: account, identityFile: identity, command: 'echo in' })).toEqual({
      code: 0,
      stdout: 'in\n',
      stderr: '',
    });
    expect((await sshLogin({ host: prod, user: account, identityFile: identity, command: 'echo in' })).code).toBe(255);
    // The same token may not sign on the emergency role.
    expect(
      (await backend.request('POST', '/v1/ssh-dev/sign/emergency', { public_key: pair.publicKey }, token)).status,
    ).toBe(403);
  });
});

describe('the CI login of examples/pulumi-dev-prod (issue 18)', () => {
  it('admits a GitLab job of infra/deploy on main with dev-sign-automation, and refuses another branch', async () => {
    const role = (await backend.request('GET', '/v1/auth/jwt/role/dev-ci')).json.data;
    expect(role).toMatchObject({
      role_type: 'jwt',
      bound_audiences: SCENARIO_CI_LOGIN.spec.boundAudiences,
      bound_claims: SCENARIO_CI_LOGIN.spec.boundClaims,
      user_claim: 'project_path',
      token_policies: ['dev-sign-automation'],
      token_ttl: 900,
      token_max_ttl: 3600,
    });
    const now = Math.floor(Date.now() / 1000);
    const login = async (claims: Record<string, unknown>) =>
      backend.request('POST', '/v1/auth/jwt/login', { role: 'dev-ci', jwt: await signJwt(gitlabKey, claims) }, null);
    const ok = await login(gitlabClaims(now));
    expect(ok.json.auth.policies).toEqual(['default', 'dev-sign-automation']);
    const pair = generateKeyPair('ed25519', 0);
    const signed = await backend.request(
      'POST',
      '/v1/ssh-dev/sign/automation',
      { public_key: pair.publicKey, valid_principals: 'gitlab-runner' },
      ok.json.auth.client_token,
    );
    expect(parseCertificate(signed.json.data.signed_key).principals).toEqual(['gitlab-runner']);
    expect(
      (
        await backend.request(
          'POST',
          '/v1/ssh-prod/sign/automation',
          { public_key: pair.publicKey },
          ok.json.auth.client_token,
        )
      ).status,
    ).toBe(403);
    expect((await login(gitlabClaims(now, { ref: 'feature-x' }))).json).toEqual({
      errors: ['error validating claims: claim "ref" does not match any associated bound claim values'],
    });
  });
});
