// The certificate key id (reference §3.3): the request's key_id when the role allows it (verbatim),
// otherwise the role's key_id_format or Vault's default, with plain-text substitutions.

import { describe, expect, it } from 'vitest';
import { resolveKeyId } from '../../../core/policy/key-id.js';
import { parseSshPublicKey, publicKeyHash } from '../../../core/keys/public-key.js';
import { caRole, caught } from '../fixtures.js';

// publicKey2 and publicKey4096 from Vault's builtin/logical/ssh/backend_test.go: with them the
// hashes, and so the key ids, are the ones Vault's own tests expect.
const VAULT_PUBLIC_KEY_2 =
  'AAAAB3NzaC1yc2EAAAADAQABAAABAQDArgK0ilRRfk8E7HIsjz5l3BuxmwpDd8DHRCVfOhbZ4gOSVxjEOOqBwWGjygdboBIZwFXmwDlU6sWX0hBJAgpQz0Cjvbjxtq/NjkvATrYPgnrXUhTaEn2eQO0PsqRNSFH46SK/oJfTp0q8/WgojxWJ2L7FUV8PO8uIk49DzqAqPV7WXU63vFsjx+3WQOX/ILeQvHCvaqs3dWjjzEoDudRWCOdUqcHEOshV9azIzPrXlQVzRV3QAKl6u7pC+/Secorpwt6IHpMKoVPGiR0tMMuNOVH8zrAKzIxPGfy2WmNDpJopbXMTvSOGAqNcp49O4SKOQl9Fzfq2HEevJamKLrMB\n';
const VAULT_PUBLIC_KEY_4096 =
  'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAACAQC54Oj4YCFDYxYv69Q9KfU6rWYtUB1eByQdUW0nXFi/vr98QUIV77sEeUVhaQzZcuCojAi/GrloW7ta0Z2DaEv5jOQMAnGpXBcqLJsz3KdrHbpvl93MPNdmNaGPU0GnUEsjBVuDVn9HdIUa8CNrxShvPu7/VqoaRHKLqphGgzFb37vi4qvnQ+5VYAO/TzyVYMD6qJX6I/9Pw8d74jCfEdOh2yGKkP7rXWOghreyIl8H2zTJKg9KoZuPq9F5M8nNt7Oi3rf+DwQiYvamzIqlDP4s5oFVTZW0E9lwWvYDpyiJnUrkQqksebBK/rcyfiFG3onb4qLo2WVWXeK3si8IhGik/TEzprScyAWIf9RviT8O+l5hTA2/c+ctn3MVCLRNfez2lKpdxCoprv1MbIcySGWblTJEcY6RA+aauVJpu7FMtRxHHtZKtMpep8cLu8GKbiP6Ifq2JXBtXtNxDeIgo2MkNoMh/NHAsACJniE/dqV/+u9HvhvgrTbJ69ell0nE4ivzA7O4kZgbR/4MHlLgLFvaqC8RrWRLY6BdFagPIMxghWha7Qw16zqoIjRnolvRzUWvSXanJVg8Z6ua1VxwgirNaAH1ivmJhUh2+4lNxCX6jmZyR3zjJsWY03gjJTairvI762opjjalF8fH6Xrs15mB14JiAlNbk6+5REQcvXlGqw== dummy@example.com';

const hashOf = (text: string) => publicKeyHash(parseSshPublicKey(text).blob);
const HASH_2 = '22608f5ef173aabf700797cb95c5641e792698ec6380e8e1eb55523e39aa5e51';
const HASH_4096 = '9bd0f01b7dfc50a13aa5e5cd11aea19276968755c8f1f9c98965d04147f30ed0';

describe('resolveKeyId', () => {
  it("reproduces Vault's test values", () => {
    expect(hashOf(VAULT_PUBLIC_KEY_2)).toBe(HASH_2);
    expect(hashOf(VAULT_PUBLIC_KEY_4096)).toBe(HASH_4096);
    // root token, default format
    expect(resolveKeyId(caRole({}), 'testing', '', { displayName: 'root' }, HASH_2)).toBe(`vault-root-${HASH_2}`);
    // key_id_format on role "customrole"
    expect(
      resolveKeyId(
        caRole({ key_id_format: '{{role_name}}-{{token_display_name}}-{{public_key_hash}}' }),
        'customrole',
        '',
        { displayName: 'root' },
        HASH_2,
      ),
    ).toBe(`customrole-root-${HASH_2}`);
    // userpass user "vaultssh"
    expect(resolveKeyId(caRole({}), 'test', '', { displayName: 'userpass-vaultssh' }, HASH_4096)).toBe(
      `vault-userpass-vaultssh-${HASH_4096}`,
    );
  });

  it.each<[string, string, string]>([
    ['', '', `vault-${HASH_2}`],
    ['{{role_name}}', 'root', 'dev'],
    ['{{role_name}}/{{role_name}}', 'root', 'dev/dev'],
    ['{{token_display_name}}-x', '', '-x'],
    ['{{public_key_hash}}', 'root', HASH_2],
    ['{{unknown}}-{{role_name}}', 'root', '{{unknown}}-dev'],
    ['{{ role_name }}', 'root', '{{ role_name }}'],
    ['static id', 'root', 'static id'],
  ])('key_id_format %j with display name %j → %j', (format, displayName, keyId) => {
    expect(resolveKeyId(caRole({ key_id_format: format }), 'dev', '', { displayName }, HASH_2)).toBe(keyId);
  });

  it('uses a requested key_id verbatim (no templating) when allow_user_key_ids is set', () => {
    const role = caRole({ allow_user_key_ids: true, key_id_format: 'ignored' });
    expect(resolveKeyId(role, 'dev', 'my {{role_name}} id', { displayName: 'root' }, HASH_2)).toBe(
      'my {{role_name}} id',
    );
  });

  it('refuses a requested key_id without allow_user_key_ids', () => {
    expect(caught(() => resolveKeyId(caRole({}), 'dev', 'mine', { displayName: 'root' }, HASH_2))).toEqual({
      message: 'setting key_id is not allowed by role',
      name: 'RequestError',
      status: 400,
    });
  });
});
