// IP and CIDR parsing and matching with Go's net rules, as role writes validate cidr_list and
// exclude_cidr_list (reference §2.1 steps 2–3) and OTP creds check and print ips (§2.11, §4.3).

import { describe, expect, it } from 'vitest';
import { cidrContains, formatIp, parseCidr, parseIp } from '../../core/cidr.js';

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

describe('parseIp and formatIp (Go net.ParseIP and IP.String)', () => {
  it.each([
    ['10.0.0.5', '10.0.0.5'],
    ['::ffff:10.0.0.5', '10.0.0.5'],
    ['2001:DB8:0:0:0:0:0:1', '2001:db8::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['2001:db8:0:1:0:0:0:1', '2001:db8:0:1::1'],
    ['2001:db8:1:1:1:1:1:1', '2001:db8:1:1:1:1:1:1'],
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
    ['::', '::'],
    ['::1', '::1'],
    ['fe80::', 'fe80::'],
  ])('%s prints as %s', (text, printed) => {
    expect(formatIp(parseIp(text)!)).toBe(printed);
  });

  it.each(['10.0.0.256', '010.0.0.5', '10.0.0', 'fe80::1%eth0', '1::2::3', 'host.example.com', ''])(
    'refuses %j',
    (text) => {
      expect(parseIp(text)).toBeUndefined();
    },
  );
});

describe('cidrContains (Go IPNet.Contains)', () => {
  it.each<[string, string, boolean]>([
    ['10.0.0.0/8', '10.255.0.1', true],
    ['10.0.0.0/8', '11.0.0.1', false],
    ['10.1.2.3/8', '10.9.9.9', true],
    ['127.0.0.1/32', '127.0.0.1', true],
    ['127.0.0.1/32', '127.0.0.2', false],
    ['0.0.0.0/0', '203.0.113.9', true],
    ['10.0.0.0/8', '::ffff:10.0.0.1', true],
    ['::ffff:10.0.0.0/104', '10.0.0.1', true],
    ['::ffff:10.0.0.0/104', '11.0.0.1', false],
    ['::ffff:0:0/80', '203.0.113.9', false],
    ['2001:db8::/32', '2001:db8:ffff::1', true],
    ['2001:db8::/32', '2001:db9::1', false],
    ['::/0', '10.0.0.1', false],
    ['10.0.0.0/8', '2001:db8::1', false],
  ])('%s holds %s: %s', (cidr, ip, holds) => {
    expect(cidrContains(parseCidr(cidr)!, parseIp(ip)!)).toBe(holds);
  });
});
