// `WrappedToken`: a `vault_token` created with response wrapping (`wrapping_ttl`), the CDKTF twin of
// the Pulumi `WrappedToken`: Terraform keeps only the single-use wrapping token to hand to a new
// machine, which unwraps it at boot. TTLs are checked as Vault parses them when synthesis knows them.

import { Token as VaultToken } from '@cdktf/provider-vault/lib/token/index.js';
import { Token } from 'cdktf';
import { Construct } from 'constructs';
import { parseDurationSeconds } from '../core/duration.js';
import type { Issue } from '../core/errors.js';
import { validateWith } from './validation.js';

/** Props of a WrappedToken. Every prop forces replacement. */
export interface WrappedTokenProps {
  /** How long the wrapping token can be unwrapped, e.g. `"30m"`. */
  readonly wrappingTtl: string;
  /**
   * Policies of the token; a subset of the provider token's (unless it is root).
   * @default - the provider token's policies
   */
  readonly policies?: string[];
  /** The token's TTL, e.g. `"24h"`. @default - the token auth method's default TTL */
  readonly ttl?: string;
  /** The token's display name. @default - `token` */
  readonly displayName?: string;
  /** How many requests the token may make. @default - 0: unlimited uses */
  readonly numUses?: number;
  /** Leave the `default` policy off the token. @default - false: the `default` policy is attached */
  readonly noDefaultPolicy?: boolean;
}

/** Vault's duration rules for the TTLs synthesis can see (Terraform references pass unchecked). */
function validateTtls(props: WrappedTokenProps): Issue[] {
  const issues: Issue[] = [];
  for (const field of ['wrappingTtl', 'ttl'] as const) {
    const v = props[field];
    if (v === undefined || Token.isUnresolved(v)) continue;
    try {
      if (parseDurationSeconds(v) <= 0) issues.push({ field, message: `must be a positive duration, got "${v}"` });
    } catch (e) {
      issues.push({ field, message: `"${v}": ${(e as Error).message}` });
    }
  }
  return issues;
}

/**
 * A token handed on wrapped, as a `vault_token` with `wrapping_ttl` (construct id `token`).
 * Outputs: `wrappedToken` (sensitive; single use), `wrappingAccessor`. Every input forces
 * replacement (Terraform replaces a `vault_token` on change); destroying revokes the token.
 */
export class WrappedToken extends Construct {
  /** The `vault_token` resource. */
  readonly token: VaultToken;
  /** The wrapping token (sensitive in the Terraform state). */
  readonly wrappedToken: string;
  /** The wrapping token's accessor. */
  readonly wrappingAccessor: string;

  constructor(scope: Construct, id: string, props: WrappedTokenProps) {
    super(scope, id);
    validateWith(this, () => validateTtls(props));
    this.token = new VaultToken(this, 'token', {
      wrappingTtl: props.wrappingTtl,
      ...(props.policies ? { policies: props.policies } : {}),
      ...(props.ttl !== undefined ? { ttl: props.ttl } : {}),
      ...(props.displayName !== undefined ? { displayName: props.displayName } : {}),
      ...(props.numUses !== undefined ? { numUses: props.numUses } : {}),
      ...(props.noDefaultPolicy !== undefined ? { noDefaultPolicy: props.noDefaultPolicy } : {}),
    });
    this.wrappedToken = this.token.wrappedToken;
    this.wrappingAccessor = this.token.wrappingAccessor;
  }
}
