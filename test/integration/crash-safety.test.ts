// Crash safety of `sshca serve --data-dir`: the built binary is killed with SIGKILL at seeded random
// moments while eight clients write roles concurrently, then restarted on the same directory. Every
// write the server acknowledged (204) reads back exactly; a write it did not acknowledge is either
// absent or whole; the CA never changes; a start leaves no temporary file; files stay 0600 and
// directories 0700; every stored entry stays encrypted (issue 22: the server unseals itself from
// DIR/unseal-key at each start). A clean stop (SIGTERM) exits 0 and the next start keeps everything,
// the root token included, without printing it again. Rerun one sequence with CRASH_SEED=<seed>.

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../server/ssh/generate-key-pair.js';
import { makeScratchDir, removeScratchDir } from '../helpers/scratch.js';

const BIN = resolve(import.meta.dirname, '../../dist/cli/main.js');
const SEED = Number(process.env.CRASH_SEED ?? 0xc0ffee);
const ROUNDS = 20;
const CLIENTS = 8;

/** mulberry32: the same kill moments for the same seed. */
function rng(seed: number): (lo: number, hi: number) => number {
  let state = seed >>> 0;
  return (lo, hi) => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return lo + Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * (hi - lo + 1));
  };
}

// ---------------------------------------------------------------------------------------------------
// The server process.

interface Serve {
  readonly child: ChildProcess;
  readonly url: string;
  /** Everything printed so far. */
  readonly stdout: () => string;
  readonly stderr: () => string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const children = new Set<ChildProcess>();
const scratch: string[] = [];

/** Start `sshca serve --data-dir dir` and wait for its ready line. */
async function startServe(dir: string): Promise<Serve> {
  const child = spawn(process.execPath, [BIN, 'serve', '--data-dir', dir, '--listen', '127.0.0.1:0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let out = '';
  let err = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
    child.once('exit', (code, signal) => {
      children.delete(child);
      done({ code, signal });
    }),
  );
  const url = await new Promise<string>((ready, fail) => {
    const timer = setTimeout(() => fail(new Error(`sshca serve did not start in 10 s:\n${out}\n${err}`)), 10_000);
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const m = /^Listening on (\S+)$/m.exec(out);
      if (m) {
        clearTimeout(timer);
        ready(m[1]!);
      }
    });
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      fail(new Error(`sshca serve exited (${code ?? signal}) before it was ready:\n${out}\n${err}`));
    });
  });
  return { child, url, stdout: () => out, stderr: () => err, exited };
}

async function kill(serve: Serve, signal: 'SIGKILL' | 'SIGTERM') {
  serve.child.kill(signal);
  return serve.exited;
}

interface Reply {
  readonly status: number;
  readonly text: string;
  readonly json: any;
}

async function call(url: string, token: string | null, method: string, path: string, body?: unknown) {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: token === null ? {} : { 'X-Vault-Token': token },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, text, json } as Reply;
}

// ---------------------------------------------------------------------------------------------------
// The data directory on disk.

/** Every path under `dir` (itself included), with its mode bits. */
function walk(dir: string): Array<{ path: string; dir: boolean; mode: number }> {
  const out = [{ path: dir, dir: true, mode: statSync(dir).mode & 0o777 }];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...walk(path));
    else out.push({ path, dir: false, mode: statSync(path).mode & 0o777 });
  }
  return out;
}

/** Temporary files (an interrupted write's) under `dir`. */
const temporaryFiles = (dir: string) =>
  walk(dir)
    .filter((e) => !e.dir && /\/\.[^/]*\.tmp$/.test(e.path))
    .map((e) => e.path);

/** The one stderr line of a start that unseals itself with DIR/unseal-key (issue 22). */
const unsealNotice = (dir: string) =>
  `sshca serve: unsealed with ${join(dir, 'unseal-key')}, which lies beside the data it protects (it guards copies of ${join(dir, 'storage')} only); for real protection keep the key elsewhere (--unseal-key-file, SSHCA_UNSEAL_KEY) or unseal by hand, and delete ${join(dir, 'unseal-key')}\n`;

/** Storage files that are not barrier values (version byte 0x01); only the seal configuration may be. */
const unencryptedFiles = (dir: string) =>
  walk(join(dir, 'storage'))
    .filter((e) => !e.dir && !e.path.endsWith('/core/seal-config') && readFileSync(e.path)[0] !== 0x01)
    .map((e) => e.path);

