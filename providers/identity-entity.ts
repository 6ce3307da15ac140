// `IdentityEntity`: an entity of Vault's identity store (identity/entity): a named identity whose
// policies every token of its aliases gets, and whose name and metadata identity templates use.
// Nothing replaces it: every input updates in place (the id stays). Outputs: `id` (the entity id,
// for aliases), its inputs; `token` is secret.

import * as pulumi from '@pulumi/pulumi';
import { deleteIdentityEntity, readIdentityEntity, writeIdentityEntity } from '../client/identity-api.js';
import {
  identityEntitySpecToWire,
  identityEntityWireFromRead,
  validateIdentityEntitySpec,
  type IdentityEntitySpec,
} from '../core/identity-entity-spec.js';
import { connect, type ConnectionInputs } from './connection.js';
import { checkFailures } from './provider-kit.js';
import { resourceArgs, type ConnectionArgs } from './resource-kit.js';

/** What the IdentityEntity provider receives. */
export interface IdentityEntityInputs extends ConnectionInputs, IdentityEntitySpec {}

/** The dynamic provider behind IdentityEntity (serialized into the stack's state). */
export const identityEntityProvider: pulumi.dynamic.ResourceProvider = {
  async check(_olds, news: IdentityEntityInputs) {
    return { inputs: news, failures: checkFailures(validateIdentityEntitySpec(news)) };
  },
  async diff(_id, olds: IdentityEntityInputs, news: IdentityEntityInputs) {
    const changed =
      JSON.stringify(identityEntitySpecToWire(olds)) !== JSON.stringify(identityEntitySpecToWire(news)) ||
      olds.address !== news.address ||
      olds.token !== news.token;
    return { changes: changed, replaces: [], deleteBeforeReplace: false };
  },
  async create(inputs: IdentityEntityInputs) {
    const id = await writeIdentityEntity(connect(inputs), identityEntitySpecToWire(inputs));
    return { id, outs: inputs };
  },
  async read(id, props: IdentityEntityInputs) {
    const entity = await readIdentityEntity(connect(props), id);
    if (!entity) return {};
    const actual = identityEntityWireFromRead(entity);
    if (JSON.stringify(actual) === JSON.stringify(identityEntitySpecToWire(props))) return { id, props };
    return {
      id,
      props: {
        ...props,
        name: actual.name,
        metadata: actual.metadata,
        policies: actual.policies,
        disabled: actual.disabled,
      },
    };
  },
  async update(id, _olds, news: IdentityEntityInputs) {
    await writeIdentityEntity(connect(news), identityEntitySpecToWire(news), id);
    return { outs: news };
  },
  async delete(id, props: IdentityEntityInputs) {
    await deleteIdentityEntity(connect(props), id);
  },
};

/** Arguments of an IdentityEntity. Every input updates in place. */
export interface IdentityEntityArgs extends ConnectionArgs {
  /** The entity's name (`{{identity.entity.name}}`): letters, digits, _ . @ -. */
  readonly name: pulumi.Input<string>;
  /** Key/value metadata (`{{identity.entity.metadata.<key>}}`). @default - none */
  readonly metadata?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /** Policies every token of the entity gets, besides its own. @default - none */
  readonly policies?: pulumi.Input<pulumi.Input<string>[]>;
  /** Refuse the entity's tokens (they are not revoked). @default - false */
  readonly disabled?: pulumi.Input<boolean>;
}

/** An identity entity (`identity/entity/id/<id>`). Outputs: `id`, `name`; `token` is secret. */
export class IdentityEntity extends pulumi.dynamic.Resource {
  /** The entity's name. */
  declare readonly name: pulumi.Output<string>;

  constructor(name: string, args: IdentityEntityArgs, opts?: pulumi.CustomResourceOptions) {
    super(...resourceArgs(identityEntityProvider, 'IdentityEntity', name, args, opts));
  }
}
