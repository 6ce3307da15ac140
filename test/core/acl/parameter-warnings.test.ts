// validateParameterConstraints: which parameter constraints name a parameter none of the matched
// paths takes (issue 14), over policies parsed as Vault parses them: typos with suggestions, `*`,
// case, prefix globs and `+` patterns matching several paths, and patterns left unjudged.

import { describe, expect, it } from 'vitest';
import { validateParameterConstraints, type ParameterConstraintOptions } from '../../../core/acl/parameter-warnings.js';
import { PATH_PARAMETERS } from '../../../core/acl/path-parameters.js';
import { parsePolicy } from '../../../core/acl/policy-document.js';
import { ISSUE_FIELDS } from '../../../core/issue.js';
import { SIGN_FIELDS } from '../../../core/sign.js';

const warnings = (text: string, options?: ParameterConstraintOptions) =>
  validateParameterConstraints(parsePolicy('p', text).rules, options);
const brief = (text: string, options?: ParameterConstraintOptions) =>
  warnings(text, options).map(({ path, constraint, parameter, matches, suggestion }) => ({
    path,
    constraint,
    parameter,
    matches,
    suggestion,
  }));
const block = (pattern: string, body: string) => `path "${pattern}" {\n  capabilities = ["update"]\n  ${body}\n}\n`;

const SIGN = 'cert_type, critical_options, extensions, key_id, public_key, ttl, valid_principals';

