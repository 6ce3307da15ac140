// SshRevocations (issue 20, point 1) through real cdktf synthesis (Testing.synth, no Terraform binary):
// the exact vault_kv_secret_v2 of a literal list (records as `sshca revoke` writes them, read back by
// the KRL planner), a CA key given as a reference (jsonencode at apply), and the core validator's
// messages failing synthesis.

import { VaultProvider } from '@cdktf/provider-vault/lib/provider/index.js';
import { Testing, TerraformStack, TerraformVariable } from 'cdktf';
import { describe, expect, it } from 'vitest';
import { parseRevocationList, planKrl } from '../../core/krl/revocations.js';
import { SshRevocations } from '../../modules/index.js';
import { generateKeyPair } from '../../server/ssh/generate-key-pair.js';

const ca = generateKeyPair('ed25519', 0).publicKey.trim();
const leaked = generateKeyPair('ed25519', 0).publicKey.trim();

function synth(build: (stack: TerraformStack) => void): Record<string, Record<string, Record<string, unknown>>> {
  const stack = new TerraformStack(Testing.app(), 'test');
  new VaultProvider(stack, 'vault', {});
  build(stack);
  return JSON.parse(Testing.synth(stack, true)).resource;
}

describe('SshRevocations', () => {
  it('synthesizes the whole list as one vault_kv_secret_v2, exactly', () => {
    const resources = synth(
      (s) =>
        new SshRevocations(s, 'dev', {
          mount: 'ssh-dev',
          caPublicKey: `${ca} vault\n`,
          revocations: [
            { serial: '0x1c2f', reason: 'laptop stolen', revokedAt: '2025-06-01T10:00:00Z' },
            { keyId: 'vault-root-alice', reason: 'left the company' },
            { publicKey: `${leaked} leaked@laptop` },
          ],
        }),
    );
    expect(Object.keys(resources)).toEqual(['vault_kv_secret_v2']);
    expect(Object.keys(resources.vault_kv_secret_v2!)).toHaveLength(1);
    const [only] = Object.values(resources.vault_kv_secret_v2!) as Record<string, unknown>[];
    const { '//': _meta, ...exact } = only!;
    const records = [
      {
        type: 'serial',
        serial: '7215',
        ca_key: ca,
        reason: 'laptop stolen',
        revoked_at: '2025-06-01T10:00:00Z',
        by: 'cdktf',
      },
      {
        type: 'key_id',
        key_id: 'vault-root-alice',
        ca_key: ca,
        reason: 'left the company',
        revoked_at: '',
        by: 'cdktf',
      },
      { type: 'public_key', public_key: leaked, ca_key: '', reason: '', revoked_at: '', by: 'cdktf' },
    ];
    expect(exact).toEqual({
      mount: 'sshca',
      name: 'revocations/ssh-dev',
      data_json: JSON.stringify({ revocations: records }),
    });
    // The records are what `sshca render --format krl` reads.
    const parsed = parseRevocationList(JSON.parse(exact.data_json as string));
    expect(planKrl(parsed, { caKeys: [ca], krlVersion: 1n, generatedDate: 0n }).certificates).toHaveLength(1);
  });

  it('a referenced CA key goes through jsonencode and trimspace', () => {
    const resources = synth((s) => {
      const key = new TerraformVariable(s, 'ca', { type: 'string' });
      new SshRevocations(s, 'dev', {
        mount: 'ssh-dev',
        kvMount: 'kv',
        caPublicKey: key.stringValue,
        revocations: [{ keyId: 'bob' }],
      });
    });
    const [only] = Object.values(resources.vault_kv_secret_v2!) as Record<string, unknown>[];
    expect(only!.mount).toBe('kv');
    expect(only!.data_json).toBe(
      '${jsonencode({"revocations" = [{"type" = "key_id", "key_id" = "bob", "ca_key" = trimspace(var.ca), "reason" = "", "revoked_at" = "", "by" = "cdktf"}]})}',
    );
  });

  it.each([
    [[{}], 'revocations[0].serial: revocations[0]: say what is revoked: serial, keyId or publicKey'],
    [
      [{ serial: 0 }],
      'revocations[0].serial: revocations[0].serial must be a decimal (as ssh-keygen -L shows it) or 0x<hex> between 1 and 2^64-1 (OpenSSH cannot revoke serial 0), got 0',
    ],
    [[{ keyId: 'a' }, { keyId: 'a' }], 'revocations[1]: revocations[1] repeats revocations[0] (key ID)'],
    [
      [{ publicKey: ca }],
      'revocations[0].publicKey: revocations[0].publicKey is the CA key of ssh-dev: revoking it would refuse every certificate of the mount; rotate the CA instead',
    ],
  ])('%j fails synthesis: %s', (revocations, message) => {
    expect(() =>
      synth((s) => new SshRevocations(s, 'dev', { mount: 'ssh-dev', caPublicKey: ca, revocations })),
    ).toThrow(message);
  });

  it('serials and key IDs need the CA key', () => {
    expect(() =>
      synth((s) => new SshRevocations(s, 'dev', { mount: 'ssh-dev', revocations: [{ keyId: 'a' }] })),
    ).toThrow("revocations[0].keyId: revocations[0].keyId needs caPublicKey (the mount's CA key)");
  });
});
