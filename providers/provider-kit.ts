// What the provider objects share: Vault-style issues as Pulumi check failures, the identity fields
// whose change forces a replacement, and dropping secrets from outputs. Nothing here imports
// @pulumi/pulumi at run time: provider objects are serialized into the stack's state.

import type * as pulumi from '@pulumi/pulumi';
import type { Issue } from '../core/errors.js';

/** Issues as Pulumi check failures. */
export const checkFailures = (issues: readonly Issue[]): pulumi.dynamic.CheckFailure[] =>
  issues.map((i) => ({ property: i.field, reason: i.message }));

/** The identity fields whose change forces a replacement. */
export function replacements(olds: object, news: object, identity: readonly string[]): string[] {
  const o = olds as Record<string, unknown>;
  const n = news as Record<string, unknown>;
  return identity.filter((k) => JSON.stringify(o[k] ?? null) !== JSON.stringify(n[k] ?? null));
}

/** `inputs` without the named keys (secrets that must not become outputs). */
export function without(inputs: object, keys: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(Object.entries(inputs).filter(([k]) => !keys.includes(k)));
}

/** `o` without undefined values (the engine's property structs cannot carry them). */
export const defined = (o: object): Record<string, unknown> =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

/** Vault's rule for a role name of an auth method (jwt, approle, token roles): as its path patterns take it. */
const ROLE_NAME = /^\w(?:[\w.-]*\w)?$/;

/** `check` of an auth method's role: the spec's issues (Vault's refusals and ours), then the role's name. */
export function checkAuthRole(
  issues: readonly Issue[],
  news: { readonly name?: unknown },
): pulumi.dynamic.CheckFailure[] {
  const all = [...issues];
  if (typeof news.name !== 'string' || !ROLE_NAME.test(news.name)) {
    all.push({
      field: 'name',
      message: `invalid role name ${JSON.stringify(news.name ?? '')}: use letters, digits, _ . -, starting and ending with a letter, digit or _`,
    });
  }
  return checkFailures(all);
}

/**
 * `diff` of an auth method's role: a new identity (mount, lower-cased name) replaces it; a new wire form
 * or connection changes it in place.
 */
export function diffAuthRole(
  identity: { readonly olds: Record<string, unknown>; readonly news: Record<string, unknown> },
  wire: { readonly olds: unknown; readonly news: unknown },
  connection: {
    readonly olds: { address?: unknown; token?: unknown };
    readonly news: { address?: unknown; token?: unknown };
  },
): pulumi.dynamic.DiffResult {
  const replaces = replacements(identity.olds, identity.news, Object.keys(identity.news));
  const changed =
    JSON.stringify(wire.olds) !== JSON.stringify(wire.news) ||
    connection.olds.address !== connection.news.address ||
    connection.olds.token !== connection.news.token;
  return { changes: replaces.length > 0 || changed, replaces, deleteBeforeReplace: false };
}
