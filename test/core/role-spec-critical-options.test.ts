// Issue 13, finding 10: validateRoleSpec refuses default critical options that a requester can drop
// (a request's critical options replace all the defaults, resolveCriticalOptions as in Vault), unless
// allowReplaceableCriticalOptions says it is meant.

import { describe, expect, it } from 'vitest';
import { replaceableDefaultCriticalOptions, validateRoleSpec, type RoleSpec } from '../../core/role-spec.js';

const backup: RoleSpec = {
  allowedUsers: ['backup'],
  defaultCriticalOptions: { 'force-command': '/usr/local/bin/backup' },
};

const FIX =
  'No allowedCriticalOptions value forbids asking; list in it only names sshd refuses in a certificate ' +
  '(not force-command, source-address, verify-required), or enforce the restriction on the host ' +
  '(sshd_config ForceCommand, or command="…" in the AuthorizedPrincipalsFile); or set allowReplaceableCriticalOptions to mean it';

describe('validateRoleSpec: default critical options a requester can drop', () => {
  it.each([
    [
      'empty allowedCriticalOptions (any option may be requested)',
      backup,
      'defaultCriticalOptions force-command can be dropped: a request that asks for any critical option replaces all ' +
        `the defaults, and allowedCriticalOptions is empty, which lets a requester ask for any critical option. ${FIX}`,
    ],
    [
      'force-command itself allowed (the requester picks its own command)',
      { ...backup, allowedCriticalOptions: ['force-command'] },
      'defaultCriticalOptions force-command can be dropped: a request that asks for any critical option replaces all ' +
        `the defaults, and allowedCriticalOptions lets a requester ask for force-command. ${FIX}`,
    ],
    [
      'another option sshd honours allowed, two defaults',
      {
        ...backup,
        defaultCriticalOptions: { 'source-address': '10.0.0.0/8', 'force-command': '/usr/local/bin/backup' },
        allowedCriticalOptions: ['verify-required', 'source-address'],
      },
      'defaultCriticalOptions force-command, source-address can be dropped: a request that asks for any critical ' +
        'option replaces all the defaults, and allowedCriticalOptions lets a requester ask for verify-required, ' +
        `source-address. ${FIX}`,
    ],
  ])('refuses %s', (_, spec, message) => {
    expect(validateRoleSpec(spec)).toEqual([{ field: 'allowedCriticalOptions', message }]);
  });

  it.each([
    ['allowReplaceableCriticalOptions', { ...backup, allowReplaceableCriticalOptions: true }],
    ['only names sshd refuses in a certificate', { ...backup, allowedCriticalOptions: ['none'] }],
    ['no default critical options', { allowedUsers: ['backup'], allowedCriticalOptions: [] }],
    ['a default sshd does not act on', { ...backup, defaultCriticalOptions: { 'x-note': 'y' } }],
  ])('accepts %s', (_, spec) => {
    expect(validateRoleSpec(spec)).toEqual([]);
  });

  it('splits the allowed list as resolveCriticalOptions does (on ",", no trimming)', () => {
    // " force-command" is not force-command: a request naming force-command is refused by the list.
    expect(
      replaceableDefaultCriticalOptions({ 'force-command': 'x' }, 'none, force-command', {
        defaults: 'd',
        allowed: 'a',
      }),
    ).toBe(undefined);
    expect(
      replaceableDefaultCriticalOptions({ 'force-command': 'x' }, 'none,force-command', {
        defaults: 'd',
        allowed: 'a',
      }),
    ).toMatch(/^d force-command can be dropped: .* a lets a requester ask for force-command\. /);
  });
});
