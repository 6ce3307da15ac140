// Architecture rules as a test (issue 16, point 7): `core/` is pure (no outer-layer imports, no I/O, no
// clock, no randomness, not even through createRequire or dynamic import), and dependencies point one
// way: core <- client <- providers/modules/cli, core <- server <- cli. See docs/architecture.md.
// Sources are parsed with the TypeScript compiler, so comments and strings never count as code.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const LAYERS = ['core', 'client', 'server', 'cli', 'providers', 'modules', 'bench', 'test'] as const;
type Layer = (typeof LAYERS)[number];

/** Layers each layer must not import (`core` may import only itself). */
const FORBIDDEN_LAYERS: Partial<Record<Layer, readonly Layer[]>> = {
  core: ['client', 'server', 'cli', 'providers', 'modules', 'bench', 'test'],
  client: ['server', 'cli', 'providers', 'modules', 'bench', 'test'],
  server: ['client', 'cli', 'providers', 'modules', 'bench', 'test'],
};

/** Node built-ins that do I/O; `core/` must not load them in any way. */
const IO_MODULES = new Set(
  [
    'fs',
    'fs/promises',
    'net',
    'tls',
    'dgram',
    'http',
    'https',
    'http2',
    'child_process',
    'dns',
    'dns/promises',
    'worker_threads',
    'cluster',
    'readline',
  ].flatMap((m) => [m, `node:${m}`]),
);

/** Property or import names that draw randomness (node:crypto and Web Crypto). */
const RANDOM_NAMES = new Set([
  'randomBytes',
  'randomUUID',
  'randomFill',
  'randomFillSync',
  'randomInt',
  'getRandomValues',
  'generateKeyPair',
  'generateKeyPairSync',
  'generateKey',
  'generateKeySync',
  'generatePrime',
  'generatePrimeSync',
  'pseudoRandomBytes',
  'prng',
  'rng',
]);

/**
 * Known violations, each with its reason and issue. An entry allows exactly `count` violations of one
 * rule with one message in one file: any further one (even of the same kind in the same file) fails,
 * and so does an entry that no longer matches, so the list can only shrink.
 */
const ALLOWED: readonly { file: string; rule: Violation['rule']; message: string; count: number; reason: string }[] = [
  // Empty since issue 16: key generation moved to server/ssh/generate-key-pair.ts and core/issue.ts
  // takes the generated key pair as an input.
];

interface Violation {
  file: string;
  line: number;
  rule: 'layer' | 'io' | 'clock' | 'randomness' | 'environment' | 'unresolvable';
  message: string;
}

function layerOf(repoPath: string): Layer | undefined {
  const first = repoPath.split('/')[0];
  return (LAYERS as readonly string[]).includes(first ?? '') ? (first as Layer) : undefined;
}

/** The repository-relative target of a module specifier, or undefined for packages and built-ins. */
function resolveSpecifier(fromFile: string, specifier: string): string | undefined {
  if (specifier.startsWith('.') || specifier.startsWith('/')) {
    const target = specifier.startsWith('/') ? specifier : resolve(root, dirname(fromFile), specifier);
    return relative(root, target).split(sep).join('/');
  }
  // The package's own export names (and the tsconfig `paths` alias) point back into the tree.
  const self = /^vault-ssh-ca(?:\/(client|providers|modules))?(?:\/|$)/.exec(specifier);
  if (self) return `${self[1] ?? 'core'}/index.ts`;
  return undefined;
}

const stringArg = (node: ts.Expression | undefined): string | undefined =>
  node && (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) ? node.text : undefined;

function isCreateRequireCall(node: ts.Node): boolean {
  if (!ts.isCallExpression(node)) return false;
  const callee = node.expression;
  return (
    (ts.isIdentifier(callee) && callee.text === 'createRequire') ||
    (ts.isPropertyAccessExpression(callee) && callee.name.text === 'createRequire')
  );
}

