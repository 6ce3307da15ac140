import { describe, expect, it } from 'vitest';
import { compileAcl, ranksAbove } from '../../../core/acl/acl.js';
import { parsePolicy } from '../../../core/acl/policy-document.js';

const acl = (...texts: string[]) => compileAcl(texts.map((t, i) => parsePolicy(`p${i}`, t)));
const caps = (a: ReturnType<typeof acl>, path: string, list = false) => [...a.capabilities(path, list)].sort();

describe('compileAcl', () => {
  const seed = acl('path "ssh/sign/user-role" { capabilities = ["create", "update"] }');

  it('grants the seed policy exactly its path', () => {
    expect(seed.allows('ssh/sign/user-role', 'update')).toBe(true);
    expect(seed.allows('ssh/sign/user-role', 'read')).toBe(false);
    expect(seed.allows('ssh/sign/emergency', 'update')).toBe(false);
    expect(seed.allows('ssh/roles/user-role', 'update')).toBe(false);
    expect(seed.allows('sys/mounts', 'read')).toBe(false);
    expect(seed.allows('ssh/sign/user-role/extra', 'update')).toBe(false);
  });

  it('matches * as a prefix and + as exactly one segment', () => {
    const a = acl(
      'path "ssh/*" { capabilities = ["read"] }',
      'path "team/+/ssh/sign/dev" { capabilities = ["update"] }',
    );
    expect(a.allows('ssh/roles/x', 'read')).toBe(true);
    expect(a.allows('ssh/', 'read')).toBe(true);
    expect(a.allows('ssh', 'read')).toBe(false);
    expect(a.allows('team/blue/ssh/sign/dev', 'update')).toBe(true);
    expect(a.allows('team/blue/green/ssh/sign/dev', 'update')).toBe(false);
    expect(a.allows('team/ssh/sign/dev', 'update')).toBe(false);
  });

  it('lets an exact rule win over any glob, even a broader grant', () => {
    const a = acl(
      'path "secret/*" { capabilities = ["read", "update"] }',
      'path "secret/foo" { capabilities = ["read"] }',
    );
    expect(caps(a, 'secret/foo')).toEqual(['read']);
    expect(caps(a, 'secret/bar')).toEqual(['read', 'update']);
  });

  it('ranks matching patterns as Vault does', () => {
    const a = acl(
      'path "secret/*" { capabilities = ["read"] }',
      'path "secret/foo*" { capabilities = ["update"] }',
      'path "secret/+/bar" { capabilities = ["delete"] }',
      'path "secret/+/*" { capabilities = ["list"] }',
    );
    expect(caps(a, 'secret/foobar')).toEqual(['update']); // later first wildcard wins
    expect(caps(a, 'secret/zip/bar')).toEqual(['delete']); // no trailing * beats trailing *
    // secret/* and secret/+/* tie on wildcard position and trailing *; fewer + segments wins.
    expect(caps(a, 'secret/zip/baz')).toEqual(['read']);
    expect(caps(a, 'secret/zip')).toEqual(['read']);
  });

  it('ranksAbove: wildcard position, trailing *, + count, length, then lexical order', () => {
    expect(ranksAbove('secret/foo*', 'secret/*')).toBe(true);
    expect(ranksAbove('a/+/b', 'a/+/*')).toBe(true);
    expect(ranksAbove('a/+/b/+', 'a/+/b/c')).toBe(false);
    expect(ranksAbove('a/+/bb', 'a/+/b')).toBe(true);
    expect(ranksAbove('a/+/c', 'a/+/b')).toBe(true);
    expect(ranksAbove('a/+/b', 'a/+/c')).toBe(false);
  });

  it('joins capabilities of the same pattern across policies; deny there leaves nothing', () => {
    expect(
      caps(acl('path "a/*" { capabilities = ["read"] }', 'path "a/*" { capabilities = ["list"] }'), 'a/x'),
    ).toEqual(['list', 'read']);
    expect(
      caps(acl('path "a/*" { capabilities = ["read"] }', 'path "a/*" { capabilities = ["deny"] }'), 'a/x'),
    ).toEqual([]);
  });

  it('does not merge different patterns: the winner alone counts, and its deny denies', () => {
    const a = acl(
      'path "ssh/*" { capabilities = ["read", "update"] }',
      'path "ssh/roles/*" { capabilities = ["deny"] }',
    );
    expect(caps(a, 'ssh/roles/x')).toEqual([]);
    expect(caps(a, 'ssh/config/ca')).toEqual(['read', 'update']);
  });

  it('lets a list find an exact rule without the trailing slash', () => {
    const a = acl('path "ssh/roles" { capabilities = ["list"] }');
    expect(a.allows('ssh/roles/', 'list')).toBe(true);
    expect(a.allows('ssh/roles/', 'read')).toBe(false);
  });

  it('gives root everything, sudo included; no policies give nothing', () => {
    const root = compileAcl([], { root: true });
    expect(root.allows('sys/audit/file', 'sudo')).toBe(true);
    expect(caps(compileAcl([]), 'auth/token/lookup-self')).toEqual([]);
  });
});
