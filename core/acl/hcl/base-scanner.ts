// What HCL version 1's two scanners (hashicorp/hcl v1, hcl/scanner and json/scanner) have in common,
// written once: Go's character classes, rune reading with Go's position bookkeeping (`srcPos`,
// `prevPos`, `lastCharLen`, `lastLineLen`), the error position, and the scanning of numbers,
// strings, escapes and identifiers. Where the two Go scanners differ, the difference is a hook or a
// parameter here, named and commented, so that both keep their own quirks. Works on byte strings.

import { RUNE_ERROR, encodeRune } from './go-text.js';
import type { Pos } from './ast.js';
import { RuneBuffer } from './rune-buffer.js';

/** Go's `eof` rune for the scanners (the buffer is empty). */
export const EOF = 0;

/** The code of a one-character string, for Go's rune literals (`c('"')` is `'"'`). */
export const c = (s: string): number => s.charCodeAt(0);

const LETTER = /^\p{L}$/u;
const DIGIT = /^\p{Nd}$/u;

/** Go's scanner `isLetter`: ASCII letters, `_`, and Unicode letters. */
export const isLetter = (ch: number): boolean =>
  (ch >= 0x61 && ch <= 0x7a) ||
  (ch >= 0x41 && ch <= 0x5a) ||
  ch === 0x5f ||
  (ch >= 0x80 && LETTER.test(String.fromCodePoint(ch)));

/** Go's scanner `isDigit`: ASCII digits and Unicode decimal digits. */
export const isDigit = (ch: number): boolean =>
  (ch >= 0x30 && ch <= 0x39) || (ch >= 0x80 && DIGIT.test(String.fromCodePoint(ch)));

/** Go's scanner `isDecimal`: `0`–`9` only. */
export const isDecimal = (ch: number): boolean => ch >= 0x30 && ch <= 0x39;

/** Go's scanner `isHexadecimal`: `0`–`9`, `a`–`f`, `A`–`F`. */
export const isHexadecimal = (ch: number): boolean =>
  isDecimal(ch) || (ch >= 0x61 && ch <= 0x66) || (ch >= 0x41 && ch <= 0x46);

/** Go's scanner `isWhitespace`: space, tab, LF, CR. */
export const isWhitespace = (ch: number): boolean => ch === 0x20 || ch === 0x09 || ch === 0x0a || ch === 0x0d;

/** Go's scanner `digitVal`: the value of a hexadecimal digit, 16 for anything else. */
export const digitVal = (ch: number): number => {
  if (isDecimal(ch)) return ch - 0x30;
  if (ch >= 0x61 && ch <= 0x66) return ch - 0x61 + 10;
  if (ch >= 0x41 && ch <= 0x46) return ch - 0x41 + 10;
  return 16;
};

/** Escapes that take no digits: `\a \b \f \n \r \t \v \\ \"` (a string, not a Set: see parser.ts). */
export const isSimpleEscape = (ch: number): boolean =>
  ch > 0 && ch < 0x80 && 'abfnrtv\\"'.includes(String.fromCharCode(ch));

/** The tokens both scanners read alike. */
export type CommonType = 'EOF' | 'STRING' | 'PERIOD' | 'FLOAT' | 'LBRACK' | 'RBRACK' | 'LBRACE' | 'RBRACE' | 'COMMA';

/** Go's `string(rune)` as a byte string. */
export const runeString = (ch: number): string => encodeRune(ch);

interface MutablePos {
  offset: number;
  line: number;
  column: number;
}

/** Position bookkeeping and the rune, number, string, escape and identifier scanning of the HCL and JSON scanners. */
export abstract class BaseScanner {
  protected readonly buf: RuneBuffer;
  protected srcPos: MutablePos = { offset: 0, line: 1, column: 0 };
  protected prevPos: MutablePos = { offset: 0, line: 0, column: 0 };
  protected lastCharLen = 0;
  protected lastLineLen = 0;

  /**
   * @param dialect which Go scanner this is, where the two differ: `hcl` (hcl/scanner) remembers the
   * position before an invalid UTF-8 byte, refuses NUL and U+E123, keeps a `"` or a line break
   * inside `${…}` in the string and takes `.` in identifiers; `json` (json/scanner) does none of these.
   */
  constructor(
    protected readonly src: string,
    protected readonly onError: (pos: Pos, msg: string) => void,
    protected readonly dialect: 'hcl' | 'json',
  ) {
    this.buf = new RuneBuffer(src);
  }

  /** Go's `scanDigits` after an escape: `n` digits of `base`, each scanner with its own quirk. */
  protected abstract scanDigits(ch: number, base: number, n: number): void;

  /** Go's `next`: reads one rune and moves the position. */
  protected next(): number {
    const got = this.buf.readRune();
    if (!got) {
      this.srcPos.column++;
      this.lastCharLen = 0;
      return EOF;
    }
    const [ch, size] = got;
    const invalid = ch === RUNE_ERROR && size === 1;
    if (!invalid || this.dialect === 'hcl') this.prevPos = { ...this.srcPos };
    this.srcPos.column++;
    this.lastCharLen = size;
    this.srcPos.offset += size;
    if (invalid) {
      this.err('illegal UTF-8 encoding');
      return ch;
    }
    if (ch === 0x0a) {
      this.srcPos.line++;
      this.lastLineLen = this.srcPos.column;
      this.srcPos.column = 0;
    }
    if (this.dialect === 'hcl' && ch === 0) {
      this.err('unexpected null character (0x00)');
      return EOF;
    }
    if (this.dialect === 'hcl' && ch === 0xe123) {
      this.err('unicode code point U+E123 reserved for internal use');
      return RUNE_ERROR;
    }
    return ch;
  }

