// `SshEnvironment`: one environment (dev, prod, …) in a few lines: its own mount and CA, its roles,
// one signing policy per role, and the host-trust artefacts for that environment's hosts, rendered
// from the CA public key by core/render (cloud-init user-data, sshd drop-in, trusted keys, Ansible
// variables). Environments never share a CA: separation is by key, not by naming. One-time-password
// roles (`otpRoles`) get a creds policy each, and those marked `zeroAddress` are put in the mount's
// zero-address list, written after them (Vault refuses to list a role that does not exist).
// With `hostCa`, a host CA of its own (`ssh-<env>-host`) with a role that signs host keys only, the
// policy that may sign on it, and the `@cert-authority` lines clients trust it with (issue 17).
// With `ciLogin`, a JWT role on a given JWT auth mount that admits one project's CI jobs (bound to
// its project and branch) with the signing policy of one SSH role, `automation` by default (issue 18).
// With `deliveryPlatform`, an AppRole role (one-use, short-lived secret IDs) whose tokens get the same
// kind of signing policy: the deploy automation's identity (issue 24); its `roleId` is an output.
// Members and args carry the CDKTF twin's names (issue 16, point 5); `mountPath` remains as a
// deprecated alias of `mount`.

import * as pulumi from '@pulumi/pulumi';
import type { RoleSpec } from '../core/role-spec.js';
import { sharedRoleNameIssues, type OtpRoleSpec } from '../core/role-spec-otp.js';
import { renderAnsibleVars } from '../core/render/ansible-vars.js';
import { renderCloudConfig } from '../core/render/cloud-config.js';
import { validateHostTrust } from '../core/render/host-trust.js';
import { renderSshdDropIn, renderTrustedCaKeys } from '../core/render/sshd-files.js';
import { credsPolicy, signingPolicy } from '../core/acl/signing-policy.js';
import {
  hostCaMount,
  hostCaPatterns,
  hostRoleName,
  hostRoleSpec,
  hostSigningPolicyName,
  validateHostCaSpec,
  type HostCaSpec,
} from '../core/host-ca.js';
import { resolveMountAlias } from '../core/mount-path.js';
import type { RotationSpec } from '../core/rotation.js';
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
import { renderCertAuthorityLines, validateCertAuthority } from '../core/render/known-hosts.js';
import { AclPolicy } from './acl-policy.js';
import type { ConnectionArgs } from './resource-kit.js';
import { SecretsMount } from './secrets-mount.js';
import { SshCertificateAuthority } from './ssh-ca.js';
import { SshOtpRole } from './ssh-otp-role.js';
import { SshRole } from './ssh-role.js';
import { SshZeroAddressRoles } from './ssh-zero-address-roles.js';

/** What one environment needs. */
export interface SshEnvironmentArgs extends ConnectionArgs {
  /** Environment name, e.g. `dev`: lower-case letters, digits, _ and -. */
  readonly environment: string;
  /** The SSH mount path; give it or the deprecated `mountPath`, not both. @default - `ssh-<environment>` */
  readonly mount?: string;
  /**
   * @deprecated use `mount` (same value, the name the CDKTF SshEnvironment and every SSH resource use).
   * @default - none: `mount` names the mount
   */
  readonly mountPath?: string;
  /** Mount max lease TTL. @default - 24 hours (`"24h"`) */
  readonly maxLeaseTtl?: string | number;
  /** CA key type and size (see SshCertificateAuthorityArgs). @default - an ed25519 CA */
  readonly ca?: {
    /** @default - `ed25519` */
    readonly keyType?: string;
    /** @default - the backend's size for the type: 4096 bits for RSA, P-256 for ECDSA */
    readonly keyBits?: number;
  };
  /**
   * Staged rotation of the environment's CA key (see SshCertificateAuthorityArgs `rotation`): during
   * stages 1 and 2 the host-trust outputs carry the old and the next key.
   * @default - none: no rotation
   */
  readonly rotation?: RotationSpec;
  /** Roles by name (see RoleSpec for fields and defaults). */
  readonly roles: Readonly<Record<string, RoleSpec>>;
  /**
   * One-time-password roles by name (see OtpRoleSpec); a name may not also be in `roles`. Those with
   * `zeroAddress: true` make up the mount's zero-address list.
   * @default - none: no OTP role, creds policy or zero-address list
   */
  readonly otpRoles?: Readonly<Record<string, OtpRoleSpec>>;
  /**
   * Host accounts → the principals that may log in as them, for the host-trust artefacts.
   * @default - none: the artefacts map no account, so hosts accept no certificate until one is added
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
   * `path`, so the role comes after the method) that admits the jobs its bound claims or subject
   * name, with this environment's signing policy of `signingRole` (`automation` unless given).
   * @default - none: no JWT role; CI jobs need a token some other way
   */
  readonly ciLogin?: CiLoginArgs;
  /**
   * The delivery platform's identity (see DeliveryPlatformSpec): an AppRole role on the AppRole mount
   * `authMount` (an AuthMethod's `path`) whose tokens get this environment's signing policy of
   * `signingRole` (`automation` unless given); one-use secret IDs that live 10 minutes, 15 m / 1 h tokens.
   * @default - none: no AppRole role; deploys need a token some other way
   */
  readonly deliveryPlatform?: DeliveryPlatformArgs;
}