/** Every violation in one source file of the given layer. */
function checkSource(file: string, text: string): Violation[] {
  const layer = layerOf(file);
  if (!layer) return [];
  const forbiddenLayers = FORBIDDEN_LAYERS[layer] ?? [];
  const pure = layer === 'core';
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const out: Violation[] = [];
  const add = (node: ts.Node, rule: Violation['rule'], message: string): void => {
    const line = source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
    out.push({ file, line, rule, message });
  };

  // Names bound to a require function: `require` itself and `const load = createRequire(...)`.
  const requireNames = new Set(['require']);
  const collect = (node: ts.Node): void => {
    if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.initializer) {
      if (isCreateRequireCall(node.initializer)) requireNames.add(node.name.text);
    }
    ts.forEachChild(node, collect);
  };
  collect(source);

  const checkSpecifier = (node: ts.Node, specifier: string, how: string, typeOnly: boolean): void => {
    const target = resolveSpecifier(file, specifier);
    if (target !== undefined) {
      const targetLayer = layerOf(target);
      if (target.startsWith('..') || target.startsWith('/')) {
        add(node, 'layer', `${how} '${specifier}' leaves the repository`);
      } else if (targetLayer && forbiddenLayers.includes(targetLayer)) {
        add(node, 'layer', `${how} '${specifier}': ${layer}/ must not depend on ${targetLayer}/`);
      }
      return;
    }
    if (pure && !typeOnly && IO_MODULES.has(specifier)) {
      add(node, 'io', `${how} '${specifier}': core/ does no I/O`);
    }
    if (pure && !typeOnly && (specifier === 'node:crypto' || specifier === 'crypto') && ts.isImportDeclaration(node)) {
      const bindings = node.importClause?.namedBindings;
      if (bindings && ts.isNamedImports(bindings)) {
        for (const element of bindings.elements) {
          const imported = (element.propertyName ?? element.name).text;
          if (!element.isTypeOnly && RANDOM_NAMES.has(imported)) {
            add(element, 'randomness', `imports '${imported}' from '${specifier}': randomness is a parameter in core/`);
          }
        }
      }
    }
  };

  const visit = (node: ts.Node): void => {
    // import … from '…', import '…'
    if (ts.isImportDeclaration(node)) {
      const spec = stringArg(node.moduleSpecifier);
      if (spec !== undefined) checkSpecifier(node, spec, 'imports', node.importClause?.isTypeOnly ?? false);
    }
    // export … from '…'
    if (ts.isExportDeclaration(node) && node.moduleSpecifier) {
      const spec = stringArg(node.moduleSpecifier);
      if (spec !== undefined) checkSpecifier(node, spec, 're-exports', node.isTypeOnly);
    }
    // import x = require('…')
    if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      const spec = stringArg(node.moduleReference.expression);
      if (spec !== undefined) checkSpecifier(node, spec, 'requires', node.isTypeOnly);
    }
    // typeof import('…') in a type position: a type dependency, still a layer dependency.
    if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      const spec = stringArg(node.argument.literal as ts.Expression);
      if (spec !== undefined) checkSpecifier(node, spec, 'refers to the type of', true);
    }
    if (ts.isCallExpression(node)) {
      const callee = node.expression;
      const isDynamicImport = callee.kind === ts.SyntaxKind.ImportKeyword;
      const isRequire = (ts.isIdentifier(callee) && requireNames.has(callee.text)) || isCreateRequireCall(callee);
      if (isDynamicImport || isRequire) {
        const how = isDynamicImport ? 'dynamically imports' : 'requires';
        const spec = stringArg(node.arguments[0]);
        if (spec !== undefined) checkSpecifier(node, spec, how, false);
        else add(node, 'unresolvable', `${how} a computed specifier, which cannot be checked`);
      }
      // Date() called as a function returns the current time.
      if (pure && ts.isIdentifier(callee) && callee.text === 'Date')
        add(node, 'clock', 'calls Date(): clock is a parameter');
    }
    if (pure) checkPurity(node);
    ts.forEachChild(node, visit);
  };

  const checkPurity = (node: ts.Node): void => {
    // new Date() without arguments reads the clock; new Date(ms) is computation.
    if (ts.isNewExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'Date') {
      if (!node.arguments || node.arguments.length === 0)
        add(node, 'clock', 'new Date() reads the clock: take the time as a parameter');
    }
    const member = ts.isPropertyAccessExpression(node)
      ? { object: node.expression, name: node.name.text }
      : ts.isElementAccessExpression(node) && stringArg(node.argumentExpression) !== undefined
        ? { object: node.expression, name: stringArg(node.argumentExpression)! }
        : undefined;
    if (member) {
      const objectName = ts.isIdentifier(member.object) ? member.object.text : undefined;
      if (objectName === 'Date' && member.name === 'now')
        add(node, 'clock', 'Date.now reads the clock: take the time as a parameter');
      if (objectName === 'performance' && member.name === 'now') add(node, 'clock', 'performance.now reads the clock');
      if (objectName === 'Math' && member.name === 'random')
        add(node, 'randomness', 'Math.random: randomness is a parameter in core/');
      if (RANDOM_NAMES.has(member.name) || /^random[A-Z]/.test(member.name)) {
        add(node, 'randomness', `${member.name}: randomness is a parameter in core/`);
      }
    }
    // Any use of `process` (process.env, process.hrtime, process.cwd(), destructuring): the environment.
    if (ts.isIdentifier(node) && node.text === 'process') {
      const parent = node.parent;
      const isPropertyName =
        (ts.isPropertyAccessExpression(parent) && parent.name === node) ||
        (ts.isPropertyAssignment(parent) && parent.name === node) ||
        (ts.isBindingElement(parent) && parent.propertyName === node);
      if (!isPropertyName)
        add(node, 'environment', 'uses process (process.env and the like): core/ takes its inputs as parameters');
    }
    // const { randomBytes } = load('node:crypto')
    if (ts.isBindingElement(node)) {
      const name = node.propertyName ?? node.name;
      if (ts.isIdentifier(name) && RANDOM_NAMES.has(name.text))
        add(node, 'randomness', `binds ${name.text}: randomness is a parameter in core/`);
    }
  };

  visit(source);
  return out;
}

