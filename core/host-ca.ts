// The host CA of an environment (issue 17, point 1): a CA of its own, on its own mount
// (`ssh-<environment>-host`), never the user CA, with one role that signs host keys only, for the
// environment's domains, for long. Hosts present the certificates it signs (`HostCertificate`);
// clients trust it with one `@cert-authority <hosts> <key>` line (core/render/known-hosts.ts) instead
// of learning each host key on first use. The Pulumi and CDKTF `SshEnvironment` and the scenario
// build it from this spec.

import type { Issue } from './errors.js';
import { checkHostPatterns } from './render/known-hosts.js';
import type { RoleSpec } from './role-spec.js';

/** What an environment's host CA vouches for. */
export interface HostCaSpec {
  /**
   * Domains host certificates may name: `dev.example.com` lets the role sign for
   * `web-1.dev.example.com` (with allowSubdomains) and for `dev.example.com` itself (with allowBareDomains).
   */
  readonly allowedDomains: readonly string[];
  /** The host CA's mount: never the user CA's. @default - `<user CA mount>-host`, e.g. `ssh-dev-host` */
  readonly mount?: string;
  /** The host role's name, used in `<mount>/sign/<role>`. @default - `host` */
  readonly role?: string;
  /** Sign names below allowedDomains. @default - true */
  readonly allowSubdomains?: boolean;
  /** Sign the names in allowedDomains themselves. @default - false */
  readonly allowBareDomains?: boolean;
  /** Host certificate lifetime when a request asks for none. @default - 30 days (`"720h"`) */
  readonly ttl?: string | number;
  /** Longest host certificate lifetime. @default - 90 days (`"2160h"`) */
  readonly maxTtl?: string | number;
  /** Host CA key type (see SshCertificateAuthority). @default - `ed25519` */
  readonly keyType?: string;
}

/** The host CA mount of an environment whose user CA is on `userMount`. */
export const hostCaMount = (spec: Pick<HostCaSpec, 'mount'>, userMount: string): string =>
  spec.mount ?? `${userMount}-host`;

/** The host role's name. */
export const hostRoleName = (spec: Pick<HostCaSpec, 'role'>): string => spec.role ?? 'host';

/** The policy name that may sign host keys on an environment's host CA: `dev-sign-host`. */
export const hostSigningPolicyName = (environment: string, spec: Pick<HostCaSpec, 'role'>): string =>
  `${environment}-sign-${hostRoleName(spec)}`;

/** The host key types and sizes sshd generates (`ssh-keygen -A`): ed25519, ECDSA P-256/384/521, RSA ≥ 3072. */
const HOST_KEY_LENGTHS: Readonly<Record<string, readonly number[]>> = {
  ed25519: [0],
  ecdsa: [256, 384, 521],
  rsa: [3072, 4096],
};

/** The host role: host certificates only, for the spec's domains. */
export function hostRoleSpec(spec: HostCaSpec): RoleSpec {
  return {
    allowUserCertificates: false,
    allowHostCertificates: true,
    allowedDomains: [...spec.allowedDomains],
    allowSubdomains: spec.allowSubdomains ?? true,
    allowBareDomains: spec.allowBareDomains ?? false,
    ttl: spec.ttl ?? '720h',
    maxTtl: spec.maxTtl ?? '2160h',
    allowedUserKeyLengths: HOST_KEY_LENGTHS,
    keyIdFormat: '{{role_name}}-{{token_display_name}}-{{public_key_hash}}',
  };
}

/**
 * The known_hosts patterns that match the names the host role signs: `*.dev.example.com` for a
 * subdomain, `dev.example.com` for a bare domain.
 */
export function hostCaPatterns(spec: HostCaSpec): string[] {
  return spec.allowedDomains.flatMap((d) => [
    ...((spec.allowSubdomains ?? true) ? [`*.${d}`] : []),
    ...((spec.allowBareDomains ?? false) ? [d] : []),
  ]);
}

/** Problems with a host CA spec, given the user CA's mount; fields as the spec names them. */
export function validateHostCaSpec(spec: HostCaSpec, userMount: string): Issue[] {
  const issues: Issue[] = [];
  if (hostCaMount(spec, userMount) === userMount) {
    issues.push({
      field: 'hostCa.mount',
      message: `the host CA needs a mount of its own, not the user CA's ${JSON.stringify(userMount)}: a key that signs both can make a user certificate pass as a host's`,
    });
  }
  if (spec.allowedDomains.length === 0) {
    issues.push({ field: 'hostCa.allowedDomains', message: 'name the domains host certificates may be signed for' });
  }
  if (!(spec.allowSubdomains ?? true) && !(spec.allowBareDomains ?? false)) {
    issues.push({
      field: 'hostCa.allowSubdomains',
      message: 'allowSubdomains and allowBareDomains are both false, so the host role can sign no name',
    });
  }
  if (issues.length > 0) return issues;
  // The patterns clients get must be ones ssh can match, and not match every host.
  return checkHostPatterns(hostCaPatterns(spec)).map((i) => ({ field: 'hostCa.allowedDomains', message: i.message }));
}
