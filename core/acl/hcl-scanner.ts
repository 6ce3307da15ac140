// The tokenizer of HCL version 1 as Vault runs it (hashicorp/hcl v1.0.1-vault-7, hcl/scanner),
// re-implemented so that tokens, positions and error texts match: columns count runes, a scanner
// error does not stop scanning (the parser reports the last one), and the quirks stay (`0x` needs
// digits, `08` is caught only from its third digit, a NUL byte ends the input). Works on byte strings.

import { RUNE_ERROR, encodeRune } from './go-text.js';
import type { Pos, Token, TokenType } from './hcl-ast.js';
import { RuneBuffer } from './rune-buffer.js';

const EOF = 0;

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

export const isDecimal = (ch: number): boolean => ch >= 0x30 && ch <= 0x39;
const isHexadecimal = (ch: number): boolean =>
  isDecimal(ch) || (ch >= 0x61 && ch <= 0x66) || (ch >= 0x41 && ch <= 0x46);
export const isWhitespace = (ch: number): boolean => ch === 0x20 || ch === 0x09 || ch === 0x0a || ch === 0x0d;

export const digitVal = (ch: number): number => {
  if (isDecimal(ch)) return ch - 0x30;
  if (ch >= 0x61 && ch <= 0x66) return ch - 0x61 + 10;
  if (ch >= 0x41 && ch <= 0x46) return ch - 0x41 + 10;
  return 16;
};

const c = (s: string): number => s.charCodeAt(0);

/** Escapes that take no digits: `\a \b \f \n \r \t \v \\ \"` (a string, not a Set: see hcl-parser.ts). */
export const isSimpleEscape = (ch: number): boolean =>
  ch > 0 && ch < 0x80 && 'abfnrtv\\"'.includes(String.fromCharCode(ch));

interface MutablePos {
  offset: number;
  line: number;
  column: number;
}

/** Position bookkeeping and rune reading shared by the HCL and JSON scanners. */
export abstract class BaseScanner {
  protected readonly buf: RuneBuffer;
  protected srcPos: MutablePos = { offset: 0, line: 1, column: 0 };
  protected prevPos: MutablePos = { offset: 0, line: 0, column: 0 };
  protected lastCharLen = 0;
  protected lastLineLen = 0;

  constructor(
    protected readonly src: string,
    protected readonly onError: (pos: Pos, msg: string) => void,
  ) {
    this.buf = new RuneBuffer(src);
  }

  protected unread(): void {
    this.buf.unreadRune();
    this.srcPos = { ...this.prevPos };
  }

  protected peek(): number {
    return this.buf.peek();
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

  protected abstract next(): number;
}

/** HCL's scanner. */
export class HclScanner extends BaseScanner {
  // Spelled out: Pulumi's closure serializer (providers reach this module) drops the arguments of an
  // implicit derived constructor.
  constructor(src: string, onError: (pos: Pos, msg: string) => void) {
    super(src, onError);
  }

  protected next(): number {
    const got = this.buf.readRune();
    if (!got) {
      this.srcPos.column++;
      this.lastCharLen = 0;
      return EOF;
    }
    const [ch, size] = got;
    this.prevPos = { ...this.srcPos };
    this.srcPos.column++;
    this.lastCharLen = size;
    this.srcPos.offset += size;
    if (ch === RUNE_ERROR && size === 1) {
      this.err('illegal UTF-8 encoding');
      return ch;
    }
    if (ch === 0x0a) {
      this.srcPos.line++;
      this.lastLineLen = this.srcPos.column;
      this.srcPos.column = 0;
    }
    if (ch === 0) {
      this.err('unexpected null character (0x00)');
      return EOF;
    }
    if (ch === 0xe123) {
      this.err('unicode code point U+E123 reserved for internal use');
      return RUNE_ERROR;
    }
    return ch;
  }

  scan(): Token {
    let ch = this.next();
    while (isWhitespace(ch)) ch = this.next();
    const tokStart = this.srcPos.offset - this.lastCharLen;
    const pos = this.tokenStart();
    let type: TokenType = 'ILLEGAL';
    if (isLetter(ch)) {
      type = 'IDENT';
      const lit = this.scanIdentifier();
      if (lit === 'true' || lit === 'false') type = 'BOOL';
    } else if (isDecimal(ch)) {
      type = this.scanNumber(ch);
    } else {
      switch (ch) {
        case EOF:
          type = 'EOF';
          break;
        case c('"'):
          type = 'STRING';
          this.scanString();
          break;
        case c('#'):
        case c('/'):
          type = 'COMMENT';
          this.scanComment(ch);
          break;
        case c('.'):
          type = 'PERIOD';
          ch = this.peek();
          if (isDecimal(ch)) {
            type = 'FLOAT';
            ch = this.scanMantissa(ch);
            ch = this.scanExponent(ch);
          }
          break;
        case c('<'):
          type = 'HEREDOC';
          this.scanHeredoc();
          break;
        case c('['):
          type = 'LBRACK';
          break;
        case c(']'):
          type = 'RBRACK';
          break;
        case c('{'):
          type = 'LBRACE';
          break;
        case c('}'):
          type = 'RBRACE';
          break;
        case c(','):
          type = 'COMMA';
          break;
        case c('='):
          type = 'ASSIGN';
          break;
        case c('+'):
          type = 'ADD';
          break;
        case c('-'):
          if (isDecimal(this.peek())) {
            type = this.scanNumber(this.next());
          } else {
            type = 'SUB';
          }
          break;
        default:
          this.err('illegal char');
      }
    }
    const text = this.src.slice(tokStart, this.srcPos.offset);
    return { type, pos, text, json: false };
  }

