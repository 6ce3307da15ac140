// HTTP fuzzing of the embedded server over real sockets: well over a thousand requests generated from
// a seeded PRNG (rerun one with HTTP_FUZZ_SEED=<seed>) — random JSON, a wrong type in every field of
// the roles, sign, config/ca and sys/mounts bodies, truncated JSON, form bodies, bodies over 32 MiB,
// odd paths and methods, missing and bad tokens — each answered with a status Vault gives for that
// class of request and, for errors, Vault's `{"errors":[...]}` envelope. The only 500s allowed are the
// ones Vault documents (reference §2–3); the server's catch-all `internal error` never appears. The
// server runs on durable file storage, so request paths reach real storage keys. Afterwards the
// server still answers health and signs. The last block pins the bugs the fuzzer found.

import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROLE_FIELDS } from '../../core/role.js';
import { SIGN_FIELDS } from '../../core/sign.js';
import type { FieldSchema, FieldType } from '../../core/fields.js';
import { MOUNT_FIELDS } from '../../core/path-fields.js';
import { generateKeyPair } from '../../server/ssh/generate-key-pair.js';
import { FileStorage } from '../../server/storage/file-storage.js';
import { configCaPath } from '../../server/ssh/paths-config-ca.js';
import { makeScratchDir, removeScratchDir } from '../helpers/scratch.js';
import { startTestServer, type TestServer } from '../helpers/vault-server.js';

const SEED = Number(process.env.HTTP_FUZZ_SEED ?? 0x5eedc0de);
const GENERATED = 1200;
const MiB = 1024 * 1024;

/** mulberry32: small, fast, and the same sequence for the same seed on every platform. */
class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
}

// ---------------------------------------------------------------------------------------------------
// A raw HTTP/1.1 client: fetch and node:http normalise paths and refuse odd methods; this sends bytes.

interface RawRequest {
  readonly method: string;
  /** The request target exactly as sent (may hold `//`, `..`, raw UTF-8). */
  readonly target: string;
  readonly token?: string | null;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string | Buffer;
  /** Send the body in chunks of this many bytes with Transfer-Encoding: chunked. */
  readonly chunked?: number;
  /** Declare this Content-Length instead of the body's. */
  readonly declaredLength?: number;
}

interface RawResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

let port = 0;
let rootToken = '';

