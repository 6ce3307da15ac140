// What the HTTP benchmarks share: `sshca serve --dev` (in-memory storage) or `sshca serve --data-dir`
// spawned as its own process on a loopback port, keep-alive HTTP exchanges, a closed-loop load generator (N clients, each sending
// its next operation when the last one answered) bounded in time and count, latency percentiles, the
// server's RSS from /proc, and the line that names the machine.

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** The root token the benchmark server starts with. */
export const BENCH_TOKEN = 'bench-root-token';
const BIN = resolve(import.meta.dirname, '../cli/main.js');

/** `<cores> × <CPU model>, Node <version>`: the machine a figure was measured on. */
export const machine = (): string => `${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}`;

/** One answer: status and body. */
export interface Exchange {
  readonly status: number;
  readonly body: string;
}

/**
 * One HTTP exchange with the server on 127.0.0.1:`port` over `agent`; resolves once the whole body
 * has arrived. Sends the benchmark's root token unless `token` is null.
 */
export function exchange(
  agent: Agent,
  port: number,
  method: string,
  path: string,
  body?: string,
  token: string | null = BENCH_TOKEN,
): Promise<Exchange> {
  return new Promise((done, fail) => {
    const req = request(
      {
        agent,
        host: '127.0.0.1',
        port,
        method,
        path,
        headers: {
          ...(token === null ? {} : { 'X-Vault-Token': token }),
          ...(body === undefined
            ? {}
            : { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) }),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => done({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    req.on('error', fail);
    req.end(body);
  });
}

/** A spawned server: the process, the milliseconds until /v1/sys/health first answered 200, its root token. */
export interface StartedServer {
  readonly child: ChildProcess;
  readonly startMs: number;
  readonly token: string;
}

/**
 * Spawn `sshca serve --dev` (or, with `dataDir`, `sshca serve --data-dir DIR`) on 127.0.0.1:`port`.
 * A data directory's root token is read from DIR/root-token, which the first start writes. `nodeArgs`
 * go to the server's Node (e.g. `--cpu-prof`).
 */
export async function startServer(
  port: number,
  options: {
    readonly dataDir?: string;
    readonly nodeArgs?: readonly string[];
    /** Each line the server writes to stderr (which is otherwise this process's stderr). */
    readonly onStderrLine?: (line: string) => void;
  } = {},
): Promise<StartedServer> {
  const agent = new Agent({ keepAlive: false });
  const t0 = process.hrtime.bigint();
  const mode =
    options.dataDir === undefined ? ['--dev', '--dev-root-token-id', BENCH_TOKEN] : ['--data-dir', options.dataDir];
  const child = spawn(
    process.execPath,
    [...(options.nodeArgs ?? []), BIN, 'serve', ...mode, '--listen', `127.0.0.1:${port}`],
    { stdio: ['ignore', 'ignore', options.onStderrLine ? 'pipe' : 'inherit'] },
  );
  if (options.onStderrLine) {
    const onLine = options.onStderrLine;
    let rest = '';
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      const lines = (rest + chunk).split('\n');
      rest = lines.pop()!;
      lines.forEach(onLine);
    });
  }
  for (;;) {
    if (child.exitCode !== null) throw new Error(`sshca serve exited with ${child.exitCode}`);
    const status = await exchange(agent, port, 'GET', '/v1/sys/health').then(
      (r) => r.status,
      () => 0,
    );
    if (status === 200) {
      const startMs = Number(process.hrtime.bigint() - t0) / 1e6;
      const tokenFile = options.dataDir === undefined ? undefined : join(options.dataDir, 'root-token');
      const token = tokenFile && existsSync(tokenFile) ? readFileSync(tokenFile, 'utf8').trim() : BENCH_TOKEN;
      return { child, startMs, token };
    }
    await sleep(2);
  }
}

/** Resident set size of a process in MB, from /proc (Linux). */
export function rssMb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** What one load run measured. */
export interface LoadResult {
  /** Operations completed. */
  readonly count: number;
  readonly perSecond: number;
  /** Latency percentiles of one operation, in ms. */
  readonly p50: number;
  readonly p99: number;
  readonly maxRssMb: number;
}

/** How to load the server. */
export interface LoadOptions {
  /** The server's pid (for its RSS). */
  readonly pid: number;
  readonly concurrency: number;
  /** Stop after this long. */
  readonly seconds: number;
  /** …or after this many operations, whichever comes first. @default unbounded */
  readonly maxOps?: number;
  /** One operation on a keep-alive agent shared by the clients; it throws on a wrong answer. */
  readonly op: (agent: Agent) => Promise<void>;
}

/** `concurrency` clients running `op` back to back over keep-alive connections. */
export async function load(o: LoadOptions): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: o.concurrency });
  const latencies: number[] = [];
  let started = 0;
  const maxOps = o.maxOps ?? Number.POSITIVE_INFINITY;
  let maxRssMb = 0;
  const sampler = setInterval(() => (maxRssMb = Math.max(maxRssMb, rssMb(o.pid, 'VmRSS'))), 50);
  const end = process.hrtime.bigint() + BigInt(Math.round(o.seconds * 1e9));
  const t0 = process.hrtime.bigint();
  const worker = async () => {
    while (process.hrtime.bigint() < end && started < maxOps) {
      started++;
      const start = process.hrtime.bigint();
      await o.op(agent);
      latencies.push(Number(process.hrtime.bigint() - start) / 1e6);
    }
  };
  try {
    await Promise.all(Array.from({ length: o.concurrency }, worker));
  } finally {
    clearInterval(sampler);
    agent.destroy();
  }
  const elapsed = Number(process.hrtime.bigint() - t0) / 1e9;
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!;
  return { count: latencies.length, perSecond: latencies.length / elapsed, p50: at(0.5), p99: at(0.99), maxRssMb };
}

/** An `op` that POSTs `body` to `path` (with `token`, by default the benchmark's root token) and requires a 200. */
export const post =
  (port: number, path: string, body: string, token: string = BENCH_TOKEN) =>
  async (agent: Agent): Promise<void> => {
    const r = await exchange(agent, port, 'POST', path, body, token);
    if (r.status !== 200) throw new Error(`${path} answered ${r.status}: ${r.body}`);
  };
