// The legacy dynamic-key mode's pure rules (core/dynamic-keys.ts, issue 23): Vault 1.12's role checks
// in its order with its messages, our additions, the pins parser, and the installed line.

import { describe, expect, it } from 'vitest';
import {
  dynamicKeyLine,
  hasHostKeyPins,
  planDynamicRoleIssues,
  validateKnownHostsPins,
} from '../../core/dynamic-keys.js';
import { parseRoleWrite, roleFromFields, roleToWire } from '../../core/role.js';

const ED = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJm4oTTmMBWOjm8YCRX4kqI0LjfzKgJ2SRuMFrqq6Rmg';
const fields = (o: Record<string, unknown>) => new Map(Object.entries(o));

describe('validateKnownHostsPins', () => {
  it.each([
    [
      'plain lines, comments, blank lines and a CA line',
      `# pins\n\n[10.0.0.5]:2222 ${ED}\n@cert-authority *.internal ${ED} ca`,
      [],
    ],
    [
      'a line with two words',
      'garbage line',
      ['known_hosts line 1: expected "<host patterns> <key type> <base64 key>", as ssh-keyscan prints'],
    ],
    [
      '@revoked',
      `@revoked * ${ED}`,
      ['known_hosts line 1: unknown marker "@revoked"; only @cert-authority is allowed'],
    ],
    [
      'a key of another type',
      `h ssh-rsa ${ED.split(' ')[1]}`,
      ['known_hosts line 1: the key is not a base64 ssh-rsa public key'],
    ],
    [
      'a key that is not base64',
      `h ssh-ed25519 AAAA!!`,
      ['known_hosts line 1: the key is not a base64 ssh-ed25519 public key'],
    ],
  ])('%s', (_, text, issues) => {
    expect(validateKnownHostsPins(text)).toEqual(issues);
  });

  it('counts pins, not comments', () => {
    expect([hasHostKeyPins('# none\n\n'), hasHostKeyPins(`h ${ED}`)]).toEqual([false, true]);
  });
});

describe('planDynamicRoleIssues', () => {
  const ok = { key: 'admin', admin_user: 'vaultadmin', default_user: 'ubuntu' };
  it.each([
    [{ ...ok, default_user: '' }, false, 'missing default user'],
    [{ ...ok, key: '' }, false, 'missing key name'],
    [ok, false, `invalid 'key': "admin"`],
    [{ ...ok, admin_user: '' }, true, 'missing admin username'],
    [{ ...ok, key_bits: 4000 }, true, 'invalid key_bits field'],
    [{ ...ok, admin_user: 'a b' }, true, 'admin_user "a b" is not an account name: use letters, digits, _ . -'],
  ])('%j (key stored: %s) → %s', (f, keyExists, message) => {
    expect(planDynamicRoleIssues(fields(f), keyExists)[0]).toBe(message);
  });

  it('accepts a complete role', () => {
    expect(planDynamicRoleIssues(fields({ ...ok, known_hosts: `h ${ED}` }), true)).toEqual([]);
  });
});

describe('dynamic roles in the role model', () => {
  it('refuses them without the legacy mode, as Vault >= 1.13', () => {
    expect(() => parseRoleWrite({ key_type: 'dynamic', default_user: 'u' })).toThrow(
      'dynamic key type roles are no longer supported',
    );
  });

  it('stores and reads them back with the legacy mode (key_bits 0 → 2048, port 0 → 22)', () => {
    const role = roleFromFields(
      fields({
        key_type: 'dynamic',
        key: 'admin',
        admin_user: 'vaultadmin',
        default_user: 'ubuntu',
        key_bits: 0,
        port: 0,
      }),
      { legacyDynamicKeys: true, keyExists: true },
    );
    expect(roleToWire(role)).toEqual({
      allowed_users: '',
      default_user: 'ubuntu',
      key_type: 'dynamic',
      cidr_list: '',
      exclude_cidr_list: '',
      port: 22,
      key: 'admin',
      admin_user: 'vaultadmin',
      key_bits: 2048,
      install_script: '',
      key_option_specs: '',
      known_hosts: '',
      insecure_ignore_host_key: false,
    });
  });
});

describe('dynamicKeyLine', () => {
  it("puts the role's options before the key, as Vault did", () => {
    expect(dynamicKeyLine(`${ED}\n`, '')).toBe(ED);
    expect(dynamicKeyLine(`${ED}\n`, 'no-pty,from="10.0.0.0/8"')).toBe(`no-pty,from="10.0.0.0/8" ${ED}`);
  });
});
