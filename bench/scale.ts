// Benchmark (not a test): the embedded server with a large state (issue 22). Two data directories,
// one empty but for the signing setup and one with 10,000 roles, 100,000 tokens and 1,000 policies
// more, are served in turn by `sshca serve --data-dir` as its own process. For each: the time from
// spawn to the first 200 on /v1/sys/health, the sign rate at 64 concurrent clients (the load
// generator of bench/http-load.ts, on the same machine), and the server's peak RSS (VmHWM).
// Targets: start ≤ 2 s, sign rate within 10 % of the empty server's, RSS ≤ 300 MB. The server
// indexes its stored tokens' expiries in the background after it listens (server/auth/token-store.ts);
// the time until that pass ended is printed too, and the sign rate is measured after it.
//
// How the state is built: in this process, through the server's own code (openDataDir, then HTTP to
// it for the mount, CA and roles, TokenStore.create for the tokens, PolicyStore.write for the
// policies), so the directory holds exactly what the server writes, whatever its storage format.
// It is built on tmpfs (/dev/shm when present: the file storage's fsync per entry costs nothing
// there) and then copied to a temporary directory on disk, where the measured server runs.
//
// Run: npm run bench:scale   (BENCH_SECONDS=n of load, default 3; BENCH_TOKENS, BENCH_ROLES,
// BENCH_POLICIES change the large state)

import { cpSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VaultClient, enableMount, generateCa, writeRole } from '../client/index.js';
import { freePort } from '../cli/scenario/local-hosts.js';
import { openDataDir, readRootToken } from '../server/data-dir.js';
import { generateKeyPair } from '../server/ssh/generate-key-pair.js';
import { BENCH_ROLE, fmt } from './core-signing.js';
import { load, machine, post, rssMb, startServer, type LoadResult } from './http-load.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const LARGE = {
  roles: Number(process.env.BENCH_ROLES ?? 10_000),
  tokens: Number(process.env.BENCH_TOKENS ?? 100_000),
  policies: Number(process.env.BENCH_POLICIES ?? 1_000),
};
const EMPTY = { roles: 0, tokens: 0, policies: 0 };
type State = typeof LARGE;

/** Run `work(i)` for i in [0, n), `width` at a time. */
async function inParallel(n: number, width: number, work: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, n) }, async () => {
      while (next < n) await work(next++);
    }),
  );
}

/** A data directory with the signing setup (mount `ssh`, a CA, role `developer`) plus `state`. */
async function buildDataDir(dir: string, state: State): Promise<void> {
  const { server } = await openDataDir(dir, { version: 'bench', log: () => {} }, (path, content) =>
    writeFileSync(path, content, { mode: 0o600 }),
  );
  const { server: listener, url } = await server.listen('127.0.0.1', 0);
  const inner = server.server!; // a new data dir unseals itself from DIR/unseal-key
  try {
    const client = new VaultClient({ address: url, token: readRootToken(dir) });
    await enableMount(client, 'ssh', { type: 'ssh' });
    await generateCa(client, 'ssh');
    await writeRole(client, 'ssh', 'developer', BENCH_ROLE);
    await inParallel(state.roles, 32, (i) => writeRole(client, 'ssh', `role-${i}`, BENCH_ROLE));
    await inParallel(state.policies, 32, (i) =>
      inner.policies.write(`policy-${i}`, `path "ssh/sign/role-${i}" {\n  capabilities = ["update"]\n}\n`),
    );
    // Tokens that expire (in 30 days), so that each one is in the expiry index the server keeps.
    await inParallel(state.tokens, 64, (i) =>
      inner.tokens.create({
        displayName: `token-${i}`,
        policies: ['default', `policy-${i % Math.max(1, state.policies)}`],
        ttl: 30 * 24 * 3600,
        path: 'auth/token/create',
      }),
    );
  } finally {
    await server.close(listener);
  }
}

