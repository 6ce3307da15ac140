// Benchmark (not a test): the embedded server signing over HTTP. `sshca serve --dev` runs as its own
// process; this process is the load generator (keep-alive, 1, 16 and 64 concurrent clients) on the
// same machine. Printed side by side from one run: signs/s and p50/p99 latency per concurrency, the
// in-process core signing rate, the server's RSS under load, and the time from spawning the server
// to its first 200 on /v1/sys/health.
// Targets (2 cores, load generator on the same machine): ≥ 5,000 ed25519 signs/s at 64 concurrent
// with p99 ≤ 25 ms, RSS ≤ 150 MB, start ≤ 500 ms.
//
// Run: npm run bench:http-sign

import { VaultClient, enableMount, generateCa, writeRole } from '../client/index.js';
import { generateKeyPair } from '../server/ssh/generate-key-pair.js';
import { freePort } from '../cli/scenario/local-hosts.js';
import { BENCH_ROLE, coreSignRate, fmt } from './core-signing.js';
import { BENCH_TOKEN, load, machine, post, rssMb, startServer, type LoadResult } from './http-load.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const CONCURRENCY = [1, 16, 64] as const;

async function main(): Promise<void> {
  console.log(`bench/http-sign: ${machine()}`);
  console.log(`(${SECONDS} s per concurrency after a 1 s warm-up; server and load generator on this machine)\n`);
  const port = await freePort('127.0.0.1');
  const { child, startMs } = await startServer(port);
  try {
    const client = new VaultClient({ address: `http://127.0.0.1:${port}`, token: BENCH_TOKEN });
    await enableMount(client, 'ssh', { type: 'ssh' });
    await generateCa(client, 'ssh');
    await writeRole(client, 'ssh', 'developer', BENCH_ROLE);
    const user = generateKeyPair('ed25519', 0);
    const body = JSON.stringify({ public_key: user.publicKey, valid_principals: 'ubuntu' });

    const core = coreSignRate(generateKeyPair('ed25519', 0), user.publicKey, SECONDS);
    console.log(`in-process core signer (ed25519 CA): ${fmt(core)} certificates/s\n`);
    console.log('concurrent   signs/s   p50 ms   p99 ms   server RSS MB (max)   share of in-process');
    let at64: LoadResult | undefined;
    for (const c of CONCURRENCY) {
      const op = post(port, '/v1/ssh/sign/developer', body);
      await load({ pid: child.pid!, concurrency: c, seconds: 1, op });
      const r = await load({ pid: child.pid!, concurrency: c, seconds: SECONDS, op });
      if (c === 64) at64 = r;
      console.log(
        `${String(c).padStart(10)}   ${fmt(r.perSecond).padStart(7)}   ${r.p50.toFixed(2).padStart(6)}   ` +
          `${r.p99.toFixed(2).padStart(6)}   ${r.maxRssMb.toFixed(1).padStart(19)}   ${((100 * r.perSecond) / core).toFixed(1).padStart(18)} %`,
      );
    }
    const peak = rssMb(child.pid!, 'VmHWM');
    console.log(`\nserver peak RSS (VmHWM): ${peak.toFixed(1)} MB`);
    console.log(`server start to first 200 on /v1/sys/health: ${startMs.toFixed(0)} ms`);
    const ok = at64!.perSecond >= 5000 && at64!.p99 <= 25 && peak <= 150 && startMs <= 500;
    console.log(
      `target (≥ 5,000 signs/s at 64 with p99 ≤ 25 ms, RSS ≤ 150 MB, start ≤ 500 ms): ${ok ? 'met' : 'NOT met'}`,
    );
  } finally {
    child.kill('SIGTERM');
  }
}

await main();
