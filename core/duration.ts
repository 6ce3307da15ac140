// Vault's duration parsing (go-secure-stdlib `ParseDurationSecond` on top of Go's
// `time.ParseDuration`) and Go's duration formatting, with the same error texts, so that
// `ttl`, `max_ttl`, `not_before_duration` and mount TTLs behave exactly as on Vault.

import { RequestError } from './errors.js';

const NANOS_PER_SECOND = 1_000_000_000n;
const MAX_INT64 = (1n << 63n) - 1n;

const UNIT_NANOS: Readonly<Record<string, bigint>> = {
  ns: 1n,
  us: 1_000n,
  µs: 1_000n, // U+00B5 micro sign
  μs: 1_000n, // U+03BC Greek mu
  ms: 1_000_000n,
  s: NANOS_PER_SECOND,
  m: 60n * NANOS_PER_SECOND,
  h: 3600n * NANOS_PER_SECOND,
};

/** Go's `strconv.Quote` for the ASCII inputs that matter here; other characters are kept as they are. */
const goQuote = (s: string): string => JSON.stringify(s);

const invalid = (orig: string) => new RequestError(`time: invalid duration ${goQuote(orig)}`);

/**
 * Go's `time.ParseDuration`: a signed sequence of decimal numbers with units
 * (`ns`, `us`, `µs`, `ms`, `s`, `m`, `h`), e.g. `"1h30m"`, `"1.5h"`, `"-2m"`.
 * Returns nanoseconds.
 */
export function parseGoDuration(orig: string): bigint {
  let s = orig;
  let neg = false;
  if (s !== '' && (s[0] === '-' || s[0] === '+')) {
    neg = s[0] === '-';
    s = s.slice(1);
  }
  if (s === '0') return 0n;
  if (s === '') throw invalid(orig);
  let total = 0n;
  while (s !== '') {
    if (!/^[0-9.]/.test(s)) throw invalid(orig);
    const intPart = /^[0-9]*/.exec(s)![0];
    s = s.slice(intPart.length);
    let fracPart = '';
    if (s.startsWith('.')) {
      s = s.slice(1);
      fracPart = /^[0-9]*/.exec(s)![0];
      s = s.slice(fracPart.length);
    }
    if (intPart === '' && fracPart === '') throw invalid(orig);
    const unit = /^[^0-9.]*/.exec(s)![0];
    if (unit === '') throw new RequestError(`time: missing unit in duration ${goQuote(orig)}`);
    s = s.slice(unit.length);
    const perUnit = UNIT_NANOS[unit];
    if (perUnit === undefined) {
      throw new RequestError(`time: unknown unit ${goQuote(unit)} in duration ${goQuote(orig)}`);
    }
    let v = BigInt(intPart === '' ? '0' : intPart);
    if (v > (1n << 63n) / perUnit) throw invalid(orig);
    v *= perUnit;
    if (fracPart !== '') {
      // Go accumulates the fraction as a float64 scaled by the unit and truncates.
      const frac = Number(`0.${fracPart}`);
      v += BigInt(Math.trunc(frac * Number(perUnit)));
      if (v > 1n << 63n) throw invalid(orig);
    }
    total += v;
    if (total > 1n << 63n) throw invalid(orig);
  }
  if (neg) return -total;
  if (total > MAX_INT64) throw invalid(orig);
  return total;
}

/** Go's `strconv.ParseInt(s, 10, 64)`, or undefined when Go would fail with "invalid syntax". */
function parseGoInt(s: string): bigint | undefined {
  return /^[+-]?[0-9]+$/.test(s) ? BigInt(s) : undefined;
}

function secondsFromNanos(nanos: bigint): number {
  // `int(dur.Seconds())` truncates toward zero.
  return Number(nanos / NANOS_PER_SECOND);
}

function multiplySeconds(v: bigint, unitSeconds: bigint): number {
  const nanos = v * unitSeconds * NANOS_PER_SECOND;
  if (nanos > MAX_INT64 || nanos < -MAX_INT64 - 1n) {
    throw new RequestError('multiplication of durations resulted in overflow, one operand may be too large');
  }
  return secondsFromNanos(nanos);
}

/**
 * Vault's `ParseDurationSecond`: an integer (number or numeric string) is seconds, `"<n>d"` is days,
 * anything else goes through Go's `time.ParseDuration`; `""`, `null` and `undefined` are 0.
 * Returns whole seconds, truncated toward zero (may be negative: callers decide whether that is allowed).
 */
export function parseDurationSeconds(input: unknown): number {
  if (input === undefined || input === null) return 0;
  let text: string;
  if (typeof input === 'number') {
    if (!Number.isFinite(input)) throw new RequestError('could not parse duration from input');
    text = String(input); // JSON numbers reach Go as their decimal text (json.Number)
  } else if (typeof input === 'bigint') {
    text = input.toString();
  } else if (typeof input === 'string') {
    text = input;
  } else {
    throw new RequestError('could not parse duration from input');
  }
  if (text === '') return 0;
  const asInt = parseGoInt(text);
  if (asInt !== undefined) return multiplySeconds(asInt, 1n);
  if (text.endsWith('d')) {
    const days = parseGoInt(text.slice(0, -1));
    if (days === undefined) {
      throw new RequestError(`strconv.ParseInt: parsing ${goQuote(text.slice(0, -1))}: invalid syntax`);
    }
    return multiplySeconds(days, 86_400n);
  }
  return secondsFromNanos(parseGoDuration(text));
}

/** Go's `time.Duration.String()` for whole seconds: `0s`, `45s`, `30m0s`, `768h0m0s`. */
export function formatGoDuration(seconds: number): string {
  if (!Number.isInteger(seconds)) throw new RangeError(`not a whole number of seconds: ${seconds}`);
  if (seconds === 0) return '0s';
  const sign = seconds < 0 ? '-' : '';
  let rest = Math.abs(seconds);
  const h = Math.floor(rest / 3600);
  rest -= h * 3600;
  const m = Math.floor(rest / 60);
  const s = rest - m * 60;
  if (h > 0) return `${sign}${h}h${m}m${s}s`;
  if (m > 0) return `${sign}${m}m${s}s`;
  return `${sign}${s}s`;
}
