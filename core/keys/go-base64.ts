// Go's `base64.StdEncoding.DecodeString`, including its exact error offsets
// (`illegal base64 data at input byte N`), so that a bad `public_key` gets the same message as on
// Vault. Node's decoder silently skips bad characters, which would hide garbage input.

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const DECODE = new Int16Array(256).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) DECODE[ALPHABET.charCodeAt(i)] = i;

const corrupt = (at: number) => new Error(`illegal base64 data at input byte ${at}`);
const isNewline = (c: number | undefined) => c === 0x0a || c === 0x0d;

const WELL_FORMED = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Decode standard padded base64 exactly as Go does (CR and LF are skipped; anything else is an error). */
export function decodeGoBase64(text: string): Buffer {
  // Fast path: well-formed input decodes identically with Node's decoder (the signing hot path).
  if (WELL_FORMED.test(text)) return Buffer.from(text, 'base64');
  const src = Buffer.from(text, 'latin1');
  const out: number[] = [];
  let si = 0;
  for (;;) {
    const q = [0, 0, 0, 0];
    let dlen = 4;
    let j = 0;
    let trailing = -1;
    for (; j < 4; j++) {
      if (si === src.length) {
        if (j === 0) return Buffer.from(out);
        throw corrupt(si - j);
      }
      const c = src[si]!;
      si++;
      const v = DECODE[c]!;
      if (v >= 0) {
        q[j] = v;
        continue;
      }
      if (isNewline(c)) {
        j--;
        continue;
      }
      if (c !== 0x3d /* = */) throw corrupt(si - 1);
      if (j === 0 || j === 1) throw corrupt(si - 1);
      if (j === 2) {
        while (si < src.length && isNewline(src[si])) si++;
        if (si === src.length) throw corrupt(src.length);
        if (src[si] !== 0x3d) throw corrupt(si - 1);
        si++;
      }
      while (si < src.length && isNewline(src[si])) si++;
      if (si < src.length) trailing = si;
      dlen = j;
      break;
    }
    const val = (q[0]! << 18) | (q[1]! << 12) | (q[2]! << 6) | q[3]!;
    const bytes = [(val >> 16) & 0xff, (val >> 8) & 0xff, val & 0xff];
    out.push(...bytes.slice(0, dlen - 1));
    if (trailing >= 0) throw corrupt(trailing);
    if (dlen < 4) return Buffer.from(out);
  }
}
