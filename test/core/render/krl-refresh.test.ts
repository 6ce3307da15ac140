// The KRL refresh renderers (issue 20, point 1) against their goldens in test/golden/krl-refresh
// (the script, the systemd units, the drop-in with RevokedKeys and the host-trust user-data with the
// KRL part), the input checks, and the host-trust user-data unchanged without it.
// test/cloud-init/krl-refresh.test.ts runs the script and the user-data against real tools.

import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { renderCloudConfig } from '../../../core/render/cloud-config.js';
import { validateHostTrust } from '../../../core/render/host-trust.js';
import {
  renderKrlFirstBoot,
  renderKrlRefreshFiles,
  renderKrlRefreshScript,
  renderKrlRefreshService,
  renderKrlRefreshTimer,
  validateKrlRefresh,
} from '../../../core/render/krl-refresh.js';
import { renderSshdDropIn } from '../../../core/render/sshd-files.js';
import { GOLDEN_SPECS, golden } from './golden.js';

export const KRL_GOLDEN_DIR = resolve(import.meta.dirname, '../../golden/krl-refresh');
const krlGolden = (file: string) => readFileSync(join(KRL_GOLDEN_DIR, file), 'utf8');

const devKrl = () => validateKrlRefresh({ environment: 'dev', url: 'https://krl.example.com/dev/revoked_keys' });
const prodKrl = () =>
  validateKrlRefresh({
    environment: 'prod',
    url: 'https://krl.example.com/prod/revoked_keys',
    caCert: krlGolden('krl-ca.pem'),
  });

describe('goldens', () => {
  it('dev: the script, the units, the drop-in with RevokedKeys and the user-data', () => {
    const krl = devKrl();
    const trust = validateHostTrust(GOLDEN_SPECS.dev);
    expect(renderKrlRefreshScript(krl)).toBe(krlGolden('dev/sshca-krl-refresh'));
    expect(renderKrlRefreshService(krl)).toBe(krlGolden('dev/sshca-krl-refresh.service'));
    expect(renderKrlRefreshTimer(krl)).toBe(krlGolden('dev/sshca-krl-refresh.timer'));
    expect(renderSshdDropIn(trust, { revokedKeys: krl.paths.krl })).toBe(krlGolden('dev/10-sshca.conf'));
    expect(renderCloudConfig(trust, { krl })).toBe(krlGolden('dev/user-data.yaml'));
  });

  it('prod: with a CA bundle for curl', () => {
    const krl = prodKrl();
    expect(renderKrlRefreshScript(krl)).toBe(krlGolden('prod/sshca-krl-refresh'));
    expect(renderCloudConfig(validateHostTrust(GOLDEN_SPECS.prod), { krl })).toBe(krlGolden('prod/user-data.yaml'));
  });

  it('without the KRL part, the host-trust goldens are unchanged', () => {
    for (const env of ['dev', 'prod'] as const) {
      const trust = validateHostTrust(GOLDEN_SPECS[env]);
      expect(renderCloudConfig(trust, {})).toBe(golden(env, 'user-data.yaml'));
      expect(renderSshdDropIn(trust, {})).toBe(golden(env, '10-sshca.conf'));
    }
  });

  it('the drop-in differs from the plain one by the RevokedKeys line only', () => {
    const trust = validateHostTrust(GOLDEN_SPECS.dev);
    expect(renderSshdDropIn(trust, { revokedKeys: '/etc/ssh/sshca/revoked_keys' })).toBe(
      golden('dev', '10-sshca.conf') + 'RevokedKeys /etc/ssh/sshca/revoked_keys\n',
    );
  });
});