/** A delivery platform: DeliveryPlatformSpec, with the AppRole mount as an input (e.g. an AuthMethod's `path`). */
export type DeliveryPlatformArgs = Omit<DeliveryPlatformSpec, 'authMount'> & {
  /** The AppRole auth mount. @default - `approle` */
  readonly authMount?: pulumi.Input<string>;
};

/** A CI login: CiLoginSpec, with the JWT auth mount as an input (e.g. a JwtAuthBackend's `path`). */
export type CiLoginArgs = Omit<CiLoginSpec, 'authMount'> & {
  /** The JWT auth mount. @default - `jwt` */
  readonly authMount?: pulumi.Input<string>;
};

/** An environment's host CA and what clients and hosts need of it. */
export interface SshHostCa {
  /** The host CA (the child `<name>-host-ca`) on its own mount. */
  readonly authority: SshCertificateAuthority;
  /** The host role (the child `<name>-host-role`): host certificates only. */
  readonly role: SshRole;
  /** The policy that may sign host keys on it (`<environment>-sign-<role>`). */
  readonly signingPolicy: pulumi.Output<string>;
  /** The host CA public key. */
  readonly publicKey: pulumi.Output<string>;
  /** The `@cert-authority` lines for clients' known_hosts (one per key, newline-terminated). */
  readonly knownHosts: pulumi.Output<string>;
}

/** One environment's SSH CA, roles, policies and host trust. */
export class SshEnvironment extends pulumi.ComponentResource {
  /** The environment name. */
  readonly environment: string;
  /** The environment's mount path. */
  readonly mount: pulumi.Output<string>;
  /** The environment's CA (the child `<name>-ca`). */
  readonly authority: SshCertificateAuthority;
  /** Role name → its role (the child `<name>-role-<role>`). */
  readonly roles: Readonly<Record<string, SshRole>>;
  /** Host accounts → principals, as given (empty when not). */
  readonly hostPrincipals: Readonly<Record<string, readonly string[]>>;
  /** The CA public key the environment's backend signs with. */
  readonly caPublicKey: pulumi.Output<string>;
  /** Every CA key hosts of this environment trust now: old and next during rotation stages 1 and 2. */
  readonly trustedKeys: pulumi.Output<string[]>;
  /** Role name → the policy that may sign on it (`<environment>-sign-<role>`). */
  readonly signingPolicies: Readonly<Record<string, pulumi.Output<string>>>;
  /** OTP role name → the policy that may ask for its OTPs (`<environment>-creds-<role>`). */
  readonly credsPolicies: Readonly<Record<string, pulumi.Output<string>>>;
  /** OTP role name → its role. */
  readonly otpRoles: Readonly<Record<string, SshOtpRole>>;
  /** The mount's zero-address list, when an OTP role has `zeroAddress: true`. */
  readonly zeroAddressRoles: SshZeroAddressRoles | undefined;
  /** `#cloud-config` user-data for this environment's new instances. */
  readonly userData: pulumi.Output<string>;
  /** The sshd_config drop-in for this environment's hosts. */
  readonly sshdDropIn: pulumi.Output<string>;
  /** The TrustedUserCAKeys file for this environment's hosts. */
  readonly trustedCaKeys: pulumi.Output<string>;
  /** group_vars for the Ansible role ssh_ca_trust. */
  readonly ansibleVars: pulumi.Output<string>;
  /** The host CA, when `hostCa` is given. */
  readonly hostCa: SshHostCa | undefined;
  /** The CI login's JWT role (the child `<name>-ci-login`), when `ciLogin` is given. */
  readonly ciLogin: JwtRole | undefined;
  /** The delivery platform's AppRole role (the child `<name>-delivery`), when `deliveryPlatform` is given. */
  readonly deliveryPlatform: AppRoleRole | undefined;

