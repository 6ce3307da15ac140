// `SshAccessPolicy`: a `vault_policy` that may sign keys on chosen roles of a mount (or, for OTP
// roles, ask for one-time passwords on them), and nothing else.

import { Policy } from '@cdktf/provider-vault/lib/policy/index.js';
import { Token } from 'cdktf';
import { Construct } from 'constructs';
import { credsPolicy, signingPolicy } from '../core/acl/signing-policy.js';
import { validatePolicySpec } from '../core/policy-spec.js';
import { validateWith } from './validation.js';

/** Props of an SshAccessPolicy. */
export interface SshAccessPolicyProps {
  /** Policy name, e.g. `dev-sign-developer`. */
  readonly name: string;
  /** The SSH mount path (literal: it is part of the policy text). */
  readonly mount: string;
  /** The roles of the mount the policy opens (at least one). */
  readonly roles: readonly string[];
  /**
   * What the policy allows on the roles: `sign` (CA roles) or `creds` (OTP roles).
   * @default - `sign`: `create`/`update` on `<mount>/sign/<role>`
   */
  readonly endpoint?: 'sign' | 'creds';
}

/** A `vault_policy` (construct id `policy`) that may sign on, or get OTPs from, chosen roles of a mount. */
export class SshAccessPolicy extends Construct {
  /** The `vault_policy` resource. */
  readonly policy: Policy;
  /** The policy name. */
  readonly name: string;

  constructor(scope: Construct, id: string, props: SshAccessPolicyProps) {
    super(scope, id);
    const policy = (props.endpoint === 'creds' ? credsPolicy : signingPolicy)(props.mount, props.roles);
    // At least one role, then the AclPolicy rules (core/policy-spec.ts) on the name and the document.
    validateWith(this, () =>
      props.roles.length === 0
        ? [{ field: 'roles', message: 'name at least one role' }]
        : Token.isUnresolved(props.name) || Token.isUnresolved(policy)
          ? []
          : validatePolicySpec({ name: props.name, policy }),
    );
    this.policy = new Policy(this, 'policy', { name: props.name, policy });
    this.name = this.policy.name;
  }
}
