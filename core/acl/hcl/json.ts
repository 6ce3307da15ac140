// The JSON side of HCL version 1 (hashicorp/hcl v1, json/scanner, json/parser and its flattening),
// which Vault uses for a policy whose first non-space character is `{`. Re-implemented with its
// leniency intact, because that is what Vault accepts: a missing value or brace at the end, an
// error swallowed when `}` follows it, `true` and nested `[` skipped inside lists, no positions on
// keys and values (errors say `At -:`), and `{"path": {"a": {…}}}` flattened to `path "a" {…}`.

import {
  NO_POS,
  posString,
  type ListType,
  type LiteralType,
  type Node,
  type ObjectItem,
  type ObjectKey,
  type ObjectList,
  type ObjectType,
  type Pos,
  type Token,
} from './ast.js';
import { BaseScanner, EOF, c, digitVal, isDecimal, isLetter, runeString } from './base-scanner.js';
import { GoFailure, isGoError } from './go-text.js';
import { MAX_NESTING } from './parser.js';

type JsonType =
  | 'ILLEGAL'
  | 'EOF'
  | 'NUMBER'
  | 'FLOAT'
  | 'BOOL'
  | 'STRING'
  | 'NULL'
  | 'LBRACK'
  | 'LBRACE'
  | 'COMMA'
  | 'PERIOD'
  | 'COLON'
  | 'RBRACK'
  | 'RBRACE';

interface JsonToken {
  readonly type: JsonType;
  readonly pos: Pos;
  readonly text: string;
}

class JsonScanner extends BaseScanner {
  // Spelled out for Pulumi's closure serializer (see HclScanner).
  constructor(src: string, onError: (pos: Pos, msg: string) => void) {
    super(src, onError, 'json');
  }

  scan(): JsonToken {
    const { ch, start, pos } = this.startToken();
    let type: JsonType = 'ILLEGAL';
    if (isLetter(ch)) {
      const lit = this.scanIdentifier();
      if (lit === 'true' || lit === 'false') type = 'BOOL';
      else if (lit === 'null') type = 'NULL';
      else this.err('illegal char');
    } else if (isDecimal(ch)) {
      type = this.scanNumber(ch);
    } else {
      type = this.scanCommon(ch) ?? this.scanOther(ch);
    }
    return { type, pos, text: this.src.slice(start, this.srcPos.offset) };
  }

  /** The rest of Go's `Scan` switch, for a first rune that `scanCommon` left. */
  private scanOther(ch: number): JsonType {
    switch (ch) {
      case c(':'):
        return 'COLON';
      case c('-'):
        if (isDecimal(this.peek())) return this.scanNumber(this.next());
        this.err('illegal char');
        return 'ILLEGAL';
      default:
        this.err(`illegal char: ${runeString(ch)}`);
        return 'ILLEGAL';
    }
  }

  private scanNumber(ch: number): JsonType {
    const zero = ch === c('0');
    const start = { ...this.srcPos };
    if (this.scanDecimalNumber(ch) === 'FLOAT') return 'FLOAT';
    const moved =
      start.offset !== this.srcPos.offset || start.line !== this.srcPos.line || start.column !== this.srcPos.column;
    if (zero && moved) this.err('numbers cannot start with 0');
    return 'NUMBER';
  }

  /** Unlike HCL's, this always steps back one rune, which panics at the end of input (as in Go). */
  protected scanDigits(ch: number, base: number, n: number): void {
    while (n > 0 && digitVal(ch) < base) {
      ch = this.next();
      n--;
    }
    if (n > 0) this.err('illegal char escape');
    this.unread();
  }
}

// Go's `errEofToken` is `undefined` here (no module-level sentinel: see parser.ts).

/** JSON tokens become HCL tokens without a position (Go's `HCLToken`); `null` is an empty string. */
function hclToken(t: JsonToken): Token {
  switch (t.type) {
    case 'NULL':
      return { type: 'STRING', pos: NO_POS, text: '', json: false };
    case 'STRING':
      return { type: 'STRING', pos: NO_POS, text: t.text, json: true };
    case 'BOOL':
    case 'FLOAT':
    case 'NUMBER':
      return { type: t.type, pos: NO_POS, text: t.text, json: false };
    default:
      throw new GoFailure(`unimplemented HCLToken for type: ${t.type}`);
  }
}

const tokenString = (t: JsonToken): string => `${posString(t.pos)} ${t.type} ${t.text}`;

class JsonParser {
  private tok: JsonToken = { type: 'ILLEGAL', pos: NO_POS, text: '' };
  private depth = 0;
  private readonly sc: JsonScanner;
  scannerError: GoFailure | undefined;

  constructor(src: string) {
    this.sc = new JsonScanner(src, (pos, msg) => {
      this.scannerError = new GoFailure(`${posString(pos)}: ${msg}`);
    });
  }

  private scan(): JsonToken {
    this.tok = this.sc.scan();
    return this.tok;
  }

  object(): ObjectType | undefined {
    const tok = this.scan();
    if (tok.type === 'LBRACE') return this.objectType();
    if (tok.type === 'EOF') return undefined;
    throw new GoFailure(`Expected object, got unknown token: ${tokenString(tok)}`);
  }

