// Parameter constraints and wrapping TTL bounds of the ACL (issue 14): Vault's TestACL_PolicyMerge
// table on the merged permissions, TestACL_AllowOperation with its wrapping rows, the matching
// helpers (globs, comma lists), and the decision object the server and response wrapping use.

import { describe, expect, it } from 'vitest';
import { compileAcl } from '../../../core/acl/acl.js';
import { checkParameters, globbedStringsMatch, parseCommaStringSlice } from '../../../core/acl/parameters.js';
import { mergePermissions, type Permissions, type PolicyValue } from '../../../core/acl/permissions.js';
import { parsePolicy } from '../../../core/acl/policy-document.js';

/** The merged permissions of each pattern, as NewACL builds them. */
function merged(text: string): Map<string, Permissions> {
  const out = new Map<string, Permissions>();
  for (const rule of parsePolicy('p', text).rules) out.set(rule.pattern, mergePermissions(out.get(rule.pattern), rule));
  return out;
}

/** A parameter map in Go's `%v`-like shorthand: ints as numbers, strings as strings. */
const plain = (m: ReadonlyMap<string, readonly PolicyValue[]> | undefined) =>
  m && Object.fromEntries([...m].map(([k, vs]) => [k, vs.map((v) => (v.type === 'int' ? Number(v.value) : v.value))]));

// vault/acl_test.go `mergingPolicies`, verbatim.
const MERGING = `
name = "ops"
path "foo/bar" {
	policy = "write"
	denied_parameters = {
		"baz" = []
	}
	required_parameters = ["baz"]
}
path "foo/bar" {
	policy = "write"
	denied_parameters = {
		"zip" = []
	}
}
path "hello/universe" {
	policy = "write"
	allowed_parameters = {
		"foo" = []
	}
	required_parameters = ["foo"]
	max_wrapping_ttl = 300
	min_wrapping_ttl = 100
}
path "hello/universe" {
	policy = "write"
	allowed_parameters = {
		"bar" = []
	}
	required_parameters = ["bar"]
	max_wrapping_ttl = 200
	min_wrapping_ttl = 50
}
path "allow/all" {
	policy = "write"
	allowed_parameters = {
		"test" = []
		"test1" = ["foo"]
	}
}
path "allow/all" {
	policy = "write"
	allowed_parameters = {
		"*" = []
	}
}
path "allow/all1" {
	policy = "write"
	allowed_parameters = {
		"*" = []
	}
}
path "allow/all1" {
	policy = "write"
	allowed_parameters = {
		"test" = []
		"test1" = ["foo"]
	}
}
path "deny/all" {
	policy = "write"
	denied_parameters = {
		"test" = []
	}
}
path "deny/all" {
	policy = "write"
	denied_parameters = {
		"*" = []
	}
}
path "deny/all1" {
	policy = "write"
	denied_parameters = {
		"*" = []
	}
}
path "deny/all1" {
	policy = "write"
	denied_parameters = {
		"test" = []
	}
}
path "value/merge" {
	policy = "write"
	allowed_parameters = {
		"test" = [1, 2]
	}
	denied_parameters = {
		"test" = [1, 2]
	}
}
path "value/merge" {
	policy = "write"
	allowed_parameters = {
		"test" = [3, 4]
	}
	denied_parameters = {
		"test" = [3, 4]
	}
}
path "value/empty" {
	policy = "write"
	allowed_parameters = {
		"empty" = []
	}
	denied_parameters = {
		"empty" = [1]
	}
}
path "value/empty" {
	policy = "write"
	allowed_parameters = {
		"empty" = [1]
	}
	denied_parameters = {
		"empty" = []
	}
}
`;

