// Valid principals (reference §3.1, current Vault ≥ 1.18 / 1.17.6): the request or the default user,
// parsed (trim, drop empties, de-duplicate, sort), the default-user fallback, the empty-principal
// refusal, `*`, user exact match, host bare/subdomain rules, and identity templates.

import { describe, expect, it } from 'vitest';
import { resolvePrincipals } from '../../../core/policy/principals.js';
import type { Requester } from '../../../core/policy/requester.js';
import { caRole, caught, type Caught } from '../fixtures.js';

const root: Requester = { displayName: 'root' };
/** A caller with an entity whose templates render from a small table. */
const alice: Requester = {
  displayName: 'userpass-alice',
  renderTemplate: (t) =>
    t
      .replaceAll('{{identity.entity.name}}', 'alice')
      .replaceAll('{{identity.entity.metadata.ssh_username}}', 'alice')
      .replaceAll('{{identity.entity.metadata.logins}}', 'alice,deploy')
      .replace(/\{\{identity\.entity\.metadata\.missing\}\}/, () => {
        throw new Error('no entity metadata "missing"');
      }),
};
const bad = (message: string): Caught => ({ message, name: 'RequestError', status: 400 });

describe('resolvePrincipals: user certificates', () => {
  const role = caRole({ allowed_users: 'ubuntu, admin ,deploy', default_user: 'ubuntu' });

  it.each<[string | undefined, string[]]>([
    // not supplied: the default user
    [undefined, ['ubuntu']],
    // supplied but empty: the default-user fallback still applies
    ['', ['ubuntu']],
    [' , ,', ['ubuntu']],
    // parsed: trimmed, de-duplicated, sorted (request order is not kept)
    ['admin', ['admin']],
    ['ubuntu,admin', ['admin', 'ubuntu']],
    [' deploy , admin,deploy,,ubuntu ', ['admin', 'deploy', 'ubuntu']],
  ])('valid_principals %j → %j', (requested, principals) => {
    expect(resolvePrincipals(role, 'user', requested, root)).toEqual(principals);
  });

  it.each<[string, string]>([
    ['root', 'root is not a valid value for valid_principals'],
    // the first failure in sorted order
    ['ubuntu,zed,bob', 'bob is not a valid value for valid_principals'],
    // exact, case-sensitive
    ['Ubuntu', 'Ubuntu is not a valid value for valid_principals'],
    ['ubuntu,ad min', 'ad min is not a valid value for valid_principals'],
  ])('valid_principals %j is refused', (requested, message) => {
    expect(caught(() => resolvePrincipals(role, 'user', requested, root))).toEqual(bad(message));
  });

  it('does not glob', () => {
    const globby = caRole({ allowed_users: 'dev-*' });
    expect(caught(() => resolvePrincipals(globby, 'user', 'dev-1', root))).toEqual(
      bad('dev-1 is not a valid value for valid_principals'),
    );
    expect(resolvePrincipals(globby, 'user', 'dev-*', root)).toEqual(['dev-*']);
  });

  it('refuses an empty result unless allow_empty_principals (CVE-2024-7594)', () => {
    const noDefault = caRole({ allowed_users: 'ubuntu' });
    for (const requested of [undefined, '', ' , ']) {
      expect(caught(() => resolvePrincipals(noDefault, 'user', requested, root))).toEqual(
        bad('empty valid principals not allowed by role'),
      );
      expect(
        resolvePrincipals(caRole({ allowed_users: 'ubuntu', allow_empty_principals: true }), 'user', requested, root),
      ).toEqual([]);
    }
  });

  it('checks emptiness before the allowed list', () => {
    expect(caught(() => resolvePrincipals(caRole({}), 'user', undefined, root))).toEqual(
      bad('empty valid principals not allowed by role'),
    );
    expect(resolvePrincipals(caRole({ allow_empty_principals: true }), 'user', '', root)).toEqual([]);
  });

  it('refuses every principal when allowed_users is empty', () => {
    expect(caught(() => resolvePrincipals(caRole({}), 'user', 'ubuntu', root))).toEqual(
      bad('role is not configured to allow any principals'),
    );
    expect(caught(() => resolvePrincipals(caRole({ default_user: 'ubuntu' }), 'user', undefined, root))).toEqual(
      bad('role is not configured to allow any principals'),
    );
    expect(caught(() => resolvePrincipals(caRole({ allowed_users: ' , ' }), 'user', 'x', root))).toEqual(
      bad('role is not configured to allow any principals'),
    );
  });

  it('accepts anything when allowed_users is exactly "*"', () => {
    const any = caRole({ allowed_users: '*', default_user: 'ubuntu' });
    expect(resolvePrincipals(any, 'user', 'zed,root,root, alice', root)).toEqual(['alice', 'root', 'zed']);
    expect(resolvePrincipals(any, 'user', undefined, root)).toEqual(['ubuntu']);
    expect(caught(() => resolvePrincipals(caRole({ allowed_users: '*' }), 'user', undefined, root))).toEqual(
      bad('empty valid principals not allowed by role'),
    );
    // " *" is not exactly "*": its parsed list is ["*"], matched literally
    const padded = caRole({ allowed_users: ' *' });
    expect(resolvePrincipals(padded, 'user', '*', root)).toEqual(['*']);
    expect(caught(() => resolvePrincipals(padded, 'user', 'root', root))).toEqual(
      bad('root is not a valid value for valid_principals'),
    );
  });

  it('splits a comma-separated default_user when the request is absent, not in the "" fallback', () => {
    const role2 = caRole({ allowed_users: 'a,b', default_user: 'b,a' });
    expect(resolvePrincipals(role2, 'user', undefined, root)).toEqual(['a', 'b']);
    expect(caught(() => resolvePrincipals(role2, 'user', '', root))).toEqual(
      bad('b,a is not a valid value for valid_principals'),
    );
    expect(resolvePrincipals(caRole({ allowed_users: '*', default_user: 'b,a' }), 'user', '', root)).toEqual(['b,a']);
  });
});

