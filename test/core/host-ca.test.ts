// The host CA spec (core/host-ca.ts): the host role it writes, the known_hosts patterns clients get,
// and the checks that keep it off the user CA's mount and away from names it could never sign.

import { describe, expect, it } from 'vitest';
import {
  hostCaMount,
  hostCaPatterns,
  hostRoleName,
  hostRoleSpec,
  hostSigningPolicyName,
  validateHostCaSpec,
} from '../../core/host-ca.js';
import { roleSpecToWire, validateRoleSpec } from '../../core/role-spec.js';

describe('host CA spec', () => {
  it('defaults to its own mount beside the user CA, a role named host, and policy <env>-sign-host', () => {
    expect(hostCaMount({}, 'ssh-dev')).toBe('ssh-dev-host');
    expect(hostCaMount({ mount: 'ssh-hosts-dev' }, 'ssh-dev')).toBe('ssh-hosts-dev');
    expect(hostRoleName({})).toBe('host');
    expect(hostSigningPolicyName('dev', { role: 'web' })).toBe('dev-sign-web');
  });

  it('writes a role that signs host certificates only, for 30 days (at most 90), that our validators accept', () => {
    const spec = hostRoleSpec({ allowedDomains: ['dev.example.com'] });
    expect(validateRoleSpec(spec)).toEqual([]);
    expect(roleSpecToWire(spec)).toMatchObject({
      allow_user_certificates: false,
      allow_host_certificates: true,
      allowed_domains: 'dev.example.com',
      allow_subdomains: true,
      allow_bare_domains: false,
      ttl: '720h',
      max_ttl: '2160h',
      allowed_user_key_lengths: { ed25519: [0], ecdsa: [256, 384, 521], rsa: [3072, 4096] },
    });
  });

  it('gives clients the patterns of the names it signs', () => {
    expect(hostCaPatterns({ allowedDomains: ['dev.example.com', 'dev.internal'] })).toEqual([
      '*.dev.example.com',
      '*.dev.internal',
    ]);
    expect(
      hostCaPatterns({ allowedDomains: ['bastion.example.com'], allowSubdomains: false, allowBareDomains: true }),
    ).toEqual(['bastion.example.com']);
  });

  it('refuses the user CA mount, no domains, no names, and a domain that makes every host match', () => {
    expect(validateHostCaSpec({ allowedDomains: ['dev.example.com'] }, 'ssh-dev')).toEqual([]);
    expect(validateHostCaSpec({ allowedDomains: ['dev.example.com'], mount: 'ssh-dev' }, 'ssh-dev')).toEqual([
      {
        field: 'hostCa.mount',
        message:
          'the host CA needs a mount of its own, not the user CA\'s "ssh-dev": a key that signs both can make a user certificate pass as a host\'s',
      },
    ]);
    expect(validateHostCaSpec({ allowedDomains: [] }, 'ssh-dev')).toEqual([
      { field: 'hostCa.allowedDomains', message: 'name the domains host certificates may be signed for' },
    ]);
    expect(validateHostCaSpec({ allowedDomains: ['a.example'], allowSubdomains: false }, 'ssh-dev')).toEqual([
      {
        field: 'hostCa.allowSubdomains',
        message: 'allowSubdomains and allowBareDomains are both false, so the host role can sign no name',
      },
    ]);
    expect(validateHostCaSpec({ allowedDomains: ['*'] }, 'ssh-dev').map((i) => i.field)).toEqual([
      'hostCa.allowedDomains',
    ]);
  });
});
