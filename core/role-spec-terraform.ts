// A role spec as the attributes of Terraform's `vault_ssh_secret_backend_role` (provider 5.x), for
// the CDKTF constructs. Durations become seconds (Vault reads them back as integers, so anything
// else would show a diff on every plan); key lengths become `allowed_user_key_config` blocks.
// `defaultExtensionsTemplate` has no attribute in that provider version and is refused. OTP roles
// (`key_type = "otp"`) use the same resource, which has `cidr_list` but no `exclude_cidr_list` and no
// `port`: an OTP spec that sets either is refused rather than silently written without it.

import { toCamelCase } from './case.js';
import { parseDurationSeconds } from './duration.js';
import type { Issue } from './errors.js';
import { otpRoleSpecToWire, type OtpRoleSpec } from './role-spec-otp.js';
import { roleSpecToWire, type RoleSpec } from './role-spec.js';

/** The attributes, camelCase as the CDKTF bindings name them. */
export interface TerraformRoleAttributes {
  readonly keyType: 'ca';
  readonly allowedUsers: string;
  readonly allowedUsersTemplate: boolean;
  readonly defaultUser: string;
  readonly defaultUserTemplate: boolean;
  readonly allowedDomains: string;
  readonly allowedDomainsTemplate: boolean;
  readonly allowUserCertificates: boolean;
  readonly allowHostCertificates: boolean;
  readonly allowBareDomains: boolean;
  readonly allowSubdomains: boolean;
  readonly ttl: string;
  readonly maxTtl: string;
  readonly allowedCriticalOptions: string;
  readonly defaultCriticalOptions: Record<string, string>;
  readonly allowedExtensions: string;
  readonly defaultExtensions: Record<string, string>;
  readonly allowUserKeyIds: boolean;
  readonly keyIdFormat: string;
  readonly allowedUserKeyConfig: Array<{ type: string; lengths: number[] }>;
  readonly algorithmSigner: string;
  readonly notBeforeDuration: string;
  readonly allowEmptyPrincipals: boolean;
}

const noAttribute = (field: string): Issue => ({
  field,
  message: `${field} has no attribute in the Terraform Vault provider 5.x`,
});

/** Problems only Terraform has with a spec (on top of validateRoleSpec). */
export function terraformRoleIssues(spec: RoleSpec): Issue[] {
  return spec.defaultExtensionsTemplate ? [noAttribute('defaultExtensionsTemplate')] : [];
}

/**
 * OTP wire fields `vault_ssh_secret_backend_role` (provider 5.x) has no attribute for, with the value
 * Vault takes when the field is left out: a spec may use them only at that value.
 */
const OTP_FIELDS_WITHOUT_ATTRIBUTE: Readonly<Record<string, unknown>> = { exclude_cidr_list: '', port: 22 };

/** The attributes of an OTP role, camelCase as the CDKTF bindings name them. */
export interface TerraformOtpRoleAttributes {
  readonly keyType: 'otp';
  readonly defaultUser: string;
  readonly allowedUsers: string;
  readonly cidrList: string;
}

/** Problems only Terraform has with an OTP spec (on top of validateOtpRoleSpec). */
export function terraformOtpRoleIssues(spec: OtpRoleSpec): Issue[] {
  const wire = otpRoleSpecToWire(spec);
  return Object.entries(OTP_FIELDS_WITHOUT_ATTRIBUTE)
    .filter(([k, unset]) => wire[k] !== unset)
    .map(([k]) => noAttribute(toCamelCase(k)));
}

/** The resource attributes for a (valid) OTP spec: the wire body less the fields Terraform lacks. */
export function otpRoleSpecToTerraform(spec: OtpRoleSpec): TerraformOtpRoleAttributes {
  return Object.fromEntries(
    Object.entries(otpRoleSpecToWire(spec))
      .filter(([k]) => !(k in OTP_FIELDS_WITHOUT_ATTRIBUTE))
      .map(([k, v]) => [toCamelCase(k), v]),
  ) as unknown as TerraformOtpRoleAttributes;
}

/** The resource attributes for a (valid) spec. */
export function roleSpecToTerraform(spec: RoleSpec): TerraformRoleAttributes {
  const w = roleSpecToWire(spec);
  const seconds = (v: unknown) => String(parseDurationSeconds(v as string | number));
  return {
    keyType: 'ca',
    allowedUsers: w.allowed_users as string,
    allowedUsersTemplate: w.allowed_users_template as boolean,
    defaultUser: w.default_user as string,
    defaultUserTemplate: w.default_user_template as boolean,
    allowedDomains: w.allowed_domains as string,
    allowedDomainsTemplate: w.allowed_domains_template as boolean,
    allowUserCertificates: w.allow_user_certificates as boolean,
    allowHostCertificates: w.allow_host_certificates as boolean,
    allowBareDomains: w.allow_bare_domains as boolean,
    allowSubdomains: w.allow_subdomains as boolean,
    ttl: seconds(w.ttl),
    maxTtl: seconds(w.max_ttl),
    allowedCriticalOptions: w.allowed_critical_options as string,
    defaultCriticalOptions: w.default_critical_options as Record<string, string>,
    allowedExtensions: w.allowed_extensions as string,
    defaultExtensions: w.default_extensions as Record<string, string>,
    allowUserKeyIds: w.allow_user_key_ids as boolean,
    keyIdFormat: w.key_id_format as string,
    allowedUserKeyConfig: Object.entries(w.allowed_user_key_lengths as Record<string, number[]>).map(
      ([type, lengths]) => ({
        type,
        lengths,
      }),
    ),
    algorithmSigner: w.algorithm_signer as string,
    notBeforeDuration: seconds(w.not_before_duration),
    allowEmptyPrincipals: w.allow_empty_principals as boolean,
  };
}
