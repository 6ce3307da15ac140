// `AuthMethod`: an auth method enabled at a path (sys/auth), e.g. `userpass`. Replaces: `path`,
// `type`. Deleting it revokes every token its logins issued and removes its users.

import * as pulumi from '@pulumi/pulumi';
import { disableAuth, enableAuth, listAuthMethods } from '../client/access-api.js';
import { validateAuthMethodSpec } from '../core/auth-method-spec.js';
import { connect, type ConnectionInputs } from './connection.js';
import { checkFailures, replacements } from './provider-kit.js';
import { resourceArgs, type ConnectionArgs } from './resource-kit.js';

/** What the AuthMethod provider receives. */
export interface AuthMethodInputs extends ConnectionInputs {
  readonly path: string;
  readonly type: string;
  readonly description?: string;
}

/** The dynamic provider behind AuthMethod (serialized into the stack's state). */
export const authMethodProvider: pulumi.dynamic.ResourceProvider = {
  async check(_olds, news: AuthMethodInputs) {
    // Vault's refusals (the token method's path), our shape rule and a type (core/auth-method-spec.ts).
    return { inputs: news, failures: checkFailures(validateAuthMethodSpec(news)) };
  },
  async diff(_id, olds: AuthMethodInputs, news: AuthMethodInputs) {
    const replaces = replacements(
      { ...olds, description: olds.description ?? '' },
      { ...news, description: news.description ?? '' },
      ['path', 'type', 'description'],
    );
    const changed = olds.address !== news.address || olds.token !== news.token;
    return { changes: replaces.length > 0 || changed, replaces, deleteBeforeReplace: replaces.length > 0 };
  },
  async create(inputs: AuthMethodInputs) {
    const client = connect(inputs);
    await enableAuth(client, inputs.path, { type: inputs.type, description: inputs.description ?? '' });
    const accessor = (await listAuthMethods(client))[`${inputs.path}/`]?.accessor ?? '';
    return { id: inputs.path, outs: { ...inputs, accessor } };
  },
  async read(id, props: AuthMethodInputs) {
    const method = (await listAuthMethods(connect(props)))[`${props.path}/`];
    return method
      ? { id, props: { ...props, type: method.type, description: method.description, accessor: method.accessor } }
      : {};
  },
  async update(_id, olds: { accessor?: string }, news: AuthMethodInputs) {
    return { outs: { ...news, accessor: olds.accessor ?? '' } };
  },
  async delete(_id, props: AuthMethodInputs) {
    await disableAuth(connect(props), props.path);
  },
};

/** Arguments of an AuthMethod. Every input replaces the method. */
export interface AuthMethodArgs extends ConnectionArgs {
  /** Where it is mounted under auth/, e.g. `userpass`. Changing it replaces the method. */
  readonly path: pulumi.Input<string>;
  /** The method type, e.g. `userpass`. Changing it replaces the method. */
  readonly type: pulumi.Input<string>;
  /** Shown by `vault auth list`. Changing it replaces the method. @default - empty */
  readonly description?: pulumi.Input<string>;
}

/** An enabled auth method (`sys/auth/<path>`). Outputs: `path`, `accessor`; `token` is secret. */
export class AuthMethod extends pulumi.dynamic.Resource {
  /** Where it is mounted under auth/. */
  declare readonly path: pulumi.Output<string>;
  /** The method's accessor, e.g. for identity aliases. */
  declare readonly accessor: pulumi.Output<string>;

  constructor(name: string, args: AuthMethodArgs, opts?: pulumi.CustomResourceOptions) {
    super(...resourceArgs(authMethodProvider, 'AuthMethod', name, { ...args, accessor: undefined }, opts));
  }
}
