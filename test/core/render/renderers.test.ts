// The renderers against the shared goldens, the cloud-config's parsed shape, and its limits.

import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { renderAnsibleVars } from '../../../core/render/ansible-vars.js';
import { EC2_USER_DATA_LIMIT, renderCloudConfig } from '../../../core/render/cloud-config.js';
import { validateHostTrust } from '../../../core/render/host-trust.js';
import { renderPrincipalsFiles, renderSshdDropIn, renderTrustedCaKeys } from '../../../core/render/sshd-files.js';
import { GOLDEN_SPECS, golden } from './golden.js';

describe.each(['dev', 'prod'] as const)('%s goldens', (env) => {
  const trust = validateHostTrust(GOLDEN_SPECS[env]);

  it('drop-in, trusted keys and principals files', () => {
    expect(renderSshdDropIn(trust)).toBe(golden(env, '10-sshca.conf'));
    expect(renderTrustedCaKeys(trust)).toBe(golden(env, 'trusted_user_ca_keys'));
    const files = renderPrincipalsFiles(trust);
    expect(files.map((f) => f.path)).toEqual(
      Object.keys(GOLDEN_SPECS[env].principals)
        .sort()
        .map((a) => `/etc/ssh/sshca/principals/${a}`),
    );
    for (const f of files) expect(f.content).toBe(golden(env, `principals/${f.account}`));
  });

  it('cloud-config and Ansible variables', () => {
    expect(renderCloudConfig(trust)).toBe(golden(env, 'user-data.yaml'));
    expect(renderAnsibleVars(trust)).toBe(golden(env, 'ansible-vars.yml'));
  });

  it('the cloud-config writes exactly the sshd files, root-owned 0644, drop-in last', () => {
    const doc = parse(renderCloudConfig(trust));
    expect(Object.keys(doc)).toEqual(['write_files', 'runcmd']);
    expect(doc.write_files).toEqual([
      { path: trust.paths.trustedCaKeys, owner: 'root:root', permissions: '0644', content: renderTrustedCaKeys(trust) },
      ...renderPrincipalsFiles(trust).map((f) => ({
        path: f.path,
        owner: 'root:root',
        permissions: '0644',
        content: f.content,
      })),
      { path: trust.paths.dropIn, owner: 'root:root', permissions: '0644', content: renderSshdDropIn(trust) },
    ]);
    expect(doc.runcmd).toHaveLength(1);
    expect(doc.runcmd[0].slice(0, 2)).toEqual(['sh', '-c']);
  });

  it('the Ansible variables read back as the normalised spec', () => {
    expect(parse(renderAnsibleVars(trust))).toEqual({
      ssh_ca_trust_environment: env,
      ssh_ca_trust_ca_keys: trust.caKeys,
      ssh_ca_trust_principals: Object.fromEntries(trust.principals),
      ssh_ca_trust_dropin_path: '/etc/ssh/sshd_config.d/10-sshca.conf',
      ssh_ca_trust_ca_keys_path: '/etc/ssh/sshca/trusted_user_ca_keys',
      ssh_ca_trust_principals_dir: '/etc/ssh/sshca/principals',
    });
  });
});

describe('renderCloudConfig', () => {
  const trust = validateHostTrust(GOLDEN_SPECS.dev);

  it('never carries private key material or tokens', () => {
    const text = renderCloudConfig(trust);
    expect(text).not.toMatch(/PRIVATE KEY|hvs\.|X-Vault-Token/);
  });

  it('refuses user-data over EC2 16 KB limit, naming the size', () => {
    const principals: Record<string, string[]> = {};
    for (let i = 0; i < 60; i++) principals[`user${String(i).padStart(2, '0')}`] = [`principal-${i}`];
    const big = validateHostTrust({ ...GOLDEN_SPECS.dev, principals });
    const size = Buffer.byteLength(
      renderCloudConfig(validateHostTrust({ ...GOLDEN_SPECS.dev, principals: { user00: ['principal-0'] } })),
    );
    expect(size).toBeLessThan(EC2_USER_DATA_LIMIT);
    expect(() => renderCloudConfig(big)).toThrow(
      /^the dev user-data is \d+ bytes, over EC2's limit of 16384 bytes: trust fewer CA keys or map fewer accounts$/,
    );
  });

  it('takes the sshd command and the reload command as options, refusing quotes and newlines', () => {
    const text = renderCloudConfig(trust, { sshd: '/usr/local/sbin/sshd', reloadCommand: 'service ssh reload' });
    expect(parse(text).runcmd[0][2]).toBe(
      [
        "if /usr/local/sbin/sshd -t && /usr/local/sbin/sshd -T | grep -qxF 'trustedusercakeys /etc/ssh/sshca/trusted_user_ca_keys'; then",
        '  service ssh reload',
        'else',
        '  rm -f /etc/ssh/sshd_config.d/10-sshca.conf',
        "  echo 'vault-ssh-ca: sshd refused the dev CA drop-in, or it is not in effect (sshd -t, sshd -T); sshd left unchanged' >&2",
        '  exit 1',
        'fi',
        '',
      ].join('\n'),
    );
    expect(() => renderCloudConfig(trust, { reloadCommand: "echo 'x'" })).toThrow(
      'reloadCommand must be a one-line command without single quotes',
    );
    expect(() => renderCloudConfig(trust, { sshd: 'sshd\n-t' })).toThrow(
      'sshd must be a one-line command without single quotes',
    );
  });
});
