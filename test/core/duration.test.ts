// Vault's duration parsing (reference §1.7: go-secure-stdlib ParseDurationSecond over Go's
// time.ParseDuration) and Go's Duration.String formatting, with Go's exact error texts.

import { describe, expect, it } from 'vitest';
import { formatGoDuration, parseDurationSeconds, parseGoDuration } from '../../core/duration.js';
import { caught } from './fixtures.js';

describe('parseDurationSeconds', () => {
  it.each<[unknown, number]>([
    // 1. integers (JSON numbers and numeric strings) are seconds
    [3600, 3600],
    ['3600', 3600],
    [0, 0],
    ['0', 0],
    ['+5', 5],
    // 2. "<int>d" is days
    ['7d', 604_800],
    ['0d', 0],
    // 3. Go durations
    ['30m0s', 1800],
    ['4h', 14_400],
    ['768h', 2_764_800],
    ['1.5h', 5400],
    ['90m', 5400],
    ['1h30m', 5400],
    ['.5h', 1800],
    ['1.h', 3600],
    ['30s', 30],
    ['2m3s', 123],
    // 5. fractional seconds are truncated
    ['100ms', 0],
    ['1500ms', 1],
    ['999999us', 0],
    ['1999999999ns', 1],
    ['2.9s', 2],
    // 4. empty = 0; null/undefined = not supplied = 0
    ['', 0],
    [null, 0],
    [undefined, 0],
  ])('%j is %i seconds', (input, seconds) => {
    expect(parseDurationSeconds(input)).toBe(seconds);
  });

  it('returns negative values for the caller to judge', () => {
    expect(parseDurationSeconds(-5)).toBe(-5);
    expect(parseDurationSeconds('-5')).toBe(-5);
    expect(parseDurationSeconds('-1m')).toBe(-60);
    expect(parseDurationSeconds('-2d')).toBe(-172_800);
  });

  it.each<[unknown, string]>([
    ['1.5', 'time: missing unit in duration "1.5"'],
    // a JSON float reaches Go as the json.Number text "1.5"
    [1.5, 'time: missing unit in duration "1.5"'],
    ['1.5d', 'strconv.ParseInt: parsing "1.5": invalid syntax'],
    ['d', 'strconv.ParseInt: parsing "": invalid syntax'],
    // "1d12h" does not end in "d": Go's ParseDuration sees the unknown unit "d"
    ['1d12h', 'time: unknown unit "d" in duration "1d12h"'],
    ['1x', 'time: unknown unit "x" in duration "1x"'],
    ['1 h', 'time: unknown unit " h" in duration "1 h"'],
    ['abc', 'time: invalid duration "abc"'],
    [' 30s', 'time: invalid duration " 30s"'],
    ['1h-5m', 'time: unknown unit "h-" in duration "1h-5m"'],
    ['-', 'time: invalid duration "-"'],
    ['.h', 'time: invalid duration ".h"'],
    [true, 'could not parse duration from input'],
    [false, 'could not parse duration from input'],
    [{ seconds: 5 }, 'could not parse duration from input'],
    [[5], 'could not parse duration from input'],
    [Number.NaN, 'could not parse duration from input'],
  ])('%j is refused with %j', (input, message) => {
    expect(caught(() => parseDurationSeconds(input))).toEqual({ message, name: 'RequestError', status: 400 });
  });
});

describe('parseGoDuration', () => {
  it.each<[string, bigint]>([
    ['0', 0n],
    ['-0', 0n],
    ['1ns', 1n],
    ['1us', 1_000n],
    ['1µs', 1_000n],
    ['1μs', 1_000n],
    ['1ms', 1_000_000n],
    ['1.5s', 1_500_000_000n],
    ['-1.5h', -5_400_000_000_000n],
    ['2h45m', 9_900_000_000_000n],
  ])('%s is %i ns', (text, nanos) => {
    expect(parseGoDuration(text)).toBe(nanos);
  });

  it.each<[string, string]>([
    ['', 'time: invalid duration ""'],
    ['5', 'time: missing unit in duration "5"'],
    ['1d', 'time: unknown unit "d" in duration "1d"'],
    ['9223372036854775808ns', 'time: invalid duration "9223372036854775808ns"'],
  ])('%j is refused with %j', (text, message) => {
    expect(caught(() => parseGoDuration(text)).message).toBe(message);
  });
});

describe('formatGoDuration', () => {
  it.each<[number, string]>([
    [0, '0s'],
    [45, '45s'],
    [60, '1m0s'],
    [90, '1m30s'],
    [1800, '30m0s'],
    [3600, '1h0m0s'],
    [5400, '1h30m0s'],
    [86_400, '24h0m0s'],
    [2_764_800, '768h0m0s'],
    [-90, '-1m30s'],
  ])('%i seconds is %s', (seconds, text) => {
    expect(formatGoDuration(seconds)).toBe(text);
  });

  it('round-trips through parseDurationSeconds', () => {
    for (const s of [0, 1, 59, 61, 3599, 3601, 86_399, 2_764_800]) {
      expect(parseDurationSeconds(formatGoDuration(s))).toBe(s);
    }
  });

  it('refuses a fractional number of seconds', () => {
    expect(() => formatGoDuration(1.5)).toThrow(new RangeError('not a whole number of seconds: 1.5'));
  });
});
