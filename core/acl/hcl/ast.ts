// The syntax tree of HCL version 1 (hashicorp/hcl v1, the Vault fork), shared by the HCL and JSON
// parsers and the decoder: object lists of items with keys, literals, lists and objects, with Go's
// positions (`line:column`, or `-` when unknown) and Go's `%T` names for error messages. All text
// here is byte strings (see go-text.ts).

/** A source position; line 0 means unknown (JSON keys and values carry none, as in Go). */
export interface Pos {
  readonly offset: number;
  readonly line: number;
  readonly column: number;
}

export const NO_POS: Pos = { offset: 0, line: 0, column: 0 };

/** Go's `token.Pos.String()`: `line:column`, or `-` when unknown. */
export const posString = (p: Pos): string => (p.line > 0 ? `${p.line}:${p.column}` : '-');

export type TokenType =
  | 'ILLEGAL'
  | 'EOF'
  | 'COMMENT'
  | 'IDENT'
  | 'NUMBER'
  | 'FLOAT'
  | 'BOOL'
  | 'STRING'
  | 'HEREDOC'
  | 'LBRACK'
  | 'LBRACE'
  | 'COMMA'
  | 'PERIOD'
  | 'RBRACK'
  | 'RBRACE'
  | 'ASSIGN'
  | 'ADD'
  | 'SUB';

/** A token; `json` marks strings from the JSON parser (unquoted with Go's rules, not HCL's). */
export interface Token {
  readonly type: TokenType;
  readonly pos: Pos;
  readonly text: string;
  readonly json: boolean;
}

export interface ObjectKey {
  readonly kind: 'key';
  readonly token: Token;
}

export interface ObjectItem {
  readonly kind: 'item';
  keys: ObjectKey[];
  /** Position of `=` (or `:` in JSON); unknown for blocks. */
  readonly assign: Pos;
  val: Node;
}

export interface ObjectList {
  readonly kind: 'list';
  items: ObjectItem[];
}

export interface ObjectType {
  readonly kind: 'object';
  readonly lbrace: Pos;
  list: ObjectList;
}

export interface ListType {
  readonly kind: 'array';
  readonly lbrack: Pos;
  readonly list: Node[];
}

export interface LiteralType {
  readonly kind: 'literal';
  readonly token: Token;
}

export type Node = ObjectKey | ObjectItem | ObjectList | ObjectType | ListType | LiteralType;

/** Go's `%T` of a node. */
export const typeName = (n: Node): string =>
  ({
    key: '*ast.ObjectKey',
    item: '*ast.ObjectItem',
    list: '*ast.ObjectList',
    object: '*ast.ObjectType',
    array: '*ast.ListType',
    literal: '*ast.LiteralType',
  })[n.kind];

/** Go's `Node.Pos()`. */
export function nodePos(n: Node): Pos {
  switch (n.kind) {
    case 'key':
    case 'literal':
      return n.token.pos;
    case 'item':
      return n.keys[0]?.token.pos ?? NO_POS;
    case 'list':
      return n.items[0] ? nodePos(n.items[0]) : NO_POS;
    case 'object':
      return n.lbrace;
    case 'array':
      return n.lbrack;
  }
}
