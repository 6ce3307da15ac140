// `SshCertificateAuthority`: a `vault_mount` of type ssh and its `vault_ssh_secret_backend_ca` with
// the signing key generated inside Vault (ed25519 unless told otherwise). `publicKey` is a
// Terraform reference to the CA public key, for host trust.

import { Mount } from '@cdktf/provider-vault/lib/mount/index.js';
import { SshSecretBackendCa } from '@cdktf/provider-vault/lib/ssh-secret-backend-ca/index.js';
import { Construct } from 'constructs';
import { validateCaSpec } from '../core/ca-spec.js';
import { validateWith } from './validation.js';

/** Props of an SshCertificateAuthority. */
export interface SshCertificateAuthorityProps {
  /** Mount path, e.g. `ssh-dev`. */
  readonly path: string;
  /** The mount's description. @default - `SSH CA <path>` */
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
    validateWith(this, () => [
      ...(/^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/.test(props.path)
        ? []
        : [{ field: 'path', message: `invalid mount path ${JSON.stringify(props.path)}` }]),
      // Vault's config/ca rules (core/ca-spec.ts), fields renamed to this construct's props.
      ...validateCaSpec({ keyType: props.keyType ?? 'ed25519', keyBits: props.keyBits ?? 0 }).map((i) => ({
        field: i.field === 'key_type' ? 'keyType' : 'keyBits',
        message: i.message,
      })),
    ]);
    this.mount = new Mount(this, 'mount', {
      path: props.path,
      type: 'ssh',
      description: props.description ?? `SSH CA ${props.path}`,
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
