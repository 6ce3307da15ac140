// `SshCertificateAuthority`: a `vault_mount` of type ssh and its `vault_ssh_secret_backend_ca` with
// the signing key generated inside Vault (ed25519 unless told otherwise). `publicKey` is a
// Terraform reference to the CA public key, for host trust. The mount is `mount`, as on the Pulumi
// twin; the old prop `path` is still accepted, deprecated.
//
// `rotation` (issue 20, point 2), the Pulumi twin's input: the Vault provider has no SSH issuer
// resources, so a rotation takes Vault's second-mount path. Stage 1 adds a `vault_mount` `<mount>-next`
// (id `next-mount`) with its own generated CA (id `next-ca`); `trustedKeys` references both keys.
// Stage 2 makes the next mount the signing one (`path`, `publicKey`): roles built on `path` move to it.
// Stage 3 drops the old mount and CA; `mount`, `ca`, `path` and `publicKey` are the next ones.

import { Mount } from '@cdktf/provider-vault/lib/mount/index.js';
import { SshSecretBackendCa } from '@cdktf/provider-vault/lib/ssh-secret-backend-ca/index.js';
import { Token } from 'cdktf';
import { Construct } from 'constructs';
import { validateCaProps } from '../core/ca-spec.js';
import { renameIssueFields } from '../core/issue-fields.js';
import { validateMountPath } from '../core/mount-path.js';
import { nextRotationMount, validateRotationSpec, type RotationSpec } from '../core/rotation.js';
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
  /**
   * Staged rotation of the CA key on Vault's second-mount path, the Pulumi twin's input: stage 1 adds
   * the mount `<mount>-next` with a new CA that hosts trust beside the old one (`trustedKeys`); stage 2
   * signs on `<mount>-next` (`path` and `publicKey` move to it, and the roles built on `path` with
   * them); stage 3 destroys the old mount once its longest certificate lifetime has passed since stage 2
   * (a rule `terraform apply` cannot check: see modules/README.md).
   * @default - none: no rotation; one mount and one CA key
   */
  readonly rotation?: RotationSpec;
}

/** An SSH mount (`vault_mount`, construct id `mount`) and its CA (`vault_ssh_secret_backend_ca`, id `ca`). */
export class SshCertificateAuthority extends Construct {
  /** The `vault_mount` resource named by `mount` (after rotation stage 3: `<mount>-next`, id `next-mount`). */
  readonly mount: Mount;
  /** The `vault_ssh_secret_backend_ca` resource (id `next-ca` after rotation stage 3). */
  readonly ca: SshSecretBackendCa;
  /** During rotation stages 1 and 2: the `<mount>-next` mount (id `next-mount`). */
  readonly nextMount: Mount | undefined;
  /** During rotation stages 1 and 2: the next CA (id `next-ca`). */
  readonly nextCa: SshSecretBackendCa | undefined;
  /** The path of the mount that signs (a Terraform reference): `<mount>-next` from rotation stage 2. */
  readonly path: string;
  /** The public key of the CA that signs (a Terraform reference: `${vault_ssh_secret_backend_ca.<id>.public_key}`). */
  readonly publicKey: string;
  /** Every CA key hosts must trust now (Terraform references), the signing key first: two during rotation stages 1 and 2. */
  readonly trustedKeys: readonly string[];

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
      ...validateRotationSpec(props.rotation),
    ]);
    const stage = props.rotation?.stage ?? 0;
    const pair = (mountId: string, caId: string, path: string, keyType: string) => {
      const m = new Mount(this, mountId, {
        path,
        type: 'ssh',
        description: props.description ?? `SSH CA ${path}`,
        maxLeaseTtlSeconds: props.maxLeaseTtlSeconds ?? 86400,
      });
      const ca = new SshSecretBackendCa(this, caId, {
        backend: m.path,
        generateSigningKey: true,
        keyType,
        ...(props.keyBits !== undefined && keyType === (props.keyType ?? 'ed25519') ? { keyBits: props.keyBits } : {}),
      });
      return { m, ca };
    };
    // Before stage 3 the first mount and CA (ids `mount`, `ca`); from stage 1 the next ones beside them.
    const old = stage === 3 ? undefined : pair('mount', 'ca', mount, props.keyType ?? 'ed25519');
    const next =
      stage === 0 ? undefined : pair('next-mount', 'next-ca', nextRotationMount(mount), props.rotation?.nextKeyType ?? 'ed25519');
    const signing = stage >= 2 ? next! : old!;
    this.mount = (old ?? next)!.m;
    this.ca = (old ?? next)!.ca;
    this.nextMount = stage === 1 || stage === 2 ? next!.m : undefined;
    this.nextCa = stage === 1 || stage === 2 ? next!.ca : undefined;
    this.path = signing.m.path;
    this.publicKey = signing.ca.publicKey;
    this.trustedKeys =
      stage === 1 ? [old!.ca.publicKey, next!.ca.publicKey] : stage === 2 ? [next!.ca.publicKey, old!.ca.publicKey] : [this.publicKey];
  }
}
