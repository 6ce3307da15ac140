// The one validator and the spec ⇄ wire mapper of an identity entity alias (`identity/entity-alias`,
// issue 18, point 3): Vault's own refusal (a name and a mount accessor) with the server's message,
// then our rule, which only the Pulumi and CDKTF surfaces apply: the alias names its entity (without
// `canonicalId` Vault makes a new entity at each write).

import type { Issue } from './errors.js';

/** An identity entity alias in camelCase, as the IaC surfaces take it. */
export interface IdentityEntityAliasSpec {
  /**
   * The alias name: what the auth method calls the user, e.g. a userpass username or, for a JWT
   * role, the value of its `userClaim`.
   */
  readonly name: string;
  /** The entity it belongs to (an IdentityEntity's `id`). */
  readonly canonicalId: string;
  /** The auth method's accessor (an AuthMethod's or JwtAuthBackend's `accessor`). */
  readonly mountAccessor: string;
}

/**
 * Every problem of an alias the IaC surfaces write, fields in camelCase. (An input not known yet,
 * Pulumi's unknown value or a Terraform reference, is a non-empty string and passes.)
 */
export function validateIdentityEntityAliasSpec(spec: IdentityEntityAliasSpec): Issue[] {
  const issues: Issue[] = [];
  const empty = (field: keyof IdentityEntityAliasSpec) => typeof spec[field] !== 'string' || spec[field] === '';
  if (empty('name') || empty('mountAccessor')) {
    issues.push({
      field: empty('name') ? 'name' : 'mountAccessor',
      message: "'id' or 'mount_accessor' and 'name' must be provided",
    });
  }
  if (empty('canonicalId')) {
    issues.push({
      field: 'canonicalId',
      message: 'give canonicalId, the id of the entity the alias belongs to: without it each write makes a new entity',
    });
  }
  return issues;
}

/** The `identity/entity-alias` body of a valid spec. */
export function identityEntityAliasSpecToWire(spec: IdentityEntityAliasSpec): Record<string, unknown> {
  return { name: spec.name, canonical_id: spec.canonicalId, mount_accessor: spec.mountAccessor };
}

/** An alias as Vault reads it back, in the form `identityEntityAliasSpecToWire` writes. */
export function identityEntityAliasWireFromRead(data: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return { name: data.name, canonical_id: data.canonical_id, mount_accessor: data.mount_accessor };
}
