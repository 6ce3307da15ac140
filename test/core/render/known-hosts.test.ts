// core/render/known-hosts.ts: the @cert-authority lines clients trust a host CA with (issue 17,
// point 3). Exact lines, exact messages; real ssh matching these lines is proven in
// test/e2e/host-certificates.test.ts.

import { describe, expect, it } from 'vitest';
import { isValidationError, type Issue } from '../../../core/errors.js';
import {
  checkHostPatterns,
  parseHostPatterns,
  renderCertAuthorityLines,
  renderKnownHostsFile,
  validateCertAuthority,
  type CertAuthoritySpec,
} from '../../../core/render/known-hosts.js';

const DEV = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIA5fQBipZRQBxd6SIxPFemweFmMdLti/W3uFcZtx/tJ2';
const NEXT = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKIsAyamtxoUZpRcKAmFSlQOTWQWsJGwtqP+Q4qpdvcp';

function issuesOf(spec: CertAuthoritySpec): readonly Issue[] {
  try {
    validateCertAuthority(spec);
  } catch (e) {
    if (isValidationError(e)) return e.issues;
    throw e;
  }
  throw new Error('the spec was accepted');
}

describe('parseHostPatterns', () => {
  it.each([
    ['*.dev.example.com,10.1.0.*', ['*.dev.example.com', '10.1.0.*']],
    ['*.dev.example.com 10.1.0.*', ['*.dev.example.com', '10.1.0.*']],
    [' a , b  c ', ['a', 'b', 'c']],
    ['a,,b', ['a', '', 'b']],
    ['', []],
    ['   ', []],
    ['[bastion.example.com]:2222,!db.dev.example.com', ['[bastion.example.com]:2222', '!db.dev.example.com']],
  ])('%j → %j', (text, patterns) => {
    expect(parseHostPatterns(text)).toEqual(patterns);
  });
});

describe('checkHostPatterns', () => {
  it.each([
    [['web-1.dev.example.com']],
    [['*.dev.example.com', '10.1.0.*', '!db.dev.example.com']],
    [['[bastion.example.com]:2222', '[10.1.0.5]:*']],
    [['fe80::1%eth0', '2001:db8::*']],
    [['web-?.DEV.example.com']],
  ])('accepts %j', (hosts) => {
    expect(checkHostPatterns(hosts)).toEqual([]);
  });

  it('refuses no pattern at all, and an empty one', () => {
    expect(checkHostPatterns([])).toEqual([
      {
        field: 'hosts',
        message: 'no host pattern given: name the hosts the host CA vouches for, e.g. *.dev.example.com,10.1.0.*',
      },
    ]);
    expect(checkHostPatterns(['a', '', 'b'])).toEqual([
      {
        field: 'hosts[1]',
        message: 'an empty host pattern (two commas in a row?): name hosts, e.g. *.dev.example.com,10.1.0.*',
      },
    ]);
  });

  it.each(['*', '*.*', '?*', '[*]:*', '*:*'])('refuses %j, which matches every host, unless allowed', (pattern) => {
    expect(checkHostPatterns([pattern])).toEqual([
      {
        field: 'hosts[0]',
        message:
          `host pattern ${JSON.stringify(pattern)} matches every host: the host CA would vouch for any host you reach, ` +
          "inside the environment or not; name the environment's hosts, e.g. *.dev.example.com,10.1.0.* " +
          '(or allow every host explicitly with --allow-any-host)',
      },
    ]);
    expect(checkHostPatterns([pattern], { allowAnyHost: true })).toEqual([]);
  });

  it('refuses malformed patterns, naming each', () => {
    expect(
      checkHostPatterns(['web 1', '|1|abc=|def=', '[x]:', '[x]:ssh', 'a]b', '[]:22']).map((i) => i.message),
    ).toEqual([
      'host pattern "web 1" is not a host name, address or wildcard pattern (letters, digits, . - _ : %, wildcards * and ?, ! to exclude, [host]:port for one port), e.g. *.dev.example.com,10.1.0.*',
      'host pattern "|1|abc=|def=" is not a host name, address or wildcard pattern (letters, digits, . - _ : %, wildcards * and ?, ! to exclude, [host]:port for one port), e.g. *.dev.example.com,10.1.0.*',
      'host pattern "[x]:" has no valid port after "]:": write [host]:port, e.g. [bastion.example.com]:2222',
      'host pattern "[x]:ssh" has no valid port after "]:": write [host]:port, e.g. [bastion.example.com]:2222',
      'host pattern "a]b" is not a host name, address or wildcard pattern (letters, digits, . - _ : %, wildcards * and ?, ! to exclude, [host]:port for one port), e.g. *.dev.example.com,10.1.0.*',
      'host pattern "[]:22" is not a host name, address or wildcard pattern (letters, digits, . - _ : %, wildcards * and ?, ! to exclude, [host]:port for one port), e.g. *.dev.example.com,10.1.0.*',
    ]);
  });

  it('refuses a list that only excludes (it matches no host); a negated "*" is no "any host"', () => {
    expect(checkHostPatterns(['!*', '!db.example.com'])).toEqual([
      {
        field: 'hosts',
        message:
          'host patterns !*,!db.example.com only exclude hosts, so they match none: add the hosts to include, e.g. *.dev.example.com,10.1.0.*',
      },
    ]);
  });
});

