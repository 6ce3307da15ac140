// `SshCertificateAuthority` (formerly `SshCa`, kept as a deprecated alias): the signing key of an SSH
// mount (config/ca), generated inside the backend by default, or
// imported. Outputs: `publicKey` (the signing key) and `trustedKeys` (every key hosts must trust now).
// Every input but `rotation` replaces the CA: a new CA means every host must be given the new public
// key at once. `rotation` instead changes the key without refusing a valid login, through the stages
// of `sshca rotate` (the same implementation: runRotationStage in client/ssh-api.ts), on backends with
// OpenBao's issuers API; on Vault it fails with `sshca rotate`'s message (issue 20, point 2). An
// imported private key is a secret input and never an output.

import * as pulumi from '@pulumi/pulumi';
import {
  deleteCa,
  detectIssuersApi,
  generateCa,
  importCa,
  readCaPublicKey,
  readRotation,
  runRotationStage,
} from '../client/ssh-api.js';
import type { VaultClient } from '../client/vault-client.js';
import { isCaImport, validateCaProps } from '../core/ca-spec.js';
import type { Issue } from '../core/errors.js';
import { renameIssueFields } from '../core/issue-fields.js';
import { validateMountPath } from '../core/mount-path.js';
import {
  validateRotationChange,
  validateRotationSpec,
  vaultRotationMessage,
  type RotationSpec,
  type RotationStatus,
} from '../core/rotation.js';
import { connect, type ConnectionInputs } from './connection.js';
import { checkFailures, defined, replacements, without } from './provider-kit.js';
import { resourceArgs, type ConnectionArgs } from './resource-kit.js';

/** What the SshCertificateAuthority provider receives. */
export interface SshCaInputs extends ConnectionInputs {
  readonly mount: string;
  readonly keyType?: string;
  readonly keyBits?: number;
  readonly importedPublicKey?: string;
  readonly privateKey?: string;
  readonly rotation?: RotationSpec;
}

/** What the engine passes for a value not known yet (a preview). */
const UNKNOWN = '04da6b54-80e4-46f7-96ec-b56ff0331ba9';

const IDENTITY = ['mount', 'keyType', 'keyBits', 'importedPublicKey', 'privateKey'];
/** The state keeps neither the private key nor, since it is the same as `publicKey`, the imported key twice. */
const outputsOf = (inputs: SshCaInputs, publicKey: string, trustedKeys: readonly string[]) => ({
  ...without(inputs, ['privateKey']),
  publicKey,
  trustedKeys: [...trustedKeys],
  imported: isCaImport(inputs),
});

/** The signing key and the trusted keys of a rotation's status. */
const keysOf = (status: RotationStatus) => ({
  publicKey: status.current?.publicKey ?? '',
  trustedKeys: status.trustedKeys,
});

/** Run the stage `rotation` names (nothing when it already ran); the keys afterwards. */
async function rotate(client: VaultClient, mount: string, rotation: RotationSpec) {
  const now = () => Math.floor(Date.now() / 1000);
  const { status } = await runRotationStage(client, mount, rotation.stage, {
    now,
    ...(rotation.nextKeyType ? { keyType: rotation.nextKeyType } : {}),
  });
  return keysOf(status);
}

