// Access decisions from a set of policies, as Vault's ACL makes them: an exact rule for the path
// wins (for lists also the path without its trailing `/`); otherwise the matching glob or `+`
// pattern of highest priority wins. Capabilities of the same pattern across policies are joined,
// and `deny` there leaves nothing. The root policy allows everything, sudo included.

import type { Capability, Policy } from './policy-document.js';

/** A compiled ACL. */
export interface Acl {
  /** The capabilities a path grants (the winning rule's, or none). `list` tries the path without its `/`. */
  capabilities(path: string, list?: boolean): ReadonlySet<Capability>;
  /** Whether `capability` (an operation's: read, list, update, create, delete, patch) is granted on `path`. */
  allows(path: string, capability: Capability): boolean;
}

const ALL: ReadonlySet<Capability> = new Set([
  'create',
  'read',
  'update',
  'patch',
  'delete',
  'list',
  'sudo',
  'subscribe',
]);
const NONE: ReadonlySet<Capability> = new Set();

const isWildcard = (pattern: string) => pattern.endsWith('*') || pattern.split('/').includes('+');

/** Whether a glob or `+` pattern matches `path`. */
function matches(pattern: string, path: string): boolean {
  const glob = pattern.endsWith('*');
  const body = glob ? pattern.slice(0, -1) : pattern;
  if (!body.split('/').includes('+')) return glob ? path.startsWith(body) : path === body;
  const want = body.split('/');
  const have = path.split('/');
  const fixed = glob ? want.length - 1 : want.length;
  if (glob ? have.length < want.length : have.length !== want.length) return false;
  for (let i = 0; i < fixed; i++) if (want[i] !== '+' && want[i] !== have[i]) return false;
  return !glob || have.slice(fixed).join('/').startsWith(want[fixed]!);
}

const firstWildcard = (p: string) => {
  const plus = p.split('/').findIndex((s) => s === '+');
  const plusAt = plus < 0 ? Infinity : p.split('/').slice(0, plus).join('/').length + (plus > 0 ? 1 : 0);
  return Math.min(plusAt, p.endsWith('*') ? p.length - 1 : Infinity);
};
const plusCount = (p: string) => p.split('/').filter((s) => s === '+').length;

/** Vault's priority order between two matching patterns: true when `a` ranks above `b`. */
export function ranksAbove(a: string, b: string): boolean {
  const wa = firstWildcard(a);
  const wb = firstWildcard(b);
  if (wa !== wb) return wa > wb;
  const ga = a.endsWith('*');
  const gb = b.endsWith('*');
  if (ga !== gb) return gb;
  const pa = plusCount(a);
  const pb = plusCount(b);
  if (pa !== pb) return pa < pb;
  if (a.length !== b.length) return a.length > b.length;
  return a > b;
}

/** Compile policies; `root: true` for a token that holds the root policy. */
export function compileAcl(policies: readonly Policy[], options: { readonly root?: boolean } = {}): Acl {
  if (options.root) return { capabilities: () => ALL, allows: () => true };
  const merged = new Map<string, Set<Capability>>();
  for (const policy of policies) {
    for (const rule of policy.rules) {
      const current = merged.get(rule.pattern) ?? new Set<Capability>();
      rule.capabilities.forEach((c) => current.add(c));
      merged.set(rule.pattern, current.has('deny') ? new Set<Capability>(['deny']) : current);
    }
  }
  const exact = new Map([...merged].filter(([p]) => !isWildcard(p)));
  const wildcards = [...merged].filter(([p]) => isWildcard(p));

  function capabilities(path: string, list = false): ReadonlySet<Capability> {
    const found = exact.get(path) ?? (list && path.endsWith('/') ? exact.get(path.slice(0, -1)) : undefined);
    let caps = found;
    if (!caps) {
      let best: string | undefined;
      for (const [pattern, c] of wildcards) {
        if (matches(pattern, path) && (best === undefined || ranksAbove(pattern, best))) {
          best = pattern;
          caps = c;
        }
      }
    }
    return !caps || caps.has('deny') ? NONE : caps;
  }

  return {
    capabilities,
    allows: (path, capability) => capabilities(path, capability === 'list').has(capability),
  };
}