describe('validateCertAuthority', () => {
  it('keeps the patterns as given and normalises the keys (comments dropped, duplicates removed in order)', () => {
    expect(
      validateCertAuthority({
        hosts: ['*.dev.example.com', '10.1.0.*'],
        caKeys: [`${DEV} dev-host-ca\n`, NEXT, `  ${DEV}`],
      }),
    ).toEqual({ hosts: ['*.dev.example.com', '10.1.0.*'], caKeys: [DEV, NEXT] });
  });

  it('lists every problem of the patterns and the keys at once', () => {
    expect(issuesOf({ hosts: ['*'], caKeys: ['not a key', '-----BEGIN OPENSSH PRIVATE KEY-----\nx\n'] })).toEqual([
      expect.objectContaining({ field: 'hosts[0]' }),
      {
        field: 'ca_keys[0]',
        message: expect.stringMatching(
          /^ca_keys\[0\] is not an SSH public key: failed to parse public_key as SSH key: /,
        ),
      },
      { field: 'ca_keys[1]', message: "ca_keys[1] is a private key: clients need only the host CA's public key" },
    ]);
    expect(issuesOf({ hosts: ['a'], caKeys: [] })).toEqual([
      { field: 'ca_keys', message: 'at least one host CA public key is required' },
    ]);
  });
});

describe('renderCertAuthorityLines', () => {
  it('one line per key (a rotation overlap), the patterns as one comma list', () => {
    expect(renderCertAuthorityLines({ hosts: ['*.dev.example.com', '[10.1.0.5]:2222'], caKeys: [DEV, NEXT] })).toBe(
      `@cert-authority *.dev.example.com,[10.1.0.5]:2222 ${DEV}\n` +
        `@cert-authority *.dev.example.com,[10.1.0.5]:2222 ${NEXT}\n`,
    );
  });
});

describe('renderKnownHostsFile', () => {
  const trust = { hosts: ['*.dev.example.com'], caKeys: [NEXT] };

  it('starts a file', () => {
    expect(renderKnownHostsFile('', trust)).toBe(`@cert-authority *.dev.example.com ${NEXT}\n`);
  });

  it('keeps host keys, comments and other patterns in order; replaces the lines for the same patterns', () => {
    const existing = [
      '# mine',
      'web-9.example.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOtherKeyxx',
      `@cert-authority *.dev.example.com ${DEV}`,
      `@cert-authority *.prod.example.com ${DEV}`,
      `@cert-authority *.dev.example.com,10.1.0.* ${DEV}`,
      '',
      `@cert-authority *.dev.example.com ${NEXT}`,
      '',
    ].join('\n');
    expect(renderKnownHostsFile(existing, trust)).toBe(
      [
        '# mine',
        'web-9.example.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOtherKeyxx',
        `@cert-authority *.prod.example.com ${DEV}`,
        `@cert-authority *.dev.example.com,10.1.0.* ${DEV}`,
        `@cert-authority *.dev.example.com ${NEXT}`,
        '',
      ].join('\n'),
    );
  });

  it('is idempotent, and a file without a final newline gets one', () => {
    const once = renderKnownHostsFile('other ssh-ed25519 AAAA', trust);
    expect(once).toBe(`other ssh-ed25519 AAAA\n@cert-authority *.dev.example.com ${NEXT}\n`);
    expect(renderKnownHostsFile(once, trust)).toBe(once);
  });
});
