// What differs between the two kinds of role a spec declares (CA roles and one-time-password roles),
// as one descriptor each: the spec's validator, its mapper each way, the normalised role for diffs,
// and its Terraform attributes. The Pulumi role provider (providers/role-provider.ts) and the CDKTF
// role construct (modules/role-construct.ts) take a descriptor, so both kinds share one code path.

import type { Issue } from './errors.js';
import type { RoleKind } from './role-fields.js';
import {
  normalisedOtpRole,
  otpRoleSpecFromWire,
  otpRoleSpecToWire,
  validateOtpRoleSpec,
  type OtpRoleSpec,
} from './role-spec-otp.js';
import {
  otpRoleSpecToTerraform,
  roleSpecToTerraform,
  terraformOtpRoleIssues,
  terraformRoleIssues,
  type TerraformRoleAttributes,
} from './role-spec-terraform.js';
import { normalisedRole, roleSpecFromWire, roleSpecToWire, validateRoleSpec, type RoleSpec } from './role-spec.js';

/** One kind of role spec. */
export interface RoleSpecKind<S> {
  /** Vault's `key_type`. */
  readonly keyType: RoleKind;
  /** Every problem with a spec (ours, then Vault's), fields in camelCase. */
  readonly validate: (spec: S) => Issue[];
  readonly toWire: (spec: S) => Record<string, unknown>;
  readonly fromWire: (data: Readonly<Record<string, unknown>>) => S;
  /** The role a spec writes as comparable text. */
  readonly normalise: (spec: S) => string;
  /** Problems only Terraform's `vault_ssh_secret_backend_role` has with a spec. */
  readonly terraformIssues: (spec: S) => Issue[];
  readonly toTerraform: (spec: S) => TerraformRoleAttributes;
}

/** Certificate-authority roles (`key_type=ca`). */
export const CA_ROLE_KIND: RoleSpecKind<RoleSpec> = {
  keyType: 'ca',
  validate: validateRoleSpec,
  toWire: roleSpecToWire,
  fromWire: roleSpecFromWire,
  normalise: normalisedRole,
  terraformIssues: terraformRoleIssues,
  toTerraform: roleSpecToTerraform,
};

/** One-time-password roles (`key_type=otp`). */
export const OTP_ROLE_KIND: RoleSpecKind<OtpRoleSpec> = {
  keyType: 'otp',
  validate: validateOtpRoleSpec,
  toWire: otpRoleSpecToWire,
  fromWire: otpRoleSpecFromWire,
  normalise: normalisedOtpRole,
  terraformIssues: terraformOtpRoleIssues,
  toTerraform: otpRoleSpecToTerraform,
};
