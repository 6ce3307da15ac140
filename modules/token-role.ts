// `TokenRole`: a `vault_token_auth_backend_role`, the CDKTF twin of the Pulumi `TokenRole` (issue
// 24): which policies tokens created with the role may get, orphan, renewable, periodic, type.
// Checked at synthesis by the same validator (core/token-role-spec.ts); attributes from the same mapper.

import { TokenAuthBackendRole } from '@cdktf/provider-vault/lib/token-auth-backend-role/index.js';
import type { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { tokenRoleSpecToTerraform, validateTokenRoleSpec, type TokenRoleSpec } from '../core/token-role-spec.js';
import { validateWith } from './validation.js';

/** Props of a TokenRole: its name and every TokenRoleSpec member. */
export interface TokenRoleProps extends TokenRoleSpec {
  /** Role name (`auth/token/create/<name>`). */
  readonly name: string;
  /** Resources to create first (e.g. the policies it allows). @default - none besides references */
  readonly dependsOn?: ITerraformDependable[];
}

/** A token role (construct id `role`). */
export class TokenRole extends Construct {
  /** The `vault_token_auth_backend_role` resource. */
  readonly role: TokenAuthBackendRole;
  /** The role name (a Terraform reference). */
  readonly name: string;

  constructor(scope: Construct, id: string, props: TokenRoleProps) {
    super(scope, id);
    const { name, dependsOn, ...spec } = props;
    validateWith(this, () => validateTokenRoleSpec(spec));
    let attributes: Record<string, unknown> = {};
    try {
      attributes = tokenRoleSpecToTerraform(spec);
    } catch {
      // A value that does not map is reported by the validation above; synthesis fails there.
    }
    this.role = new TokenAuthBackendRole(this, 'role', {
      roleName: name,
      ...attributes,
      ...(dependsOn?.length ? { dependsOn } : {}),
    });
    this.name = this.role.roleName;
  }
}
