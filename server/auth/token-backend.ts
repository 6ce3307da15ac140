// The token auth method (`auth/token/`, reference §5.3): create (child and orphan tokens, with
// policies no wider than the parent's unless root or sudo, or within a token role's bounds), token
// roles, periodic tokens, lookups, renewals and revocations, with Vault's TTL-capping warnings.

import { ForbiddenError, InternalError, RequestError } from '../../core/errors.js';
import { toStringMap, type FieldSchema } from '../../core/fields.js';
import { TOKEN_CREATE_FIELDS } from '../../core/path-fields.js';
import { resolveTokenTtl } from '../../core/token-ttl.js';
import type { Backend, LogicalRequest, PathSpec } from '../framework.js';
import { authBlock, lookupData } from './auth-block.js';
import { ROLE_NAME } from './role-paths.js';
import {
  TOKEN_ROLE_PATHS,
  goQuoteList,
  matchesGlob,
  readTokenRole,
  sanitizePolicies,
  type TokenRole,
} from './token-roles.js';
import {
  RESTRICTED_USE,
  SYSTEM_MAX_TOKEN_TTL,
  type RenewLimits,
  type TokenEntry,
  type TokenStore,
} from './token-store.js';

/** The parameters of the lookup, renew and revoke paths, described as in Vault's token_store.go. */
const TOKEN_FIELD = { type: 'string', description: 'The token (request body).' } as const;
const ACCESSOR_FIELD = { type: 'string', description: 'Accessor of the token (request body).' } as const;
const INCREMENT_FIELD = {
  type: 'duration',
  description: 'The desired increment in seconds to the token expiration.',
} as const;
const BY_TOKEN_FIELDS: FieldSchema = { token: TOKEN_FIELD };
const BY_ACCESSOR_FIELDS: FieldSchema = { accessor: ACCESSOR_FIELD };
const RENEW_SELF_FIELDS: FieldSchema = { increment: INCREMENT_FIELD };
const RENEW_FIELDS: FieldSchema = { token: TOKEN_FIELD, increment: INCREMENT_FIELD };

/** Sorted unique policies, with `default` added unless excluded or the token is a root token. */
export function tokenPolicies(requested: readonly string[], noDefaultPolicy: boolean): string[] {
  const set = new Set(requested.map((p) => p.trim().toLowerCase()).filter((p) => p !== ''));
  if (set.has('root')) return ['root'];
  if (!noDefaultPolicy) set.add('default');
  return [...set].sort();
}

/** Vault's display name for `auth/token/create`: `token` or `token-<name>` with odd characters as `-`. */
export function tokenDisplayName(name: string): string {
  if (name === '') return 'token';
  return `token-${name}`.replace(/[^a-zA-Z0-9-]+/g, '-').replace(/-$/, '');
}

/**
 * A token's TTL: `ttl` if given, else `defaultTtl` (root tokens never expire by default); capped by
 * `explicitMaxTtl` and the system maximum.
 */
export function effectiveTokenTtl(
  ttl: number,
  explicitMaxTtl: number,
  policies: readonly string[],
  defaultTtl: number,
) {
  let out = ttl > 0 ? ttl : policies.includes('root') ? 0 : defaultTtl;
  if (explicitMaxTtl > 0 && (out === 0 || out > explicitMaxTtl)) out = explicitMaxTtl;
  if (out > SYSTEM_MAX_TOKEN_TTL) out = SYSTEM_MAX_TOKEN_TTL;
  return out;
}

/**
 * The token backend over `store`; `policyExists` feeds the "does not exist" warnings and
 * `identityPolicies` gives the policies a token's entity adds (none without an identity store).
 */
