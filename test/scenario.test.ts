// The dev+prod scenario is written once (core/scenario.ts); every place that states it must agree:
// the demo's seed resources, both examples, examples/roles.json and the README's role table; the
// TypeScript that imports it (bench/synth.ts, test/ansible/e2e.test.ts); and the files that cannot
// import it: the Ansible example inventory, the Ansible roles' READMEs, the examples' READMEs and the
// snippets of providers/README.md and modules/README.md. The examples are also run
// (test/providers/program.test.ts, test/modules/cli-synth.test.ts) and their created roles checked
// against the same source.

import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { parseRoleFile } from '../cli/role-file.js';
import { HOST_PRINCIPALS, OTP_ROLE, ROLES, seedResources } from '../cli/scenario/seed.js';
import { parseDurationSeconds } from '../core/duration.js';
import { parseRoleWrite, roleToWire } from '../core/role.js';
import { roleSpecToWire, type RoleSpec } from '../core/role-spec.js';
import { ciLoginJwtRole, validateCiLoginSpec } from '../core/ci-login.js';
import { deliveryPlatformAppRole, validateDeliveryPlatformSpec } from '../core/delivery-platform.js';
import {
  SCENARIO_APPROLE_AUTH,
  SCENARIO_CI_LOGIN,
  SCENARIO_DELIVERY,
  SCENARIO_JWT_AUTH,
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
} from '../core/scenario.js';

const ROOT = resolve(import.meta.dirname, '..');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

/** A role spec in the form Vault stores it (every field, defaults applied). */
const stored = (spec: RoleSpec) => roleToWire(parseRoleWrite(roleSpecToWire(spec)));

