// `SshEnvironment`: one environment's CA, roles and signing policies (one per role,
// `<environment>-sign-<role>`), and what its hosts trust, for `TrustedEc2Hosts`. One-time-password
// roles (`otpRoles`) get a creds policy each (`<environment>-creds-<role>`); those marked
// `zeroAddress` make up the mount's zero-address list, written after them. With `hostCa`, a host CA of
// its own (`ssh-<env>-host`), a role that signs host keys only, the policy that may sign on it, and
// the `@cert-authority` lines clients trust it with (issue 17). With `ciLogin`, a JWT role on a given
// JWT auth mount that admits one project's CI jobs with the signing policy of one SSH role (issue 18).
// With `deliveryPlatform`, an AppRole role (one-use, short-lived secret IDs) with the same kind of
// signing policy: the deploy automation's identity (issue 24). Members and props carry the Pulumi
// twin's names (issue 16, point 5); `mountPath` and `policies` remain as deprecated aliases.

import { Construct } from 'constructs';
import { parseDurationSeconds } from '../core/duration.js';
import {
  hostCaMount,
  hostCaPatterns,
  hostRoleName,
  hostRoleSpec,
  hostSigningPolicyName,
  validateHostCaSpec,
  type HostCaSpec,
} from '../core/host-ca.js';
import { renderAnsibleVars } from '../core/render/ansible-vars.js';
import { renderCloudConfig } from '../core/render/cloud-config.js';
import { renderCertAuthorityLines } from '../core/render/known-hosts.js';
import { renderSshdDropIn, renderTrustedCaKeys } from '../core/render/sshd-files.js';
import { renderWithCaReference } from './host-trust-reference.js';
import type { RoleSpec } from '../core/role-spec.js';
import { signingMountOnVault, type RotationSpec } from '../core/rotation.js';
import { sharedRoleNameIssues, type OtpRoleSpec } from '../core/role-spec-otp.js';
import { SshAccessPolicy } from './ssh-access-policy.js';
import { SshCertificateAuthority, type SshCertificateAuthorityProps } from './ssh-certificate-authority.js';
import { SshOtpRole } from './ssh-otp-role.js';
import { SshRole } from './ssh-role.js';
import { SshZeroAddressRoles } from './ssh-zero-address-roles.js';
import { resolveMount } from './mount-prop.js';
import {
  ciLoginJwtRole,
  ciLoginMount,
  ciLoginRoleName,
  ciLoginSigningRole,
  validateCiLoginSpec,
  type CiLoginSpec,
} from '../core/ci-login.js';
import { JwtRole } from './jwt-role.js';
import {
  deliveryPlatformAppRole,
  deliveryPlatformMount,
  deliveryPlatformRoleName,
  deliveryPlatformSigningRole,
  validateDeliveryPlatformSpec,
  type DeliveryPlatformSpec,
} from '../core/delivery-platform.js';
import { AppRoleRole } from './approle-role.js';
import { validateWith } from './validation.js';

