// The SshCertificateAuthority provider with `rotation` (issue 20, point 2) serializes and runs the
// same whatever runs the Pulumi program: tsc output (dist/) and tsx (TypeScript source), as
// test/providers/serialization.test.ts does for the other providers. The serialized text reaches
// core/rotation.ts and the rotation orchestration in client/ssh-api.ts; it is executed by Pulumi's
// dynamic-provider server through stages 1 and 2 against the embedded server.

import { execFile } from 'node:child_process';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startProviderServer, type ProviderServer } from '../helpers/pulumi.js';
import { startTestServer, type TestServer } from '../helpers/vault-server.js';

const ROOT = resolve(import.meta.dirname, '../..');
const run = promisify(execFile);
let backend: TestServer;
let grpc: ProviderServer;

beforeAll(async () => {
  backend = await startTestServer();
  grpc = await startProviderServer();
});

afterAll(async () => {
  await grpc?.stop();
  await backend?.close();
});

/** The provider's serialized text, made in a fresh process from a program file in the project. */
async function serializeWith(runner: string[], module: string): Promise<string> {
  const program = join(ROOT, `.serialize-rotation-${process.pid}-${Math.random().toString(36).slice(2)}.mjs`);
  writeFileSync(
    program,
    `import * as pulumi from '@pulumi/pulumi';
const provider = (await import(${JSON.stringify(module)})).sshCaProvider;
const { text } = await pulumi.runtime.serializeFunction(() => provider, { allowSecrets: true });
process.stdout.write(text);
`,
  );
  try {
    return (await run(runner[0]!, [...runner.slice(1), program], { cwd: ROOT, encoding: 'utf8' })).stdout;
  } finally {
    rmSync(program);
  }
}

it.each([
  ['tsc output', [process.execPath], resolve(ROOT, 'dist/providers/ssh-ca.js'), 'js'],
  ['tsx', [process.execPath, '--import', 'tsx'], resolve(ROOT, 'providers/ssh-ca.ts'), 'ts'],
])(
  'the CA provider with rotation serialized from %s runs stages 1 and 2',
  { timeout: 60_000 },
  async (label, runner, module, ext) => {
    if (label === 'tsc output' && !existsSync(module))
      throw new Error(`${module} is missing: run "npm run build" first`);
    const text = await serializeWith(runner, module);
    expect(text).not.toContain(backend.token);
    const urn = `urn:pulumi:dev::test::pulumi-nodejs:dynamic/vault-ssh-ca:SshCa::${ext}`;
    const mount = `ssh-${ext}`;
    await backend.request('POST', `/v1/sys/mounts/${mount}`, { type: 'ssh' });
    const inputs = { __provider: text, address: backend.url, token: backend.token, mount };
    const one = { ...inputs, rotation: { stage: 1 } };
    expect((await grpc.check(urn, {}, one)).failures).toEqual([]);
    const { id, outs } = await grpc.create(urn, one);
    expect(outs.trustedKeys).toHaveLength(2);
    const two = { ...inputs, rotation: { stage: 2 } };
    expect((await grpc.check(urn, one, two)).failures).toEqual([]);
    const after = await grpc.update(urn, id, outs, two);
    expect(after.publicKey).toBe((outs.trustedKeys as string[])[1]);
    expect(after.trustedKeys).toEqual([(outs.trustedKeys as string[])[1], outs.publicKey]);
    await backend.request('DELETE', `/v1/sys/mounts/${mount}`);
  },
);
