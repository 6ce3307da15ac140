// `SshEnvironment`: one environment's CA, roles and signing policies (one per role,
// `<environment>-sign-<role>`), and what its hosts trust, for `TrustedEc2Hosts`.

import { Construct } from 'constructs';
import type { RoleSpec } from '../core/role-spec.js';
import { SshAccessPolicy } from './ssh-access-policy.js';
import { SshCertificateAuthority, type SshCertificateAuthorityProps } from './ssh-certificate-authority.js';
import { SshRole } from './ssh-role.js';

export interface SshEnvironmentProps {
  /** e.g. `dev`, `prod`. */
  readonly environment: string;
  /** @default `ssh-<environment>` */
  readonly mountPath?: string;
  /** CA key type and size, mount TTL. @default ed25519, 24 h */
  readonly ca?: Omit<SshCertificateAuthorityProps, 'path'>;
  readonly roles: Readonly<Record<string, RoleSpec>>;
  /** Host accounts → principals that may log in as them. @default none */
  readonly hostPrincipals?: Readonly<Record<string, readonly string[]>>;
}

export class SshEnvironment extends Construct {
  readonly environment: string;
  readonly authority: SshCertificateAuthority;
  readonly roles: Readonly<Record<string, SshRole>>;
  /** Role name → its signing policy. */
  readonly policies: Readonly<Record<string, SshAccessPolicy>>;
  readonly hostPrincipals: Readonly<Record<string, readonly string[]>>;

  constructor(scope: Construct, id: string, props: SshEnvironmentProps) {
    super(scope, id);
    const path = props.mountPath ?? `ssh-${props.environment}`;
    this.environment = props.environment;
    this.hostPrincipals = props.hostPrincipals ?? {};
    this.authority = new SshCertificateAuthority(this, 'ca', { ...props.ca, path });
    const roles: Record<string, SshRole> = {};
    const policies: Record<string, SshAccessPolicy> = {};
    for (const [name, spec] of Object.entries(props.roles)) {
      roles[name] = new SshRole(this, `role-${name}`, { ...spec, backend: this.authority.path, name });
      policies[name] = new SshAccessPolicy(this, `policy-${name}`, {
        name: `${props.environment}-sign-${name}`,
        mount: path,
        roles: [name],
      });
    }
    this.roles = roles;
    this.policies = policies;
  }
}
