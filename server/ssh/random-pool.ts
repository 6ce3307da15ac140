// Serials and nonces for certificates from node:crypto's CSPRNG, drawn from a pooled buffer: one
// randomFillSync per hundred certificates instead of two per certificate (measured: 4 % of the
// server's CPU under signing load, bench/http-sign).

import { randomFillSync } from 'node:crypto';

const POOL_BYTES = 4000;
let pool = Buffer.alloc(0);
let offset = 0;

/** `n` fresh random bytes (a copy: the pool is reused). */
export function randomBytesPooled(n: number): Buffer {
  if (offset + n > pool.length) {
    pool = randomFillSync(Buffer.allocUnsafe(Math.max(POOL_BYTES, n)));
    offset = 0;
  }
  const out = Buffer.from(pool.subarray(offset, offset + n));
  pool.fill(0, offset, offset + n); // bytes handed out are not kept
  offset += n;
  return out;
}
