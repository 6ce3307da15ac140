// Generated bad input: at least 1,000 random and mutated public keys and role bodies go through the
// real parsing and signing code; each must either succeed or fail with one of Vault's user-facing
// errors (never a crash, never an unexpected error type). Seeded, so a failure is reproducible.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCertificate } from '../../core/cert/certificate.js';
import { isInternalError, isRequestError } from '../../core/errors.js';
import { generateKeyPair } from '../../server/ssh/generate-key-pair.js';
import { parseRoleWrite } from '../../core/role.js';
import { parseSignRequest, signWithRole } from '../../core/sign.js';

const SEED = Number(process.env.FUZZ_SEED ?? 20261122);

/** mulberry32: a small seeded PRNG, so every run sees the same inputs. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const KEY_ERRORS = [
  /^failed to parse public_key as SSH key: (illegal base64 data at input byte \d+|ssh: short read|ssh: unknown key algorithm: .*|ssh: trailing junk in public key|ssh: exponent too large|ssh: incorrect exponent|ssh: unsupported curve|ssh: invalid curve point|invalid size \d+ for Ed25519 public key|a certificate cannot be signed: send the public key it certifies)$/s,
  /^public_key failed to meet the key requirements: (key of type \w+ is not allowed|key is of an invalid size: \d+)$/,
  /^missing public_key$/,
];

let dir: string;
const keys: string[] = [];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sshca-fuzz-'));
  for (const [type, bits] of [
    ['ed25519', ''],
    ['rsa', '2048'],
    ['rsa', '1024'],
    ['ecdsa', '256'],
    ['ecdsa', '521'],
    ['dsa', ''],
  ]) {
    const file = join(dir, `${type}${bits}`);
    execFileSync('ssh-keygen', [
      '-q',
      '-t',
      type!,
      ...(bits ? ['-b', bits] : []),
      '-N',
      '',
      '-C',
      'fuzz@test',
      '-f',
      file,
    ]);
    keys.push(readFileSync(`${file}.pub`, 'utf8'));
  }
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function mutateKey(rand: () => number, base: string): string {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const [type, b64 = '', comment = ''] = base.trim().split(' ');
  const blob = Buffer.from(b64, 'base64');
  const at = (n: number) => Math.floor(rand() * n);
  switch (at(10)) {
    case 0:
      return `${type} ${b64.slice(0, at(b64.length))}`;
    case 1: {
      const chars = [...b64];
      chars[at(chars.length)] = pick(['!', '-', '_', '*', ' ', '\u00e9', '=', '\n', '.']);
      return `${type} ${chars.join('')} ${comment}`;
    }
    case 2:
      return `${type} ${Buffer.from(Array.from({ length: at(300) }, () => at(256))).toString('base64')}`;
    case 3:
      return `${pick(['ssh-rsa', 'ssh-ed25519', 'ssh-foo', '', 'ecdsa-sha2-nistp384'])} ${b64} ${comment}`;
    case 4: {
      const copy = Buffer.from(blob);
      for (let i = 0; i < 1 + at(4); i++) copy[at(copy.length)] = at(256);
      return `${type} ${copy.toString('base64')}`;
    }
    case 5:
      return `${type} ${blob.subarray(0, at(blob.length)).toString('base64')}`;
    case 6:
      return `${type} ${Buffer.concat([blob, Buffer.from([at(256), at(256)])]).toString('base64')}`;
    case 7: {
      const copy = Buffer.from(blob);
      copy.writeUInt32BE(at(2 ** 32), 0);
      return `${type} ${copy.toString('base64')}`;
    }
    case 8:
      return pick([
        ' ' + base,
        base.replace(' ', '  '),
        b64,
        '',
        'AAAA',
        '====',
        'ssh-ed25519',
        '\u0000'.repeat(at(50)),
      ]);
    default:
      return `${type} ${b64.slice(0, 4)}${b64.slice(8)}`;
  }
}

describe('bad input never crashes the signer', () => {
  it('1,200 random and mutated public keys give a certificate or a Vault error', () => {
    const rand = prng(SEED);
    const ca = generateKeyPair('ed25519', 0).caKey;
    const open = parseRoleWrite({
      key_type: 'ca',
      allow_user_certificates: true,
      allowed_users: '*',
      default_user: 'u',
    });
    const strict = parseRoleWrite({
      key_type: 'ca',
      allow_user_certificates: true,
      allowed_users: 'u',
      default_user: 'u',
      allowed_user_key_lengths: { ed25519: [0], rsa: [2048, 4096], 'ecdsa-sha2-nistp256': [0] },
    });
    const outcomes = { signed: 0, refused: 0 };
    for (let i = 0; i < 1200; i++) {
      const text = mutateKey(rand, keys[i % keys.length]!);
      const role = i % 2 === 0 ? open : strict;
      try {
        const { request } = parseSignRequest({ public_key: text });
        const result = signWithRole({
          roleName: 'fuzz',
          role,
          request,
          mount: { defaultLeaseTtl: 3600, maxLeaseTtl: 3600 },
          requester: { displayName: 'fuzz' },
          ca,
          now: 1_800_000_000,
          serial: BigInt(i),
          nonce: Buffer.alloc(32, i),
        });
        expect(parseCertificate(result.signedKey).principals).toEqual(['u']);
        outcomes.signed++;
      } catch (e) {
        const message = (e as Error).message;
        if (!isRequestError(e) || !KEY_ERRORS.some((re) => re.test(message))) {
          throw new Error(`case ${i} (seed ${SEED}) ${JSON.stringify(text)}: unexpected ${String(e)}`);
        }
        outcomes.refused++;
      }
    }
    // Both outcomes occur: the generator really produces good and bad keys.
    expect(outcomes.signed).toBeGreaterThan(50);
    expect(outcomes.refused).toBeGreaterThan(500);
  });

  it('300 random role bodies give a role or a Vault error', () => {
    const rand = prng(SEED + 1);
    const values: unknown[] = [
      '',
      'ca',
      'otp',
      'CA',
      'dynamic',
      'x',
      true,
      false,
      0,
      1,
      -5,
      1.5,
      '1h',
      '1.5d',
      'abc',
      null,
      [],
      {},
      [{ a: 1 }],
      ['x'],
      { 'permit-pty': '' },
      '10.0.0.0/8',
      '10.0.0.0/33',
      '*',
      'ssh-rsa',
      'rsa-sha2-512',
      'sha1',
    ];
    const fields = [
      'key_type',
      'allow_user_certificates',
      'allow_host_certificates',
      'ttl',
      'max_ttl',
      'default_extensions',
      'allowed_user_key_lengths',
      'algorithm_signer',
      'cidr_list',
      'allowed_users',
      'not_before_duration',
      'port',
      'bogus',
    ];
    for (let i = 0; i < 300; i++) {
      const body: Record<string, unknown> = {};
      for (let j = 0; j < 1 + Math.floor(rand() * 6); j++) {
        body[fields[Math.floor(rand() * fields.length)]!] = values[Math.floor(rand() * values.length)];
      }
      try {
        parseRoleWrite(body);
      } catch (e) {
        if (!isRequestError(e) && !isInternalError(e)) {
          throw new Error(`role case ${i} (seed ${SEED}) ${JSON.stringify(body)}: unexpected ${String(e)}`);
        }
      }
    }
  });
});
