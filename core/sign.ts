// Signing a public key under a role, as Vault's `sign/:role` does: the request from its coerced
// fields, then the row of policy calculators in Vault's order (key requirements → key id → cert type
// → principals → TTL → critical options → extensions → signature algorithm), then one signature.
// Pure: the clock, the serial and the nonce are parameters.

import { formatCertificate, signCertificate, type CertType, type CertificateFields } from './cert/certificate.js';
import { InternalError, RequestError } from './errors.js';
import { parseFields, toStringMap, type FieldSchema } from './fields.js';
import type { CaKey } from './keys/ca-key.js';
import { parseSshPublicKey, publicKeyHash, type SshPublicKey } from './keys/public-key.js';
import { validateKeyRequirements } from './policy/key-requirements.js';
import { resolveKeyId } from './policy/key-id.js';
import { resolveCriticalOptions, resolveExtensions } from './policy/options.js';
import { resolvePrincipals } from './policy/principals.js';
import type { Requester } from './policy/requester.js';
import { resolveSignatureAlgorithm } from './policy/signature-algorithm.js';
import { resolveTtl, resolveValidity, type MountTtls } from './policy/validity.js';
import { EMPTY_CA_ROLE, type CaRole, type Role } from './role.js';

/** The parameters `POST <mount>/sign/:role` knows, described as in Vault's path_sign.go. */
export const SIGN_FIELDS: FieldSchema = {
  public_key: { type: 'string', description: 'SSH public key that should be signed.' },
  valid_principals: {
    type: 'string',
    description: 'Valid principals, either usernames or hostnames, that the certificate should be signed for.',
  },
  cert_type: { type: 'string', description: 'Type of certificate to be created; either "user" or "host".' },
  key_id: {
    type: 'string',
    description: "Key id that the created certificate should have (default: derived from the token's display name).",
  },
  ttl: {
    type: 'duration',
    description: 'Requested TTL of the certificate (default: the role, mount or system TTL; at most the role max TTL).',
  },
  critical_options: { type: 'map', description: 'Critical options that the certificate should be signed for.' },
  extensions: { type: 'map', description: 'Extensions that the certificate should be signed for.' },
};

/** A sign request after parameter coercion. Optional members are undefined when not supplied. */
export interface SignRequest {
  readonly publicKey: string;
  readonly validPrincipals?: string;
  readonly certType: string;
  readonly keyId: string;
  readonly ttl?: number;
  readonly criticalOptions: Readonly<Record<string, string>>;
  readonly extensions: Readonly<Record<string, string>>;
}

/**
 * A sign request from its fields as SIGN_FIELDS coerced them (the server's `req.fields`); absent
 * fields take Vault's defaults.
 */
export function signRequestFromFields(values: ReadonlyMap<string, unknown>): SignRequest {
  const get = <T>(k: string) => values.get(k) as T | undefined;
  return {
    publicKey: get<string>('public_key') ?? '',
    ...(values.has('valid_principals') ? { validPrincipals: get<string>('valid_principals')! } : {}),
    certType: get<string>('cert_type') ?? 'user',
    keyId: get<string>('key_id') ?? '',
    ...(values.has('ttl') ? { ttl: get<number>('ttl')! } : {}),
    criticalOptions: toStringMap(get<Record<string, unknown>>('critical_options') ?? {}),
    extensions: toStringMap(get<Record<string, unknown>>('extensions') ?? {}),
  };
}

/**
 * Coerce a raw sign request with SIGN_FIELDS (Vault's field rules), then build it: for callers
 * without a server in front (the CLI's local signing, tests). `unknown` lists parameters the path
 * does not know.
 */
export function parseSignRequest(raw: Readonly<Record<string, unknown>>): {
  request: SignRequest;
  unknown: readonly string[];
} {
  const { values, unknown } = parseFields(SIGN_FIELDS, raw);
  return { request: signRequestFromFields(values), unknown };
}

/** Everything one signature depends on. */
export interface SignInput {
  readonly roleName: string;
  readonly role: Role;
  readonly request: SignRequest;
  readonly mount: MountTtls;
  readonly requester: Requester;
  /** The mount's CA; undefined when none is configured (signing then fails with Vault's 500 after the policy checks). */
  readonly ca: CaKey | undefined;
  /** Unix seconds. */
  readonly now: number;
  /** Random 64-bit serial. */
  readonly serial: bigint;
  /** 32 random bytes. */
  readonly nonce: Uint8Array;
}

/** What `sign/:role` answers. */
export interface SignResult {
  /** Lower-case hex serial, no leading zeros (Vault's `serial_number`). */
  readonly serialNumber: string;
  /** `<cert type> <base64>\n` (Vault's `signed_key`). */
  readonly signedKey: string;
  readonly fields: CertificateFields;
  readonly warnings: readonly string[];
}

/** An OTP role seen by the sign path: it allows nothing, so the cert-type check refuses it as in Vault. */
const asCaRole = (role: Role): CaRole => (role.keyType === 'ca' ? role : EMPTY_CA_ROLE);

function resolveCertType(role: CaRole, requested: string): CertType {
  if (requested === 'user' || requested === 'host') {
    const allowed = requested === 'user' ? role.allowUserCertificates : role.allowHostCertificates;
    if (!allowed) throw new RequestError(`cert_type '${requested}' is not allowed by role`);
    return requested;
  }
  throw new RequestError("cert_type must be either 'user' or 'host'");
}

/** Sign the request's public key under the role. Throws Vault's errors (400 `RequestError`, 500 `InternalError`). */
export function signWithRole(input: SignInput): SignResult {
  if (input.request.publicKey === '') throw new RequestError('missing public_key');
  const subject = parseSshPublicKey(input.request.publicKey);
  validateKeyRequirements(asCaRole(input.role), subject);
  return signSubjectKey(input, subject);
}

/**
 * The sign pipeline after the key checks (Vault's steps key id → … → signature), for a key that is
 * already parsed: `sign/:role` after `validateKeyRequirements`, and `issue/:role` for a generated key.
 */
export function signSubjectKey(input: SignInput, subject: SshPublicKey): SignResult {
  const { request, requester } = input;
  const role = asCaRole(input.role);
  const keyId = resolveKeyId(role, input.roleName, request.keyId, requester, publicKeyHash(subject.blob));
  const certType = resolveCertType(role, request.certType);
  const principals = resolvePrincipals(role, certType, request.validPrincipals, requester);
  const ttl = resolveTtl(role, input.mount, request.ttl);
  const criticalOptions = resolveCriticalOptions(role, request.criticalOptions);
  const { extensions, warning } = resolveExtensions(role, request.extensions, requester);
  const ca = input.ca;
  if (!ca) throw new InternalError('failed to read CA private key');
  const algorithm = resolveSignatureAlgorithm(role.algorithmSigner, ca);
  const fields: CertificateFields = {
    certType,
    keyId,
    principals,
    ...resolveValidity(role, ttl, input.now),
    criticalOptions,
    extensions,
    serial: input.serial,
    nonce: input.nonce,
  };
  const blob = signCertificate(subject, ca, fields, algorithm);
  return {
    serialNumber: input.serial.toString(16),
    signedKey: formatCertificate(blob),
    fields,
    warnings: warning ? [warning] : [],
  };
}