  private objectList(): { list: ObjectList; err?: GoFailure } {
    const list: ObjectList = { kind: 'list', items: [] };
    for (;;) {
      let n: ObjectItem | undefined;
      try {
        n = this.objectItem();
      } catch (e) {
        if (isGoError(e)) return { list, err: e };
        throw e;
      }
      if (n === undefined) break;
      list.items.push(n);
      if (this.scan().type !== 'COMMA') break;
    }
    return { list };
  }

  private objectItem(): ObjectItem | undefined {
    const keys = this.objectKey();
    if (keys === undefined) return undefined;
    const assign = this.tok.pos;
    const val = this.objectValue();
    if (val === undefined) return undefined;
    return { kind: 'item', keys, assign, val };
  }

  private objectKey(): ObjectKey[] | undefined {
    const keys: ObjectKey[] = [];
    for (;;) {
      const tok = this.scan();
      switch (tok.type) {
        case 'EOF':
          return undefined;
        case 'STRING':
          keys.push({ kind: 'key', token: hclToken(tok) });
          break;
        case 'COLON':
          if (keys.length === 0) throw new GoFailure(`expected: STRING got: ${tok.type}`);
          return keys;
        case 'ILLEGAL':
          throw new GoFailure('illegal');
        default:
          throw new GoFailure(`expected: STRING got: ${tok.type}`);
      }
    }
  }

  private objectValue(): Node | undefined {
    const tok = this.scan();
    switch (tok.type) {
      case 'NUMBER':
      case 'FLOAT':
      case 'BOOL':
      case 'NULL':
      case 'STRING':
        return this.literalType();
      case 'LBRACE':
        return this.objectType();
      case 'LBRACK':
        return this.listType();
      case 'EOF':
        return undefined;
      default:
        throw new GoFailure(`Expected object value, got unknown token: ${tokenString(tok)}`);
    }
  }

  private enter(): void {
    if (this.depth >= MAX_NESTING) throw new GoFailure(`nesting deeper than ${MAX_NESTING} levels`);
    this.depth++;
  }

  private objectType(): ObjectType {
    this.enter();
    try {
      const { list, err } = this.objectList();
      // An error right before `}` is dropped, and what was read so far is kept (as in Go).
      if (err && this.tok.type !== 'RBRACE') throw err;
      return { kind: 'object', lbrace: NO_POS, list };
    } finally {
      this.depth--;
    }
  }

  private listType(): ListType {
    this.enter();
    try {
      return this.listItems();
    } finally {
      this.depth--;
    }
  }

  private listItems(): ListType {
    const l: ListType = { kind: 'array', lbrack: NO_POS, list: [] };
    for (;;) {
      const tok = this.scan();
      switch (tok.type) {
        case 'NUMBER':
        case 'FLOAT':
        case 'STRING':
          l.list.push(this.literalType());
          break;
        case 'COMMA':
        case 'BOOL':
        case 'LBRACK':
          break;
        case 'LBRACE':
          l.list.push(this.objectType());
          break;
        case 'RBRACK':
          return l;
        default:
          throw new GoFailure(`unexpected token while parsing list: ${tok.type}`);
      }
    }
  }

  private literalType(): LiteralType {
    return { kind: 'literal', token: hclToken(this.tok) };
  }
}

/** Go's `flattenObjects`: an item whose value is an object of objects (or a list of objects) becomes one item per inner object, its keys joined. */
function flattenObjects(node: Node): void {
  switch (node.kind) {
    case 'list': {
      const items: ObjectItem[] = [];
      const frontier = [...node.items];
      while (frontier.length > 0) {
        const item = frontier.pop()!;
        const v = item.val;
        if (v.kind === 'object') {
          if (v.list.items.length === 0 || v.list.items.some((sub) => sub.val.kind !== 'object')) {
            items.push(item);
          } else {
            for (const sub of v.list.items) {
              frontier.push({ kind: 'item', keys: [...item.keys, ...sub.keys], assign: item.assign, val: sub.val });
            }
          }
        } else if (v.kind === 'array') {
          if (v.list.length === 0 || v.list.some((e) => e.kind !== 'object')) {
            items.push(item);
          } else {
            for (const elem of v.list) frontier.push({ kind: 'item', keys: item.keys, assign: item.assign, val: elem });
          }
        } else {
          items.push(item);
        }
      }
      node.items = items.reverse();
      for (const item of node.items) flattenObjects(item);
      return;
    }
    case 'item':
      flattenObjects(node.val);
      return;
    case 'object':
      flattenObjects(node.list);
      return;
    case 'array':
      node.list.forEach(flattenObjects);
      return;
    default:
      return;
  }
}

/** Parse a JSON policy (a byte string) as HCL v1 does; throws GoFailure with Go's message. */
export function parseHclJson(src: string): ObjectList {
  const p = new JsonParser(src);
  let object: ObjectType | undefined;
  try {
    object = p.object();
  } catch (e) {
    if (isGoError(e) && p.scannerError) throw p.scannerError;
    throw e;
  }
  if (p.scannerError) throw p.scannerError;
  if (object === undefined) throw new GoFailure('EOF token found');
  flattenObjects(object.list);
  return object.list;
}
