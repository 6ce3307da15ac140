// `SshAccessPolicy`: a `vault_policy` that may sign keys on chosen roles of a mount, and nothing else.

import { Policy } from '@cdktf/provider-vault/lib/policy/index.js';
import { Construct } from 'constructs';
import { signingPolicy } from '../core/acl/signing-policy.js';
import { validateWith } from './validation.js';

export interface SshAccessPolicyProps {
  /** Policy name, e.g. `dev-sign-developer`. */
  readonly name: string;
  /** The SSH mount path (literal: it is part of the policy text). */
  readonly mount: string;
  readonly roles: readonly string[];
}

export class SshAccessPolicy extends Construct {
  readonly policy: Policy;
  /** The policy name. */
  readonly name: string;

  constructor(scope: Construct, id: string, props: SshAccessPolicyProps) {
    super(scope, id);
    validateWith(this, () => (props.roles.length === 0 ? [{ field: 'roles', message: 'name at least one role' }] : []));
    this.policy = new Policy(this, 'policy', { name: props.name, policy: signingPolicy(props.mount, props.roles) });
    this.name = this.policy.name;
  }
}
