// `IdentityEntity`: a `vault_identity_entity`, the CDKTF twin of the Pulumi `IdentityEntity`
// (issue 18): a named identity whose policies every token of its aliases gets. Checked at synthesis
// by the same validator (core/identity-entity-spec.ts).

import { IdentityEntity as VaultIdentityEntity } from '@cdktf/provider-vault/lib/identity-entity/index.js';
import { Construct } from 'constructs';
import { validateIdentityEntitySpec } from '../core/identity-entity-spec.js';
import { validateWith } from './validation.js';

/** Props of an IdentityEntity. */
export interface IdentityEntityProps {
  /** The entity's name (`{{identity.entity.name}}`): letters, digits, _ . @ -. */
  readonly name: string;
  /** Key/value metadata (`{{identity.entity.metadata.<key>}}`). @default - none */
  readonly metadata?: Readonly<Record<string, string>>;
  /** Policies every token of the entity gets, besides its own. @default - none */
  readonly policies?: readonly string[];
  /** Refuse the entity's tokens (they are not revoked). @default - false */
  readonly disabled?: boolean;
}

/** An identity entity (construct id `entity`). */
export class IdentityEntity extends Construct {
  /** The `vault_identity_entity` resource. */
  readonly entity: VaultIdentityEntity;
  /** The entity id (a Terraform reference), for aliases. */
  readonly id: string;
  /** The entity's name. */
  readonly name: string;

  constructor(scope: Construct, id: string, props: IdentityEntityProps) {
    super(scope, id);
    validateWith(this, () => validateIdentityEntitySpec(props));
    this.entity = new VaultIdentityEntity(this, 'entity', {
      name: props.name,
      ...(props.metadata && Object.keys(props.metadata).length > 0 ? { metadata: { ...props.metadata } } : {}),
      ...(props.policies?.length ? { policies: [...props.policies] } : {}),
      ...(props.disabled ? { disabled: true } : {}),
    });
    this.id = this.entity.id;
    this.name = this.entity.name;
  }
}
