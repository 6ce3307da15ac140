// The public API says what happens when an optional input is left out (issue 16, point 8): every
// optional property of an exported `*Args`, `*Props` or `*Spec` type in providers/, modules/ and
// core/role-spec*.ts (and the JWT, identity and CI login specs of issue 18) has `@default - <behaviour>` in its TSDoc. Walked with the TypeScript compiler,
// so properties an args type takes from a spec (`SshRoleArgs` maps over `RoleSpec`) and inline object
// types (`ca?: { keyType?: … }`) are checked where they are declared.

import { readdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..');
const PUBLIC_TYPE = /(Args|Props|Spec)$/;
/** `@default`, a dash, and the behaviour (the aws-cdk form). */
const DEFAULT_TAG = /@default\s+-\s+\S/;

/** The files whose exported types are public API. */
function apiFiles(): string[] {
  const ts_ = (dir: string, keep: (f: string) => boolean) =>
    readdirSync(join(ROOT, dir))
      .filter((f) => f.endsWith('.ts') && keep(f))
      .map((f) => join(ROOT, dir, f));
  return [
    ...ts_('providers', () => true),
    ...ts_('modules', () => true),
    ...ts_(
      'core',
      (f) =>
        f.startsWith('role-spec') ||
        [
          'jwt-role-spec.ts',
          'jwt-auth-backend-spec.ts',
          'identity-entity-spec.ts',
          'identity-entity-alias-spec.ts',
          'ci-login.ts',
        ].includes(f),
    ),
  ];
}

/** The text of the JSDoc comments attached to a declaration. */
const jsDocText = (node: ts.Node): string =>
  ((node as { jsDoc?: ts.JSDoc[] }).jsDoc ?? []).map((d) => d.getText()).join('\n');

/** `file:line: Type.prop` for each optional property of the public types in `files` with no `@default - …`. */
function missingDefaults(program: ts.Program, files: readonly string[], root: string): string[] {
  const checker = program.getTypeChecker();
  const misses = new Set<string>();
  const where = (node: ts.Node) => {
    const sf = node.getSourceFile();
    return `${relative(root, sf.fileName)}:${sf.getLineAndCharacterOfPosition(node.getStart()).line + 1}`;
  };
  const checkMembers = (owner: string, members: readonly ts.TypeElement[]) => {
    for (const m of members) {
      if (!ts.isPropertySignature(m)) continue;
      const name = `${owner}.${m.name.getText()}`;
      if (m.questionToken && !DEFAULT_TAG.test(jsDocText(m))) misses.add(`${where(m)}: ${name}`);
      if (m.type && ts.isTypeLiteralNode(m.type)) checkMembers(name, m.type.members);
    }
  };
  for (const file of files) {
    const sf = program.getSourceFile(file);
    if (!sf) throw new Error(`not in the program: ${relative(root, file)}`);
    for (const stmt of sf.statements) {
      if (!(ts.isInterfaceDeclaration(stmt) || ts.isTypeAliasDeclaration(stmt))) continue;
      if (!PUBLIC_TYPE.test(stmt.name.text)) continue;
      if (!stmt.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)) continue;
      const type = checker.getDeclaredTypeOfSymbol(checker.getSymbolAtLocation(stmt.name)!);
      for (const prop of checker.getPropertiesOfType(type)) {
        if (!(prop.flags & ts.SymbolFlags.Optional)) continue;
        if ((prop.declarations ?? []).length === 0) {
          misses.add(
            `${where(stmt)}: ${stmt.name.text}.${prop.name} (a mapped type's key with no declaration to document)`,
          );
        }
        const decls = (prop.declarations ?? []).filter((d) => !d.getSourceFile().fileName.includes('node_modules'));
        for (const d of decls) {
          if (!DEFAULT_TAG.test(jsDocText(d))) misses.add(`${where(d)}: ${stmt.name.text}.${prop.name}`);
          if (ts.isPropertySignature(d) && d.type && ts.isTypeLiteralNode(d.type)) {
            checkMembers(`${stmt.name.text}.${prop.name}`, d.type.members);
          }
        }
      }
    }
  }
  return [...misses].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
}

/** A program over the project's sources with the project's compiler options. */
function projectProgram(files: readonly string[]): ts.Program {
  const config = ts.readConfigFile(join(ROOT, 'tsconfig.json'), ts.sys.readFile);
  const { options } = ts.parseJsonConfigFileContent(config.config, ts.sys, ROOT);
  return ts.createProgram({ rootNames: [...files], options: { ...options, noEmit: true } });
}

describe('public API docs', () => {
  it('every optional prop of an exported *Args, *Props or *Spec type says its default', () => {
    const files = apiFiles();
    expect(files.length).toBeGreaterThan(20);
    const misses = missingDefaults(projectProgram(files), files, ROOT);
    expect(misses, `optional props without "@default - <behaviour>":\n${misses.join('\n')}`).toEqual([]);
  });

  it('finds a missing @default on a prop of its own, through a mapped spread and in an inline object', () => {
    const text = `export interface FooSpec {
  /** Documented. @default - none */
  readonly a?: string;
  /** Says no default. */
  readonly b?: string;
  readonly c: string;
}
export type FooArgs = { readonly name: string } & { readonly [K in keyof FooSpec]?: FooSpec[K] };
export interface BarProps {
  /** @default - none */
  readonly nested?: {
    readonly deep?: number;
  };
}
interface HiddenProps {
  readonly notPublic?: string;
}
`;
    const file = '/fixture/api.ts';
    const host = ts.createCompilerHost({});
    const getSourceFile = host.getSourceFile;
    host.getSourceFile = (f, lang, ...rest) =>
      f === file ? ts.createSourceFile(f, text, lang, true) : getSourceFile(f, lang, ...rest);
    const program = ts.createProgram({ rootNames: [file], options: { noEmit: true, types: [] }, host });
    expect(missingDefaults(program, [file], '/fixture')).toEqual([
      'api.ts:5: FooArgs.b',
      'api.ts:5: FooSpec.b',
      'api.ts:6: FooArgs.c',
      'api.ts:12: BarProps.nested.deep',
    ]);
  });
});
