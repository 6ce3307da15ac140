// HCL v1's decoder (`hcl.DecodeObject`) for the Go types Vault decodes a policy into, described as
// data instead of reflected: strings, ints, `interface{}`, slices, maps, pointers and structs whose
// fields are matched case-insensitively by name or `hcl` tag. What it yields and the errors it
// raises (`At 2:18: root.Capabilities[0]: unknown type for string *ast.ListType`, `unknown slice
// type: *ast.LiteralType`, …) follow the Go code path by path. Works on byte strings.

import {
  GoFailure,
  GoPanic,
  equalFold,
  fromByteString,
  goParseFloat,
  goParseInt,
  goUnquote,
  hclUnquote,
  isGoError,
} from './go-text.js';
import { nodePos, typeName, type Node, type ObjectItem, type ObjectList, type Token } from './ast.js';
import { posError } from './parser.js';

/** A Go type to decode into. */
export type GoType =
  | { readonly kind: 'string' }
  | { readonly kind: 'int' }
  | { readonly kind: 'float' }
  | { readonly kind: 'bool' }
  | { readonly kind: 'interface' }
  | { readonly kind: 'slice'; readonly elem: GoType }
  | { readonly kind: 'map'; readonly elem: GoType }
  | { readonly kind: 'ptr'; readonly elem: GoType }
  | { readonly kind: 'struct'; readonly fields: readonly GoField[] };

/** A settable struct field: matched by `tag` when given, else by `name` (both case-insensitively). */
export interface GoField {
  readonly name: string;
  readonly tag?: string;
  readonly type: GoType;
}

/** The dynamic type an `interface{}` ends up holding. */
export type DynamicType =
  'string' | 'int' | 'float64' | 'bool' | '[]interface {}' | '[]map[string]interface {}' | 'map[string]interface {}';

/** An `interface{}` value. */
export interface Dynamic {
  readonly type: DynamicType;
  readonly value: GoValue;
}

/** A decoded value: byte string, int, float, bool, slice, map, struct (record) or interface; undefined is Go's nil/zero. */
export type GoValue =
  | string
  | bigint
  | number
  | boolean
  | GoValue[]
  | Map<string, GoValue>
  | { readonly [field: string]: GoValue }
  | Dynamic
  | undefined;

export const STRING: GoType = { kind: 'string' };
export const INT: GoType = { kind: 'int' };
export const INTERFACE: GoType = { kind: 'interface' };
export const sliceOf = (elem: GoType): GoType => ({ kind: 'slice', elem });
export const mapOf = (elem: GoType): GoType => ({ kind: 'map', elem });
export const ptrTo = (elem: GoType): GoType => ({ kind: 'ptr', elem });
export const struct = (...fields: GoField[]): GoType => ({ kind: 'struct', fields });

/** Go's `Token.Value()` for keys and strings: panics (GoPanic) where Go's does. */
export function tokenValue(t: Token): string | bigint | number | boolean {
  switch (t.type) {
    case 'BOOL':
      if (t.text === 'true') return true;
      if (t.text === 'false') return false;
      throw new GoPanic(`unknown bool value: ${t.text}`);
    case 'FLOAT':
      try {
        return goParseFloat(t.text);
      } catch (e) {
        throw new GoPanic((e as Error).message);
      }
    case 'NUMBER':
      try {
        return goParseInt(t.text, 0);
      } catch (e) {
        throw new GoPanic((e as Error).message);
      }
    case 'IDENT':
      return t.text;
    case 'HEREDOC':
      return unindentHeredoc(t.text);
    case 'STRING':
      if (t.text === '') return '';
      try {
        return t.json ? goUnquote(t.text) : hclUnquote(t.text);
      } catch (e) {
        if (!isGoError(e)) throw e;
        throw new GoPanic(`unquote ${t.text} err: ${e.message}`);
      }
    default:
      throw new GoPanic(`unimplemented Value for type: ${t.type}`);
  }
}

/** A key token's value as a string (Go's `Value().(string)`). */
export function keyValue(t: Token): string {
  const v = tokenValue(t);
  if (typeof v !== 'string') {
    throw new GoPanic(
      `interface conversion: interface {} is ${typeof v === 'bigint' ? 'int64' : typeof v}, not string`,
    );
  }
  return v;
}

/** Go's `s[a:b]` on a byte string, with Go's panic when out of range. */
function goSlice(s: string, a: number, b: number): string {
  if (b > s.length) throw new GoPanic(`runtime error: slice bounds out of range [:${b}] with length ${s.length}`);
  if (a > b) throw new GoPanic(`runtime error: slice bounds out of range [${a}:${b}]`);
  return s.slice(a, b);
}

