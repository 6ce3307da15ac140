// Ansible inventories for `sshca drift` (issue 20, point 3), pure: the YAML format (as
// ansible/inventories/example/hosts.yml) and the INI format, with group and host variables merged as
// Ansible does (all < parent groups < child groups < the host; files in group_vars/ and host_vars/
// beside the inventory over the inventory's own). The YAML reader covers what inventories use (block
// mappings and sequences, plain and quoted scalars, `[a, b]`, comments); anchors and multi-line
// strings are refused with the line. It exists because the `yaml` package is a dev dependency only.

/** A YAML value as inventories use them. */
export type InventoryValue = string | number | boolean | null | InventoryValue[] | { [key: string]: InventoryValue };

/** One host of an inventory with its merged variables. */
export interface InventoryHost {
  /** The inventory name. */
  readonly name: string;
  /** `ansible_host`, else the name. */
  readonly address: string;
  /** `ansible_port`, else 22. */
  readonly port: number;
  /** `ansible_user`; undefined when the inventory sets none. */
  readonly user?: string;
  /** The groups it belongs to, directly or through children, `all` first. */
  readonly groups: readonly string[];
  readonly vars: Readonly<Record<string, InventoryValue>>;
}

/** Variables from group_vars/ and host_vars/ files, by group or host name. */
export interface InventoryVarFiles {
  readonly groupVars?: Readonly<Record<string, Readonly<Record<string, InventoryValue>>>>;
  readonly hostVars?: Readonly<Record<string, Readonly<Record<string, InventoryValue>>>>;
}

interface Line {
  readonly no: number;
  indent: number;
  text: string;
}

/** Strip a comment (` #` outside quotes) from a line. */
function stripComment(s: string): string {
  let quote: string | undefined;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") {
      quote = c;
    } else if (c === '#' && (i === 0 || /\s/.test(s[i - 1]!))) {
      return s.slice(0, i);
    }
  }
  return s;
}

function scalarOf(raw: string, no: number): InventoryValue {
  const s = raw.trim();
  if (s === '' || s === '~' || s === 'null' || s === 'Null' || s === 'NULL') return null;
  if (s.startsWith("'")) {
    if (!s.endsWith("'") || s.length < 2) throw new Error(`line ${no}: unterminated quoted string`);
    return s.slice(1, -1).replace(/''/g, "'");
  }
  if (s.startsWith('"')) {
    try {
      return JSON.parse(s) as string;
    } catch {
      throw new Error(`line ${no}: bad double-quoted string ${s}`);
    }
  }
  if (s.startsWith('[')) {
    if (!s.endsWith(']')) throw new Error(`line ${no}: a flow sequence must end on its line`);
    const inner = s.slice(1, -1).trim();
    return inner === '' ? [] : inner.split(',').map((p) => scalarOf(p, no));
  }
  if (s === '{}') return {};
  if (/^[&*!|>{]/.test(s)) throw new Error(`line ${no}: unsupported YAML (anchors, tags, block or flow scalars): ${s}`);
  if (/^(true|True|TRUE|yes|Yes)$/.test(s)) return true;
  if (/^(false|False|FALSE|no|No)$/.test(s)) return false;
  if (/^-?\d+$/.test(s)) return Number(s);
  return s;
}

/** `key: value` (or `key:`) of a mapping line; undefined when it is not one. */
function splitKey(text: string): { key: string; rest: string } | undefined {
  const m = /^("(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^'"][^:]*?|[^:\s][^:]*?)\s*:(?:\s+(.*))?$/.exec(text);
  if (!m) return undefined;
  const key = scalarOf(m[1]!, 0);
  return { key: String(key), rest: m[2] ?? '' };
}