  protected unread(): void {
    this.buf.unreadRune();
    this.srcPos = { ...this.prevPos };
  }

  protected peek(): number {
    return this.buf.peek();
  }

  /** Skips whitespace and returns the token's first rune, its byte offset and its position. */
  protected startToken(): { ch: number; start: number; pos: Pos } {
    let ch = this.next();
    while (isWhitespace(ch)) ch = this.next();
    return { ch, start: this.srcPos.offset - this.lastCharLen, pos: this.tokenStart() };
  }

  /**
   * The part of Go's `Scan` switch both scanners share, for the token's first rune: the end of
   * input, a string, `.` or a float such as `.5e3`, and `[ ] { } ,`. Undefined (nothing read) for
   * any other rune, which the scanner itself handles.
   */
  protected scanCommon(ch: number): CommonType | undefined {
    switch (ch) {
      case EOF:
        return 'EOF';
      case c('"'):
        this.scanString();
        return 'STRING';
      case c('.'):
        if (!isDecimal(this.peek())) return 'PERIOD';
        this.scanExponent(this.scanMantissa(this.peek()));
        return 'FLOAT';
      case c('['):
        return 'LBRACK';
      case c(']'):
        return 'RBRACK';
      case c('{'):
        return 'LBRACE';
      case c('}'):
        return 'RBRACE';
      case c(','):
        return 'COMMA';
      default:
        return undefined;
    }
  }

  /** Where the current token starts (the scanners' `tokPos` logic). */
  protected tokenStart(): Pos {
    const offset = this.srcPos.offset - this.lastCharLen;
    return this.srcPos.column > 0
      ? { offset, line: this.srcPos.line, column: this.srcPos.column }
      : { offset, line: this.srcPos.line - 1, column: this.lastLineLen };
  }

  protected err(msg: string): void {
    const offset = this.srcPos.offset - this.lastCharLen;
    let pos: Pos;
    if (this.srcPos.column > 0) pos = { offset, line: this.srcPos.line, column: this.srcPos.column };
    else if (this.lastLineLen > 0) pos = { offset, line: this.srcPos.line - 1, column: this.lastLineLen };
    else pos = { offset, line: 1, column: 1 };
    this.onError(pos, msg);
  }

  protected scanMantissa(ch: number): number {
    let scanned = false;
    while (isDecimal(ch)) {
      ch = this.next();
      scanned = true;
    }
    if (scanned && ch !== EOF) this.unread();
    return ch;
  }

  protected scanFraction(ch: number): number {
    if (ch === c('.')) {
      ch = this.peek();
      ch = this.scanMantissa(ch);
    }
    return ch;
  }

  protected scanExponent(ch: number): number {
    if (ch === c('e') || ch === c('E')) {
      ch = this.next();
      if (ch === c('-') || ch === c('+')) ch = this.next();
      ch = this.scanMantissa(ch);
    }
    return ch;
  }

  /** The rune after a number's integer digits: true if an exponent or a fraction made it a FLOAT (and was read). */
  protected scanFloatTail(ch: number): boolean {
    if (ch === c('e') || ch === c('E')) {
      this.scanExponent(ch);
      return true;
    }
    if (ch === c('.')) {
      ch = this.scanFraction(ch);
      if (ch === c('e') || ch === c('E')) this.scanExponent(this.next());
      return true;
    }
    return false;
  }

  /** A number not starting with `0x` or HCL's octal `0`: digits, then an optional fraction or exponent. */
  protected scanDecimalNumber(ch: number): 'NUMBER' | 'FLOAT' {
    this.scanMantissa(ch);
    ch = this.next();
    if (this.scanFloatTail(ch)) return 'FLOAT';
    if (ch !== EOF) this.unread();
    return 'NUMBER';
  }

  /** A string after its opening `"`, `${…}` counted (in HCL, `${…}` may hold quotes and line breaks). */
  protected scanString(): void {
    const holdsQuotes = this.dialect === 'hcl';
    let braces = 0;
    for (;;) {
      const ch = this.next();
      const open = holdsQuotes && braces > 0;
      if ((ch === 0x0a && !open) || ch === EOF) {
        this.err('literal not terminated');
        return;
      }
      if (ch === c('"') && !open) break;
      if (braces === 0 && ch === c('$') && this.peek() === c('{')) {
        braces++;
        this.next();
      } else if (braces > 0 && ch === c('{')) {
        braces++;
      }
      if (braces > 0 && ch === c('}')) braces--;
      if (ch === c('\\')) this.scanEscape();
    }
  }

  protected scanEscape(): void {
    const ch = this.next();
    if (isSimpleEscape(ch)) return;
    if (ch >= c('0') && ch <= c('7')) this.scanDigits(ch, 8, 3);
    else if (ch === c('x')) this.scanDigits(this.next(), 16, 2);
    else if (ch === c('u')) this.scanDigits(this.next(), 16, 4);
    else if (ch === c('U')) this.scanDigits(this.next(), 16, 8);
    else this.err('illegal char escape');
  }

  /** An identifier after its first letter: letters, digits, `-`, and in HCL `.`. */
  protected scanIdentifier(): string {
    const withPeriod = this.dialect === 'hcl';
    const offs = this.srcPos.offset - this.lastCharLen;
    let ch = this.next();
    while (isLetter(ch) || isDigit(ch) || ch === c('-') || (withPeriod && ch === c('.'))) ch = this.next();
    if (ch !== EOF) this.unread();
    return this.src.slice(offs, this.srcPos.offset);
  }
}
