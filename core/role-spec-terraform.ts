// A role spec as the attributes of Terraform's `vault_ssh_secret_backend_role` (provider 5.x), for
// the CDKTF constructs, derived from the role-field table (core/role-fields.ts, its `terraform`
// column): durations become seconds (Vault reads them back as integers, so anything else would show
// a diff on every plan); key lengths become `allowed_user_key_config` blocks. A field the resource
// has no attribute for (`default_extensions_template`; an OTP role's `exclude_cidr_list` and `port`)
// is refused unless the spec leaves it at Vault's default, rather than silently written without it.

import { toCamelCase } from './case.js';
import { parseDurationSeconds } from './duration.js';
import type { Issue } from './errors.js';
import { ROLE_FIELD_ROWS, type TerraformForm } from './role-fields.js';
import { otpRoleSpecToWire, type OtpRoleSpec } from './role-spec-otp.js';
import { roleSpecToWire, type RoleSpec } from './role-spec.js';

/** One `allowed_user_key_config` block. */
export interface TerraformKeyConfig {
  readonly type: string;
  readonly lengths: number[];
}

/** The attributes, camelCase as the CDKTF bindings name them (`keyType`, `allowedUsers`, `ttl`, …). */
export type TerraformRoleAttributes = { readonly keyType: string } & Readonly<
  Record<string, string | number | boolean | Readonly<Record<string, string>> | TerraformKeyConfig[]>
>;

/** A wire field as its attribute: name and value. */
const TO_ATTRIBUTE: Readonly<Record<TerraformForm, (name: string, v: unknown) => readonly [string, unknown]>> = {
  same: (name, v) => [toCamelCase(name), v],
  seconds: (name, v) => [toCamelCase(name), String(parseDurationSeconds(v as string | number))],
  'key-config': (_name, v) => [
    'allowedUserKeyConfig',
    Object.entries(v as Record<string, number[]>).map(([type, lengths]) => ({ type, lengths })),
  ],
};

const fieldRows = (wire: Readonly<Record<string, unknown>>) => ROLE_FIELD_ROWS.filter(([name]) => name in wire);

/** The fields of a role body the resource has no attribute for, set to other than Vault's default. */
function withoutAttributeIssues(wire: Readonly<Record<string, unknown>>): Issue[] {
  return fieldRows(wire)
    .filter(([name, row]) => !row.terraform && JSON.stringify(wire[name]) !== JSON.stringify(row.vaultDefault))
    .map(([name]) => ({
      field: toCamelCase(name),
      message: `${toCamelCase(name)} has no attribute in the Terraform Vault provider 5.x`,
    }));
}

/** The attributes of a (valid) role body. */
const toAttributes = (wire: Readonly<Record<string, unknown>>): TerraformRoleAttributes =>
  Object.fromEntries(
    fieldRows(wire).flatMap(([name, row]) => (row.terraform ? [TO_ATTRIBUTE[row.terraform](name, wire[name])] : [])),
  ) as TerraformRoleAttributes;

/** Problems only Terraform has with a spec (on top of validateRoleSpec). */
export const terraformRoleIssues = (spec: RoleSpec): Issue[] => withoutAttributeIssues(roleSpecToWire(spec));

/** The resource attributes for a (valid) spec. */
export const roleSpecToTerraform = (spec: RoleSpec): TerraformRoleAttributes => toAttributes(roleSpecToWire(spec));

/** Problems only Terraform has with an OTP spec (on top of validateOtpRoleSpec). */
export const terraformOtpRoleIssues = (spec: OtpRoleSpec): Issue[] => withoutAttributeIssues(otpRoleSpecToWire(spec));

/** The resource attributes for a (valid) OTP spec. */
export const otpRoleSpecToTerraform = (spec: OtpRoleSpec): TerraformRoleAttributes =>
  toAttributes(otpRoleSpecToWire(spec));