/** Parse the YAML subset inventories use into plain values. */
export function parseInventoryYaml(text: string): InventoryValue {
  const lines: Line[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    if (/^(---|\.\.\.)\s*$/.test(raw)) return;
    if (raw.includes('\t') && /^\s*\t/.test(raw)) throw new Error(`line ${i + 1}: tabs cannot indent YAML`);
    const body = stripComment(raw).trimEnd();
    if (body.trim() === '') return;
    lines.push({ no: i + 1, indent: body.length - body.trimStart().length, text: body.trim() });
  });
  let at = 0;
  const isItem = (l: Line) => l.text === '-' || l.text.startsWith('- ');

  function block(indent: number): InventoryValue {
    const first = lines[at]!;
    return isItem(first) ? sequence(indent) : mapping(indent);
  }

  function valueAfter(rest: string, indent: number, no: number, allowSameIndentSeq: boolean): InventoryValue {
    if (rest !== '') return scalarOf(rest, no);
    const next = lines[at];
    if (next && next.indent > indent) return block(next.indent);
    if (next && allowSameIndentSeq && next.indent === indent && isItem(next)) return sequence(indent);
    return null;
  }

  function mapping(indent: number): InventoryValue {
    const out: Record<string, InventoryValue> = {};
    while (at < lines.length && lines[at]!.indent === indent && !isItem(lines[at]!)) {
      const l = lines[at]!;
      const kv = splitKey(l.text);
      if (!kv) throw new Error(`line ${l.no}: expected "key: value", got ${l.text}`);
      at++;
      out[kv.key] = valueAfter(kv.rest, indent, l.no, true);
    }
    if (at < lines.length && lines[at]!.indent > indent) {
      throw new Error(`line ${lines[at]!.no}: unexpected indentation`);
    }
    return out;
  }

  function sequence(indent: number): InventoryValue {
    const out: InventoryValue[] = [];
    while (at < lines.length && lines[at]!.indent === indent && isItem(lines[at]!)) {
      const l = lines[at]!;
      const rest = l.text === '-' ? '' : l.text.slice(2).trim();
      if (rest !== '' && splitKey(rest) && !/^["']/.test(rest)) {
        // "- key: value": a mapping whose first line is the rest of this one.
        l.indent = indent + 2 + (l.text.slice(2).length - l.text.slice(2).trimStart().length);
        l.text = rest;
        out.push(mapping(l.indent));
      } else {
        at++;
        out.push(valueAfter(rest, indent, l.no, false));
      }
    }
    return out;
  }

  if (lines.length === 0) return null;
  const value = block(lines[0]!.indent);
  if (at < lines.length) throw new Error(`line ${lines[at]!.no}: unexpected content: ${lines[at]!.text}`);
  return value;
}

const isMap = (v: unknown): v is Record<string, InventoryValue> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Groups and hosts as both formats describe them. */
interface Groups {
  /** group → its own variables, hosts (with host variables) and children. */
  readonly groups: Map<string, { vars: Record<string, InventoryValue>; hosts: Map<string, Record<string, InventoryValue>>; children: Set<string> }>;
}

function groupOf(g: Groups, name: string) {
  let e = g.groups.get(name);
  if (!e) {
    e = { vars: {}, hosts: new Map(), children: new Set() };
    g.groups.set(name, e);
  }
  return e;
}

function fromYaml(text: string): Groups {
  const root = parseInventoryYaml(text);
  const g: Groups = { groups: new Map() };
  if (root === null) return g;
  if (!isMap(root)) throw new Error('an inventory is a mapping of groups (all: {hosts: …, children: …})');
  const walk = (name: string, body: InventoryValue) => {
    const e = groupOf(g, name);
    if (body === null) return;
    if (!isMap(body)) throw new Error(`group ${name} must be a mapping with hosts, vars or children`);
    if (isMap(body.vars)) Object.assign(e.vars, body.vars);
    if (isMap(body.hosts)) {
      for (const [h, hv] of Object.entries(body.hosts)) {
        const vars = e.hosts.get(h) ?? {};
        if (isMap(hv)) Object.assign(vars, hv);
        e.hosts.set(h, vars);
      }
    }
    if (isMap(body.children)) {
      for (const [c, cb] of Object.entries(body.children)) {
        e.children.add(c);
        walk(c, cb);
      }
    }
  };
  for (const [name, body] of Object.entries(root)) walk(name, body);
  return g;
}

