// An environment's CI login (issue 18, point 3): a JWT role on a given JWT auth mount that admits the
// jobs of one project and branch (bound claims of the CI platform's job token) and gives their tokens
// the environment's signing policy of one SSH role (by default `automation`), so a job gets a
// short-lived certificate with no stored secret. The Pulumi and CDKTF `SshEnvironment` and the
// scenario build it from this spec.

import type { Issue } from './errors.js';
import { DEFAULT_JWT_AUTH_PATH } from './jwt-auth-backend-spec.js';
import { validateJwtRoleSpec, type JwtRoleSpec } from './jwt-role-spec.js';

/** What an environment's CI login admits: a JWT role spec without its policies, and where it lives. */
export interface CiLoginSpec extends Omit<JwtRoleSpec, 'roleType' | 'tokenPolicies'> {
  /** The JWT auth mount (a JwtAuthBackend's path). @default - `jwt` */
  readonly authMount?: string;
  /** The JWT role's name, what `sshca login --jwt-role` names. @default - `<environment>-ci`, e.g. `dev-ci` */
  readonly role?: string;
  /** The SSH role whose signing policy (`<environment>-sign-<role>`) the job's token gets. @default - `automation` */
  readonly signingRole?: string;
}

/** The JWT auth mount of a CI login. */
export const ciLoginMount = (spec: Pick<CiLoginSpec, 'authMount'>): string => spec.authMount ?? DEFAULT_JWT_AUTH_PATH;

/** The JWT role name of an environment's CI login: `dev-ci`. */
export const ciLoginRoleName = (environment: string, spec: Pick<CiLoginSpec, 'role'>): string =>
  spec.role ?? `${environment}-ci`;

/** The SSH role whose signing policy the CI login grants. */
export const ciLoginSigningRole = (spec: Pick<CiLoginSpec, 'signingRole'>): string => spec.signingRole ?? 'automation';

/** The JWT role of an environment's CI login: the spec with the signing policy of its SSH role. */
export function ciLoginJwtRole(environment: string, spec: CiLoginSpec): JwtRoleSpec {
  const { authMount: _mount, role: _role, signingRole: _signing, ...role } = spec;
  return { ...role, tokenPolicies: [`${environment}-sign-${ciLoginSigningRole(spec)}`] };
}

/**
 * Problems of a CI login, given the environment's CA role names; fields prefixed `ciLogin.`: the
 * signing role must be one of them, then every rule of the JWT role (core/jwt-role-spec.ts).
 */
export function validateCiLoginSpec(environment: string, spec: CiLoginSpec, roles: readonly string[]): Issue[] {
  const issues: Issue[] = [];
  const signing = ciLoginSigningRole(spec);
  if (!roles.includes(signing)) {
    issues.push({
      field: 'ciLogin.signingRole',
      message: `signingRole ${JSON.stringify(signing)} is not a role of this environment (${roles.join(', ') || 'none'}): name the role CI jobs sign with`,
    });
  }
  for (const i of validateJwtRoleSpec(ciLoginJwtRole(environment, spec))) {
    issues.push({ field: `ciLogin.${i.field}`, message: i.message });
  }
  return issues;
}
