// Go's view of text, for a parser that must fail exactly where Vault's does: Go strings are bytes,
// so the HCL layer works on "byte strings" (one JS char per byte, 0–255) and decodes runes as
// `unicode/utf8` does; `%q` quoting, `strconv.ParseInt`/`ParseFloat` and the two `Unquote`s
// (HCL's and Go's) behave as Go's, with Go's error texts. Failures are thrown as GoFailure (an
// `error` value) or GoPanic (where Go panics); only the policy parser turns them into RequestErrors.

/** An error as Go returns it: the text is Go's `err.Error()` (a byte string). */
export class GoFailure extends Error {
  override readonly name: string = 'GoFailure';

  constructor(message: string) {
    super(message);
    // Set again on purpose, as in core/errors.ts: in a serialized Pulumi provider (providers reach
    // this module) Error called as a function cannot initialise `this`.
    this.message = message;
  }
}

/** Where Go would panic (Vault drops the connection); the text is the panic value's. */
export class GoPanic extends GoFailure {
  override readonly name = 'GoPanic';
}

// Guards by name, not `instanceof`: classes do not keep their identity through Pulumi's serializer.
/** A Go error value (not a panic). */
export const isGoError = (e: unknown): e is GoFailure => (e as { name?: unknown } | null)?.name === 'GoFailure';
/** A Go error value or a panic. */
export const isGoFailure = (e: unknown): e is GoFailure =>
  isGoError(e) || (e as { name?: unknown } | null)?.name === 'GoPanic';

export const RUNE_ERROR = 0xfffd;

/** A JS string as the bytes of its UTF-8 encoding, one char per byte (lone surrogates become U+FFFD). */
export const toByteString = (s: string): string => Buffer.from(s, 'utf8').toString('latin1');

/** A byte string as the JS string a client would see (invalid UTF-8 becomes U+FFFD, as Go's JSON encoder does). */
export const fromByteString = (b: string): string => Buffer.from(b, 'latin1').toString('utf8');

const inRange = (b: string, i: number, lo: number, hi: number): boolean => {
  const c = b.charCodeAt(i);
  return i < b.length && c >= lo && c <= hi;
};

/** Go's `utf8.DecodeRuneInString(b[i:])`: [rune, size]; invalid input is [RUNE_ERROR, 1]; at the end [RUNE_ERROR, 0]. */
export function decodeRune(b: string, i: number): [number, number] {
  if (i >= b.length) return [RUNE_ERROR, 0];
  const c0 = b.charCodeAt(i);
  if (c0 < 0x80) return [c0, 1];
  if (c0 >= 0xc2 && c0 <= 0xdf) {
    return inRange(b, i + 1, 0x80, 0xbf) ? [((c0 & 0x1f) << 6) | (b.charCodeAt(i + 1) & 0x3f), 2] : [RUNE_ERROR, 1];
  }
  if (c0 >= 0xe0 && c0 <= 0xef) {
    const lo = c0 === 0xe0 ? 0xa0 : 0x80;
    const hi = c0 === 0xed ? 0x9f : 0xbf;
    if (!inRange(b, i + 1, lo, hi) || !inRange(b, i + 2, 0x80, 0xbf)) return [RUNE_ERROR, 1];
    return [((c0 & 0x0f) << 12) | ((b.charCodeAt(i + 1) & 0x3f) << 6) | (b.charCodeAt(i + 2) & 0x3f), 3];
  }
  if (c0 >= 0xf0 && c0 <= 0xf4) {
    const lo = c0 === 0xf0 ? 0x90 : 0x80;
    const hi = c0 === 0xf4 ? 0x8f : 0xbf;
    if (!inRange(b, i + 1, lo, hi) || !inRange(b, i + 2, 0x80, 0xbf) || !inRange(b, i + 3, 0x80, 0xbf)) {
      return [RUNE_ERROR, 1];
    }
    const r =
      ((c0 & 0x07) << 18) |
      ((b.charCodeAt(i + 1) & 0x3f) << 12) |
      ((b.charCodeAt(i + 2) & 0x3f) << 6) |
      (b.charCodeAt(i + 3) & 0x3f);
    return [r, 4];
  }
  return [RUNE_ERROR, 1];
}

