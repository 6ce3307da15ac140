// The files sshd reads to trust an environment's CA: the drop-in, the TrustedUserCAKeys file and one
// AuthorizedPrincipalsFile per account. The Ansible role's templates produce the same bytes
// (test/golden/host-trust holds the shared expectations).

import type { HostTrust } from './host-trust.js';

const MANAGED = '# Managed by vault-ssh-ca: changes here are overwritten.';

/** What the drop-in may add to the trust lines. */
export interface SshdDropInOptions {
  /** A `RevokedKeys` line (the KRL, issue 20); the file must exist before sshd -t. @default none */
  readonly revokedKeys?: string;
}

/** The sshd_config.d drop-in. */
export function renderSshdDropIn(trust: HostTrust, options: SshdDropInOptions = {}): string {
  return [
    MANAGED,
    `# Environment ${trust.environment}: trust user certificates of its CA only.`,
    '# sshd keeps the first value it reads: this file sorts before 50-cloud-init.conf on purpose.',
    `TrustedUserCAKeys ${trust.paths.trustedCaKeys}`,
    `AuthorizedPrincipalsFile ${trust.paths.principalsDir}/%u`,
    ...(options.revokedKeys !== undefined ? [`RevokedKeys ${options.revokedKeys}`] : []),
    '',
  ].join('\n');
}

/** The TrustedUserCAKeys file: one key per line, several during a rotation. */
export function renderTrustedCaKeys(trust: HostTrust): string {
  return [MANAGED, `# CA public keys of environment ${trust.environment}.`, ...trust.caKeys, ''].join('\n');
}

/** Each account's AuthorizedPrincipalsFile, by path. */
export function renderPrincipalsFiles(trust: HostTrust): Array<{ path: string; account: string; content: string }> {
  return trust.principals.map(([account, principals]) => ({
    path: `${trust.paths.principalsDir}/${account}`,
    account,
    content: [
      MANAGED,
      `# Principals that may log in as ${account} in environment ${trust.environment}.`,
      ...principals,
      '',
    ].join('\n'),
  }));
}
