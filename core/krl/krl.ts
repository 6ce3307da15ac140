// OpenSSH's key revocation list (KRL) format, PROTOCOL.krl, written exactly as `ssh-keygen -k`
// writes it (krl.c `ssh_krl_to_blob`): the same section order, the same sorting of key IDs, keys and
// hashes, and the same cost model that picks a serial list, a range or a bitmap for each run of
// revoked serials, so that the bytes are identical. Pure: the KRL version and the generation date
// are inputs (ssh-keygen takes the date from its clock).

import { ValidationError, type Issue } from '../errors.js';
import { WireWriter } from '../keys/wire.js';

/** `SSHKRL\n\0`. */
const KRL_MAGIC = Buffer.from('SSHKRL\n\0', 'latin1');
const KRL_FORMAT_VERSION = 1;

const SECTION_CERTIFICATES = 1;
const SECTION_EXPLICIT_KEY = 2;
const SECTION_FINGERPRINT_SHA1 = 3;
const SECTION_FINGERPRINT_SHA256 = 5;

const CERT_SERIAL_LIST = 0x20;
const CERT_SERIAL_RANGE = 0x21;
const CERT_SERIAL_BITMAP = 0x22;
const CERT_KEY_ID = 0x23;

const U64_MAX = (1n << 64n) - 1n;

/** Serials `lo` to `hi`, both included. */
export interface KrlSerialRange {
  readonly lo: bigint;
  readonly hi: bigint;
}

/** Revocations of certificates signed by one CA key (or by any CA). */
export interface KrlCertificateSection {
  /** The CA's public key blob (SSH wire format); `null` revokes for every CA (key IDs only, in practice). */
  readonly caKey: Buffer | null;
  /** Serials (1 … 2^64-1) and ranges of serials. */
  readonly serials?: readonly (bigint | KrlSerialRange)[];
  /** Certificate key IDs. */
  readonly keyIds?: readonly string[];
}

/** What a KRL revokes, and its header. */
export interface KrlSpec {
  /** Increases with each KRL (`ssh-keygen -z`). */
  readonly krlVersion: bigint;
  /** Seconds since 1970-01-01 UTC. */
  readonly generatedDate: bigint;
  /** @default - empty, as ssh-keygen writes it */
  readonly comment?: string;
  /** Certificate sections, one per CA key; sections with the same CA key are merged, first one's place kept. */
  readonly certificates?: readonly KrlCertificateSection[];
  /** Plain public key blobs revoked outright (never certificates). */
  readonly explicitKeys?: readonly Buffer[];
  /** SHA-1 hashes (20 bytes) of public key blobs. */
  readonly sha1?: readonly Buffer[];
  /** SHA-256 hashes (32 bytes) of public key blobs. */
  readonly sha256?: readonly Buffer[];
}

/** Insert a range into sorted, disjoint, non-abutting ranges, merging as krl.c `insert_serial_range` does. */
function insertRange(ranges: KrlSerialRange[], lo: bigint, hi: bigint): KrlSerialRange[] {
  const out: KrlSerialRange[] = [];
  let cur = { lo, hi };
  let placed = false;
  for (const r of ranges) {
    if (placed) {
      out.push(r);
    } else if (r.hi < cur.lo - 1n) {
      out.push(r);
    } else if (r.lo > cur.hi + 1n) {
      out.push(cur, r);
      placed = true;
    } else {
      cur = { lo: r.lo < cur.lo ? r.lo : cur.lo, hi: r.hi > cur.hi ? r.hi : cur.hi };
    }
  }
  if (!placed) out.push(cur);
  return out;
}

/** Unique, sorted as memcmp then length (krl.c `blob_cmp`). */
function sortedBlobs(blobs: readonly Buffer[]): Buffer[] {
  const sorted = [...blobs].sort(Buffer.compare);
  return sorted.filter((b, i) => i === 0 || !b.equals(sorted[i - 1]!));
}

const cap = (n: bigint): number => Number(n < 1n << 31n ? n : 1n << 31n);

/**
 * krl.c `choose_next_state`: the section type that keeps the KRL smallest for the next run of
 * `contig` serials, given the gap since the last run and to the next one.
 */