  constructor(name: string, args: SshEnvironmentArgs, opts?: pulumi.ComponentResourceOptions) {
    super('vault-ssh-ca:index:SshEnvironment', name, {}, opts);
    const otpSpecs = args.otpRoles ?? {};
    const clash = sharedRoleNameIssues(Object.keys(args.roles), Object.keys(otpSpecs));
    if (clash.length > 0) throw new Error(`SshEnvironment ${name}: ${clash.map((i) => i.message).join('; ')}`);
    const { mount: path, issues } = resolveMountAlias(
      args.mount,
      { name: 'mountPath', value: args.mountPath },
      `ssh-${args.environment}`,
    );
    if (issues.length > 0) throw new Error(`SshEnvironment ${name}: ${issues.map((i) => i.message).join('; ')}`);
    const hostIssues = args.hostCa ? validateHostCaSpec(args.hostCa, path) : [];
    if (hostIssues.length > 0)
      throw new Error(`SshEnvironment ${name}: ${hostIssues.map((i) => `${i.field}: ${i.message}`).join('; ')}`);
    if (args.ciLogin) {
      const { authMount: _mount, ...spec } = args.ciLogin;
      const ciIssues = validateCiLoginSpec(args.environment, spec, Object.keys(args.roles));
      if (ciIssues.length > 0)
        throw new Error(`SshEnvironment ${name}: ${ciIssues.map((i) => `${i.field}: ${i.message}`).join('; ')}`);
    }
    if (args.deliveryPlatform) {
      const { authMount: _mount, ...spec } = args.deliveryPlatform;
      const dpIssues = validateDeliveryPlatformSpec(args.environment, spec, Object.keys(args.roles));
      if (dpIssues.length > 0)
        throw new Error(`SshEnvironment ${name}: ${dpIssues.map((i) => `${i.field}: ${i.message}`).join('; ')}`);
    }
    const conn = { ...(args.address ? { address: args.address } : {}), ...(args.token ? { token: args.token } : {}) };
    const child = { parent: this };
    const mount = new SecretsMount(
      `${name}-mount`,
      { ...conn, path, description: `SSH CA for ${args.environment}`, maxLeaseTtl: args.maxLeaseTtl ?? '24h' },
      child,
    );
    const ca = new SshCertificateAuthority(
      `${name}-ca`,
      {
        ...conn,
        mount: mount.path,
        ...(args.ca?.keyType ? { keyType: args.ca.keyType } : {}),
        ...(args.ca?.keyBits ? { keyBits: args.ca.keyBits } : {}),
        ...(args.rotation ? { rotation: args.rotation } : {}),
      },
      { ...child, deleteBeforeReplace: true },
    );
    const roles: Record<string, SshRole> = {};
    const policies: Record<string, pulumi.Output<string>> = {};
    for (const [role, spec] of Object.entries(args.roles)) {
      roles[role] = new SshRole(`${name}-role-${role}`, { ...conn, ...spec, mount: mount.path, name: role } as never, {
        ...child,
        dependsOn: [ca],
      });
      const policyName = `${args.environment}-sign-${role}`;
      policies[role] = new AclPolicy(
        `${name}-policy-${role}`,
        { ...conn, name: policyName, policy: signingPolicy(path, [role]) },
        child,
      ).name;
    }
    const otpRoles: Record<string, SshOtpRole> = {};
    const credsPolicies: Record<string, pulumi.Output<string>> = {};
    for (const [role, spec] of Object.entries(otpSpecs)) {
      otpRoles[role] = new SshOtpRole(
        `${name}-otp-role-${role}`,
        { ...conn, ...spec, mount: mount.path, name: role },
        child,
      );
      credsPolicies[role] = new AclPolicy(
        `${name}-creds-policy-${role}`,
        { ...conn, name: `${args.environment}-creds-${role}`, policy: credsPolicy(path, [role]) },
        child,
      ).name;
    }
    const zeroAddress = Object.keys(otpSpecs).filter((role) => otpSpecs[role]!.zeroAddress);
    this.zeroAddressRoles =
      zeroAddress.length === 0
        ? undefined
        : new SshZeroAddressRoles(
            `${name}-zero-address`,
            { ...conn, mount: mount.path, roles: zeroAddress },
            { ...child, dependsOn: zeroAddress.map((role) => otpRoles[role]!) },
          );
    this.otpRoles = otpRoles;
    this.credsPolicies = credsPolicies;
    // Every key hosts trust now (a state from before `trustedKeys` existed has the signing key only).
    const trustedKeys = pulumi
      .all([ca.publicKey, ca.trustedKeys])
      .apply(([key, keys]) => (keys !== undefined && keys.length > 0 ? keys : [key]));
    const trust = trustedKeys.apply((keys) =>
      validateHostTrust({ environment: args.environment, caKeys: keys, principals: args.hostPrincipals ?? {} }),
    );
    if (args.ciLogin) {
      const { authMount, ...spec } = args.ciLogin;
      this.ciLogin = new JwtRole(
        `${name}-ci-login`,
        {
          ...conn,
          ...ciLoginJwtRole(args.environment, spec),
          tokenPolicies: [policies[ciLoginSigningRole(spec)]!],
          mount: authMount ?? ciLoginMount({}),
          name: ciLoginRoleName(args.environment, spec),
        } as never,
        child,
      );
    } else {
      this.ciLogin = undefined;
    }
    if (args.deliveryPlatform) {
      const { authMount, ...spec } = args.deliveryPlatform;
      this.deliveryPlatform = new AppRoleRole(
        `${name}-delivery`,
        {
          ...conn,
          ...deliveryPlatformAppRole(args.environment, spec),
          tokenPolicies: [policies[deliveryPlatformSigningRole(spec)]!],
          mount: authMount ?? deliveryPlatformMount({}),
          name: deliveryPlatformRoleName(args.environment, spec),
        } as never,
        child,
      );
    } else {
      this.deliveryPlatform = undefined;
    }
    this.hostCa = args.hostCa ? this.hostAuthority(name, args.environment, path, args.hostCa, conn) : undefined;
    this.environment = args.environment;
    this.mount = mount.path;
    this.authority = ca;
    this.roles = roles;
    this.hostPrincipals = args.hostPrincipals ?? {};
    this.caPublicKey = ca.publicKey;
    this.trustedKeys = trustedKeys;
    this.signingPolicies = policies;
    this.userData = trust.apply((t) => renderCloudConfig(t));
    this.sshdDropIn = trust.apply((t) => renderSshdDropIn(t));
    this.trustedCaKeys = trust.apply((t) => renderTrustedCaKeys(t));
    this.ansibleVars = trust.apply((t) => renderAnsibleVars(t));
    this.registerOutputs({
      mount: this.mount,
      mountPath: this.mount, // as registered before `mount` (issue 16): the state keeps its outputs
      caPublicKey: this.caPublicKey,
      trustedKeys: this.trustedKeys,
      userData: this.userData,
      sshdDropIn: this.sshdDropIn,
      trustedCaKeys: this.trustedCaKeys,
      ansibleVars: this.ansibleVars,
      ...(this.hostCa ? { hostCaPublicKey: this.hostCa.publicKey, knownHosts: this.hostCa.knownHosts } : {}),
      ...(this.ciLogin ? { ciLoginRole: this.ciLogin.name } : {}),
      ...(this.deliveryPlatform
        ? { deliveryPlatformRole: this.deliveryPlatform.name, deliveryPlatformRoleId: this.deliveryPlatform.roleId }
        : {}),
    });
  }