interface Measured {
  readonly startMs: number;
  /** Milliseconds from spawn until the token store's background pass over the stored tokens ended. */
  readonly indexedMs: number | undefined;
  readonly sign: LoadResult;
  readonly peakRssMb: number;
}

/** Serve a copy of `built` on disk, and measure its start, sign rate at 64 and peak RSS. */
async function measure(built: string, state: State, publicKey: string): Promise<Measured> {
  const temp = mkdtempSync(join(tmpdir(), 'sshca-scale-'));
  const dir = join(temp, 'data');
  cpSync(built, dir, { recursive: true });
  const port = await freePort('127.0.0.1');
  const t0 = Date.now();
  let indexed: () => void = () => {};
  const indexedAt = new Promise<number>((done) => (indexed = () => done(Date.now() - t0)));
  const { child, startMs, token } = await startServer(port, {
    dataDir: dir,
    onStderrLine: (line) => (/^token store: \d+ tokens indexed/.test(line) ? indexed() : console.error(line)),
  });
  try {
    // The sign rate is the steady state's: after the background pass over the stored tokens (only
    // logged for 10,000 tokens or more; the empty state has none).
    const indexedMs = state.tokens >= 10_000 ? await indexedAt : undefined;
    const body = JSON.stringify({ public_key: publicKey, valid_principals: 'ubuntu' });
    const op = post(port, '/v1/ssh/sign/developer', body, token);
    await load({ pid: child.pid!, concurrency: 64, seconds: 1, op });
    const sign = await load({ pid: child.pid!, concurrency: 64, seconds: SECONDS, op });
    return { startMs, indexedMs, sign, peakRssMb: rssMb(child.pid!, 'VmHWM') };
  } finally {
    child.kill('SIGTERM');
    await new Promise((done) => child.once('exit', done));
    rmSync(temp, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  console.log(`bench/scale: ${machine()}`);
  console.log(
    `(${SECONDS} s of signing at 64 clients after a 1 s warm-up; server and load generator on this machine)\n`,
  );
  const scratch = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'sshca-scale-build-'));
  try {
    const large = `${fmt(LARGE.roles)} roles, ${fmt(LARGE.tokens)} tokens, ${fmt(LARGE.policies)} policies`;
    const t0 = Date.now();
    await buildDataDir(join(scratch, 'empty'), EMPTY);
    await buildDataDir(join(scratch, 'large'), LARGE);
    console.log(
      `built both data directories through the server's own code in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`,
    );

    const user = generateKeyPair('ed25519', 0).publicKey;
    const empty = await measure(join(scratch, 'empty'), EMPTY, user);
    const big = await measure(join(scratch, 'large'), LARGE, user);
    const rows: [string, Measured][] = [
      ['empty', empty],
      [large, big],
    ];
    console.log(`${'state'.padEnd(50)}   start ms   tokens indexed ms   signs/s at 64   p99 ms   RSS MB (VmHWM)`);
    for (const [name, m] of rows) {
      console.log(
        `${name.padEnd(50)}   ${m.startMs.toFixed(0).padStart(8)}   ${(m.indexedMs?.toFixed(0) ?? '-').padStart(17)}   ` +
          `${fmt(m.sign.perSecond).padStart(13)}   ` +
          `${m.sign.p99.toFixed(2).padStart(6)}   ${m.peakRssMb.toFixed(1).padStart(14)}`,
      );
    }
    const ratio = (100 * big.sign.perSecond) / empty.sign.perSecond;
    const verdict = (ok: boolean) => (ok ? 'met' : 'NOT met');
    console.log(`\ntargets for the large state:`);
    console.log(`  start ≤ 2 s: ${(big.startMs / 1000).toFixed(2)} s, ${verdict(big.startMs <= 2000)}`);
    console.log(`  sign rate within 10 % of empty: ${ratio.toFixed(1)} % of empty, ${verdict(ratio >= 90)}`);
    console.log(`  RSS ≤ 300 MB: ${big.peakRssMb.toFixed(1)} MB, ${verdict(big.peakRssMb <= 300)}`);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

await main();