/** INI `key=value` pairs (quotes removed; values stay strings, as Ansible keeps them). */
function iniPairs(text: string, no: number): Record<string, InventoryValue> {
  const out: Record<string, InventoryValue> = {};
  for (const m of text.matchAll(/(\S+?)=("(?:[^"\\]|\\.)*"|'[^']*'|\S*)/g)) {
    const v = m[2]!;
    out[m[1]!] = /^["']/.test(v) ? v.slice(1, -1) : v;
  }
  if (text.trim() !== '' && Object.keys(out).length === 0) throw new Error(`line ${no}: expected key=value, got ${text}`);
  return out;
}

function fromIni(text: string): Groups {
  const g: Groups = { groups: new Map() };
  let section = { group: 'ungrouped', kind: 'hosts' };
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.replace(/^\s*[#;].*$/, '').trim();
    if (line === '') return;
    const head = /^\[([^\]:]+)(?::(vars|children))?\]$/.exec(line);
    if (head) {
      section = { group: head[1]!, kind: head[2] ?? 'hosts' };
      groupOf(g, section.group);
      return;
    }
    const e = groupOf(g, section.group);
    if (section.kind === 'vars') Object.assign(e.vars, iniPairs(line, i + 1));
    else if (section.kind === 'children') e.children.add(line.split(/\s+/)[0]!);
    else {
      const [host, ...rest] = line.split(/\s+/);
      e.hosts.set(host!, { ...(e.hosts.get(host!) ?? {}), ...iniPairs(rest.join(' '), i + 1) });
    }
  });
  for (const name of [...g.groups.keys()]) if (name !== 'all') groupOf(g, 'all');
  return g;
}

/**
 * The hosts of an inventory (`format`: yaml or ini), in the order they first appear, each with its
 * address, port, user, groups and merged variables. Throws an Error naming the line for what it
 * cannot read.
 */
export function parseInventory(text: string, format: 'yaml' | 'ini', files: InventoryVarFiles = {}): InventoryHost[] {
  const g = format === 'yaml' ? fromYaml(text) : fromIni(text);
  // Depth of each group below all (Ansible applies group variables shallow first, then by name).
  const all = groupOf(g, 'all');
  for (const name of g.groups.keys()) {
    const isChild = [...g.groups.values()].some((e) => e.children.has(name));
    if (name !== 'all' && !isChild) all.children.add(name);
  }
  const depth = new Map<string, number>([['all', 0]]);
  const queue = ['all'];
  while (queue.length > 0) {
    const name = queue.shift()!;
    for (const c of g.groups.get(name)?.children ?? []) {
      if (!depth.has(c)) {
        depth.set(c, depth.get(name)! + 1);
        queue.push(c);
      }
    }
  }
  const parents = (name: string): string[] =>
    [...g.groups.entries()].filter(([, e]) => e.children.has(name)).map(([p]) => p);
  const order: string[] = [];
  const hostVars = new Map<string, Record<string, InventoryValue>>();
  const hostGroups = new Map<string, Set<string>>();
  for (const [name, e] of g.groups) {
    for (const [h, v] of e.hosts) {
      if (!hostVars.has(h)) {
        order.push(h);
        hostVars.set(h, {});
        hostGroups.set(h, new Set());
      }
      Object.assign(hostVars.get(h)!, v);
      const seen = hostGroups.get(h)!;
      const up = [name];
      while (up.length > 0) {
        const x = up.pop()!;
        if (seen.has(x)) continue;
        seen.add(x);
        up.push(...parents(x));
      }
    }
  }
  return order.map((name) => {
    const groups = [...hostGroups.get(name)!, 'all']
      .filter((v, i, a) => a.indexOf(v) === i)
      .sort((a, b) => (depth.get(a) ?? 0) - (depth.get(b) ?? 0) || (a === b ? 0 : a < b ? -1 : 1));
    const vars: Record<string, InventoryValue> = {};
    for (const grp of groups) {
      Object.assign(vars, g.groups.get(grp)?.vars ?? {}, files.groupVars?.[grp] ?? {});
    }
    Object.assign(vars, hostVars.get(name), files.hostVars?.[name] ?? {});
    const port = vars.ansible_port !== undefined && vars.ansible_port !== null ? Number(vars.ansible_port) : 22;
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      throw new Error(`host ${name}: ansible_port must be a port number, got ${JSON.stringify(vars.ansible_port)}`);
    }
    const address = typeof vars.ansible_host === 'string' && vars.ansible_host !== '' ? vars.ansible_host : name;
    const user = vars.ansible_user;
    return {
      name,
      address,
      port,
      ...(typeof user === 'string' && user !== '' ? { user } : {}),
      groups,
      vars,
    };
  });
}
