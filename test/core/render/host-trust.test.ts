import { describe, expect, it } from 'vitest';
import { isValidationError, type ValidationError } from '../../../core/errors.js';
import { DEFAULT_HOST_TRUST_PATHS, validateHostTrust, type HostTrustSpec } from '../../../core/render/host-trust.js';
import { GOLDEN_SPECS } from './golden.js';

const DEV_KEY = GOLDEN_SPECS.dev.caKeys[0]!;
const base: HostTrustSpec = { environment: 'dev', caKeys: [DEV_KEY], principals: { ubuntu: ['ubuntu'] } };

/** The issues a spec is refused with. */
function issuesOf(spec: HostTrustSpec): ValidationError['issues'] {
  try {
    validateHostTrust(spec);
  } catch (e) {
    if (isValidationError(e)) return e.issues;
    throw e;
  }
  throw new Error('the spec was accepted');
}

describe('validateHostTrust', () => {
  it('normalises keys (comment dropped, duplicates removed in order), sorts accounts and principals', () => {
    const trust = validateHostTrust({
      environment: 'dev',
      caKeys: [`  ${DEV_KEY}  `, GOLDEN_SPECS.prod.caKeys[0]!, DEV_KEY.split(' ').slice(0, 2).join(' ')],
      principals: { ubuntu: ['ubuntu', 'dev-admin', 'ubuntu'], 'ec2-user': ['ec2-user'], Admin: ['b', 'a'] },
    });
    expect(trust.caKeys).toEqual([
      'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIA5fQBipZRQBxd6SIxPFemweFmMdLti/W3uFcZtx/tJ2',
      'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKIsAyamtxoUZpRcKAmFSlQOTWQWsJGwtqP+Q4qpdvcp',
    ]);
    expect(trust.principals).toEqual([
      ['Admin', ['a', 'b']],
      ['ec2-user', ['ec2-user']],
      ['ubuntu', ['dev-admin', 'ubuntu']],
    ]);
    expect(trust.paths).toEqual(DEFAULT_HOST_TRUST_PATHS);
  });

  it('lists every problem with its field', () => {
    expect(
      issuesOf({
        environment: 'Prod!',
        caKeys: [
          'ssh-ed25519 AAAAnot-a-key',
          '-----BEGIN OPENSSH PRIVATE KEY-----\nb3Blbn\n-----END OPENSSH PRIVATE KEY-----',
        ],
        principals: { 'bad name': ['x'], ubuntu: [], root: ['*', 'a b', '#c', 'd,e'] },
        paths: {
          dropIn: '/etc/ssh/sshd_config.d/99-sshca.conf',
          trustedCaKeys: 'relative',
          principalsDir: '/etc/ssh/../p',
        },
      }),
    ).toEqual([
      { field: 'environment', message: 'environment must be 1-32 lower-case letters, digits, _ or -, got "Prod!"' },
      {
        field: 'ca_keys[0]',
        message:
          'ca_keys[0] is not an SSH public key: failed to parse public_key as SSH key: illegal base64 data at input byte 7',
      },
      { field: 'ca_keys[1]', message: 'ca_keys[1] is a private key: hosts need only the CA public key' },
      { field: 'principals.bad name', message: '"bad name" is not a valid account name' },
      {
        field: 'principals.root',
        message: 'principal "#c" must be printable ASCII without spaces or commas, not starting with #',
      },
      { field: 'principals.root', message: 'principal "*" is refused: sshd matches principals literally' },
      {
        field: 'principals.root',
        message: 'principal "a b" must be printable ASCII without spaces or commas, not starting with #',
      },
      {
        field: 'principals.root',
        message: 'principal "d,e" must be printable ASCII without spaces or commas, not starting with #',
      },
      { field: 'principals.ubuntu', message: 'account ubuntu has no principals' },
      {
        field: 'paths.trusted_ca_keys',
        message: 'paths.trusted_ca_keys must be an absolute path of letters, digits and ._/-, got "relative"',
      },
      {
        field: 'paths.principals_dir',
        message: 'paths.principals_dir must be an absolute path of letters, digits and ._/-, got "/etc/ssh/../p"',
      },
      {
        field: 'paths.drop_in',
        message: "the drop-in's name must end in .conf and sort before 50-cloud-init.conf, got 99-sshca.conf",
      },
    ]);
  });

  it('needs at least one CA key; an empty account mapping is allowed', () => {
    expect(issuesOf({ environment: 'dev', caKeys: [], principals: {} })).toEqual([
      { field: 'ca_keys', message: 'at least one CA public key is required' },
    ]);
    expect(validateHostTrust({ ...base, principals: {} }).principals).toEqual([]);
  });

  it('refuses a certificate where a CA key belongs', () => {
    const cert = 'ssh-ed25519-cert-v01@openssh.com AAAAIHNzaC1lZDI1NTE5LWNlcnQtdjAxQG9wZW5zc2guY29t';
    expect(issuesOf({ ...base, caKeys: [cert] })).toEqual([
      {
        field: 'ca_keys[0]',
        message:
          'ca_keys[0] is not an SSH public key: failed to parse public_key as SSH key: a certificate cannot be signed: send the public key it certifies',
      },
    ]);
  });

  it('refuses a DSA CA key, as the Ansible role does', () => {
    const dsa =
      'ssh-dss AAAAB3NzaC1kc3MAAACBAP1/U4EddRIpUt9KnC7s5Of2EbdSPO9EAMMeP4C2USZpRV1AIlH7WT2NWPq/xfW6MPbLm1Vs14E7gB00b/JmYLdrmVClpJ+f6AR7ECLCT7up1/63xhv4O1fnxqimFQ8E+4P208UewwI1VBNaFpEy9nXzrith1yrv8iIDGZ3RSAHHAAAAFQCXYFCPFSMLzLKSuYKi64QL8Fgc9QAAAIEA9+GghdabPd7LvKtcNrhXuXmUr7v6OuqC+VdMCz0HgmdRWVeOutRZT+ZxBxCBgLRJFnEj6EwoFhO3zwkyjMim4TwWeotUfI0o4KOuHiuzpnWRbqN/C/ohNWLx+2J6ASQ7zKTxvqhRkImog9/hWuWfBpKLZl6Ae1UlZAFMO/7PSSoAAACAKb+4oqMCnH/SLuBc8Ufs+E3Avo+J+U4hzk8UqjSOFeC2I9J9HFd3V9aaHUVdEXNnzRrOrDTbTkhSp+8jh0XvGDWXWJsHOvR+ZHJ+0BUyRkNVW2d6nDm2x8nj1VSdFBy5fQsfcoRygKLZ+gO7/yUGUkSmAevTM5E5zXYbqHbcd9M=';
    expect(issuesOf({ ...base, caKeys: [dsa] })).toEqual([
      { field: 'ca_keys[0]', message: 'ca_keys[0] is a DSA key, which OpenSSH no longer accepts from a CA' },
    ]);
  });

  it('refuses paths that cloud-init deletes on first boot', () => {
    expect(issuesOf({ ...base, paths: { trustedCaKeys: '/etc/ssh/ssh_host_ca_keys' } })).toEqual([
      {
        field: 'paths.trusted_ca_keys',
        message:
          'paths.trusted_ca_keys /etc/ssh/ssh_host_ca_keys matches /etc/ssh/ssh_host_*key*, which cloud-init deletes on first boot',
      },
    ]);
  });

  it('accepts a drop-in name that sorts before 50-cloud-init.conf', () => {
    expect(validateHostTrust({ ...base, paths: { dropIn: '/etc/ssh/sshd_config.d/49-z.conf' } }).paths.dropIn).toBe(
      '/etc/ssh/sshd_config.d/49-z.conf',
    );
    expect(issuesOf({ ...base, paths: { dropIn: '/etc/ssh/sshd_config.d/10-sshca' } })[0]!.field).toBe('paths.drop_in');
  });

  describe("refuses overlapping paths (issue 13, finding 8), with the Ansible role's words", () => {
    const OWN = 'give the principals files a directory of their own, such as /etc/ssh/sshca/principals';
    it.each([
      [
        'a system directory (trailing slash and doubled slashes normalised)',
        { principalsDir: '//etc//ssh/' },
        [
          {
            field: 'paths.principals_dir',
            message: `the principals directory //etc//ssh/ is a system directory: ${OWN}`,
          },
          {
            field: 'paths.principals_dir',
            message: `the principals directory //etc//ssh/ contains the drop-in /etc/ssh/sshd_config.d/10-sshca.conf: ${OWN}`,
          },
          {
            field: 'paths.principals_dir',
            message: `the principals directory //etc//ssh/ contains the trusted CA keys file /etc/ssh/sshca/trusted_user_ca_keys: ${OWN}`,
          },
          {
            field: 'paths.principals_dir',
            message: `the principals directory //etc//ssh/ contains the sshd config /etc/ssh/sshd_config: ${OWN}`,
          },
        ],
      ],
      [
        'the drop-in directory',
        { principalsDir: '/etc/ssh/sshd_config.d' },
        [
          {
            field: 'paths.principals_dir',
            message: `the principals directory /etc/ssh/sshd_config.d is a system directory: ${OWN}`,
          },
          {
            field: 'paths.principals_dir',
            message: `the principals directory /etc/ssh/sshd_config.d contains the drop-in /etc/ssh/sshd_config.d/10-sshca.conf: ${OWN}`,
          },
        ],
      ],
      [
        "the trusted keys file's directory",
        { principalsDir: '/etc/ssh/sshca' },
        [
          {
            field: 'paths.principals_dir',
            message: `the principals directory /etc/ssh/sshca contains the trusted CA keys file /etc/ssh/sshca/trusted_user_ca_keys: ${OWN}`,
          },
        ],
      ],
      [
        '/etc (every default path is in it)',
        { principalsDir: '/etc' },
        [
          { field: 'paths.principals_dir', message: `the principals directory /etc is a system directory: ${OWN}` },
          ...[
            'the drop-in /etc/ssh/sshd_config.d/10-sshca.conf',
            'the trusted CA keys file /etc/ssh/sshca/trusted_user_ca_keys',
            'the sshd config /etc/ssh/sshd_config',
          ].map((what) => ({
            field: 'paths.principals_dir',
            message: `the principals directory /etc contains ${what}: ${OWN}`,
          })),
        ],
      ],
      [
        'one file twice, and the sshd config',
        {
          dropIn: '/etc/ssh/sshd_config.d/10-x.conf',
          trustedCaKeys: '/etc/ssh/sshd_config.d/10-x.conf',
          principalsDir: '/etc/ssh/sshd_config',
        },
        [
          {
            field: 'paths.principals_dir',
            message:
              'the principals directory and the sshd config are both /etc/ssh/sshd_config: each needs a path of its own',
          },
          {
            field: 'paths.drop_in',
            message:
              'the drop-in and the trusted CA keys file are both /etc/ssh/sshd_config.d/10-x.conf: each needs a path of its own',
          },
        ],
      ],
    ] as const)('%s', (_, paths, expected) => {
      expect(issuesOf({ ...base, paths })).toEqual(expected);
    });

    it('accepts separate directories of its own, wherever they are', () => {
      const paths = {
        dropIn: '/etc/ssh/sshd_config.d/10-sshca.conf',
        trustedCaKeys: '/etc/ssh/ca.pub',
        principalsDir: '/etc/ssh/principals',
      };
      expect(validateHostTrust({ ...base, paths }).paths).toEqual(paths);
      expect(
        validateHostTrust({ ...base, paths: { principalsDir: '/srv/sshca/principals' } }).paths.principalsDir,
      ).toBe('/srv/sshca/principals');
    });

    it('does not compare paths whose form is already refused', () => {
      expect(issuesOf({ ...base, paths: { principalsDir: '/etc/ssh/..' } })).toEqual([
        {
          field: 'paths.principals_dir',
          message: 'paths.principals_dir must be an absolute path of letters, digits and ._/-, got "/etc/ssh/.."',
        },
      ]);
    });
  });
});