describe('mergePermissions: TestACL_PolicyMerge', () => {
  const perms = merged(MERGING);
  const cases: Array<
    [string, number | undefined, number | undefined, object | undefined, object | undefined, string[]]
  > = [
    ['foo/bar', undefined, undefined, undefined, { zip: [], baz: [] }, ['baz']],
    ['hello/universe', 50, 200, { foo: [], bar: [] }, undefined, ['foo', 'bar']],
    ['allow/all', undefined, undefined, { '*': [], test: [], test1: ['foo'] }, undefined, []],
    ['allow/all1', undefined, undefined, { '*': [], test: [], test1: ['foo'] }, undefined, []],
    ['deny/all', undefined, undefined, undefined, { '*': [], test: [] }, []],
    ['deny/all1', undefined, undefined, undefined, { '*': [], test: [] }, []],
    ['value/merge', undefined, undefined, { test: [3, 4, 1, 2] }, { test: [3, 4, 1, 2] }, []],
    ['value/empty', undefined, undefined, { empty: [] }, { empty: [] }, []],
  ];
  it.each(cases)('%s', (path, min, max, allowed, denied, required) => {
    const p = perms.get(path)!;
    expect(plain(p.allowedParameters)).toEqual(allowed);
    expect(plain(p.deniedParameters)).toEqual(denied);
    expect(p.requiredParameters).toEqual(required);
    if (min !== undefined) expect([p.minWrappingTtl, p.maxWrappingTtl]).toEqual([min, max]);
  });

  it('keeps a held deny and lets a later deny clear the parameters', () => {
    const p = merged(`
path "a" { capabilities = ["deny"] }
path "a" { capabilities = ["read"] allowed_parameters = { "x" = [] } }
path "b" { capabilities = ["read"] allowed_parameters = { "x" = [] } }
path "b" { capabilities = ["deny"] }`);
    expect([...p.get('a')!.capabilities]).toEqual(['deny']);
    expect(p.get('a')!.allowedParameters).toBeUndefined();
    expect([...p.get('b')!.capabilities]).toEqual(['deny']);
    expect(p.get('b')!.allowedParameters).toBeUndefined();
  });

  it('merges across policies of one token the same way, and only the same pattern', () => {
    const acl = compileAcl([
      parsePolicy(
        'a',
        'path "ssh/sign/*" { capabilities = ["update"] allowed_parameters = { "valid_principals" = ["ubuntu"] "public_key" = [] } }',
      ),
      parsePolicy(
        'b',
        'path "ssh/sign/*" { capabilities = ["update"] allowed_parameters = { "valid_principals" = ["deploy"] } }',
      ),
      parsePolicy('c', 'path "ssh/sign/x*" { capabilities = ["update"] }'),
    ]);
    const sign = (role: string, principals: string) =>
      acl.decide(`ssh/sign/${role}`, 'update', { public_key: 'k', valid_principals: principals }).allowed;
    expect([sign('dev', 'ubuntu'), sign('dev', 'deploy'), sign('dev', 'ubuntu,deploy'), sign('dev', 'root')]).toEqual([
      true,
      true,
      true,
      false,
    ]);
    // `ssh/sign/x*` is the longer prefix: it alone decides, without constraints.
    expect(sign('xray', 'root')).toBe(true);
  });
});

// vault/acl_test.go `permissionsPolicy`: the rows with wrapping TTLs (the HTTP test has the rest).
const PERMISSIONS = `
path "dev/*" { policy = "write" allowed_parameters = { "zip" = [] } }
path "foo/bar" { policy = "write" denied_parameters = { "zap" = [] } min_wrapping_ttl = 300 max_wrapping_ttl = 400 }
path "foo/baz" { policy = "write" allowed_parameters = { "hello" = [] } denied_parameters = { "zap" = [] } min_wrapping_ttl = 300 }
path "working/phone" { policy = "write" max_wrapping_ttl = 400 }
`;