/** Go's `utf8.ValidRune`. */
export const validRune = (r: number): boolean => r >= 0 && r <= 0x10ffff && !(r >= 0xd800 && r <= 0xdfff);

/** Go's `utf8.EncodeRune` as a byte string (invalid runes encode U+FFFD). */
export function encodeRune(r: number): string {
  const cp = validRune(r) ? r : RUNE_ERROR;
  return Buffer.from(String.fromCodePoint(cp), 'utf8').toString('latin1');
}

/** Go's `utf8.ValidString`. */
export function validUtf8(b: string): boolean {
  for (let i = 0; i < b.length;) {
    const [r, n] = decodeRune(b, i);
    if (r === RUNE_ERROR && n === 1) return false;
    i += n;
  }
  return true;
}

/** The length in bytes of a JS string's UTF-8 encoding (Go's `len` of the same text). */
export const utf8Length = (s: string): number => Buffer.byteLength(s, 'utf8');

/** Go's string comparison (byte order of UTF-8, which is code point order): negative, 0 or positive. */
export function compareUtf8(a: string, b: string): number {
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  for (;;) {
    const x = ia.next();
    const y = ib.next();
    if (x.done || y.done) return x.done ? (y.done ? 0 : -1) : 1;
    const d = x.value.codePointAt(0)! - y.value.codePointAt(0)!;
    if (d !== 0) return d;
  }
}

const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u;
const isPrint = (r: number): boolean =>
  r === 0x20 || (r > 0x7e && r !== 0x7f && PRINTABLE.test(String.fromCodePoint(r)));
const hex = (n: number, width: number): string => n.toString(16).padStart(width, '0');

/** Go's `strconv.Quote` (what `%q` prints) of a byte string, as a byte string. */
export function goQuote(b: string): string {
  let out = '"';
  for (let i = 0; i < b.length;) {
    const [r, n] = decodeRune(b, i);
    if (n === 1 && r === RUNE_ERROR) {
      out += `\\x${hex(b.charCodeAt(i), 2)}`;
      i += 1;
      continue;
    }
    i += n;
    if (r === 0x22 || r === 0x5c) out += `\\${String.fromCharCode(r)}`;
    else if (r >= 0x20 && r < 0x7f) out += String.fromCharCode(r);
    else if (isPrint(r)) out += encodeRune(r);
    else if (r === 7) out += '\\a';
    else if (r === 8) out += '\\b';
    else if (r === 12) out += '\\f';
    else if (r === 10) out += '\\n';
    else if (r === 13) out += '\\r';
    else if (r === 9) out += '\\t';
    else if (r === 11) out += '\\v';
    else if (r < 0x20 || r === 0x7f) out += `\\x${hex(r, 2)}`;
    else if (r < 0x10000) out += `\\u${hex(r, 4)}`;
    else out += `\\U${hex(r, 8)}`;
  }
  return `${out}"`;
}

/** Go's `strings.EqualFold` (simple Unicode case folding), on JS strings. */
export function equalFold(a: string, b: string): boolean {
  if (a === b) return true;
  const xs = [...a];
  const ys = [...b];
  if (xs.length !== ys.length) return false;
  return xs.every(
    (x, i) => x === ys[i] || x.toLowerCase() === ys[i]!.toLowerCase() || x.toUpperCase() === ys[i]!.toUpperCase(),
  );
}

const INT64_MAX = (1n << 63n) - 1n;

const numError = (fn: string, s: string, what: string): GoFailure =>
  new GoFailure(`strconv.${fn}: parsing ${goQuote(s)}: ${what}`);