/** The dynamic provider behind SshCertificateAuthority (serialized into the stack's state). */
export const sshCaProvider: pulumi.dynamic.ResourceProvider = {
  async check(_olds: Partial<SshCaInputs>, news: SshCaInputs) {
    // The mount path's rules (core/mount-path.ts) and Vault's config/ca rules for the request
    // `create` sends (core/ca-spec.ts), named by this resource's inputs.
    const issues: Issue[] = [
      ...renameIssueFields(validateMountPath(news.mount, 'secrets'), { path: 'mount' }),
      ...validateCaProps(news),
    ];
    // A rotation's stage: well-formed, then one stage at a time from the old inputs (none on create).
    const rotationIssues = validateRotationSpec(news.rotation);
    issues.push(
      ...(rotationIssues.length > 0
        ? rotationIssues
        : validateRotationChange(_olds.mount !== undefined ? _olds.rotation : undefined, news.rotation)),
    );
    // An existing CA asked to rotate on Vault (one CA per mount): refused here, with `sshca rotate`'s
    // message, when the connection is known (not at a preview of unknown values).
    const known = [news.mount, news.address, news.token].every((v) => v !== UNKNOWN);
    if (issues.length === 0 && news.rotation !== undefined && _olds.mount !== undefined && known) {
      if (!(await detectIssuersApi(connect(news), news.mount).catch(() => true))) {
        issues.push({ field: 'rotation', message: vaultRotationMessage(news.mount) });
      }
    }
    return { inputs: news, failures: checkFailures(issues) };
  },
  async diff(_id, olds: SshCaInputs & { imported?: boolean }, news: SshCaInputs) {
    // The old private key is not in the state: an imported CA is compared by its public key.
    const replaces = replacements(
      {
        ...olds,
        keyType: olds.keyType ?? 'ed25519',
        keyBits: olds.keyBits ?? 0,
        privateKey: olds.imported ? 'imported' : undefined,
      },
      {
        ...news,
        keyType: news.keyType ?? 'ed25519',
        keyBits: news.keyBits ?? 0,
        privateKey: isCaImport(news) ? 'imported' : undefined,
      },
      IDENTITY,
    );
    const changed =
      olds.address !== news.address ||
      olds.token !== news.token ||
      JSON.stringify(olds.rotation ?? null) !== JSON.stringify(news.rotation ?? null);
    return { changes: replaces.length > 0 || changed, replaces, deleteBeforeReplace: replaces.length > 0 };
  },
  async create(inputs: SshCaInputs) {
    const client = connect(inputs);
    // A rotation needs several CA keys on the mount: refused on Vault before any key is made, so a
    // failed create leaves no CA behind outside Pulumi's state.
    if (inputs.rotation !== undefined && !(await detectIssuersApi(client, inputs.mount))) {
      throw new Error(vaultRotationMessage(inputs.mount));
    }
    if (isCaImport(inputs)) {
      await importCa(client, inputs.mount, {
        publicKey: inputs.importedPublicKey ?? '',
        privateKey: inputs.privateKey!,
      });
    } else {
      await generateCa(client, inputs.mount, {
        keyType: inputs.keyType ?? 'ed25519',
        ...(inputs.keyBits ? { keyBits: inputs.keyBits } : {}),
      });
    }
    const id = `${inputs.mount}/config/ca`;
    if (inputs.rotation !== undefined) {
      const { publicKey, trustedKeys } = await rotate(client, inputs.mount, inputs.rotation);
      return { id, outs: defined(outputsOf(inputs, publicKey, trustedKeys)) };
    }
    const publicKey = (await readCaPublicKey(client, inputs.mount)) ?? '';
    return { id, outs: defined(outputsOf(inputs, publicKey, [publicKey])) };
  },
  async read(id, props: SshCaInputs & { publicKey?: string }) {
    const client = connect(props);
    if (props.rotation !== undefined) {
      const { status } = await readRotation(client, props.mount);
      return status.current ? { id, props: { ...props, ...keysOf(status), trustedKeys: [...status.trustedKeys] } } : {};
    }
    const publicKey = await readCaPublicKey(client, props.mount);
    return publicKey ? { id, props: { ...props, publicKey, trustedKeys: [publicKey] } } : {};
  },
  async update(_id, olds: { publicKey?: string; trustedKeys?: string[] }, news: SshCaInputs) {
    if (news.rotation !== undefined) {
      const { publicKey, trustedKeys } = await rotate(connect(news), news.mount, news.rotation);
      return { outs: defined(outputsOf(news, publicKey, trustedKeys)) };
    }
    const publicKey = olds.publicKey ?? '';
    return { outs: defined(outputsOf(news, publicKey, olds.trustedKeys ?? [publicKey])) };
  },
  async delete(_id, props: SshCaInputs) {
    await deleteCa(connect(props), props.mount);
  },
};

