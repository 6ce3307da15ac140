// CIDR parsing with Go's net.ParseCIDR rules, as role writes validate cidr_list/exclude_cidr_list
// (reference §2.1 steps 2–3).

import { describe, expect, it } from 'vitest';
import { parseCidr } from '../../core/cidr.js';

describe('parseCidr', () => {
  it.each<[string, number[], number]>([
    ['10.0.0.0/8', [10, 0, 0, 0], 8],
    ['192.168.1.7/32', [192, 168, 1, 7], 32],
    ['0.0.0.0/0', [0, 0, 0, 0], 0],
    ['10.0.0.0/08', [10, 0, 0, 0], 8],
    ['::/0', new Array(16).fill(0), 0],
    ['::1/128', [...new Array(15).fill(0), 1], 128],
    ['fd00::/8', [0xfd, ...new Array(15).fill(0)], 8],
    ['1:2:3:4:5:6:7::/64', [0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7, 0, 0], 64],
    ['::ffff:10.1.2.3/104', [...new Array(10).fill(0), 0xff, 0xff, 10, 1, 2, 3], 104],
  ])('%s', (text, bytes, prefix) => {
    expect(parseCidr(text)).toEqual({ bytes: Uint8Array.from(bytes), prefix });
  });

  it.each([
    '10.0.0.0',
    '10.0.0.0/33',
    '10.0.0.0/-1',
    '10.0.0.0/',
    '10.0.0.0/8 ',
    ' 10.0.0.0/8',
    '010.0.0.0/8',
    '10.0.0.256/8',
    '10.0.0/8',
    '10.0.0.0.0/8',
    '::/129',
    'fe80::1%eth0/64',
    '1::2::3/64',
    '12345::/16',
    ':::/8',
    'bad',
    '',
  ])('refuses %j', (text) => {
    expect(parseCidr(text)).toBeUndefined();
  });
});
