// The dev+prod scenario is written once (core/scenario.ts); every place that states it must agree:
// the demo's seed resources, both examples, examples/roles.json and the README's role table. The
// examples are also run (test/providers/program.test.ts, test/modules/cli-synth.test.ts) and their
// created roles checked against the same source.

import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseRoleFile } from '../cli/role-file.js';
import { HOST_PRINCIPALS, OTP_ROLE, ROLES, seedResources } from '../cli/scenario/seed.js';
import { parseDurationSeconds } from '../core/duration.js';
import { parseRoleWrite, roleToWire } from '../core/role.js';
import { roleSpecToWire, type RoleSpec } from '../core/role-spec.js';
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
    ['examples/pulumi-dev-prod/index.ts', ['SCENARIO_ROLES', 'SCENARIO_HOST_PRINCIPALS[env]', 'SCENARIO_USERS']],
    ['examples/cdktf-dev-prod/main.ts', ['SCENARIO_ROLES', 'SCENARIO_HOST_PRINCIPALS[environment]']],
  ])('%s takes the scenario from vault-ssh-ca/scenario', (path, uses) => {
    const source = read(path);
    expect(source).toMatch(/from 'vault-ssh-ca\/scenario';/);
    for (const use of uses) expect(source).toContain(use);
    expect(source).not.toMatch(/allowedUsers|defaultUser|maxTtl|ttl:|tokenTtl:|hostPrincipals: \{|'ssh-(dev|prod)'/);
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