export function tokenBackend(
  store: TokenStore,
  policyExists: (name: string) => Promise<boolean>,
  identityPolicies: (entityId: string | undefined) => readonly string[] = () => [],
): Backend {
  async function create(req: LogicalRequest, orphanPath: boolean, role?: TokenRole) {
    // Looked up afresh, as Vault's handleCreateCommon does: a token on its last use is already gone
    // (its revocation is pending), and one with uses left could escape its count through a child.
    const caller = await store.byHash(req.token!.hash);
    if (!caller) throw new RequestError('parent token lookup failed: no parent found');
    if (caller.numUses > 0) throw new RequestError(RESTRICTED_USE);
    const f = req.fields;
    const isRoot = caller.policies.includes('root');
    // Vault's isSudo: root, or sudo on this path.
    const privileged = isRoot || req.sudo;
    let renewable = (f.get('renewable') as boolean | undefined) ?? true;
    let type = (f.get('type') as string | undefined) ?? '';
    if (role) {
      if (role.token_type === 'service' || role.token_type === 'batch') type = role.token_type;
      else if (role.token_type === 'default-batch' && type === '') type = 'batch';
    }
    // Batch tokens are out of scope: refused whichever way they are asked for.
    if (type !== 'service' && type !== '') {
      if (type === 'batch') throw new RequestError('unsupported token type "batch": only service tokens');
      throw new RequestError("invalid 'token_type' value");
    }
    let numUses = (f.get('num_uses') as number | undefined) ?? 0;
    if (numUses < 0) throw new RequestError('number of uses cannot be negative');
    const noDefault = (f.get('no_default_policy') as boolean | undefined) ?? false;
    let path = `auth/token/${req.path}`;
    if (role) {
      if (!role.renewable) renewable = false;
      // 0 means unlimited, so any limit of the role's is tighter.
      if (role.token_num_uses > 0 && (numUses === 0 || role.token_num_uses < numUses)) numUses = role.token_num_uses;
      if (role.path_suffix !== '') path = `${path}/${role.path_suffix}`;
    }
    const id = f.get('id') as string | undefined;
    if (id && !privileged) throw new RequestError('root or sudo privileges required to specify token id');
    const requested = (f.get('policies') as string[] | undefined) ?? [];
    const policies = resolvePolicies(caller, requested, noDefault, privileged, role);
    if (policies.includes('root') && !isRoot) {
      throw new RequestError('root tokens may not be created without parent token being root');
    }
    let orphan = orphanPath;
    if (role) orphan = role.orphan;
    else if ((f.get('no_parent') as boolean | undefined) ?? false) {
      if (!privileged) throw new RequestError('root or sudo privileges required to create orphan token');
      orphan = true;
    }
    // A role's CIDRs replace the parent's (roles may widen them, as in Vault); without a role a
    // child inherits its parent's (the store does that) and an orphan has none.
    let boundCidrs: readonly string[] | undefined = role ? role.token_bound_cidrs : undefined;
    let explicitMaxTtl = (f.get('explicit_max_ttl') as number | undefined) ?? 0;
    if (explicitMaxTtl < 0) throw new RequestError('explicit_max_ttl must be positive');
    let period = (f.get('period') as number | undefined) ?? 0;
    if (period < 0) throw new RequestError('period must be positive');
    if (period > 0 && !privileged) throw new RequestError('root or sudo privileges required to create periodic token');
    let ttl = (f.get('ttl') as number | undefined) ?? (f.get('lease') as number | undefined) ?? 0;
    if (ttl < 0) throw new RequestError('ttl must be positive');
    const warnings: string[] = [];
    if (role) {
      if (role.token_explicit_max_ttl !== 0) {
        if (explicitMaxTtl === 0) explicitMaxTtl = role.token_explicit_max_ttl;
        else {
          explicitMaxTtl = Math.min(explicitMaxTtl, role.token_explicit_max_ttl);
          warnings.push(
            `Explicit max TTL specified both during creation call and in role; using the lesser value of ${explicitMaxTtl} seconds`,
          );
        }
      }
      if (role.token_period !== 0) {
        if (period === 0) period = role.token_period;
        else {
          period = Math.min(period, role.token_period);
          warnings.push(
            `Period specified both during creation call and in role; using the lesser value of ${period} seconds`,
          );
        }
      }
    }
    if (period > 0 || ttl > 0 || !policies.includes('root')) {
      const now = req.now;
      const calculated = resolveTokenTtl({
        increment: 0,
        ttl,
        period,
        backendMaxTtl: 0,
        explicitMaxTtl,
        mountMaxTtl: SYSTEM_MAX_TOKEN_TTL,
        mountDefaultTtl: SYSTEM_MAX_TOKEN_TTL,
        startTime: now,
        now,
      });
      ttl = calculated.ttl;
      warnings.push(...calculated.warnings);
    }
    // Root tokens are still bound by an explicit max TTL.
    if (ttl === 0 && explicitMaxTtl > 0) ttl = explicitMaxTtl;
    if (ttl === 0) {
      if (caller.creationTtl !== 0) {
        throw new RequestError('expiring root tokens cannot create non-expiring root tokens');
      }
      renewable = false;
      boundCidrs = [];
    }
    const meta = f.get('meta') as Record<string, unknown> | undefined;
    const { token, entry } = await store.create({
      ...(id ? { id } : {}),
      displayName: tokenDisplayName((f.get('display_name') as string | undefined) ?? ''),
      policies,
      meta: meta ? toStringMap(meta) : null,
      numUses,
      ttl,
      explicitMaxTtl,
      renewable,
      ...(orphan ? {} : { parent: caller.hash }),
      // As Vault: a child token carries its parent's entity; an orphan has none.
      ...(!orphan && caller.entityId ? { entityId: caller.entityId } : {}),
      ...(boundCidrs ? { boundCidrs } : {}),
      ...(period > 0 ? { period } : {}),
      ...(role ? { role: role.name } : {}),
      path,
    });
    for (const p of policies) {
      if (p !== 'default' && p !== 'root' && !(await policyExists(p))) warnings.push(`Policy "${p}" does not exist`);
    }
    return { data: null, auth: authBlock(token, entry, ttl, identityPolicies(entry.entityId)), warnings };
  }

  /**
   * The new token's policies, as Vault's handleCreateCommon decides them: a role with allowed or
   * disallowed policies bounds them (and may grant policies the parent lacks); otherwise they are
   * the parent's when none are asked for, and must be a subset of the parent's (its entity's
   * included) unless the caller is root or has sudo.
   */
  function resolvePolicies(
    caller: TokenEntry,
    requested: readonly string[],
    noDefault: boolean,
    privileged: boolean,
    role: TokenRole | undefined,
  ): string[] {
    let addDefault = false;
    let chosen: readonly string[] = requested;
    if (
      role &&
      (role.allowed_policies.length > 0 ||
        role.disallowed_policies.length > 0 ||
        role.allowed_policies_glob.length > 0 ||
        role.disallowed_policies_glob.length > 0)
    ) {
      const localAddDefault =
        !noDefault &&
        !role.token_no_default_policy &&
        !role.disallowed_policies.includes('default') &&
        !matchesGlob(role.disallowed_policies_glob, 'default');
      let final = requested.length > 0 ? sanitizePolicies(requested, localAddDefault) : [];
      if (role.allowed_policies.length > 0 || role.allowed_policies_glob.length > 0) {
        const allowed = sanitizePolicies(role.allowed_policies, localAddDefault);
        if (final.length === 0) final = allowed;
        else {
          const globs = sanitizePolicies(role.allowed_policies_glob, false);
          for (const p of final) {
            if (!allowed.includes(p) && !matchesGlob(globs, p)) {
              throw new RequestError(
                `token policies (${goQuoteList(final)}) must be subset of the role's allowed policies (${goQuoteList(allowed)}) or glob policies (${goQuoteList(globs)})`,
              );
            }
          }
        }
      } else if (final.length === 0) {
        final = sanitizePolicies(caller.policies, localAddDefault);
      }
      for (const p of final) {
        if (role.disallowed_policies.includes(p) || matchesGlob(role.disallowed_policies_glob, p)) {
          throw new RequestError(`token policy ${JSON.stringify(p)} is disallowed by this role`);
        }
      }
      chosen = final;
    } else if (requested.length === 0) {
      // Inherit the parent's; `default` only if the parent has it.
      chosen = sanitizePolicies(caller.policies, false);
    } else if (!privileged) {
      // As Vault: the parent's entity policies count as the parent's.
      const parent = new Set([...caller.policies, ...identityPolicies(caller.entityId)]);
      if (sanitizePolicies(requested, false).some((p) => p !== 'default' && !parent.has(p))) {
        throw new RequestError('child policies must be subset of parent');
      }
      addDefault = !noDefault && caller.policies.includes('default');
    } else {
      addDefault = !noDefault;
    }
    let policies = sanitizePolicies(chosen, addDefault);
    if (noDefault) policies = policies.filter((p) => p !== 'default');
    // A token with root and others is a root token: `root` alone.
    return policies.includes('root') ? ['root'] : policies;
  }

  /** The token a `token` parameter names (the caller's when none, as Vault's lookup), or undefined. */
  async function named(req: LogicalRequest, fallBackToCaller = false): Promise<{ token: string; entry?: TokenEntry }> {
    let token = (req.fields.get('token') as string | undefined) ?? '';
    if (token === '' && fallBackToCaller) token = req.clientToken ?? '';
    if (token === '') throw new RequestError('missing token ID');
    const entry = await store.lookup(token);
    return { token, ...(entry ? { entry } : {}) };
  }

  async function byAccessor(req: LogicalRequest): Promise<TokenEntry> {
    const accessor = (req.fields.get('accessor') as string | undefined) ?? '';
    if (accessor === '') throw new RequestError('missing accessor');
    const entry = await store.byAccessor(accessor);
    if (!entry) throw new RequestError('invalid accessor');
    return entry;
  }

  async function renew(token: string, entry: TokenEntry, req: LogicalRequest) {
    // As Vault's authRenew: a role's token is renewed with the role's current period and explicit max TTL.
    let limits: RenewLimits | undefined;
    if (entry.role !== undefined) {
      const role = await readTokenRole(req.storage, entry.role);
      if (!role)
        throw new InternalError(`original token role ${JSON.stringify(entry.role)} could not be found, not renewing`);
      limits = { period: role.token_period, explicitMaxTtl: role.token_explicit_max_ttl };
    }
    const { entry: renewed, warnings } = await store.renew(
      entry,
      (req.fields.get('increment') as number | undefined) ?? 0,
      limits,
    );
    return {
      data: null,
      auth: authBlock(token, renewed, store.ttlOf(renewed), identityPolicies(renewed.entityId)),
      ...(warnings.length > 0 ? { warnings: [...warnings] } : {}),
    };
  }

  const path = (
    pattern: RegExp,
    fields: PathSpec['fields'],
    operations: PathSpec['operations'],
    sudo = false,
  ): PathSpec => ({
    pattern,
    fields,
    operations,
    ...(sudo ? { sudo } : {}),
  });

  const lookup = (id: string, entry: TokenEntry) => ({
    data: lookupData(id, entry, store.ttlOf(entry), identityPolicies(entry.entityId)),
  });
  const lookupSelf = async (req: LogicalRequest) => lookup(req.clientToken ?? '', req.token!);

  return {
    type: 'token',
    paths: [
      path(/^create$/, TOKEN_CREATE_FIELDS, { update: (req) => create(req, false) }),
      // Not root-protected (Vault's create-orphan "can be properly ACLd"): a policy granting it is enough.
      path(/^create-orphan$/, TOKEN_CREATE_FIELDS, { update: (req) => create(req, true) }),
      path(new RegExp(`^create/${ROLE_NAME}$`), TOKEN_CREATE_FIELDS, {
        async update(req) {
          const name = req.captures.role_name!;
          const role = await readTokenRole(req.storage, name);
          if (!role) throw new RequestError(`unknown role ${name}`);
          return create(req, false, role);
        },
      }),
      ...TOKEN_ROLE_PATHS,
      path(/^lookup-self$/, {}, { read: lookupSelf, update: lookupSelf }),
      path(/^lookup$/, BY_TOKEN_FIELDS, {
        async update(req) {
          const { token, entry } = await named(req, true);
          // Vault's handleLookup: an error response with ErrPermissionDenied, so 403 `bad token`.
          if (!entry) throw new ForbiddenError('bad token');
          return lookup(token, entry);
        },
      }),
      path(/^lookup-accessor$/, BY_ACCESSOR_FIELDS, {
        async update(req) {
          return lookup('', await byAccessor(req));
        },
      }),
      path(/^renew-self$/, RENEW_SELF_FIELDS, {
        update: (req) => renew(req.clientToken!, req.token!, req),
      }),
      path(/^renew$/, RENEW_FIELDS, {
        async update(req) {
          const { token, entry } = await named(req);
          if (!entry) throw new RequestError('token not found');
          return renew(token, entry, req);
        },
      }),
      path(
        /^revoke-self$/,
        {},
        {
          async update(req) {
            await store.revoke(req.token!);
            return undefined;
          },
        },
      ),
      path(/^revoke$/, BY_TOKEN_FIELDS, {
        async update(req) {
          // As Vault's revokeCommon: an unknown token is already revoked (204).
          const { entry } = await named(req);
          if (entry) await store.revoke(entry);
          return undefined;
        },
      }),
      path(/^revoke-accessor$/, BY_ACCESSOR_FIELDS, {
        async update(req) {
          await store.revoke(await byAccessor(req));
          return undefined;
        },
      }),
      path(
        /^revoke-orphan$/,
        BY_TOKEN_FIELDS,
        {
          async update(req) {
            const { entry } = await named(req);
            if (!entry) throw new RequestError('token to revoke not found');
            await store.revokeOrphan(entry);
            return undefined;
          },
        },
        true,
      ),
    ],
  };
}