/** Go's `underscoreOK` for base-prefixed literals. */
function underscoreOk(s: string): boolean {
  let saw = '^';
  let i = 0;
  if (s.length >= 1 && (s[0] === '-' || s[0] === '+')) s = s.slice(1);
  let hexDigits = false;
  if (s.length >= 2 && s[0] === '0' && 'bBoOxX'.includes(s[1]!)) {
    i = 2;
    saw = '0';
    hexDigits = s[1] === 'x' || s[1] === 'X';
  }
  for (; i < s.length; i++) {
    const c = s[i]!;
    if ((c >= '0' && c <= '9') || (hexDigits && /^[a-fA-F]$/.test(c))) {
      saw = '0';
      continue;
    }
    if (c === '_') {
      if (saw !== '0') return false;
      saw = '_';
      continue;
    }
    if (saw === '_') return false;
    saw = '!';
  }
  return saw !== '_';
}

/** Go's `strconv.ParseInt(s, base, 64)` for base 0 or 10, on a byte string. */
export function goParseInt(s0: string, base0: 0 | 10): bigint {
  const fail = (what: string) => numError('ParseInt', s0, what);
  if (s0 === '') throw fail('invalid syntax');
  let s = s0;
  let neg = false;
  if (s[0] === '+' || s[0] === '-') {
    neg = s[0] === '-';
    s = s.slice(1);
    if (s === '') throw fail('invalid syntax');
  }
  let base = 10;
  const prefixed = base0 === 0;
  if (prefixed && s[0] === '0') {
    const p = s[1]?.toLowerCase();
    if (s.length >= 3 && p === 'b') [base, s] = [2, s.slice(2)];
    else if (s.length >= 3 && p === 'o') [base, s] = [8, s.slice(2)];
    else if (s.length >= 3 && p === 'x') [base, s] = [16, s.slice(2)];
    else [base, s] = [8, s.slice(1)];
  }
  let n = 0n;
  let underscores = false;
  for (const c of s) {
    if (c === '_' && prefixed) {
      underscores = true;
      continue;
    }
    const d = /^[0-9]$/.test(c) ? c.charCodeAt(0) - 48 : /^[a-zA-Z]$/.test(c) ? c.toLowerCase().charCodeAt(0) - 87 : 99;
    if (d >= base) throw fail('invalid syntax');
    n = n * BigInt(base) + BigInt(d);
    if (n >= 1n << 64n) throw fail('value out of range');
  }
  if (underscores && !underscoreOk(s0)) throw fail('invalid syntax');
  if (!neg && n > INT64_MAX) throw fail('value out of range');
  if (neg && n > INT64_MAX + 1n) throw fail('value out of range');
  return neg ? -n : n;
}

/** Go's `strconv.ParseFloat(s, 64)` for the literal forms the HCL scanner produces. */
export function goParseFloat(s: string): number {
  if (!/^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$/.test(s)) throw numError('ParseFloat', s, 'invalid syntax');
  const v = Number(s);
  if (!Number.isFinite(v)) throw numError('ParseFloat', s, 'value out of range');
  return v;
}

const ERR_SYNTAX = 'invalid syntax';
const HEX: Readonly<Record<string, number>> = Object.fromEntries(
  [...'0123456789abcdef'].flatMap((c, i) => [
    [c, i],
    [c.toUpperCase(), i],
  ]),
);

