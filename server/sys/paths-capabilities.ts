// `sys/capabilities`, `sys/capabilities-self` and `sys/capabilities-accessor` (what `vault token
// capabilities` and client libraries call), answered as Vault's `handleCapabilities` answers: the
// capabilities of a token on each path, from the same compiled ACL that authorises requests (the
// token's policies and its identity entity's).

import { InternalError, RequestError } from '../../core/errors.js';
import type { FieldSchema } from '../../core/fields.js';
import { multiError, type LogicalRequest, type PathSpec } from '../framework.js';
import { allPolicies } from '../auth/auth-block.js';
import type { TokenEntry, TokenStore } from '../auth/token-store.js';
import type { PolicyStore } from '../policy-store.js';

/** The capabilities paths' parameters, described as in Vault's logical_system.go. */
const FIELDS: FieldSchema = {
  path: { type: 'comma-string-slice', description: "Use 'paths' instead (deprecated)." },
  paths: { type: 'comma-string-slice', description: 'Paths on which capabilities are being queried.' },
  token: { type: 'string', description: 'Token for which capabilities are being queried.' },
  accessor: { type: 'string', description: 'Accessor of the token for which capabilities are being queried.' },
};

/**
 * Vault's `Core.Capabilities` of one path: `["root"]` for a root token, `["deny"]` when the path
 * grants nothing (or denies), else the granted capabilities sorted (Go's `sort.Strings`). Looked up
 * as a list is, as Vault does, so `ssh/roles/` also finds a rule for `ssh/roles`.
 */
export async function capabilitiesOf(
  policies: PolicyStore,
  tokenPolicies: readonly string[],
  path: string,
): Promise<string[]> {
  const acl = await policies.acl(tokenPolicies);
  if (acl.root) return ['root'];
  const caps = [...acl.capabilities(path)].sort();
  return caps.length === 0 ? ['deny'] : caps;
}

/** The system backend's capabilities paths. */
export function capabilitiesPaths(
  tokens: TokenStore,
  policies: PolicyStore,
  identityPolicies: (entityId: string | undefined) => readonly string[],
): PathSpec[] {
  /** handleCapabilities, the token given as its string or, for an accessor, already looked up. */
  async function answer(req: LogicalRequest, token: string | TokenEntry) {
    // Vault's StatusBadRequest errors travel as errors: 400, in go-multierror's wrapping.
    const badRequest = (message: string) => new RequestError(multiError(message));
    if (token === '') throw new InternalError('no token found');
    let paths = (req.fields.get('paths') as string[] | undefined) ?? [];
    if (paths.length === 0) paths = (req.fields.get('path') as string[] | undefined) ?? [];
    if (paths.length === 0) throw new RequestError('paths must be supplied');
    const entry = typeof token === 'string' ? await tokens.lookup(token) : token;
    const data: Record<string, unknown> = {};
    for (const path of paths) {
      if (path === '') throw badRequest('missing path');
      if (!entry) throw badRequest('invalid token');
      data[path] = await capabilitiesOf(policies, allPolicies(entry.policies, identityPolicies(entry.entityId)), path);
    }
    // Only for backwards compatibility in Vault: one path also answers as `capabilities`.
    if (paths.length === 1) data.capabilities = data[paths[0]!];
    // Go encodes a map with its keys sorted.
    return { data: Object.fromEntries(Object.entries(data).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) };
  }

  // Deliberately raw: Vault's handleCapabilities reads `d.Raw["token"].(string)`, not the coerced field,
  // so a non-string token counts as none ("no token found") rather than being stringified.
  const rawToken = (req: LogicalRequest): string => (typeof req.data.token === 'string' ? req.data.token : '');

  return [
    {
      pattern: /^capabilities$/,
      fields: FIELDS,
      operations: { update: (req) => answer(req, rawToken(req)) },
    },
    {
      pattern: /^capabilities-self$/,
      fields: FIELDS,
      operations: { update: (req) => answer(req, req.clientToken ?? '') },
    },
    {
      pattern: /^capabilities-accessor$/,
      fields: FIELDS,
      operations: {
        async update(req) {
          const accessor = (req.fields.get('accessor') as string | undefined) ?? '';
          if (accessor === '') throw new RequestError('missing accessor');
          const entry = await tokens.byAccessor(accessor);
          if (!entry) throw new RequestError(multiError('invalid accessor'));
          return answer(req, entry);
        },
      },
    },
  ];
}
