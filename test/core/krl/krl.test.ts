// The KRL encoder against the real ssh-keygen: for each case the bytes of `renderKrl` equal the file
// `ssh-keygen -k` writes from the same revocation spec, and `ssh-keygen -Q` reads our file back
// (revoked certificates and keys exit 1 with "REVOKED", the others 0 with "ok").
//
// ssh-keygen writes its clock's time as generated_date. `ssh-keygen -k -u` keeps the date of the
// KRL it updates, so each case starts from a header-only KRL of ours with a fixed date: the whole
// file is then comparable. One case also compares a fresh `ssh-keygen -k` file with that field masked.

import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isValidationError } from '../../../core/errors.js';
import { renderKrl, type KrlSpec } from '../../../core/krl/krl.js';
import { makeScratchDir, removeScratchDir } from '../../helpers/scratch.js';

let dir: string;
let n = 0;
const DATE = 1_767_225_600n; // 2026-01-01T00:00:00Z

const blobOf = (pubFile: string): Buffer => Buffer.from(readFileSync(pubFile, 'utf8').split(' ')[1]!, 'base64');

function keygen(type: 'ed25519' | 'rsa' | 'ecdsa'): string {
  const file = join(dir, `key${++n}`);
  execFileSync('ssh-keygen', ['-q', '-t', type, ...(type === 'rsa' ? ['-b', '2048'] : []), '-N', '', '-f', file]);
  return file;
}

/** A user certificate of a new key, signed by `ca` with this serial and key ID; returns the cert path. */
function certify(ca: string, serial: bigint, keyId: string): string {
  const key = keygen('ed25519');
  execFileSync('ssh-keygen', ['-q', '-s', ca, '-I', keyId, '-n', 'alice', '-z', String(serial), `${key}.pub`]);
  return `${key}-cert.pub`;
}

/** ssh-keygen's KRL for spec files (each `[caPublicKeyFile, specText]`, applied in order with -u) at DATE. */
function sshKeygenKrl(version: bigint, steps: readonly (readonly [string | undefined, string])[]): Buffer {
  const out = join(dir, `ref${++n}.krl`);
  writeFileSync(out, renderKrl({ krlVersion: 0n, generatedDate: DATE }));
  for (const [ca, text] of steps) {
    const spec = join(dir, `spec${++n}.txt`);
    writeFileSync(spec, text);
    execFileSync('ssh-keygen', ['-q', '-k', '-u', '-f', out, ...(ca ? ['-s', ca] : []), '-z', String(version), spec]);
  }
  return readFileSync(out);
}

/** `ssh-keygen -Q` of one key or certificate against our KRL bytes. */
function query(krl: Buffer, keyFile: string): { status: number | null; stdout: string } {
  const file = join(dir, `ours${++n}.krl`);
  writeFileSync(file, krl);
  const r = spawnSync('ssh-keygen', ['-Q', '-f', file, keyFile], { encoding: 'utf8' });
  // ssh-keygen prints `<file> (<comment>): REVOKED` or `…: ok`.
  return { status: r.status, stdout: r.stdout.replace(/^.*: /, '') };
}

let ca1: string;
let ca2: string;

beforeAll(() => {
  dir = makeScratchDir('krl');
  ca1 = keygen('ed25519');
  ca2 = keygen('rsa');
});
afterAll(() => removeScratchDir(dir));

