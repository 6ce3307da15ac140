// AclPolicy's parameter warnings (issue 14) through Pulumi's own dynamic-provider server: check
// passes a policy whose constraints name a parameter the path does not take (Vault accepts it) and
// logs the warning where the engine reads a dynamic provider's logs (its stderr); create writes the
// policy to the embedded server over HTTP unchanged. Stops short of the Pulumi CLI (not installable
// here, toolchain.md §3): the engine's passthrough of that stderr (pulumi/pulumi#18253) is not run.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aclPolicyProvider } from '../../providers/acl-policy.js';
import { serializeProvider, startProviderServer, type ProviderServer } from '../helpers/pulumi.js';
import { startTestServer, type TestServer } from '../helpers/vault-server.js';

const urn = (name: string) => `urn:pulumi:dev::test::pulumi-nodejs:dynamic/vault-ssh-ca:AclPolicy::${name}`;
let backend: TestServer;
let grpc: ProviderServer;
let text: string;

beforeAll(async () => {
  backend = await startTestServer();
  text = await serializeProvider(aclPolicyProvider);
  grpc = await startProviderServer();
});

afterAll(async () => {
  await grpc?.stop();
  await backend?.close();
});

/** The server's stderr once it holds `needle` (a pipe delivers it a moment after the RPC answer). */
async function stderrWith(needle: string): Promise<string> {
  for (let i = 0; i < 100 && !grpc.stderr().includes(needle); i++) await new Promise((r) => setTimeout(r, 20));
  return grpc.stderr();
}

const SHARED_ROLE_TYPO = `path "ssh-dev/sign/shared" {
  capabilities = ["update"]
  allowed_parameters = {
    "public_key" = []
    "valid_principal" = ["ubuntu"]
  }
}
`;

describe('AclPolicy parameter warnings', () => {
  it('a correct constraint logs nothing; a misspelt one passes check with a warning naming the policy, path and parameter', async () => {
    const inputs = (name: string, policy: string) => ({
      __provider: text,
      address: backend.url,
      token: backend.token,
      name,
      policy,
    });
    const good = inputs('dev-shared-ok', SHARED_ROLE_TYPO.replace('"valid_principal"', '"valid_principals"'));
    expect((await grpc.check(urn('ok'), {}, good)).failures).toEqual([]);

    const typo = inputs('dev-shared', SHARED_ROLE_TYPO);
    const checked = await grpc.check(urn('shared'), {}, typo);
    expect(checked.failures).toEqual([]);
    const line =
      'warning: [runtime] AclPolicy "dev-shared": path "ssh-dev/sign/shared": allowed_parameters names ' +
      '"valid_principal", which ssh-dev/sign/:role does not take (did you mean "valid_principals"?); it takes ' +
      'cert_type, critical_options, extensions, key_id, public_key, ttl, valid_principals\n';
    const stderr = await stderrWith('AclPolicy "dev-shared"');
    expect(stderr.split(/(?<=\n)/).filter((l) => l.includes('AclPolicy'))).toEqual([line]);

    // Vault (and the embedded server) stores it as written: a warning, not a refusal.
    await grpc.create(urn('shared'), checked.inputs);
    const stored = await backend.request('GET', '/v1/sys/policies/acl/dev-shared');
    expect(stored.json.data.policy).toBe(SHARED_ROLE_TYPO);
  });
});
