// CDK for Terraform constructs for SSH certificate authorities and trusting hosts (re-exports only).
// See modules/README.md.

export { SshCertificateAuthority, type SshCertificateAuthorityProps } from './ssh-certificate-authority.js';
export { SshRole, type SshRoleProps } from './ssh-role.js';
export { SshOtpRole, type SshOtpRoleProps } from './ssh-otp-role.js';
export { SshZeroAddressRoles, type SshZeroAddressRolesProps } from './ssh-zero-address-roles.js';
export { SshAccessPolicy, type SshAccessPolicyProps } from './ssh-access-policy.js';
export { AclPolicy, type AclPolicyProps } from './acl-policy.js';
export { AuthMethod, type AuthMethodProps } from './auth-method.js';
export { UserpassUser, type UserpassUserProps } from './userpass-user.js';
export { AuditDevice, type AuditDeviceProps } from './audit-device.js';
export { credsPolicy, signingPolicy } from '../core/acl/signing-policy.js';
export { SshEnvironment, type SshEnvironmentProps } from './ssh-environment.js';
export { TrustedEc2Hosts, type TrustedEc2HostsProps } from './trusted-ec2-hosts.js';
export type { RoleSpec } from '../core/role-spec.js';
export type { OtpRoleSpec } from '../core/role-spec-otp.js';
export { WrappedToken, type WrappedTokenProps } from './wrapped-token.js';
export { JwtAuthBackend, type JwtAuthBackendProps } from './jwt-auth-backend.js';
export { JwtRole, type JwtRoleProps } from './jwt-role.js';
export { AppRoleRole, type AppRoleRoleProps } from './approle-role.js';
export { TokenRole, type TokenRoleProps } from './token-role.js';
export { IdentityEntity, type IdentityEntityProps } from './identity-entity.js';
export { IdentityEntityAlias, type IdentityEntityAliasProps } from './identity-entity-alias.js';
export type { JwtRoleSpec } from '../core/jwt-role-spec.js';
export type { CiLoginSpec } from '../core/ci-login.js';
export type { AppRoleRoleSpec } from '../core/approle-role-spec.js';
export type { TokenRoleSpec } from '../core/token-role-spec.js';
export type { DeliveryPlatformSpec } from '../core/delivery-platform.js';
export { SshRevocations, type SshRevocationsProps, type SshRevocationEntry } from './ssh-revocation.js';
