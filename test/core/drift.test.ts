// core/drift.ts, core/drift-inventory.ts and core/krl/krl-header.ts (issue 20, point 3): exact findings,
// the inventory reader against the `yaml` package on the example inventory, the KRL header.

import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { expect, it } from 'vitest';
import { parse } from 'yaml';
import { planDriftFindings, type DriftProbe } from '../../core/drift.js';
import { parseInventory, parseInventoryYaml } from '../../core/drift-inventory.js';
import { parseKrlHeader } from '../../core/krl/krl-header.js';
import { renderKrl } from '../../core/krl/krl.js';

const EXAMPLE = resolve(import.meta.dirname, '../../ansible/inventories/example');

it('reads the example inventory and its group_vars as the yaml package does', () => {
  for (const f of ['hosts.yml', 'group_vars/all.yml', 'group_vars/dev.yml', 'group_vars/prod.yml', 'group_vars/otp.yml']) {
    const text = readFileSync(join(EXAMPLE, f), 'utf8');
    expect(parseInventoryYaml(text)).toEqual(parse(text));
  }
  const groupVars = Object.fromEntries(['all', 'dev', 'prod', 'otp'].map((g) => [g, parse(readFileSync(join(EXAMPLE, `group_vars/${g}.yml`), 'utf8'))]));
  const hosts = parseInventory(readFileSync(join(EXAMPLE, 'hosts.yml'), 'utf8'), 'yaml', { groupVars });
  expect(hosts.map((h) => [h.name, h.user, h.groups, h.vars.ssh_ca_trust_mount])).toEqual([
    ['dev-web-1.example.internal', 'deploy', ['all', 'dev'], 'ssh-dev'],
    ['dev-web-2.example.internal', 'deploy', ['all', 'dev', 'otp'], 'ssh-dev'],
    ['prod-web-1.example.internal', undefined, ['all', 'prod'], 'ssh-prod'],
  ]);
});

it('reads an INI inventory', () => {
  const hosts = parseInventory('[dev]\nweb1 ansible_host=10.0.0.5 ansible_port=2222\n[dev:vars]\nansible_user=deploy\n', 'ini');
  expect(hosts).toEqual([{ name: 'web1', address: '10.0.0.5', port: 2222, user: 'deploy', groups: ['all', 'dev'], vars: { ansible_user: 'deploy', ansible_host: '10.0.0.5', ansible_port: '2222' } }]);
});

it('parses a KRL header', () => {
  const krl = renderKrl({ krlVersion: 7n, generatedDate: 1700000000n, comment: 'x' });
  expect(parseKrlHeader(krl)).toEqual({ formatVersion: 1, krlVersion: 7n, generatedDate: 1700000000n, flags: 0n, comment: 'x' });
  expect(() => parseKrlHeader(Buffer.from('nope'))).toThrow('not an OpenSSH KRL (no SSHKRL magic)');
});

it('missing KRL, principals and an expiring host certificate are exact findings', () => {
  const probe: DriftProbe = {
    ok: true,
    config: '/etc/ssh/sshd_config',
    revokedKeys: { path: '/etc/ssh/sshca/revoked_keys' },
    authorizedPrincipalsFile: '/etc/ssh/sshca/principals/%u',
    principals: { deploy: { path: '/etc/ssh/sshca/principals/deploy' }, ghost: null },
    hostCertificates: [],
  };
  expect(planDriftFindings(probe, { mount: 'ssh-dev', currentKey: 'ssh-ed25519 AAAA', krlVersion: 3n, principals: { deploy: ['jenkins'], ghost: ['x'] }, principalsSource: 'ssh_ca_trust_principals', now: 0 })).toEqual([
    { code: 'trusted-keys-missing', severity: 'drift', message: "TrustedUserCAKeys is not set in /etc/ssh/sshd_config: the host trusts no CA; set it to a file with ssh-dev's key" },
    { code: 'krl-missing', severity: 'drift', message: 'RevokedKeys /etc/ssh/sshca/revoked_keys is missing: sshd refuses every key; install the KRL (sshca render --format krl --mount ssh-dev)' },
    { code: 'principals-missing', severity: 'drift', message: 'principals file of deploy /etc/ssh/sshca/principals/deploy is missing: ssh_ca_trust_principals lists jenkins' },
    { code: 'principals-account-missing', severity: 'drift', message: 'account ghost (in ssh_ca_trust_principals) does not exist on the host' },
  ]);
});
