// Benchmark (not a test): one-time passwords over HTTP. `sshca serve --dev` (in-memory storage) runs
// as its own process on a loopback port; this process is the load generator on the same machine, 16
// concurrent keep-alive clients. One operation is a pair, as one OTP login makes it: `creds` (the
// user's client, with a token; the server stores a salted hash and a lease) then `verify` with the
// OTP it returned (the host's helper, no token; the server deletes it). Measured in the same run and
// printed beside it: ed25519 signs/s over HTTP at the same concurrency (the certificate login's one
// request), and the requests/s of both.
// Target (this machine, load generator on it too): ≥ 2,000 pairs/s at 16 concurrent with p99 ≤ 25 ms.
// Bounded: BENCH_SECONDS (default 3) per phase after a 1 s warm-up, and at most BENCH_MAX_OPS
// (default 200,000) operations per phase.
//
// Run: npm run bench:otp

import type { Agent } from 'node:http';
import { loadavg } from 'node:os';
import { VaultClient, enableMount, generateCa, writeRole } from '../client/index.js';
import { freePort } from '../cli/scenario/local-hosts.js';
import { generateKeyPair } from '../server/ssh/generate-key-pair.js';
import { BENCH_ROLE, fmt } from './core-signing.js';
import { BENCH_TOKEN, exchange, load, machine, post, rssMb, startServer, type LoadResult } from './http-load.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const MAX_OPS = Number(process.env.BENCH_MAX_OPS ?? 200_000);
const CONCURRENCY = 16;
const TARGET_PAIRS = 2000;
const TARGET_P99_MS = 25;

/** One OTP login's backend work: creds, then verify of the OTP it gave (anonymous, as the helper). */
const pair =
  (port: number) =>
  async (agent: Agent): Promise<void> => {
    const c = await exchange(agent, port, 'POST', '/v1/ssh/creds/otp', '{"ip":"10.0.1.5"}');
    if (c.status !== 200) throw new Error(`creds answered ${c.status}: ${c.body}`);
    const otp = (JSON.parse(c.body) as { data: { key: string } }).data.key;
    const v = await exchange(agent, port, 'POST', '/v1/ssh/verify', JSON.stringify({ otp }), null);
    if (v.status !== 200) throw new Error(`verify answered ${v.status}: ${v.body}`);
  };

const row = (what: string, r: LoadResult, requestsPerOp: number) =>
  `${what.padEnd(22)} ${fmt(r.perSecond).padStart(7)}   ${fmt(r.perSecond * requestsPerOp).padStart(10)}   ` +
  `${r.p50.toFixed(2).padStart(6)}   ${r.p99.toFixed(2).padStart(6)}   ${r.maxRssMb.toFixed(1).padStart(13)}`;

async function main(): Promise<void> {
  console.log(`bench/otp: ${machine()}; load average ${loadavg()[0]!.toFixed(2)} at the start`);
  console.log(
    `(${CONCURRENCY} concurrent clients, ${SECONDS} s per phase after a 1 s warm-up, at most ${fmt(MAX_OPS)} operations; ` +
      'server (in-memory) and load generator on this machine, loopback)\n',
  );
  const port = await freePort('127.0.0.1');
  const { child } = await startServer(port);
  try {
    const client = new VaultClient({ address: `http://127.0.0.1:${port}`, token: BENCH_TOKEN });
    await enableMount(client, 'ssh', { type: 'ssh' });
    await generateCa(client, 'ssh');
    await writeRole(client, 'ssh', 'developer', BENCH_ROLE);
    await writeRole(client, 'ssh', 'otp', { key_type: 'otp', default_user: 'ubuntu', cidr_list: '10.0.0.0/16' });
    const user = generateKeyPair('ed25519', 0);
    const signOp = post(port, '/v1/ssh/sign/developer', JSON.stringify({ public_key: user.publicKey }));
    const pairOp = pair(port);
    const pid = child.pid!;

    await load({ pid, concurrency: CONCURRENCY, seconds: 1, maxOps: MAX_OPS, op: pairOp });
    const pairs = await load({ pid, concurrency: CONCURRENCY, seconds: SECONDS, maxOps: MAX_OPS, op: pairOp });
    await load({ pid, concurrency: CONCURRENCY, seconds: 1, maxOps: MAX_OPS, op: signOp });
    const signs = await load({ pid, concurrency: CONCURRENCY, seconds: SECONDS, maxOps: MAX_OPS, op: signOp });

    console.log('operation (16 clients)    ops/s   requests/s   p50 ms   p99 ms   server RSS MB');
    console.log(row('creds + verify pair', pairs, 2));
    console.log(row('sign (ed25519 cert)', signs, 1));
    console.log(
      `\n${fmt(pairs.count)} pairs and ${fmt(signs.count)} signs measured; ` +
        `an OTP login costs the backend ${(signs.perSecond / pairs.perSecond).toFixed(2)}× the time of a certificate login ` +
        `(pairs/s vs signs/s), ${((pairs.perSecond * 2) / signs.perSecond).toFixed(2)}× its requests/s`,
    );
    console.log(
      `server peak RSS (VmHWM): ${rssMb(pid, 'VmHWM').toFixed(1)} MB (every creds leaves a lease until it expires)`,
    );
    const ok = pairs.perSecond >= TARGET_PAIRS && pairs.p99 <= TARGET_P99_MS;
    console.log(
      `target (≥ ${fmt(TARGET_PAIRS)} pairs/s at ${CONCURRENCY} with p99 ≤ ${TARGET_P99_MS} ms): ${ok ? 'met' : 'NOT met'}`,
    );
    if (!ok) process.exitCode = 1;
  } finally {
    child.kill('SIGTERM');
  }
}

await main();