function listSources(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory()) out.push(...listSources(path));
    else if (/\.(ts|mts|cts|js|mjs|cjs)$/.test(entry.name) && !entry.name.endsWith('.d.ts')) out.push(path);
  }
  return out.sort();
}

const format = (v: Violation): string => `${v.file}:${v.line}: [${v.rule}] ${v.message}`;

function check(layer: Layer): Violation[] {
  return listSources(layer).flatMap((file) => checkSource(file, readFileSync(join(root, file), 'utf8')));
}

describe('architecture', () => {
  it('core/ imports no outer layer and uses no I/O, clock or randomness (known exceptions listed in ALLOWED)', () => {
    const violations = check('core');
    const allowed = (v: Violation) =>
      ALLOWED.some((a) => a.file === v.file && a.rule === v.rule && a.message === v.message);
    expect(violations.filter((v) => !allowed(v)).map(format)).toEqual([]);
    for (const a of ALLOWED) {
      const matches = violations.filter((v) => v.file === a.file && v.rule === a.rule && v.message === a.message);
      expect(matches.map(format), `allow-list entry for ${a.file} (${a.reason}): update or remove it`).toHaveLength(
        a.count,
      );
    }
  });

  it('client/ imports neither server/, cli/, providers/ nor modules/', () => {
    expect(check('client').map(format)).toEqual([]);
  });

  it('server/ imports neither client/, cli/, providers/ nor modules/', () => {
    expect(check('server').map(format)).toEqual([]);
  });

  // The checker itself, on sources that must and must not be caught.
  it.each([
    ["import { x } from '../client/vault-client.js';", 'layer'],
    ["export { x } from '../server/vault-server.js';", 'layer'],
    ["export * from '../../cli/main.js';", 'layer'],
    ["const m = await import('../providers/index.js');", 'layer'],
    ["import type { T } from '../modules/index.js';", 'layer'],
    ["import { x } from 'vault-ssh-ca/client';", 'layer'],
    ["import { readFileSync } from 'node:fs';", 'io'],
    ["import * as fs from 'fs/promises';", 'io'],
    ["import http from 'node:https';", 'io'],
    ["const net = await import('node:net');", 'io'],
    [
      "import { createRequire } from 'node:module';\nconst load = createRequire(import.meta.url);\nconst cp = load('node:child_process');",
      'io',
    ],
    ["import { createRequire } from 'node:module';\nconst dns = createRequire(import.meta.url)('node:dns');", 'io'],
    ["const fs = require('fs');", 'io'],
    ['const t = Date.now();', 'clock'],
    ['const t = new Date();', 'clock'],
    ['const t = new Date;', 'clock'],
    ['const s = Date();', 'clock'],
    ['const r = Math.random();', 'randomness'],
    ['const id = crypto.randomUUID();', 'randomness'],
    ["import { randomBytes } from 'node:crypto';", 'randomness'],
    ["const { randomFillSync } = require('node:crypto');", 'randomness'],
    ["import * as c from 'node:crypto';\nc.generateKeyPair('ed25519', {}, () => {});", 'randomness'],
    ['const home = process.env.HOME;', 'environment'],
    ['const { env } = process;', 'environment'],
    ['const m = await import(name);', 'unresolvable'],
  ])('catches %j', (code, rule) => {
    const found = checkSource('core/example.ts', code);
    expect(found.map((v) => v.rule)).toContain(rule);
    expect(found.every((v) => v.line >= 1)).toBe(true);
  });

  it.each([
    "import { x } from './duration.js';",
    "import { x } from '../core/errors.js';",
    "import { gzipSync } from 'node:zlib';",
    "import type { KeyObject } from 'node:crypto';",
    "const c: typeof import('node:crypto') = createRequire(import.meta.url)('node:crypto');\nc.sign(null, data, key);",
    'const t = new Date(Number(seconds) * 1000);',
    "// Date.now() and require('node:fs') in a comment\nconst s = 'process.env.HOME, Math.random()';",
  ])('lets %j through', (code) => {
    expect(checkSource('core/example.ts', code).map(format)).toEqual([]);
  });

  it('reports file and line', () => {
    expect(
      checkSource('client/x.ts', "// header\n\nimport { serve } from '../server/vault-server.js';").map(format),
    ).toEqual(["client/x.ts:3: [layer] imports '../server/vault-server.js': client/ must not depend on server/"]);
  });
});
