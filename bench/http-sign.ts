// Benchmark (not a test): the embedded server signing over HTTP. The server runs as its own process;
// this process is the load generator (keep-alive, 1, 16 and 64 concurrent clients) on the same
// machine. One run measures, side by side, three configurations, each in a server of its own:
//   memory          `sshca serve --dev`, no audit device (the baseline)
//   memory+audit    `sshca serve --dev` with a file audit device
//   data-dir+audit  `sshca serve --data-dir <temp dir>` with a file audit device (production)
// and prints signs/s and p50/p99 latency per concurrency, the in-process core signing rate, each
// server's peak RSS and its time from spawn to the first 200 on /v1/sys/health.
// Targets (2 cores, load generator on the same machine): baseline ≥ 5,000 ed25519 signs/s at 64
// concurrent with p99 ≤ 25 ms, RSS ≤ 150 MB, start ≤ 500 ms; data-dir+audit at 64 ≥ 75 % of the
// baseline's rate measured in the same run, with p99 ≤ 25 ms (issue 22).
//
// Run: npm run bench:http-sign   (BENCH_SECONDS=n per concurrency, default 3)

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VaultClient, enableAudit, enableMount, generateCa, writeRole } from '../client/index.js';
import { generateKeyPair } from '../server/ssh/generate-key-pair.js';
import { freePort } from '../cli/scenario/local-hosts.js';
import { BENCH_ROLE, coreSignRate, fmt } from './core-signing.js';
import { load, machine, post, rssMb, startServer, type LoadResult } from './http-load.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const CONCURRENCY = [1, 16, 64] as const;

interface Config {
  readonly name: string;
  readonly dataDir: boolean;
  readonly audit: boolean;
}

const CONFIGS: readonly Config[] = [
  { name: 'memory', dataDir: false, audit: false },
  { name: 'memory+audit', dataDir: false, audit: true },
  { name: 'data-dir+audit', dataDir: true, audit: true },
];

interface Measured {
  readonly byConcurrency: ReadonlyMap<number, LoadResult>;
  readonly peakRssMb: number;
  readonly startMs: number;
}

/** Start a server in `config`, set up the mount, CA, role (and audit device), load it at each concurrency. */
async function measure(config: Config, publicKey: string): Promise<Measured> {
  const temp = mkdtempSync(join(tmpdir(), 'sshca-bench-'));
  const port = await freePort('127.0.0.1');
  const { child, startMs, token } = await startServer(port, config.dataDir ? { dataDir: join(temp, 'data') } : {});
  try {
    const client = new VaultClient({ address: `http://127.0.0.1:${port}`, token });
    if (config.audit)
      await enableAudit(client, 'file', { type: 'file', options: { file_path: join(temp, 'audit.log') } });
    await enableMount(client, 'ssh', { type: 'ssh' });
    await generateCa(client, 'ssh');
    await writeRole(client, 'ssh', 'developer', BENCH_ROLE);
    const body = JSON.stringify({ public_key: publicKey, valid_principals: 'ubuntu' });
    const byConcurrency = new Map<number, LoadResult>();
    for (const c of CONCURRENCY) {
      const op = post(port, '/v1/ssh/sign/developer', body, token);
      await load({ pid: child.pid!, concurrency: c, seconds: 1, op });
      byConcurrency.set(c, await load({ pid: child.pid!, concurrency: c, seconds: SECONDS, op }));
    }
    return { byConcurrency, peakRssMb: rssMb(child.pid!, 'VmHWM'), startMs };
  } finally {
    child.kill('SIGTERM');
    await new Promise((done) => child.once('exit', done));
    rmSync(temp, { recursive: true, force: true });
  }
}

const cell = (r: LoadResult) =>
  `${fmt(r.perSecond).padStart(7)} ${r.p50.toFixed(2).padStart(6)} ${r.p99.toFixed(2).padStart(6)}`;

async function main(): Promise<void> {
  console.log(`bench/http-sign: ${machine()}`);
  console.log(`(${SECONDS} s per concurrency after a 1 s warm-up; server and load generator on this machine)\n`);
  const user = generateKeyPair('ed25519', 0);
  const core = coreSignRate(generateKeyPair('ed25519', 0), user.publicKey, SECONDS);
  console.log(`in-process core signer (ed25519 CA): ${fmt(core)} certificates/s\n`);

  const results = new Map<string, Measured>();
  for (const config of CONFIGS) results.set(config.name, await measure(config, user.publicKey));
  const base = results.get('memory')!;
  const prod = results.get('data-dir+audit')!;

  console.log(`${''.padStart(10)}   ${CONFIGS.map((c) => c.name.padEnd(22)).join('   ')}`);
  console.log(
    `concurrent   ${CONFIGS.map(() => `signs/s p50 ms p99 ms`.padEnd(22)).join('   ')}   baseline share of in-process`,
  );
  for (const c of CONCURRENCY) {
    const cells = CONFIGS.map((config) => cell(results.get(config.name)!.byConcurrency.get(c)!).padEnd(22));
    const share = (100 * base.byConcurrency.get(c)!.perSecond) / core;
    console.log(`${String(c).padStart(10)}   ${cells.join('   ')}   ${share.toFixed(1).padStart(27)} %`);
  }
  console.log(
    `${'peak RSS'.padStart(10)}   ${CONFIGS.map((c) => `${results.get(c.name)!.peakRssMb.toFixed(1)} MB (VmHWM)`.padEnd(22)).join('   ')}`,
  );
  console.log(
    `${'start'.padStart(10)}   ${CONFIGS.map((c) => `${results.get(c.name)!.startMs.toFixed(0)} ms to health 200`.padEnd(22)).join('   ')}`,
  );

  const b64 = base.byConcurrency.get(64)!;
  const p64 = prod.byConcurrency.get(64)!;
  const baseOk = b64.perSecond >= 5000 && b64.p99 <= 25 && base.peakRssMb <= 150 && base.startMs <= 500;
  console.log(
    `\nbaseline target (≥ 5,000 signs/s at 64 with p99 ≤ 25 ms, RSS ≤ 150 MB, start ≤ 500 ms): ${baseOk ? 'met' : 'NOT met'}`,
  );
  const ratio = (100 * p64.perSecond) / b64.perSecond;
  const prodOk = ratio >= 75 && p64.p99 <= 25;
  console.log(
    `data-dir+audit at 64: ${fmt(p64.perSecond)} signs/s = ${ratio.toFixed(1)} % of the baseline's ${fmt(b64.perSecond)}, ` +
      `p99 ${p64.p99.toFixed(2)} ms`,
  );
  console.log(`production target (≥ 75 % of the baseline at 64, p99 ≤ 25 ms): ${prodOk ? 'met' : 'NOT met'}`);
}

await main();
