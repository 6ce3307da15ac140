// Vault's identity templates (sdk/helper/identitytpl, ACL mode) case by case: each directive's value,
// and Vault's error for each missing value, bad selector and unbalanced template.

import { describe, expect, it } from 'vitest';
import {
  IDENTITY_TEMPLATE_ERRORS as E,
  renderIdentityTemplateString,
  type IdentityEntitySnapshot,
} from '../../../core/policy/identity-template.js';

const NOW = 1_800_000_000;
const entity: IdentityEntitySnapshot = {
  id: '0d1b7e0c-4a4b-4c1e-9f1c-3b0f1d2e3a4b',
  name: 'alice-entity',
  metadata: { ssh_username: 'alice', logins: 'alice,deploy', empty: '', 'dotted.key': 'd' },
  aliases: [
    {
      id: 'alias-1',
      name: 'alice',
      mountAccessor: 'auth_userpass_1234abcd',
      metadata: { team: 'ops' },
      customMetadata: null,
    },
    {
      id: 'alias-2',
      name: 'ci-bot',
      mountAccessor: 'auth_jwt_5678ef01',
      metadata: null,
      customMetadata: { owner: 'platform' },
    },
  ],
};
const render = (t: string, e: IdentityEntitySnapshot | undefined = entity) => renderIdentityTemplateString(t, e, NOW);
const failure = (t: string, e: IdentityEntitySnapshot | undefined = entity) => {
  try {
    return `rendered ${render(t, e)}`;
  } catch (err) {
    return (err as Error).message;
  }
};

describe('renderIdentityTemplateString: values', () => {
  it.each<[string, string]>([
    ['', ''],
    ['no templates here', 'no templates here'],
    ['{{identity.entity.id}}', entity.id],
    ['ssh-{{identity.entity.id}}-user', `ssh-${entity.id}-user`],
    ['{{identity.entity.name}}', 'alice-entity'],
    ['{{ identity.entity.name }}', 'alice-entity'],
    ['{{identity.entity.metadata.ssh_username}}', 'alice'],
    ['{{identity.entity.metadata.logins}}', 'alice,deploy'],
    // a present key with an empty value renders empty (Go's map lookup), unlike an empty name
    ['[{{identity.entity.metadata.empty}}]', '[]'],
    ['{{identity.entity.metadata.dotted.key}}', 'd'],
    ['{{identity.entity.aliases.auth_userpass_1234abcd.name}}', 'alice'],
    ['{{identity.entity.aliases.auth_userpass_1234abcd.id}}', 'alias-1'],
    ['{{identity.entity.aliases.auth_userpass_1234abcd.metadata.team}}', 'ops'],
    ['{{identity.entity.aliases.auth_jwt_5678ef01.custom_metadata.owner}}', 'platform'],
    ['{{identity.entity.aliases.auth_userpass_1234abcd.name}},admin', 'alice,admin'],
    ['{{identity.entity.name}}/{{identity.entity.metadata.ssh_username}}', 'alice-entity/alice'],
    ['{{time.now}}', String(NOW)],
    ['{{time.now.plus.1h}}', String(NOW + 3600)],
    ['{{time.now.minus.30}}', String(NOW - 30)],
  ])('%j → %j', (template, expected) => {
    expect(render(template)).toBe(expected);
  });
});

describe('renderIdentityTemplateString: errors', () => {
  it.each<[string, string]>([
    ['{{identity.entity.metadata.missing}}', E.notFound],
    ['{{identity.entity.metadata}}', E.notFound],
    ['{{identity.entity.unknown}}', E.notFound],
    ['{{identity.entity.groups.names}}', E.notFound],
    ['{{identity.entity.groups.ids}}', E.notFound],
    ['{{identity.entity.aliases.auth_userpass_1234abcd.metadata.missing}}', E.notFound],
    ['{{identity.entity.aliases.auth_jwt_5678ef01.metadata.team}}', E.notFound],
    ['{{identity.entity.aliases.auth_userpass_1234abcd.custom_metadata.x}}', E.notFound],
    ['{{identity.entity.aliases.auth_userpass_1234abcd.unknown}}', E.notFound],
    ['{{identity.entity.aliases.auth_userpass_1234abcd}}', E.invalidAliasSelector],
    ['{{identity.entity.aliases.auth_nope.name}}', E.aliasNotFound],
    ['{{identity.groups.names.admins.id}}', E.noGroups],
    ['{{role_name}}', E.notFound],
    ['{{}}', E.notFound],
    ['{{time.later}}', 'invalid time selector "later"'],
    ['{{time.now.plus}}', 'missing time operand'],
    ['{{time.now.times.1h}}', 'invalid time operator "times"'],
    ['a}}b{{identity.entity.name}}', E.unbalanced],
    ['{{identity.entity.name', E.unbalanced],
    ['{{identity.entity.name}}}}', E.unbalanced],
  ])('%j → %j', (template, message) => {
    expect(failure(template)).toBe(message);
  });

  it('refuses entity directives without an entity, but renders time and plain text', () => {
    expect(() => renderIdentityTemplateString('{{identity.entity.id}}', undefined, NOW)).toThrow(new Error(E.noEntity));
    expect(renderIdentityTemplateString('plain', undefined, NOW)).toBe('plain');
    expect(renderIdentityTemplateString('{{time.now}}', undefined, NOW)).toBe(String(NOW));
  });

  it('refuses a rendered value holding a glob or a plus', () => {
    const starry = { ...entity, name: 'al*ce', metadata: { plus: 'a+b' } };
    expect(failure('{{identity.entity.name}}', starry)).toBe(E.wildcard);
    expect(failure('{{identity.entity.metadata.plus}}', starry)).toBe(E.wildcard);
    expect(E.wildcard).toBe('globs and wildcards are not allowed in template result');
  });

  it("uses Vault's texts", () => {
    expect(E).toEqual({
      unbalanced: 'unbalanced templating characters',
      noEntity: 'string contains entity template directives but no entity was provided',
      noGroups: 'string contains groups template directives but no groups were provided',
      notFound: 'no value could be found for one of the template directives',
      wildcard: 'globs and wildcards are not allowed in template result',
      noEntityFound: 'no entity found',
      invalidAliasSelector: 'invalid alias selector',
      aliasNotFound: 'alias not found',
    });
  });
});