describe('the user-data with the KRL part', () => {
  it('writes the files, then fetches, enables the timer and only then checks sshd (parsed)', () => {
    const doc = parse(krlGolden('prod/user-data.yaml'));
    expect(doc.write_files.map((f: { path: string; permissions: string }) => [f.path, f.permissions])).toEqual([
      ['/etc/ssh/sshca/trusted_user_ca_keys', '0644'],
      ['/etc/ssh/sshca/principals/ansible', '0644'],
      ['/etc/ssh/sshca/principals/ubuntu', '0644'],
      ['/etc/ssh/sshd_config.d/10-sshca.conf', '0644'],
      ['/etc/ssh/sshca/krl-ca.pem', '0644'],
      ['/usr/local/sbin/sshca-krl-refresh', '0755'],
      ['/etc/systemd/system/sshca-krl-refresh.service', '0644'],
      ['/etc/systemd/system/sshca-krl-refresh.timer', '0644'],
    ]);
    const krl = prodKrl();
    for (const f of renderKrlRefreshFiles(krl)) {
      expect(doc.write_files.find((w: { path: string }) => w.path === f.path).content).toBe(f.content);
    }
    const [sh, flag, script] = doc.runcmd[0];
    expect([sh, flag]).toEqual(['sh', '-c']);
    expect(script.startsWith(renderKrlFirstBoot(krl))).toBe(true);
    expect(script.split('\n').slice(0, 7)).toEqual([
      'if ! sh /usr/local/sbin/sshca-krl-refresh; then',
      '  [ -s /etc/ssh/sshca/revoked_keys ] || ssh-keygen -q -k -f /etc/ssh/sshca/revoked_keys',
      "  echo 'vault-ssh-ca: the first prod KRL fetch failed; /etc/ssh/sshca/revoked_keys revokes nothing new until sshca-krl-refresh.timer succeeds' >&2",
      'fi',
      'systemctl daemon-reload',
      'systemctl enable --now sshca-krl-refresh.timer',
      "if /usr/sbin/sshd -t && /usr/sbin/sshd -T | grep -qxF 'trustedusercakeys /etc/ssh/sshca/trusted_user_ca_keys' && /usr/sbin/sshd -T | grep -qxF 'revokedkeys /etc/ssh/sshca/revoked_keys'; then",
    ]);
  });

  it('fits in 16 KB with a CA bundle, and names the bundle when it does not', () => {
    expect(Buffer.byteLength(krlGolden('prod/user-data.yaml'))).toBeLessThan(16_384);
    const pem = krlGolden('krl-ca.pem');
    const krl = validateKrlRefresh({ environment: 'dev', url: 'https://krl.example.com/k', caCert: pem.repeat(30) });
    expect(() => renderCloudConfig(validateHostTrust(GOLDEN_SPECS.dev), { krl })).toThrow(
      /^the dev user-data is \d+ bytes, over EC2's limit of 16384 bytes: trust fewer CA keys or map fewer accounts, or give a shorter KRL CA bundle$/,
    );
  });
});

describe('validateKrlRefresh', () => {
  const issues = (spec: Parameters<typeof validateKrlRefresh>[0]) => {
    try {
      validateKrlRefresh(spec);
    } catch (e) {
      return (e as { issues: { field: string; message: string }[] }).issues;
    }
    return [];
  };

  it('fills in the defaults', () => {
    expect(devKrl()).toEqual({
      environment: 'dev',
      url: 'https://krl.example.com/dev/revoked_keys',
      allowHttp: false,
      maxBytes: 4_194_304,
      maxTimeSeconds: 60,
      paths: {
        krl: '/etc/ssh/sshca/revoked_keys',
        script: '/usr/local/sbin/sshca-krl-refresh',
        caCert: '/etc/ssh/sshca/krl-ca.pem',
        service: '/etc/systemd/system/sshca-krl-refresh.service',
        timer: '/etc/systemd/system/sshca-krl-refresh.timer',
      },
    });
  });

  it('refuses http unless allowed, quotes in the URL, a private key, bad limits and paths', () => {
    expect(issues({ environment: 'dev', url: 'http://krl.example.com/k' })).toEqual([
      {
        field: 'krl_url',
        message:
          'url must be https (the KRL decides who may log in), got http://krl.example.com/k; http is for tests only (allowHttp)',
      },
    ]);
    expect(issues({ environment: 'dev', url: 'http://127.0.0.1:8080/k', allowHttp: true })).toEqual([]);
    expect(issues({ environment: 'dev', url: "https://x/'$(reboot)'" })).toEqual([
      {
        field: 'krl_url',
        message: `url must be printable ASCII without spaces, quotes, backslashes or $, got "https://x/'$(reboot)'"`,
      },
    ]);
    expect(issues({ environment: 'dev', url: 'ftp://x/k' })).toEqual([
      { field: 'krl_url', message: 'url must be https, got ftp://x/k' },
    ]);
    expect(
      issues({
        environment: 'dev',
        url: 'https://x/k',
        caCert: '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n',
        maxBytes: 10,
        maxTimeSeconds: 0,
        paths: { krl: 'relative', timer: '/etc/systemd/system/other.timer' },
      }),
    ).toEqual([
      { field: 'krl_ca_cert', message: 'krl_ca_cert holds a private key: give the CA certificate only' },
      { field: 'krl_max_bytes', message: 'krl_max_bytes must be an integer of at least 1024, got 10' },
      { field: 'krl_max_time', message: 'krl_max_time must be whole seconds from 1 to 3600, got 0' },
      { field: 'paths.krl', message: 'paths.krl must be an absolute path of letters, digits and ._/-, got "relative"' },
    ]);
    expect(
      issues({ environment: 'dev', url: 'https://x/k', paths: { timer: '/etc/systemd/system/other.timer' } }),
    ).toEqual([
      {
        field: 'paths.krl_timer',
        message: "the timer must have the service's name and directory (/etc/systemd/system/sshca-krl-refresh.timer)",
      },
    ]);
    expect(issues({ environment: 'dev', url: 'https://x/k', caCert: 'not pem' })).toEqual([
      { field: 'krl_ca_cert', message: 'krl_ca_cert must be PEM certificates (-----BEGIN CERTIFICATE-----)' },
    ]);
  });
});
