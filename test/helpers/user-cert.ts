// A user certificate for tests, signed by the core signer under a permissive test role: the key
// pair and its certificate written to files an `ssh -i … -o CertificateFile=…` login can use.

import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { GeneratedKeyPair } from '../../core/keys/ca-key.js';
import { parseRoleWrite } from '../../core/role.js';
import { parseSignRequest, signWithRole } from '../../core/sign.js';

/** Files for one login. */
export interface UserCertificate {
  readonly identityFile: string;
  readonly certificateFile: string;
}

let counter = 0;

/** A fresh ed25519 key in `dir`, certified by `ca` for `principals` for ten minutes. */
export function issueUserCertificate(
  dir: string,
  ca: GeneratedKeyPair,
  principals: readonly string[],
): UserCertificate {
  const identityFile = join(dir, `id_test_${++counter}`);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', identityFile]);
  const role = parseRoleWrite({
    key_type: 'ca',
    allow_user_certificates: true,
    allowed_users: principals.join(','),
    ttl: '10m',
  });
  const { request } = parseSignRequest({
    public_key: readFileSync(`${identityFile}.pub`, 'utf8'),
    valid_principals: principals.join(','),
  });
  const { signedKey } = signWithRole({
    roleName: 'test',
    role,
    request,
    mount: { defaultLeaseTtl: 3600, maxLeaseTtl: 86400 },
    requester: { displayName: 'test' },
    ca: ca.caKey,
    now: Math.floor(Date.now() / 1000),
    serial: randomBytes(8).readBigUInt64BE(0),
    nonce: randomBytes(32),
  });
  const certificateFile = `${identityFile}-cert.pub`;
  writeFileSync(certificateFile, signedKey);
  return { identityFile, certificateFile };
}