/** HCL's `unindentHeredoc`, including its arithmetic on the anchor line. */
function unindentHeredoc(heredoc: string): string {
  const idx = heredoc.indexOf('\n');
  if (idx === -1) throw new GoPanic("heredoc doesn't contain newline");
  if (heredoc[2] !== '-') return goSlice(heredoc, idx + 1, heredoc.length - idx + 1);
  const lines = goSlice(heredoc, idx + 1, heredoc.length - idx + 2).split('\n');
  const prefix = lines[lines.length - 1]!;
  if (!lines.every((l) => l.startsWith(prefix))) {
    return goSlice(heredoc, idx + 1, heredoc.length - idx + 1).replace(/[ \t]+$/, '');
  }
  return lines.map((l, k) => (k === lines.length - 1 ? '' : l.slice(prefix.length))).join('\n');
}

/** Go's `ObjectList.Filter(key)`: items whose first key matches (case-insensitively), that key removed. */
export function filter(list: ObjectList, key: string): ObjectList {
  const items: ObjectItem[] = [];
  for (const item of list.items) {
    if (item.keys.length < 1) continue;
    const k = keyValue(item.keys[0]!.token);
    if (k !== key && !equalFold(fromByteString(k), key)) continue;
    items.push({ ...item, keys: item.keys.slice(1) });
  }
  return { kind: 'list', items };
}

const children = (l: ObjectList): ObjectList => ({ kind: 'list', items: l.items.filter((i) => i.keys.length > 0) });
const elems = (l: ObjectList): ObjectList => ({ kind: 'list', items: l.items.filter((i) => i.keys.length === 0) });

const DYNAMIC_TYPES: Readonly<Record<DynamicType, GoType>> = {
  string: STRING,
  int: INT,
  float64: { kind: 'float' },
  bool: { kind: 'bool' },
  '[]interface {}': sliceOf(INTERFACE),
  '[]map[string]interface {}': sliceOf(mapOf(INTERFACE)),
  'map[string]interface {}': mapOf(INTERFACE),
};

const isDynamic = (v: GoValue): v is Dynamic =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Map) && 'type' in v && 'value' in v;

class Decoder {
  /** Kinds being decoded into, innermost last (Go's `d.stack`; interfaces are not pushed). */
  private readonly stack: GoType['kind'][] = [];

  decode(name: string, node: Node, t: GoType, cur: GoValue): GoValue {
    if (t.kind === 'interface' && cur !== undefined && isDynamic(cur)) {
      const dynT = DYNAMIC_TYPES[cur.type];
      return { type: cur.type, value: this.decodeAs(name, node, dynT, cur.value) };
    }
    return this.decodeAs(name, node, t, cur);
  }

  private decodeAs(name: string, node: Node, t: GoType, cur: GoValue): GoValue {
    if (t.kind !== 'interface') this.stack.push(t.kind);
    try {
      switch (t.kind) {
        case 'bool':
          return this.decodeBool(name, node);
        case 'float':
          return this.decodeFloat(name, node);
        case 'int':
          return this.decodeInt(name, node);
        case 'interface':
          return this.decodeInterface(name, node);
        case 'map':
          return this.decodeMap(name, node, t.elem, cur as Map<string, GoValue> | undefined);
        case 'ptr':
          return this.decode(name, node, t.elem, cur);
        case 'slice':
          return this.decodeSlice(name, node, t.elem, cur as GoValue[] | undefined);
        case 'string':
          return this.decodeString(name, node);
        case 'struct':
          return this.decodeStruct(name, node, t.fields, cur);
      }
    } finally {
      if (t.kind !== 'interface') this.stack.pop();
    }
  }

  private decodeBool(name: string, node: Node): boolean {
    if (node.kind === 'literal' && node.token.type === 'BOOL') return node.token.text === 'true';
    throw posError(nodePos(node), `${name}: unknown type ${typeName(node)}`);
  }

  private decodeFloat(name: string, node: Node): number {
    if (node.kind === 'literal' && (node.token.type === 'FLOAT' || node.token.type === 'NUMBER')) {
      return goParseFloat(node.token.text);
    }
    throw posError(nodePos(node), `${name}: unknown type ${typeName(node)}`);
  }

  private decodeInt(name: string, node: Node): bigint {
    if (node.kind === 'literal' && node.token.type === 'NUMBER') return goParseInt(node.token.text, 0);
    if (node.kind === 'literal' && node.token.type === 'STRING') return goParseInt(String(tokenValue(node.token)), 0);
    throw posError(nodePos(node), `${name}: unknown type ${typeName(node)}`);
  }

