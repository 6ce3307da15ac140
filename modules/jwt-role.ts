// `JwtRole`: a `vault_jwt_auth_backend_role`, the CDKTF twin of the Pulumi `JwtRole` (issue 18):
// which job tokens a JWT auth method admits under this role, which claim names the job's alias, and
// the policies and TTLs of its tokens. Checked at synthesis by the same validator
// (core/jwt-role-spec.ts); attributes from the same mapper, with our defaults (15 m / 1 h tokens).

import { JwtAuthBackendRole } from '@cdktf/provider-vault/lib/jwt-auth-backend-role/index.js';
import type { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { DEFAULT_JWT_AUTH_PATH } from '../core/jwt-auth-backend-spec.js';
import { jwtRoleSpecToTerraform, validateJwtRoleSpec, type JwtRoleSpec } from '../core/jwt-role-spec.js';
import { validateWith } from './validation.js';

/** Props of a JwtRole: its mount and name, and every JwtRoleSpec member. */
export interface JwtRoleProps extends JwtRoleSpec {
  /** The JWT auth mount (a JwtAuthBackend's `path`, a reference orders the role after it). @default - `jwt` */
  readonly mount?: string;
  /** Role name, what a login names (`sshca login --jwt-role`). */
  readonly name: string;
  /** Resources to create first (e.g. the policies it names). @default - none besides references */
  readonly dependsOn?: ITerraformDependable[];
}

/** A JWT auth role (construct id `role`). */
export class JwtRole extends Construct {
  /** The `vault_jwt_auth_backend_role` resource. */
  readonly role: JwtAuthBackendRole;
  /** The role name. */
  readonly name: string;

  constructor(scope: Construct, id: string, props: JwtRoleProps) {
    super(scope, id);
    const { mount, name, dependsOn, ...spec } = props;
    validateWith(this, () => validateJwtRoleSpec(spec));
    let attributes: Record<string, unknown> = {};
    try {
      attributes = jwtRoleSpecToTerraform(spec);
    } catch {
      // A value that does not map is reported by the validation above; synthesis fails there.
    }
    this.role = new JwtAuthBackendRole(this, 'role', {
      backend: mount ?? DEFAULT_JWT_AUTH_PATH,
      roleName: name,
      userClaim: spec.userClaim,
      ...attributes,
      ...(dependsOn?.length ? { dependsOn } : {}),
    });
    this.name = this.role.roleName;
  }
}
