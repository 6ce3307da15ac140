import { describe, expect, it } from 'vitest';
import { isRequestError } from '../../../core/errors.js';
import { DEFAULT_POLICY_TEXT } from '../../../core/acl/builtin-policies.js';
import { parsePolicy } from '../../../core/acl/policy-document.js';

const caps = (text: string) =>
  parsePolicy('p', text).rules.map((r) => [r.pattern, [...r.capabilities].sort()] as const);

describe('parsePolicy', () => {
  it('reads HCL path blocks with comments of every kind', () => {
    expect(
      caps(`# the seed policy
path "ssh/sign/user-role" {
  capabilities = ["create", "update"] // signing only
}
/* admins */
path "/ssh/*" { capabilities = ["create", "read", "update", "delete", "list"] }
`),
    ).toEqual([
      ['ssh/sign/user-role', ['create', 'update']],
      ['ssh/*', ['create', 'delete', 'list', 'read', 'update']],
    ]);
  });

  it('reads the JSON form', () => {
    expect(caps('{"path": {"ssh/sign/dev": {"capabilities": ["update"]}, "ssh/+/x": {"policy": "read"}}}')).toEqual([
      ['ssh/sign/dev', ['update']],
      ['ssh/+/x', ['list', 'read']],
    ]);
  });

  it('expands the old policy shorthand', () => {
    expect(
      caps(
        'path "a" { policy = "deny" }\npath "b" { policy = "read" }\npath "c" { policy = "write" }\npath "d" { policy = "sudo" }',
      ),
    ).toEqual([
      ['a', ['deny']],
      ['b', ['list', 'read']],
      ['c', ['create', 'delete', 'list', 'read', 'update']],
      ['d', ['create', 'delete', 'list', 'read', 'sudo', 'update']],
    ]);
  });

  it('keeps only deny when deny is among the capabilities', () => {
    expect(caps('path "a" { capabilities = ["read", "deny"] }')).toEqual([['a', ['deny']]]);
  });

  it('accepts (and ignores) parameter constraints and wrapping TTLs', () => {
    expect(
      caps(`path "ssh/sign/dev" {
  capabilities = ["update"]
  allowed_parameters = { "valid_principals" = ["ubuntu"], "*" = [] }
  denied_parameters = { "ttl" = [] }
  min_wrapping_ttl = "1s"
}`),
    ).toEqual([['ssh/sign/dev', ['update']]]);
  });

  it("parses Vault's default policy", () => {
    const rules = parsePolicy('default', DEFAULT_POLICY_TEXT).rules;
    expect(rules.map((r) => r.pattern)).toContain('auth/token/lookup-self');
    expect(rules).toHaveLength(18);
  });

  it.each([
    ['path "x" { capabilities = ["foo"] }', 'failed to parse policy: path "x": invalid capability "foo"'],
    ['path "x" { policy = "admin" }', 'failed to parse policy: path "x": invalid policy "admin"'],
    [
      'path "x+*" { capabilities = ["read"] }',
      'failed to parse policy: path "x+*": invalid use of wildcards (\'+*\' is forbidden)',
    ],
    ['path "x" { capability = ["read"] }', 'failed to parse policy: path "x": invalid key "capability" on line 1'],
    ['paths "x" { capabilities = ["read"] }', 'failed to parse policy: invalid key "paths" on line 1'],
    ['path "x" { capabilities = ["read"]', 'failed to parse policy: At 1: expected "}", got end of input'],
    ['path "x { }', 'failed to parse policy: At 1: literal not terminated'],
    ['path "x" { capabilities = ["read" "list"] }', 'failed to parse policy: At 1: expected "," or "]" in a list'],
    ['{"path": ', 'failed to parse policy: Unexpected end of JSON input'],
    ['path "x" ! {}', 'failed to parse policy: At 1: illegal char "!"'],
  ])('refuses %j', (text, message) => {
    expect(() => parsePolicy('p', text)).toThrow(message);
  });

  it('never fails with anything but a RequestError, on 2,000 random and mutated documents', () => {
    let seed = 20261123;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const base = `path "ssh/sign/+/x*" {\n  capabilities = ["create", "update"] # c\n  policy = "read"\n}\n{"path":{"a":{"capabilities":["read"]}}}`;
    const alphabet = '{}[]="\\/*+#,\n abc-_.01\u0000é';
    for (let i = 0; i < 2000; i++) {
      const chars = [...base];
      const edits = 1 + Math.floor(rand() * 6);
      for (let e = 0; e < edits; e++) {
        const at = Math.floor(rand() * chars.length);
        const op = rand();
        if (op < 0.4) chars.splice(at, 1);
        else if (op < 0.8) chars.splice(at, 0, alphabet[Math.floor(rand() * alphabet.length)]!);
        else chars.length = at;
      }
      const text = i % 2 === 0 ? chars.join('') : chars.join('').slice(chars.join('').indexOf('{'));
      try {
        parsePolicy('fuzz', text);
      } catch (err) {
        if (!isRequestError(err)) throw new Error(`input ${JSON.stringify(text)} threw ${String(err)}`);
      }
    }
  });
});
