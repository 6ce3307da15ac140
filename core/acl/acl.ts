// Access decisions from a token's policies, made as Vault's ACL makes them (vault/acl.go): the
// capabilities of the same pattern are joined across policies (and a `deny` there leaves only deny);
// for a request path an exact rule wins, for a list also the exact rule without the trailing `/`;
// otherwise the longest matching prefix glob and every matching `+` pattern compete and the one of
// highest priority alone decides, its `deny` denying. Patterns are never merged across each other.
// The winning rule's parameter constraints and wrapping TTL bounds (merged per pattern as Vault
// merges them, permissions.ts) then decide as well: `decide` is Vault's `AllowOperation`.
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
import { checkParameters, type ParameterRefusal } from './parameters.js';
import { mergePermissions, type Permissions } from './permissions.js';

/** The request operations a policy decides on; each needs the capability of the same name. */
export type AclOperation = 'read' | 'list' | 'update' | 'create' | 'delete' | 'patch';

export interface AllowOptions {
  /**
   * The path is root-protected: the winning rule must also grant `sudo`.
   * @default false - sudo is not required
   */
  readonly sudo?: boolean;
}

export interface DecideOptions {
  /**
   * The request is to be response-wrapped with this TTL in seconds (`X-Vault-Wrap-TTL`); checked
   * against the rule's `min_wrapping_ttl` / `max_wrapping_ttl` as Vault does.
   * @default undefined - not wrapped: a rule with either bound refuses the request
   */
  readonly wrapTtl?: number;
  /**
   * The path is root-protected: the winning rule must also grant `sudo`.
   * @default false - sudo is not required
   */
  readonly sudo?: boolean;
}

/** Why a decision refuses. */
export type AclRefusal = 'no-rule' | 'capability' | 'sudo' | 'wrapping-ttl' | ParameterRefusal;

