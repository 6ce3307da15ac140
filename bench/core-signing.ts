// What the benchmarks share: a rate meter and the in-process core signer set up as the server
// would call it for the "developer" role.

import { randomBytes } from 'node:crypto';
import type { GeneratedKeyPair } from '../core/keys/ca-key.js';
import { parseRoleWrite } from '../core/role.js';
import { parseSignRequest, signWithRole, type SignInput } from '../core/sign.js';

/** The role body every benchmark signs under (Vault's wire shape). */
export const BENCH_ROLE = {
  key_type: 'ca',
  allow_user_certificates: true,
  allowed_users: 'ubuntu,ec2-user',
  default_user: 'ubuntu',
  ttl: '1h',
  default_extensions: { 'permit-pty': '' },
} as const;

/** Operations per second of `op`, after a short warm-up, over `seconds`. */
export function rate(op: () => void, seconds: number): number {
  for (let i = 0; i < 200; i++) op();
  const budget = BigInt(Math.round(seconds * 1e9));
  const start = process.hrtime.bigint();
  let n = 0;
  let elapsed = 0n;
  while (elapsed < budget) {
    for (let i = 0; i < 50; i++) op();
    n += 50;
    elapsed = process.hrtime.bigint() - start;
  }
  return n / (Number(elapsed) / 1e9);
}

/** The sign input for one certificate of `userPublicKey` under BENCH_ROLE, signed by `ca`. */
export function coreSignInput(ca: GeneratedKeyPair, userPublicKey: string): () => SignInput {
  const role = parseRoleWrite(BENCH_ROLE);
  const { request } = parseSignRequest({ public_key: userPublicKey });
  return () => ({
    roleName: 'developer',
    role,
    request,
    mount: { defaultLeaseTtl: 3600, maxLeaseTtl: 86400 },
    requester: { displayName: 'bench' },
    ca: ca.caKey,
    now: Math.floor(Date.now() / 1000),
    serial: randomBytes(8).readBigUInt64BE(0),
    nonce: randomBytes(32),
  });
}

/** Certificates per second through the core signer (full Vault policy and encoding), in process. */
export const coreSignRate = (ca: GeneratedKeyPair, userPublicKey: string, seconds: number): number => {
  const input = coreSignInput(ca, userPublicKey);
  return rate(() => signWithRole(input()), seconds);
};

/** `1234567` → `1,234,567`. */
export const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