function chooseNextState(
  current: number,
  contigRaw: bigint,
  final: boolean,
  lastGapRaw: bigint,
  nextGapRaw: bigint,
): { state: number; forceNew: boolean } {
  const contig = cap(contigRaw);
  const lastGap = cap(lastGapRaw);
  const nextGap = cap(nextGapRaw);
  let costList = 0;
  let costBitmap = 0;
  let costBitmapRestart = 0;
  let costRange = 8;
  switch (current) {
    case CERT_SERIAL_LIST:
      costBitmapRestart = costBitmap = 8 + 64;
      break;
    case CERT_SERIAL_BITMAP:
      costList = 8;
      costBitmapRestart = 8 + 64;
      break;
    default:
      costBitmapRestart = costBitmap = 8 + 64;
      costList = 8;
  }
  costList += 64 * contig + (final ? 0 : 8 + 64);
  costRange += 2 * 64 + (final ? 0 : 8 + 64);
  costBitmap += lastGap + contig + (final ? 0 : Math.min(nextGap, 8 + 64));
  costBitmapRestart += contig + (final ? 0 : Math.min(nextGap, 8 + 64));
  const bytes = (bits: number): number => Math.floor((bits + 7) / 8);
  costList = bytes(costList);
  costBitmap = bytes(costBitmap);
  costBitmapRestart = bytes(costBitmapRestart);
  costRange = bytes(costRange);
  let state = CERT_SERIAL_BITMAP;
  let cost = costBitmap;
  let forceNew = false;
  if (costRange < cost) {
    state = CERT_SERIAL_RANGE;
    cost = costRange;
  }
  if (costList < cost) {
    state = CERT_SERIAL_LIST;
    cost = costList;
  }
  if (costBitmapRestart < cost) {
    state = CERT_SERIAL_BITMAP;
    forceNew = true;
  }
  return { state, forceNew };
}

/** A bitmap as the unsigned big-endian bytes of its integer value (krl.c `put_bitmap` + `bitmap_to_string`). */
function bitmapBytes(bits: bigint): Buffer {
  let hex = bits.toString(16);
  if (hex.length % 2 === 1) hex = `0${hex}`;
  return Buffer.from(hex, 'hex');
}

/** krl.c `revoked_certs_generate`: the body of one certificates section. */
function certificateSection(
  caKey: Buffer | null,
  ranges: readonly KrlSerialRange[],
  keyIds: readonly string[],
): Buffer {
  const out = new WireWriter();
  out.bytes(caKey ?? Buffer.alloc(0)).bytes(Buffer.alloc(0));
  let state = 0;
  let sect = new WireWriter();
  let bitmap = 0n;
  let bitmapStart = 0n;
  let last = 0n;
  const flush = (): void => {
    if (state === CERT_SERIAL_BITMAP) sect.mpint(bitmapBytes(bitmap));
    out.raw(Buffer.from([state])).bytes(sect.toBuffer());
    sect = new WireWriter();
  };
  ranges.forEach((rs, i) => {
    const next = ranges[i + 1];
    const final = next === undefined;
    const gap = next === undefined ? 0n : next.lo - rs.hi;
    const contig = 1n + (rs.hi - rs.lo);
    const chosen = chooseNextState(state, contig, final, state === 0 ? 0n : rs.lo - last, gap);
    if (state !== 0 && (chosen.forceNew || chosen.state !== state || state === CERT_SERIAL_RANGE)) flush();
    if (chosen.state !== state || chosen.forceNew) {
      state = chosen.state;
      sect = new WireWriter();
      if (state === CERT_SERIAL_BITMAP) {
        bitmap = 0n;
        bitmapStart = rs.lo;
        sect.uint64(bitmapStart);
      }
    }
    switch (state) {
      case CERT_SERIAL_LIST:
        for (let s = rs.lo; s <= rs.hi; s++) sect.uint64(s);
        break;
      case CERT_SERIAL_RANGE:
        sect.uint64(rs.lo).uint64(rs.hi);
        break;
      case CERT_SERIAL_BITMAP:
        bitmap |= ((1n << contig) - 1n) << (rs.lo - bitmapStart);
        break;
    }
    last = rs.hi;
  });
  if (state !== 0) flush();
  const ids = sortedBlobs(keyIds.map((id) => Buffer.from(id, 'utf8')));
  if (ids.length > 0) {
    const idSect = new WireWriter();
    for (const id of ids) idSect.bytes(id);
    out.raw(Buffer.from([CERT_KEY_ID])).bytes(idSect.toBuffer());
  }
  return out.toBuffer();
}

