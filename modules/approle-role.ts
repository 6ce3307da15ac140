// `AppRoleRole`: a `vault_approle_auth_backend_role`, the CDKTF twin of the Pulumi `AppRoleRole`
// (issue 24): the secret ID rules of the machines that log in with it and the policies and TTLs of
// their tokens. Checked at synthesis by the same validator (core/approle-role-spec.ts); attributes
// from the same mapper, with our defaults (one-use 10 m secret IDs, 15 m / 1 h tokens).

import { ApproleAuthBackendRole } from '@cdktf/provider-vault/lib/approle-auth-backend-role/index.js';
import type { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import {
  appRoleRoleSpecToTerraform,
  DEFAULT_APPROLE_AUTH_PATH,
  validateAppRoleRoleSpec,
  type AppRoleRoleSpec,
} from '../core/approle-role-spec.js';
import { validateWith } from './validation.js';

/** Props of an AppRoleRole: its mount and name, and every AppRoleRoleSpec member. */
export interface AppRoleRoleProps extends AppRoleRoleSpec {
  /** The AppRole auth mount (an AuthMethod's `path`, a reference orders the role after it). @default - `approle` */
  readonly mount?: string;
  /** Role name, what a secret ID is issued for. */
  readonly name: string;
  /** Resources to create first (e.g. the policies it names). @default - none besides references */
  readonly dependsOn?: ITerraformDependable[];
}

/** An AppRole role (construct id `role`). */
export class AppRoleRole extends Construct {
  /** The `vault_approle_auth_backend_role` resource. */
  readonly role: ApproleAuthBackendRole;
  /** The role name (a Terraform reference). */
  readonly name: string;
  /** The role_id machines log in with (a Terraform reference: Vault's UUID). */
  readonly roleId: string;

  constructor(scope: Construct, id: string, props: AppRoleRoleProps) {
    super(scope, id);
    const { mount, name, dependsOn, ...spec } = props;
    validateWith(this, () => validateAppRoleRoleSpec(spec));
    let attributes: Record<string, unknown> = {};
    try {
      attributes = appRoleRoleSpecToTerraform(spec);
    } catch {
      // A value that does not map is reported by the validation above; synthesis fails there.
    }
    this.role = new ApproleAuthBackendRole(this, 'role', {
      backend: mount ?? DEFAULT_APPROLE_AUTH_PATH,
      roleName: name,
      ...attributes,
      ...(dependsOn?.length ? { dependsOn } : {}),
    });
    this.name = this.role.roleName;
    this.roleId = this.role.roleId;
  }
}
