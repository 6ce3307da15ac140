// Access decisions from a token's policies, made as Vault's ACL makes them (vault/acl.go): the
// capabilities of the same pattern are joined across policies (and a `deny` there leaves only deny);
// for a request path an exact rule wins, for a list also the exact rule without the trailing `/`;
// otherwise the longest matching prefix glob and every matching `+` pattern compete and the one of
// highest priority alone decides, its `deny` denying. Patterns are never merged across each other.
// The root policy allows everything, sudo included.

import {
  classifyPattern,
  comparePriority,
  compileSegments,
  matchesSegments,
  prefixCandidate,
  type Candidate,
  type SegmentPattern,
} from './path-pattern.js';
import { CAPABILITIES, type Capability, type Policy } from './policy-document.js';
import { ROOT_POLICY } from './builtin-policies.js';

/** The request operations a policy decides on; each needs the capability of the same name. */
export type AclOperation = 'read' | 'list' | 'update' | 'create' | 'delete' | 'patch';

export interface AllowOptions {
  /**
   * The path is root-protected: the winning rule must also grant `sudo`.
   * @default false - sudo is not required
   */
  readonly sudo?: boolean;
}

/** A compiled ACL. */
export interface Acl {
  /** Whether this is the root policy's ACL (everything allowed). */
  readonly root: boolean;
  /**
   * The capabilities a path grants: the winning rule's, none when it denies or nothing matches, all
   * of them for root. Looked up as a list is (Vault's `sys/capabilities` does the same) unless `list`
   * is false; that only matters for a path ending in `/`.
   */
  capabilities(path: string, list?: boolean): ReadonlySet<Capability>;
  /**
   * Whether `operation` (or, given a capability such as `sudo`, that capability alone) is allowed on
   * the request path `path`.
   */
  allows(path: string, operation: AclOperation | Capability, options?: AllowOptions): boolean;
}

export interface CompileAclOptions {
  /**
   * The token holds the root policy.
   * @default false - root also when one of `policies` is named `root`
   */
  readonly root?: boolean;
}

// Sets are made per call, not held at module level: Pulumi's closure serializer (providers reach
// these modules) turns module-level Sets into plain objects.
const all = (): ReadonlySet<Capability> => new Set(CAPABILITIES.filter((c) => c !== 'deny'));
const deny = (): ReadonlySet<Capability> => new Set<Capability>(['deny']);

/** Vault's merge of one rule into the capabilities already held for the same pattern. */
function merge(existing: ReadonlySet<Capability> | undefined, added: ReadonlySet<Capability>): ReadonlySet<Capability> {
  if (!existing) return added.has('deny') ? deny() : new Set(added);
  if (existing.has('deny')) return existing;
  if (added.has('deny')) return deny();
  return new Set([...existing, ...added]);
}

interface Compiled {
  readonly exact: ReadonlyMap<string, ReadonlySet<Capability>>;
  /** Prefix globs, longest prefix first. */
  readonly prefixes: readonly (readonly [string, ReadonlySet<Capability>])[];
  readonly segments: readonly (readonly [SegmentPattern, ReadonlySet<Capability>])[];
}

function compile(policies: readonly Policy[]): Compiled {
  const exact = new Map<string, ReadonlySet<Capability>>();
  const prefixes = new Map<string, ReadonlySet<Capability>>();
  const segments = new Map<string, ReadonlySet<Capability>>();
  for (const policy of policies) {
    for (const rule of policy.rules) {
      const { kind, key } = classifyPattern(rule.pattern);
      const table = kind === 'exact' ? exact : kind === 'prefix' ? prefixes : segments;
      table.set(key, merge(table.get(key), rule.capabilities));
    }
  }
  return {
    exact,
    prefixes: [...prefixes].sort(([a], [b]) => b.length - a.length),
    segments: [...segments].map(([pattern, caps]) => [compileSegments(pattern), caps] as const),
  };
}

/** Vault's `CheckAllowedFromNonExactPaths`: the winning glob or `+` rule for `path`, if any. */
function nonExact(acl: Compiled, path: string): ReadonlySet<Capability> | undefined {
  const prefix = acl.prefixes.find(([p]) => path.startsWith(p));
  if (acl.segments.length === 0) return prefix?.[1];
  let best: { candidate: Candidate; caps: ReadonlySet<Capability> } | undefined;
  const offer = (candidate: Candidate, caps: ReadonlySet<Capability>) => {
    if (!best || comparePriority(candidate, best.candidate) > 0) best = { candidate, caps };
  };
  if (prefix) offer(prefixCandidate(prefix[0]), prefix[1]);
  const parts = path.split('/');
  for (const [pattern, caps] of acl.segments) if (matchesSegments(pattern, parts)) offer(pattern, caps);
  return best?.caps;
}

/** Vault's `AllowOperation` lookup: exact, exact without the list's `/`, then the non-exact winner. */
function lookup(acl: Compiled, requestPath: string, list: boolean): ReadonlySet<Capability> | undefined {
  const path = requestPath.replace(/^\/+/, '');
  const found = acl.exact.get(path);
  if (found) return found;
  const trimmed = path.endsWith('/') ? path.slice(0, -1) : path;
  if (list) {
    const bare = acl.exact.get(trimmed);
    if (bare) return bare;
    // Lists try the path without its `/` first: a glob such as `ssh/roles*` may match only that.
    if (path.endsWith('/')) {
      const withoutSlash = nonExact(acl, trimmed);
      if (withoutSlash) return withoutSlash;
    }
  }
  return nonExact(acl, path);
}

/** Compile a token's policies into its ACL. Policies that no longer exist are simply left out by the caller. */
export function compileAcl(policies: readonly Policy[], options: CompileAclOptions = {}): Acl {
  if (options.root || policies.some((p) => p.name === ROOT_POLICY)) {
    return { root: true, capabilities: () => all(), allows: () => true };
  }
  const acl = compile(policies);
  const granted = (path: string, list: boolean): ReadonlySet<Capability> => {
    const caps = lookup(acl, path, list);
    return !caps || caps.has('deny') ? new Set<Capability>() : caps;
  };
  return {
    root: false,
    capabilities: (path, list = true) => granted(path, list),
    allows: (path, operation, allowOptions = {}) => {
      const caps = granted(path, operation === 'list');
      return caps.has(operation) && (allowOptions.sudo !== true || caps.has('sudo'));
    },
  };
}
