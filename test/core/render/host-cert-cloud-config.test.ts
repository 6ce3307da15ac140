// The host-certificate user-data renderer (issue 17, point 2): exact output against a golden file, the
// drop-in the Ansible role ssh_host_certificate writes (same bytes), every input check with its message,
// and EC2's 16 KB limit. test/cloud-init/host-cert-user-data.test.ts runs the script for real.

import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { isRequestError, isValidationError, type ValidationError } from '../../../core/errors.js';
import {
  DEFAULT_HOST_CERT_BOOT_PATHS,
  renderHostCertCloudConfig,
  renderHostCertificateDropIn,
  validateHostCertBoot,
  type HostCertBootSpec,
} from '../../../core/render/host-cert-cloud-config.js';

const GOLDEN = resolve(import.meta.dirname, '../../golden/host-certificate');
const golden = (file: string) => readFileSync(join(GOLDEN, file), 'utf8');

const SPEC: HostCertBootSpec = {
  vaultAddr: 'https://vault.example.com:8200/',
  mount: 'ssh-dev-host',
  principals: ['web-1.dev.example.com', '10.1.0.5', 'web-1.dev.example.com'],
  wrappingToken: 'hvs.CAESIwrappingtokenexample',
  ttl: '720h',
};

function issuesOf(spec: HostCertBootSpec): ValidationError['issues'] {
  try {
    validateHostCertBoot(spec);
  } catch (e) {
    if (isValidationError(e)) return e.issues;
    throw e;
  }
  throw new Error('no ValidationError');
}

describe('renderHostCertCloudConfig', () => {
  it('is the golden user-data for the default paths', () => {
    expect(renderHostCertCloudConfig(SPEC)).toBe(golden('user-data.yaml'));
  });

  it('writes the wrapping token 0600 and runs one sh -c; the CA bundle when given', () => {
    const doc = parse(renderHostCertCloudConfig(SPEC));
    expect(doc.write_files).toEqual([
      {
        path: '/run/sshca/wrapping-token',
        owner: 'root:root',
        permissions: '0600',
        content: 'hvs.CAESIwrappingtokenexample\n',
      },
    ]);
    expect(doc.runcmd.length).toBe(1);
    expect(doc.runcmd[0].slice(0, 2)).toEqual(['sh', '-c']);
    const pem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----';
    const withCa = parse(renderHostCertCloudConfig({ ...SPEC, caCert: pem }));
    expect(withCa.write_files[1]).toEqual({
      path: '/etc/ssh/sshca/backend-ca.pem',
      owner: 'root:root',
      permissions: '0644',
      content: `${pem}\n`,
    });
    expect(withCa.runcmd[0][2]).toContain('curl -sS --cacert /etc/ssh/sshca/backend-ca.pem -o "$work/answer"');
  });

  it('fills in the defaults: role host, principals unique and sorted, the /etc/ssh paths', () => {
    expect(validateHostCertBoot(SPEC)).toEqual({
      vaultAddr: 'https://vault.example.com:8200',
      mount: 'ssh-dev-host',
      role: 'host',
      principals: ['10.1.0.5', 'web-1.dev.example.com'],
      wrappingToken: 'hvs.CAESIwrappingtokenexample',
      ttl: '720h',
      caCert: '',
      paths: DEFAULT_HOST_CERT_BOOT_PATHS,
    });
  });

  it('refuses bad input with every problem named', () => {
    expect(
      issuesOf({
        vaultAddr: 'vault:8200',
        mount: '',
        role: 'a b',
        principals: ['ok.example.com', 'bad name'],
        wrappingToken: 'x',
        ttl: 'forever',
        caCert: 'not pem',
        paths: { dropIn: '/etc/ssh/sshd_config.d/host-cert', hostKeys: ['relative/key'] },
      }),
    ).toEqual([
      { field: 'vault_addr', message: 'vault_addr must be an http:// or https:// URL, got "vault:8200"' },
      { field: 'mount', message: 'mount must name the host CA mount, e.g. ssh-dev-host, got ""' },
      { field: 'role', message: 'role must be a role name, got "a b"' },
      {
        field: 'principals[1]',
        message: 'principal "bad name" must be a host name or address (letters, digits, . - _ : *)',
      },
      {
        field: 'wrapping_token',
        message:
          'wrapping_token must be a response-wrapped token (letters, digits, . _ -), e.g. the wrap_info.token of vault token create -wrap-ttl=15m',
      },
      { field: 'ttl', message: 'ttl must be seconds or a duration such as 720h, got "forever"' },
      {
        field: 'paths.hostKeys[0]',
        message: 'paths.hostKeys[0] must be an absolute path of letters, digits and ._/-, got "relative/key"',
      },
      {
        field: 'paths.dropIn',
        message: "the drop-in's name must end in .conf (sshd_config.d/*.conf), got /etc/ssh/sshd_config.d/host-cert",
      },
      { field: 'ca_cert', message: 'ca_cert must be PEM certificates (-----BEGIN CERTIFICATE-----)' },
    ]);
    expect(issuesOf({ ...SPEC, principals: [] })).toEqual([
      { field: 'principals', message: 'no principals: name the host as clients reach it, e.g. web-1.dev.example.com' },
    ]);
  });

  it("refuses user-data over EC2's 16 KB", () => {
    const pem = `-----BEGIN CERTIFICATE-----\n${'A'.repeat(16_000)}\n-----END CERTIFICATE-----\n`;
    let error: unknown;
    try {
      renderHostCertCloudConfig({ ...SPEC, caCert: pem });
    } catch (e) {
      error = e;
    }
    expect(isRequestError(error)).toBe(true);
    expect((error as Error).message).toMatch(
      /^the host certificate user-data is \d+ bytes, over EC2's limit of 16384 bytes: leave out the CA bundle \(ca_cert\)$/,
    );
  });
});

describe('renderHostCertificateDropIn', () => {
  it('is the golden drop-in: one HostCertificate line per key, as the Ansible role writes it', () => {
    expect(
      renderHostCertificateDropIn('ssh-dev-host', ['/etc/ssh/ssh_host_ed25519_key', '/etc/ssh/ssh_host_rsa_key']),
    ).toBe(golden('10-sshca-host-certificate.conf'));
  });
});
