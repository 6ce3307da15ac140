// Policy documents as Vault 1.21 reads them (vault/policy.go over hashicorp/hcl v1.0.1-vault-7): the
// HCL and JSON forms, base64, the old `policy =` shorthand, and Vault's exact error texts, including
// the HCL parser's own (`At line:col: …`) and go-multierror's list format for unknown keys.

import { describe, expect, it } from 'vitest';
import { parsePolicy, type Policy } from '../../../core/acl/policy-document.js';
import { caught } from '../fixtures.js';

const rules = (p: Policy) => p.rules.map((r) => [r.pattern, [...r.capabilities].sort()] as const);
const parse = (text: string) => rules(parsePolicy('p', text));

describe('parsePolicy: HCL', () => {
  it('reads the seed policy', () => {
    const p = parsePolicy('user-role', 'path "ssh/sign/user-role" {\n  capabilities = ["create", "update"]\n}\n');
    expect(p).toEqual({
      name: 'user-role',
      raw: 'path "ssh/sign/user-role" {\n  capabilities = ["create", "update"]\n}\n',
      rules: [
        {
          pattern: 'ssh/sign/user-role',
          capabilities: new Set(['create', 'update']),
          requiredParameters: [],
          minWrappingTtl: 0,
          maxWrappingTtl: 0,
        },
      ],
      templated: false,
    });
  });

  it('reads several path blocks and every kind of comment, and strips one leading /', () => {
    expect(
      parse(`# the signer
path "ssh/sign/user-role" {
  capabilities = ["create", "update"] // signing only
}
/* admins
   of the mount */
path "/ssh/*" { capabilities = ["create", "read", "update", "delete", "list"] }
path "//x" { capabilities = ["read"], }
"path" "ssh/+/dev" { capabilities = ["update"] }
`),
    ).toEqual([
      ['ssh/sign/user-role', ['create', 'update']],
      ['ssh/*', ['create', 'delete', 'list', 'read', 'update']],
      ['/x', ['read']],
      ['ssh/+/dev', ['update']],
    ]);
  });

  it('keeps the same path twice as two rules (the ACL joins them)', () => {
    expect(parse('path "x" { capabilities = ["read"] }\npath "x" { capabilities = ["list"] }')).toEqual([
      ['x', ['read']],
      ['x', ['list']],
    ]);
  });

  it('expands the old policy shorthand, after any listed capabilities; deny replaces them', () => {
    expect(
      parse(`path "a" { policy = "deny" }
path "b" { policy = "read" }
path "c" { policy = "write" }
path "d" { policy = "sudo" }
path "e" { policy = "read" capabilities = ["update"] }
path "f" { policy = "deny" capabilities = ["read"] }
path "g" { policy = "" capabilities = ["read"] }`),
    ).toEqual([
      ['a', ['deny']],
      ['b', ['list', 'read']],
      ['c', ['create', 'delete', 'list', 'read', 'update']],
      ['d', ['create', 'delete', 'list', 'read', 'sudo', 'update']],
      ['e', ['list', 'read', 'update']],
      ['f', ['deny']],
      ['g', ['read']],
    ]);
  });

  it('accepts every capability, and keeps only deny from deny onwards (unchecked after it, as in Vault)', () => {
    expect(
      parse(`path "all" { capabilities = ["create", "read", "update", "patch", "delete", "list", "sudo", "subscribe", "recover"] }
path "d1" { capabilities = ["read", "deny"] }
path "d2" { capabilities = ["deny", "not-a-capability"] }
path "none" { capabilities = [] }
path "empty" {}`),
    ).toEqual([
      ['all', ['create', 'delete', 'list', 'patch', 'read', 'recover', 'subscribe', 'sudo', 'update']],
      ['d1', ['deny']],
      ['d2', ['deny']],
      ['none', []],
      ['empty', []],
    ]);
  });

  it('takes the path key bare, unlabelled or with extra labels as Vault does', () => {
    expect(parse('path { capabilities = ["read"] }')).toEqual([['path', ['read']]]);
    expect(parse('path = { capabilities = ["read"] }')).toEqual([['path', ['read']]]);
    expect(parse('path "x" "ignored" { capabilities = ["read"] }')).toEqual([['x', ['read']]]);
  });

  it('accepts name, comment, parameter constraints, wrapping TTLs, MFA, control groups and event types', () => {
    expect(
      parse(`name = "ignored"
path "ssh/sign/dev" {
  comment = ["anything", { goes = 1 }]
  capabilities = ["update"]
  allowed_parameters = { "valid_principals" = ["ubuntu"], "*" = [] }
  denied_parameters = { "ttl" = [] }
  required_parameters = ["public_key"]
  min_wrapping_ttl = "1s"
  max_wrapping_ttl = 3600
  mfa_methods = ["totp"]
  subscribe_event_types = ["*"]
  control_group = {
    ttl = "4h"
    factor "leads" {
      identity {
        group_names = ["leads"]
        approvals = 1
      }
      controlled_capabilities = ["update"]
    }
  }
}`),
    ).toEqual([['ssh/sign/dev', ['update']]]);
  });

  it('marks identity-templated policies and keeps their paths literal', () => {
    const p = parsePolicy('t', 'path "identity/entity/id/{{identity.entity.id}}" { capabilities = ["read"] }');
    expect(p.templated).toBe(true);
    expect(rules(p)).toEqual([['identity/entity/id/{{identity.entity.id}}', ['read']]]);
  });

  it('reads an empty document, blank text and comments alone as a policy with no rules', () => {
    expect(parse('   ')).toEqual([]);
    expect(parse('# nothing here\n')).toEqual([]);
  });

  it('reads a heredoc value as Vault does (with its newline)', () => {
    expect(caught(() => parsePolicy('p', 'path "x" {\n  policy = <<EOF\nread\nEOF\n}\n')).message).toBe(
      'failed to parse policy: path "x": invalid policy "read\\n"',
    );
  });
});

