// Signature verification of JWT logins with `jose` (no hand-written crypto): against the keys of
// `jwt_validation_pubkeys` (cap's static key set) or of `jwks_url` (go-oidc's remote key set,
// server/auth/jwt-jwks-cache.ts). Only asymmetric algorithms are ever handed to jose: `none` and
// the HMAC algorithms are refused before any key is tried, so a public key can never serve as an
// HMAC secret. Errors are the texts Vault shows after `error verifying token signature: `.

import { X509Certificate, createPublicKey, type KeyObject } from 'node:crypto';
import { compactVerify, decodeProtectedHeader, importJWK, type JWK } from 'jose';
import { ASYMMETRIC_JWT_ALGS, type JwtClaims } from '../../core/jwt-claims.js';
import type { Jwk, RemoteKeySet } from './jwt-jwks-cache.js';

/** A verified token: its claims and the `alg` it was signed with. */
export interface VerifiedJwt {
  readonly claims: JwtClaims;
  readonly algorithm: string;
}

/** A key set failure: the text Vault shows after `error verifying token signature: `. */
export class SignatureError extends Error {
  override readonly name = 'SignatureError';
}

/** Key types Vault's static key set takes (RSA, ECDSA, Ed25519). */
const PUBLIC_KEY_TYPES = ['rsa', 'rsa-pss', 'ec', 'ed25519'];

/**
 * Parse one `jwt_validation_pubkeys` entry as Vault's certutil.ParsePublicKeyPEM: one PEM block, a
 * PKIX public key or a certificate, of an RSA, ECDSA or Ed25519 key. Throws Vault's texts.
 */
export function parsePublicKeyPem(pem: string): KeyObject {
  const block = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n[\s\S]*?-----END \1-----/.exec(pem);
  if (block) {
    if (pem.slice(block.index + block[0].length).trim() !== '') {
      throw new Error('unexpected trailing data after parsed PEM block');
    }
    let key: KeyObject | undefined;
    try {
      key = block[1] === 'CERTIFICATE' ? new X509Certificate(block[0]).publicKey : createPublicKey(block[0]);
    } catch {
      key = undefined;
    }
    if (key && key.type === 'public' && PUBLIC_KEY_TYPES.includes(key.asymmetricKeyType ?? '')) return key;
  }
  throw new Error('data does not contain any valid public keys');
}

/** The token's protected header, or go-jose's parse error. */
function headerOf(token: string): { alg: string; kid: string | undefined } {
  if (token.split('.').length !== 3)
    throw new SignatureError('go-jose/go-jose: compact JWS format must have three parts');
  let header;
  try {
    header = decodeProtectedHeader(token);
  } catch (e) {
    throw new SignatureError(`go-jose/go-jose: ${(e as Error).message}`);
  }
  return {
    alg: typeof header.alg === 'string' ? header.alg : '',
    kid: typeof header.kid === 'string' ? header.kid : undefined,
  };
}

/** The claims of a verified payload (a JSON object). */
function claimsOf(payload: Uint8Array): JwtClaims {
  let claims: unknown;
  try {
    claims = JSON.parse(Buffer.from(payload).toString('utf8'));
  } catch (e) {
    throw new SignatureError((e as Error).message);
  }
  if (typeof claims !== 'object' || claims === null || Array.isArray(claims)) {
    throw new SignatureError('json: cannot unmarshal claims into Go value of type map[string]interface {}');
  }
  return claims as JwtClaims;
}

/** Try `alg` with one key; undefined when it does not verify (wrong key, wrong type, bad signature). */
async function tryKey(token: string, key: KeyObject | JWK, alg: string): Promise<Uint8Array | undefined> {
  try {
    const verifyKey = 'kty' in key ? await importJWK(key, alg) : key;
    if (verifyKey instanceof Uint8Array) return undefined; // a symmetric JWK (`oct`): never a verification key here
    return (await compactVerify(token, verifyKey, { algorithms: [alg] })).payload;
  } catch {
    return undefined;
  }
}

/** Verify with the `jwt_validation_pubkeys` keys (cap's static key set). */
export async function verifyWithPublicKeys(token: string, keys: readonly KeyObject[]): Promise<VerifiedJwt> {
  const { alg } = headerOf(token);
  if (ASYMMETRIC_JWT_ALGS.includes(alg)) {
    for (const key of keys) {
      const payload = await tryKey(token, key, alg);
      if (payload) return { claims: claimsOf(payload), algorithm: alg };
    }
  }
  throw new SignatureError('no known key successfully validated the token signature');
}

/** Verify with the keys of a remote key set, refetching it when the token's `kid` is new. */
export async function verifyWithRemoteKeySet(token: string, keySet: RemoteKeySet): Promise<VerifiedJwt> {
  let header;
  try {
    header = headerOf(token);
  } catch (e) {
    throw new SignatureError(`oidc: malformed jwt: ${(e as Error).message}`);
  }
  const { alg, kid } = header;
  if (!ASYMMETRIC_JWT_ALGS.includes(alg)) {
    const expected = ASYMMETRIC_JWT_ALGS.map((a) => JSON.stringify(a)).join(' ');
    throw new SignatureError(
      `oidc: malformed jwt: go-jose/go-jose: unexpected signature algorithm ${JSON.stringify(alg)}; expected [${expected}]`,
    );
  }
  const attempt = async (keys: readonly Jwk[]) => {
    for (const jwk of keys) {
      const payload = await tryKey(token, jwk as JWK, alg);
      if (payload) return payload;
    }
    return undefined;
  };
  const cached = await attempt(keySet.cachedCandidates(kid));
  if (cached) return { claims: claimsOf(cached), algorithm: alg };
  // A kid the cache knows failed its signature: no new keys can help (see jwt-jwks-cache.ts).
  if (kid === undefined || !keySet.knows(kid)) {
    let fresh;
    try {
      fresh = await keySet.refresh(kid);
    } catch (e) {
      throw new SignatureError(`fetching keys ${(e as Error).message}`);
    }
    const payload = await attempt(fresh);
    if (payload) return { claims: claimsOf(payload), algorithm: alg };
  }
  throw new SignatureError('failed to verify id token signature');
}