  private decodeString(name: string, node: Node): string {
    if (node.kind === 'literal') {
      if (node.token.type === 'NUMBER') return node.token.text;
      if (node.token.type === 'STRING' || node.token.type === 'HEREDOC') return String(tokenValue(node.token));
    }
    throw posError(nodePos(node), `${name}: unknown type for string ${typeName(node)}`);
  }

  private decodeInterface(name: string, node: Node): GoValue {
    const test = node.kind === 'object' ? node.list : node;
    let set: Dynamic;
    switch (test.kind) {
      case 'list': {
        const top = this.stack[this.stack.length - 1];
        set =
          top === undefined || top === 'slice'
            ? { type: 'map[string]interface {}', value: new Map() }
            : { type: '[]map[string]interface {}', value: [] };
        break;
      }
      case 'array':
        set = { type: '[]interface {}', value: [] };
        break;
      case 'literal':
        switch (test.token.type) {
          case 'BOOL':
            set = { type: 'bool', value: false };
            break;
          case 'FLOAT':
            set = { type: 'float64', value: 0 };
            break;
          case 'NUMBER':
            set = { type: 'int', value: 0n };
            break;
          case 'STRING':
          case 'HEREDOC':
            set = { type: 'string', value: '' };
            break;
          default:
            throw posError(nodePos(node), `${name}: cannot decode into interface: ${typeName(node)}`);
        }
        break;
      default:
        throw new GoFailure(`${name}: cannot decode into interface: ${typeName(node)}`);
    }
    return this.decode(name, node, INTERFACE, set);
  }

  private decodeMap(
    name: string,
    node: Node,
    elem: GoType,
    cur: Map<string, GoValue> | undefined,
  ): Map<string, GoValue> {
    if (node.kind === 'item') node = { kind: 'list', items: [node] };
    if (node.kind === 'object') node = node.list;
    if (node.kind !== 'list') {
      throw posError(nodePos(node), `${name}: not an object type for map (${typeName(node)})`);
    }
    const list = node;
    const result = cur ?? new Map<string, GoValue>();
    const done = new Set<string>();
    for (const item of list.items) {
      if (item.keys.length === 0) throw posError(nodePos(list), `${name}: map must have string keys`);
      const key = keyValue(item.keys[0]!.token);
      if (done.has(key)) continue;
      let itemVal: Node = item.val;
      if (item.keys.length > 1) {
        itemVal = filter(list, key);
        done.add(key);
      }
      result.set(key, this.decode(`${name}.${key}`, itemVal, elem, result.get(key)));
    }
    return result;
  }

  private decodeSlice(name: string, node: Node, elem: GoType, cur: GoValue[] | undefined): GoValue[] {
    let items: readonly Node[];
    switch (node.kind) {
      case 'list':
        items = node.items;
        break;
      case 'object':
        items = [node];
        break;
      case 'array':
        items = node.list;
        break;
      default:
        throw posError(nodePos(node), `unknown slice type: ${typeName(node)}`);
    }
    // (Go's expandObject only matters for slices of structs, which no policy type has.)
    const result = [...(cur ?? [])];
    items.forEach((item, i) => result.push(this.decode(`${name}[${i}]`, item, elem, undefined)));
    return result;
  }

  private decodeStruct(name: string, node: Node, fields: readonly GoField[], cur: GoValue): GoValue {
    let item: ObjectItem | undefined;
    if (node.kind === 'item') {
      item = node;
      node = node.val;
    }
    if (node.kind === 'object') node = node.list;
    if (node.kind === 'literal' && item) node = { kind: 'list', items: [item] };
    if (node.kind !== 'list') {
      throw posError(nodePos(node), `${name}: not an object type for struct (${typeName(node)})`);
    }
    const result: Record<string, GoValue> = { ...((cur as Record<string, GoValue> | undefined) ?? {}) };
    for (const field of fields) {
      const fieldName = field.tag ?? field.name;
      const matched = filter(node, fieldName);
      const prefixMatches = children(matched);
      const matches = elems(matched);
      if (matches.items.length === 0 && prefixMatches.items.length === 0) continue;
      const full = `${name}.${fieldName}`;
      if (prefixMatches.items.length > 0) {
        result[field.name] = this.decode(full, prefixMatches, field.type, result[field.name]);
      }
      for (const match of matches.items) {
        const decodeNode: Node =
          match.val.kind === 'object' ? { kind: 'list', items: match.val.list.items } : match.val;
        result[field.name] = this.decode(full, decodeNode, field.type, result[field.name]);
      }
    }
    return result;
  }
}

/** Go's `hcl.DecodeObject(&out, node)` for a struct type; throws GoFailure/GoPanic with Go's messages. */
export function decodeObject(node: Node, t: GoType): Record<string, GoValue> {
  return new Decoder().decode('root', node, t, undefined) as Record<string, GoValue>;
}
