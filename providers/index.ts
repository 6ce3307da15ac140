// Pulumi dynamic providers and components for SSH certificate authorities on Vault, OpenBao or the
// embedded server (re-exports only). See providers/README.md.

export { SecretsMount, type SecretsMountArgs } from './secrets-mount.js';
export { SshCertificateAuthority, type SshCertificateAuthorityArgs, SshCa, type SshCaArgs } from './ssh-ca.js';
export { SshRole, type SshRoleArgs } from './ssh-role.js';
export { SshOtpRole, type SshOtpRoleArgs } from './ssh-otp-role.js';
export { SshZeroAddressRoles, type SshZeroAddressRolesArgs } from './ssh-zero-address-roles.js';
export { AclPolicy, credsPolicy, signingPolicy, type AclPolicyArgs } from './acl-policy.js';
export { SshAccessPolicy, type SshAccessPolicyArgs } from './ssh-access-policy.js';
export { AuthMethod, type AuthMethodArgs } from './auth-method.js';
export { UserpassUser, type UserpassUserArgs } from './userpass-user.js';
export { AuditDevice, type AuditDeviceArgs } from './audit-device.js';
export { JwtAuthBackend, type JwtAuthBackendArgs } from './jwt-auth-backend.js';
export { JwtRole, type JwtRoleArgs } from './jwt-role.js';
export { AppRoleRole, type AppRoleRoleArgs } from './approle-role.js';
export { TokenRole, type TokenRoleArgs } from './token-role.js';
export { IdentityEntity, type IdentityEntityArgs } from './identity-entity.js';
export { IdentityEntityAlias, type IdentityEntityAliasArgs } from './identity-entity-alias.js';
export { SshEnvironment, type SshEnvironmentArgs } from './ssh-environment.js';
export type { ConnectionArgs } from './resource-kit.js';
export type { RoleSpec } from '../core/role-spec.js';
export type { OtpRoleSpec } from '../core/role-spec-otp.js';
export type { JwtRoleSpec } from '../core/jwt-role-spec.js';
export type { CiLoginSpec } from '../core/ci-login.js';
export type { AppRoleRoleSpec } from '../core/approle-role-spec.js';
export type { TokenRoleSpec } from '../core/token-role-spec.js';
export type { DeliveryPlatformSpec } from '../core/delivery-platform.js';
export { WrappedToken, type WrappedTokenArgs } from './wrapped-token.js';
export { SshRevocation, type SshRevocationArgs } from './ssh-revocation.js';