/** Props of an SshEnvironment. */
export interface SshEnvironmentProps {
  /** Environment name, e.g. `dev`, `prod`: it names the policies (`<environment>-sign-<role>`). */
  readonly environment: string;
  /** The SSH mount path; give it or the deprecated `mountPath`, not both. @default - `ssh-<environment>` */
  readonly mount?: string;
  /**
   * @deprecated use `mount` (same value, the name the Pulumi SshEnvironment and every SSH resource use).
   * @default - none: `mount` names the mount
   */
  readonly mountPath?: string;
  /**
   * CA key type and size, mount description and TTL (see SshCertificateAuthorityProps).
   * @default - an ed25519 CA on a mount described `SSH CA <mount>` with a 24 h max lease TTL
   */
  readonly ca?: Omit<SshCertificateAuthorityProps, 'mount' | 'path'>;
  /**
   * Staged rotation of the environment's CA (see SshCertificateAuthorityProps `rotation`): from stage 1
   * the host-trust outputs carry the old and the next key; from stage 2 the roles and policies are on
   * `<mount>-next`.
   * @default - none: no rotation
   */
  readonly rotation?: RotationSpec;
  /** CA roles by name (see RoleSpec for fields and defaults); each gets a signing policy. */
  readonly roles: Readonly<Record<string, RoleSpec>>;
  /**
   * One-time-password roles by name (see OtpRoleSpec); a name may not also be in `roles`. Those with
   * `zeroAddress: true` make up the mount's zero-address list.
   * @default - none: no OTP role, creds policy or zero-address list
   */
  readonly otpRoles?: Readonly<Record<string, OtpRoleSpec>>;
  /**
   * Host accounts → principals that may log in as them, for `TrustedEc2Hosts`.
   * @default - none: hosts map no account, so they accept no certificate until one is added
   */
  readonly hostPrincipals?: Readonly<Record<string, readonly string[]>>;
  /**
   * A host CA for this environment's hosts (see HostCaSpec): its own mount, a host role and the
   * policy that may sign on it, so hosts present certificates and clients need no trust on first use.
   * @default - none: no host CA; clients learn host keys as before
   */
  readonly hostCa?: HostCaSpec;
  /**
   * A CI login (see CiLoginSpec): a JWT role on the JWT auth mount `authMount` (a JwtAuthBackend's
   * `path` reference orders it after the method) that admits the jobs its bound claims or subject
   * name, with this environment's signing policy of `signingRole` (`automation` unless given).
   * @default - none: no JWT role; CI jobs need a token some other way
   */
  readonly ciLogin?: CiLoginSpec;
  /**
   * The delivery platform's identity (see DeliveryPlatformSpec): an AppRole role on the AppRole mount
   * `authMount` (an AuthMethod's `path` reference orders it after the method) whose tokens get this
   * environment's signing policy of `signingRole` (`automation` unless given); one-use secret IDs that
   * live 10 minutes, 15 m / 1 h tokens. Its role_id is `deliveryPlatform.roleId`.
   * @default - none: no AppRole role; deploys need a token some other way
   */
  readonly deliveryPlatform?: DeliveryPlatformSpec;
}

/** An environment's host CA and what clients and hosts need of it. */
export interface SshHostCa {
  /** The host CA and its own mount (construct id `host-ca`). */
  readonly authority: SshCertificateAuthority;
  /** The host role (construct id `host-role`): host certificates only. */
  readonly role: SshRole;
  /** The policy that may sign host keys on it (`<environment>-sign-<role>`, construct id `host-policy`). */
  readonly signingPolicy: SshAccessPolicy;
  /** The host CA public key (a Terraform reference). */
  readonly publicKey: string;
  /** The `@cert-authority` line for clients' known_hosts (a Terraform template, newline-terminated). */
  readonly knownHosts: string;
}

/** One environment's CA, roles and policies, and the host trust `TrustedEc2Hosts` renders. */
export class SshEnvironment extends Construct {
  /** The environment name. */
  readonly environment: string;
  /** The environment's mount and CA (construct id `ca`). */
  readonly authority: SshCertificateAuthority;
  /** Role name → its role (construct id `role-<name>`). */
  readonly roles: Readonly<Record<string, SshRole>>;
  /** The SSH mount path (a Terraform reference). */
  readonly mount: string;
  /** The public key of the CA that signs (a Terraform reference). */
  readonly caPublicKey: string;
  /** Every CA key hosts of this environment trust now (Terraform references): two during rotation stages 1 and 2. */
  readonly trustedKeys: readonly string[];
  /** Role name → the policy that may sign on it (`<environment>-sign-<role>`, construct id `policy-<role>`). */
  readonly signingPolicies: Readonly<Record<string, SshAccessPolicy>>;
  /** OTP role name → its role. */
  readonly otpRoles: Readonly<Record<string, SshOtpRole>>;
  /** OTP role name → the policy that may ask for its OTPs (`<environment>-creds-<role>`). */
  readonly credsPolicies: Readonly<Record<string, SshAccessPolicy>>;
  /** The mount's zero-address list, when an OTP role has `zeroAddress: true`. */
  readonly zeroAddressRoles: SshZeroAddressRoles | undefined;
  /** Host accounts → principals, as given (empty when not). */
  readonly hostPrincipals: Readonly<Record<string, readonly string[]>>;
  /** The host CA, when `hostCa` is given. */
  readonly hostCa: SshHostCa | undefined;
  /** `#cloud-config` user-data for this environment's new instances (the CA key a Terraform reference). */
  readonly userData: string;
  /** The sshd_config drop-in for this environment's hosts. */
  readonly sshdDropIn: string;
  /** The TrustedUserCAKeys file for this environment's hosts (the CA key a Terraform reference). */
  readonly trustedCaKeys: string;
  /** group_vars for the Ansible role ssh_ca_trust (the CA key a Terraform reference), e.g. for a local_file. */
  readonly ansibleVars: string;
  /** The CI login's JWT role (construct id `ci-login`), when `ciLogin` is given. */
  readonly ciLogin: JwtRole | undefined;
  /** The delivery platform's AppRole role (construct id `delivery`), when `deliveryPlatform` is given. */
  readonly deliveryPlatform: AppRoleRole | undefined;