describe('resolvePrincipals: host certificates', () => {
  const hostRole = (flags: Record<string, unknown>) =>
    caRole({
      allow_user_certificates: false,
      allow_host_certificates: true,
      allowed_domains: 'example.com, example.org',
      default_user: 'ubuntu',
      allowed_users: '*',
      ...flags,
    });

  it.each<[Record<string, unknown>, string, string[] | string]>([
    [{ allow_bare_domains: true }, 'example.com', ['example.com']],
    [{ allow_bare_domains: true }, 'a.example.com', 'a.example.com is not a valid value for valid_principals'],
    [{ allow_subdomains: true }, 'a.example.com', ['a.example.com']],
    [{ allow_subdomains: true }, 'a.b.c.example.org', ['a.b.c.example.org']],
    [{ allow_subdomains: true }, 'example.com', 'example.com is not a valid value for valid_principals'],
    [{ allow_subdomains: true }, 'badexample.com', 'badexample.com is not a valid value for valid_principals'],
    [{ allow_subdomains: true }, 'a.example.net', 'a.example.net is not a valid value for valid_principals'],
    [{ allow_subdomains: true }, 'A.EXAMPLE.COM', 'A.EXAMPLE.COM is not a valid value for valid_principals'],
    [
      { allow_bare_domains: true, allow_subdomains: true },
      'x.example.org,example.com,x.example.org',
      ['example.com', 'x.example.org'],
    ],
    [{}, 'example.com', 'example.com is not a valid value for valid_principals'],
    [{}, 'a.example.com', 'a.example.com is not a valid value for valid_principals'],
    [{ allowed_domains: '*' }, 'anything.at.all,10.0.0.1', ['10.0.0.1', 'anything.at.all']],
  ])('%j: %j → %j', (flags, requested, expected) => {
    const role = hostRole(flags);
    if (typeof expected === 'string') {
      expect(caught(() => resolvePrincipals(role, 'host', requested, root))).toEqual(bad(expected));
    } else {
      expect(resolvePrincipals(role, 'host', requested, root)).toEqual(expected);
    }
  });

  it('ignores default_user and allowed_users for host certificates', () => {
    expect(caught(() => resolvePrincipals(hostRole({ allow_bare_domains: true }), 'host', undefined, root))).toEqual(
      bad('empty valid principals not allowed by role'),
    );
    expect(caught(() => resolvePrincipals(hostRole({ allow_bare_domains: true }), 'host', '', root))).toEqual(
      bad('empty valid principals not allowed by role'),
    );
    expect(caught(() => resolvePrincipals(hostRole({ allowed_domains: '' }), 'host', 'example.com', root))).toEqual(
      bad('role is not configured to allow any principals'),
    );
    expect(resolvePrincipals(hostRole({ allow_empty_principals: true }), 'host', undefined, root)).toEqual([]);
  });
});