describe('decide: TestACL_AllowOperation with wrapping TTLs', () => {
  const acl = compileAcl([parsePolicy('dev', PERMISSIONS)]);
  const cases: Array<[string, number | undefined, string, boolean]> = [
    ['dev/ops', undefined, 'zip', true],
    ['foo/bar', undefined, 'zap', false],
    ['foo/bar', undefined, 'zip', false],
    ['foo/bar', 50, 'zip', false],
    ['foo/bar', 450, 'zip', false],
    ['foo/bar', 350, 'zip', true],
    ['foo/baz', undefined, 'hello', false],
    ['foo/baz', 50, 'hello', false],
    ['foo/baz', 450, 'hello', true],
    ['foo/baz', undefined, 'zap', false],
    ['working/phone', undefined, '', false],
    ['working/phone', 450, '', false],
    ['working/phone', 350, '', true],
  ];
  it.each(cases)('%s wrapped %s with %j → %s (create and update)', (path, wrapTtl, param, allowed) => {
    for (const op of ['update', 'create'] as const) {
      expect(acl.decide(path, op, { [param]: '' }, wrapTtl === undefined ? {} : { wrapTtl }).allowed).toBe(allowed);
    }
  });

  it('reports the winning rule, its bounds and why it refuses', () => {
    expect(acl.decide('foo/bar', 'update', {}, {})).toEqual({
      allowed: false,
      refusal: 'wrapping-ttl',
      root: false,
      capabilities: new Set(['create', 'read', 'update', 'delete', 'list']),
      sudo: false,
      minWrappingTtl: 300,
      maxWrappingTtl: 400,
    });
    expect(acl.decide('foo/bar', 'update', {}, { wrapTtl: 300 })).toMatchObject({ allowed: true, refusal: undefined });
    expect(acl.decide('dev/x', 'update', { zap: 1 }).refusal).toBe('allowed-parameters');
    expect(acl.decide('nowhere', 'read').refusal).toBe('no-rule');
    expect(acl.decide('dev/x', 'patch').refusal).toBe('capability');
    expect(acl.decide('dev/x', 'update', {}, { sudo: true }).refusal).toBe('sudo');
    // Lists and deletes carry no checked parameters, reads do (current Vault).
    expect(acl.decide('dev/x', 'list', { zap: '1' }).allowed).toBe(true);
    expect(acl.decide('dev/x', 'delete', { zap: '1' }).allowed).toBe(true);
    expect(acl.decide('dev/x', 'read', { zap: '1' }).refusal).toBe('allowed-parameters');
  });

  it('allows everything to root, with no bounds', () => {
    const root = compileAcl([], { root: true });
    expect(root.decide('foo/bar', 'update', { zap: '' })).toMatchObject({
      allowed: true,
      root: true,
      sudo: true,
      minWrappingTtl: 0,
      maxWrappingTtl: 0,
    });
  });

  it('refuses bounds that cross after merging (max below min)', () => {
    const crossed = compileAcl([
      parsePolicy('a', 'path "x" { capabilities = ["update"] min_wrapping_ttl = 300 }'),
      parsePolicy('b', 'path "x" { capabilities = ["update"] max_wrapping_ttl = 100 }'),
    ]);
    expect(crossed.decide('x', 'update', {}, { wrapTtl: 200 }).refusal).toBe('wrapping-ttl');
  });
});

describe('matching values', () => {
  it("globs as strutil.GlobbedStringsMatch: '*' only as the first and/or last character", () => {
    const cases: Array<[string, string, boolean]> = [
      ['*', '*', true],
      ['*', 'anything', false],
      ['bad*', 'bad glob', true],
      ['*good3', 'glob good3', true],
      ['*good3', 'glob good2', false],
      ['*oo*', 'foobar', true],
      ['**', 'x', true],
      ['a*b', 'a*b', true],
      ['a*b', 'axb', false],
      ['', '', true],
    ];
    for (const [item, value, match] of cases)
      expect([item, value, globbedStringsMatch(item, value)]).toEqual([item, value, match]);
  });

  it('splits comma lists as parseutil.ParseCommaStringSlice: trimmed, empty entries kept, "" is none', () => {
    expect(parseCommaStringSlice('')).toEqual([]);
    expect(parseCommaStringSlice(' a ,b,,\u00a0c\t')).toEqual(['a', 'b', '', 'c']);
  });

  it('compares by Go type: JSON numbers (json.Number) never equal a listed int, maps and bools by value', () => {
    const [rule] = parsePolicy(
      'p',
      'path "t" { capabilities = ["update"] allowed_parameters = { "i" = [1] "b" = [true] "m" = [{ "k" = "v" }] "l" = [["a", "b"]] } }',
    ).rules;
    const check = (data: Record<string, unknown>) => checkParameters(rule!, data) ?? 'ok';
    expect(check({ i: 1 })).toBe('allowed-parameters');
    expect(check({ i: '1' })).toBe('allowed-parameters');
    expect(check({ b: true })).toBe('ok');
    expect(check({ b: 'true' })).toBe('allowed-parameters');
    expect(check({ m: { k: 'v' } })).toBe('ok');
    expect(check({ m: { k: 'v', x: 'y' } })).toBe('allowed-parameters');
    expect(check({ l: ['a', 'b'] })).toBe('ok'); // equal to the listed array as a whole
    expect(check({ l: ['b', 'a'] })).toBe('allowed-parameters');
    expect(check({ I: true })).toBe('allowed-parameters'); // names are compared lower-cased: `i`, and true is not 1
  });

  it('requires parameters by their lower-cased name, checked before anything else', () => {
    const [rule] = parsePolicy('p', 'path "t" { capabilities = ["update"] required_parameters = ["Foo"] }').rules;
    expect(checkParameters(rule!, {})).toBe('required-parameter');
    expect(checkParameters(rule!, { Foo: 1 })).toBe('required-parameter');
    expect(checkParameters(rule!, { foo: 1 })).toBeUndefined();
  });
});