describe('renderKrl is byte for byte ssh-keygen -k', () => {
  const serialCases: readonly { name: string; serials: readonly bigint[]; ranges?: readonly [bigint, bigint][] }[] = [
    { name: 'one serial (list)', serials: [42n] },
    { name: 'a few scattered serials (list)', serials: [7n, 1000n, 99_999n, 18_446_744_073_709_551_615n] },
    { name: 'many close serials (bitmap)', serials: Array.from({ length: 40 }, (_, i) => 100n + BigInt(i * 3)) },
    {
      name: 'bitmap, then a far serial (bitmap restart or list)',
      serials: [...Array.from({ length: 30 }, (_, i) => 5n + BigInt(i * 2)), 1_000_000n, 1_000_003n, 1_000_005n],
    },
    { name: 'a range', serials: [], ranges: [[1000n, 5000n]] },
    {
      name: 'ranges, abutting and overlapping ones merged',
      serials: [4999n, 12n],
      ranges: [
        [1000n, 5000n],
        [5001n, 6000n],
        [10n, 20n],
      ],
    },
    {
      name: 'long runs beside single serials',
      serials: [1n, 3n, 300n],
      ranges: [
        [50n, 120n],
        [2n ** 40n, 2n ** 40n + 500n],
      ],
    },
  ];
  for (const c of serialCases) {
    it(c.name, () => {
      const lines = [
        ...c.serials.map((s) => `serial: ${s}`),
        ...(c.ranges ?? []).map(([a, b]) => `serial: ${a}-${b}`),
      ].join('\n');
      const ours = renderKrl({
        krlVersion: 3n,
        generatedDate: DATE,
        certificates: [
          { caKey: blobOf(`${ca1}.pub`), serials: [...c.serials, ...(c.ranges ?? []).map(([lo, hi]) => ({ lo, hi }))] },
        ],
      });
      expect(ours.toString('hex')).toBe(sshKeygenKrl(3n, [[`${ca1}.pub`, `${lines}\n`]]).toString('hex'));
    });
  }

  it('key IDs (sorted and deduplicated as ssh-keygen does), with serials of the same CA', () => {
    const ours = renderKrl({
      krlVersion: 9n,
      generatedDate: DATE,
      certificates: [
        {
          caKey: blobOf(`${ca1}.pub`),
          keyIds: ['vault-alice', 'bob@example.com', 'Zed', 'vault-alice'],
          serials: [77n],
        },
      ],
    });
    const ref = sshKeygenKrl(9n, [
      [`${ca1}.pub`, 'id: vault-alice\nid: bob@example.com\nserial: 77\nid: Zed\nid: vault-alice\n'],
    ]);
    expect(ours.toString('hex')).toBe(ref.toString('hex'));
  });

  it('key IDs for any CA (-s none: an empty CA key)', () => {
    const ours = renderKrl({
      krlVersion: 1n,
      generatedDate: DATE,
      certificates: [{ caKey: null, keyIds: ['mallory'] }],
    });
    expect(ours.toString('hex')).toBe(sshKeygenKrl(1n, [['none', 'id: mallory\n']]).toString('hex'));
  });

  it('explicit keys and SHA-1 / SHA-256 fingerprints, sorted', () => {
    const keys = [keygen('ed25519'), keygen('ecdsa'), keygen('rsa'), keygen('ed25519')];
    const ours = renderKrl({
      krlVersion: 4n,
      generatedDate: DATE,
      explicitKeys: [blobOf(`${keys[0]}.pub`), blobOf(`${keys[1]}.pub`), blobOf(`${keys[2]}.pub`)],
      sha1: [
        createHash('sha1')
          .update(blobOf(`${keys[3]}.pub`))
          .digest(),
        createHash('sha1')
          .update(blobOf(`${keys[1]}.pub`))
          .digest(),
      ],
      sha256: [
        createHash('sha256')
          .update(blobOf(`${keys[2]}.pub`))
          .digest(),
      ],
    });
    const text = (f: string) => readFileSync(`${f}.pub`, 'utf8').trim();
    const ref = sshKeygenKrl(4n, [
      [
        undefined,
        [
          `key: ${text(keys[0]!)}`,
          `sha1: ${text(keys[3]!)}`,
          `key: ${text(keys[1]!)}`,
          `sha256: ${text(keys[2]!)}`,
          `key: ${text(keys[2]!)}`,
          `sha1: ${text(keys[1]!)}`,
        ].join('\n') + '\n',
      ],
    ]);
    expect(ours.toString('hex')).toBe(ref.toString('hex'));
  });

  it('two CAs: one section each, in order, the same CA given twice merged', () => {
    const ours = renderKrl({
      krlVersion: 12n,
      generatedDate: DATE,
      certificates: [
        { caKey: blobOf(`${ca1}.pub`), serials: [5n, 6n, 7n], keyIds: ['alice'] },
        { caKey: blobOf(`${ca2}.pub`), serials: [{ lo: 100n, hi: 200n }], keyIds: ['bob'] },
        { caKey: blobOf(`${ca1}.pub`), serials: [8n] },
      ],
    });
    const ref = sshKeygenKrl(12n, [
      [`${ca1}.pub`, 'serial: 5-7\nid: alice\n'],
      [`${ca2}.pub`, 'serial: 100-200\nid: bob\n'],
      [`${ca1}.pub`, 'serial: 8\n'],
    ]);
    expect(ours.toString('hex')).toBe(ref.toString('hex'));
  });

  it('a fresh ssh-keygen -k file equals ours except generated_date (bytes 20 to 27)', () => {
    const out = join(dir, 'fresh.krl');
    const spec = join(dir, 'fresh.txt');
    writeFileSync(spec, 'serial: 1-3\nserial: 10\nid: carol\n');
    execFileSync('ssh-keygen', ['-q', '-k', '-f', out, '-s', `${ca1}.pub`, '-z', '2', spec]);
    const ref = readFileSync(out);
    const ours = renderKrl({
      krlVersion: 2n,
      generatedDate: ref.readBigUInt64BE(20),
      certificates: [{ caKey: blobOf(`${ca1}.pub`), serials: [{ lo: 1n, hi: 3n }, 10n], keyIds: ['carol'] }],
    });
    expect(ours.toString('hex')).toBe(ref.toString('hex'));
    expect(ours.subarray(0, 20).toString('hex')).toBe(
      `${Buffer.from('SSHKRL\n\0').toString('hex')}000000010000000000000002`,
    );
  });
});