describe('validateParameterConstraints', () => {
  it('names the policy path, the parameter, what the path takes and the close spelling (the shared-role typo)', () => {
    const text = block(
      'ssh-dev/sign/shared',
      'allowed_parameters = { "public_key" = [] "valid_principal" = ["ubuntu"] }',
    );
    expect(warnings(text)).toEqual([
      {
        path: 'ssh-dev/sign/shared',
        constraint: 'allowed_parameters',
        parameter: 'valid_principal',
        matches: ['ssh-dev/sign/:role'],
        takes: SIGN.split(', '),
        suggestion: 'valid_principals',
        message:
          'path "ssh-dev/sign/shared": allowed_parameters names "valid_principal", which ssh-dev/sign/:role does ' +
          `not take (did you mean "valid_principals"?); it takes ${SIGN}`,
      },
    ]);
  });

  it('says nothing for parameters the path takes, for "*", or for other letter case (Vault lower-cases names)', () => {
    const text =
      block('ssh-dev/sign/shared', 'allowed_parameters = { "*" = [] "Valid_Principals" = ["ubuntu"] }') +
      block('ssh-dev/sign/other', 'denied_parameters = { "*" = [] }\n  required_parameters = ["Public_Key", "*"]');
    expect(warnings(text)).toEqual([]);
  });

  it.each([
    {
      name: 'denied_parameters, no close name: no suggestion',
      text: block('ssh-dev/config/ca', 'denied_parameters = { "ca_key" = [] }'),
      message:
        'path "ssh-dev/config/ca": denied_parameters names "ca_key", which ssh-dev/config/ca does not take; it ' +
        'takes generate_signing_key, key_bits, key_type, private_key, public_key',
    },
    {
      name: 'required_parameters, a swapped pair is one edit',
      text: block('ssh-dev/sign/*', 'required_parameters = ["public_key", "tll"]'),
      message:
        'path "ssh-dev/sign/*": required_parameters names "tll", which ssh-dev/sign/:role does not take (did you ' +
        `mean "ttl"?); it takes ${SIGN}`,
    },
    {
      name: 'a + mount segment: any SSH mount',
      text: block('+/verify', 'allowed_parameters = { "otp_code" = [] }'),
      message: 'path "+/verify": allowed_parameters names "otp_code", which <mount>/verify does not take; it takes otp',
    },
    {
      name: 'auth/token/create',
      text: block('auth/token/create', 'allowed_parameters = { "num_use" = ["1"] }'),
      message:
        'path "auth/token/create": allowed_parameters names "num_use", which auth/token/create does not take (did ' +
        'you mean "num_uses"?); it takes display_name, explicit_max_ttl, id, lease, meta, no_default_policy, ' +
        'no_parent, num_uses, period, policies, renewable, ttl, type',
    },
    {
      name: 'sys/policies/acl/+',
      text: block('sys/policies/acl/+', 'denied_parameters = { "polcy" = [] }'),
      message:
        'path "sys/policies/acl/+": denied_parameters names "polcy", which sys/policies/acl/:name does not take ' +
        '(did you mean "policy"?); it takes policy',
    },
    {
      name: 'a glob over several paths: the union of what they take',
      text: block('sys/mounts/*', 'denied_parameters = { "typ" = [] "seal_wrap" = [] "max_lease_ttl" = [] }'),
      message:
        'path "sys/mounts/*": denied_parameters names "typ", which none of the paths it matches (sys/mounts/:path, ' +
        'sys/mounts/:path/tune) takes (did you mean "type"?); they take config, default_lease_ttl, description, ' +
        'local, max_lease_ttl, options, seal_wrap, type',
    },
  ])('$name', ({ text, message }) => {
    expect(warnings(text).map((w) => w.message)).toEqual([message]);
  });

  it('a + pattern matching several SSH paths warns only for what none of them takes', () => {
    const text = block(
      'ssh-dev/+/shared',
      'denied_parameters = { "valid_principals" = ["root"] "username" = ["root"] "usernme" = [] "ip" = [] }',
    );
    expect(brief(text)).toEqual([
      {
        path: 'ssh-dev/+/shared',
        constraint: 'denied_parameters',
        parameter: 'usernme',
        matches: ['ssh-dev/creds/:role', 'ssh-dev/issue/:role', 'ssh-dev/roles/:role', 'ssh-dev/sign/:role'],
        suggestion: 'username',
      },
    ]);
  });

  it('a glob under a mount matches every SSH path; auth/userpass globs match the user paths', () => {
    const ssh = warnings(block('ssh-dev/*', 'allowed_parameters = { "valid_principal" = [] "otp" = [] "roles" = [] }'));
    expect(ssh.map((w) => [w.parameter, w.suggestion])).toEqual([['valid_principal', 'valid_principals']]);
    expect(ssh[0]!.matches).toHaveLength(8);
    expect(
      brief(block('auth/userpass/users/*', 'allowed_parameters = { "token_polices" = [] "password" = [] }')),
    ).toEqual([
      {
        path: 'auth/userpass/users/*',
        constraint: 'allowed_parameters',
        parameter: 'token_polices',
        matches: [
          'auth/userpass/users/:name',
          'auth/userpass/users/:name/password',
          'auth/userpass/users/:name/policies',
        ],
        suggestion: 'token_policies',
      },
    ]);
  });

  it.each([
    ['a path outside the table', 'secret/data/app'],
    ['an SSH path that takes none of these', 'ssh-dev/public_key'],
    ['a glob that also reaches unlisted sys paths', 'sys/*'],
    ['a glob over everything', '*'],
    ['a + over auth mounts', 'auth/+/users/+'],
    ['an unlisted sys path', 'sys/leases/revoke'],
    ['a reserved first segment is no SSH mount', 'cubbyhole/sign/x'],
    ['a glob that stops inside the mount name', 'ssh-d*'],
  ])('no warning: %s (%s)', (_name, pattern) => {
    expect(warnings(block(pattern, 'allowed_parameters = { "nonsense" = [] }'))).toEqual([]);
  });

  it('sshMounts: only patterns under those mounts are SSH paths, mounts of several segments included', () => {
    const text = block('ssh-dev/*', 'allowed_parameters = { "data" = [] }');
    expect(warnings(text, { sshMounts: ['ssh-prod'] })).toEqual([]);
    expect(brief(text, { sshMounts: ['ssh-dev', 'ssh-prod'] })[0]!.matches).toContain('ssh-dev/sign/:role');
    expect(
      brief(block('ssh/dev/sign/x', 'allowed_parameters = { "valid_principal" = [] }'), { sshMounts: ['ssh/dev/'] }),
    ).toEqual([
      {
        path: 'ssh/dev/sign/x',
        constraint: 'allowed_parameters',
        parameter: 'valid_principal',
        matches: ['ssh/dev/sign/:role'],
        suggestion: 'valid_principals',
      },
    ]);
  });

  it('a deny rule keeps no constraints (Vault stops reading there); the same warning is given once; JSON documents too', () => {
    expect(warnings('path "ssh-dev/sign/x" { capabilities = ["deny"] allowed_parameters = { "nope" = [] } }')).toEqual(
      [],
    );
    const twice = block('ssh-dev/sign/x', 'required_parameters = ["tll"]').repeat(2);
    expect(warnings(twice)).toHaveLength(1);
    const json = JSON.stringify({
      path: { 'ssh-dev/issue/x': { capabilities: ['update'], allowed_parameters: { key_bit: [] } } },
    });
    expect(brief(json)).toEqual([
      {
        path: 'ssh-dev/issue/x',
        constraint: 'allowed_parameters',
        parameter: 'key_bit',
        matches: ['ssh-dev/issue/:role'],
        suggestion: 'key_bits',
      },
    ]);
  });

  it('the table is the server’s schemas: sign and issue list exactly their field names', () => {
    const of = (shape: string) => PATH_PARAMETERS.find((e) => e.shape === shape)!.parameters;
    expect(of('<mount>/sign/:role')).toEqual(Object.keys(SIGN_FIELDS).sort());
    expect(of('<mount>/issue/:role')).toEqual(Object.keys(ISSUE_FIELDS).sort());
  });
});
