// How Vault classifies policy patterns and orders matching globs and `+` patterns (vault/acl.go).

import { describe, expect, it } from 'vitest';
import { classifyPattern, compileSegments, matchesSegments, ranksAbove } from '../../../core/acl/path-pattern.js';

describe('classifyPattern', () => {
  it.each([
    ['ssh/sign/dev', { kind: 'exact', key: 'ssh/sign/dev' }],
    ['ssh/*', { kind: 'prefix', key: 'ssh/' }],
    ['ssh/sign/zip-*', { kind: 'prefix', key: 'ssh/sign/zip-' }],
    ['*', { kind: 'prefix', key: '' }],
    ['a*b', { kind: 'exact', key: 'a*b' }],
    ['ssh/+/dev', { kind: 'segments', key: 'ssh/+/dev' }],
    ['ssh/+/*', { kind: 'segments', key: 'ssh/+/*' }],
    ['+', { kind: 'segments', key: '+' }],
    ['+/x', { kind: 'segments', key: '+/x' }],
    ['a/+b', { kind: 'segments', key: 'a/+b' }],
    ['a+/b', { kind: 'exact', key: 'a+/b' }],
    ['', { kind: 'exact', key: '' }],
  ])('%j is %j', (pattern, expected) => {
    expect(classifyPattern(pattern)).toEqual(expected);
  });
});

describe('compileSegments and matchesSegments', () => {
  it('counts positions in bytes and whole + segments only', () => {
    expect(compileSegments('ü/+/x+/*')).toEqual({
      firstWildcard: 3,
      isPrefix: true,
      wildcards: 1,
      wcPath: 'ü/+/x+/',
      wcPathBytes: 8,
      segments: ['ü', '+', 'x+', ''],
    });
  });

  it.each([
    ['ssh/+/dev', 'ssh/sign/dev', true],
    ['ssh/+/dev', 'ssh/sign/dev/', false],
    ['ssh/+/d*', 'ssh/sign/dev/x', true],
    ['ssh/+/d*', 'ssh/sign/x/dev', false],
    ['ssh/+/*', 'ssh/sign', false],
    ['ssh/+/*', 'ssh/sign/', true],
  ])('%s matches %s: %s', (pattern, path, expected) => {
    expect(matchesSegments(compileSegments(pattern), path.split('/'))).toBe(expected);
  });
});

describe('ranksAbove', () => {
  it.each([
    ['secret/foo*', 'secret/*', true], // 1: first wildcard later
    ['secret/+/bar', 'secret/*', true], // 2: not a prefix glob
    ['secret/*', 'secret/+/*', true], // 3: fewer + segments
    ['a/+/bb*', 'a/+/b*', true], // 4: longer
    ['a/+b/+', 'a/+/+b', true], // 5: sorts after
    ['a/+/+b', 'a/+b/+', false],
    ['secret/*', 'secret/foo*', false],
  ])('%s above %s: %s', (a, b, expected) => {
    expect(ranksAbove(a, b)).toBe(expected);
  });

  it('refuses an exact pattern, which never competes', () => {
    expect(() => ranksAbove('a', 'a/*')).toThrow('not a glob or + pattern: a');
  });
});
