// The OTP renderers against the shared goldens (test/golden/otp-helper), the user-data's parsed shape,
// the input checks with every message, and EC2's 16 KB limit.

import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { isValidationError, type ValidationError } from '../../../core/errors.js';
import { renderOtpCloudConfig } from '../../../core/render/otp-cloud-config.js';
import {
  DEFAULT_OTP_HELPER_PATHS,
  renderOtpHelperConfig,
  renderOtpPamInclude,
  renderOtpSshdDropIn,
  validateOtpHelper,
  type OtpHelperSpec,
} from '../../../core/render/otp-helper.js';
import { OTP_GOLDEN_FILES, OTP_GOLDEN_SPECS, otpGolden, splitHelper } from './otp-golden.js';

const HELPER = readFileSync(join(import.meta.dirname, '../../../ansible/roles/ssh_otp_helper/files/vault-ssh-helper'));

describe.each(['tls', 'dev'] as const)('%s goldens', (name) => {
  const otp = validateOtpHelper(OTP_GOLDEN_SPECS[name]);

  it('the config, the PAM include and the drop-in are the golden bytes', () => {
    expect(otp.paths).toEqual(DEFAULT_OTP_HELPER_PATHS);
    expect(renderOtpHelperConfig(otp)).toBe(otpGolden(name, OTP_GOLDEN_FILES.config));
    expect(renderOtpPamInclude(otp)).toBe(otpGolden(name, OTP_GOLDEN_FILES.pamInclude));
    expect(renderOtpSshdDropIn(otp)).toBe(otpGolden(name, OTP_GOLDEN_FILES.dropIn));
  });

  it('the user-data is the golden, its helper line inflates to the shipped helper, and it fits in 16 KB', () => {
    const userData = renderOtpCloudConfig(otp, HELPER);
    const { text, helper } = splitHelper(userData);
    expect(text).toBe(otpGolden(name, OTP_GOLDEN_FILES.userData));
    expect(helper.equals(HELPER)).toBe(true);
    expect(Buffer.byteLength(userData)).toBeLessThanOrEqual(16_384);
  });

  it('the user-data parses to the files the Ansible role writes, the drop-in deferred', () => {
    const doc = parse(renderOtpCloudConfig(otp, HELPER));
    const files = doc.write_files as Array<Record<string, unknown>>;
    expect(files.map((f) => [f.path, f.permissions, f.owner, f.defer ?? false, f.encoding ?? 'text'])).toEqual([
      [otp.paths.helper, '0755', 'root:root', false, 'gz+b64'],
      [otp.paths.config, '0644', 'root:root', false, 'text'],
      ...(name === 'tls' ? [[otp.paths.caCert, '0644', 'root:root', false, 'text']] : []),
      [otp.paths.pamInclude, '0644', 'root:root', false, 'text'],
      [otp.paths.dropIn, '0644', 'root:root', true, 'text'],
    ]);
    const byPath = Object.fromEntries(files.map((f) => [f.path, f.content]));
    expect(byPath[otp.paths.config]).toBe(renderOtpHelperConfig(otp));
    expect(byPath[otp.paths.pamInclude]).toBe(renderOtpPamInclude(otp));
    expect(byPath[otp.paths.dropIn]).toBe(renderOtpSshdDropIn(otp));
    if (name === 'tls') expect(byPath[otp.paths.caCert]).toBe(OTP_GOLDEN_SPECS.tls.caCert);
    expect(doc.runcmd[0].slice(0, 2)).toEqual(['sh', '-c']);
  });
});

/** The messages a spec is refused with. */
function issuesOf(spec: OtpHelperSpec): ValidationError['issues'] {
  try {
    validateOtpHelper(spec);
  } catch (e) {
    if (isValidationError(e)) return e.issues;
    throw e;
  }
  throw new Error('the spec was accepted');
}

