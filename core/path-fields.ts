// The field schemas of the backend paths whose handlers live in server/ (the SSH engine's CA,
// zero-address and OTP paths, token and userpass auth, sys/policies, sys/mounts, sys/auth and
// sys/audit), kept in core so
// that the server and the IaC validators (core/acl/path-parameters.ts) read the same lists. The
// schemas of sign, issue and roles live with their logic (core/sign.ts, core/issue.ts, core/role.ts).

import type { FieldSchema } from './fields.js';

/** `<mount>/config/ca`: submit or generate the CA key. */
export const CONFIG_CA_FIELDS: FieldSchema = {
  generate_signing_key: { type: 'bool', description: 'Generate the CA key pair instead of taking one.' },
  public_key: { type: 'string', description: 'The CA public key in OpenSSH authorized_keys format.' },
  private_key: { type: 'string', description: 'The CA private key (PEM or OpenSSH format).' },
  key_type: {
    type: 'string',
    description: 'Type of the CA key to generate (ssh-rsa, ecdsa-sha2-nistp256/384/521, ssh-ed25519).',
  },
  key_bits: { type: 'int', description: "Size of the generated key in bits (0 = the type's default)." },
};

/** `<mount>/config/zeroaddress`: the roles that may issue OTPs for any ip. */
export const CONFIG_ZEROADDRESS_FIELDS: FieldSchema = {
  roles: {
    type: 'comma-string-slice',
    description: 'Roles that may issue OTPs for any IP address (list or comma-separated).',
  },
};

/** `<mount>/creds/:role`: an OTP for a user on a host. */
export const CREDS_FIELDS: FieldSchema = {
  username: { type: 'string', description: "The user the OTP is for (default: the role's default_user)." },
  ip: { type: 'string', description: 'IP address of the remote host.' },
};

/** `<mount>/verify`: the host's OTP check. */
export const VERIFY_FIELDS: FieldSchema = { otp: { type: 'string', description: 'The one-time password to check.' } };

/** `<mount>/lookup`: the roles that cover an ip. */
export const LOOKUP_FIELDS: FieldSchema = { ip: { type: 'string', description: 'IP address of the remote host.' } };

/** The `token_*` parameters every auth method's roles and users share (Vault's tokenutil), plus the deprecated `policies` alias. */
export const TOKEN_FIELDS: FieldSchema = {
  token_policies: {
    type: 'comma-string-slice',
    description: 'Policies the issued tokens get (list or comma-separated).',
  },
  policies: { type: 'comma-string-slice', description: 'Deprecated alias of token_policies.' },
  token_ttl: { type: 'duration', description: 'Initial TTL of the issued tokens.' },
  token_max_ttl: { type: 'duration', description: 'Maximum lifetime of the issued tokens.' },
  token_explicit_max_ttl: {
    type: 'duration',
    description: "Hard cap on the issued tokens' lifetime, renewals included.",
  },
  token_no_default_policy: { type: 'bool', description: 'Leave the default policy off the issued tokens.' },
  token_num_uses: { type: 'int', description: 'Maximum uses of each issued token (0 = unlimited).' },
  token_period: { type: 'duration', description: 'Renewal period of periodic tokens.' },
  token_type: { type: 'string', description: 'Type of the issued tokens (service, batch, default).' },
  token_bound_cidrs: { type: 'comma-string-slice', description: 'CIDR blocks the issued tokens may be used from.' },
};

/** `auth/<userpass>/users/:name`: a user's password and token settings. */
export const USERPASS_USER_FIELDS: FieldSchema = {
  ...TOKEN_FIELDS,
  password: { type: 'string', description: "The user's password." },
};

/** `auth/<userpass>/users/:name/password` and `auth/<userpass>/login/:name`. */
export const USERPASS_PASSWORD_FIELDS: FieldSchema = {
  password: { type: 'string', description: "The user's password." },
};

/** `auth/<userpass>/users/:name/policies`. */
export const USERPASS_POLICIES_FIELDS: FieldSchema = {
  token_policies: {
    type: 'comma-string-slice',
    description: 'Policies the issued tokens get (list or comma-separated).',
  },
  policies: { type: 'comma-string-slice', description: 'Deprecated alias of token_policies.' },
};