  /** The host CA's mount, CA, role and policy, as children. */
  private hostAuthority(
    name: string,
    environment: string,
    userMount: string,
    spec: HostCaSpec,
    conn: ConnectionArgs,
  ): SshHostCa {
    const child = { parent: this };
    const path = hostCaMount(spec, userMount);
    const role = hostRoleName(spec);
    const mount = new SecretsMount(
      `${name}-host-mount`,
      { ...conn, path, description: `SSH host CA for ${environment}`, maxLeaseTtl: spec.maxTtl ?? '2160h' },
      child,
    );
    const authority = new SshCertificateAuthority(
      `${name}-host-ca`,
      { ...conn, mount: mount.path, ...(spec.keyType ? { keyType: spec.keyType } : {}) },
      { ...child, deleteBeforeReplace: true },
    );
    return {
      authority,
      role: new SshRole(
        `${name}-host-role`,
        { ...conn, ...hostRoleSpec(spec), mount: mount.path, name: role } as never,
        { ...child, dependsOn: [authority] },
      ),
      signingPolicy: new AclPolicy(
        `${name}-host-policy`,
        { ...conn, name: hostSigningPolicyName(environment, spec), policy: signingPolicy(path, [role]) },
        child,
      ).name,
      publicKey: authority.publicKey,
      knownHosts: authority.publicKey.apply((key) =>
        renderCertAuthorityLines(validateCertAuthority({ hosts: hostCaPatterns(spec), caKeys: [key] })),
      ),
    };
  }

  /** @deprecated use `mount` (the same output, the name the CDKTF SshEnvironment uses). */
  get mountPath(): pulumi.Output<string> {
    return this.mount;
  }
}