describe('validateOtpHelper', () => {
  it("lists every problem, in the Ansible role's words", () => {
    expect(
      issuesOf({
        vaultAddr: 'http://vault.example.com:8200',
        mount: '/ssh//otp',
        namespace: 'a b',
        allowedRoles: ['*', 'otp-dev'],
        allowedCidrList: ['10.0.0.0/8', 'everywhere'],
        caCert: 'not a certificate',
        pamLog: 'relative.log',
        paths: {
          helper: 'usr/local/bin/vault-ssh-helper',
          pamInclude: '/etc/pam.d/sshd',
          dropIn: '/etc/ssh/sshd_config.d/60-otp.conf',
        },
        managed: 'two\nlines',
      }).map((i) => `${i.field}: ${i.message}`),
    ).toEqual([
      'vault_addr: vault_addr http://vault.example.com:8200 is plain http: one-time passwords would cross the network in clear. Use https, or dev mode for a test backend',
      'ssh_mount_point: ssh_mount_point must be a mount path such as ssh or ssh-dev, got "/ssh//otp"',
      'namespace: namespace must be a namespace path such as team-a/, got "a b"',
      'allowed_roles: allowed_roles: "*" allows every role and stands alone, got ["*","otp-dev"]',
      'allowed_cidr_list: allowed_cidr_list: "everywhere" is not a CIDR block such as 10.0.0.0/16',
      'ca_cert: ca_cert must be PEM certificates (-----BEGIN CERTIFICATE-----)',
      'paths.helper: paths.helper must be an absolute path of letters, digits and ._/-, got "usr/local/bin/vault-ssh-helper"',
      'pam_log: pam_log must be an absolute path of letters, digits and ._/-, got "relative.log"',
      'paths.pam_include: paths.pam_include must be a file of its own, not the sshd PAM service /etc/pam.d/sshd',
      "paths.drop_in: the drop-in's name must end in .conf and sort before 50-cloud-init.conf, got 60-otp.conf",
      'managed: managed must be one line of text without control characters',
    ]);
  });

  it("refuses files that would overwrite each other or sshd's own", () => {
    expect(
      issuesOf({
        vaultAddr: 'https://v:8200',
        allowedRoles: ['otp'],
        caCert: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n',
        paths: { config: '/etc/ssh/sshd_config', caCert: '/usr/local//bin/vault-ssh-helper' },
      }).map((i) => `${i.field}: ${i.message}`),
    ).toEqual([
      'paths.helper: paths.helper and paths.ca_cert are the same file /usr/local/bin/vault-ssh-helper: one would overwrite the other; give each a path of its own',
      'paths.config: paths.config and the sshd configuration are the same file /etc/ssh/sshd_config: one would overwrite the other; give each a path of its own',
    ]);
  });

  it('refuses https with dev mode, no roles, and a non-URL', () => {
    expect(issuesOf({ vaultAddr: 'https://v:8200', dev: true, allowedRoles: [] }).map((i) => i.message)).toEqual([
      'dev mode is for plain http test backends, but vault_addr https://v:8200 is https: drop dev mode',
      'allowed_roles must name at least one OTP role, or be ["*"] for every role of the mount',
    ]);
    expect(issuesOf({ vaultAddr: 'vault:8200"\n', allowedRoles: ['otp'] }).map((i) => i.message)).toEqual([
      'vault_addr must be an https:// URL, got "vault:8200\\"\\n"',
    ]);
  });
});

describe('renderOtpCloudConfig limits', () => {
  it("refuses user-data over EC2's 16 KB, naming the size", () => {
    const otp = validateOtpHelper(OTP_GOLDEN_SPECS.dev);
    // Random bytes do not compress: 12 KB of them make more than 16 KB of base64.
    expect(() => renderOtpCloudConfig(otp, randomBytes(12_288))).toThrow(
      /^the OTP user-data is \d+ bytes, over EC2's limit of 16384 bytes: leave out the CA bundle \(ca_cert\) or ship the helper another way \(the Ansible role ssh_otp_helper\)$/,
    );
  });

  it('refuses a reload command with a quote or a newline', () => {
    const otp = validateOtpHelper(OTP_GOLDEN_SPECS.dev);
    expect(() => renderOtpCloudConfig(otp, HELPER, { reloadCommand: "kill 'x'" })).toThrow(
      'reloadCommand must be a one-line command without single quotes',
    );
  });
});
