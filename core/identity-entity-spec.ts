// The one validator and the spec ⇄ wire mapper of an identity entity (`identity/entity`, issue 18,
// point 3): Vault's own refusal (`policies cannot contain root`) with the server's message, then our
// rules, which only the Pulumi and CDKTF surfaces apply: an entity is named (Vault would generate a
// name, so the program could not find it again), with a name that reads well in templates.

import type { Issue } from './errors.js';

/** An identity entity in camelCase, as the IaC surfaces take it. */
export interface IdentityEntitySpec {
  /** The entity's name, e.g. `ci-infra-deploy` (`{{identity.entity.name}}` in templates). */
  readonly name: string;
  /** Key/value metadata (`{{identity.entity.metadata.<key>}}` in templates). @default - none */
  readonly metadata?: Readonly<Record<string, string>>;
  /** Policies every token of the entity gets, besides its own. @default - none */
  readonly policies?: readonly string[];
  /** Refuse the entity's tokens (they are not revoked). @default - false */
  readonly disabled?: boolean;
}

/** Our naming rule for entities. */
const ENTITY_NAME = /^[A-Za-z0-9][A-Za-z0-9_.@-]*$/;

/** Every problem of an entity the IaC surfaces write, fields in camelCase. */
export function validateIdentityEntitySpec(spec: IdentityEntitySpec): Issue[] {
  const issues: Issue[] = [];
  if ((spec.policies ?? []).includes('root'))
    issues.push({ field: 'policies', message: 'policies cannot contain root' });
  if (typeof spec.name !== 'string' || !ENTITY_NAME.test(spec.name)) {
    issues.push({
      field: 'name',
      message: `invalid entity name ${JSON.stringify(spec.name ?? '')}: use letters, digits, _ . @ -, starting with a letter or digit`,
    });
  }
  for (const [k, v] of Object.entries(spec.metadata ?? {})) {
    if (typeof v !== 'string') issues.push({ field: 'metadata', message: `metadata ${k} must be a string` });
  }
  return issues;
}

/** The `identity/entity` body of a valid spec: every field, so an update also clears. */
export function identityEntitySpecToWire(spec: IdentityEntitySpec): Record<string, unknown> {
  return {
    name: spec.name,
    metadata: { ...(spec.metadata ?? {}) },
    policies: [...(spec.policies ?? [])],
    disabled: spec.disabled ?? false,
  };
}

/** An entity as Vault reads it back, in the form `identityEntitySpecToWire` writes. */
export function identityEntityWireFromRead(data: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return {
    name: data.name,
    metadata: { ...((data.metadata as Record<string, string> | null) ?? {}) },
    policies: [...((data.policies as string[] | null) ?? [])],
    disabled: data.disabled === true,
  };
}
