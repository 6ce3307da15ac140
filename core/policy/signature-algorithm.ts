// Which algorithm the CA signs with (reference §3.7): `default` means rsa-sha2-256 for RSA CAs and
// the key's own algorithm otherwise. SHA-1 `ssh-rsa` is used only when a role names it explicitly
// (OpenSSH ≥ 8.2 rejects such certificates by default).

import { InternalError } from '../errors.js';
import type { SignatureAlgorithm } from '../cert/certificate.js';
import type { CaKey } from '../keys/ca-key.js';
import type { AlgorithmSigner } from '../role.js';

/** Resolve the signature algorithm, or throw Vault's 500 when the role's choice does not fit the CA key. */
export function resolveSignatureAlgorithm(signer: AlgorithmSigner, ca: CaKey): SignatureAlgorithm {
  if (signer === 'default') return ca.family === 'rsa' ? 'rsa-sha2-256' : (ca.algorithm as SignatureAlgorithm);
  if (ca.family !== 'rsa') {
    throw new InternalError(
      `failed to generate signed SSH key: sign error: ssh: unsupported signature algorithm ${JSON.stringify(signer)} for key format ${JSON.stringify(ca.algorithm)}`,
    );
  }
  return signer;
}
