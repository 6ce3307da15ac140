// `UserpassUser`: a user of a userpass auth method with the policies and TTLs its logins get.
// Replaces: `mount`, `username`. Updates in place: `password` (a secret, kept only as a secret in
// the state), policies and TTLs.

import * as pulumi from '@pulumi/pulumi';
import { deleteUserpassUser, readUserpassUser, writeUserpassUser } from '../client/access-api.js';
import { parseDurationSeconds } from '../core/duration.js';
import { renameIssueFields } from '../core/issue-fields.js';
import { validateUserpassUserSpec } from '../core/userpass-user-spec.js';
import { connect, type ConnectionInputs } from './connection.js';
import { checkFailures, replacements } from './provider-kit.js';
import { resourceArgs, type ConnectionArgs } from './resource-kit.js';

/** What the UserpassUser provider receives. */
export interface UserpassUserInputs extends ConnectionInputs {
  readonly mount?: string;
  readonly username: string;
  readonly password: string;
  readonly tokenPolicies?: readonly string[];
  readonly tokenTtl?: string | number;
  readonly tokenMaxTtl?: string | number;
}

/** Vault's field names → this resource's inputs. */
const TOKEN_INPUTS = { token_policies: 'tokenPolicies', token_ttl: 'tokenTtl', token_max_ttl: 'tokenMaxTtl' };
const mountOf = (i: UserpassUserInputs) => i.mount ?? 'userpass';
const seconds = (v: string | number | undefined) => (v === undefined ? 0 : parseDurationSeconds(v));
const settings = (i: UserpassUserInputs) => ({
  token_policies: [...(i.tokenPolicies ?? [])].sort(),
  token_ttl: seconds(i.tokenTtl),
  token_max_ttl: seconds(i.tokenMaxTtl),
});
const body = (i: UserpassUserInputs) => ({ password: i.password, ...settings(i) });

/** The dynamic provider behind UserpassUser (serialized into the stack's state). */
export const userpassUserProvider: pulumi.dynamic.ResourceProvider = {
  async check(_olds, news: UserpassUserInputs) {
    // Vault's refusals (its routes, field coercion, `missing password`) and our password rule
    // (core/userpass-user-spec.ts), named by this resource's inputs.
    const issues = renameIssueFields(validateUserpassUserSpec(news), TOKEN_INPUTS);
    return { inputs: news, failures: checkFailures(issues) };
  },
  async diff(_id, olds: UserpassUserInputs, news: UserpassUserInputs) {
    const replaces = replacements(
      { ...olds, mount: mountOf(olds), username: olds.username.toLowerCase() },
      { ...news, mount: mountOf(news), username: news.username.toLowerCase() },
      ['mount', 'username'],
    );
    const changed =
      JSON.stringify(settings(olds)) !== JSON.stringify(settings(news)) ||
      olds.password !== news.password ||
      olds.address !== news.address ||
      olds.token !== news.token;
    return { changes: replaces.length > 0 || changed, replaces, deleteBeforeReplace: false };
  },
  async create(inputs: UserpassUserInputs) {
    await writeUserpassUser(connect(inputs), mountOf(inputs), inputs.username, body(inputs));
    return { id: `auth/${mountOf(inputs)}/users/${inputs.username.toLowerCase()}`, outs: inputs };
  },
  async read(id, props: UserpassUserInputs) {
    const user = await readUserpassUser(connect(props), mountOf(props), props.username);
    if (!user) return {};
    const actual = {
      token_policies: [...((user.token_policies as string[] | undefined) ?? [])].sort(),
      token_ttl: Number(user.token_ttl ?? 0),
      token_max_ttl: Number(user.token_max_ttl ?? 0),
    };
    if (JSON.stringify(actual) === JSON.stringify(settings(props))) return { id, props };
    return {
      id,
      props: {
        ...props,
        tokenPolicies: actual.token_policies,
        tokenTtl: actual.token_ttl,
        tokenMaxTtl: actual.token_max_ttl,
      },
    };
  },
  async update(_id, _olds, news: UserpassUserInputs) {
    await writeUserpassUser(connect(news), mountOf(news), news.username, body(news));
    return { outs: news };
  },
  async delete(_id, props: UserpassUserInputs) {
    await deleteUserpassUser(connect(props), mountOf(props), props.username);
  },
};

/** Arguments of a UserpassUser. */
export interface UserpassUserArgs extends ConnectionArgs {
  /** The userpass mount. Changing it replaces the user. @default - `userpass` */
  readonly mount?: pulumi.Input<string>;
  /** Login name (Vault lower-cases it). Changing it replaces the user. */
  readonly username: pulumi.Input<string>;
  /** A secret; at least 8 characters. Updates in place; kept only as a secret in the state. */
  readonly password: pulumi.Input<string>;
  /** Policies of the tokens its logins get (plus `default`). @default - none: tokens get `default` only */
  readonly tokenPolicies?: pulumi.Input<pulumi.Input<string>[]>;
  /** TTL of its login tokens, a Vault duration. @default - the mount's default TTL (sent as 0) */
  readonly tokenTtl?: pulumi.Input<string | number>;
  /** Max TTL of its login tokens, a Vault duration. @default - the mount's max TTL (sent as 0) */
  readonly tokenMaxTtl?: pulumi.Input<string | number>;
}

/** A userpass user (`auth/<mount>/users/<username>`). Outputs: its inputs; `token` and `password` are secret. */
export class UserpassUser extends pulumi.dynamic.Resource {
  /** The login name. */
  declare readonly username: pulumi.Output<string>;

  constructor(name: string, args: UserpassUserArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      ...resourceArgs(
        userpassUserProvider,
        'UserpassUser',
        name,
        { ...args, password: pulumi.secret(args.password) },
        opts,
        ['password'],
      ),
    );
  }
}
