// `IdentityEntityAlias`: an alias of an identity entity (identity/entity-alias): the name an auth
// method knows a user or job by (a userpass username; the value of a JWT role's user claim) on that
// method's accessor, tied to an entity, so its logins get the entity's policies and identity.
// Nothing replaces it: every input updates in place (the id stays). Outputs: `id`, its inputs;
// `token` is secret.

import * as pulumi from '@pulumi/pulumi';
import {
  deleteIdentityEntityAlias,
  readIdentityEntityAlias,
  writeIdentityEntityAlias,
} from '../client/identity-api.js';
import {
  identityEntityAliasSpecToWire,
  identityEntityAliasWireFromRead,
  validateIdentityEntityAliasSpec,
  type IdentityEntityAliasSpec,
} from '../core/identity-entity-alias-spec.js';
import { connect, type ConnectionInputs } from './connection.js';
import { checkFailures } from './provider-kit.js';
import { resourceArgs, type ConnectionArgs } from './resource-kit.js';

/** What the IdentityEntityAlias provider receives. */
export interface IdentityEntityAliasInputs extends ConnectionInputs, IdentityEntityAliasSpec {}

/** The dynamic provider behind IdentityEntityAlias (serialized into the stack's state). */
export const identityEntityAliasProvider: pulumi.dynamic.ResourceProvider = {
  async check(_olds, news: IdentityEntityAliasInputs) {
    return { inputs: news, failures: checkFailures(validateIdentityEntityAliasSpec(news)) };
  },
  async diff(_id, olds: IdentityEntityAliasInputs, news: IdentityEntityAliasInputs) {
    const changed =
      JSON.stringify(identityEntityAliasSpecToWire(olds)) !== JSON.stringify(identityEntityAliasSpecToWire(news)) ||
      olds.address !== news.address ||
      olds.token !== news.token;
    return { changes: changed, replaces: [], deleteBeforeReplace: false };
  },
  async create(inputs: IdentityEntityAliasInputs) {
    const id = await writeIdentityEntityAlias(connect(inputs), identityEntityAliasSpecToWire(inputs));
    return { id, outs: inputs };
  },
  async read(id, props: IdentityEntityAliasInputs) {
    const alias = await readIdentityEntityAlias(connect(props), id);
    if (!alias) return {};
    const actual = identityEntityAliasWireFromRead(alias);
    if (JSON.stringify(actual) === JSON.stringify(identityEntityAliasSpecToWire(props))) return { id, props };
    return {
      id,
      props: { ...props, name: actual.name, canonicalId: actual.canonical_id, mountAccessor: actual.mount_accessor },
    };
  },
  async update(id, _olds, news: IdentityEntityAliasInputs) {
    await writeIdentityEntityAlias(connect(news), identityEntityAliasSpecToWire(news), id);
    return { outs: news };
  },
  async delete(id, props: IdentityEntityAliasInputs) {
    await deleteIdentityEntityAlias(connect(props), id);
  },
};

/** Arguments of an IdentityEntityAlias. Every input updates in place. */
export interface IdentityEntityAliasArgs extends ConnectionArgs {
  /** The name the auth method knows the user or job by, e.g. a JWT role's user claim value. */
  readonly name: pulumi.Input<string>;
  /** The entity it belongs to (an IdentityEntity's `id`). */
  readonly canonicalId: pulumi.Input<string>;
  /** The auth method's accessor (an AuthMethod's or JwtAuthBackend's `accessor`). */
  readonly mountAccessor: pulumi.Input<string>;
}

/** An identity entity alias (`identity/entity-alias/id/<id>`). Outputs: `id` and its inputs; `token` is secret. */
export class IdentityEntityAlias extends pulumi.dynamic.Resource {
  /** The alias name. */
  declare readonly name: pulumi.Output<string>;
  /** The entity it belongs to. */
  declare readonly canonicalId: pulumi.Output<string>;

  constructor(name: string, args: IdentityEntityAliasArgs, opts?: pulumi.CustomResourceOptions) {
    super(...resourceArgs(identityEntityAliasProvider, 'IdentityEntityAlias', name, args, opts));
  }
}
