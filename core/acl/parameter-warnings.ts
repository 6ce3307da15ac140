// Warnings for parameter constraints that name a parameter the path does not take (issue 14): Vault
// accepts such a policy, and a typo there (`valid_principal` for `valid_principals`) leaves the
// parameter meant unconstrained, so the IaC surfaces warn instead of failing. Each rule's pattern
// (exact, `*` prefix glob, `+` segments) is matched against the shapes of core/acl/path-parameters.ts;
// a key that none of the matched shapes takes is reported with what they do take and, when one is
// close, a suggestion. Patterns that match no shape, or that could also reach paths the table does
// not list, are not judged. Plain arrays and objects only: this runs inside serialized Pulumi providers.

import { classifyPattern, compileSegments } from './path-pattern.js';
import { COMPLETE_PREFIXES, PATH_PARAMETERS, RESERVED_MOUNTS } from './path-parameters.js';
import type { PathRule } from './policy-document.js';

/** The policy keys that constrain parameters. */
export type ConstraintKey = 'allowed_parameters' | 'denied_parameters' | 'required_parameters';

/** What the check reads of a parsed path rule (`parsePolicy(...).rules` fit). */
export type ConstrainedRule = Pick<
  PathRule,
  'pattern' | 'allowedParameters' | 'deniedParameters' | 'requiredParameters'
>;

/** One constraint that names a parameter none of the matched paths takes. */
export interface ParameterWarning {
  /** The policy path pattern, as written without its leading `/`. */
  readonly path: string;
  readonly constraint: ConstraintKey;
  /** The parameter as Vault compares it (lower case). */
  readonly parameter: string;
  /** The path shapes the pattern matches, e.g. `ssh-dev/sign/:role`, sorted. */
  readonly matches: readonly string[];
  /** The parameters those paths take, sorted. */
  readonly takes: readonly string[];
  /** The closest parameter they take, when one is within two edits. */
  readonly suggestion?: string;
  /** The whole warning, one line. */
  readonly message: string;
}

/** Options of {@link validateParameterConstraints}. */
export interface ParameterConstraintOptions {
  /**
   * The SSH mounts (e.g. `["ssh-dev", "ssh-prod"]`, several segments allowed): only patterns under
   * them are matched against the SSH engine's paths.
   * @default - any single first segment outside `sys`, `auth`, `cubbyhole`, `identity` and `audit`
   */
  readonly sshMounts?: readonly string[];
}

/** One element of a policy pattern: a literal segment, `+`, or the last one of a glob (a prefix of a segment, then anything). */
type PatternPart =
  { readonly t: 'lit'; readonly v: string } | { readonly t: 'any' } | { readonly t: 'prefix'; readonly v: string };

/** One element of a path shape: a literal segment, one mount segment, one segment, or one or more. */
type ShapePart =
  | { readonly t: 'lit'; readonly v: string }
  | { readonly t: 'mount' }
  | { readonly t: 'param'; readonly name: string }
  | { readonly t: 'rest'; readonly name: string };

function patternParts(pattern: string): PatternPart[] {
  const p = classifyPattern(pattern);
  if (p.kind === 'exact') return p.key.split('/').map((v) => ({ t: 'lit', v }));
  if (p.kind === 'prefix') {
    const segs = p.key.split('/');
    const last = segs.pop()!;
    return [...segs.map((v): PatternPart => ({ t: 'lit', v })), { t: 'prefix', v: last }];
  }
  const c = compileSegments(pattern);
  return c.segments.map((s, i): PatternPart => {
    if (c.isPrefix && i === c.segments.length - 1) return { t: 'prefix', v: s };
    return s === '+' ? { t: 'any' } : { t: 'lit', v: s };
  });
}

function shapeParts(shape: string, mount: string | undefined): ShapePart[] {
  return shape.split('/').flatMap((s): ShapePart[] => {
    if (s === '<mount>') return mount === undefined ? [{ t: 'mount' }] : mount.split('/').map((v) => ({ t: 'lit', v }));
    if (s.startsWith(':')) return s.endsWith('+') ? [{ t: 'rest', name: s.slice(0, -1) }] : [{ t: 'param', name: s }];
    return [{ t: 'lit', v: s }];
  });
}

const isMountName = (v: string) => v !== '' && !RESERVED_MOUNTS.includes(v);

/** Whether pattern element `p` can be the concrete segment that shape element `s` stands for. */
function segmentFits(p: PatternPart, s: ShapePart): boolean {
  if (p.t === 'any') return true;
  if (p.t === 'prefix') return s.t === 'lit' ? s.v.startsWith(p.v) : true;
  if (s.t === 'lit') return s.v === p.v;
  if (s.t === 'mount') return isMountName(p.v);
  return p.v !== '';
}

/** Whether some concrete path is matched by both the pattern and the shape. */
function overlaps(p: readonly PatternPart[], i: number, s: readonly ShapePart[], j: number): boolean {
  if (i === p.length) return j === s.length;
  if (j === s.length) return false;
  const pe = p[i]!;
  const se = s[j]!;
  if (!segmentFits(pe, se)) return false;
  // A glob's last element matches this segment and anything after it.
  if (pe.t === 'prefix') return true;
  if (se.t === 'rest' && overlaps(p, i + 1, s, j)) return true;
  return overlaps(p, i + 1, s, j + 1);
}

