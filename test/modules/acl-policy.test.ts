// The CDKTF AclPolicy through real cdktf synthesis (no Terraform binary): the document goes into a
// plain `vault_policy`, a constraint naming a parameter the path does not take becomes a warning
// annotation in the manifest `cdktf synth` reads (synthesis still succeeds: Vault accepts such a
// policy), and a document Vault cannot parse fails synthesis with Vault's message.

import { rmSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { VaultProvider } from '@cdktf/provider-vault/lib/provider/index.js';
import { Fn, Testing, TerraformStack } from 'cdktf';
import { describe, expect, it } from 'vitest';
import { AclPolicy } from '../../modules/index.js';

const SHARED_ROLE_TYPO = `path "ssh-dev/sign/shared" {
  capabilities = ["update"]
  allowed_parameters = {
    "public_key" = []
    "valid_principal" = ["ubuntu"]
  }
}
`;

function stackWith(policy: string): TerraformStack {
  const stack = new TerraformStack(Testing.app(), 'test');
  new VaultProvider(stack, 'vault', {});
  new AclPolicy(stack, 'shared', { name: 'dev-shared', policy });
  return stack;
}

/** Synthesize as `cdktf synth` does and return the stack's annotations from manifest.json. */
function annotations(stack: TerraformStack): { constructPath: string; level: string; message: string }[] {
  const outdir = Testing.fullSynth(stack);
  try {
    const manifest = JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8'));
    return manifest.stacks.test.annotations.map(({ constructPath, level, message }: Record<string, string>) => ({
      constructPath,
      level,
      message,
    }));
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

describe('AclPolicy (CDKTF)', () => {
  it('synthesizes the document as written and warns about a misspelt constrained parameter', () => {
    const stack = stackWith(SHARED_ROLE_TYPO);
    const json = JSON.parse(Testing.synth(stack, true));
    expect(Object.values(json.resource.vault_policy)).toEqual([{ name: 'dev-shared', policy: SHARED_ROLE_TYPO }]);
    expect(annotations(stack)).toEqual([
      {
        constructPath: 'test/shared',
        level: '@cdktf/warn',
        message:
          'path "ssh-dev/sign/shared": allowed_parameters names "valid_principal", which ssh-dev/sign/:role does not ' +
          'take (did you mean "valid_principals"?); it takes cert_type, critical_options, extensions, key_id, ' +
          'public_key, ttl, valid_principals',
      },
    ]);
  });

  it('has no annotation when every constrained parameter is one the path takes', () => {
    expect(annotations(stackWith(SHARED_ROLE_TYPO.replace('"valid_principal"', '"valid_principals"')))).toEqual([]);
  });

  it('fails synthesis with Vault’s message for a document Vault refuses', () => {
    const stack = stackWith('path "x" { capabilities = ["foo"] }');
    expect(() => Testing.synth(stack, true)).toThrow(
      'policy: failed to parse policy: path "x": invalid capability "foo"',
    );
  });

  it('passes a Terraform reference through unchecked', () => {
    const stack = stackWith(Fn.file('policy.hcl'));
    expect(annotations(stack)).toEqual([]);
    const policies = JSON.parse(Testing.synth(stack, true)).resource.vault_policy;
    expect(Object.values(policies)).toEqual([{ name: 'dev-shared', policy: '${file("policy.hcl")}' }]);
  });
});
