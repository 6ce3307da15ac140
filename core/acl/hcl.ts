// A parser for the part of HCL (version 1, as Vault's policy parser reads it) that policy documents
// use: `key = value` assignments and `key "label" … { body }` blocks, string, number and boolean
// literals, lists, objects, and `#`, `//` and `/* */` comments. Hand-written on purpose: the npm
// options are HCL2-only WebAssembly builds (cdktf's hcl2json, archived with cdktf) or unmaintained
// HCL1 ports, and this grammar is a few dozen lines. Every failure is a RequestError with a line.

import { RequestError } from '../errors.js';

/** A parsed value. */
export type HclValue = string | number | boolean | HclValue[] | HclObject;

/** One entry of a body: `key = value` (labels empty) or a block `key "l1" "l2" { … }`. */
export interface HclItem {
  readonly key: string;
  readonly labels: readonly string[];
  readonly value: HclValue;
  readonly line: number;
}

/** A body: its items in order (keys may repeat). */
export interface HclObject {
  readonly items: readonly HclItem[];
}

type Token =
  | { kind: 'string' | 'ident' | 'number'; text: string; line: number }
  | { kind: 'punct'; text: '=' | '{' | '}' | '[' | ']' | ','; line: number }
  | { kind: 'eof'; text: ''; line: number };

const fail = (line: number, message: string): never => {
  throw new RequestError(`At ${line}: ${message}`);
};

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  let line = 1;
  while (i < src.length) {
    const c = src[i]!;
    if (c === '\n') {
      line++;
      i++;
    } else if (c === ' ' || c === '\t' || c === '\r') {
      i++;
    } else if (c === '#' || (c === '/' && src[i + 1] === '/')) {
      while (i < src.length && src[i] !== '\n') i++;
    } else if (c === '/' && src[i + 1] === '*') {
      const end = src.indexOf('*/', i + 2);
      if (end < 0) fail(line, 'comment not terminated');
      for (let k = i; k < end; k++) if (src[k] === '\n') line++;
      i = end + 2;
    } else if (c === '"') {
      let text = '';
      i++;
      for (;;) {
        const d = src[i];
        if (d === undefined || d === '\n') fail(line, 'literal not terminated');
        if (d === '"') break;
        if (d === '\\') {
          const e = src[i + 1];
          const map: Record<string, string> = { n: '\n', t: '\t', r: '\r', '"': '"', '\\': '\\' };
          if (e === undefined || map[e] === undefined) fail(line, `unknown escape sequence \\${e ?? ''}`);
          text += map[e!];
          i += 2;
        } else {
          text += d;
          i++;
        }
      }
      i++;
      out.push({ kind: 'string', text, line });
    } else if ('={}[],'.includes(c)) {
      out.push({ kind: 'punct', text: c as '=', line });
      i++;
    } else if (/[0-9-]/.test(c)) {
      const m = /^-?[0-9]+(\.[0-9]+)?/.exec(src.slice(i));
      if (!m) fail(line, `illegal char ${JSON.stringify(c)}`);
      out.push({ kind: 'number', text: m![0], line });
      i += m![0].length;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z0-9_.-]+/.exec(src.slice(i))!;
      out.push({ kind: 'ident', text: m[0], line });
      i += m[0].length;
    } else {
      fail(line, `illegal char ${JSON.stringify(c)}`);
    }
  }
  out.push({ kind: 'eof', text: '', line });
  return out;
}

class Parser {
  private pos = 0;
  constructor(private readonly tokens: Token[]) {}

  private peek(): Token {
    return this.tokens[this.pos]!;
  }

  private next(): Token {
    return this.tokens[this.pos++]!;
  }

  private expect(text: string): Token {
    const t = this.next();
    if (t.text !== text || (t.kind !== 'punct' && t.kind !== 'eof')) {
      fail(
        t.line,
        `expected ${JSON.stringify(text)}, got ${t.kind === 'eof' ? 'end of input' : JSON.stringify(t.text)}`,
      );
    }
    return t;
  }

  /** Items until `}` (nested) or the end of input (top level). */
  body(nested: boolean): HclObject {
    const items: HclItem[] = [];
    for (;;) {
      const t = this.peek();
      if (nested && t.kind === 'punct' && t.text === '}') break;
      if (t.kind === 'eof') {
        if (nested) fail(t.line, 'expected "}", got end of input');
        break;
      }
      items.push(this.item());
      if (this.peek().kind === 'punct' && this.peek().text === ',') this.next();
    }
    return { items };
  }

  private item(): HclItem {
    const keyToken = this.next();
    if (keyToken.kind !== 'ident' && keyToken.kind !== 'string') {
      fail(
        keyToken.line,
        `expected a key, got ${keyToken.kind === 'eof' ? 'end of input' : JSON.stringify(keyToken.text)}`,
      );
    }
    const labels: string[] = [];
    while (this.peek().kind === 'string' || this.peek().kind === 'ident') labels.push(this.next().text);
    const t = this.peek();
    if (t.kind === 'punct' && t.text === '=') {
      this.next();
      return { key: keyToken.text, labels, value: this.value(), line: keyToken.line };
    }
    if (t.kind === 'punct' && t.text === '{') {
      return { key: keyToken.text, labels, value: this.object(), line: keyToken.line };
    }
    return fail(t.line, `expected "=" or "{" after ${JSON.stringify(keyToken.text)}`);
  }

  private object(): HclObject {
    this.expect('{');
    const body = this.body(true);
    this.expect('}');
    return body;
  }

  private value(): HclValue {
    const t = this.peek();
    if (t.kind === 'string') return this.next().text;
    if (t.kind === 'number') return Number(this.next().text);
    if (t.kind === 'ident' && (t.text === 'true' || t.text === 'false')) return this.next().text === 'true';
    if (t.kind === 'punct' && t.text === '{') return this.object();
    if (t.kind === 'punct' && t.text === '[') {
      this.next();
      const list: HclValue[] = [];
      while (!(this.peek().kind === 'punct' && this.peek().text === ']')) {
        list.push(this.value());
        const sep = this.peek();
        if (sep.kind === 'punct' && sep.text === ',') this.next();
        else if (!(sep.kind === 'punct' && sep.text === ']')) fail(sep.line, 'expected "," or "]" in a list');
      }
      this.next();
      return list;
    }
    return fail(t.line, `unexpected ${t.kind === 'eof' ? 'end of input' : JSON.stringify(t.text)}`);
  }
}

/** Parse an HCL document into its top-level items. */
export function parseHcl(src: string): HclObject {
  return new Parser(tokenize(src)).body(false);
}
