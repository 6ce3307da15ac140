// Issuing a key pair and its certificate under a role, as Vault's `issue/:role` (1.12+) does: the
// role must be a CA role, the requested key type and size must fit `allowed_user_key_lengths`
// (Vault's issue variant of the rule), then the key is generated (here with `issueWithRole`, or by
// the caller, e.g. the server off its event loop, with `checkIssueRequest` + `issueWithKeyPair`),
// then the sign pipeline runs.

import { RequestError } from './errors.js';
import { parseFields, toStringMap, type FieldSchema } from './fields.js';
import { generateKeyPair, type GeneratedKeyPair } from './keys/ca-key.js';
import { parseSshPublicKey } from './keys/public-key.js';
import type { CaRole, Role } from './role.js';
import { SIGN_FIELDS, signSubjectKey, type SignInput, type SignRequest, type SignResult } from './sign.js';

/** The parameters `POST <mount>/issue/:role` knows. */
export const ISSUE_FIELDS: FieldSchema = (() => {
  const { public_key: _ignored, ...rest } = SIGN_FIELDS;
  return { ...rest, key_type: 'string', key_bits: 'int' };
})();

/** An issue request after coercion: the sign parameters plus the key to generate. */
export interface IssueRequest extends SignRequest {
  readonly keyType: string;
  readonly keyBits: number;
}

/** Coerce a raw issue request (Vault's field rules). */
export function parseIssueRequest(raw: Readonly<Record<string, unknown>>): {
  request: IssueRequest;
  unknown: readonly string[];
} {
  const { values, unknown } = parseFields(ISSUE_FIELDS, raw);
  const get = <T>(k: string) => values.get(k) as T | undefined;
  return {
    request: {
      publicKey: '',
      ...(values.has('valid_principals') ? { validPrincipals: get<string>('valid_principals')! } : {}),
      certType: get<string>('cert_type') ?? 'user',
      keyId: get<string>('key_id') ?? '',
      ...(values.has('ttl') ? { ttl: get<number>('ttl')! } : {}),
      criticalOptions: toStringMap(get<Record<string, unknown>>('critical_options') ?? {}),
      extensions: toStringMap(get<Record<string, unknown>>('extensions') ?? {}),
      keyType: get<string>('key_type') ?? 'rsa',
      keyBits: get<number>('key_bits') ?? 0,
    },
    unknown,
  };
}

/** Map keys Vault consults for a requested key type name (only the plain names have aliases). */
const ISSUE_ALIASES: Readonly<Record<string, readonly string[]>> = {
  rsa: ['rsa', 'ssh-rsa'],
  dsa: ['dsa', 'ssh-dss'],
  ecdsa: ['ecdsa', 'ec'],
  ed25519: ['ed25519', 'ssh-ed25519'],
};

/** Vault's check of the requested key type and bits against the role's key lengths (exact match). */
function validateIssueKeyRequest(role: CaRole, keyType: string, keyBits: number): void {
  const lengths = role.allowedUserKeyLengths;
  if (Object.keys(lengths).length === 0) return;
  const present = (ISSUE_ALIASES[keyType] ?? []).filter((k) => lengths[k] !== undefined);
  if (present.length === 0) throw new RequestError('provided key_type value not in allowed_user_key_types');
  if (!present.some((k) => lengths[k]!.includes(keyBits))) {
    throw new RequestError("provided key_bits value not in list of role's allowed_user_key_types");
  }
}

/** What `issue/:role` answers besides the certificate. */
export interface IssueResult extends SignResult {
  /** PEM: PKCS#1 for RSA, SEC1 for EC, OpenSSH for Ed25519. */
  readonly privateKey: string;
  /** Echo of the requested `key_type`. */
  readonly privateKeyType: string;
}

/** The checks before key generation: the role issues key pairs, and the requested key fits its key lengths. */
export function checkIssueRequest(role: Role, request: IssueRequest): void {
  if (role.keyType !== 'ca') throw new RequestError(`role key type '${role.keyType}' not allowed to issue key pairs`);
  validateIssueKeyRequest(role, request.keyType, request.keyBits);
}

/** Sign a generated key pair under the role (after `checkIssueRequest`). */
export function issueWithKeyPair(
  input: SignInput & { readonly request: IssueRequest },
  pair: GeneratedKeyPair,
): IssueResult {
  const result = signSubjectKey(input, parseSshPublicKey(pair.publicKey));
  return { ...result, privateKey: pair.privateKey, privateKeyType: input.request.keyType };
}

/** Generate a key pair (synchronously) and sign it under the role. `input.request` is an IssueRequest. */
export function issueWithRole(input: SignInput & { readonly request: IssueRequest }): IssueResult {
  checkIssueRequest(input.role, input.request);
  return issueWithKeyPair(input, generateKeyPair(input.request.keyType, input.request.keyBits));
}
