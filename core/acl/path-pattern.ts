// How Vault reads a policy's path pattern (vault/policy.go, vault/acl.go): exact paths, prefix
// globs (`*` as the last character) and patterns with `+` segments, how a `+` pattern matches a
// request path, and the priority order that picks one winner among the matching non-exact patterns.
// Lengths and positions are counted in UTF-8 bytes and ties broken in byte order, as Go does.

import { compareUtf8, utf8Length } from './hcl/go-text.js';

export type PatternKind = 'exact' | 'prefix' | 'segments';

/** A classified pattern. `key` identifies it in its kind: the path for exact, the prefix without `*`, the whole pattern for `+`. */
export interface PathPattern {
  readonly kind: PatternKind;
  readonly key: string;
}

/** Vault's `HasSegmentWildcards` (note: any `/+`, so `a/+b` counts, though only a whole `+` segment matches anything). */
const hasSegmentWildcards = (p: string): boolean => p === '+' || p.includes('/+') || p.startsWith('+/');

/** Classify a pattern as Vault stores it (leading `/` already removed). */
export function classifyPattern(pattern: string): PathPattern {
  if (hasSegmentWildcards(pattern)) return { kind: 'segments', key: pattern };
  if (pattern.endsWith('*')) return { kind: 'prefix', key: pattern.slice(0, -1) };
  return { kind: 'exact', key: pattern };
}

/** What the priority order looks at (Vault's `wcPathDescr`). */
export interface Candidate {
  /** Byte position of the first `+` (or of the `*` for a prefix glob). */
  readonly firstWildcard: number;
  /** Whether it ends in `*`. */
  readonly isPrefix: boolean;
  /** How many whole `+` segments. */
  readonly wildcards: number;
  /** The pattern without its trailing `*`. */
  readonly wcPath: string;
  readonly wcPathBytes: number;
}

/** The priority facts of a prefix glob, by its prefix. */
export function prefixCandidate(prefix: string): Candidate {
  const bytes = utf8Length(prefix);
  return { firstWildcard: bytes, isPrefix: true, wildcards: 0, wcPath: prefix, wcPathBytes: bytes };
}

/** A compiled `+` pattern. */
export interface SegmentPattern extends Candidate {
  readonly segments: readonly string[];
}

export function compileSegments(pattern: string): SegmentPattern {
  const isPrefix = pattern.endsWith('*');
  const wcPath = isPrefix ? pattern.slice(0, -1) : pattern;
  const segments = wcPath.split('/');
  return {
    firstWildcard: utf8Length(pattern.slice(0, pattern.indexOf('+'))),
    isPrefix,
    wildcards: segments.filter((s) => s === '+').length,
    wcPath,
    wcPathBytes: utf8Length(wcPath),
    segments,
  };
}

/** Whether a `+` pattern matches a request path split on `/` (`+` takes any one segment, even an empty one). */
export function matchesSegments(p: SegmentPattern, parts: readonly string[]): boolean {
  const n = p.segments.length;
  if (parts.length < n) return false;
  if (!p.isPrefix && parts.length !== n) return false;
  for (let i = 0; i < n; i++) {
    const want = p.segments[i]!;
    const have = parts[i]!;
    if (want === '+' || want === have) continue;
    if (p.isPrefix && i === n - 1 && have.startsWith(want)) continue;
    return false;
  }
  return true;
}

/**
 * Vault's priority between two matching non-exact patterns, positive when `a` wins: the later first
 * wildcard wins; then not ending in `*` wins; then fewer `+` segments; then the longer pattern; then
 * the one that sorts after.
 */
export function comparePriority(a: Candidate, b: Candidate): number {
  if (a.firstWildcard !== b.firstWildcard) return a.firstWildcard - b.firstWildcard;
  if (a.isPrefix !== b.isPrefix) return a.isPrefix ? -1 : 1;
  if (a.wildcards !== b.wildcards) return b.wildcards - a.wildcards;
  if (a.wcPathBytes !== b.wcPathBytes) return a.wcPathBytes - b.wcPathBytes;
  return compareUtf8(a.wcPath, b.wcPath);
}

/** The priority facts of any non-exact pattern as written (for reasoning about and testing the order). */
function candidateOf(pattern: string): Candidate {
  const p = classifyPattern(pattern);
  if (p.kind === 'segments') return compileSegments(pattern);
  if (p.kind === 'prefix') return prefixCandidate(p.key);
  throw new RangeError(`not a glob or + pattern: ${pattern}`);
}

/** Whether non-exact pattern `a` outranks `b` when both match a path (exact patterns always win first). */
export const ranksAbove = (a: string, b: string): boolean => comparePriority(candidateOf(a), candidateOf(b)) > 0;
