// Vault's identity templates (sdk/helper/identitytpl, ACL mode, as framework.PopulateIdentityTemplate
// renders them for the SSH engine): `{{identity.entity.id}}`, `.name`, `.metadata.<k>`,
// `.aliases.<mount accessor>.{id,name,metadata.<k>,custom_metadata.<k>}`, the group and time
// directives, with Vault's error texts. Pure: the entity snapshot and the clock are inputs.

import { parseDurationSeconds } from '../duration.js';

/** An entity alias as templates see it (Vault's logical.Alias). */
export interface IdentityAliasSnapshot {
  readonly id: string;
  readonly name: string;
  readonly mountAccessor: string;
  readonly metadata: Readonly<Record<string, string>> | null;
  readonly customMetadata: Readonly<Record<string, string>> | null;
}

/** An entity as templates see it (Vault's logical.Entity). */
export interface IdentityEntitySnapshot {
  readonly id: string;
  readonly name: string;
  readonly metadata: Readonly<Record<string, string>> | null;
  readonly aliases: readonly IdentityAliasSnapshot[];
}

/** Vault's identitytpl error texts. */
export const IDENTITY_TEMPLATE_ERRORS = {
  unbalanced: 'unbalanced templating characters',
  noEntity: 'string contains entity template directives but no entity was provided',
  noGroups: 'string contains groups template directives but no groups were provided',
  notFound: 'no value could be found for one of the template directives',
  wildcard: 'globs and wildcards are not allowed in template result',
  /** framework.PopulateIdentityTemplate, when the token's entity id resolves to nothing. */
  noEntityFound: 'no entity found',
  invalidAliasSelector: 'invalid alias selector',
  aliasNotFound: 'alias not found',
} as const;

const E = IDENTITY_TEMPLATE_ERRORS;

/** A string value (empty = not found) or a map lookup (a present key may be empty), as aclTemplateHandler. */
function stringValue(v: string): string {
  if (v === '') throw new Error(E.notFound);
  return v;
}

function mapValue(m: Readonly<Record<string, string>> | null, key?: string): string {
  if (key !== undefined && m && Object.prototype.hasOwnProperty.call(m, key)) return m[key]!;
  throw new Error(E.notFound);
}

/** Go's strings.SplitN(s, sep, 2). */
function splitOnce(s: string, sep: string): string[] {
  const i = s.indexOf(sep);
  return i < 0 ? [s] : [s.slice(0, i), s.slice(i + sep.length)];
}

function aliasDirective(selector: string, alias: IdentityAliasSnapshot): string {
  if (selector === 'id') return stringValue(alias.id);
  if (selector === 'name') return stringValue(alias.name);
  if (selector === 'metadata') return mapValue(alias.metadata);
  if (selector.startsWith('metadata.')) return mapValue(alias.metadata, splitOnce(selector, '.')[1]);
  if (selector === 'custom_metadata') return mapValue(alias.customMetadata);
  if (selector.startsWith('custom_metadata.')) return mapValue(alias.customMetadata, splitOnce(selector, '.')[1]);
  throw new Error(E.notFound);
}

function entityDirective(selector: string, entity: IdentityEntitySnapshot): string {
  if (selector === 'id') return stringValue(entity.id);
  if (selector === 'name') return stringValue(entity.name);
  if (selector === 'metadata') return mapValue(entity.metadata);
  if (selector.startsWith('metadata.')) return mapValue(entity.metadata, splitOnce(selector, '.')[1]);
  // Lists cannot be rendered in ACL mode.
  if (selector === 'groups.names' || selector === 'groups.ids') throw new Error(E.notFound);
  if (selector.startsWith('aliases.')) {
    const split = splitOnce(selector.slice('aliases.'.length), '.');
    if (split.length !== 2) throw new Error(E.invalidAliasSelector);
    const alias = entity.aliases.find((a) => a.mountAccessor === split[0]);
    if (!alias) throw new Error(E.aliasNotFound);
    return aliasDirective(split[1]!, alias);
  }
  throw new Error(E.notFound);
}

function timeDirective(selector: string, now: number): string {
  const ops = selector.split('.');
  // Go's SplitN(…, 3): the operand keeps any further dots.
  const parts = ops.length > 3 ? [ops[0]!, ops[1]!, ops.slice(2).join('.')] : ops;
  if (parts[0] !== 'now') throw new Error(`invalid time selector ${JSON.stringify(parts[0])}`);
  if (parts.length === 1) return String(now);
  if (parts.length === 2) throw new Error('missing time operand');
  let seconds: number;
  try {
    seconds = parseDurationSeconds(parts[2]);
  } catch (e) {
    throw new Error(`invalid duration: ${(e as Error).message}`);
  }
  if (parts[1] === 'plus') return String(now + seconds);
  if (parts[1] === 'minus') return String(now - seconds);
  throw new Error(`invalid time operator ${JSON.stringify(parts[1])}`);
}

function directive(input: string, entity: IdentityEntitySnapshot | undefined, now: number): string {
  if (input.startsWith('identity.entity.')) {
    if (!entity) throw new Error(E.noEntity);
    return entityDirective(input.slice('identity.entity.'.length), entity);
  }
  // The embedded server has no identity groups: every entity is in none.
  if (input.startsWith('identity.groups.')) throw new Error(E.noGroups);
  if (input.startsWith('time.')) return timeDirective(input.slice('time.'.length), now);
  throw new Error(E.notFound);
}

/**
 * Render `template` for `entity` as Vault's identitytpl.PopulateString in ACL mode. Throws an Error
 * whose message is Vault's cause (the sign path wraps it as `template '<tpl>' could not be rendered -> …`).
 *
 * @param now - Unix seconds, for `{{time.now…}}`
 */
export function renderIdentityTemplateString(
  template: string,
  entity: IdentityEntitySnapshot | undefined,
  now: number,
): string {
  if (template === '') return '';
  const pieces = template.split('{{');
  if (pieces[0]!.includes('}}')) throw new Error(E.unbalanced);
  if (pieces.length === 1) return template;
  let out = pieces[0]!;
  for (const piece of pieces.slice(1)) {
    const split = piece.split('}}');
    if (split.length !== 2) throw new Error(E.unbalanced);
    const value = directive(split[0]!.trim(), entity, now);
    if (/[*+]/.test(value)) throw new Error(E.wildcard);
    out += value + split[1]!;
  }
  return out;
}
