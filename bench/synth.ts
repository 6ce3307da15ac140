// Benchmark (not a test): CDKTF synthesis of the dev+prod example. In one run: the import time of the
// constructs module (with cdktf and the deep provider imports it pulls in), in-process synthesis of
// both stacks after import, and `npx cdktf synth` of examples/cdktf-dev-prod end to end. The in-process
// stacks are the example's: the scenario's roles and host principals (core/scenario.ts).
// Targets: in-process synth of both stacks ≤ 300 ms after import, module import ≤ 500 ms, CLI synth ≤ 5 s.
//
// Run: npm run bench:synth

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { SCENARIO_ENVIRONMENTS, SCENARIO_HOST_PRINCIPALS, SCENARIO_ROLES } from '../core/scenario.js';

const ROOT = resolve(import.meta.dirname, '../..');
const ms = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6;

async function main(): Promise<void> {
  console.log(`bench/synth: ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}\n`);
  let t0 = process.hrtime.bigint();
  const cdktf = await import('cdktf');
  const { AwsProvider } = await import('@cdktf/provider-aws/lib/provider/index.js');
  const { VaultProvider } = await import('@cdktf/provider-vault/lib/provider/index.js');
  const { SshEnvironment, TrustedEc2Hosts } = await import('../modules/index.js');
  const importMs = ms(t0);

  const synthBoth = () => {
    const out = mkdtempSync(join(tmpdir(), 'sshca-synth-'));
    const app = new cdktf.App({ outdir: out });
    for (const env of SCENARIO_ENVIRONMENTS) {
      const stack = new cdktf.TerraformStack(app, env);
      new VaultProvider(stack, 'vault', {});
      new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
      const e = new SshEnvironment(stack, 'ssh', {
        environment: env,
        roles: SCENARIO_ROLES,
        hostPrincipals: SCENARIO_HOST_PRINCIPALS[env],
      });
      new TrustedEc2Hosts(stack, 'hosts', {
        environment: e,
        names: ['web-1', 'web-2'],
        ami: 'ami-1',
        sshCidrs: ['10.0.0.0/8'],
      });
    }
    app.synth();
    rmSync(out, { recursive: true, force: true });
  };
  t0 = process.hrtime.bigint();
  synthBoth();
  const firstMs = ms(t0);
  const runs = 10;
  t0 = process.hrtime.bigint();
  for (let i = 0; i < runs; i++) synthBoth();
  const steadyMs = ms(t0) / runs;

  const out = mkdtempSync(join(tmpdir(), 'sshca-synth-cli-'));
  t0 = process.hrtime.bigint();
  execFileSync('npx', ['cdktf', 'synth', '--output', out], {
    cwd: join(ROOT, 'examples/cdktf-dev-prod'),
    env: { ...process.env, CHECKPOINT_DISABLE: '1', CI: '1' },
    stdio: 'ignore',
  });
  const cliMs = ms(t0);
  rmSync(out, { recursive: true, force: true });

  console.log(
    `import of the constructs module (cdktf + deep provider imports): ${importMs.toFixed(0)} ms   (target ≤ 500 ms)`,
  );
  console.log(
    `in-process synth of dev and prod, first after import:            ${firstMs.toFixed(0)} ms   (target ≤ 300 ms)`,
  );
  console.log(`in-process synth of dev and prod, mean of ${runs} more:              ${steadyMs.toFixed(0)} ms`);
  console.log(
    `npx cdktf synth of examples/cdktf-dev-prod:                       ${cliMs.toFixed(0)} ms  (target ≤ 5000 ms)`,
  );
  const ok = importMs <= 500 && firstMs <= 300 && cliMs <= 5000;
  console.log(`targets: ${ok ? 'met' : 'NOT met'}`);
}

await main();
