// `SshAccessPolicy`: an ACL policy that may sign keys on chosen roles of a mount (or, for OTP roles,
// ask for one-time passwords on them), and nothing else — the Pulumi twin of the CDKTF construct of
// the same name (issue 16, point 5). It is an `AclPolicy` whose document `signingPolicy` or
// `credsPolicy` writes: the same resource, type token and checks. Replaces: `name`.

import * as pulumi from '@pulumi/pulumi';
import { credsPolicy, signingPolicy } from '../core/acl/signing-policy.js';
import { AclPolicy } from './acl-policy.js';
import type { ConnectionArgs } from './resource-kit.js';

/** Arguments of an SshAccessPolicy. */
export interface SshAccessPolicyArgs extends ConnectionArgs {
  /** Policy name, e.g. `dev-sign-developer`. Changing it replaces the policy. */
  readonly name: pulumi.Input<string>;
  /** The SSH mount path (part of the policy text). */
  readonly mount: pulumi.Input<string>;
  /** The roles of the mount the policy opens (at least one). */
  readonly roles: pulumi.Input<readonly pulumi.Input<string>[]>;
  /**
   * What the policy allows on the roles: `sign` (CA roles) or `creds` (OTP roles).
   * @default - `sign`: `create`/`update` on `<mount>/sign/<role>`
   */
  readonly endpoint?: 'sign' | 'creds';
}

/** An ACL policy that may sign on, or get OTPs from, chosen roles of a mount. Outputs: `name`, `policy`. */
export class SshAccessPolicy extends AclPolicy {
  constructor(name: string, args: SshAccessPolicyArgs, opts?: pulumi.CustomResourceOptions) {
    const { mount, roles, endpoint, ...rest } = args;
    const render = endpoint === 'creds' ? credsPolicy : signingPolicy;
    super(name, { ...rest, policy: pulumi.all([mount, roles]).apply(([m, r]) => render(m, r)) }, opts);
  }
}
