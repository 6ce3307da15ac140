// `SshCertificateAuthority`: a `vault_mount` of type ssh and its `vault_ssh_secret_backend_ca` with
// the signing key generated inside Vault (ed25519 unless told otherwise). `publicKey` is a
// Terraform reference to the CA public key, for host trust. The mount is `mount`, as on the Pulumi
// twin; the old prop `path` is still accepted, deprecated.

import { Mount } from '@cdktf/provider-vault/lib/mount/index.js';
import { SshSecretBackendCa } from '@cdktf/provider-vault/lib/ssh-secret-backend-ca/index.js';
import { Token } from 'cdktf';
import { Construct } from 'constructs';
import { validateCaProps } from '../core/ca-spec.js';
import { renameIssueFields } from '../core/issue-fields.js';
import { validateMountPath } from '../core/mount-path.js';
import { resolveMount } from './mount-prop.js';
import { validateWith } from './validation.js';

/** Props of an SshCertificateAuthority. */
export interface SshCertificateAuthorityProps {
  /**
   * Mount path, e.g. `ssh-dev`. Required: give it, or the deprecated `path`, not both.
   * @default - none: the deprecated `path` names the mount; one of the two is required
   */
  readonly mount?: string;
  /**
   * @deprecated use `mount` (same value, the name the Pulumi SshCertificateAuthority uses).
   * @default - none: `mount` names the mount
   */
  readonly path?: string;
  /** The mount's description. @default - `SSH CA <mount>` */
  readonly description?: string;
  /** The mount's max lease TTL in seconds. @default - 86400 (24 h) */
  readonly maxLeaseTtlSeconds?: number;
  /** Generated key type. @default - `ed25519` */
  readonly keyType?: 'ed25519' | 'rsa' | 'ec';
  /**
   * Key size: RSA 2048–16384, ECDSA 256, 384 or 521.
   * @default - not sent: Vault's size for the type, 4096 bits for RSA, P-256 for ECDSA (ed25519 has one size)
   */
  readonly keyBits?: number;
}

/** An SSH mount (`vault_mount`, construct id `mount`) and its CA (`vault_ssh_secret_backend_ca`, id `ca`). */
export class SshCertificateAuthority extends Construct {
  /** The `vault_mount` resource. */
  readonly mount: Mount;
  /** The `vault_ssh_secret_backend_ca` resource. */
  readonly ca: SshSecretBackendCa;
  /** The mount path (a Terraform reference). */
  readonly path: string;
  /** The CA public key (a Terraform reference: `${vault_ssh_secret_backend_ca.<id>.public_key}`). */
  readonly publicKey: string;

  constructor(scope: Construct, id: string, props: SshCertificateAuthorityProps) {
    super(scope, id);
    const { mount, issues: mountIssues } = resolveMount(props, 'path');
    validateWith(this, () => [
      ...mountIssues,
      // The mount path's rules (core/mount-path.ts) when synthesis knows it, and Vault's config/ca
      // rules for the generation this construct asks for (core/ca-spec.ts), named by the props.
      ...(mountIssues.length > 0 || Token.isUnresolved(mount)
        ? []
        : renameIssueFields(validateMountPath(mount, 'secrets'), { path: 'mount' })),
      ...validateCaProps({ keyType: props.keyType, keyBits: props.keyBits }),
    ]);
    this.mount = new Mount(this, 'mount', {
      path: mount,
      type: 'ssh',
      description: props.description ?? `SSH CA ${mount}`,
      maxLeaseTtlSeconds: props.maxLeaseTtlSeconds ?? 86400,
    });
    this.ca = new SshSecretBackendCa(this, 'ca', {
      backend: this.mount.path,
      generateSigningKey: true,
      keyType: props.keyType ?? 'ed25519',
      ...(props.keyBits !== undefined ? { keyBits: props.keyBits } : {}),
    });
    this.path = this.mount.path;
    this.publicKey = this.ca.publicKey;
  }
}
