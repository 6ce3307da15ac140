// The token auth method (`auth/token/`, reference §5.3): create (child and orphan tokens, with
// policies no wider than the parent's unless root or sudo), lookups, renewals and revocations.

import { RequestError } from '../../core/errors.js';
import { toStringMap, type FieldSchema } from '../../core/fields.js';
import { TOKEN_CREATE_FIELDS } from '../../core/path-fields.js';
import type { Backend, LogicalRequest, PathSpec } from '../framework.js';
import { authBlock, lookupData } from './auth-block.js';
import { RESTRICTED_USE, SYSTEM_MAX_TOKEN_TTL, type TokenEntry, type TokenStore } from './token-store.js';

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
  async function create(req: LogicalRequest, orphanPath: boolean) {
    // Looked up afresh, as Vault's handleCreateCommon does: a token on its last use is already gone
    // (its revocation is pending), and one with uses left could escape its count through a child.
    const caller = await store.byHash(req.token!.hash);
    if (!caller) throw new RequestError('parent token lookup failed: no parent found');
    if (caller.numUses > 0) throw new RequestError(RESTRICTED_USE);
    const f = req.fields;
    const isRoot = caller.policies.includes('root');
    const privileged = isRoot || req.sudo;
    const id = f.get('id') as string | undefined;
    if (id && !privileged) throw new RequestError('root or sudo privileges required to specify token id');
    const noParent = (f.get('no_parent') as boolean | undefined) ?? false;
    if (noParent && !privileged) throw new RequestError('root or sudo privileges required to create orphan token');
    const type = (f.get('type') as string | undefined) ?? 'service';
    if (type !== 'service' && type !== '')
      throw new RequestError(`unsupported token type "${type}": only service tokens`);
    const numUses = (f.get('num_uses') as number | undefined) ?? 0;
    if (numUses < 0) throw new RequestError('number of uses cannot be negative');
    const noDefault = (f.get('no_default_policy') as boolean | undefined) ?? false;
    const requested = (f.get('policies') as string[] | undefined) ?? caller.policies.filter((p) => p !== 'default');
    if (!isRoot) {
      // As Vault: the parent's entity policies count as the parent's.
      const parent = new Set([...caller.policies, ...identityPolicies(caller.entityId)]);
      if (requested.some((p) => p.toLowerCase() !== 'default' && !parent.has(p.toLowerCase()))) {
        throw new RequestError('child policies must be subset of parent');
      }
    }
    const policies = tokenPolicies(requested, noDefault);
    const explicitMaxTtl = (f.get('explicit_max_ttl') as number | undefined) ?? 0;
    const ttl = effectiveTokenTtl(
      (f.get('ttl') as number | undefined) ?? (f.get('lease') as number | undefined) ?? 0,
      explicitMaxTtl,
      policies,
      SYSTEM_MAX_TOKEN_TTL,
    );
    const meta = f.get('meta') as Record<string, unknown> | undefined;
    const orphan = orphanPath || noParent;
    const { token, entry } = await store.create({
      ...(id ? { id } : {}),
      displayName: tokenDisplayName((f.get('display_name') as string | undefined) ?? ''),
      policies,
      meta: meta ? toStringMap(meta) : null,
      numUses,
      ttl,
      explicitMaxTtl,
      renewable: (f.get('renewable') as boolean | undefined) ?? true,
      ...(orphan ? {} : { parent: caller.hash }),
      // As Vault: a child token carries its parent's entity; an orphan has none.
      ...(!orphan && caller.entityId ? { entityId: caller.entityId } : {}),
      path: orphanPath ? 'auth/token/create-orphan' : 'auth/token/create',
    });
    const warnings: string[] = [];
    for (const p of policies) {
      if (p !== 'default' && p !== 'root' && !(await policyExists(p))) warnings.push(`Policy "${p}" does not exist`);
    }
    return { data: null, auth: authBlock(token, entry, ttl, identityPolicies(entry.entityId)), warnings };
  }

  /** The entry a `token` parameter names, or Vault's error. */
  async function named(req: LogicalRequest): Promise<{ token: string; entry: TokenEntry }> {
    const token = (req.fields.get('token') as string | undefined) ?? '';
    if (token === '') throw new RequestError('missing token');
    const entry = await store.lookup(token);
    if (!entry) throw new RequestError('bad token');
    return { token, entry };
  }

  async function byAccessor(req: LogicalRequest): Promise<TokenEntry> {
    const accessor = (req.fields.get('accessor') as string | undefined) ?? '';
    if (accessor === '') throw new RequestError('missing accessor');
    const entry = await store.byAccessor(accessor);
    if (!entry) throw new RequestError('invalid accessor');
    return entry;
  }

  async function renew(token: string, entry: TokenEntry, req: LogicalRequest) {
    const renewed = await store.renew(entry, (req.fields.get('increment') as number | undefined) ?? 0);
    return {
      data: null,
      auth: authBlock(token, renewed, store.ttlOf(renewed), identityPolicies(renewed.entityId)),
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
      path(/^create-orphan$/, TOKEN_CREATE_FIELDS, { update: (req) => create(req, true) }, true),
      path(/^lookup-self$/, {}, { read: lookupSelf, update: lookupSelf }),
      path(/^lookup$/, BY_TOKEN_FIELDS, {
        async update(req) {
          const { token, entry } = await named(req);
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
          await store.revoke((await named(req)).entry);
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
            await store.revokeOrphan((await named(req)).entry);
            return undefined;
          },
        },
        true,
      ),
    ],
  };
}