  private scanComment(ch: number): void {
    if (ch === c('#') || (ch === c('/') && this.peek() !== c('*'))) {
      if (ch === c('/') && this.peek() !== c('/')) {
        this.err("expected '/' for comment");
        return;
      }
      ch = this.next();
      while (ch !== 0x0a && ch !== EOF) ch = this.next();
      if (ch !== EOF) this.unread();
      return;
    }
    if (ch === c('/')) {
      this.next();
      ch = this.next();
    }
    for (;;) {
      if (ch === EOF) {
        this.err('comment not terminated');
        break;
      }
      const ch0 = ch;
      ch = this.next();
      if (ch0 === c('*') && ch === c('/')) break;
    }
  }

  private scanNumber(ch: number): TokenType {
    if (ch === c('0')) {
      ch = this.next();
      if (ch === c('x') || ch === c('X')) {
        ch = this.next();
        let found = false;
        while (isHexadecimal(ch)) {
          ch = this.next();
          found = true;
        }
        if (!found) this.err('illegal hexadecimal number');
        if (ch !== EOF) this.unread();
        return 'NUMBER';
      }
      let illegalOctal = false;
      while (isDecimal(ch)) {
        ch = this.next();
        if (ch === c('8') || ch === c('9')) illegalOctal = true;
      }
      if (ch === c('e') || ch === c('E')) {
        this.scanExponent(ch);
        return 'FLOAT';
      }
      if (ch === c('.')) {
        ch = this.scanFraction(ch);
        if (ch === c('e') || ch === c('E')) this.scanExponent(this.next());
        return 'FLOAT';
      }
      if (illegalOctal) this.err('illegal octal number');
      if (ch !== EOF) this.unread();
      return 'NUMBER';
    }
    this.scanMantissa(ch);
    ch = this.next();
    if (ch === c('e') || ch === c('E')) {
      this.scanExponent(ch);
      return 'FLOAT';
    }
    if (ch === c('.')) {
      ch = this.scanFraction(ch);
      if (ch === c('e') || ch === c('E')) this.scanExponent(this.next());
      return 'FLOAT';
    }
    if (ch !== EOF) this.unread();
    return 'NUMBER';
  }

  private scanHeredoc(): void {
    if (this.next() !== c('<')) {
      this.err("heredoc expected second '<', didn't see it");
      return;
    }
    const offs = this.srcPos.offset;
    let ch = this.next();
    if (ch === c('-')) ch = this.next();
    while (isLetter(ch) || isDigit(ch)) ch = this.next();
    if (ch === EOF) {
      this.err('heredoc not terminated');
      return;
    }
    if (ch === 0x0d && this.peek() === 0x0a) ch = this.next();
    if (ch !== 0x0a) {
      this.err('invalid characters in heredoc anchor');
      return;
    }
    const identBytes = this.src.slice(offs, this.srcPos.offset - this.lastCharLen);
    if (identBytes.length === 0 || identBytes === '-') {
      this.err('zero-length heredoc anchor');
      return;
    }
    const ident = identBytes.startsWith('-') ? identBytes.slice(1) : identBytes;
    // Go matches each line against `^[[:space:]]*IDENT\r*\z`.
    const isAnchor = (line: string): boolean => {
      const rest = line.replace(/^[\t\n\v\f\r ]*/, '');
      return rest.startsWith(ident) && /^\r*$/.test(rest.slice(ident.length));
    };
    let lineStart = this.srcPos.offset;
    for (;;) {
      ch = this.next();
      if (ch === 0x0a) {
        const lineEnd = this.srcPos.offset - this.lastCharLen;
        if (lineEnd - lineStart >= identBytes.length && isAnchor(this.src.slice(lineStart, lineEnd))) break;
        lineStart = this.srcPos.offset;
      }
      if (ch === EOF) {
        this.err('heredoc not terminated');
        return;
      }
    }
  }

  private scanString(): void {
    let braces = 0;
    for (;;) {
      const ch = this.next();
      if ((ch === 0x0a && braces === 0) || ch === EOF) {
        this.err('literal not terminated');
        return;
      }
      if (ch === c('"') && braces === 0) break;
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

  private scanEscape(): void {
    const ch = this.next();
    if (isSimpleEscape(ch)) return;
    if (ch >= c('0') && ch <= c('7')) this.scanDigits(ch, 8, 3);
    else if (ch === c('x')) this.scanDigits(this.next(), 16, 2);
    else if (ch === c('u')) this.scanDigits(this.next(), 16, 4);
    else if (ch === c('U')) this.scanDigits(this.next(), 16, 8);
    else this.err('illegal char escape');
  }

  private scanDigits(ch: number, base: number, n: number): void {
    const start = n;
    while (n > 0 && digitVal(ch) < base) {
      ch = this.next();
      if (ch === EOF) break;
      n--;
    }
    if (n > 0) this.err('illegal char escape');
    if (n !== start && ch !== EOF) this.unread();
  }

  private scanIdentifier(): string {
    const offs = this.srcPos.offset - this.lastCharLen;
    let ch = this.next();
    while (isLetter(ch) || isDigit(ch) || ch === c('-') || ch === c('.')) ch = this.next();
    if (ch !== EOF) this.unread();
    return this.src.slice(offs, this.srcPos.offset);
  }
}

/** Go's `string(rune)` as a byte string. */
export const runeString = (ch: number): string => encodeRune(ch);
