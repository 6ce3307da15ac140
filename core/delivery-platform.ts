// An environment's delivery platform (issue 24, point 3): the identity the deploy automation (a
// delivery platform such as Jenkins, Spinnaker or Argo) logs in with, an AppRole role on a given
// AppRole mount whose tokens get the environment's signing policy of one SSH role (by default
// `automation`). Secret IDs are short-lived and single-use unless told otherwise: the platform asks
// for one (wrapped) per deploy. The Pulumi and CDKTF `SshEnvironment` and the scenario build it from
// this spec.

import { DEFAULT_APPROLE_AUTH_PATH, validateAppRoleRoleSpec, type AppRoleRoleSpec } from './approle-role-spec.js';
import type { Issue } from './errors.js';

/** What an environment's delivery platform gets: an AppRole role spec without its policies, and where it lives. */
export interface DeliveryPlatformSpec extends Omit<AppRoleRoleSpec, 'tokenPolicies'> {
  /** The AppRole auth mount (an AuthMethod's path). @default - `approle` */
  readonly authMount?: string;
  /** The AppRole role's name. @default - `<environment>-delivery`, e.g. `dev-delivery` */
  readonly role?: string;
  /** The SSH role whose signing policy (`<environment>-sign-<role>`) its tokens get. @default - `automation` */
  readonly signingRole?: string;
}

/** The AppRole mount of a delivery platform. */
export const deliveryPlatformMount = (spec: Pick<DeliveryPlatformSpec, 'authMount'>): string =>
  spec.authMount ?? DEFAULT_APPROLE_AUTH_PATH;

/** The AppRole role name of an environment's delivery platform: `dev-delivery`. */
export const deliveryPlatformRoleName = (environment: string, spec: Pick<DeliveryPlatformSpec, 'role'>): string =>
  spec.role ?? `${environment}-delivery`;

/** The SSH role whose signing policy the delivery platform's tokens get. */
export const deliveryPlatformSigningRole = (spec: Pick<DeliveryPlatformSpec, 'signingRole'>): string =>
  spec.signingRole ?? 'automation';

/** The AppRole role of an environment's delivery platform: the spec with the signing policy of its SSH role. */
export function deliveryPlatformAppRole(environment: string, spec: DeliveryPlatformSpec): AppRoleRoleSpec {
  const { authMount: _mount, role: _role, signingRole: _signing, ...role } = spec;
  return { ...role, tokenPolicies: [`${environment}-sign-${deliveryPlatformSigningRole(spec)}`] };
}

/**
 * Problems of a delivery platform, given the environment's CA role names; fields prefixed
 * `deliveryPlatform.`: the signing role must be one of them, then every rule of the AppRole role
 * (core/approle-role-spec.ts).
 */
export function validateDeliveryPlatformSpec(
  environment: string,
  spec: DeliveryPlatformSpec,
  roles: readonly string[],
): Issue[] {
  const issues: Issue[] = [];
  const signing = deliveryPlatformSigningRole(spec);
  if (!roles.includes(signing)) {
    issues.push({
      field: 'deliveryPlatform.signingRole',
      message: `signingRole ${JSON.stringify(signing)} is not a role of this environment (${roles.join(', ') || 'none'}): name the role deploys sign with`,
    });
  }
  for (const i of validateAppRoleRoleSpec(deliveryPlatformAppRole(environment, spec))) {
    issues.push({ field: `deliveryPlatform.${i.field}`, message: i.message });
  }
  return issues;
}