/** Paths whose modes are not 0600 (files) or 0700 (directories). */
const looseModes = (dir: string) =>
  walk(dir)
    .filter((e) => e.mode !== (e.dir ? 0o700 : 0o600))
    .map((e) => `${e.path} ${e.mode.toString(8)}`);

// ---------------------------------------------------------------------------------------------------
// Role writes and what may be read back.

/** A role body whose every field says which write made it. */
function roleBody(round: number, client: number, seq: number, name: string) {
  return {
    key_type: 'ca',
    allow_user_certificates: true,
    allowed_users: `user-${client},ops`,
    default_user: `user-${client}`,
    ttl: 60 + round * 10_000 + client * 1_000 + seq,
    max_ttl: '768h',
    key_id_format: `${name}-r${round}-s${seq}`,
    allowed_extensions: 'permit-pty',
    default_extensions: { 'permit-pty': '' },
  };
}
type RoleBody = ReturnType<typeof roleBody>;

/** The fields of a role read that a write of `body` determines, as Vault returns them. */
const expectedRead = (body: RoleBody) => ({
  key_type: 'ca',
  allow_user_certificates: true,
  allowed_users: body.allowed_users,
  default_user: body.default_user,
  ttl: body.ttl,
  max_ttl: 2_764_800,
  key_id_format: body.key_id_format,
  allowed_extensions: 'permit-pty',
  default_extensions: { 'permit-pty': '' },
});
const pick = (data: Record<string, unknown>, like: object) =>
  Object.fromEntries(Object.keys(like).map((k) => [k, data[k]]));

/** Every write to one role name, in the order its (single) client made them. */
type History = Array<{ readonly body: RoleBody; readonly acked: boolean }>;

/**
 * What a role may read back: the last acknowledged write or any attempted after it (one may have
 * landed before the kill); with none acknowledged, also nothing at all.
 */
function allowedStates(history: History): { bodies: RoleBody[]; absentAllowed: boolean } {
  let last = -1;
  history.forEach((w, i) => {
    if (w.acked) last = i;
  });
  return {
    bodies: history.slice(Math.max(last, 0)).map((w) => w.body),
    absentAllowed: last < 0,
  };
}

// ---------------------------------------------------------------------------------------------------

