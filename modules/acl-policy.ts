// `AclPolicy`: a `vault_policy` from a document you write (HCL or JSON), the CDKTF twin of the Pulumi
// `AclPolicy`. The document is parsed as Vault parses it (a bad one fails synthesis), and parameter
// constraints that name a parameter the path does not take become warning annotations (issue 14):
// Vault accepts such a policy, so they warn without failing.

import { Policy } from '@cdktf/provider-vault/lib/policy/index.js';
import { Annotations, Token } from 'cdktf';
import { Construct } from 'constructs';
import { policyWarnings, validatePolicySpec } from '../core/policy-spec.js';
import { validateWith } from './validation.js';

/** Props of an AclPolicy: its name and document. */
export interface AclPolicyProps {
  /** Policy name, e.g. `dev-shared`: lower-case letters, digits, `_ . @ -`; not `root`. */
  readonly name: string;
  /**
   * The document, HCL or JSON. A document that is a Terraform reference (e.g. from `Fn.file`) is
   * passed through unchecked: it is unknown until Terraform runs.
   */
  readonly policy: string;
}

/**
 * An ACL policy (`sys/policies/acl/<name>`) as a `vault_policy` resource (construct id `policy`).
 * Warnings such as `path "ssh-dev/sign/shared": allowed_parameters names "valid_principal", which
 * ssh-dev/sign/:role does not take (did you mean "valid_principals"?); …` appear in `cdktf synth`.
 */
export class AclPolicy extends Construct {
  /** The `vault_policy` resource. */
  readonly policy: Policy;
  /** The policy name. */
  readonly name: string;

  constructor(scope: Construct, id: string, props: AclPolicyProps) {
    super(scope, id);
    // Our naming rule and Vault's refusals, then the warnings (core/policy-spec.ts).
    if (!Token.isUnresolved(props.policy) && !Token.isUnresolved(props.name)) {
      for (const w of policyWarnings(props)) Annotations.of(this).addWarning(w);
      validateWith(this, () => validatePolicySpec(props));
    }
    this.policy = new Policy(this, 'policy', { name: props.name, policy: props.policy });
    this.name = this.policy.name;
  }
}
