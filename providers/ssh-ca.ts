// `SshCertificateAuthority` (formerly `SshCa`, kept as a deprecated alias): the signing key of an SSH
// mount (config/ca), generated inside the backend by default, or
// imported. Output: `publicKey`. Every input replaces the CA (there is no update): a new CA means
// every host must be given the new public key, and certificates of the old CA stop working on hosts
// that trust only the new one — see providers/README.md on rotation. An imported private key is a
// secret input and never an output.

import * as pulumi from '@pulumi/pulumi';
import { deleteCa, generateCa, importCa, readCaPublicKey } from '../client/ssh-api.js';
import { isCaImport, validateCaProps } from '../core/ca-spec.js';
import type { Issue } from '../core/errors.js';
import { renameIssueFields } from '../core/issue-fields.js';
import { validateMountPath } from '../core/mount-path.js';
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
}

const IDENTITY = ['mount', 'keyType', 'keyBits', 'importedPublicKey', 'privateKey'];
/** The state keeps neither the private key nor, since it is the same as `publicKey`, the imported key twice. */
const outputsOf = (inputs: SshCaInputs, publicKey: string) => ({
  ...without(inputs, ['privateKey']),
  publicKey,
  imported: isCaImport(inputs),
});

/** The dynamic provider behind SshCertificateAuthority (serialized into the stack's state). */
export const sshCaProvider: pulumi.dynamic.ResourceProvider = {
  async check(_olds, news: SshCaInputs) {
    // The mount path's rules (core/mount-path.ts) and Vault's config/ca rules for the request
    // `create` sends (core/ca-spec.ts), named by this resource's inputs.
    const issues: Issue[] = [
      ...renameIssueFields(validateMountPath(news.mount, 'secrets'), { path: 'mount' }),
      ...validateCaProps(news),
    ];
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
    const changed = olds.address !== news.address || olds.token !== news.token;
    return { changes: replaces.length > 0 || changed, replaces, deleteBeforeReplace: replaces.length > 0 };
  },
  async create(inputs: SshCaInputs) {
    const client = connect(inputs);
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
    const publicKey = (await readCaPublicKey(client, inputs.mount)) ?? '';
    return { id: `${inputs.mount}/config/ca`, outs: defined(outputsOf(inputs, publicKey)) };
  },
  async read(id, props: SshCaInputs & { publicKey?: string }) {
    const publicKey = await readCaPublicKey(connect(props), props.mount);
    return publicKey ? { id, props: { ...props, publicKey } } : {};
  },
  async update(_id, olds: { publicKey?: string }, news: SshCaInputs) {
    return { outs: defined(outputsOf(news, olds.publicKey ?? '')) };
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
}

/**
 * The CA of an SSH mount (`<mount>/config/ca`), the Pulumi twin of the CDKTF construct of the same
 * name (which also creates the mount; here `SecretsMount` does). Every input replaces it.
 */
export class SshCertificateAuthority extends pulumi.dynamic.Resource {
  /** The SSH mount. */
  declare readonly mount: pulumi.Output<string>;
  /** The CA public key hosts trust (`TrustedUserCAKeys`). */
  declare readonly publicKey: pulumi.Output<string>;
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
        { ...args, ...privateKey, publicKey: undefined, imported: undefined },
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