beforeAll(() => {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run "npm run build" first (npm test does)`);
});

afterAll(async () => {
  for (const child of children) {
    child.kill('SIGKILL');
    await new Promise((done) => child.once('exit', done));
  }
  for (const dir of scratch) removeScratchDir(dir);
});

describe(`sshca serve --data-dir under SIGKILL (seed ${SEED})`, () => {
  it(`keeps every acknowledged role write, whole, through ${ROUNDS} kills during concurrent writes`, async () => {
    const random = rng(SEED);
    const base = makeScratchDir('crash');
    scratch.push(base);
    const dir = join(base, 'data');
    const context = (round: number) => `seed ${SEED}, round ${round} (rerun with CRASH_SEED=${SEED})`;

    // First start: the root token is printed once; the CA is made.
    let serve = await startServe(dir);
    const token = /^Root Token: (\S+)$/m.exec(serve.stdout())?.[1];
    expect(token).toMatch(/^hvs\.[A-Za-z0-9]{24}$/);
    expect(readFileSync(join(dir, 'root-token'), 'utf8')).toBe(`${token}\n`);
    const api = (method: string, path: string, body?: unknown) => call(serve.url, token!, method, path, body);
    expect((await api('POST', '/v1/sys/mounts/ssh', { type: 'ssh' })).status).toBe(204);
    const generated = await api('POST', '/v1/ssh/config/ca', { key_type: 'ed25519' });
    expect(generated.status).toBe(200);
    const caPublicKey: string = generated.json.data.public_key;
    expect(caPublicKey).toMatch(/^ssh-ed25519 AAAA\S+\n$/);
    expect((await kill(serve, 'SIGKILL')).signal).toBe('SIGKILL');

    const histories = new Map<string, History>();
    let acknowledged = 0;
    const verify = async (names: Iterable<string>, round: number) => {
      const problems: string[] = [];
      const list = [...names];
      for (let i = 0; i < list.length; i += 16) {
        await Promise.all(
          list.slice(i, i + 16).map(async (name) => {
            const { bodies, absentAllowed } = allowedStates(histories.get(name)!);
            const read = await api('GET', `/v1/ssh/roles/${name}`);
            if (read.status === 404 && absentAllowed) return;
            if (read.status !== 200) {
              problems.push(`${name}: ${read.status} ${read.text.slice(0, 200)}`);
              return;
            }
            const got = pick(read.json.data, expectedRead(bodies[0]!));
            if (!bodies.some((b) => JSON.stringify(expectedRead(b)) === JSON.stringify(got))) {
              problems.push(
                `${name}: read ${JSON.stringify(got)}, allowed ${JSON.stringify(bodies.map(expectedRead))}`,
              );
            }
          }),
        );
      }
      expect(problems, context(round)).toEqual([]);
    };

    let previous = new Set<string>();
    for (let round = 1; round <= ROUNDS + 1; round++) {
      serve = await startServe(dir);
      // A clean start after a kill: no root token printed again, no temporary file left, tight modes.
      expect(serve.stdout(), context(round)).not.toContain('Root Token:');
      expect(temporaryFiles(dir), context(round)).toEqual([]);
      expect(looseModes(dir), context(round)).toEqual([]);
      expect((await call(serve.url, null, 'GET', '/v1/ssh/public_key')).text, context(round)).toBe(caPublicKey);
      await verify(previous, round);
      // With encryption on (issue 22): the only line on stderr is the auto-unseal notice.
      expect(serve.stderr(), context(round)).toBe(unsealNotice(dir));
      expect(unencryptedFiles(dir), context(round)).toEqual([]);
      if (round > ROUNDS) break;

      // Eight clients write roles back to back: new names, and one name each that they overwrite.
      previous = new Set<string>();
      let stopped = false;
      const failures: string[] = [];
      const writer = async (client: number) => {
        for (let seq = 0; !stopped; seq++) {
          const name = seq % 3 === 2 ? `shared-c${client}` : `r${round}-c${client}-${seq}`;
          const body = roleBody(round, client, seq, name);
          const history = histories.get(name) ?? [];
          histories.set(name, history);
          previous.add(name);
          const entry = { body, acked: false };
          history.push(entry);
          let res: Response;
          try {
            res = await fetch(`${serve.url}/v1/ssh/roles/${name}`, {
              method: 'POST',
              headers: { 'X-Vault-Token': token! },
              body: JSON.stringify(body),
            });
            await res.arrayBuffer();
          } catch (e) {
            // The kill cut the request (or its answer) off: not acknowledged.
            if (!stopped) failures.push(`${name}: ${(e as Error).message}`);
            return;
          }
          if (res.status !== 204) {
            failures.push(`${name}: write answered ${res.status}`);
            return;
          }
          history[history.length - 1] = { body, acked: true };
          acknowledged++;
        }
      };
      const writers = Array.from({ length: CLIENTS }, (_, c) => writer(c));
      const delay = random(5, 80);
      await new Promise((r) => setTimeout(r, delay));
      stopped = true;
      const { signal } = await kill(serve, 'SIGKILL');
      expect(signal, context(round)).toBe('SIGKILL');
      await Promise.all(writers);
      expect(failures, context(round)).toEqual([]);
    }

    // Every write of every round, once more, on the last start; then a clean stop.
    await verify(histories.keys(), ROUNDS + 1);
    const listed = await api('LIST', '/v1/ssh/roles');
    expect(listed.status).toBe(200);
    const present = new Set<string>(listed.json.data.keys);
    for (const [name, history] of histories) {
      if (history.some((w) => w.acked)) expect(present.has(name), `${context(ROUNDS + 1)}: ${name} listed`).toBe(true);
    }
    // The kills came mid-stream: writes were acknowledged, and others cut off (their temporary files
    // then removed by the next start, checked above).
    expect(acknowledged, `seed ${SEED}: writes acknowledged across all rounds`).toBeGreaterThanOrEqual(ROUNDS);
    const cutOff = [...histories.values()].flat().filter((w) => !w.acked).length;
    expect(cutOff, `seed ${SEED}: writes cut off by a kill`).toBeGreaterThan(0);
    expect(await kill(serve, 'SIGTERM')).toEqual({ code: 0, signal: null });
  }, 60_000);
});

describe('sshca serve --data-dir, stopped cleanly', () => {
  it('exits 0 on SIGTERM; the next start keeps every entry and the root token, without printing it', async () => {
    const base = makeScratchDir('clean-stop');
    scratch.push(base);
    const dir = join(base, 'data');

    const first = await startServe(dir);
    const token = /^Root Token: (\S+)$/m.exec(first.stdout())?.[1];
    expect(token).toMatch(/^hvs\.[A-Za-z0-9]{24}$/);
    const tokenFile = join(dir, 'root-token');
    expect(readFileSync(tokenFile, 'utf8')).toBe(`${token}\n`);
    expect(statSync(tokenFile).mode & 0o777).toBe(0o600);

    const api = (url: string) => (method: string, path: string, body?: unknown) =>
      call(url, token!, method, path, body);
    const before = api(first.url);
    expect((await before('POST', '/v1/sys/mounts/ssh', { type: 'ssh', config: { max_lease_ttl: '72h' } })).status).toBe(
      204,
    );
    const caPublicKey = (await before('POST', '/v1/ssh/config/ca', { key_type: 'ed25519' })).json.data.public_key;
    const role = roleBody(0, 0, 0, 'developer');
    expect((await before('POST', '/v1/ssh/roles/developer', role)).status).toBe(204);
    // A policy whose file name would look like an interrupted write's temporary file, and one whose
    // name holds `..`: both were lost or refused by the file storage before the fuzzer found them.
    const policy = 'path "ssh/sign/developer" {\n  capabilities = ["update"]\n}\n';
    for (const name of ['.evil.tmp', 'a%2F..%2Fb']) {
      expect((await before('POST', `/v1/sys/policies/acl/${name}`, { policy })).status, name).toBe(204);
    }
    const child = await before('POST', '/v1/auth/token/create', { policies: ['.evil.tmp'], ttl: '1h' });
    expect(child.status).toBe(200);
    const childToken: string = child.json.auth.client_token;
    const rolesBefore = (await before('GET', '/v1/ssh/roles/developer')).json.data;

    expect(await kill(first, 'SIGTERM')).toEqual({ code: 0, signal: null });
    expect(first.stdout()).toContain('==> SIGTERM received, shutting down\n');
    expect(first.stderr()).toBe(unsealNotice(dir));

    const second = await startServe(dir);
    expect(second.stdout()).not.toContain('Root Token:');
    expect(second.stdout()).toContain(`    Root token: in ${tokenFile} (created on the first start)\n`);
    expect(readFileSync(tokenFile, 'utf8')).toBe(`${token}\n`);
    expect(statSync(tokenFile).mode & 0o777).toBe(0o600);
    expect(temporaryFiles(dir)).toEqual([]);
    expect(looseModes(dir)).toEqual([]);

    const after = api(second.url);
    expect((await after('GET', '/v1/auth/token/lookup-self')).json.data.policies).toEqual(['root']);
    expect((await call(second.url, null, 'GET', '/v1/ssh/public_key')).text).toBe(caPublicKey);
    expect((await after('GET', '/v1/sys/mounts/ssh/tune')).json.data.max_lease_ttl).toBe(259_200);
    const read = (await after('GET', '/v1/ssh/roles/developer')).json.data;
    expect(read).toEqual(rolesBefore);
    expect(pick(read, expectedRead(role))).toEqual(expectedRead(role));
    expect((await after('GET', '/v1/sys/policies/acl?list=true')).json.data.keys).toEqual([
      '.evil.tmp',
      'default',
      'root',
    ]);
    for (const [path, name] of [
      ['.evil.tmp', '.evil.tmp'],
      ['a%2F..%2Fb', 'a/../b'],
    ]) {
      expect((await after('GET', `/v1/sys/policies/acl/${path}`)).json.data).toEqual({ name, policy });
    }
    // The token made before the stop still signs under the policy that survived.
    const signed = await call(second.url, childToken, 'POST', '/v1/ssh/sign/developer', {
      public_key: generateKeyPair('ed25519', 0).publicKey,
      valid_principals: 'user-0',
    });
    expect(signed.status).toBe(200);
    expect(signed.json.data.signed_key).toMatch(/^ssh-ed25519-cert-v01@openssh\.com /);
    expect(await kill(second, 'SIGTERM')).toEqual({ code: 0, signal: null });
  }, 20_000);
});