describe('parsePolicy: JSON and base64', () => {
  it('reads the JSON form, flattening {"path": {"<pattern>": {...}}} into path blocks', () => {
    expect(
      parse(`{
  "path": {
    "ssh/sign/dev": { "capabilities": ["update"] },
    "ssh/+/x": { "policy": "read" }
  }
}`),
    ).toEqual([
      ['ssh/sign/dev', ['update']],
      ['ssh/+/x', ['list', 'read']],
    ]);
  });

  it('reads the list-of-objects JSON form, name and null', () => {
    expect(
      parse(
        '{"name": "n", "path": [{"a": {"capabilities": ["read"]}}, {"b": {"capabilities": ["list"], "policy": null}}]}',
      ),
    ).toEqual([
      ['a', ['read']],
      ['b', ['list']],
    ]);
  });

  it("keeps HCL's JSON leniency: trailing commas, skipped booleans, a missing end", () => {
    expect(parse('{"path": {"x": {"capabilities": ["read",]}}}')).toEqual([['x', ['read']]]);
    expect(parse('{"path": {"x": {"capabilities": [true, "read"]}}}')).toEqual([['x', ['read']]]);
    expect(parse('{"path": {"x": {"capabilities": ["read"]}}')).toEqual([['x', ['read']]]);
    expect(parse('{"path": ')).toEqual([]);
  });

  it('decodes a base64 policy and keeps the decoded text as raw', () => {
    const text = 'path "ssh/*" { capabilities = ["read"] }';
    const p = parsePolicy('b', Buffer.from(text).toString('base64'));
    expect(p.raw).toBe(text);
    expect(rules(p)).toEqual([['ssh/*', ['read']]]);
    const wrapped = Buffer.from(text)
      .toString('base64')
      .replace(/(.{20})/g, '$1\r\n');
    expect(rules(parsePolicy('b', wrapped))).toEqual([['ssh/*', ['read']]]);
    expect(
      rules(parsePolicy('b', Buffer.from('{"path": {"a": {"capabilities": ["list"]}}}').toString('base64'))),
    ).toEqual([['a', ['list']]]);
  });

  it('leaves text alone when base64 decoding is switched off (text Vault already stored)', () => {
    expect(caught(() => parsePolicy('b', 'cGF0aA==', { base64: false })).message).toBe(
      'failed to parse policy: At 1:8: Unknown token: 1:8 ASSIGN =',
    );
    // By default the same text is base64 for "path", and fails as that.
    expect(caught(() => parsePolicy('b', 'cGF0aA==')).message).toBe(
      "failed to parse policy: At 1:6: key 'path' expected start of object ('{') or assignment ('=')",
    );
  });
});