/** Arguments of an SshCertificateAuthority: the mount, and either the key to generate or the key pair to import. */
export interface SshCertificateAuthorityArgs extends ConnectionArgs {
  /** The SSH mount, e.g. `ssh-dev`. Changing it replaces the CA. */
  readonly mount: pulumi.Input<string>;
  /**
   * Generated key type: `ed25519`, `rsa`, `ec` (or their OpenSSH names). Ignored when importing.
   * Changing it replaces the CA.
   * @default - `ed25519`
   */
  readonly keyType?: pulumi.Input<string>;
  /**
   * Key size: RSA 2048–16384, ECDSA 256, 384 or 521. Changing it replaces the CA.
   * @default - the backend's size for the type: 4096 bits for RSA, P-256 for ECDSA (ed25519 has one size)
   */
  readonly keyBits?: pulumi.Input<number>;
  /**
   * Import instead of generating: the CA public key (with `privateKey`). Changing it replaces the CA.
   * @default - none: the backend generates the key pair
   */
  readonly importedPublicKey?: pulumi.Input<string>;
  /**
   * The imported CA's private key (with `importedPublicKey`): a secret input, never an output.
   * Changing it replaces the CA.
   * @default - none: the backend generates the key pair
   */
  readonly privateKey?: pulumi.Input<string>;
  /**
   * Staged rotation of the CA key, as `sshca rotate` does it, with no moment when a valid login is
   * refused: move `stage` from 1 to 2 to 3 (one stage per update; stage 1 again starts the next
   * rotation). Stage 1 stages a next key that hosts trust beside the old one (`trustedKeys`); stage 2
   * makes the backend sign with it (`publicKey`); stage 3 drops the old key, refused until the longest
   * certificate lifetime on the mount has passed since stage 2. Needs OpenBao 2.3+ or the embedded
   * server (several CA keys per mount); on Vault it fails, naming the second-mount path (the CDKTF
   * construct's). Changing it never replaces the CA.
   * @default - none: no rotation; the CA's one key is signing and trusted
   */
  readonly rotation?: pulumi.Input<RotationSpec>;
}

/**
 * The CA of an SSH mount (`<mount>/config/ca`), the Pulumi twin of the CDKTF construct of the same
 * name (which also creates the mount; here `SecretsMount` does). Every input replaces it.
 */
export class SshCertificateAuthority extends pulumi.dynamic.Resource {
  /** The SSH mount. */
  declare readonly mount: pulumi.Output<string>;
  /** The CA public key the backend signs with. */
  declare readonly publicKey: pulumi.Output<string>;
  /**
   * Every CA key hosts must trust now (`TrustedUserCAKeys`), the signing key first: the old and the
   * next key during rotation stages 1 and 2, else the signing key alone.
   */
  declare readonly trustedKeys: pulumi.Output<string[]>;
  /** Whether the key pair was imported rather than generated. */
  declare readonly imported: pulumi.Output<boolean>;

  constructor(name: string, args: SshCertificateAuthorityArgs, opts?: pulumi.CustomResourceOptions) {
    const privateKey = args.privateKey !== undefined ? { privateKey: pulumi.secret(args.privateKey) } : {};
    // The type token stays `SshCa`: it is in the URN of every existing stack's CA, and a new one would
    // make Pulumi replace the CA (a new key for every host) unless each stack added an alias.
    super(
      ...resourceArgs(
        sshCaProvider,
        'SshCa',
        name,
        { ...args, ...privateKey, publicKey: undefined, trustedKeys: undefined, imported: undefined },
        opts,
      ),
    );
  }
}

/** @deprecated use SshCertificateAuthority (the same resource, the same type token: existing stacks keep their CA). */
export const SshCa = SshCertificateAuthority;
/** @deprecated use SshCertificateAuthority (the same resource). */
export type SshCa = SshCertificateAuthority;
/** @deprecated use SshCertificateAuthorityArgs. */
export type SshCaArgs = SshCertificateAuthorityArgs;
