// The parser of HCL version 1 as Vault runs it (hashicorp/hcl v1.0.1-vault-7, hcl/parser with
// duplicate attributes refused, which is Vault 1.21's default), re-implemented so that the tree and
// the error texts match: `At line:col: …` errors, a scanner error taking precedence over a parse
// error, a missing value at the end of input read as the end of the list, and `The argument "x" at
// l:c was already set. Each argument can only be defined once`.
//
// Why not an npm package: the HCL parsers on npm are HCL2 (cdktf's hcl2json, a WebAssembly build
// archived with cdktf) or small unmaintained HCL1 converters to JSON that keep neither HCL1's
// positions nor its error texts, and none refuses duplicate attributes as Vault now does.

import { GoFailure, goQuote, isGoError } from './go-text.js';
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
import { HclScanner } from './scanner.js';

/** Deeper nesting is refused (Go's stack grows; ours does not). No policy needs more than a handful. */
export const MAX_NESTING = 200;

/** Go's `parser.PosError`: `At line:col: message`. */
export const posError = (pos: Pos, message: string): GoFailure => new GoFailure(`At ${posString(pos)}: ${message}`);

// Go's `errEofToken` (the input ended where an item or a value could start) is `undefined` here:
// no module-level sentinel objects, as Pulumi's closure serializer copies those (providers reach
// this module).

const tokenString = (t: Token): string => `${posString(t.pos)} ${t.type} ${t.text}`;

class Parser {
  private tok: Token = { type: 'ILLEGAL', pos: NO_POS, text: '', json: false };
  private buffered = false;
  private depth = 0;
  private readonly sc: HclScanner;
  scannerError: GoFailure | undefined;

  constructor(src: string) {
    this.sc = new HclScanner(src, (pos, msg) => {
      this.scannerError = posError(pos, msg);
    });
  }

  /** The next token that is not a comment (comments only attach to nodes in Go's tree). */
  private scan(): Token {
    if (this.buffered) {
      this.buffered = false;
      return this.tok;
    }
    do this.tok = this.sc.scan();
    while (this.tok.type === 'COMMENT');
    return this.tok;
  }

  private unscan(): void {
    this.buffered = true;
  }

  /** Items until `}` (inside an object) or the end of input. */
  objectList(obj: boolean): ObjectList {
    const node: ObjectList = { kind: 'list', items: [] };
    const seenKeys = new Set<string>();
    for (;;) {
      if (obj) {
        const tok = this.scan();
        this.unscan();
        if (tok.type === 'RBRACE') break;
      }
      const n = this.objectItem();
      if (n === undefined) break;
      if (n.assign.line > 0) {
        for (const key of n.keys) {
          if (seenKeys.has(key.token.text)) {
            throw new GoFailure(
              `The argument ${goQuote(key.token.text)} at ${posString(key.token.pos)} was already set. Each argument can only be defined once`,
            );
          }
          seenKeys.add(key.token.text);
        }
      }
      node.items.push(n);
      const tok = this.scan();
      if (tok.type !== 'COMMA') this.unscan();
    }
    return node;
  }

  private objectKey(): { keys: ObjectKey[]; eof?: boolean; err?: GoFailure } {
    const keys: ObjectKey[] = [];
    for (;;) {
      const tok = this.scan();
      switch (tok.type) {
        case 'EOF':
          return { keys, eof: true };
        case 'ASSIGN':
          if (keys.length > 1) {
            return { keys: [], err: posError(this.tok.pos, `nested object expected: LBRACE got: ${this.tok.type}`) };
          }
          if (keys.length === 0) return { keys: [], err: posError(this.tok.pos, 'no object keys found!') };
          return { keys };
        case 'LBRACE':
          return keys.length === 0
            ? { keys, err: posError(this.tok.pos, `expected: IDENT | STRING got: ${this.tok.type}`) }
            : { keys };
        case 'IDENT':
        case 'STRING':
          keys.push({ kind: 'key', token: this.tok });
          break;
        case 'ILLEGAL':
          return { keys, err: posError(this.tok.pos, 'illegal character') };
        default:
          return {
            keys,
            err: posError(this.tok.pos, `expected: IDENT | STRING | ASSIGN | LBRACE got: ${this.tok.type}`),
          };
      }
    }
  }

