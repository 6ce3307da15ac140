// Property: whatever text a client sends as a policy, parsing either yields a policy whose rules hold
// only Vault's capabilities (and whose ACL answers every path) or fails with a RequestError carrying
// Vault's `failed to parse policy: …` prefix — never any other exception. Inputs are seeded, so
// every run sees the same 4,000 documents: mutations of real policies (HCL, JSON, heredocs, control
// groups), token soup, base64 of mutations and of random bytes, and random text with NUL, lone
// surrogates and non-ASCII.

import { describe, expect, it } from 'vitest';
import { compileAcl } from '../../../core/acl/acl.js';
import { CAPABILITIES, parsePolicy, type Policy } from '../../../core/acl/policy-document.js';
import { isRequestError } from '../../../core/errors.js';
import { prng } from '../fixtures.js';

const BASES = [
  'path "ssh/sign/user-role" {\n  capabilities = ["create", "update"] # signer\n}\n',
  '# admins\npath "/ssh/*" { capabilities = ["create","read","update","delete","list"] }\npath "ssh/+/dev" { policy = "read" }\n/* c */ path "x+" {}',
  '{"path": {"ssh/sign/dev": {"capabilities": ["update"]}, "ssh/+/x": {"policy": "deny", "min_wrapping_ttl": 5}}}',
  '{"name": "n", "path": [{"a": {"capabilities": ["read", null, true, 1.5]}}]}',
  'path "x" {\n  policy = <<-EOF\n    read\n    EOF\n  capabilities = ["\\u00e9", "\\x41", "${a}"]\n}\n',
  'path "s/*" {\n  capabilities = ["read"]\n  allowed_parameters = { "a" = ["*", 1, 0x1F, {b = [true]}] }\n  min_wrapping_ttl = "1h"\n  max_wrapping_ttl = 1.5\n  control_group = { ttl = "4h" factor "f" { identity { group_names = ["g"] approvals = "2" } } }\n}',
  'name = "a"\npath "identity/{{identity.entity.id}}/*" { capabilities = ["read"] required_parameters = ["x"] }',
];

const ALPHABET = [
  ...'{}[]=":,\\/*+#.-<\n\t 0189abcdexEOF_',
  '\u0000',
  '\ud800',
  'é',
  '😀',
  '\ue123',
  '\r\n',
  '${',
  '{{',
  '}}',
  '<<EOF\n',
  '/*',
  '*/',
  '0x',
  '08',
  '1e',
  'null',
  'true',
];

const TOKENS = [
  'path',
  'name',
  '"x"',
  '"ssh/*"',
  '{',
  '}',
  '[',
  ']',
  '=',
  ',',
  ':',
  '"read"',
  '"deny"',
  'capabilities',
  'policy',
  'control_group',
  'factor',
  'identity',
  '<<EOF\nread\nEOF\n',
  '# c\n',
  '/* c */',
  '0x1f',
  '1.5e3',
  '-',
  '.',
  '"\\u12',
  '"a\\400"',
  '\n',
];

function mutate(rand: () => number, text: string): string {
  const chars = [...text];
  const edits = 1 + Math.floor(rand() * 6);
  for (let e = 0; e < edits; e++) {
    const at = Math.floor(rand() * (chars.length + 1));
    const op = rand();
    if (op < 0.35) chars.splice(at, 1 + Math.floor(rand() * 3));
    else if (op < 0.75) chars.splice(at, 0, ALPHABET[Math.floor(rand() * ALPHABET.length)]!);
    else if (op < 0.9) chars.splice(at, 0, ...chars.slice(Math.floor(rand() * chars.length)).slice(0, 8));
    else chars.length = Math.min(chars.length, at);
  }
  return chars.join('');
}

function documents(count: number): string[] {
  const rand = prng(20261123);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const kind = i % 5;
    if (kind <= 1) out.push(mutate(rand, pick(BASES)));
    else if (kind === 2) out.push(Array.from({ length: 1 + Math.floor(rand() * 25) }, () => pick(TOKENS)).join(' '));
    else if (kind === 3) out.push(Buffer.from(mutate(rand, pick(BASES))).toString('base64'));
    else if (i % 10 === 4) out.push(Array.from({ length: Math.floor(rand() * 40) }, () => pick(ALPHABET)).join(''));
    // base64 of random bytes: the decoded text is rarely UTF-8, as a client may send
    else
      out.push(
        Buffer.from(Array.from({ length: 1 + Math.floor(rand() * 30) }, () => Math.floor(rand() * 256))).toString(
          'base64',
        ),
      );
  }
  return out;
}

function probePaths(policy: Policy): string[] {
  return policy.rules.flatMap((r) => [
    r.pattern,
    r.pattern.replaceAll('+', 'seg').replace(/\*$/, 'x'),
    `${r.pattern}/`,
  ]);
}

describe('parsePolicy fuzz', () => {
  it('answers 4,000 random and mutated documents with a policy or a RequestError, nothing else', () => {
    let parsed = 0;
    let refused = 0;
    for (const text of documents(4000)) {
      let policy: Policy;
      try {
        policy = parsePolicy('fuzz', text);
      } catch (err) {
        if (!isRequestError(err)) throw new Error(`input ${JSON.stringify(text)} threw ${String(err)}`);
        const ok = text === '' || err.message.startsWith('failed to parse policy: ');
        if (!ok) throw new Error(`input ${JSON.stringify(text)} gave ${JSON.stringify(err.message)}`);
        refused++;
        continue;
      }
      parsed++;
      for (const rule of policy.rules) {
        for (const cap of rule.capabilities) expect(CAPABILITIES).toContain(cap);
        if (rule.capabilities.has('deny')) expect(rule.capabilities.size).toBe(1);
      }
      const acl = compileAcl([policy]);
      for (const path of probePaths(policy)) {
        for (const cap of acl.capabilities(path)) expect(cap).not.toBe('deny');
        acl.allows(path, 'update', { sudo: true });
      }
    }
    // Both outcomes occur often, so the property is exercised on both sides.
    expect(parsed).toBeGreaterThan(100);
    expect(refused).toBeGreaterThan(2000);
  });

  it('is deterministic: the same text gives the same policy or the same message', () => {
    for (const text of documents(300)) {
      const run = () => {
        try {
          return parsePolicy('fuzz', text);
        } catch (e) {
          return (e as Error).message;
        }
      };
      expect(run()).toEqual(run());
    }
  });
});
