// Signing on this machine with a local CA key and a local role file: the same Vault semantics the
// backend applies, with the real clock and fresh randomness supplied here (core stays pure).

import { randomBytes } from 'node:crypto';
import { userInfo } from 'node:os';
import { RequestError } from '../core/errors.js';
import { parseCaPrivateKey, type CaKey } from '../core/keys/ca-key.js';
import { parseSignRequest, signWithRole, type SignResult } from '../core/sign.js';
import type { RoleFile } from './role-file.js';

/** Read a CA private key, turning a parse failure into an error that names the file. */
export function loadCaKey(text: string, source: string): CaKey {
  try {
    return parseCaPrivateKey(text);
  } catch (e) {
    throw new RequestError(`cannot use ${source} as a CA key: ${(e as Error).message}`);
  }
}

/** Everything a local signature needs. `params` are Vault's sign parameters (snake_case). */
export interface LocalSignInput {
  readonly roleFile: RoleFile;
  readonly roleName: string;
  readonly ca: CaKey;
  readonly params: Readonly<Record<string, unknown>>;
  /** Names the requester in the default key id; defaults to the local account name. */
  readonly displayName?: string;
}

/** Sign under a role of the role file, now, with a random serial and nonce. */
export function signLocally(input: LocalSignInput): SignResult {
  const role = input.roleFile.roles.get(input.roleName);
  if (!role) {
    const known = [...input.roleFile.roles.keys()].join(', ') || 'none';
    throw new RequestError(`Unknown role: ${input.roleName} (roles in the file: ${known})`);
  }
  const { request } = parseSignRequest(input.params);
  return signWithRole({
    roleName: input.roleName,
    role,
    request,
    mount: input.roleFile.mount,
    requester: { displayName: input.displayName ?? userInfo().username },
    ca: input.ca,
    now: Math.floor(Date.now() / 1000),
    serial: randomBytes(8).readBigUInt64BE(0),
    nonce: randomBytes(32),
  });
}

/** One line in the style of ssh-keygen's "Signed user key …" message. */
export function describeSignature(result: SignResult, certFile: string): string {
  const f = result.fields;
  const iso = (t: bigint) => new Date(Number(t) * 1000).toISOString().slice(0, 19);
  const who = f.principals.length > 0 ? f.principals.join(',') : '(no principals)';
  return (
    `Signed ${f.certType} key ${certFile}: id "${f.keyId}" serial ${f.serial} for ${who} ` +
    `valid from ${iso(f.validAfter)} to ${iso(f.validBefore)} UTC\n`
  );
}
