// `WrappedToken`: a child token of the connection's token, created with response wrapping so the
// program never sees the token itself, only a single-use wrapping token to hand to a new machine
// (user-data, a CI variable) that unwraps it at boot — Terraform's `vault_token` with
// `wrapping_ttl`. Every input replaces it (a token cannot be changed); deleting revokes the token
// inside by its accessor. Outputs `wrappedToken` (secret), `wrappingAccessor`, `wrappedAccessor`.

import * as pulumi from '@pulumi/pulumi';
import { createTokenWrapped, revokeTokenAccessor, tokenAccessorExists } from '../client/wrapping-api.js';
import { parseDurationSeconds } from '../core/duration.js';
import type { Issue } from '../core/errors.js';
import { connect, type ConnectionInputs } from './connection.js';
import { checkFailures, replacements } from './provider-kit.js';
import { resourceArgs, type ConnectionArgs } from './resource-kit.js';

/** What the WrappedToken provider receives. */
export interface WrappedTokenInputs extends ConnectionInputs {
  readonly policies?: readonly string[];
  readonly ttl?: string;
  readonly wrappingTtl: string;
  readonly displayName?: string;
  readonly numUses?: number;
  readonly noDefaultPolicy?: boolean;
}

/** The inputs that shape the token: any change replaces it. */
const SHAPE = ['policies', 'ttl', 'wrappingTtl', 'displayName', 'numUses', 'noDefaultPolicy', 'address'] as const;

/** The dynamic provider behind WrappedToken (serialized into the stack's state). */
export const wrappedTokenProvider: pulumi.dynamic.ResourceProvider = {
  async check(_olds, news: WrappedTokenInputs) {
    const issues: Issue[] = [];
    for (const field of ['ttl', 'wrappingTtl'] as const) {
      const v = news[field];
      if (v === undefined && field === 'ttl') continue;
      try {
        if (parseDurationSeconds(v) <= 0) issues.push({ field, message: `${field} must be a positive duration` });
      } catch (e) {
        issues.push({ field, message: `${field}: ${(e as Error).message}` });
      }
    }
    return { inputs: news, failures: checkFailures(issues) };
  },
  async diff(_id, olds: WrappedTokenInputs, news: WrappedTokenInputs) {
    const replaces = replacements(olds, news, [...SHAPE]);
    return { changes: replaces.length > 0 || olds.token !== news.token, replaces, deleteBeforeReplace: false };
  },
  async create(inputs: WrappedTokenInputs) {
    const info = await createTokenWrapped(
      connect(inputs),
      {
        ...(inputs.policies ? { policies: inputs.policies } : {}),
        ...(inputs.ttl !== undefined ? { ttl: inputs.ttl } : {}),
        ...(inputs.displayName !== undefined ? { displayName: inputs.displayName } : {}),
        ...(inputs.numUses !== undefined ? { numUses: inputs.numUses } : {}),
        ...(inputs.noDefaultPolicy !== undefined ? { noDefaultPolicy: inputs.noDefaultPolicy } : {}),
      },
      inputs.wrappingTtl,
    );
    const wrappedAccessor = info.wrapped_accessor ?? '';
    return {
      id: wrappedAccessor,
      outs: { ...inputs, wrappedToken: info.token, wrappingAccessor: info.accessor, wrappedAccessor },
    };
  },
  async read(id, props: WrappedTokenInputs & { wrappedAccessor: string }) {
    // The token inside can be revoked or expire outside Pulumi: then the resource is gone.
    return (await tokenAccessorExists(connect(props), props.wrappedAccessor)) ? { id, props } : {};
  },
  async delete(_id, props: WrappedTokenInputs & { wrappedAccessor: string }) {
    await revokeTokenAccessor(connect(props), props.wrappedAccessor);
  },
};

/** Arguments of a WrappedToken. Every input except `token` replaces it (a token cannot be changed). */
export interface WrappedTokenArgs extends ConnectionArgs {
  /**
   * Policies of the token; must be a subset of the connection token's (unless it is root).
   * @default - the connection token's policies
   */
  readonly policies?: pulumi.Input<pulumi.Input<string>[]>;
  /** The token's TTL, e.g. `"24h"`. @default - the token auth method's default TTL */
  readonly ttl?: pulumi.Input<string>;
  /** How long the wrapping token can be unwrapped, e.g. `"30m"`. Required. */
  readonly wrappingTtl: pulumi.Input<string>;
  /** The token's display name. @default - `token` */
  readonly displayName?: pulumi.Input<string>;
  /** How many requests the token may make. @default - 0: unlimited uses */
  readonly numUses?: pulumi.Input<number>;
  /** Leave the `default` policy off the token. @default - false: the `default` policy is attached */
  readonly noDefaultPolicy?: pulumi.Input<boolean>;
}

/**
 * A token handed on wrapped. Outputs: `wrappedToken` (secret; single use, expires after
 * `wrappingTtl`), `wrappingAccessor`, `wrappedAccessor` (the accessor of the token inside, to look
 * it up or revoke it). Every input forces replacement; deleting revokes the token inside.
 */
export class WrappedToken extends pulumi.dynamic.Resource {
  /** The single-use wrapping token to hand on (secret). */
  declare readonly wrappedToken: pulumi.Output<string>;
  /** The wrapping token's accessor. */
  declare readonly wrappingAccessor: pulumi.Output<string>;
  /** The accessor of the token inside, to look it up or revoke it. */
  declare readonly wrappedAccessor: pulumi.Output<string>;

  constructor(name: string, args: WrappedTokenArgs, opts?: pulumi.CustomResourceOptions) {
    const outputs = { wrappedToken: undefined, wrappingAccessor: undefined, wrappedAccessor: undefined };
    super(...resourceArgs(wrappedTokenProvider, 'WrappedToken', name, { ...outputs, ...args }, opts, ['wrappedToken']));
  }
}