  constructor(scope: Construct, id: string, props: SshEnvironmentProps) {
    super(scope, id);
    const { mount: path, issues: mountIssues } = resolveMount(props, 'mountPath', `ssh-${props.environment}`);
    validateWith(this, () => mountIssues);
    this.environment = props.environment;
    this.hostPrincipals = props.hostPrincipals ?? {};
    this.authority = new SshCertificateAuthority(this, 'ca', {
      ...props.ca,
      mount: path,
      ...(props.rotation ? { rotation: props.rotation } : {}),
    });
    this.mount = this.authority.path;
    this.caPublicKey = this.authority.publicKey;
    this.trustedKeys = this.authority.trustedKeys;
    // The policies name the mount that signs: `<mount>-next` from rotation stage 2.
    const signingPath = signingMountOnVault(path, props.rotation);
    const roles: Record<string, SshRole> = {};
    const policies: Record<string, SshAccessPolicy> = {};
    for (const [name, spec] of Object.entries(props.roles)) {
      roles[name] = new SshRole(this, `role-${name}`, { ...spec, mount: this.authority.path, name });
      policies[name] = new SshAccessPolicy(this, `policy-${name}`, {
        name: `${props.environment}-sign-${name}`,
        mount: signingPath,
        roles: [name],
      });
    }
    this.roles = roles;
    this.signingPolicies = policies;
    const otpSpecs = props.otpRoles ?? {};
    validateWith(this, () => sharedRoleNameIssues(Object.keys(props.roles), Object.keys(otpSpecs)));
    const otpRoles: Record<string, SshOtpRole> = {};
    const credsPolicies: Record<string, SshAccessPolicy> = {};
    for (const [name, spec] of Object.entries(otpSpecs)) {
      otpRoles[name] = new SshOtpRole(this, `otp-role-${name}`, { ...spec, mount: this.authority.path, name });
      credsPolicies[name] = new SshAccessPolicy(this, `creds-policy-${name}`, {
        name: `${props.environment}-creds-${name}`,
        mount: signingPath,
        roles: [name],
        endpoint: 'creds',
      });
    }
    const zeroAddress = Object.keys(otpSpecs).filter((name) => otpSpecs[name]!.zeroAddress);
    this.zeroAddressRoles =
      zeroAddress.length === 0
        ? undefined
        : new SshZeroAddressRoles(this, 'zero-address', {
            mount: this.authority.path,
            roles: zeroAddress,
            dependsOn: zeroAddress.map((name) => otpRoles[name]!.role),
          });
    this.otpRoles = otpRoles;
    this.credsPolicies = credsPolicies;
    this.hostCa = props.hostCa ? this.hostAuthority(props.environment, path, props.hostCa) : undefined;
    // The host-trust artefacts the Pulumi twin outputs, rendered around the CA key's reference.
    const trust = {
      environment: props.environment,
      hostPrincipals: this.hostPrincipals,
      caPublicKey: this.caPublicKey,
      caPublicKeys: this.trustedKeys,
    };
    this.userData = renderWithCaReference(trust, (t) => renderCloudConfig(t)).text;
    this.sshdDropIn = renderWithCaReference(trust, renderSshdDropIn).text;
    this.trustedCaKeys = renderWithCaReference(trust, renderTrustedCaKeys).text;
    this.ansibleVars = renderWithCaReference(trust, renderAnsibleVars).text;
    this.ciLogin = props.ciLogin ? this.ciLoginRole(props.environment, props.ciLogin, props.roles) : undefined;
    this.deliveryPlatform = props.deliveryPlatform
      ? this.deliveryRole(props.environment, props.deliveryPlatform, props.roles)
      : undefined;
  }

