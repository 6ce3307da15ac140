// The tokenizer of HCL version 1 as Vault runs it (hashicorp/hcl v1.0.1-vault-7, hcl/scanner),
// re-implemented so that tokens, positions and error texts match: columns count runes, a scanner
// error does not stop scanning (the parser reports the last one), and the quirks stay (`0x` needs
// digits, `08` is caught only from its third digit, a NUL byte ends the input). Works on byte strings.

import type { Pos, Token, TokenType } from './ast.js';
import { BaseScanner, EOF, c, digitVal, isDecimal, isDigit, isHexadecimal, isLetter } from './base-scanner.js';

/** HCL's scanner. */
export class HclScanner extends BaseScanner {
  // Spelled out: Pulumi's closure serializer (providers reach this module) drops the arguments of an
  // implicit derived constructor.
  constructor(src: string, onError: (pos: Pos, msg: string) => void) {
    super(src, onError, 'hcl');
  }

  scan(): Token {
    const { ch, start, pos } = this.startToken();
    let type: TokenType = 'ILLEGAL';
    if (isLetter(ch)) {
      type = 'IDENT';
      const lit = this.scanIdentifier();
      if (lit === 'true' || lit === 'false') type = 'BOOL';
    } else if (isDecimal(ch)) {
      type = this.scanNumber(ch);
    } else {
      type = this.scanCommon(ch) ?? this.scanOther(ch);
    }
    const text = this.src.slice(start, this.srcPos.offset);
    return { type, pos, text, json: false };
  }

  /** The rest of Go's `Scan` switch, for a first rune that `scanCommon` left. */
  private scanOther(ch: number): TokenType {
    switch (ch) {
      case c('#'):
      case c('/'):
        this.scanComment(ch);
        return 'COMMENT';
      case c('<'):
        this.scanHeredoc();
        return 'HEREDOC';
      case c('='):
        return 'ASSIGN';
      case c('+'):
        return 'ADD';
      case c('-'):
        return isDecimal(this.peek()) ? this.scanNumber(this.next()) : 'SUB';
      default:
        this.err('illegal char');
        return 'ILLEGAL';
    }
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
      if (this.scanFloatTail(ch)) return 'FLOAT';
      if (illegalOctal) this.err('illegal octal number');
      if (ch !== EOF) this.unread();
      return 'NUMBER';
    }
    return this.scanDecimalNumber(ch);
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

  protected scanDigits(ch: number, base: number, n: number): void {
    const start = n;
    while (n > 0 && digitVal(ch) < base) {
      ch = this.next();
      if (ch === EOF) break;
      n--;
    }
    if (n > 0) this.err('illegal char escape');
    if (n !== start && ch !== EOF) this.unread();
  }
}