/** One escaped or plain character at the start of `s` (Go's `UnquoteChar` for '"'): [rune, multibyte, rest]. */
function unquoteChar(s: string, validate: boolean): [number, boolean, string] {
  const c = s.charCodeAt(0);
  if (c === 0x22) throw new GoFailure(ERR_SYNTAX);
  if (c >= 0x80) {
    const [r, n] = decodeRune(s, 0);
    return [r, true, s.slice(n)];
  }
  if (c !== 0x5c) return [c, false, s.slice(1)];
  if (s.length <= 1) throw new GoFailure(ERR_SYNTAX);
  const e = s[1]!;
  s = s.slice(2);
  const simple: Readonly<Record<string, number>> = {
    a: 7,
    b: 8,
    f: 12,
    n: 10,
    r: 13,
    t: 9,
    v: 11,
    '\\': 0x5c,
    '"': 0x22,
  };
  if (simple[e] !== undefined) return [simple[e], false, s];
  if (e === 'x' || e === 'u' || e === 'U') {
    const n = e === 'x' ? 2 : e === 'u' ? 4 : 8;
    if (s.length < n) throw new GoFailure(ERR_SYNTAX);
    let v = 0;
    for (let j = 0; j < n; j++) {
      const x = HEX[s[j]!];
      if (x === undefined) throw new GoFailure(ERR_SYNTAX);
      v = v * 16 + x;
    }
    s = s.slice(n);
    if (e === 'x') return [v, false, s];
    if (validate ? !validRune(v) : v > 0x10ffff) throw new GoFailure(ERR_SYNTAX);
    return [v, true, s];
  }
  if (e >= '0' && e <= '7') {
    if (s.length < 2) throw new GoFailure(ERR_SYNTAX);
    let v = e.charCodeAt(0) - 48;
    for (let j = 0; j < 2; j++) {
      const x = s.charCodeAt(j) - 48;
      if (x < 0 || x > 7) throw new GoFailure(ERR_SYNTAX);
      v = v * 8 + x;
    }
    if (v > 255) throw new GoFailure(ERR_SYNTAX);
    return [v, false, s.slice(2)];
  }
  throw new GoFailure(ERR_SYNTAX);
}

const appendRune = (r: number, multibyte: boolean): string =>
  r < 0x80 || !multibyte ? String.fromCharCode(r & 0xff) : encodeRune(r);

/** Go's `strconv.Unquote` of a double-quoted byte string (used for JSON tokens); throws GoFailure("invalid syntax"). */
export function goUnquote(text: string): string {
  if (text.length < 2 || text[0] !== '"' || text[text.length - 1] !== '"') throw new GoFailure(ERR_SYNTAX);
  let s = text.slice(1, -1);
  if (!s.includes('\\') && !s.includes('\n') && !s.includes('"') && validUtf8(s)) return s;
  let out = '';
  while (s.length > 0) {
    if (s[0] === '\n') throw new GoFailure(ERR_SYNTAX);
    const [r, multibyte, rest] = unquoteChar(s, true);
    out += appendRune(r, multibyte);
    s = rest;
  }
  return out;
}

/** HCL's own `strconv.Unquote` (keeps `${…}` interpolations verbatim); throws GoFailure("invalid syntax"). */
export function hclUnquote(text: string): string {
  if (text.length < 2 || text[0] !== '"' || text[text.length - 1] !== '"') throw new GoFailure(ERR_SYNTAX);
  let s = text.slice(1, -1);
  if (!s.includes('$') && !s.includes('{') && s.includes('\n')) throw new GoFailure(ERR_SYNTAX);
  if (!s.includes('\\') && !s.includes('"') && !s.includes('$')) return s;
  let out = '';
  while (s.length > 0) {
    if (s.startsWith('${')) {
      out += '${';
      s = s.slice(2);
      let braces = 1;
      while (s.length > 0 && braces > 0) {
        const [r, n] = decodeRune(s, 0);
        if (r === RUNE_ERROR) throw new GoFailure(ERR_SYNTAX);
        out += s.slice(0, n);
        s = s.slice(n);
        if (r === 0x7b) braces++;
        else if (r === 0x7d) braces--;
      }
      if (braces !== 0) throw new GoFailure(ERR_SYNTAX);
      continue;
    }
    if (s[0] === '\n') throw new GoFailure(ERR_SYNTAX);
    const [r, multibyte, rest] = unquoteChar(s, false);
    out += appendRune(r, multibyte);
    s = rest;
  }
  return out;
}