  /** The delivery platform's AppRole role, after the signing policy it names. */
  private deliveryRole(
    environment: string,
    spec: DeliveryPlatformSpec,
    roles: Readonly<Record<string, RoleSpec>>,
  ): AppRoleRole {
    // The signing role here; the AppRole role's own rules by the AppRoleRole (construct path `<id>/delivery`).
    validateWith(this, () =>
      validateDeliveryPlatformSpec(environment, spec, Object.keys(roles)).filter(
        (i) => i.field === 'deliveryPlatform.signingRole',
      ),
    );
    const policy = this.signingPolicies[deliveryPlatformSigningRole(spec)];
    return new AppRoleRole(this, 'delivery', {
      ...deliveryPlatformAppRole(environment, spec),
      mount: deliveryPlatformMount(spec),
      name: deliveryPlatformRoleName(environment, spec),
      ...(policy ? { dependsOn: [policy.policy] } : {}),
    });
  }

  /** The CI login's JWT role, after the signing policy it names. */
  private ciLoginRole(environment: string, spec: CiLoginSpec, roles: Readonly<Record<string, RoleSpec>>): JwtRole {
    // The signing role here; the JWT role's own rules by the JwtRole (construct path `<id>/ci-login`).
    validateWith(this, () =>
      validateCiLoginSpec(environment, spec, Object.keys(roles)).filter((i) => i.field === 'ciLogin.signingRole'),
    );
    const policy = this.signingPolicies[ciLoginSigningRole(spec)];
    return new JwtRole(this, 'ci-login', {
      ...ciLoginJwtRole(environment, spec),
      mount: ciLoginMount(spec),
      name: ciLoginRoleName(environment, spec),
      ...(policy ? { dependsOn: [policy.policy] } : {}),
    });
  }

  /** The host CA's mount, CA, role and policy. */
  private hostAuthority(environment: string, userMount: string, spec: HostCaSpec): SshHostCa {
    validateWith(this, () => validateHostCaSpec(spec, userMount));
    const path = hostCaMount(spec, userMount);
    const name = hostRoleName(spec);
    const authority = new SshCertificateAuthority(this, 'host-ca', {
      mount: path,
      description: `SSH host CA for ${environment}`,
      maxLeaseTtlSeconds: parseDurationSeconds(spec.maxTtl ?? '2160h'),
      ...(spec.keyType ? { keyType: spec.keyType as 'ed25519' | 'rsa' | 'ec' } : {}),
    });
    return {
      authority,
      role: new SshRole(this, 'host-role', { ...hostRoleSpec(spec), mount: authority.path, name }),
      signingPolicy: new SshAccessPolicy(this, 'host-policy', {
        name: hostSigningPolicyName(environment, spec),
        mount: path,
        roles: [name],
      }),
      publicKey: authority.publicKey,
      knownHosts: renderCertAuthorityLines({ hosts: hostCaPatterns(spec), caKeys: [authority.publicKey] }),
    };
  }

  /** @deprecated use `signingPolicies` (the same policies, the name the Pulumi SshEnvironment uses). */
  get policies(): Readonly<Record<string, SshAccessPolicy>> {
    return this.signingPolicies;
  }
}
