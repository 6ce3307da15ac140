// `SshRevocations` (issue 20, point 1): the CDKTF side of the Pulumi `SshRevocation`, with the same
// validator per entry (core/revocation-spec.ts). Terraform's `vault_kv_secret_v2` owns a whole secret,
// so this construct manages the mount's whole revocation list, `<kvMount>/data/revocations/<mount>`, as
// one secret: every apply writes exactly the declared list, and revocations recorded beside it with
// `sshca revoke` are overwritten (and removed at destroy). Hence the plural name: the Pulumi resource
// adds and removes one record (check-and-set, beside others), this construct declares them all. Records
// have the shape `sshca revoke` writes (`sshca render --format krl` reads them): serials and key IDs
// name the mount's CA key (`caPublicKey`, e.g. `SshCertificateAuthority.publicKey`), `by` is `cdktf`.
// Each apply that changes the list makes a new KV version, which is the KRL's version.

import { KvSecretV2 } from '@cdktf/provider-vault/lib/kv-secret-v2/index.js';
import { Fn, Token, type ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { formatAuthorizedKey, parseSshPublicKey } from '../core/keys/public-key.js';
import { revocationsKey } from '../core/krl/revocations.js';
import { revocationSerial, validateRevocationListSpec, type RevocationSpec } from '../core/revocation-spec.js';
import { validateWith } from './validation.js';

/** One declared revocation: exactly one of `serial`, `keyId` and `publicKey`. */
export interface SshRevocationEntry extends RevocationSpec {
  /**
   * When it was revoked (RFC 3339), kept with the record; a fixed value keeps plans empty.
   * @default - "" (no time)
   */
  readonly revokedAt?: string;
}

/** Props of SshRevocations. */
export interface SshRevocationsProps {
  /** The SSH mount (environment) whose certificates are revoked, e.g. `ssh-dev`. */
  readonly mount: string;
  /** The KV version 2 mount holding the revocations (as `sshca revoke --kv-mount`). @default - `sshca` */
  readonly kvMount?: string;
  /**
   * The mount's CA public key, whose certificates serial and key-ID entries revoke: a literal key or a
   * reference such as `SshCertificateAuthority.publicKey`.
   * @default - none: only `publicKey` entries are allowed
   */
  readonly caPublicKey?: string;
  /** The whole list: the secret holds exactly these (in this order). */
  readonly revocations: readonly SshRevocationEntry[];
  /**
   * Resources written first, e.g. the KV mount's `vault_mount`.
   * @default - none
   */
  readonly dependsOn?: readonly ITerraformDependable[];
}

const keyLine = (text: string) => formatAuthorizedKey(parseSshPublicKey(text.trim()).blob);

/** A mount's whole revocation list as one KV version 2 secret (`vault_kv_secret_v2`, construct id `revocations`). */
export class SshRevocations extends Construct {
  /** The `vault_kv_secret_v2` resource. */
  readonly secret: KvSecretV2;

  constructor(scope: Construct, id: string, props: SshRevocationsProps) {
    super(scope, id);
    validateWith(this, () =>
      validateRevocationListSpec(props, {
        caKeyReferenced: props.caPublicKey !== undefined && Token.isUnresolved(props.caPublicKey),
      }),
    );
    const mount = props.mount.replace(/^\/+|\/+$/g, '');
    const referenced = props.caPublicKey !== undefined && Token.isUnresolved(props.caPublicKey);
    const caKey =
      props.caPublicKey === undefined
        ? ''
        : referenced
          ? Fn.trimspace(props.caPublicKey)
          : safe(() => keyLine(props.caPublicKey!));
    const records = props.revocations
      .map((r) =>
        r.serial !== undefined
          ? { type: 'serial', serial: revocationSerial(r.serial) ?? String(r.serial), ca_key: caKey }
          : r.keyId !== undefined
            ? { type: 'key_id', key_id: r.keyId, ca_key: caKey }
            : { type: 'public_key', public_key: safe(() => keyLine(r.publicKey!)), ca_key: '' },
      )
      .map((rec, i) => ({
        ...rec,
        reason: props.revocations[i]!.reason ?? '',
        revoked_at: props.revocations[i]!.revokedAt ?? '',
        by: 'cdktf',
      }));
    this.secret = new KvSecretV2(this, 'revocations', {
      mount: props.kvMount ?? 'sshca',
      name: revocationsKey(mount),
      // A referenced CA key goes through jsonencode at apply; a literal list is plain JSON.
      dataJson: referenced ? Fn.jsonencode({ revocations: records }) : JSON.stringify({ revocations: records }),
      ...(props.dependsOn ? { dependsOn: [...props.dependsOn] } : {}),
    });
  }
}

/** The value, or the raw text when it does not parse (validation reports it at synthesis). */
function safe(f: () => string): string {
  try {
    return f();
  } catch {
    return '';
  }
}