/** How a matched shape is shown: the pattern's own mount segment when it is literal. */
function showShape(shape: string, parts: readonly PatternPart[], mount: string | undefined): string {
  const first = parts[0];
  const shown = mount ?? (first?.t === 'lit' ? first.v : '<mount>');
  return shape.replace('<mount>', shown).replace(/\+$|\+(?=\/)/g, '');
}

/** The literal text before a pattern's first wildcard (the whole pattern when exact). */
function literalHead(parts: readonly PatternPart[]): string {
  const out: string[] = [];
  for (const p of parts) {
    if (p.t === 'any') return `${out.join('/')}/`;
    if (p.t === 'prefix') return [...out, p.v].join('/');
    out.push(p.v);
  }
  return out.join('/');
}

/** SSH path heads: the first segment after the mount of each SSH shape. */
const sshHeads = (): string[] =>
  PATH_PARAMETERS.filter((e) => e.shape.startsWith('<mount>/')).map((e) => e.shape.split('/')[1]!);

/** Whether every path the pattern can reach is one the table knows (or takes no parameters). */
function isJudged(pattern: string, parts: readonly PatternPart[], mounts: readonly string[] | undefined): boolean {
  if (classifyPattern(pattern).kind === 'exact') return true;
  const head = literalHead(parts);
  for (const prefix of COMPLETE_PREFIXES) {
    if (!prefix.startsWith('<mount>/')) {
      if (head.startsWith(prefix)) return true;
      continue;
    }
    if (mounts) {
      if (mounts.some((m) => head.startsWith(`${m}/`))) return true;
    } else {
      const slash = head.indexOf('/');
      if (slash > 0 && isMountName(head.slice(0, slash))) return true;
    }
  }
  // `+/sign/shared`: any mount, then a segment only the SSH engine's paths start with.
  const [first, second] = parts;
  return !mounts && first?.t === 'any' && second?.t === 'lit' && sshHeads().includes(second.v);
}

/** Damerau–Levenshtein distance (optimal string alignment): a swapped pair counts as one edit. */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

/** The closest name within two edits (one for names of three characters or fewer); ties go to the first in order. */
function closest(name: string, candidates: readonly string[]): string | undefined {
  const limit = name.length <= 3 ? 1 : 2;
  let best: string | undefined;
  let bestDistance = limit + 1;
  for (const c of candidates) {
    const dist = editDistance(name, c);
    if (dist < bestDistance) {
      best = c;
      bestDistance = dist;
    }
  }
  return best;
}

const quote = (s: string) => JSON.stringify(s);

function message(w: Omit<ParameterWarning, 'message'>): string {
  const hint = w.suggestion === undefined ? '' : ` (did you mean ${quote(w.suggestion)}?)`;
  const takes = w.takes.length === 0 ? 'no parameters' : w.takes.join(', ');
  const which =
    w.matches.length === 1
      ? `which ${w.matches[0]} does not take${hint}; it takes ${takes}`
      : `which none of the paths it matches (${w.matches.join(', ')}) takes${hint}; they take ${takes}`;
  return `path ${quote(w.path)}: ${w.constraint} names ${quote(w.parameter)}, ${which}`;
}

/**
 * The parameter constraints of `rules` that name a parameter none of the paths their pattern
 * matches takes, in rule order (`allowed_parameters`, then `denied_parameters`, then
 * `required_parameters`, each sorted). `"*"` is never reported. Such a policy is valid for Vault:
 * callers show these as warnings, not errors.
 */
export function validateParameterConstraints(
  rules: readonly ConstrainedRule[],
  options: ParameterConstraintOptions = {},
): ParameterWarning[] {
  const mounts = options.sshMounts?.map((m) => m.replace(/^\/+|\/+$/g, ''));
  const out: ParameterWarning[] = [];
  const seen: string[] = [];
  for (const rule of rules) {
    const constraints: [ConstraintKey, string[]][] = [
      ['allowed_parameters', [...(rule.allowedParameters?.keys() ?? [])]],
      ['denied_parameters', [...(rule.deniedParameters?.keys() ?? [])]],
      ['required_parameters', [...rule.requiredParameters]],
    ];
    if (constraints.every(([, keys]) => keys.length === 0)) continue;
    const parts = patternParts(rule.pattern);
    if (!isJudged(rule.pattern, parts, mounts)) continue;
    const matches: string[] = [];
    const takes: string[] = [];
    for (const e of PATH_PARAMETERS) {
      const sshMounts = e.shape.startsWith('<mount>/') ? (mounts ?? [undefined]) : [undefined];
      for (const m of sshMounts) {
        if (!overlaps(parts, 0, shapeParts(e.shape, m), 0)) continue;
        const shown = showShape(e.shape, parts, m);
        if (!matches.includes(shown)) matches.push(shown);
        for (const p of e.parameters) if (!takes.includes(p)) takes.push(p);
      }
    }
    if (matches.length === 0) continue;
    matches.sort();
    takes.sort();
    for (const [constraint, keys] of constraints) {
      // Vault lower-cases parameter names before comparing them (required ones when checking).
      const names = [...new Set(keys.map((k) => k.toLowerCase()))].sort();
      for (const parameter of names) {
        if (parameter === '*' || takes.includes(parameter)) continue;
        const id = `${rule.pattern}\u0000${constraint}\u0000${parameter}`;
        if (seen.includes(id)) continue;
        seen.push(id);
        const suggestion = closest(parameter, takes);
        const w = { path: rule.pattern, constraint, parameter, matches, takes, ...(suggestion ? { suggestion } : {}) };
        out.push({ ...w, message: message(w) });
      }
    }
  }
  return out;
}