describe('resolvePrincipals: identity templates', () => {
  const TPL = '{{identity.entity.metadata.ssh_username}}';

  it('leaves templates literal for a caller without an entity', () => {
    const role = caRole({
      allowed_users: TPL,
      allowed_users_template: true,
      default_user: TPL,
      default_user_template: true,
    });
    expect(resolvePrincipals(role, 'user', undefined, root)).toEqual([TPL]);
    expect(caught(() => resolvePrincipals(role, 'user', 'alice', root))).toEqual(
      bad('alice is not a valid value for valid_principals'),
    );
  });

  it('renders allowed_users and default_user for a caller with an entity', () => {
    const role = caRole({
      allowed_users: `ssh-${'{{identity.entity.name}}'},static`,
      allowed_users_template: true,
      default_user: 'ssh-{{identity.entity.name}}',
      default_user_template: true,
    });
    expect(resolvePrincipals(role, 'user', undefined, alice)).toEqual(['ssh-alice']);
    expect(resolvePrincipals(role, 'user', 'static,ssh-alice', alice)).toEqual(['ssh-alice', 'static']);
  });

  it('renders the whole allowed string before splitting, so a rendered comma list allows several', () => {
    const role = caRole({ allowed_users: '{{identity.entity.metadata.logins}}', allowed_users_template: true });
    expect(resolvePrincipals(role, 'user', 'deploy,alice', alice)).toEqual(['alice', 'deploy']);
  });

  it('checks a literal default user against a rendered list when only allowed_users_template is set', () => {
    const role = caRole({ allowed_users: TPL, allowed_users_template: true, default_user: TPL });
    expect(caught(() => resolvePrincipals(role, 'user', undefined, alice))).toEqual(
      bad(`${TPL} is not a valid value for valid_principals`),
    );
  });

  it('uses template text literally when both template flags are off', () => {
    const role = caRole({ allowed_users: TPL, default_user: TPL });
    expect(resolvePrincipals(role, 'user', undefined, alice)).toEqual([TPL]);
  });

  it('renders allowed_domains for host certificates', () => {
    const role = caRole({
      allow_host_certificates: true,
      allowed_domains: '{{identity.entity.name}}.example.com',
      allowed_domains_template: true,
      allow_bare_domains: true,
    });
    expect(resolvePrincipals(role, 'host', 'alice.example.com', alice)).toEqual(['alice.example.com']);
  });

  it('answers a failed allowed-list template with a 400 and a failed default_user template with a 500', () => {
    const missing = '{{identity.entity.metadata.missing}}';
    expect(
      caught(() =>
        resolvePrincipals(caRole({ allowed_users: missing, allowed_users_template: true }), 'user', 'x', alice),
      ),
    ).toEqual(bad(`template '${missing}' could not be rendered -> no entity metadata "missing"`));
    expect(
      caught(() =>
        resolvePrincipals(
          caRole({ allowed_users: '*', default_user: missing, default_user_template: true }),
          'user',
          undefined,
          alice,
        ),
      ),
    ).toEqual({
      message: `template '${missing}' could not be rendered -> no entity metadata "missing"`,
      name: 'InternalError',
      status: 500,
    });
  });
});
