// The public API of the certificate core (re-exports only).

export * from './errors.js';
export { parseDurationSeconds, parseGoDuration, formatGoDuration } from './duration.js';
export { parseFields, formatUnknownFieldsWarning, type FieldSchema, type FieldType } from './fields.js';
export {
  ALGORITHM_SIGNERS,
  ROLE_FIELDS,
  isValidRoleName,
  parseRoleWrite,
  roleToWire,
  validateRoleWrite,
  type AlgorithmSigner,
  type CaRole,
  type OtpRole,
  type Role,
} from './role.js';
export {
  SIGN_FIELDS,
  parseSignRequest,
  signWithRole,
  type SignInput,
  type SignRequest,
  type SignResult,
} from './sign.js';
export type { Requester } from './policy/requester.js';
export { SYSTEM_DEFAULT_LEASE_TTL, type MountTtls } from './policy/validity.js';
export { keyPairFromPrivateKey, parseCaPrivateKey, type CaKey, type GeneratedKeyPair } from './keys/ca-key.js';
export { parseSshPublicKey, publicKeyHash, fingerprint, type SshPublicKey } from './keys/public-key.js';
export {
  parseCertificate,
  formatCertificate,
  type CertificateFields,
  type CertType,
  type DecodedCertificate,
  type SignatureAlgorithm,
} from './cert/certificate.js';
export { renderCertificateText } from './cert/certificate-text.js';
export {
  DEFAULT_HOST_TRUST_PATHS,
  validateHostTrust,
  type HostTrust,
  type HostTrustPaths,
  type HostTrustSpec,
} from './render/host-trust.js';
export { renderPrincipalsFiles, renderSshdDropIn, renderTrustedCaKeys } from './render/sshd-files.js';
export { EC2_USER_DATA_LIMIT, renderCloudConfig, type CloudConfigOptions } from './render/cloud-config.js';
export { renderAnsibleVars } from './render/ansible-vars.js';
export {
  CAPABILITIES,
  parsePolicy,
  type Capability,
  type ParsePolicyOptions,
  type PathRule,
  type Policy,
} from './acl/policy-document.js';
export { compileAcl, type Acl, type AclOperation, type AllowOptions, type CompileAclOptions } from './acl/acl.js';
export { DEFAULT_POLICY, DEFAULT_POLICY_TEXT, ROOT_POLICY } from './acl/builtin-policies.js';
export { classifyPattern, ranksAbove, type PathPattern, type PatternKind } from './acl/path-pattern.js';
export { validateCaSpec, type CaSpec } from './ca-spec.js';
export {
  PROTECTED_MOUNT_PREFIXES,
  sanitizeMountPath,
  validateMountPath,
  validateMountPathVault,
  type MountTableKind,
} from './mount-path.js';
export { policyWarnings, validatePolicySpec, validatePolicyVault, type PolicySpec } from './policy-spec.js';
export {
  MIN_PASSWORD_LENGTH,
  USERPASS_USERNAME_PATTERN,
  validateUserpassUserSpec,
  validateUserpassUserVault,
  type UserpassUserSpec,
} from './userpass-user-spec.js';
export { validateAuditDeviceSpec, validateAuditDeviceVault, type AuditDeviceSpec } from './audit-device-spec.js';
export { credsPolicy, signingPolicy } from './acl/signing-policy.js';
export {
  DEFAULT_JWT_AUTH_PATH,
  jwtAuthBackendConfigToWire,
  validateJwtAuthBackendSpec,
  type JwtAuthBackendSpec,
} from './jwt-auth-backend-spec.js';
export {
  JWT_ROLE_DEFAULT_TOKEN_MAX_TTL,
  JWT_ROLE_DEFAULT_TOKEN_TTL,
  jwtRoleSpecFromWire,
  jwtRoleSpecToTerraform,
  jwtRoleSpecToWire,
  validateJwtRoleSpec,
  type BoundClaimValue,
  type JwtRoleSpec,
} from './jwt-role-spec.js';
export {
  identityEntitySpecToWire,
  validateIdentityEntitySpec,
  type IdentityEntitySpec,
} from './identity-entity-spec.js';
export {
  identityEntityAliasSpecToWire,
  validateIdentityEntityAliasSpec,
  type IdentityEntityAliasSpec,
} from './identity-entity-alias-spec.js';
export {
  ciLoginJwtRole,
  ciLoginMount,
  ciLoginRoleName,
  ciLoginSigningRole,
  validateCiLoginSpec,
  type CiLoginSpec,
} from './ci-login.js';
export {
  appRoleRoleSpecFromWire,
  appRoleRoleSpecToTerraform,
  appRoleRoleSpecToWire,
  validateAppRoleRoleSpec,
  APPROLE_ROLE_DEFAULTS,
  DEFAULT_APPROLE_AUTH_PATH,
  type AppRoleRoleSpec,
} from './approle-role-spec.js';
export {
  tokenRoleSpecFromWire,
  tokenRoleSpecToTerraform,
  tokenRoleSpecToWire,
  validateTokenRoleSpec,
  type TokenRoleSpec,
} from './token-role-spec.js';
export {
  deliveryPlatformAppRole,
  deliveryPlatformMount,
  deliveryPlatformRoleName,
  deliveryPlatformSigningRole,
  validateDeliveryPlatformSpec,
  type DeliveryPlatformSpec,
} from './delivery-platform.js';
export {
  CANONICAL_OWNER,
  DEFAULT_INSTANCE_TYPE,
  ENCRYPTED_ROOT_VOLUME,
  IMDS_V2,
  UBUNTU_LTS_AMI_FILTERS,
  UBUNTU_LTS_AMI_NAME,
  splitCidrFamilies,
  sshCidrIssues,
} from './ec2-hosts.js';