/** The ACL's answer for one request (Vault's `ACLResults`). */
export interface AclDecision {
  /** Whether the request may proceed. */
  readonly allowed: boolean;
  /** Why not, when not allowed. */
  readonly refusal?: AclRefusal;
  /** Whether the token is root (then everything is allowed, no constraint applies). */
  readonly root: boolean;
  /** The capabilities the winning rule grants (none when it denies or nothing matches; all for root). */
  readonly capabilities: ReadonlySet<Capability>;
  /** The winning rule grants `sudo` (Vault's `RootPrivs`); always true for root. */
  readonly sudo: boolean;
  /** The winning rule's `min_wrapping_ttl` in seconds; 0 when unset (always 0 for root). */
  readonly minWrappingTtl: number;
  /** The winning rule's `max_wrapping_ttl` in seconds; 0 when unset (always 0 for root). */
  readonly maxWrappingTtl: number;
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
  /**
   * Vault's `AllowOperation` for a request: the winning rule's capability for `operation`, its
   * wrapping TTL bounds, and for read, create, update and patch its parameter constraints against
   * `data` (the request's parameters: body for writes, query for reads). Lists and deletes are not
   * checked for parameters, as in Vault.
   */
  decide(
    path: string,
    operation: AclOperation,
    data?: Readonly<Record<string, unknown>>,
    options?: DecideOptions,
  ): AclDecision;
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

interface Compiled {
  readonly exact: ReadonlyMap<string, Permissions>;
  /** Prefix globs, longest prefix first. */
  readonly prefixes: readonly (readonly [string, Permissions])[];
  readonly segments: readonly (readonly [SegmentPattern, Permissions])[];
}

function compile(policies: readonly Policy[]): Compiled {
  const exact = new Map<string, Permissions>();
  const prefixes = new Map<string, Permissions>();
  const segments = new Map<string, Permissions>();
  for (const policy of policies) {
    for (const rule of policy.rules) {
      const { kind, key } = classifyPattern(rule.pattern);
      const table = kind === 'exact' ? exact : kind === 'prefix' ? prefixes : segments;
      table.set(key, mergePermissions(table.get(key), rule));
    }
  }
  return {
    exact,
    prefixes: [...prefixes].sort(([a], [b]) => b.length - a.length),
    segments: [...segments].map(([pattern, perms]) => [compileSegments(pattern), perms] as const),
  };
}

/** Vault's `CheckAllowedFromNonExactPaths`: the winning glob or `+` rule for `path`, if any. */
function nonExact(acl: Compiled, path: string): Permissions | undefined {
  const prefix = acl.prefixes.find(([p]) => path.startsWith(p));
  if (acl.segments.length === 0) return prefix?.[1];
  let best: { candidate: Candidate; perms: Permissions } | undefined;
  const offer = (candidate: Candidate, perms: Permissions) => {
    if (!best || comparePriority(candidate, best.candidate) > 0) best = { candidate, perms };
  };
  if (prefix) offer(prefixCandidate(prefix[0]), prefix[1]);
  const parts = path.split('/');
  for (const [pattern, perms] of acl.segments) if (matchesSegments(pattern, parts)) offer(pattern, perms);
  return best?.perms;
}

/** Vault's `AllowOperation` lookup: exact, exact without the list's `/`, then the non-exact winner. */
function lookup(acl: Compiled, requestPath: string, list: boolean): Permissions | undefined {
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

/** Operations whose parameters Vault checks (`AllowOperation`; recover is not served here). */
const checksParameters = (operation: AclOperation): boolean =>
  operation === 'read' || operation === 'create' || operation === 'update' || operation === 'patch';

/** Vault's wrapping TTL bounds: a bound that is set needs a wrapped request within it. */
function wrappingRefused(perms: Permissions, wrapTtl: number | undefined): boolean {
  if (perms.maxWrappingTtl > 0 && (wrapTtl === undefined || wrapTtl > perms.maxWrappingTtl)) return true;
  if (perms.minWrappingTtl > 0 && (wrapTtl === undefined || wrapTtl < perms.minWrappingTtl)) return true;
  // Possible after merging, though a single rule with max < min is refused when parsed.
  return perms.minWrappingTtl !== 0 && perms.maxWrappingTtl !== 0 && perms.maxWrappingTtl < perms.minWrappingTtl;
}

function decideWith(
  acl: Compiled,
  path: string,
  operation: AclOperation,
  data: Readonly<Record<string, unknown>>,
  options: DecideOptions,
): AclDecision {
  const perms = lookup(acl, path, operation === 'list');
  const refuse = (refusal: AclRefusal): AclDecision => ({
    allowed: false,
    refusal,
    root: false,
    capabilities: perms && !perms.capabilities.has('deny') ? perms.capabilities : new Set<Capability>(),
    sudo: perms?.capabilities.has('sudo') === true,
    minWrappingTtl: perms?.minWrappingTtl ?? 0,
    maxWrappingTtl: perms?.maxWrappingTtl ?? 0,
  });
  if (!perms) return refuse('no-rule');
  if (!perms.capabilities.has(operation)) return refuse('capability');
  if (wrappingRefused(perms, options.wrapTtl)) return refuse('wrapping-ttl');
  if (checksParameters(operation)) {
    const refusal = checkParameters(perms, data);
    if (refusal) return refuse(refusal);
  }
  // Vault checks root-protected paths after the ACL allows (performPolicyChecks).
  if (options.sudo === true && !perms.capabilities.has('sudo')) return refuse('sudo');
  return { ...refuse('no-rule'), allowed: true, refusal: undefined };
}

/** Compile a token's policies into its ACL. Policies that no longer exist are simply left out by the caller. */
export function compileAcl(policies: readonly Policy[], options: CompileAclOptions = {}): Acl {
  if (options.root || policies.some((p) => p.name === ROOT_POLICY)) {
    return {
      root: true,
      capabilities: () => all(),
      allows: () => true,
      decide: () => ({
        allowed: true,
        root: true,
        capabilities: all(),
        sudo: true,
        minWrappingTtl: 0,
        maxWrappingTtl: 0,
      }),
    };
  }
  const acl = compile(policies);
  const granted = (path: string, list: boolean): ReadonlySet<Capability> => {
    const perms = lookup(acl, path, list);
    return !perms || perms.capabilities.has('deny') ? new Set<Capability>() : perms.capabilities;
  };
  return {
    root: false,
    capabilities: (path, list = true) => granted(path, list),
    allows: (path, operation, allowOptions = {}) => {
      const caps = granted(path, operation === 'list');
      return caps.has(operation) && (allowOptions.sudo !== true || caps.has('sudo'));
    },
    decide: (path, operation, data = {}, decideOptions = {}) => decideWith(acl, path, operation, data, decideOptions),
  };
}
