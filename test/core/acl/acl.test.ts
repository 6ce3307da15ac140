// Access decisions as Vault's ACL makes them (vault/acl.go): exact rules first, lists also without
// their trailing slash, otherwise one winner among the matching globs and `+` patterns by Vault's
// priority order; capabilities joined only for the same pattern; deny; root; sudo.

import { describe, expect, it } from 'vitest';
import { compileAcl, type Acl } from '../../../core/acl/acl.js';
import { DEFAULT_POLICY_TEXT } from '../../../core/acl/builtin-policies.js';
import { parsePolicy } from '../../../core/acl/policy-document.js';

const acl = (...texts: string[]): Acl => compileAcl(texts.map((t, i) => parsePolicy(`p${i}`, t)));
const caps = (a: Acl, path: string, list = true): string[] => [...a.capabilities(path, list)].sort();

describe('compileAcl: the seed workflow', () => {
  const signer = acl('path "ssh/sign/user-role" { capabilities = ["create", "update"] }');

  it.each([
    ['ssh/sign/user-role', 'update', true],
    ['ssh/sign/user-role', 'create', true],
    ['/ssh/sign/user-role', 'update', true],
    ['ssh/sign/user-role', 'read', false],
    ['ssh/sign/user-role', 'delete', false],
    ['ssh/sign/emergency', 'update', false],
    ['ssh/sign/user-role/extra', 'update', false],
    ['ssh/sign/user-rol', 'update', false],
    ['ssh/roles/x', 'update', false],
    ['ssh/roles/user-role', 'read', false],
    ['sys/mounts', 'read', false],
    ['sys/mounts/ssh', 'update', false],
  ] as const)('%s %s → %s', (path, operation, allowed) => {
    expect(signer.allows(path, operation)).toBe(allowed);
  });

  it('gives the ssh/* admin policy the whole mount and nothing else', () => {
    const admin = acl('path "ssh/*" { capabilities = ["create", "read", "update", "delete", "list"] }');
    expect(caps(admin, 'ssh/roles/dev')).toEqual(['create', 'delete', 'list', 'read', 'update']);
    expect(caps(admin, 'ssh/config/ca')).toEqual(['create', 'delete', 'list', 'read', 'update']);
    expect(admin.allows('ssh/roles/', 'list')).toBe(true);
    expect(admin.allows('ssh/', 'list')).toBe(true);
    expect(admin.allows('ssh', 'read')).toBe(false);
    expect(admin.allows('ssh-prod/roles/dev', 'read')).toBe(false);
    expect(admin.allows('ssh/roles/dev', 'patch')).toBe(false);
    expect(admin.allows('ssh/roles/dev', 'sudo')).toBe(false);
    expect(caps(admin, 'sys/policies/acl/x')).toEqual([]);
  });
});

describe('compileAcl: + segments', () => {
  const a = acl(
    'path "ssh/+/dev" { capabilities = ["update"] }',
    'path "+/sign/prod" { capabilities = ["read"] }',
    'path "team/+/ssh/sign/*" { capabilities = ["list"] }',
    'path "+" { capabilities = ["patch"] }',
  );

  it.each([
    ['ssh/sign/dev', ['update']],
    ['ssh/issue/dev', ['update']],
    ['ssh//dev', ['update']],
    ['ssh/sign/prod', ['read']],
    ['ssh-eu/sign/prod', ['read']],
    ['ssh/a/b/dev', []],
    ['ssh/dev', []],
    ['team/blue/ssh/sign/x', ['list']],
    ['team/blue/ssh/sign/x/y', ['list']],
    ['team/blue/green/ssh/sign/x', []],
    ['team/ssh/sign/x', []],
    ['anything', ['patch']],
    ['', ['patch']],
    ['two/segments', []],
  ])('%j → %j', (path, expected) => {
    expect(caps(a, path)).toEqual(expected);
  });

  it('treats a + that is not a whole segment as a literal character', () => {
    const literal = acl('path "ssh/+dev" { capabilities = ["read"] }');
    expect(caps(literal, 'ssh/+dev')).toEqual(['read']);
    expect(caps(literal, 'ssh/xdev')).toEqual([]);
  });
});

