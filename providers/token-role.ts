// `TokenRole`: a token role (auth/token/roles/<name>): which policies tokens created with it may get,
// whether they are orphans, renewable or periodic, and their type. Replaces: `name`. Every other
// input updates in place. Outputs: its inputs; `token` is secret.

import * as pulumi from '@pulumi/pulumi';
import { deleteTokenRole, readTokenRole, writeTokenRole } from '../client/token-role-api.js';
import {
  tokenRoleSpecFromWire,
  tokenRoleSpecToWire,
  tokenRoleWireFromRead,
  validateTokenRoleSpec,
  type TokenRoleSpec,
} from '../core/token-role-spec.js';
import { connect, type ConnectionInputs } from './connection.js';
import { checkAuthRole, diffAuthRole } from './provider-kit.js';
import { resourceArgs, type ConnectionArgs } from './resource-kit.js';

/** What the TokenRole provider receives. */
export interface TokenRoleInputs extends ConnectionInputs, TokenRoleSpec {
  readonly name: string;
}

/** Vault's role names (GenericNameRegex). */
/** The wire form of a spec, or undefined when it does not map (check reports why). */
const wireOf = (i: TokenRoleInputs): Record<string, unknown> | undefined => {
  try {
    return tokenRoleSpecToWire(i);
  } catch {
    return undefined;
  }
};

/** The dynamic provider behind TokenRole (serialized into the stack's state). */
export const tokenRoleProvider: pulumi.dynamic.ResourceProvider = {
  async check(_olds, news: TokenRoleInputs) {
    // Vault's refusals and our rules (core/token-role-spec.ts), then the role's name.
    return { inputs: news, failures: checkAuthRole(validateTokenRoleSpec(news), news) };
  },
  async diff(_id, olds: TokenRoleInputs, news: TokenRoleInputs) {
    return diffAuthRole(
      { olds: { name: olds.name.toLowerCase() }, news: { name: news.name.toLowerCase() } },
      { olds: wireOf(olds), news: wireOf(news) },
      { olds, news },
    );
  },
  async create(inputs: TokenRoleInputs) {
    await writeTokenRole(connect(inputs), inputs.name, tokenRoleSpecToWire(inputs));
    return { id: `auth/token/roles/${inputs.name.toLowerCase()}`, outs: inputs };
  },
  async read(id, props: TokenRoleInputs) {
    const role = await readTokenRole(connect(props), props.name);
    if (!role) return {};
    if (JSON.stringify(tokenRoleWireFromRead(role)) === JSON.stringify(wireOf(props))) return { id, props };
    // Changed outside Pulumi: show what the backend holds, so the next update writes the program's role.
    return { id, props: { ...props, ...tokenRoleSpecFromWire(role) } };
  },
  async update(_id, _olds, news: TokenRoleInputs) {
    await writeTokenRole(connect(news), news.name, tokenRoleSpecToWire(news));
    return { outs: news };
  },
  async delete(_id, props: TokenRoleInputs) {
    await deleteTokenRole(connect(props), props.name);
  },
};

/** Arguments of a TokenRole: its name and every TokenRoleSpec member. */
export interface TokenRoleArgs extends ConnectionArgs {
  /** Role name (`auth/token/create/<name>`). Changing it replaces the role. */
  readonly name: pulumi.Input<string>;
  /** Policies its tokens may get. @default - none: refused unless `allowedPoliciesGlob` names some */
  readonly allowedPolicies?: pulumi.Input<pulumi.Input<string>[]>;
  /** Policies its tokens may not get. @default - none */
  readonly disallowedPolicies?: pulumi.Input<pulumi.Input<string>[]>;
  /** Glob patterns of policies its tokens may get. @default - none */
  readonly allowedPoliciesGlob?: pulumi.Input<pulumi.Input<string>[]>;
  /** Glob patterns of policies its tokens may not get. @default - none */
  readonly disallowedPoliciesGlob?: pulumi.Input<pulumi.Input<string>[]>;
  /** Entity aliases its tokens may be bound to. @default - none */
  readonly allowedEntityAliases?: pulumi.Input<pulumi.Input<string>[]>;
  /** Create orphan tokens. @default - false */
  readonly orphan?: pulumi.Input<boolean>;
  /** Whether its tokens may be renewed. @default - true */
  readonly renewable?: pulumi.Input<boolean>;
  /** A suffix of its tokens' path. @default - none */
  readonly pathSuffix?: pulumi.Input<string>;
  /** Renewal period: its tokens are periodic. @default - none */
  readonly tokenPeriod?: pulumi.Input<string | number>;
  /** A hard cap on its tokens' lifetime. @default - none */
  readonly tokenExplicitMaxTtl?: pulumi.Input<string | number>;
  /** CIDR blocks its tokens may be used from. @default - none: from any address */
  readonly tokenBoundCidrs?: pulumi.Input<pulumi.Input<string>[]>;
  /** Leave the `default` policy off its tokens. @default - false */
  readonly tokenNoDefaultPolicy?: pulumi.Input<boolean>;
  /** Uses of each token; 0 for unlimited. @default - 0 */
  readonly tokenNumUses?: pulumi.Input<number>;
  /** `service`, `batch`, `default-service` or `default-batch`. @default - `default-service` */
  readonly tokenType?: pulumi.Input<string>;
}

/** A token role (`auth/token/roles/<name>`). Outputs: its inputs; `token` is secret. */
export class TokenRole extends pulumi.dynamic.Resource {
  /** The role name. */
  declare readonly name: pulumi.Output<string>;

  constructor(name: string, args: TokenRoleArgs, opts?: pulumi.CustomResourceOptions) {
    super(...resourceArgs(tokenRoleProvider, 'TokenRole', name, args, opts));
  }
}
