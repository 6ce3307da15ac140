// The built-in policies: names, and the default policy's text as Vault serves it.

import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY, DEFAULT_POLICY_TEXT, ROOT_POLICY } from '../../../core/acl/builtin-policies.js';
import { parsePolicy } from '../../../core/acl/policy-document.js';

describe('built-in policies', () => {
  it('are named default and root', () => {
    expect([DEFAULT_POLICY, ROOT_POLICY]).toEqual(['default', 'root']);
  });

  it("keep the default policy's text as Vault returns it, leading newline included", () => {
    expect(
      DEFAULT_POLICY_TEXT.startsWith(
        '\n# Allow tokens to look up their own properties\npath "auth/token/lookup-self" {',
      ),
    ).toBe(true);
    expect(
      DEFAULT_POLICY_TEXT.endsWith(
        'path "identity/oidc/provider/+/authorize" {\n    capabilities = ["read", "update"]\n}\n',
      ),
    ).toBe(true);
  });

  it('parse the default policy to its 18 rules, templated', () => {
    const p = parsePolicy(DEFAULT_POLICY, DEFAULT_POLICY_TEXT, { base64: false });
    expect(p.templated).toBe(true);
    expect(p.raw).toBe(DEFAULT_POLICY_TEXT);
    expect(p.rules.map((r) => `${r.pattern} ${[...r.capabilities].join(',')}`)).toEqual([
      'auth/token/lookup-self read',
      'auth/token/renew-self update',
      'auth/token/revoke-self update',
      'sys/capabilities-self update',
      'identity/entity/id/{{identity.entity.id}} read',
      'identity/entity/name/{{identity.entity.name}} read',
      'sys/internal/ui/resultant-acl read',
      'sys/renew update',
      'sys/leases/renew update',
      'sys/leases/lookup update',
      'cubbyhole/* create,read,update,delete,list',
      'sys/wrapping/wrap update',
      'sys/wrapping/lookup update',
      'sys/wrapping/unwrap update',
      'sys/tools/hash update',
      'sys/tools/hash/* update',
      'sys/control-group/request update',
      'identity/oidc/provider/+/authorize read,update',
    ]);
  });
});