describe('the demo seed', () => {
  const resources = seedResources(
    { address: 'http://127.0.0.1:1', token: 't' },
    { testuser: 'a', oncall: 'b' },
    'a.log',
  );
  const byId = new Map(resources.map((r) => [r.id, r.inputs]));

  it('re-exports the scenario instead of stating its own', () => {
    expect(ROLES).toBe(SCENARIO_ROLES);
    expect(HOST_PRINCIPALS).toBe(SCENARIO_HOST_PRINCIPALS);
    expect(OTP_ROLE).toBe(SCENARIO_OTP_ROLE);
  });

  it('creates exactly the scenario’s mounts, roles, policies and users', () => {
    for (const env of SCENARIO_ENVIRONMENTS) {
      const mount = scenarioMount(env);
      expect(byId.get(mount)).toMatchObject({ path: mount, ...SCENARIO_MOUNT });
      for (const [name, spec] of Object.entries(SCENARIO_ROLES)) {
        const { address, token, mount: m, name: n, ...inputs } = byId.get(`${mount}/roles/${name}`)!;
        expect([address, token, m, n]).toEqual(['http://127.0.0.1:1', 't', mount, name]);
        expect(inputs).toEqual(spec);
        expect(byId.get(scenarioRolePolicy(env, name))?.policy).toContain(`"${mount}/sign/${name}"`);
      }
    }
    expect(byId.get(`${scenarioMount(SCENARIO_OTP_ROLE.env)}/roles/${SCENARIO_OTP_ROLE.name}`)).toMatchObject(
      SCENARIO_OTP_ROLE.spec,
    );
    expect(byId.get(SCENARIO_OTP_POLICY)?.policy).toContain(`"ssh-dev/creds/otp"`);
    for (const [name, { environments, roles }] of Object.entries(SCENARIO_POLICIES)) {
      const paths = environments.flatMap((e) => roles.map((r) => `path "${scenarioMount(e)}/sign/${r}"`));
      expect([...String(byId.get(name)?.policy).matchAll(/path "[^"]+"/g)].map((m) => m[0])).toEqual(paths);
    }
    for (const [user, { policies, otpPolicies = [], tokenTtl }] of Object.entries(SCENARIO_USERS)) {
      expect(byId.get(`auth/userpass/users/${user}`)).toMatchObject({
        username: user,
        tokenPolicies: [...policies, ...otpPolicies],
        tokenTtl,
      });
    }
    expect(resources.filter((r) => r.label.startsWith('UserpassUser ')).map((r) => r.id)).toEqual(
      Object.keys(SCENARIO_USERS).map((u) => `auth/userpass/users/${u}`),
    );
  });
});

describe('examples/roles.json', () => {
  const parsed = parseRoleFile(read('examples/roles.json'), 'examples/roles.json');

  it('holds the scenario’s roles, field for field as Vault stores them', () => {
    expect([...parsed.roles.keys()]).toEqual(Object.keys(SCENARIO_ROLES));
    for (const [name, spec] of Object.entries(SCENARIO_ROLES))
      expect({ name, ...roleToWire(parsed.roles.get(name)!) }).toEqual({ name, ...stored(spec) });
    expect(parsed.warnings).toEqual([]);
  });

  it('holds the scenario’s mount TTLs', () => {
    expect(parsed.mount).toEqual({
      defaultLeaseTtl: parseDurationSeconds(SCENARIO_MOUNT.defaultLeaseTtl),
      maxLeaseTtl: parseDurationSeconds(SCENARIO_MOUNT.maxLeaseTtl),
    });
  });
});

describe('the examples', () => {
  // They run in test/providers/program.test.ts and test/modules/cli-synth.test.ts; here: they state
  // no role, principal or user of their own.
  it.each([
    [
      'examples/pulumi-dev-prod/index.ts',
      [
        'SCENARIO_ROLES',
        'SCENARIO_HOST_PRINCIPALS[env]',
        'SCENARIO_USERS',
        '...SCENARIO_JWT_AUTH,',
        'ciLogin: { ...SCENARIO_CI_LOGIN.spec, authMount: jwt.path }',
        'deliveryPlatform: { ...SCENARIO_DELIVERY.spec, authMount: approle.path }',
      ],
    ],
    [
      'examples/cdktf-dev-prod/main.ts',
      [
        'SCENARIO_ROLES',
        'SCENARIO_HOST_PRINCIPALS[environment]',
        "new JwtAuthBackend(this, 'jwt', SCENARIO_JWT_AUTH)",
        'ciLogin: { ...SCENARIO_CI_LOGIN.spec, authMount: ci.path }',
        'deliveryPlatform: { ...SCENARIO_DELIVERY.spec, authMount: delivery.path }',
      ],
    ],
  ])('%s takes the scenario from vault-ssh-ca/scenario', (path, uses) => {
    const source = read(path);
    expect(source).toMatch(/from 'vault-ssh-ca\/scenario';/);
    for (const use of uses) expect(source).toContain(use);
    expect(source).not.toMatch(/allowedUsers|defaultUser|maxTtl|ttl:|tokenTtl:|hostPrincipals: \{|'ssh-(dev|prod)'/);
    expect(source).not.toMatch(/boundClaims|boundAudiences|userClaim|gitlab\.example\.com/);
  });
});

describe('the CI login (issue 18)', () => {
  it('admits GitLab jobs of infra/deploy on the branch main, for Vault’s audience, by their project', () => {
    expect(SCENARIO_JWT_AUTH).toEqual({
      path: 'jwt',
      description: 'GitLab CI job tokens',
      jwksUrl: 'https://gitlab.example.com/oauth/discovery/keys',
      boundIssuer: 'https://gitlab.example.com',
    });
    expect(SCENARIO_CI_LOGIN).toEqual({
      env: 'dev',
      spec: {
        authMount: 'jwt',
        role: 'dev-ci',
        signingRole: 'automation',
        boundAudiences: ['https://vault.example.com'],
        boundClaims: { project_path: 'infra/deploy', ref: 'main', ref_type: 'branch' },
        userClaim: 'project_path',
        tokenTtl: '15m',
        tokenMaxTtl: '1h',
      },
    });
  });

  it('gives dev-sign-automation, whose role signs the principals dev hosts map to deploy', () => {
    const { env, spec } = SCENARIO_CI_LOGIN;
    expect(validateCiLoginSpec(env, spec, Object.keys(SCENARIO_ROLES))).toEqual([]);
    expect(ciLoginJwtRole(env, spec).tokenPolicies).toEqual([scenarioRolePolicy(env, 'automation')]);
    expect(scenarioRolePolicy(env, 'automation')).toBe('dev-sign-automation');
    expect(SCENARIO_HOST_PRINCIPALS[env].deploy).toEqual(
      expect.arrayContaining([...SCENARIO_ROLES.automation.allowedUsers!]),
    );
    // Its tokens live no longer than the automation certificates they sign for.
    expect(parseDurationSeconds(spec.tokenTtl!)).toBeLessThanOrEqual(
      parseDurationSeconds(SCENARIO_ROLES.automation.ttl!),
    );
  });
});

describe('the delivery platform (issue 24)', () => {
  it('is an AppRole role on dev only: one-use secret IDs for 10 minutes, dev-sign-automation for 15 minutes', () => {
    expect(SCENARIO_APPROLE_AUTH).toEqual({ path: 'approle', description: 'Delivery platform (deploy automation)' });
    expect(SCENARIO_DELIVERY).toEqual({
      env: 'dev',
      spec: {
        authMount: 'approle',
        role: 'dev-delivery',
        signingRole: 'automation',
        secretIdNumUses: 1,
        secretIdTtl: '10m',
        tokenTtl: '15m',
        tokenMaxTtl: '1h',
      },
    });
    const { env, spec } = SCENARIO_DELIVERY;
    expect(validateDeliveryPlatformSpec(env, spec, Object.keys(SCENARIO_ROLES))).toEqual([]);
    expect(deliveryPlatformAppRole(env, spec).tokenPolicies).toEqual([scenarioRolePolicy(env, 'automation')]);
    // Its tokens live no longer than the automation certificates they sign for.
    expect(parseDurationSeconds(spec.tokenTtl!)).toBeLessThanOrEqual(
      parseDurationSeconds(SCENARIO_ROLES.automation.ttl!),
    );
  });
});

describe('the README', () => {
  /** The rows of the table in the "## Roles" section: role → its cells. */
  function roleTable(): Map<string, string[]> {
    const readme = read('README.md');
    const section = readme.slice(
      readme.indexOf('\n## Roles\n'),
      readme.indexOf('\n## ', readme.indexOf('\n## Roles\n') + 1),
    );
    const rows = section
      .split('\n')
      .filter((l) => l.startsWith('| `'))
      .map((l) =>
        l
          .split('|')
          .slice(1, -1)
          .map((c) => c.trim()),
      );
    return new Map(rows.map(([role, ...cells]) => [role!.replaceAll('`', ''), cells]));
  }

  const KEYS: Record<string, string> = { ed25519: 'ed25519', 'ecdsa-sha2-nistp256': 'ecdsa-p256' };
  /** What the table says of a role spec. */
  const describeRole = (spec: RoleSpec): string[] => {
    const users = (spec.allowedUsers ?? []).map((u) => `\`${u}\``).join(', ');
    const defaults = Object.keys(spec.defaultExtensions ?? {});
    const keys = Object.entries(spec.allowedUserKeyLengths ?? {}).map(([type, bits]) =>
      type === 'rsa' ? `RSA ${bits.join('/')}` : KEYS[type]!,
    );
    return [
      spec.defaultUser ? `${users} (default \`${spec.defaultUser}\`)` : users,
      `${spec.ttl} (${spec.maxTtl})`,
      defaults.length ? defaults.map((e) => `\`${e}\``).join(', ') : 'none (no pty)',
      keys.join(', '),
    ];
  };

  it('lists the scenario’s roles in its "Roles" table', () => {
    const table = roleTable();
    expect([...table.keys()]).toEqual(Object.keys(SCENARIO_ROLES));
    for (const [name, spec] of Object.entries(SCENARIO_ROLES))
      expect([name, ...table.get(name)!]).toEqual([name, ...describeRole(spec)]);
  });
});

describe('the TypeScript that imports the scenario', () => {
  it.each([
    ['bench/synth.ts', '../core/scenario.js', ['roles: SCENARIO_ROLES', 'SCENARIO_HOST_PRINCIPALS[env]']],
    [
      'test/ansible/e2e.test.ts',
      '../../core/scenario.js',
      ['SCENARIO_ROLES.developer', 'SCENARIO_ROLES.automation', 'SCENARIO_HOST_PRINCIPALS[e]'],
    ],
  ])('%s takes roles and principals from core/scenario.ts', (path, from, uses) => {
    const source = read(path);
    expect(source).toContain(`} from '${from}';`);
    for (const use of uses) expect(source).toContain(use);
    // No role or principal of its own: no wire role, no literal user list, no scenario user as a string.
    expect(source).not.toMatch(
      /allowed_users|allowedUsers: \[['"]|ttl: '|['"`](ansible|jenkins|gitlab-runner|ec2-user)['"`]/,
    );
  });
});

/** A YAML file of the repository. */
const yamlOf = (path: string) => parseYaml(read(path)) as Record<string, any>;

/** The fenced blocks of `lang` in a markdown file, in order. */
const fenced = (path: string, lang: string): string[] =>
  [...read(path).matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1]!);

/** `--principals ACCOUNT=P1,P2` items of a command line → account → principals, as sshca render reads them. */
const principalsFlags = (command: string): Record<string, string[]> => {
  const out: Record<string, string[]> = {};
  for (const [, account, list] of command.matchAll(/--principals (\S+?)=(\S+)/g))
    out[account!] = [...(out[account!] ?? []), ...list!.split(',')];
  return out;
};

/** The accounts of an environment's hosts that only CI's automation certificates open. */
const automationAccounts = (env: ScenarioEnvironment) =>
  Object.entries(SCENARIO_HOST_PRINCIPALS[env])
    .filter(([, principals]) => principals.every((p) => SCENARIO_ROLES.automation.allowedUsers!.includes(p)))
    .map(([account]) => account);

describe('the Ansible example inventory (ansible/inventories/example)', () => {
  const inventory = 'ansible/inventories/example';

  it('has a group per environment, and its OTP hosts are hosts of the OTP role’s environment', () => {
    const groups = yamlOf(`${inventory}/hosts.yml`).all.children;
    expect(Object.keys(groups)).toEqual([...SCENARIO_ENVIRONMENTS, 'otp']);
    for (const h of Object.keys(groups.otp.hosts))
      expect(Object.keys(groups[SCENARIO_OTP_ROLE.env].hosts)).toContain(h);
    expect(yamlOf(`${inventory}/hosts.yml`).all.vars).toBeUndefined();
  });

  it.each(SCENARIO_ENVIRONMENTS)('group_vars/%s.yml trusts its mount and maps the scenario’s principals', (env) => {
    const vars = yamlOf(`${inventory}/group_vars/${env}.yml`);
    expect(vars.ssh_ca_trust_environment).toBe(env);
    expect(vars.ssh_ca_trust_mount).toBe(scenarioMount(env));
    expect(vars.ssh_ca_trust_principals).toEqual(SCENARIO_HOST_PRINCIPALS[env]);
    // Ansible connects as CI does where CI may (deploy on dev), and names no account elsewhere.
    expect(vars.ansible_user).toBe(automationAccounts(env)[0]);
  });

  it('group_vars/otp.yml accepts the scenario’s OTP role on its mount', () => {
    const vars = yamlOf(`${inventory}/group_vars/otp.yml`);
    expect(vars.ssh_otp_helper_mount).toBe(scenarioMount(SCENARIO_OTP_ROLE.env));
    expect(vars.ssh_otp_helper_allowed_roles).toEqual([SCENARIO_OTP_ROLE.name]);
  });
});

describe('the Ansible roles’ READMEs', () => {
  const trust = 'ansible/roles/ssh_ca_trust/README.md';
  const otp = 'ansible/roles/ssh_otp_helper/README.md';

  it('ssh_ca_trust: the group_vars example and its sshca render command map dev’s accounts', () => {
    const [example] = fenced(trust, 'yaml');
    const vars = parseYaml(example!) as Record<string, any>;
    expect(vars.ssh_ca_trust_environment).toBe('dev');
    expect(vars.ssh_ca_trust_mount).toBe(scenarioMount('dev'));
    expect(vars.ssh_ca_trust_principals).toEqual(SCENARIO_HOST_PRINCIPALS.dev);
    const render = fenced(trust, 'sh').find((b) => b.startsWith('sshca render'))!;
    expect(render).toContain(`--mount ${scenarioMount('dev')} `);
    expect(principalsFlags(render.replaceAll('\\\n', ' '))).toEqual(SCENARIO_HOST_PRINCIPALS.dev);
  });

  it('ssh_ca_trust: Ansible’s own certificate is CI’s, on the environment where CI has an account', () => {
    const block = fenced(trust, 'sh').find((b) => b.includes('/sign/'))!;
    const [, mount, role, principal] = block.match(/ (\S+)\/sign\/(\S+) .*valid_principals=(\S+)/)!;
    const [, limit] = block.match(/--limit (\S+)/)!;
    const [, user] = block.match(/ -u (\S+)/)!;
    expect([mount, role]).toEqual([scenarioMount(limit as ScenarioEnvironment), 'automation']);
    expect(SCENARIO_ROLES.automation.allowedUsers).toContain(principal);
    expect(automationAccounts(limit as ScenarioEnvironment)).toEqual([user]);
    expect(SCENARIO_HOST_PRINCIPALS[limit as ScenarioEnvironment][user!]).toContain(principal);
  });

  it('ssh_otp_helper: the example accepts the scenario’s OTP role', () => {
    const vars = parseYaml(fenced(otp, 'yaml')[0]!) as Record<string, any>;
    expect(vars.ssh_otp_helper_mount).toBe(scenarioMount(SCENARIO_OTP_ROLE.env));
    expect(vars.ssh_otp_helper_allowed_roles).toEqual([SCENARIO_OTP_ROLE.name]);
    expect([...read(otp).matchAll(/vault write (\S+)\/creds\/(\S+) /g)].map((m) => [m[1], m[2]])).toEqual([
      [scenarioMount(SCENARIO_OTP_ROLE.env), SCENARIO_OTP_ROLE.name],
    ]);
  });
});

describe('the examples’ READMEs and the package READMEs', () => {
  /** The backquoted names listed after `word` ("the roles `a`, `b` and `c`"); parentheses are skipped. */
  function listAfter(path: string, word: string): string[] {
    const text = read(path).replace(/\s+/g, ' ');
    const start = word.endsWith('(') ? `${word}\`` : `${word} \``;
    const at = text.indexOf(start);
    expect(at, `${path} lists ${word}`).toBeGreaterThanOrEqual(0);
    const names: string[] = [];
    const item = /^`([^`]+)`( \([^)]*\))?(, (?=`)| and (?=`))?/;
    for (let rest = text.slice(at + start.length - 1); ;) {
      const m = rest.match(item);
      names.push(m![1]!);
      if (!m![3]) return names;
      rest = rest.slice(m![0].length);
    }
  }

  const roles = Object.keys(SCENARIO_ROLES);

  it.each([
    ['examples/pulumi-dev-prod/README.md', 'the roles'],
    ['examples/cdktf-dev-prod/README.md', 'roles'],
    ['providers/README.md', 'the roles'],
  ])('%s names the scenario’s roles', (path, word) => {
    expect(listAfter(path, word)).toEqual(roles);
  });

  it('examples/pulumi-dev-prod/README.md names its environments, mounts, policies and users', () => {
    const path = 'examples/pulumi-dev-prod/README.md';
    expect(listAfter(path, 'environments')).toEqual(SCENARIO_ENVIRONMENTS);
    expect(listAfter(path, 'SSH mount (')).toEqual(SCENARIO_ENVIRONMENTS.map(scenarioMount));
    expect(listAfter(path, 'the policies')).toEqual(Object.keys(SCENARIO_POLICIES));
    expect(listAfter(path, 'userpass users')).toEqual(Object.keys(SCENARIO_USERS));
  });

  it('examples/cdktf-dev-prod/README.md names its stacks', () => {
    expect(listAfter('examples/cdktf-dev-prod/README.md', 'Stacks')).toEqual(SCENARIO_ENVIRONMENTS);
  });

  // The quick-start snippets show one dev role and one account: an excerpt of the scenario, not
  // values of their own.
  it.each(['providers/README.md', 'modules/README.md'])('%s’s snippet is an excerpt of dev in the scenario', (path) => {
    const text = read(path);
    const literal = (key: string) =>
      new Function(`return (${text.match(new RegExp(`\\n\\s+${key}: (\\{.*\\}),?\\n`))![1]})`)() as Record<string, any>;
    expect(text).toMatch(/environment: 'dev',\n\s+roles: \{\n\s+developer: \{/);
    const { allowedUsers, ...developer } = literal('developer') as RoleSpec;
    expect(developer).toEqual(
      Object.fromEntries(Object.keys(developer).map((k) => [k, SCENARIO_ROLES.developer[k as keyof RoleSpec]])),
    );
    for (const user of allowedUsers!) expect(SCENARIO_ROLES.developer.allowedUsers).toContain(user);
    for (const [account, principals] of Object.entries(literal('hostPrincipals')))
      expect(SCENARIO_HOST_PRINCIPALS.dev[account]).toEqual(principals);
  });
});
