// Go's text behaviour the policy parser relies on: %q quoting, strconv.ParseInt, the two Unquotes.

import { describe, expect, it } from 'vitest';
import {
  fromByteString,
  goParseInt,
  goQuote,
  goUnquote,
  hclUnquote,
  toByteString,
} from '../../../core/acl/hcl/go-text.js';

const quote = (s: string) => fromByteString(goQuote(toByteString(s)));

describe('goQuote', () => {
  it.each([
    ['read', '"read"'],
    ['a"b\\c', '"a\\"b\\\\c"'],
    ['tab\tnl\nbell\u0007del\u007f', '"tab\\tnl\\nbell\\adel\\x7f"'],
    ['é😀', '"é😀"'],
    ['\u00a0\u2028', '"\\u00a0\\u2028"'],
  ])('%j → %s', (input, expected) => {
    expect(quote(input)).toBe(expected);
  });

  it('escapes bytes that are not UTF-8', () => {
    expect(goQuote('a\xff')).toBe('"a\\xff"');
  });
});

describe('goParseInt', () => {
  it.each([
    ['42', 0, 42n],
    ['-7', 10, -7n],
    ['0x1F', 0, 31n],
    ['017', 0, 15n],
    ['0b101', 0, 5n],
    ['1_000', 0, 1000n],
    ['9223372036854775807', 10, 9223372036854775807n],
    ['-9223372036854775808', 10, -9223372036854775808n],
  ] as const)('%s (base %i) is %s', (s, base, expected) => {
    expect(goParseInt(s, base)).toBe(expected);
  });

  it.each([
    ['', 0, 'strconv.ParseInt: parsing "": invalid syntax'],
    ['12a', 10, 'strconv.ParseInt: parsing "12a": invalid syntax'],
    ['1_000', 10, 'strconv.ParseInt: parsing "1_000": invalid syntax'],
    ['08', 0, 'strconv.ParseInt: parsing "08": invalid syntax'],
    ['9223372036854775808', 10, 'strconv.ParseInt: parsing "9223372036854775808": value out of range'],
    ['99999999999999999999x', 10, 'strconv.ParseInt: parsing "99999999999999999999x": value out of range'],
  ] as const)('%j (base %i) fails: %s', (s, base, message) => {
    expect(() => goParseInt(s, base)).toThrow(message);
  });
});

describe('unquoting', () => {
  it("reads HCL's escapes and keeps ${…} verbatim", () => {
    expect(hclUnquote('"a\\tb\\u00e9\\x41\\101"')).toBe('a\tb\xc3\xa9AA');
    expect(hclUnquote('"${x["y"]} z"')).toBe('${x["y"]} z');
    expect(() => hclUnquote('"\\400"')).toThrow('invalid syntax');
  });

  it("reads JSON strings with Go's rules, refusing surrogates", () => {
    expect(goUnquote('"caf\\u00e9"')).toBe('caf\xc3\xa9');
    expect(() => goUnquote('"\\ud800"')).toThrow('invalid syntax');
  });
});
