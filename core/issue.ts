// Issuing a key pair and its certificate under a role, as Vault's `issue/:role` (1.12+) does: the
// role must be a CA role and the requested key type and size must fit `allowed_user_key_lengths`
// (Vault's issue variant of the rule: `checkIssueRequest`); then the caller generates the key (the
// server off its event loop, server/ssh/generate-key-pair.ts) and `issueWithKeyPair` runs the sign
// pipeline on it. Pure: the key pair is an input, like the clock, the serial and the nonce.

import { RequestError } from './errors.js';
import { parseFields, type FieldSchema } from './fields.js';
import type { GeneratedKeyPair } from './keys/ca-key.js';
import { parseSshPublicKey } from './keys/public-key.js';
import type { CaRole, Role } from './role.js';
import {
  SIGN_FIELDS,
  signRequestFromFields,
  signSubjectKey,
  type SignInput,
  type SignRequest,
  type SignResult,
} from './sign.js';

/** The parameters `POST <mount>/issue/:role` knows (Vault's path_issue.go). */
export const ISSUE_FIELDS: FieldSchema = (() => {
  const { public_key: _ignored, ...rest } = SIGN_FIELDS;
  return {
    ...rest,
    key_type: {
      type: 'string',
      description: 'Specifies the desired key type; must be rsa, ed25519 or ec (default rsa).',
    },
    key_bits: {
      type: 'int',
      description: "Specifies the number of bits to use for the generated keys (0 = the type's default).",
    },
  };
})();

/** An issue request after coercion: the sign parameters plus the key to generate. */
export interface IssueRequest extends SignRequest {
  readonly keyType: string;
  readonly keyBits: number;
}

/** An issue request from its fields as ISSUE_FIELDS coerced them (the server's `req.fields`). */
export function issueRequestFromFields(values: ReadonlyMap<string, unknown>): IssueRequest {
  return {
    ...signRequestFromFields(values),
    keyType: (values.get('key_type') as string | undefined) ?? 'rsa',
    keyBits: (values.get('key_bits') as number | undefined) ?? 0,
  };
}

/** Coerce a raw issue request with ISSUE_FIELDS, then build it; `unknown` lists parameters the path does not know. */
export function parseIssueRequest(raw: Readonly<Record<string, unknown>>): {
  request: IssueRequest;
  unknown: readonly string[];
} {
  const { values, unknown } = parseFields(ISSUE_FIELDS, raw);
  return { request: issueRequestFromFields(values), unknown };
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

/**
 * Sign a generated key pair under the role, after `checkIssueRequest` and the generation of a key of
 * the requested type and size (the pair is an input: core draws no randomness).
 */
export function issueWithKeyPair(
  input: SignInput & { readonly request: IssueRequest },
  pair: GeneratedKeyPair,
): IssueResult {
  const result = signSubjectKey(input, parseSshPublicKey(pair.publicKey));
  return { ...result, privateKey: pair.privateKey, privateKeyType: input.request.keyType };
}
