// The one validator of a CA spec (the SSH CA of a mount: a key type and size to generate, or an
// imported key pair), with Vault's config/ca rules and messages. The server's config/ca, the Pulumi
// SshCertificateAuthority check and the CDKTF construct all call it (issue 16, point 2).

import type { Issue } from './errors.js';
import { renameIssueFields } from './issue-fields.js';
import { parseCaPrivateKey, resolveKeyGeneration } from './keys/ca-key.js';
import { parseSshPublicKey } from './keys/public-key.js';

/** A CA spec in Vault's config/ca terms; an empty string is "not set", as in Vault. */
export interface CaSpec {
  /**
   * Generated key type: `ssh-rsa`/`rsa`, `ec` or `ecdsa-sha2-nistp256|384|521`, `ssh-ed25519`/`ed25519`.
   * @default - `ssh-rsa` (Vault's default; the Pulumi and CDKTF surfaces pass `ed25519`)
   */
  readonly keyType?: string;
  /** Generated key size in bits. @default - 0: the type's default (RSA 4096, ECDSA P-256) */
  readonly keyBits?: number;
  /** Imported CA public key (authorized_keys line). @default - none: generate */
  readonly publicKey?: string;
  /** Imported CA private key. @default - none: generate */
  readonly privateKey?: string;
  /** Vault's `generate_signing_key`, when given. @default - not given: import if both keys are set */
  readonly generateSigningKey?: boolean;
}

/**
 * Every problem of a CA spec, in the order Vault checks them, fields named as on the wire (`key_type`,
 * `key_bits`, `public_key`, `private_key`, `generate_signing_key`). Vault answers only the first: the
 * server does the same; Pulumi and CDKTF show them all. Refusals of `key_type`/`key_bits` are the ones
 * Vault answers with 500 (its key generation fails); the others with 400.
 */
export function validateCaSpec(spec: CaSpec): Issue[] {
  const publicKey = spec.publicKey ?? '';
  const privateKey = spec.privateKey ?? '';
  const anyKey = publicKey !== '' || privateKey !== '';
  if (spec.generateSigningKey === true && anyKey) {
    return [
      {
        field: 'generate_signing_key',
        message: 'public_key and private_key must not be set when generate_signing_key is set to true',
      },
    ];
  }
  if (spec.generateSigningKey === false || (publicKey !== '' && privateKey !== '')) {
    const issues: Issue[] = [];
    if (publicKey === '') issues.push({ field: 'public_key', message: 'missing public_key' });
    if (privateKey === '') issues.push({ field: 'private_key', message: 'missing private_key' });
    if (privateKey !== '') {
      try {
        parseCaPrivateKey(privateKey);
      } catch (e) {
        const message = `Unable to parse private_key as an SSH private key: ${(e as Error).message}`;
        issues.push({ field: 'private_key', message });
      }
    }
    if (publicKey !== '') {
      try {
        parseSshPublicKey(publicKey);
      } catch {
        // Vault's text (golang.org/x/crypto/ssh ParseAuthorizedKey), whatever our parser said.
        issues.push({
          field: 'public_key',
          message: 'Unable to parse public_key as an SSH public key: ssh: no key found',
        });
      }
    }
    return issues;
  }
  if (anyKey) {
    return [
      {
        field: publicKey === '' ? 'public_key' : 'private_key',
        message:
          'only one of public_key and private_key set; both must be set to use, or both must be blank to auto-generate',
      },
    ];
  }
  const resolved = resolveKeyGeneration(spec.keyType ?? 'ssh-rsa', spec.keyBits ?? 0);
  return 'refused' in resolved ? [resolved.refused] : [];
}

/**
 * A CA as the Pulumi and CDKTF surfaces take it, in camelCase. The key pair to import is
 * `importedPublicKey` with `privateKey`: `publicKey` is the CA's output on both surfaces.
 */
export interface CaProps {
  /** Generated key type. @default - `ed25519` */
  readonly keyType?: string;
  /** Generated key size in bits. @default - 0: the type's default (RSA 4096, ECDSA P-256) */
  readonly keyBits?: number;
  /** Imported CA public key. @default - none: generate (unless `privateKey` is given) */
  readonly importedPublicKey?: string;
  /** Imported CA private key; given at all (even empty), it means "import". @default - none: generate */
  readonly privateKey?: string;
}

/** Whether the IaC surfaces import the CA: exactly when `privateKey` is given (issue 16). */
export const isCaImport = (props: CaProps): boolean => props.privateKey !== undefined;

/** Vault's field names → the IaC props. */
const CA_PROP_NAMES: Readonly<Record<string, string>> = {
  key_type: 'keyType',
  key_bits: 'keyBits',
  public_key: 'importedPublicKey',
  private_key: 'privateKey',
};

/**
 * Every problem of a CA as the Pulumi and CDKTF surfaces take it, named by their props. Checked is the
 * config/ca request they send: an import (`generate_signing_key=false` with both keys) when
 * `privateKey` is given, else a generation (key type, by default `ed25519`, and size), where an
 * `importedPublicKey` alone is refused as Vault refuses one key without the other.
 */
export function validateCaProps(props: CaProps): Issue[] {
  const spec: CaSpec = isCaImport(props)
    ? { generateSigningKey: false, publicKey: props.importedPublicKey ?? '', privateKey: props.privateKey ?? '' }
    : { keyType: props.keyType ?? 'ed25519', keyBits: props.keyBits ?? 0, publicKey: props.importedPublicKey ?? '' };
  return renameIssueFields(validateCaSpec(spec), CA_PROP_NAMES);
}