  private objectItem(): ObjectItem | undefined {
    const got = this.objectKey();
    const keys = got.keys;
    let err = got.err;
    let eof = got.eof === true;
    if (keys.length > 0 && eof) eof = false;
    if (keys.length > 0 && err !== undefined && this.tok.type === 'RBRACE') {
      // Keys with no value inside an object: Go resets the token to EOF so that the error below
      // ("expected start of object") is the one reported.
      err = undefined;
      this.tok = { ...this.tok, type: 'EOF' };
    }
    if (eof) return undefined;
    if (err) throw err;
    let assign = NO_POS;
    let val: Node;
    switch (this.tok.type) {
      case 'ASSIGN': {
        assign = this.tok.pos;
        const v = this.object();
        if (v === undefined) return undefined;
        val = v;
        break;
      }
      case 'LBRACE':
        val = this.objectType();
        break;
      default: {
        const keyStr = keys.map((k) => k.token.text).join(' ');
        throw posError(this.tok.pos, `key '${keyStr}' expected start of object ('{') or assignment ('=')`);
      }
    }
    // Go looks one token ahead here for a line comment; the scan can raise scanner errors.
    this.scan();
    this.unscan();
    return { kind: 'item', keys, assign, val };
  }

  private object(): Node | undefined {
    const tok = this.scan();
    switch (tok.type) {
      case 'NUMBER':
      case 'FLOAT':
      case 'BOOL':
      case 'STRING':
      case 'HEREDOC':
        return this.literalType();
      case 'LBRACE':
        return this.objectType();
      case 'LBRACK':
        return this.listType();
      case 'EOF':
        return undefined;
      default:
        throw posError(tok.pos, `Unknown token: ${tokenString(tok)}`);
    }
  }

  private enter(pos: Pos): void {
    if (this.depth >= MAX_NESTING) throw posError(pos, `nesting deeper than ${MAX_NESTING} levels`);
    this.depth++;
  }

  private objectType(): ObjectType {
    const lbrace = this.tok.pos;
    this.enter(lbrace);
    try {
      const list = this.objectList(true);
      const tok = this.scan();
      if (tok.type !== 'RBRACE') throw posError(tok.pos, `object expected closing RBRACE got: ${tok.type}`);
      return { kind: 'object', lbrace, list };
    } finally {
      this.depth--;
    }
  }

  private listType(): ListType {
    this.enter(this.tok.pos);
    try {
      return this.listItems();
    } finally {
      this.depth--;
    }
  }

  private listItems(): ListType {
    const l: ListType = { kind: 'array', lbrack: this.tok.pos, list: [] };
    let needComma = false;
    for (;;) {
      const tok = this.scan();
      if (needComma && tok.type !== 'COMMA' && tok.type !== 'RBRACK') {
        throw posError(tok.pos, `error parsing list, expected comma or list end, got: ${tok.type}`);
      }
      switch (tok.type) {
        case 'BOOL':
        case 'NUMBER':
        case 'FLOAT':
        case 'STRING':
        case 'HEREDOC':
          l.list.push(this.literalType());
          needComma = true;
          break;
        case 'COMMA':
          this.scan();
          this.unscan();
          needComma = false;
          break;
        case 'LBRACE':
          l.list.push(this.nested(tok, 'object', () => this.objectType()));
          needComma = true;
          break;
        case 'LBRACK':
          l.list.push(this.nested(tok, 'list', () => this.listType()));
          break;
        case 'RBRACK':
          return l;
        default:
          throw posError(tok.pos, `unexpected token while parsing list: ${tok.type}`);
      }
    }
  }

  private nested(tok: Token, what: string, parse: () => Node): Node {
    try {
      return parse();
    } catch (e) {
      if (!isGoError(e)) throw e;
      throw posError(tok.pos, `error while trying to parse ${what} within list: ${e.message}`);
    }
  }

  private literalType(): LiteralType {
    return { kind: 'literal', token: this.tok };
  }
}

/** Parse HCL (a byte string) into its top-level object list; throws GoFailure with Go's message. */
export function parseHcl(src: string): ObjectList {
  const p = new Parser(src.replaceAll('\r\n', '\n'));
  let list: ObjectList;
  try {
    list = p.objectList(false);
  } catch (e) {
    if (isGoError(e) && p.scannerError) throw p.scannerError;
    throw e;
  }
  if (p.scannerError) throw p.scannerError;
  return list;
}