function send(r: RawRequest, timeoutMs = 10_000): Promise<RawResponse> {
  const body = typeof r.body === 'string' ? Buffer.from(r.body, 'utf8') : (r.body ?? Buffer.alloc(0));
  const token = r.token === undefined ? rootToken : r.token;
  const lines = [`${r.method} ${r.target} HTTP/1.1`, `Host: 127.0.0.1:${port}`, 'Connection: close'];
  if (token !== null) lines.push(`X-Vault-Token: ${token}`);
  for (const [k, v] of Object.entries(r.headers ?? {})) lines.push(`${k}: ${v}`);
  if (r.chunked) lines.push('Transfer-Encoding: chunked');
  else if (r.declaredLength !== undefined || body.length > 0 || ['POST', 'PUT', 'PATCH'].includes(r.method)) {
    lines.push(`Content-Length: ${r.declaredLength ?? body.length}`);
  }
  const head = Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'utf8');
  return new Promise((resolve, reject) => {
    let received = Buffer.alloc(0);
    let done = false;
    const socket = connect(port, '127.0.0.1');
    const finish = (error?: Error) => {
      if (done) return;
      const parsed = parseResponse(received, r.method === 'HEAD', error !== undefined || socket.readableEnded);
      if (parsed === undefined && error === undefined) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      if (parsed) resolve(parsed);
      else reject(new Error(`no complete response (${error?.message ?? 'connection closed'}): ${received}`));
    };
    const timer = setTimeout(() => finish(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
    socket.on('data', (d: Buffer) => {
      received = Buffer.concat([received, d]);
      finish();
    });
    socket.on('end', () => finish(new Error('connection closed')));
    socket.on('error', (e) => finish(e));
    socket.on('connect', () => {
      socket.write(head);
      if (r.chunked) {
        for (let i = 0; i < body.length && !done; i += r.chunked) {
          const chunk = body.subarray(i, i + r.chunked);
          socket.write(`${chunk.length.toString(16)}\r\n`);
          socket.write(chunk);
          socket.write('\r\n');
        }
        if (!done) socket.write('0\r\n\r\n');
      } else if (body.length > 0) {
        socket.write(body);
      }
    });
  });
}

/** The response in `raw`, or undefined while incomplete (`closed`: no more bytes will come). */
function parseResponse(raw: Buffer, head: boolean, closed: boolean): RawResponse | undefined {
  const end = raw.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  const [statusLine = '', ...headerLines] = raw.subarray(0, end).toString('latin1').split('\r\n');
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine);
  if (!m) throw new Error(`not an HTTP response: ${JSON.stringify(statusLine)}`);
  const status = Number(m[1]);
  const headers: Record<string, string> = {};
  for (const line of headerLines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const rest = raw.subarray(end + 4);
  if (head || status === 204 || status === 304 || status < 200) return { status, headers, body: '' };
  if (headers['content-length'] !== undefined) {
    const n = Number(headers['content-length']);
    return rest.length >= n ? { status, headers, body: rest.subarray(0, n).toString('utf8') } : undefined;
  }
  if (headers['transfer-encoding'] === 'chunked') {
    const parts: Buffer[] = [];
    let i = 0;
    for (;;) {
      const eol = rest.indexOf('\r\n', i);
      if (eol < 0) return undefined;
      const size = parseInt(rest.subarray(i, eol).toString('latin1'), 16);
      if (size === 0) return { status, headers, body: Buffer.concat(parts).toString('utf8') };
      if (rest.length < eol + 2 + size + 2) return undefined;
      parts.push(rest.subarray(eol + 2, eol + 2 + size));
      i = eol + 2 + size + 2;
    }
  }
  return closed ? { status, headers, body: rest.toString('utf8') } : undefined;
}

// ---------------------------------------------------------------------------------------------------
// What Vault answers: status sets per request class, and the 500s Vault documents.

/** Vault's documented 500s (reference §2.1, §2.5, §2.9, §3.7), by request class. */
const DOCUMENTED_500 = {
  /** Role write: bad CIDRs and unknown signers are internal errors in Vault. */
  roleWrite: [
    /^failed to validate cidr_list: invalid CIDR address: /,
    /^failed to validate exclude_cidr_list entry: invalid CIDR address: /,
    /^unknown algorithm signer ".*"$/s,
  ],
  /** Sign: no CA key in the mount, or an RSA signer named on a non-RSA CA. */
  sign: [/^failed to read CA private key$/, /^failed to generate signed SSH key: sign error: /],
  /** config/ca: key generation failures. */
  configCa: [
    /^refusing to generate weak \S+ key: -?\d+ bits < 2048 bits$/,
    /^refusing to generate \S+ key: \d+ bits > 16384 bits \(OpenSSH's maximum\)$/,
    /^unknown ECDSA key pair algorithm and bits: /,
    /^unknown ssh key pair algorithm: /s,
  ],
  none: [] as RegExp[],
};

interface Case {
  readonly kind: string;
  readonly request: RawRequest;
  /** Statuses Vault gives for this class of request. */
  readonly statuses: readonly number[];
  /** Messages a 500 may carry (each one Vault's). */
  readonly allowed500?: readonly RegExp[];
  /** Exact errors expected, when the class has one answer. */
  readonly errors?: readonly string[];
  /** The one error message expected, by pattern. */
  readonly error?: RegExp;
  /** sys/health answers every status with its own body, never the error envelope. */
  readonly healthBody?: boolean;
  /** A follow-up check on success (e.g. read back what was written). */
  readonly then?: (res: RawResponse) => Promise<string | undefined>;
}

const wrapped = (m: string) => `1 error occurred:\n\t* ${m}\n\n`;
const unwrap = (m: string) => /^1 error occurred:\n\t\* ([\s\S]*)\n\n$/.exec(m)?.[1];

/** Every way a response can break the contract, or an empty list. */
function judge(c: Case, res: RawResponse): string[] {
  const problems: string[] = [];
  if (!c.statuses.includes(res.status) && !(res.status === 500 && (c.allowed500?.length ?? 0) > 0)) {
    problems.push(`status ${res.status} not in [${c.statuses.join(', ')}]`);
  }
  if (c.healthBody && res.status !== 400 && c.request.method !== 'HEAD') {
    if (JSON.parse(res.body).initialized !== true) problems.push('not the health body');
  } else if (res.status >= 400 && c.request.method !== 'HEAD') {
    if (!(res.headers['content-type'] ?? '').startsWith('application/json')) {
      problems.push(`error content-type ${res.headers['content-type']}`);
    }
    let json: unknown;
    try {
      json = JSON.parse(res.body);
    } catch {
      problems.push('error body is not JSON');
    }
    const errors = (json as { errors?: unknown } | undefined)?.errors;
    if (
      typeof json !== 'object' ||
      json === null ||
      Object.keys(json).join() !== 'errors' ||
      !Array.isArray(errors) ||
      !errors.every((e) => typeof e === 'string')
    ) {
      problems.push('error body is not {"errors":[<string>...]}');
    } else {
      if (res.status === 500) {
        const message = errors.length === 1 ? unwrap(errors[0] as string) : undefined;
        if (message === undefined || !(c.allowed500 ?? []).some((re) => re.test(message))) {
          problems.push(`undocumented 500: ${JSON.stringify(errors)}`);
        }
      }
      if (c.errors && JSON.stringify(errors) !== JSON.stringify(c.errors)) {
        problems.push(`errors ${JSON.stringify(errors)}, expected ${JSON.stringify(c.errors)}`);
      }
      if (c.error && !(errors.length === 1 && c.error.test(errors[0] as string))) {
        problems.push(`errors ${JSON.stringify(errors).slice(0, 300)}, expected one matching ${c.error}`);
      }
    }
  }
  if (res.status === 200 && c.request.method !== 'HEAD' && (res.headers['content-type'] ?? '') === 'application/json') {
    try {
      JSON.parse(res.body);
    } catch {
      problems.push('200 body is not JSON');
    }
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------------
// Generators.

const STRINGS = [
  '',
  ' ',
  'ca',
  'otp',
  'dynamic',
  '*',
  'fuzz',
  'a,b,,c',
  '1h',
  '-5',
  '1.5',
  '1.5d',
  '7d',
  '1e3',
  '0x10',
  'true',
  'maybe',
  'null',
  '{}',
  '[]',
  'rsa-sha2-512',
  'ssh-ed25519',
  'ec',
  '10.0.0.0/8',
  '10.0.0.0/33',
  'not-a-cidr',
  '{{identity.entity.id}}',
  '{{role_name}}-{{token_display_name}}',
  '%00',
  '\u0000',
  '../../etc/passwd',
  'a/../b',
  '.x.tmp',
  'constructor',
  '__proto__',
  'toString',
  'hasOwnProperty',
  '日本語',
  '😀',
  '\ud800',
  'line\nbreak',
  'permit-pty',
  'x'.repeat(10_000),
];

const NUMBERS = [0, 1, -1, 2, 7, 42, 256, 384, 521, 1024, 2048, 1.5, -0.25, 1e300, -1e300, 2 ** 53 + 1, 1e21];

/** A random JSON value; objects may have Object.prototype's member names as own keys. */
function randomJson(rng: Rng, depth = 0): unknown {
  const roll = rng.int(depth >= 3 ? 4 : 7);
  switch (roll) {
    case 0:
      return null;
    case 1:
      return rng.chance(0.5);
    case 2:
      return rng.chance(0.5) ? rng.pick(NUMBERS) : rng.int(100_000) - 50_000;
    case 3:
      return rng.pick(STRINGS);
    case 4:
    case 5: {
      const out: unknown[] = [];
      for (let i = rng.int(4); i > 0; i--) out.push(randomJson(rng, depth + 1));
      return out;
    }
    default:
      return randomObject(rng, depth + 1);
  }
}

function randomObject(rng: Rng, depth = 0, keys: readonly string[] = []): Record<string, unknown> {
  const out = Object.create(null) as Record<string, unknown>;
  for (let i = rng.int(5); i > 0; i--) {
    const key = rng.chance(0.5) && keys.length > 0 ? rng.pick(keys) : rng.pick(STRINGS).slice(0, 40);
    out[key] = randomJson(rng, depth + 1);
  }
  return out;
}

/** Values no framework field of the type accepts (Vault's weak decoding of json.Number included). */
const INVALID: Readonly<Record<FieldType, readonly unknown[]>> = {
  string: [{}, { a: 1 }, [], ['a', 'b'], [{}]],
  'lowercase-string': [{}, [], [1]],
  bool: ['maybe', 'constructor', 'yes', 2.5, {}, [], [true], 'TRUE ', '2'],
  int: ['x', 1.5, '1.5', {}, [], 1e300, '99999999999999999999', '0x', '1e3', -1e21],
  duration: ['forever', -5, '-5s', 1.5, '1.5', '1.5d', '1d12h', {}, [], true, '1h ', 'h', 1e300, '9999999999999h'],
  time: ['soon', '', '2026-01-01', '2026-02-30T00:00:00Z', 1.5, '1.5', true, {}, [], '99999999999999999999'],
  map: ['str', 5, true, [1], [{ a: 1 }, 2], ['x'], [[]]],
  'comma-string-slice': [{}, [{}]],
};

/** A value of the wrong type for a field, and whether coercion must refuse it (else: any JSON value). */
function wrongType(rng: Rng, type: FieldType): { value: unknown; invalid: boolean } {
  return rng.chance(0.2)
    ? { value: randomJson(rng), invalid: false }
    : { value: rng.pick(INVALID[type]), invalid: true };
}

/** Vault's coercion error for `field`, which comes before any other check of the request. */
const coercionError = (field: string) =>
  new RegExp(`^Field validation failed: error converting input [\\s\\S]* for field "${field}": `);

const USER_KEY = generateKeyPair('ed25519', 0).publicKey.trim();
const ROLE_NAMES = ['fz-r0', 'fz-r1', 'fz-r2', 'fz-r3', 'fz-r4'];
const VALID_ROLE = {
  key_type: 'ca',
  allow_user_certificates: true,
  allowed_users: '*',
  default_user: 'fuzz',
  ttl: '1h',
  max_ttl: '24h',
  allowed_extensions: 'permit-pty',
  default_extensions: { 'permit-pty': '' },
};
const VALID_SIGN = { public_key: USER_KEY, valid_principals: 'fuzz', ttl: '10m', cert_type: 'user' };
/** Fast to generate; RSA keys would take seconds each. */
const VALID_CA = () => ({ key_type: 'ed25519' });
/** The config map's TTL fields, fuzzed as durations (sys/mounts reads them out of `config`). */
const MOUNT_CONFIG_FIELDS: FieldSchema = {
  default_lease_ttl: { type: 'duration', description: 'Default lease TTL of the mount.' },
  max_lease_ttl: { type: 'duration', description: 'Maximum lease TTL of the mount.' },
};
const CA_FIELDS = configCaPath.fields;

/** Round-robin over a schema's fields so every field gets its wrong types, whatever the seed. */
const turns = new Map<FieldSchema, number>();
function nextField(schema: FieldSchema): [string, FieldType] {
  const names = Object.keys(schema);
  const turn = turns.get(schema) ?? 0;
  turns.set(schema, turn + 1);
  const name = names[turn % names.length]!;
  return [name, schema[name]!.type];
}

const json = (v: unknown) => JSON.stringify(v);
const v1 = (p: string) => `/v1/${p}`;

/** The statuses and error of a request whose `field` holds `wrong`. */
function expectForWrong(field: string, wrong: { invalid: boolean }, otherwise: number[], allowed500: RegExp[]) {
  return wrong.invalid ? { statuses: [400], error: coercionError(field) } : { statuses: otherwise, allowed500 };
}

function roleWriteCase(rng: Rng): Case {
  const [field, type] = nextField(ROLE_FIELDS);
  const name = rng.pick(ROLE_NAMES);
  const wrong = wrongType(rng, type);
  const body = { ...VALID_ROLE, [field]: wrong.value };
  return {
    kind: `role write, ${field} of the wrong type`,
    request: { method: rng.pick(['POST', 'PUT']), target: v1(`ssh/roles/${name}`), body: json(body) },
    ...expectForWrong(field, wrong, [204, 400], DOCUMENTED_500.roleWrite),
  };
}

function validRoleCase(rng: Rng): Case {
  const name = rng.pick(ROLE_NAMES);
  const ttl = 60 + rng.int(3600);
  // Unknown parameters are ignored, whatever they are called.
  const body = Object.assign(Object.create(null) as Record<string, unknown>, VALID_ROLE, { ttl });
  body[rng.pick(['constructor', '__proto__', 'toString', 'valueOf', 'hasOwnProperty', 'x-unknown'])] = randomJson(rng);
  return {
    kind: 'valid role write with an unknown parameter, read back',
    request: { method: 'POST', target: v1(`ssh/roles/${name}`), body: json(body) },
    statuses: [204],
    async then() {
      const read = await send({ method: 'GET', target: v1(`ssh/roles/${name}`) });
      const data = JSON.parse(read.body).data;
      return read.status === 200 && data.ttl === ttl && data.allowed_users === '*' && data.max_ttl === 86400
        ? undefined
        : `read back ${read.status} ${read.body.slice(0, 300)}`;
    },
  };
}

function signCase(rng: Rng): Case {
  const name = rng.pick(ROLE_NAMES);
  if (rng.chance(0.25)) {
    return {
      kind: 'valid sign',
      request: { method: 'POST', target: v1(`ssh/sign/${name}`), body: json(VALID_SIGN) },
      statuses: [200, 400],
      allowed500: DOCUMENTED_500.sign,
    };
  }
  const [field, type] = nextField(SIGN_FIELDS);
  const wrong = wrongType(rng, type);
  return {
    kind: `sign, ${field} of the wrong type`,
    request: {
      method: rng.pick(['POST', 'PUT']),
      target: v1(`ssh/sign/${name}`),
      body: json({ ...VALID_SIGN, [field]: wrong.value }),
    },
    ...expectForWrong(field, wrong, [200, 400], DOCUMENTED_500.sign),
  };
}

function configCaCase(rng: Rng): Case {
  const roll = rng.int(6);
  if (roll === 0) {
    return {
      kind: 'config/ca delete',
      request: { method: 'DELETE', target: v1('ssh/config/ca') },
      statuses: [204],
    };
  }
  if (roll === 1) {
    return { kind: 'config/ca read', request: { method: 'GET', target: v1('ssh/config/ca') }, statuses: [200, 400] };
  }
  const [field, type] = nextField(CA_FIELDS);
  const wrong = wrongType(rng, type);
  const body: Record<string, unknown> = { ...VALID_CA(), [field]: wrong.value };
  // A string key_type names an algorithm; keep RSA generation out (a 4096-bit key takes seconds),
  // but let small sizes through to reach Vault's weak-key 500.
  if (typeof body.key_type === 'string' && /rsa/.test(body.key_type)) body.key_bits = 1024;
  if (field === 'key_bits') {
    // RSA only with sizes that are refused (0 means 4096, and 2048–16384 would be generated).
    const v = wrong.value;
    const bits = typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean' ? Number(v) : NaN;
    const generates = bits === 0 || (bits >= 2048 && bits <= 16384) || v === null;
    body.key_type = rng.pick(generates ? ['ec', 'ed25519'] : ['ec', 'ed25519', 'ecdsa-sha2-nistp384', 'rsa']);
  }
  return {
    kind: `config/ca write, ${field} of the wrong type`,
    request: { method: 'POST', target: v1('ssh/config/ca'), body: json(body) },
    ...expectForWrong(field, wrong, [200, 204, 400], DOCUMENTED_500.configCa),
  };
}

let mountCounter = 0;
function mountsCase(rng: Rng): Case {
  const path = `fz-m${mountCounter++ % 7}`;
  const roll = rng.int(6);
  if (roll === 0) {
    return { kind: 'mount delete', request: { method: 'DELETE', target: v1(`sys/mounts/${path}`) }, statuses: [204] };
  }
  if (roll === 1) {
    return {
      kind: 'mount read',
      request: { method: 'GET', target: v1(rng.pick([`sys/mounts/${path}`, `sys/mounts/${path}/tune`, 'sys/mounts'])) },
      statuses: [200, 400, 404],
    };
  }
  if (roll === 2) {
    const [field, type] = nextField(MOUNT_CONFIG_FIELDS);
    return {
      kind: `mount tune, ${field} of the wrong type`,
      request: {
        method: 'POST',
        target: v1(`sys/mounts/${rng.pick([path, 'ssh'])}/tune`),
        body: json({ [field]: wrongType(rng, type).value }),
      },
      statuses: [204, 400],
    };
  }
  const valid = { type: 'ssh', description: 'fuzz', config: { default_lease_ttl: '1h', max_lease_ttl: '2h' } };
  let body: Record<string, unknown>;
  let what: string;
  if (rng.chance(0.4)) {
    const [field, type] = nextField(MOUNT_CONFIG_FIELDS);
    body = { ...valid, config: { ...valid.config, [field]: wrongType(rng, type).value } };
    what = `config.${field}`;
  } else {
    const [field, type] = nextField(MOUNT_FIELDS);
    body = { ...valid, [field]: wrongType(rng, type).value };
    what = field;
  }
  return {
    kind: `mount enable, ${what} of the wrong type`,
    request: { method: 'POST', target: v1(`sys/mounts/${path}`), body: json(body) },
    statuses: [204, 400],
  };
}

/**
 * Writable paths for bodies of any shape (not config/ca: an empty body there generates an RSA key), the
 * 500s Vault documents for them, and statuses beyond the usual ones.
 */
const WRITE_TARGETS: ReadonlyArray<[string, RegExp[], number[]?]> = [
  ['ssh/roles/fz-r0', DOCUMENTED_500.roleWrite],
  ['ssh/roles/fz-json', DOCUMENTED_500.roleWrite],
  ['ssh/sign/fz-r1', DOCUMENTED_500.sign],
  ['sys/mounts/fz-json', []],
  ['sys/mounts/ssh/tune', []],
  ['sys/policies/acl/fz-json', []],
  ['sys/policy/fz-json', []],
  ['sys/auth/fz-json', []],
  ['sys/auth/token/tune', []],
  ['auth/token/create', []],
  // An unknown token named in the body: Vault answers 403 `bad token` (token_store.go's lookup).
  ['auth/token/lookup', [], [403]],
  ['auth/token/lookup-accessor', []],
];

/** Parameter names the random bodies favour: each path's own, and the maps that hold any values. */
const RANDOM_KEYS = [
  'type',
  'key_type',
  'policy',
  'ttl',
  'token',
  'accessor',
  'meta',
  'options',
  'config',
  'user_lockout_config',
  'default_lease_ttl',
  'allowed_users',
  'public_key',
];

function randomBodyCase(rng: Rng): Case {
  const [path, allowed500, more = []] = rng.pick(WRITE_TARGETS);
  const body = rng.chance(0.7) ? randomObject(rng, 0, RANDOM_KEYS) : randomJson(rng);
  return {
    kind: 'random JSON body',
    request: { method: 'POST', target: v1(path), body: json(body) },
    statuses: [200, 204, 400, 404, ...more],
    allowed500,
  };
}

function truncatedCase(rng: Rng): Case {
  const full = json(rng.pick([VALID_ROLE, VALID_SIGN, VALID_CA(), { type: 'ssh' }, randomObject(rng)]));
  const cut = full.length > 2 ? 1 + rng.int(full.length - 2) : 1;
  const path = rng.pick(['ssh/roles/fz-r2', 'ssh/sign/fz-r2', 'ssh/config/ca', 'sys/mounts/fz-trunc', 'nowhere/x']);
  return {
    kind: 'truncated JSON',
    // Parsed before the token is checked, as in Vault: even a bad token gets the parse error.
    request: { method: 'POST', target: v1(path), body: full.slice(0, cut), token: rng.pick([rootToken, 'bogus']) },
    statuses: [400],
    errors: ['error parsing JSON'],
  };
}

const form = (o: Record<string, unknown>) =>
  new URLSearchParams(
    Object.entries(o).map(([k, v]): [string, string] => [k, typeof v === 'object' ? JSON.stringify(v) : String(v)]),
  ).toString();

function formCase(rng: Rng): Case {
  const headers = { 'Content-Type': 'application/x-www-form-urlencoded' };
  const roll = rng.int(4);
  if (roll === 0) {
    const name = rng.pick(ROLE_NAMES);
    const ttl = 60 + rng.int(3600);
    return {
      kind: 'form role write, read back',
      request: {
        method: 'POST',
        target: v1(`ssh/roles/${name}`),
        headers,
        body: form({ key_type: 'ca', allow_user_certificates: 'true', allowed_users: '*', ttl: `${ttl}s` }),
      },
      statuses: [204],
      async then() {
        const read = await send({ method: 'GET', target: v1(`ssh/roles/${name}`) });
        const data = JSON.parse(read.body).data;
        return read.status === 200 && data.ttl === ttl && data.allow_user_certificates === true
          ? undefined
          : `read back ${read.status} ${read.body.slice(0, 300)}`;
      },
    };
  }
  if (roll === 1) {
    return {
      kind: 'form sign',
      request: { method: 'POST', target: v1(`ssh/sign/${rng.pick(ROLE_NAMES)}`), headers, body: form(VALID_SIGN) },
      statuses: [200, 400],
      allowed500: DOCUMENTED_500.sign,
    };
  }
  const junk = rng.pick(['%zz&&==&', 'a=%E6%97%A5&b', '&&&', '=x', 'key_type=ca&key_type=otp', 'x=%00', '😀=😀']);
  const [path, allowed500] = rng.pick(WRITE_TARGETS);
  return {
    kind: 'form junk',
    request: { method: 'POST', target: v1(path), headers, body: junk },
    statuses: [200, 204, 400, 404],
    allowed500,
  };
}

/**
 * Paths the odd-path and odd-method cases start from: never `stable/`, which the run must keep, nor
 * `sys/mounts/ssh/…`, whose `..` variants would unmount the playground.
 */
const BASE_PATHS = [
  'sys/health',
  'sys/mounts',
  'sys/mounts/fz-odd',
  'sys/mounts/fz-odd/tune',
  'sys/policies/acl',
  'sys/policies/acl/fz-odd',
  'sys/policy/fz-odd',
  'sys/auth',
  'auth/token/lookup-self',
  'ssh/roles',
  'ssh/roles/fz-r3',
  'ssh/sign/fz-r3',
  'ssh/config/ca',
  'ssh/public_key',
  'nowhere/x',
];

function mutatePath(rng: Rng, path: string): string {
  const segments = path.split('/');
  const at = 1 + rng.int(segments.length);
  const insert = (s: string) => [...segments.slice(0, at), s, ...segments.slice(at)].join('/');
  switch (rng.int(16)) {
    case 0:
      return `/v1/${path.replace('/', '//')}`;
    case 1:
      return `//v1/${path}`;
    case 2:
      return `/v1/${insert('..')}`;
    case 3:
      return `/v1/${insert('%2e%2e')}`;
    case 4:
      return `/v1/${insert('a%2F..%2F..%2Fb')}`;
    case 5:
      return `/v1/${insert('%00')}`;
    case 6:
      return `/v1/${insert(rng.pick(['%ZZ', '%', '%C0%AE', '%E6%97']))}`;
    case 7:
      return `/v1/${insert('a'.repeat(rng.pick([300, 5_000, 20_000])))}`;
    case 8:
      return `/v1/${insert(rng.pick(['日本', 'é', '😀']))}`;
    case 9:
      return `/v1/${insert('%E6%97%A5%F0%9F%98%80')}`;
    case 10:
      return `/v1/${path}${rng.pick(['/', '//', '/.', '/./'])}`;
    case 11:
      return `/v1/${path}?${rng.pick(['list=maybe', 'list=true', 'list=1&list=0', '%zz=1', 'a=b&a=c', 'list'])}`;
    case 12:
      return rng.pick([
        '/',
        '*',
        '/v1',
        '/v1/',
        '/v2/sys/health',
        '/V1/sys/health',
        'http://127.0.0.1/v1/sys/health',
        'http://[::1/v1/sys/health',
        '//[',
        '//v1/sys/health',
      ]);
    case 13:
      return `/v1/${path.replace(/\//g, '\\')}`;
    case 14:
      return `/v1/${insert('.x.tmp')}`;
    default:
      return `/v1/${path.replace(/\//g, '%2F')}`;
  }
}

function oddPathCase(rng: Rng): Case {
  const method = rng.pick(['GET', 'GET', 'DELETE', 'POST', 'LIST']);
  return {
    kind: 'odd path',
    request: {
      method,
      target: mutatePath(rng, rng.pick(BASE_PATHS)),
      ...(method === 'POST' ? { body: json({ key_type: 'ed25519', type: 'ssh', policy: 'path "x" {}' }) } : {}),
    },
    // 414/431: the long request lines (Node's parser stops at 16 KiB, Vault's Go at 1 MiB).
    statuses: [200, 204, 400, 404, 405, 414, 431],
    allowed500: DOCUMENTED_500.sign,
  };
}

function oddMethodCase(rng: Rng): Case {
  const method = rng.pick(['PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'LIST', 'PROPFIND', 'TRACE', 'FOO', 'get']);
  const path = rng.pick(BASE_PATHS.filter((p) => p !== 'ssh/config/ca' || method !== 'PUT'));
  const body = ['PUT', 'PATCH'].includes(method) ? json(VALID_ROLE) : undefined;
  const statuses: Record<string, number[]> = {
    PUT: [200, 204, 400, 404, 405],
    PATCH: [400, 404, 405, 415],
    DELETE: [204, 400, 404, 405],
    HEAD: [200, 400, 404, 405],
    OPTIONS: [200, 204],
    LIST: [200, 400, 404, 405],
    PROPFIND: [405],
    TRACE: [405],
    FOO: [405],
    get: [405],
  };
  return {
    kind: `${method} method`,
    request: { method, target: v1(path), ...(body ? { body } : {}) },
    statuses: statuses[method]!,
    allowed500: method === 'PUT' ? [...DOCUMENTED_500.roleWrite, ...DOCUMENTED_500.sign] : [],
  };
}

/** Authenticated requests that parse fine: without a valid token each must be exactly 403. */
const AUTHENTICATED: ReadonlyArray<[string, string, unknown?]> = [
  ['GET', 'sys/mounts'],
  ['GET', 'ssh/roles/fz-r0'],
  ['POST', 'ssh/roles/fz-r0', VALID_ROLE],
  ['POST', 'ssh/sign/fz-r0', VALID_SIGN],
  ['GET', 'ssh/config/ca'],
  ['DELETE', 'ssh/config/ca'],
  ['GET', 'ssh/roles?list=true'],
  ['LIST', 'ssh/roles'],
  ['DELETE', 'ssh/roles/fz-r0'],
  ['POST', 'sys/mounts/fz-auth', { type: 'ssh' }],
  ['DELETE', 'sys/mounts/stable'],
  ['GET', 'sys/policies/acl?list=true'],
  ['POST', 'auth/token/create', {}],
  ['GET', 'auth/token/lookup-self'],
  ['GET', 'nowhere/x'],
];

function authCase(rng: Rng): Case {
  const bad = rng.pick<[string, Record<string, string>, string | null]>([
    ['no token', {}, null],
    ['empty token', {}, ''],
    ['unknown token', {}, 'bogus'],
    ['unknown hvs token', {}, `hvs.${'A'.repeat(24)}`],
    ['the root token in another case', {}, rootToken.toUpperCase()],
    ['a long token', {}, 't'.repeat(4000)],
    ['a Latin-1 token', {}, 'tök€n'],
    ['Bearer of an unknown token', { Authorization: 'Bearer bogus' }, null],
    ['bearer (lower case) of the root token', { Authorization: `bearer ${rootToken}` }, null],
    ['Basic credentials', { Authorization: 'Basic cm9vdDpyb290' }, null],
  ]);
  if (rng.chance(0.15)) {
    const [path, statuses] = rng.pick<[string, number[]]>([
      ['sys/health', [200]],
      ['ssh/public_key', [200, 404]],
      ['stable/public_key', [200]],
    ]);
    return {
      kind: `unauthenticated path, ${bad[0]}`,
      request: { method: 'GET', target: v1(path), token: bad[2], headers: bad[1] },
      statuses,
    };
  }
  const [method, path, body] = rng.pick(AUTHENTICATED);
  // A token presented but unknown gets Vault's `invalid token` beside `permission denied`; none at all
  // (no header, an empty one, an Authorization that is not `Bearer `) only `permission denied`.
  const presented = bad[2] ? true : (bad[1].Authorization ?? '').startsWith('Bearer ');
  return {
    kind: `${bad[0]}`,
    request: {
      method,
      target: v1(path),
      token: bad[2],
      headers: bad[1],
      ...(body === undefined ? {} : { body: json(body) }),
    },
    statuses: [403],
    errors: [
      presented ? '2 errors occurred:\n\t* permission denied\n\t* invalid token\n\n' : wrapped('permission denied'),
    ],
  };
}

/** sys/health's status-code parameters: the code asked for, or Vault's 400. */
function healthCase(rng: Rng): Case {
  const code = rng.pick<string | number>([
    200 + rng.int(800),
    rng.int(1200) - 100,
    429,
    503,
    'abc',
    '',
    '1e3',
    '99999999999999999999',
    '-0',
  ]);
  const param = rng.pick(['activecode', 'activecode', 'standbycode', 'sealedcode', 'uninitcode']);
  const numeric = /^-?[0-9]+$/.test(String(code));
  const n = Number(code);
  let statuses = [400];
  if (numeric && n < 2 ** 63 && param !== 'activecode') statuses = [200];
  if (numeric && n >= 200 && n <= 999 && param === 'activecode') statuses = [n];
  return {
    kind: 'health status-code parameter',
    request: { method: rng.pick(['GET', 'HEAD']), target: v1(`sys/health?${param}=${code}`), token: null },
    statuses,
    healthBody: true,
  };
}

/** Keeps the playground mount and its CA alive so later requests reach the handlers. */
function repairCase(rng: Rng): Case {
  return rng.chance(0.5)
    ? {
        kind: 'repair: mount ssh',
        request: { method: 'POST', target: v1('sys/mounts/ssh'), body: json({ type: 'ssh' }) },
        statuses: [204, 400],
      }
    : {
        kind: 'repair: generate CA',
        request: { method: 'POST', target: v1('ssh/config/ca'), body: json(VALID_CA()) },
        statuses: [200, 400, 404],
      };
}

const GENERATORS: ReadonlyArray<[number, (rng: Rng) => Case]> = [
  [16, roleWriteCase],
  [4, validRoleCase],
  [14, signCase],
  [8, configCaCase],
  [10, mountsCase],
  [9, randomBodyCase],
  [8, truncatedCase],
  [6, formCase],
  [10, oddPathCase],
  [7, oddMethodCase],
  [6, authCase],
  [3, healthCase],
  [2, repairCase],
];

function generate(rng: Rng): Case {
  const total = GENERATORS.reduce((n, [w]) => n + w, 0);
  let roll = rng.int(total);
  for (const [weight, make] of GENERATORS) {
    if (roll < weight) return make(rng);
    roll -= weight;
  }
  throw new Error('unreachable');
}

/** Bodies over Vault's 32 MiB limit, declared or streamed: each is answered 413, never read whole. */
function hugeCases(): Case[] {
  const tooBig = 32 * MiB + 1;
  const filler = Buffer.alloc(tooBig, 'a');
  filler.write('{"public_key":"');
  const errors = ['http: request body too large'];
  // Without a Content-Length the size is only known while reading; a 1 MiB string would meet the
  // JSON string limit first (issue 13), so this body is one small value followed by blanks.
  const blanks = Buffer.alloc(tooBig, ' ');
  blanks.write('{"public_key":"a"}');
  return [
    {
      kind: 'declared Content-Length over 32 MiB, nothing sent',
      request: { method: 'POST', target: v1('ssh/roles/fz-huge'), declaredLength: 33 * MiB },
      statuses: [413],
      errors,
    },
    {
      kind: 'a body of 32 MiB + 1 byte',
      request: { method: 'POST', target: v1('ssh/sign/fz-r0'), body: filler },
      statuses: [413],
      errors,
    },
    {
      kind: 'a chunked body over 32 MiB without a token',
      request: { method: 'PUT', target: v1('sys/mounts/fz-huge'), body: blanks, chunked: 4 * MiB, token: null },
      statuses: [413],
      errors,
    },
  ];
}

// ---------------------------------------------------------------------------------------------------

let srv: TestServer;
let dataDir: string;
const serverLog: string[] = [];

beforeAll(async () => {
  dataDir = makeScratchDir('http-fuzz');
  srv = await startTestServer({ storage: new FileStorage(dataDir), log: (line) => serverLog.push(line) });
  port = Number(new URL(srv.url).port);
  rootToken = srv.token;
  // `ssh/` is the playground; `stable/` is never touched by generated requests and must still sign.
  for (const mount of ['ssh', 'stable']) {
    expect((await srv.request('POST', `/v1/sys/mounts/${mount}`, { type: 'ssh' })).status).toBe(204);
    expect((await srv.request('POST', `/v1/${mount}/config/ca`, VALID_CA())).status).toBe(200);
  }
  expect((await srv.request('POST', '/v1/stable/roles/ok', VALID_ROLE)).status).toBe(204);
});

afterAll(async () => {
  await srv?.close();
  if (dataDir) removeScratchDir(dataDir);
});

describe(`HTTP fuzz (seed ${SEED})`, () => {
  it(`answers ${GENERATED} generated requests and 3 oversized ones as Vault would`, async () => {
    const rng = new Rng(SEED);
    const cases = Array.from({ length: GENERATED }, () => generate(rng));
    const huge = hugeCases();
    cases.splice(GENERATED / 4, 0, huge[0]!);
    cases.splice(GENERATED / 2, 0, huge[1]!);
    cases.splice((3 * GENERATED) / 4, 0, huge[2]!);

    const failures: string[] = [];
    const statuses = new Map<number, number>();
    const kinds = new Set<string>();
    for (const [i, c] of cases.entries()) {
      kinds.add(c.kind.replace(/, .*$/, ''));
      let res: RawResponse;
      try {
        res = await send(c.request);
      } catch (e) {
        failures.push(describeCase(i, c, `no answer: ${(e as Error).message.slice(0, 300)}`));
        continue;
      }
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      const problems = judge(c, res);
      if (problems.length === 0 && c.then && c.statuses.includes(res.status)) {
        const problem = await c.then(res);
        if (problem) problems.push(problem);
      }
      if (problems.length > 0) {
        failures.push(describeCase(i, c, `${problems.join('; ')} — got ${res.status} ${res.body.slice(0, 300)}`));
      }
      if (failures.length >= 20) break;
    }

    expect(failures, `HTTP fuzz failures; rerun with HTTP_FUZZ_SEED=${SEED}`).toEqual([]);
    expect(cases.length).toBe(GENERATED + 3);
    expect(statuses.get(413), `seed ${SEED}`).toBe(3);
    // The run reached every class of answer, not only refusals.
    for (const status of [200, 204, 400, 403, 404, 405]) {
      expect(statuses.get(status) ?? 0, `seed ${SEED}: status ${status}`).toBeGreaterThan(0);
    }
    expect(kinds.size, `seed ${SEED}`).toBeGreaterThan(20);
    // Unexpected exceptions are logged by the server as `internal error: …`; there were none.
    expect(
      serverLog.filter((l) => l.startsWith('internal error')),
      `seed ${SEED}`,
    ).toEqual([]);
  }, 30_000);

  it('still answers health and signs afterwards', async () => {
    const health = await srv.request('GET', '/v1/sys/health', undefined, null);
    expect(health.status).toBe(200);
    expect(health.json).toMatchObject({ initialized: true, sealed: false });
    const signed = await srv.request('POST', '/v1/stable/sign/ok', VALID_SIGN);
    expect(signed.status).toBe(200);
    expect(signed.json.data.signed_key).toMatch(/^ssh-ed25519-cert-v01@openssh\.com AAAA/);
    const role = await srv.request('GET', '/v1/stable/roles/ok');
    expect(role.json.data).toMatchObject({ allowed_users: '*', default_user: 'fuzz', ttl: 3600, max_ttl: 86400 });
  });
});

function describeCase(i: number, c: Case, problem: string): string {
  const body = c.request.body === undefined ? '' : ` body ${String(c.request.body).slice(0, 200)}`;
  return `seed ${SEED} #${i} [${c.kind}] ${c.request.method} ${c.request.target.slice(0, 120)}${body}: ${problem}`;
}

// ---------------------------------------------------------------------------------------------------

describe('what the fuzzer found (each was a 500, a hang, a lost write or a wrong acceptance)', () => {
  const get = (target: string) => send({ method: 'GET', target });
  const post = (target: string, body: unknown) => send({ method: 'POST', target, body: json(body) });
  const errorsOf = (r: RawResponse) => JSON.parse(r.body).errors;

  beforeAll(async () => {
    // The fuzz run may have left the playground unmounted.
    expect([204, 400]).toContain((await post('/v1/sys/mounts/ssh', { type: 'ssh' })).status);
  });

  it('a request target no URL can hold is a 400, not a 500', async () => {
    for (const target of ['//[', 'http://[::1/v1/sys/health']) {
      const r = await get(target);
      expect([r.status, errorsOf(r)], target).toEqual([400, ['malformed HTTP request']]);
    }
  });

  it("sys/health refuses an activecode that is no final HTTP status, with Go's Atoi range error past int64", async () => {
    for (const code of [0, 5, 101, 199, 1000]) {
      const r = await get(`/v1/sys/health?activecode=${code}`);
      expect([r.status, errorsOf(r)]).toEqual([400, [`invalid activecode ${code}: must be 200 to 999`]]);
    }
    const r = await get('/v1/sys/health?activecode=99999999999999999999');
    expect([r.status, errorsOf(r)]).toEqual([
      400,
      ['strconv.Atoi: parsing "99999999999999999999": value out of range'],
    ]);
    expect((await get('/v1/sys/health?activecode=299')).status).toBe(299);
  });

  it('policy names with `..`, `.` or empty segments are stored on disk as in memory, not a 500', async () => {
    const policy = 'path "ssh/sign/*" {\n  capabilities = ["update"]\n}\n';
    for (const [target, name] of [
      ['/v1/sys/policies/acl/a%2F..%2Fb', 'a/../b'],
      ['/v1/sys/policies/acl/a//b', 'a//b'],
      ['/v1/sys/policies/acl/x%2F.%2Fy', 'x/./y'],
    ] as const) {
      expect((await post(target, { policy })).status, target).toBe(204);
      const read = await get(target);
      expect([read.status, JSON.parse(read.body).data], target).toEqual([200, { name, policy }]);
      expect((await send({ method: 'DELETE', target })).status, target).toBe(204);
      expect((await get(target)).status, target).toBe(404);
    }
  });

  it('an accessor holding `..` is "invalid accessor", and an audit device at such a path works, not a 500', async () => {
    const accessor = await post('/v1/auth/token/lookup-accessor', { accessor: 'a/../b' });
    expect([accessor.status, errorsOf(accessor)]).toEqual([400, ['invalid accessor']]);
    const device = '/v1/sys/audit/a%2F..%2Fb';
    expect((await post(device, { type: 'file', options: { file_path: 'discard' } })).status).toBe(204);
    expect(Object.keys(JSON.parse((await get('/v1/sys/audit')).body).data)).toEqual(['a/../b/']);
    expect((await send({ method: 'DELETE', target: device })).status).toBe(204);
  });

  it('names the data directory cannot hold are refused with a 400 that says why, and read as absent', async () => {
    const long = `/v1/ssh/roles/${'a'.repeat(300)}`;
    expect((await get(long)).status).toBe(404);
    const write = await post(long, VALID_ROLE);
    expect([write.status, errorsOf(write)[0]]).toEqual([
      400,
      expect.stringMatching(
        /^cannot store ".*…": a part of the name is over the 255 bytes a file name holds once percent-encoded$/,
      ),
    ]);
    expect((await send({ method: 'DELETE', target: long })).status).toBe(204);
    const policy = { policy: 'path "x" {\n  capabilities = ["read"]\n}\n' };
    expect((await post('/v1/sys/policies/acl/clash', policy)).status).toBe(204);
    const under = await post('/v1/sys/policies/acl/clash/under', policy);
    expect([under.status, errorsOf(under)]).toEqual([
      400,
      ['cannot store "core/policies/clash/under": a shorter name it starts with is already an entry'],
    ]);
    expect((await get('/v1/sys/policies/acl/clash/under')).status).toBe(404);
    expect((await send({ method: 'DELETE', target: '/v1/sys/policies/acl/clash/under' })).status).toBe(204);
    expect((await post('/v1/sys/policies/acl/folder/x', policy)).status).toBe(204);
    const over = await post('/v1/sys/policies/acl/folder', policy);
    expect([over.status, errorsOf(over)]).toEqual([
      400,
      ['cannot store "core/policies/folder": it is already a folder of other entries'],
    ]);
    expect((await get('/v1/sys/policies/acl/folder')).status).toBe(404);
  });

  it('values that are objects with their own `toString` are parameters, not a 500', async () => {
    const sneaky = { toString: 'x', valueOf: 1 };
    const ttl = await post('/v1/sys/mounts/sneaky', { type: 'ssh', config: { default_lease_ttl: sneaky } });
    expect([ttl.status, errorsOf(ttl)]).toEqual([
      400,
      ['unable to parse default TTL of map[toString:x valueOf:1]: could not parse duration from input'],
    ]);
    expect((await post('/v1/sys/mounts/sneaky', { type: 'ssh', options: { a: sneaky, b: [1, null] } })).status).toBe(
      204,
    );
    const mounts = JSON.parse((await get('/v1/sys/mounts')).body);
    expect(mounts.data['sneaky/'].options).toEqual({ a: 'map[toString:x valueOf:1]', b: '[1 <nil>]' });
    const token = await post('/v1/auth/token/create', { meta: { a: sneaky } });
    expect(token.status).toBe(200);
    expect(JSON.parse(token.body).auth.metadata).toEqual({ a: 'map[toString:x valueOf:1]' });
    const tune = await post('/v1/sys/auth/token/tune', { user_lockout_config: { lockout_threshold: sneaky } });
    expect([tune.status, errorsOf(tune)]).toEqual([400, ['unable to parse lockout_threshold']]);
  });

  it("int fields refuse what Go's int64 cannot hold instead of generating a key with it", async () => {
    const fieldError = (input: string, cause: string) =>
      `Field validation failed: error converting input ${input} for field "key_bits": ${cause}`;
    const cases: Array<[unknown, number, string]> = [
      [
        1e300,
        400,
        fieldError('1e+300', 'error decoding json.Number into : strconv.ParseInt: parsing "1e+300": invalid syntax'),
      ],
      [
        '99999999999999999999',
        400,
        fieldError(
          '99999999999999999999',
          `cannot parse '' as int: strconv.ParseInt: parsing "99999999999999999999": value out of range`,
        ),
      ],
      [4294967296, 500, wrapped("refusing to generate rsa key: 4294967296 bits > 16384 bits (OpenSSH's maximum)")],
      [999999, 500, wrapped("refusing to generate rsa key: 999999 bits > 16384 bits (OpenSSH's maximum)")],
    ];
    await send({ method: 'DELETE', target: '/v1/ssh/config/ca' });
    for (const [bits, status, message] of cases) {
      const r = await post('/v1/ssh/config/ca', { key_type: 'rsa', key_bits: bits });
      expect([r.status, errorsOf(r)], String(bits)).toEqual([status, [message]]);
    }
  });

  it("parameters named after Object.prototype's members are unknown parameters, and no bool", async () => {
    const role = { ...VALID_ROLE, constructor: 1, toString: 'x', hasOwnProperty: {}, valueOf: [] };
    expect((await post('/v1/ssh/roles/proto', role)).status).toBe(204);
    const viaProto = await send({
      method: 'POST',
      target: '/v1/ssh/roles/proto2',
      body: `{"key_type":"ca","allow_user_certificates":true,"__proto__":{"allowed_users":"*"}}`,
    });
    expect(viaProto.status).toBe(204);
    expect(JSON.parse((await get('/v1/ssh/roles/proto2')).body).data.allowed_users).toBe('');
    const r = await post('/v1/ssh/roles/proto3', { key_type: 'ca', allow_user_certificates: 'constructor' });
    expect([r.status, errorsOf(r)]).toEqual([
      400,
      [
        'Field validation failed: error converting input constructor for field "allow_user_certificates": ' +
          `cannot parse '' as bool: strconv.ParseBool: parsing "constructor": invalid syntax`,
      ],
    ]);
  });
});