describe('compileAcl: which rule wins', () => {
  it('lets an exact rule win over any glob, even a broader grant', () => {
    const a = acl(
      'path "secret/*" { capabilities = ["read", "update"] }',
      'path "secret/foo" { capabilities = ["read"] }',
    );
    expect(caps(a, 'secret/foo')).toEqual(['read']);
    expect(caps(a, 'secret/bar')).toEqual(['read', 'update']);
  });

  it("ranks secret/*, secret/foo* and secret/+/bar as Vault's documentation does", () => {
    const a = acl(
      'path "secret/*" { capabilities = ["read"] }',
      'path "secret/foo*" { capabilities = ["update"] }',
      'path "secret/+/bar" { capabilities = ["delete"] }',
      'path "secret/+/*" { capabilities = ["list"] }',
    );
    expect(caps(a, 'secret/foobar')).toEqual(['update']); // 1: the later first wildcard wins
    expect(caps(a, 'secret/foo/bar')).toEqual(['update']); // 1: secret/foo* over secret/+/bar
    expect(caps(a, 'secret/zip/bar')).toEqual(['delete']); // 2: not ending in * beats ending in *
    expect(caps(a, 'secret/zip/baz')).toEqual(['read']); // 3: secret/* has fewer + than secret/+/*
    expect(caps(a, 'secret/zip')).toEqual(['read']);
  });

  it.each([
    // the examples in Vault's own comments on its order (vault/acl.go)
    ['foo/ab', 'foo/a*', 'foo/+'],
    ['foo/bar/bar/baz', 'foo/bar/+/baz', 'foo/+/bar/baz'],
    ['foo/x/bar', 'foo/+/bar', 'foo/+/ba*'],
    ['foo/x', 'foo/+', 'foo/*'],
    ['foo/bar/x/baz', 'foo/bar/+/baz', 'foo/+/+/baz'],
    ['foo/x/bar/baz', 'foo/+/bar/ba*', 'foo/+/bar/b*'],
    // 5: everything else equal, the pattern that sorts after wins
    ['a/+b/+b', 'a/+b/+', 'a/+/+b'],
  ])('%s: %s wins over %s', (path, winner, loser) => {
    const a = acl(`path "${loser}" { capabilities = ["read"] }`, `path "${winner}" { capabilities = ["update"] }`);
    const b = acl(`path "${winner}" { capabilities = ["update"] }`, `path "${loser}" { capabilities = ["read"] }`);
    expect(caps(a, path)).toEqual(['update']);
    expect(caps(b, path)).toEqual(['update']);
  });

  it('uses only the longest matching prefix glob', () => {
    const a = acl('path "ssh/*" { capabilities = ["read"] }', 'path "ssh/sign/*" { capabilities = ["update"] }');
    expect(caps(a, 'ssh/sign/dev')).toEqual(['update']);
    expect(caps(a, 'ssh/roles/dev')).toEqual(['read']);
  });
});

describe('compileAcl: joining and denying', () => {
  it('joins the capabilities of the same pattern across policies and within one', () => {
    expect(
      caps(acl('path "a/*" { capabilities = ["read"] }', 'path "a/*" { capabilities = ["list"] }'), 'a/x'),
    ).toEqual(['list', 'read']);
    expect(caps(acl('path "a" { capabilities = ["read"] }\npath "a" { policy = "write" }'), 'a')).toEqual([
      'create',
      'delete',
      'list',
      'read',
      'update',
    ]);
  });

  it('does not join different patterns: ssh/sign* and ssh/sign/* are two rules, the longer wins alone', () => {
    const a = acl('path "ssh/sign*" { capabilities = ["read"] }', 'path "ssh/sign/*" { capabilities = ["update"] }');
    expect(caps(a, 'ssh/sign/dev')).toEqual(['update']);
    expect(caps(a, 'ssh/signer')).toEqual(['read']);
  });

  it('lets deny on the same pattern win in every order, across policies', () => {
    for (const texts of [
      ['path "ssh/*" { capabilities = ["read", "update"] }', 'path "ssh/*" { capabilities = ["deny"] }'],
      ['path "ssh/*" { capabilities = ["deny"] }', 'path "ssh/*" { capabilities = ["read", "update"] }'],
      [
        'path "ssh/*" { capabilities = ["read"] }',
        'path "ssh/*" { policy = "deny" }',
        'path "ssh/*" { capabilities = ["sudo"] }',
      ],
    ]) {
      const a = acl(...texts);
      expect(caps(a, 'ssh/roles/x')).toEqual([]);
      expect(a.allows('ssh/roles/x', 'read')).toBe(false);
    }
  });

  it('lets a winning deny deny, and a losing deny deny nothing', () => {
    const a = acl(
      'path "ssh/*" { capabilities = ["read", "update"] }',
      'path "ssh/roles/*" { capabilities = ["deny"] }',
      'path "sys/*" { capabilities = ["deny"] }',
      'path "sys/policies/acl/ssh-*" { capabilities = ["update"] }',
      'path "sys/mounts" { capabilities = ["read"] }',
    );
    expect(caps(a, 'ssh/roles/x')).toEqual([]);
    expect(caps(a, 'ssh/config/ca')).toEqual(['read', 'update']);
    expect(caps(a, 'sys/audit')).toEqual([]);
    expect(caps(a, 'sys/policies/acl/ssh-admin')).toEqual(['update']);
    expect(caps(a, 'sys/mounts')).toEqual(['read']);
  });
});

