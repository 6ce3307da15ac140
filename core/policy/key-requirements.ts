// Public-key requirements of a role (reference §3.6, Vault's `validateSignedKeyRequirements`):
// `allowed_user_key_lengths` maps key type names to exact allowed sizes; an empty map allows every
// key. RSA and DSA sizes must match exactly (an allow-list, not a minimum).

import { RequestError } from '../errors.js';
import type { SshPublicKey } from '../keys/public-key.js';
import type { CaRole } from '../role.js';

const CURVE_NAMES: Readonly<Record<number, string>> = {
  256: 'ecdsa-sha2-nistp256',
  384: 'ecdsa-sha2-nistp384',
  521: 'ecdsa-sha2-nistp521',
};

/** The map keys Vault consults for a key family. */
function mapKeysFor(key: SshPublicKey): string[] {
  switch (key.family) {
    case 'rsa':
      return ['rsa', 'ssh-rsa'];
    case 'dsa':
      return ['dsa', 'ssh-dss'];
    case 'ecdsa':
      return ['ecdsa', 'ec', ...(CURVE_NAMES[key.bits] ? [CURVE_NAMES[key.bits]!] : [])];
    case 'ed25519':
      return ['ed25519', 'ssh-ed25519'];
  }
}

/** Throws `public_key failed to meet the key requirements: <cause>` (400) when the key is refused. */
export function validateKeyRequirements(role: CaRole, key: SshPublicKey): void {
  const lengths = role.allowedUserKeyLengths;
  if (Object.keys(lengths).length === 0) return;
  const bits = key.family === 'ed25519' ? 0 : key.bits; // Vault reports 0 bits for Ed25519
  let present = false;
  let pass = false;
  for (const mapKey of mapKeysFor(key)) {
    const allowed = lengths[mapKey];
    if (allowed === undefined) continue;
    present = true;
    for (const value of allowed) {
      const sizeMatters = key.family === 'rsa' || key.family === 'dsa' || mapKey === 'ec' || mapKey === 'ecdsa';
      if (!sizeMatters || bits === value) pass = true;
    }
  }
  const fail = (cause: string) => new RequestError(`public_key failed to meet the key requirements: ${cause}`);
  if (!present) throw fail(`key of type ${key.family} is not allowed`);
  if (!pass) throw fail(`key is of an invalid size: ${bits}`);
}