/** `auth/token/create` and `auth/token/create-orphan`. */
export const TOKEN_CREATE_FIELDS: FieldSchema = {
  id: { type: 'string', description: "The token's ID (root tokens only)." },
  policies: { type: 'comma-string-slice', description: 'Deprecated alias of token_policies.' },
  meta: { type: 'map', description: 'Metadata attached to the token.' },
  no_parent: { type: 'bool', description: 'Create an orphan token (no parent).' },
  no_default_policy: { type: 'bool', description: 'Leave the default policy off the token.' },
  renewable: { type: 'bool', description: 'Whether the token can be renewed.' },
  ttl: { type: 'duration', description: 'Initial TTL of the token.' },
  explicit_max_ttl: { type: 'duration', description: "Hard cap on the token's lifetime, renewals included." },
  display_name: { type: 'string', description: 'Name shown for the token.' },
  num_uses: { type: 'int', description: 'Maximum uses of the token (0 = unlimited).' },
  type: { type: 'string', description: "The token's type (service, batch)." },
  period: { type: 'duration', description: 'Renewal period of a periodic token.' },
  lease: { type: 'duration', description: 'Deprecated alias of ttl.' },
};

/** `sys/policies/acl/:name`. */
export const POLICY_ACL_FIELDS: FieldSchema = {
  policy: { type: 'string', description: 'The policy document (HCL or JSON).' },
};

/** `sys/policy/:name` (the older policy path): `rules`, or `policy` as on sys/policies/acl. */
export const POLICY_LEGACY_FIELDS: FieldSchema = {
  rules: { type: 'string', description: 'The policy document (HCL or JSON).' },
  policy: { type: 'string', description: 'The policy document, when rules is not given.' },
};

/** `sys/mounts/:path`: enable a secrets engine. */
export const MOUNT_FIELDS: FieldSchema = {
  type: { type: 'string', description: 'Type of the secrets engine (ssh).' },
  description: { type: 'string', description: 'Human-readable description of the mount.' },
  config: { type: 'map', description: 'Mount configuration (default_lease_ttl, max_lease_ttl, and so on).' },
  options: { type: 'map', description: 'Engine-specific options, as strings.' },
  local: { type: 'bool', description: 'Keep the mount on this cluster only (not replicated).' },
  seal_wrap: { type: 'bool', description: "Seal-wrap the mount's critical values." },
};

/** `sys/mounts/:path/tune`. */
export const MOUNT_TUNE_FIELDS: FieldSchema = {
  default_lease_ttl: { type: 'string', description: 'Default lease TTL of the mount ("system" resets it).' },
  max_lease_ttl: { type: 'string', description: 'Maximum lease TTL of the mount ("system" resets it).' },
  description: { type: 'string', description: 'Human-readable description of the mount.' },
};

/** `sys/auth/:path`: enable an auth method. */
export const AUTH_MOUNT_FIELDS: FieldSchema = {
  ...MOUNT_FIELDS,
  type: { type: 'string', description: 'Type of the auth method (userpass).' },
  description: { type: 'string', description: 'Human-readable description of the auth method.' },
};

/** `sys/auth/:path/tune`. */
export const AUTH_TUNE_FIELDS: FieldSchema = {
  ...MOUNT_TUNE_FIELDS,
  description: { type: 'string', description: 'Human-readable description of the auth method.' },
  user_lockout_config: {
    type: 'map',
    description: 'Lockout after failed logins: lockout_threshold, lockout_duration, lockout_counter_reset, disable.',
  },
};

/** `sys/audit/:path`: enable an audit device. */
export const AUDIT_FIELDS: FieldSchema = {
  type: { type: 'string', description: 'Type of the audit device (file).' },
  description: { type: 'string', description: 'Human-readable description of the audit device.' },
  options: { type: 'map', description: 'Device options: file_path, log_raw, hmac_accessor, prefix, mode.' },
  local: { type: 'bool', description: 'Keep the device on this cluster only (not replicated).' },
};

/** `sys/audit-hash/:path`: the HMAC a device would log for a value. */
export const AUDIT_HASH_FIELDS: FieldSchema = {
  input: { type: 'string', description: "The value to hash with the audit device's key." },
};
