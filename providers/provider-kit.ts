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
