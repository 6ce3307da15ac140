// `SshCertificateAuthority`: a `vault_mount` of type ssh and its `vault_ssh_secret_backend_ca` with
// the signing key generated inside Vault (ed25519 unless told otherwise). `publicKey` is a
// Terraform reference to the CA public key, for host trust.

import { Mount } from '@cdktf/provider-vault/lib/mount/index.js';
import { SshSecretBackendCa } from '@cdktf/provider-vault/lib/ssh-secret-backend-ca/index.js';
import { Construct } from 'constructs';
import { validateWith } from './validation.js';

export interface SshCertificateAuthorityProps {
  /** Mount path, e.g. `ssh-dev`. */
  readonly path: string;
  readonly description?: string;
  /** @default 86400 (24 h) */
  readonly maxLeaseTtlSeconds?: number;
  /** @default "ed25519" */
  readonly keyType?: 'ed25519' | 'rsa' | 'ec';
  /** RSA: 2048–4096 (default 4096); ECDSA: 256, 384 or 521. */
  readonly keyBits?: number;
}

export class SshCertificateAuthority extends Construct {
  readonly mount: Mount;
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
      ...(props.keyType === 'rsa' && props.keyBits !== undefined && props.keyBits < 2048
        ? [{ field: 'keyBits', message: `refusing a weak rsa CA: ${props.keyBits} bits < 2048 bits` }]
        : []),
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