/** The problems of a KRL spec: serials out of 1 … 2^64-1, inverted ranges, wrong hash lengths, NULs in key IDs. */
export function validateKrlSpec(spec: KrlSpec): Issue[] {
  const issues: Issue[] = [];
  const u64 = (field: string, v: bigint): void => {
    if (v < 0n || v > U64_MAX) issues.push({ field, message: `${field} must be between 0 and 2^64-1, got ${v}` });
  };
  u64('krl_version', spec.krlVersion);
  u64('generated_date', spec.generatedDate);
  for (const section of spec.certificates ?? []) {
    for (const s of section.serials ?? []) {
      const { lo, hi } = typeof s === 'bigint' ? { lo: s, hi: s } : s;
      if (lo < 1n || hi > U64_MAX || lo > hi) {
        issues.push({
          field: 'serial',
          message:
            lo === hi
              ? `a revoked serial must be between 1 and 2^64-1 (OpenSSH cannot revoke serial 0), got ${lo}`
              : `a revoked serial range must satisfy 1 <= low <= high <= 2^64-1, got ${lo}-${hi}`,
        });
      }
    }
    for (const id of section.keyIds ?? []) {
      if (id.includes('\0'))
        issues.push({ field: 'key_id', message: `a key ID cannot contain NUL: ${JSON.stringify(id)}` });
    }
  }
  for (const h of spec.sha1 ?? []) {
    if (h.length !== 20) issues.push({ field: 'sha1', message: `a SHA-1 hash has 20 bytes, got ${h.length}` });
  }
  for (const h of spec.sha256 ?? []) {
    if (h.length !== 32) issues.push({ field: 'sha256', message: `a SHA-256 hash has 32 bytes, got ${h.length}` });
  }
  return issues;
}

/**
 * The KRL file for `spec`, byte for byte what `ssh-keygen -k -z <krlVersion>` writes for the same
 * revocations at the same generation date. Throws ValidationError for what ssh-keygen refuses.
 */
export function renderKrl(spec: KrlSpec): Buffer {
  const issues = validateKrlSpec(spec);
  if (issues.length > 0) throw new ValidationError(issues);
  const out = new WireWriter()
    .raw(KRL_MAGIC)
    .uint32(KRL_FORMAT_VERSION)
    .uint64(spec.krlVersion)
    .uint64(spec.generatedDate)
    .uint64(0n)
    .bytes(Buffer.alloc(0))
    .string(spec.comment ?? '');
  // Merge sections of the same CA in first-appearance order (krl.c `revoked_certs_for_ca_key`).
  const sections: { caKey: Buffer | null; ranges: KrlSerialRange[]; keyIds: string[] }[] = [];
  for (const s of spec.certificates ?? []) {
    let target = sections.find((t) =>
      t.caKey === null ? s.caKey === null : s.caKey !== null && t.caKey.equals(s.caKey),
    );
    if (!target) {
      target = { caKey: s.caKey, ranges: [], keyIds: [] };
      sections.push(target);
    }
    for (const serial of s.serials ?? []) {
      const { lo, hi } = typeof serial === 'bigint' ? { lo: serial, hi: serial } : serial;
      target.ranges = insertRange(target.ranges, lo, hi);
    }
    target.keyIds.push(...(s.keyIds ?? []));
  }
  for (const s of sections) {
    out.raw(Buffer.from([SECTION_CERTIFICATES])).bytes(certificateSection(s.caKey, s.ranges, s.keyIds));
  }
  const blobSection = (type: number, blobs: readonly Buffer[] | undefined): void => {
    const sorted = sortedBlobs(blobs ?? []);
    if (sorted.length === 0) return;
    const sect = new WireWriter();
    for (const b of sorted) sect.bytes(b);
    out.raw(Buffer.from([type])).bytes(sect.toBuffer());
  };
  blobSection(SECTION_EXPLICIT_KEY, spec.explicitKeys);
  blobSection(SECTION_FINGERPRINT_SHA1, spec.sha1);
  blobSection(SECTION_FINGERPRINT_SHA256, spec.sha256);
  return out.toBuffer();
}
