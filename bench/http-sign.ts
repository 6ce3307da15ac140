// Benchmark (not a test): the embedded server signing over HTTP. `sshca serve --dev` runs as its own
// process; this process is the load generator (keep-alive, 1, 16 and 64 concurrent clients) on the
// same machine. Printed side by side from one run: signs/s and p50/p99 latency per concurrency, the
// in-process core signing rate, the server's RSS under load, and the time from spawning the server
// to its first 200 on /v1/sys/health.
// Targets (2 cores, load generator on the same machine): ≥ 5,000 ed25519 signs/s at 64 concurrent
// with p99 ≤ 25 ms, RSS ≤ 150 MB, start ≤ 500 ms.
//
// Run: npm run bench:http-sign

import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { cpus } from 'node:os';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { VaultClient, enableMount, generateCa, writeRole } from '../client/index.js';
import { generateKeyPair } from '../core/keys/ca-key.js';
import { freePort } from '../cli/scenario/local-hosts.js';
import { BENCH_ROLE, coreSignRate, fmt } from './core-signing.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const CONCURRENCY = [1, 16, 64] as const;
const TOKEN = 'bench-root-token';
const BIN = resolve(import.meta.dirname, '../cli/main.js');

/** One HTTP exchange on `agent`; resolves with the status once the whole body has arrived. */
function exchange(agent: Agent, port: number, method: string, path: string, body?: string): Promise<number> {
  return new Promise((done, fail) => {
    const req = request(
      {
        agent,
        host: '127.0.0.1',
        port,
        method,
        path,
        headers: {
          'X-Vault-Token': TOKEN,
          ...(body === undefined
            ? {}
            : { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) }),
        },
      },
      (res) => {
        res.on('data', () => {});
        res.on('end', () => done(res.statusCode ?? 0));
      },
    );
    req.on('error', fail);
    req.end(body);
  });
}

/** Spawn `sshca serve --dev` and return it with the milliseconds until /v1/sys/health first answered 200. */
async function startServer(port: number): Promise<{ child: ChildProcess; startMs: number }> {
  const agent = new Agent({ keepAlive: false });
  const t0 = process.hrtime.bigint();
  const child = spawn(
    process.execPath,
    [BIN, 'serve', '--dev', '--dev-root-token-id', TOKEN, '--listen', `127.0.0.1:${port}`],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  for (;;) {
    if (child.exitCode !== null) throw new Error(`sshca serve exited with ${child.exitCode}`);
    const status = await exchange(agent, port, 'GET', '/v1/sys/health').catch(() => 0);
    if (status === 200) return { child, startMs: Number(process.hrtime.bigint() - t0) / 1e6 };
    await sleep(2);
  }
}

/** Resident set size of a process in MB, from /proc (Linux). */
function rssMb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

interface LoadResult {
  readonly perSecond: number;
  readonly p50: number;
  readonly p99: number;
  readonly maxRssMb: number;
}

/** `concurrency` clients signing back to back for `seconds` over keep-alive connections. */
async function load(
  port: number,
  pid: number,
  concurrency: number,
  body: string,
  seconds: number,
): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const latencies: number[] = [];
  let maxRssMb = 0;
  const sampler = setInterval(() => (maxRssMb = Math.max(maxRssMb, rssMb(pid, 'VmRSS'))), 50);
  const end = process.hrtime.bigint() + BigInt(Math.round(seconds * 1e9));
  const t0 = process.hrtime.bigint();
  const worker = async () => {
    while (process.hrtime.bigint() < end) {
      const start = process.hrtime.bigint();
      const status = await exchange(agent, port, 'POST', '/v1/ssh/sign/developer', body);
      if (status !== 200) throw new Error(`sign answered ${status}`);
      latencies.push(Number(process.hrtime.bigint() - start) / 1e6);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = Number(process.hrtime.bigint() - t0) / 1e9;
  clearInterval(sampler);
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!;
  return { perSecond: latencies.length / elapsed, p50: at(0.5), p99: at(0.99), maxRssMb };
}

async function main(): Promise<void> {
  console.log(`bench/http-sign: ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}`);
  console.log(`(${SECONDS} s per concurrency after a 1 s warm-up; server and load generator on this machine)\n`);
  const port = await freePort('127.0.0.1');
  const { child, startMs } = await startServer(port);
  try {
    const client = new VaultClient({ address: `http://127.0.0.1:${port}`, token: TOKEN });
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
      await load(port, child.pid!, c, body, 1);
      const r = await load(port, child.pid!, c, body, SECONDS);
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