describe('ssh-keygen -Q reads our KRLs', () => {
  it('revokes by serial, range, key ID and explicit key, per CA; leaves the rest', () => {
    const bySerial = certify(ca1, 42n, 'alice');
    const byRange = certify(ca1, 1500n, 'bob');
    const byKeyId = certify(ca1, 9n, 'mallory');
    const otherCaSameSerial = certify(ca2, 42n, 'alice');
    const fine = certify(ca1, 43n, 'carol');
    const plain = keygen('ed25519');
    const plainFine = keygen('ed25519');
    const krl = renderKrl({
      krlVersion: 1n,
      generatedDate: DATE,
      certificates: [{ caKey: blobOf(`${ca1}.pub`), serials: [42n, { lo: 1000n, hi: 2000n }], keyIds: ['mallory'] }],
      explicitKeys: [blobOf(`${plain}.pub`)],
    });
    const revoked = { status: 1, stdout: 'REVOKED\n' };
    const ok = { status: 0, stdout: 'ok\n' };
    expect(query(krl, bySerial)).toEqual(revoked);
    expect(query(krl, byRange)).toEqual(revoked);
    expect(query(krl, byKeyId)).toEqual(revoked);
    expect(query(krl, `${plain}.pub`)).toEqual(revoked);
    expect(query(krl, otherCaSameSerial)).toEqual(ok);
    expect(query(krl, fine)).toEqual(ok);
    expect(query(krl, `${plainFine}.pub`)).toEqual(ok);
  });

  it('a bitmap section revokes exactly its serials', () => {
    const serials = Array.from({ length: 40 }, (_, i) => 100n + BigInt(i * 3));
    const krl = renderKrl({
      krlVersion: 1n,
      generatedDate: DATE,
      certificates: [{ caKey: blobOf(`${ca2}.pub`), serials }],
    });
    expect(query(krl, certify(ca2, 103n, 'in-bitmap'))).toEqual({ status: 1, stdout: 'REVOKED\n' });
    expect(query(krl, certify(ca2, 104n, 'between'))).toEqual({ status: 0, stdout: 'ok\n' });
  });
});

describe('renderKrl refuses what ssh-keygen refuses', () => {
  const cases: readonly [string, KrlSpec, string][] = [
    [
      'serial 0',
      { krlVersion: 1n, generatedDate: DATE, certificates: [{ caKey: null, serials: [0n] }] },
      'a revoked serial must be between 1 and 2^64-1 (OpenSSH cannot revoke serial 0), got 0',
    ],
    [
      'an inverted range',
      { krlVersion: 1n, generatedDate: DATE, certificates: [{ caKey: null, serials: [{ lo: 9n, hi: 3n }] }] },
      'a revoked serial range must satisfy 1 <= low <= high <= 2^64-1, got 9-3',
    ],
    [
      'a short SHA-256',
      { krlVersion: 1n, generatedDate: DATE, sha256: [Buffer.alloc(20)] },
      'a SHA-256 hash has 32 bytes, got 20',
    ],
  ];
  for (const [name, spec, message] of cases) {
    it(name, () => {
      let caught: unknown;
      try {
        renderKrl(spec);
      } catch (e) {
        caught = e;
      }
      expect(isValidationError(caught)).toBe(true);
      expect((caught as Error).message).toBe(message);
    });
  }
});