describe('compileAcl: lists', () => {
  it('lets a list find an exact rule without its trailing slash, and only a list', () => {
    const a = acl('path "ssh/roles" { capabilities = ["list", "read"] }');
    expect(a.allows('ssh/roles/', 'list')).toBe(true);
    expect(a.allows('ssh/roles/', 'read')).toBe(false);
    expect(a.allows('ssh/roles', 'read')).toBe(true);
    expect(caps(a, 'ssh/roles/')).toEqual(['list', 'read']);
    expect(caps(a, 'ssh/roles/', false)).toEqual([]);
  });

  it('tries the path without its slash first for globs and + patterns (Vault PR #23874)', () => {
    const a = acl(
      'path "+/sys/policies/acl" { capabilities = ["list"] }',
      'path "ssh/role*" { capabilities = ["list"] }',
      'path "ssh/roles/*" { capabilities = ["deny"] }',
    );
    expect(a.allows('ns1/sys/policies/acl/', 'list')).toBe(true);
    expect(a.allows('ns1/sys/policies/acl/', 'read')).toBe(false);
    expect(a.allows('ssh/roles/', 'list')).toBe(true);
    expect(caps(a, 'ssh/roles/', false)).toEqual([]);
  });
});

describe('compileAcl: root, sudo and nothing', () => {
  it('gives root everything, sudo included, from the option or a policy named root', () => {
    for (const root of [
      compileAcl([], { root: true }),
      compileAcl([{ name: 'root', raw: '', rules: [], templated: false }]),
    ]) {
      expect(root.root).toBe(true);
      expect(root.allows('sys/audit/file', 'update', { sudo: true })).toBe(true);
      expect(root.allows('anything/at/all', 'delete')).toBe(true);
      expect(caps(root, 'x')).toEqual([
        'create',
        'delete',
        'list',
        'patch',
        'read',
        'recover',
        'subscribe',
        'sudo',
        'update',
      ]);
    }
  });

  it('requires sudo from the winning rule when asked', () => {
    const a = acl(
      'path "sys/audit/*" { capabilities = ["read", "update", "sudo"] }',
      'path "sys/audit/file" { capabilities = ["update"] }',
    );
    expect(a.allows('sys/audit/syslog', 'update', { sudo: true })).toBe(true);
    expect(a.allows('sys/audit/file', 'update', { sudo: true })).toBe(false);
    expect(a.allows('sys/audit/file', 'update')).toBe(true);
    expect(a.allows('sys/audit/syslog', 'sudo')).toBe(true);
  });

  it('allows nothing without policies, and never the deny "operation"', () => {
    const none = compileAcl([]);
    expect(none.root).toBe(false);
    expect(caps(none, 'auth/token/lookup-self')).toEqual([]);
    expect(acl('path "x" { capabilities = ["deny"] }').allows('x', 'deny')).toBe(false);
  });

  it('applies the default policy as Vault ships it', () => {
    const d = compileAcl([parsePolicy('default', DEFAULT_POLICY_TEXT)]);
    expect(d.allows('auth/token/lookup-self', 'read')).toBe(true);
    expect(d.allows('auth/token/renew-self', 'update')).toBe(true);
    expect(d.allows('auth/token/revoke-self', 'update')).toBe(true);
    expect(d.allows('sys/capabilities-self', 'update')).toBe(true);
    expect(caps(d, 'cubbyhole/notes')).toEqual(['create', 'delete', 'list', 'read', 'update']);
    expect(d.allows('sys/leases/renew', 'update')).toBe(true);
    expect(d.allows('sys/leases/lookup', 'update')).toBe(true);
    expect(d.allows('sys/wrapping/unwrap', 'update')).toBe(true);
    expect(d.allows('sys/tools/hash', 'update')).toBe(true);
    expect(d.allows('sys/tools/hash/sha2-256', 'update')).toBe(true);
    expect(d.allows('sys/tools/random', 'update')).toBe(false);
    expect(d.allows('sys/control-group/request', 'update')).toBe(true);
    expect(caps(d, 'identity/oidc/provider/default/authorize')).toEqual(['read', 'update']);
    // Templated paths stay literal: a token without an identity entity gets nothing from them.
    expect(caps(d, 'identity/entity/id/e-1')).toEqual([]);
    expect(d.allows('auth/token/create', 'update')).toBe(false);
    expect(d.allows('ssh/sign/dev', 'update')).toBe(false);
    expect(d.allows('sys/mounts', 'read')).toBe(false);
  });
});
