// The variables of the Ansible role `ssh_ca_trust` for one environment, as a YAML document for
// group_vars (strings are written as JSON strings, which YAML reads as the same values).

import type { HostTrust } from './host-trust.js';

const q = (s: string) => JSON.stringify(s);

/** group_vars YAML for `ansible/roles/ssh_ca_trust`. */
export function renderAnsibleVars(trust: HostTrust): string {
  return [
    '---',
    `# vault-ssh-ca: host trust for environment ${trust.environment} (role ssh_ca_trust)`,
    `ssh_ca_trust_environment: ${q(trust.environment)}`,
    'ssh_ca_trust_ca_keys:',
    ...trust.caKeys.map((k) => `  - ${q(k)}`),
    trust.principals.length === 0 ? 'ssh_ca_trust_principals: {}' : 'ssh_ca_trust_principals:',
    ...trust.principals.flatMap(([account, list]) => [`  ${q(account)}:`, ...list.map((p) => `    - ${q(p)}`)]),
    `ssh_ca_trust_dropin_path: ${q(trust.paths.dropIn)}`,
    `ssh_ca_trust_ca_keys_path: ${q(trust.paths.trustedCaKeys)}`,
    `ssh_ca_trust_principals_dir: ${q(trust.paths.principalsDir)}`,
    '',
  ].join('\n');
}
