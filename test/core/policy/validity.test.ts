// The validity window (reference §3.4): requested TTL or the role's, the mount default for 0, the
// role max or else the mount max; a defaulted TTL is clamped silently, an explicit one is refused;
// ValidAfter is backdated by not_before_duration.

import { describe, expect, it } from 'vitest';
import {
  SYSTEM_DEFAULT_LEASE_TTL,
  resolveTtl,
  resolveValidity,
  type MountTtls,
} from '../../../core/policy/validity.js';
import { FIXED_NOW, caRole, caught } from '../fixtures.js';

const SYSTEM: MountTtls = { defaultLeaseTtl: SYSTEM_DEFAULT_LEASE_TTL, maxLeaseTtl: SYSTEM_DEFAULT_LEASE_TTL };
const mount = (defaultLeaseTtl: number, maxLeaseTtl: number): MountTtls => ({ defaultLeaseTtl, maxLeaseTtl });

describe('resolveTtl', () => {
  it('the system default is 768h (32 days)', () => {
    expect(SYSTEM_DEFAULT_LEASE_TTL).toBe(2_764_800);
  });

  it.each<[string, Record<string, unknown>, MountTtls, number | undefined, number]>([
    ['a role without TTLs on an untuned mount issues 32-day certificates', {}, SYSTEM, undefined, 2_764_800],
    ["the role's ttl", { ttl: '1h' }, SYSTEM, undefined, 3600],
    ['the requested ttl over the role ttl', { ttl: '1h', max_ttl: '4h' }, SYSTEM, 7200, 7200],
    ['a requested ttl equal to the max', { max_ttl: '1h' }, SYSTEM, 3600, 3600],
    ['the mount default when the role ttl is 0', { max_ttl: '8h' }, mount(1800, 3600), undefined, 1800],
    ['a defaulted mount default above the role max is clamped silently', { max_ttl: '1h' }, SYSTEM, undefined, 3600],
    ['a defaulted role ttl above the mount max is clamped silently', { ttl: '2h' }, mount(600, 3600), undefined, 3600],
    ['a requested 0 means the mount default', {}, mount(1800, 3600), 0, 1800],
    ['a role max above the mount max is honoured', { max_ttl: '2h' }, mount(600, 3600), 5000, 5000],
    [
      'a role ttl above the mount max is honoured under a larger role max',
      { ttl: '2h', max_ttl: '3h' },
      mount(600, 3600),
      undefined,
      7200,
    ],
  ])('%s', (_label, body, mountTtls, requested, ttl) => {
    expect(resolveTtl(caRole(body), mountTtls, requested)).toBe(ttl);
  });

  it.each<[string, Record<string, unknown>, MountTtls, number, string]>([
    ['an explicit ttl above the role max', { max_ttl: '1h' }, SYSTEM, 7200, 'ttl is larger than maximum allowed 3600'],
    ['an explicit ttl one second above', { max_ttl: 3600 }, SYSTEM, 3601, 'ttl is larger than maximum allowed 3600'],
    [
      'a requested 0 whose mount default exceeds the role max (it counts as supplied)',
      { max_ttl: '1h' },
      SYSTEM,
      0,
      'ttl is larger than maximum allowed 3600',
    ],
    [
      'an explicit ttl above the mount max when the role has none',
      {},
      mount(600, 3600),
      5000,
      'ttl is larger than maximum allowed 3600',
    ],
  ])('refuses %s', (_label, body, mountTtls, requested, message) => {
    expect(caught(() => resolveTtl(caRole(body), mountTtls, requested))).toEqual({
      message,
      name: 'RequestError',
      status: 400,
    });
  });
});

describe('resolveValidity', () => {
  it('backdates ValidAfter by not_before_duration (default 30 s): ValidBefore - ValidAfter = ttl + 30', () => {
    const { validAfter, validBefore } = resolveValidity(caRole({}), 3600, FIXED_NOW);
    expect(validAfter).toBe(BigInt(FIXED_NOW - 30));
    expect(validBefore).toBe(BigInt(FIXED_NOW + 3600));
    expect(validBefore - validAfter).toBe(3630n);
  });

  it.each<[unknown, number]>([
    [0, 0],
    ['5m', 300],
    [1, 1],
  ])('not_before_duration %j backdates by %i s', (nbd, seconds) => {
    const { validAfter, validBefore } = resolveValidity(caRole({ not_before_duration: nbd }), 600, FIXED_NOW);
    expect(validAfter).toBe(BigInt(FIXED_NOW - seconds));
    expect(validBefore - validAfter).toBe(BigInt(600 + seconds));
  });
});
