// The CDKTF WrappedToken through real cdktf synthesis (no Terraform binary): a plain `vault_token`
// with `wrapping_ttl`, its wrapped token referable as an output, and TTLs Vault cannot parse
// refused at synthesis with Vault's parse message.

import { VaultProvider } from '@cdktf/provider-vault/lib/provider/index.js';
import { TerraformOutput, Testing, TerraformStack } from 'cdktf';
import { expect, it } from 'vitest';
import { WrappedToken } from '../../modules/index.js';

function stackWith(props: ConstructorParameters<typeof WrappedToken>[2]): TerraformStack {
  const stack = new TerraformStack(Testing.app(), 'test');
  new VaultProvider(stack, 'vault', {});
  const t = new WrappedToken(stack, 'host-boot', props);
  new TerraformOutput(stack, 'wrapped', { value: t.wrappedToken, sensitive: true });
  return stack;
}

it('synthesizes a vault_token with wrapping_ttl and exposes the wrapped token', () => {
  const json = JSON.parse(
    Testing.synth(stackWith({ wrappingTtl: '30m', policies: ['host-bootstrap'], ttl: '1h', noDefaultPolicy: true })),
  );
  const tokens = Object.values(json.resource.vault_token) as Record<string, unknown>[];
  expect(tokens).toHaveLength(1);
  expect(tokens[0]).toMatchObject({
    wrapping_ttl: '30m',
    policies: ['host-bootstrap'],
    ttl: '1h',
    no_default_policy: true,
  });
  expect(json.output.wrapped).toMatchObject({ sensitive: true, value: expect.stringMatching(/wrapped_token/) });
});

it('refuses TTLs Vault cannot parse, or a zero wrapping TTL', () => {
  expect(() => Testing.fullSynth(stackWith({ wrappingTtl: '0', ttl: 'soon' }))).toThrow(
    /wrappingTtl: must be a positive duration, got "0"[\s\S]*ttl: "soon": time: invalid duration "soon"/,
  );
});
