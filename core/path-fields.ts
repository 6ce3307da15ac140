// The field schemas of the backend paths whose handlers live in server/ (the SSH engine's CA,
// zero-address and OTP paths, token and userpass auth, sys/policies and sys/mounts), kept in core so
// that the server and the IaC validators (core/acl/path-parameters.ts) read the same lists. The
// schemas of sign, issue and roles live with their logic (core/sign.ts, core/issue.ts, core/role.ts).

import type { FieldSchema } from './fields.js';

/** `<mount>/config/ca`: submit or generate the CA key. */
export const CONFIG_CA_FIELDS: FieldSchema = {
  generate_signing_key: 'bool',
  public_key: 'string',
  private_key: 'string',
  key_type: 'string',
  key_bits: 'int',
};

/** `<mount>/config/zeroaddress`: the roles that may issue OTPs for any ip. */
export const CONFIG_ZEROADDRESS_FIELDS: FieldSchema = { roles: 'comma-string-slice' };

/** `<mount>/creds/:role`: an OTP for a user on a host. */
export const CREDS_FIELDS: FieldSchema = { username: 'string', ip: 'string' };

/** `<mount>/verify`: the host's OTP check. */
export const VERIFY_FIELDS: FieldSchema = { otp: 'string' };

/** `<mount>/lookup`: the roles that cover an ip. */
export const LOOKUP_FIELDS: FieldSchema = { ip: 'string' };

/** The `token_*` parameters every auth method's roles and users share (Vault's tokenutil), plus the deprecated `policies` alias. */
export const TOKEN_FIELDS: FieldSchema = {
  token_policies: 'comma-string-slice',
  policies: 'comma-string-slice',
  token_ttl: 'duration',
  token_max_ttl: 'duration',
  token_explicit_max_ttl: 'duration',
  token_no_default_policy: 'bool',
  token_num_uses: 'int',
  token_period: 'duration',
  token_type: 'string',
  token_bound_cidrs: 'comma-string-slice',
};

/** `auth/<userpass>/users/:name`: a user's password and token settings. */
export const USERPASS_USER_FIELDS: FieldSchema = { ...TOKEN_FIELDS, password: 'string' };

/** `auth/<userpass>/users/:name/password` and `auth/<userpass>/login/:name`. */
export const USERPASS_PASSWORD_FIELDS: FieldSchema = { password: 'string' };

/** `auth/<userpass>/users/:name/policies`. */
export const USERPASS_POLICIES_FIELDS: FieldSchema = {
  token_policies: 'comma-string-slice',
  policies: 'comma-string-slice',
};

/** `auth/token/create` and `auth/token/create-orphan`. */
export const TOKEN_CREATE_FIELDS: FieldSchema = {
  id: 'string',
  policies: 'comma-string-slice',
  meta: 'map',
  no_parent: 'bool',
  no_default_policy: 'bool',
  renewable: 'bool',
  ttl: 'duration',
  explicit_max_ttl: 'duration',
  display_name: 'string',
  num_uses: 'int',
  type: 'string',
  period: 'duration',
  lease: 'duration',
};

/** `sys/policies/acl/:name`. */
export const POLICY_ACL_FIELDS: FieldSchema = { policy: 'string' };

/** `sys/mounts/:path`: enable a secrets engine. */
export const MOUNT_FIELDS: FieldSchema = {
  type: 'string',
  description: 'string',
  config: 'map',
  options: 'map',
  local: 'bool',
  seal_wrap: 'bool',
};

/** `sys/mounts/:path/tune`. */
export const MOUNT_TUNE_FIELDS: FieldSchema = {
  default_lease_ttl: 'string',
  max_lease_ttl: 'string',
  description: 'string',
};
