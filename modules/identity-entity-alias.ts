// `IdentityEntityAlias`: a `vault_identity_entity_alias`, the CDKTF twin of the Pulumi
// `IdentityEntityAlias` (issue 18): the name an auth method knows a user or job by, tied to an
// entity. Checked at synthesis by the same validator (core/identity-entity-alias-spec.ts).

import { IdentityEntityAlias as VaultIdentityEntityAlias } from '@cdktf/provider-vault/lib/identity-entity-alias/index.js';
import { Construct } from 'constructs';
import { validateIdentityEntityAliasSpec } from '../core/identity-entity-alias-spec.js';
import { validateWith } from './validation.js';

/** Props of an IdentityEntityAlias. */
export interface IdentityEntityAliasProps {
  /** The name the auth method knows the user or job by, e.g. a JWT role's user claim value. */
  readonly name: string;
  /** The entity it belongs to (an IdentityEntity's `id`). */
  readonly canonicalId: string;
  /** The auth method's accessor (a JwtAuthBackend's `accessor`). */
  readonly mountAccessor: string;
}

/** An identity entity alias (construct id `alias`). */
export class IdentityEntityAlias extends Construct {
  /** The `vault_identity_entity_alias` resource. */
  readonly alias: VaultIdentityEntityAlias;
  /** The alias id (a Terraform reference). */
  readonly id: string;

  constructor(scope: Construct, id: string, props: IdentityEntityAliasProps) {
    super(scope, id);
    validateWith(this, () => validateIdentityEntityAliasSpec(props));
    this.alias = new VaultIdentityEntityAlias(this, 'alias', {
      name: props.name,
      canonicalId: props.canonicalId,
      mountAccessor: props.mountAccessor,
    });
    this.id = this.alias.id;
  }
}
