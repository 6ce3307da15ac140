// Go's base64.StdEncoding.DecodeString, including the offsets of `illegal base64 data at input byte N`
// (reference §2.9 step 3): Node's decoder silently skips bad characters; Go's does not.

import { describe, expect, it } from 'vitest';
import { decodeGoBase64 } from '../../../core/keys/go-base64.js';
import { goTruncationOffset, prng } from '../fixtures.js';

describe('decodeGoBase64', () => {
  it.each<[string, string]>([
    ['', ''],
    ['QUJD', 'ABC'],
    ['QUI=', 'AB'],
    ['QQ==', 'A'],
    ['QUJDREVG', 'ABCDEF'],
    // CR and LF are skipped anywhere
    ['QUJD\nREVG', 'ABCDEF'],
    ['QU\r\nJD\nREVG\n', 'ABCDEF'],
    ['\nQQ==\n', 'A'],
    ['QQ=\n=', 'A'],
  ])('%j decodes to %j', (text, decoded) => {
    expect(decodeGoBase64(text).toString('latin1')).toBe(decoded);
  });

  it.each<[string, number]>([
    // a partial last quantum (no padding): offset = start of that quantum
    ['Q', 0],
    ['QQ', 0],
    ['QUJ', 0],
    ['QUJDR', 4],
    ['QUJDREV', 4],
    // a character outside the alphabet: its own offset (Node would skip "-", "_" and " ")
    ['QU-D', 2],
    ['QU_D', 2],
    ['QUJD ', 4],
    ['!QUJ', 0],
    ['QUJD\u00e9', 4],
    // padding in the wrong place
    ['=QUJ', 0],
    ['Q===', 1],
    ['QQ=', 3],
    ['QQ=A', 2],
    // data after the padding
    ['QQ==QQ==', 4],
    ['QUI=QUJD', 4],
    ['QQ==\nQ', 5],
  ])('%j fails at input byte %i', (text, offset) => {
    expect(() => decodeGoBase64(text)).toThrow(new Error(`illegal base64 data at input byte ${offset}`));
  });

  it('counts newlines in offsets as Go does', () => {
    // the partial quantum "R" starts after the newline: si - j = 6 - 1
    expect(() => decodeGoBase64('QUJD\nR')).toThrow(new Error('illegal base64 data at input byte 5'));
    expect(() => decodeGoBase64('QU\nJD!')).toThrow(new Error('illegal base64 data at input byte 5'));
  });

  it('agrees with Node on well-formed input and with the truncation rule on cut input', () => {
    const rand = prng(4242);
    for (let i = 0; i < 300; i++) {
      const bytes = Buffer.from(Array.from({ length: Math.floor(rand() * 80) }, () => Math.floor(rand() * 256)));
      const b64 = bytes.toString('base64');
      expect(decodeGoBase64(b64)).toEqual(bytes);
      const cut = b64.replace(/=+$/, '').slice(0, Math.floor(rand() * (b64.length + 1)));
      const offset = goTruncationOffset(cut.length);
      if (offset === undefined) expect(decodeGoBase64(cut)).toEqual(Buffer.from(cut, 'base64'));
      else expect(() => decodeGoBase64(cut)).toThrow(new Error(`illegal base64 data at input byte ${offset}`));
    }
  });
});
