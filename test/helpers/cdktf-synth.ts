// Synthesizing a CDKTF stack in a test: a stack with the Vault provider, built by the test, synthesized
// with cdktf's validations on; its resources by type with the `//` metadata removed, or the error that
// stopped synthesis.

import { VaultProvider } from '@cdktf/provider-vault/lib/provider/index.js';
import { Testing, TerraformStack } from 'cdktf';

export type Resources = Record<string, Record<string, Record<string, unknown>>>;

/** Synthesize a stack built by `build`: its resources by type, metadata removed. */
export function synth(build: (stack: TerraformStack) => void): Resources {
  const stack = new TerraformStack(Testing.app(), 'test');
  new VaultProvider(stack, 'vault', {});
  build(stack);
  const json = JSON.parse(Testing.synth(stack, true)) as { resource: Resources };
  for (const byId of Object.values(json.resource))
    for (const attrs of Object.values(byId)) delete (attrs as Record<string, unknown>)['//'];
  return json.resource;
}

/** The validation error of a stack (undefined when it synthesizes). */
export function synthError(build: (stack: TerraformStack) => void): string | undefined {
  try {
    synth(build);
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}
