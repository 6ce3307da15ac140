// `UserpassUser`: a user of a userpass auth method, the CDKTF twin of the Pulumi resource of the same
// name, with the same validator (core/userpass-user-spec.ts). The Vault provider 5.x has no resource
// for it, so it is a `vault_generic_endpoint` writing `auth/<mount>/users/<username>`; Vault never
// reads a password back, so absent fields are ignored on refresh. Give the password as a sensitive
// Terraform variable (`TerraformVariable`, `sensitive: true`), never as a literal in code: it is in the
// Terraform state either way, so keep the state encrypted.

import { GenericEndpoint } from '@cdktf/provider-vault/lib/generic-endpoint/index.js';
import { Fn, Token, type ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { parseDurationSeconds } from '../core/duration.js';
import { validateUserpassUserSpec, type UserpassUserSpec } from '../core/userpass-user-spec.js';
import { validateWith } from './validation.js';

/** Props of a UserpassUser: the mount and the user (see UserpassUserSpec). */
export interface UserpassUserProps extends UserpassUserSpec {
  /** The userpass mount. @default - `userpass` */
  readonly mount?: string;
  /** The password: a reference to a sensitive variable, or a literal (checked: at least 8 characters). */
  readonly password: string;
  /**
   * Resources written first, e.g. the `backend` of the AuthMethod that enables the mount.
   * @default - none
   */
  readonly dependsOn?: readonly ITerraformDependable[];
}

/** A userpass user (`vault_generic_endpoint`, construct id `user`). */
export class UserpassUser extends Construct {
  /** The `vault_generic_endpoint` resource. */
  readonly user: GenericEndpoint;
  /** The username. */
  readonly username: string;

  constructor(scope: Construct, id: string, props: UserpassUserProps) {
    super(scope, id);
    const mount = props.mount ?? 'userpass';
    const referenced = Token.isUnresolved(props.password);
    validateWith(this, () =>
      // A password from a variable is checked by Vault at apply time, not here.
      validateUserpassUserSpec({ ...props, password: referenced ? 'a-referenced-password' : props.password }),
    );
    // Seconds, as Vault reads them back (anything else would show a diff on every plan).
    const seconds = (v: string | number) => parseDurationSeconds(v);
    const body = {
      ...(props.tokenPolicies !== undefined ? { token_policies: [...props.tokenPolicies] } : {}),
      ...(props.tokenTtl !== undefined ? { token_ttl: seconds(props.tokenTtl) } : {}),
      ...(props.tokenMaxTtl !== undefined ? { token_max_ttl: seconds(props.tokenMaxTtl) } : {}),
    };
    this.user = new GenericEndpoint(this, 'user', {
      path: `auth/${mount}/users/${props.username}`,
      // A referenced password goes through jsonencode at apply (any character stays valid JSON).
      dataJson: referenced
        ? Fn.jsonencode({ ...body, password: props.password })
        : JSON.stringify({ ...body, password: props.password }),
      ignoreAbsentFields: true,
      ...(props.dependsOn ? { dependsOn: [...props.dependsOn] } : {}),
    });
    this.username = props.username;
  }
}
