// The destination, login and port that `sshca ssh --otp` reads from ssh's arguments, case by case as
// OpenSSH's ssh.c reads them (first value wins, options again after the destination, `--`, getopt
// clusters, ssh:// URIs); the same cases checked against the real `ssh -G` where it can say.

import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { parseSshDestination } from '../../cli/ssh-destination.js';

type Want = { host: string; index: number; user?: string; port?: number; connectHost?: string };

const cases: [string, string[], Want][] = [
  ['bare host', ['web1'], { host: 'web1', index: 0 }],
  ['user@host', ['ubuntu@10.0.1.5'], { host: '10.0.1.5', index: 0, user: 'ubuntu' }],
  ['the last @ splits', ['a@b@host'], { host: 'host', index: 0, user: 'a@b' }],
  ['-l before', ['-l', 'alice', 'web1'], { host: 'web1', index: 2, user: 'alice' }],
  ['-l wins over user@ after it', ['-l', 'alice', 'bob@web1'], { host: 'web1', index: 2, user: 'alice' }],
  ['user@ wins over -l after it', ['bob@web1', '-l', 'alice'], { host: 'web1', index: 0, user: 'bob' }],
  ['-l after a bare destination', ['web1', '-l', 'bob'], { host: 'web1', index: 0, user: 'bob' }],
  ['glued -lalice', ['-lalice', 'web1'], { host: 'web1', index: 1, user: 'alice' }],
  ['-p before', ['-p', '2222', 'u@h'], { host: 'h', index: 2, user: 'u', port: 2222 }],
  [
    '-p after, then the command',
    ['u@h', '-p', '2200', 'uptime', '-p', '9'],
    { host: 'h', index: 0, user: 'u', port: 2200 },
  ],
  ['cluster -vp2200', ['-vp2200', 'h'], { host: 'h', index: 1, port: 2200 }],
  ['cluster -vp 2200', ['-4vp', '2200', 'h'], { host: 'h', index: 2, port: 2200 }],
  ['-o Port= and -p: first wins', ['-oPort=33', '-p', '44', 'h'], { host: 'h', index: 3, port: 33 }],
  ['-o "User carol"', ['-o', 'User carol', 'h'], { host: 'h', index: 2, user: 'carol' }],
  ['-o user = dave (any case)', ['-o', 'user = dave', 'h'], { host: 'h', index: 2, user: 'dave' }],
  ['-o HostName=', ['-o', 'HostName=10.9.8.7', 'alias'], { host: 'alias', index: 2, connectHost: '10.9.8.7' }],
  ['ssh:// with user and port', ['ssh://u@h:55'], { host: 'h', index: 0, user: 'u', port: 55 }],
  ['ssh:// port loses to -p before it', ['-p', '44', 'ssh://u@h:55'], { host: 'h', index: 2, user: 'u', port: 44 }],
  ['ssh:// port wins over -p after it', ['ssh://u@h:55', '-p', '44'], { host: 'h', index: 0, user: 'u', port: 55 }],
  ['ssh:// bracketed IPv6', ['ssh://[::1]:2022/'], { host: '::1', index: 0, port: 2022 }],
  ['ssh:// host only', ['ssh://web1'], { host: 'web1', index: 0 }],
  [
    'options with arguments are skipped',
    [
      '-F',
      'none',
      '-i',
      'key',
      '-J',
      'jump@bastion',
      '-L',
      '8080:localhost:80',
      '-E',
      '/dev/null',
      '-o',
      'ControlPath=none',
      'u@h',
      'cmd',
    ],
    { host: 'h', index: 12, user: 'u' },
  ],
  ['flags without arguments', ['-4', '-T', '-q', '-tt', 'u@h'], { host: 'h', index: 4, user: 'u' }],
  ['-- before the destination', ['-p', '22', '--', 'u@h', '-l', 'x'], { host: 'h', index: 3, user: 'u', port: 22 }],
  ['-- after the destination ends options', ['u@h', '--', '-p', '9'], { host: 'h', index: 0, user: 'u' }],
  ['-P is a flag before OpenSSH 9.4', ['-P', 'h'], { host: 'h', index: 1 }],
];

describe('parseSshDestination', () => {
  it.each(cases)('%s', (_label, args, want) => {
    const d = parseSshDestination(args);
    expect({
      host: d.host,
      index: d.index,
      ...(d.user !== undefined ? { user: d.user } : {}),
      ...(d.port !== undefined ? { port: d.port } : {}),
      ...(d.connectHost !== d.host ? { connectHost: d.connectHost } : {}),
    }).toEqual(want);
    expect(d.destination).toBe(args[d.index]);
  });

  it('reads -P tag as an option with a value for OpenSSH 9.4 and later', () => {
    expect(parseSshDestination(['-P', 'prod', 'h'], { tagOption: true })).toMatchObject({ host: 'h', index: 2 });
  });

  it('keeps every -o keyword, lower-cased, first value', () => {
    expect(parseSshDestination(['-o', 'BatchMode=yes', '-oBatchMode=no', '-o', 'HostKeyAlias x', 'h']).options).toEqual(
      {
        batchmode: 'yes',
        hostkeyalias: 'x',
      },
    );
  });

  it.each([
    [[], 'give the ssh destination after "--", e.g. -- ubuntu@host'],
    [['-p', '22'], 'give the ssh destination after "--", e.g. -- ubuntu@host'],
    [['-l'], 'ssh option -l needs a value'],
    [['-p', '0', 'h'], 'bad port "0" in -p 0'],
    [['-p', '65536', 'h'], 'bad port "65536" in -p 65536'],
    [['-o', 'Port=x', 'h'], 'bad port "x" in -o Port=x'],
    [['@h'], 'cannot read the destination "@h": no user before "@"'],
    [['u@'], 'cannot read the destination "u@": no host'],
    [['ssh://u@h/path'], 'cannot read the destination "ssh://u@h/path"'],
    [['-o', '=x', 'h'], 'cannot read the ssh option -o "=x"'],
  ])('refuses %j: %s', (args, message) => {
    expect(() => parseSshDestination(args)).toThrow(message);
    try {
      parseSshDestination(args);
    } catch (e) {
      expect((e as Error).name).toBe('UsageError');
    }
  });

  // The real ssh client (-G prints the configuration it would use) agrees on user, host and port.
  it.each(cases.filter(([label]) => !label.startsWith('-P') && !label.includes('IPv6')))(
    'agrees with ssh -G: %s',
    (_label, args) => {
      const d = parseSshDestination(args);
      const end = args.indexOf('--');
      // ssh -G takes no command; keep the arguments up to the destination and the options after it.
      const upTo = args.slice(0, d.index + 1);
      const after: string[] = [];
      for (let i = d.index + 1; i < args.length && end !== d.index + 1; i++) {
        const a = args[i]!;
        if (!a.startsWith('-') || a === '--') break;
        after.push(a);
        if (/^-[lpo]$|^-[^-]*[lpo]$/.test(a)) after.push(args[++i]!);
      }
      const out = execFileSync('ssh', ['-G', '-F', 'none', ...upTo, ...after], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      });
      const field = (name: string) => new RegExp(`^${name} (.*)$`, 'm').exec(out)?.[1];
      expect(field('hostname')).toBe(d.connectHost);
      if (d.port !== undefined) expect(Number(field('port'))).toBe(d.port);
      if (d.user !== undefined) expect(field('user')).toBe(d.user);
    },
  );
});