describe('parsePolicy: errors are Vault’s', () => {
  it.each([
    // checks of a path block
    ['path "x" { capabilities = ["foo"] }', 'path "x": invalid capability "foo"'],
    ['path "x" { capabilities = ["read", 5] }', 'path "x": invalid capability "5"'],
    ['path "é/ü" { capabilities = ["réad"] }', 'path "é/ü": invalid capability "réad"'],
    ['path "x" { policy = "admin" }', 'path "x": invalid policy "admin"'],
    ['path "x+*" { capabilities = ["read"] }', 'path "x+*": invalid use of wildcards (\'+*\' is forbidden)'],
    ['path "/a/+*" { capabilities = ["read"] }', 'path "a/+*": invalid use of wildcards (\'+*\' is forbidden)'],
    [
      'path "a/{{identity.entity.id" { capabilities = ["read"] }',
      'failed to validate policy templating: unbalanced templating characters',
    ],
    [
      'path "a}}" { capabilities = ["read"] }',
      'failed to validate policy templating: unbalanced templating characters',
    ],
    // unknown keys: go-multierror's format; blocks have no `=`, so Vault reports line 0
    ['path "x" { capability = ["read"] }', '1 error occurred:\n\t* path "x": invalid key "capability" on line 1\n\n'],
    [
      'path "x" { Capabilities = ["read"] }',
      '1 error occurred:\n\t* path "x": invalid key "Capabilities" on line 1\n\n',
    ],
    [
      'path "x" {\n  ttl = "1h"\n  period = "1h"\n}',
      '2 errors occurred:\n\t* path "x": invalid key "ttl" on line 2\n\t* path "x": invalid key "period" on line 3\n\n',
    ],
    ['paths "x" { capabilities = ["read"] }', '1 error occurred:\n\t* invalid key "paths" on line 0\n\n'],
    ['banana "foo" {}', '1 error occurred:\n\t* invalid key "banana" on line 0\n\n'],
    ['PATH "x" { capabilities = ["read"] }', '1 error occurred:\n\t* invalid key "PATH" on line 0\n\n'],
    ['{"a": 1}', '1 error occurred:\n\t* invalid key "a" on line 1\n\n'],
    // values of the wrong type (hcl's decoder)
    ['path "x" { capabilities = "read" }', 'path "x": At 1:27: unknown slice type: *ast.LiteralType'],
    [
      'path "x" { capabilities = [1.5] }',
      'path "x": At 1:28: root.Capabilities[0]: unknown type for string *ast.LiteralType',
    ],
    [
      'path "x" { capabilities = [["read"]] }',
      'path "x": At 1:28: root.Capabilities[0]: unknown type for string *ast.ListType',
    ],
    [
      'path "x" { capabilities = {a = 1} }',
      'path "x": At 1:28: root.Capabilities[0]: unknown type for string *ast.ObjectItem',
    ],
    ['path "x" { policy = ["read"] }', 'path "x": At 1:21: root.Policy: unknown type for string *ast.ListType'],
    ['path "x" { allowed_parameters = { "ttl" = "1h" } }', 'path "x": At 1:43: unknown slice type: *ast.LiteralType'],
    [
      'path "x" { control_group = "x" }',
      'path "x": At 1:28: root.control_group: not an object type for struct (*ast.LiteralType)',
    ],
    ['path "x" = 5', 'At 1:10: nested object expected: LBRACE got: ASSIGN'],
    ['path = "x"', 'path "path": cannot check HCL keys of type *ast.LiteralType'],
    ['name = [1]', 'At 1:8: root.name: unknown type for string *ast.ListType'],
    ['{"path": {"a": {"capabilities": "read"}}}', 'path "a": At -: unknown slice type: *ast.LiteralType'],
    // wrapping TTLs and control groups
    [
      'path "x" { capabilities = ["read"] min_wrapping_ttl = "1x" }',
      'error parsing min_wrapping_ttl: time: unknown unit "x" in duration "1x"',
    ],
    [
      'path "x" { capabilities = ["read"] max_wrapping_ttl = "xd" }',
      'error parsing max_wrapping_ttl: strconv.ParseInt: parsing "x": invalid syntax',
    ],
    [
      'path "x" { capabilities = ["read"] min_wrapping_ttl = true }',
      'error parsing min_wrapping_ttl: could not parse duration from input',
    ],
    [
      'path "x" { capabilities = ["read"] min_wrapping_ttl = 99999999999 }',
      'error parsing min_wrapping_ttl: multiplication of durations resulted in overflow, one operand may be too large',
    ],
    [
      'path "x" { capabilities = ["read"] min_wrapping_ttl = "2h" max_wrapping_ttl = "1h" }',
      'max_wrapping_ttl cannot be less than min_wrapping_ttl',
    ],
    ['path "x" { capabilities = ["read"] control_group = {} }', 'no control group factors provided'],
    ['path "x" { capabilities = ["read"] control_group = { factor "a" {} } }', 'no control_group factor provided'],
    [
      'path "x" { capabilities = ["read"] control_group = { factor "a" { identity { approvals = 1 } } } }',
      'must provide more than one identity group and approvals > 0',
    ],
    [
      'path "x" { capabilities = ["read"] control_group = { factor "a" { identity { group_names = ["g"] approvals = 1 } controlled_capabilities = ["list"] } } }',
      "control group factor capabilities must be a subset of the policy's capabilities",
    ],
    [
      'path "x" { capabilities = ["read"] control_group = { ttl = "x" factor "a" { identity { group_names = ["g"] approvals = 1 } } } }',
      'error parsing control group max ttl: time: invalid duration "x"',
    ],
    // duplicate attributes: refused since Vault 1.21
    [
      'path "secret" {\n  capabilities = ["create", "update", "delete"]\n  capabilities = ["create"]\n}\n',
      'The argument "capabilities" at 3:3 was already set. Each argument can only be defined once',
    ],
    ['name = "n"\nname = "m"', 'The argument "name" at 2:1 was already set. Each argument can only be defined once'],
    // HCL syntax
    ['path "x" { capabilities = ["read"]', 'At 1:36: object expected closing RBRACE got: EOF'],
    ['path "x { }', 'At 1:12: literal not terminated'],
    [
      'path "x" { capabilities = ["read" "list"] }',
      'At 1:35: error parsing list, expected comma or list end, got: STRING',
    ],
    ['path "x" ! {}', 'At 1:10: illegal char'],
    ['path "x" { capabilities = [\'read\'] }', 'At 1:28: illegal char'],
    ['dafdaf', "At 1:8: key 'dafdaf' expected start of object ('{') or assignment ('=')"],
    ['path "x" { foo }', "At 1:16: key 'foo' expected start of object ('{') or assignment ('=')"],
    ['path "x" { capabilities = [-] }', 'At 1:28: unexpected token while parsing list: SUB'],
    ['path "x" { capabilities = [0x] }', 'At 1:30: illegal hexadecimal number'],
    ['path "x" { capabilities = 089 }', 'At 1:30: illegal octal number'],
    ['path "x" { capabilities = ["a\\q"] }', 'At 1:31: illegal char escape'],
    [
      'path "x" { capabilities = [{ = 1 }] }',
      'At 1:28: error while trying to parse object within list: At 1:30: no object keys found!',
    ],
    ['path "x" { capabilities = . }', 'At 1:27: Unknown token: 1:27 PERIOD .'],
    ['/* open', 'At 1:8: comment not terminated'],
    ['path "x" { capabilities = ["read"] } /', "At 1:38: expected '/' for comment"],
    ['path "x" { capabilities = ["read"] }\u0000', 'At 1:37: unexpected null character (0x00)'],
    ['path "x" { capabilities = ["\\400"] }', 'unquote "\\400" err: invalid syntax'],
    // JSON syntax (its errors carry no "At")
    ['{"path": {"x": {"capabilities": [true, "read", null]}}}', 'unexpected token while parsing list: NULL'],
    ['{"path": {"x": {"capabilities": ["a\\/b"]}}}', '1:37: illegal char escape'],
    ['{"path": {"x": ]}', 'Expected object value, got unknown token: 1:16 RBRACK ]'],
    ['{"path" 5}', 'expected: STRING got: NUMBER'],
  ])('refuses %j', (text, message) => {
    expect(caught(() => parsePolicy('p', text))).toEqual({
      message: `failed to parse policy: ${message}`,
      name: 'RequestError',
      status: 400,
    });
  });

  it('refuses empty text as the API does, before parsing', () => {
    expect(caught(() => parsePolicy('p', ''))).toEqual({
      message: "'policy' parameter not supplied or empty",
      name: 'RequestError',
      status: 400,
    });
  });

  it('refuses nesting deeper than it can follow, with the enclosing lists named as hcl names them', () => {
    // The path block's braces are the first level, so the 200th is the `[` at column 226.
    let expected = 'At 1:226: nesting deeper than 200 levels';
    for (let column = 226; column >= 28; column--) {
      expected = `At 1:${column}: error while trying to parse list within list: ${expected}`;
    }
    expect(caught(() => parsePolicy('p', `path "x" { capabilities = ${'['.repeat(300)} }`)).message).toBe(
      `failed to parse policy: ${expected}`,
    );
    expect(caught(() => parsePolicy('p', `{"a": ${'{"a": '.repeat(300)}`)).message).toBe(
      'failed to parse policy: nesting deeper than 200 levels',
    );
  });
});
