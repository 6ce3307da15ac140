// cloud-init user-data that makes a new instance trust its environment's CA: `write_files` puts the
// trusted keys, the principals files and the sshd drop-in in place (root-owned, 0644), then `runcmd`
// checks the whole sshd configuration (`sshd -t`) and that the drop-in is in effect (`sshd -T`)
// before reloading; if either check fails it removes the drop-in and leaves sshd as it was.
// User-data is readable from inside the instance, so it holds public keys only, and EC2 caps it at
// 16 KB.

import { RequestError } from '../errors.js';
import {
  EC2_USER_DATA_LIMIT,
  renderRuncmdScript,
  renderWriteFile,
  resolveCloudConfigOptions,
  type CloudConfigOptions,
} from './cloud-config-parts.js';
import type { HostTrust } from './host-trust.js';
import { renderKrlFirstBoot, renderKrlRefreshFiles, type KrlRefresh } from './krl-refresh.js';
import { renderPrincipalsFiles, renderSshdDropIn, renderTrustedCaKeys } from './sshd-files.js';

export { EC2_USER_DATA_LIMIT, type CloudConfigOptions } from './cloud-config-parts.js';

/** The host-trust user-data's options: sshd's check and reload, and optionally the KRL refresh. */
export interface HostTrustCloudConfigOptions extends CloudConfigOptions {
  /**
   * Keep the environment's KRL current (issue 20): the drop-in gains `RevokedKeys`, the refresh script
   * and its systemd timer are written, and the first fetch runs before sshd's checks. @default none
   */
  readonly krl?: KrlRefresh;
}

/** The runcmd script: check, then reload or roll back. */
function checkAndReload(trust: HostTrust, sshd: string, reload: string, krl?: KrlRefresh): string {
  const revoked = krl !== undefined ? ` && ${sshd} -T | grep -qxF 'revokedkeys ${krl.paths.krl}'` : '';
  return [
    `if ${sshd} -t && ${sshd} -T | grep -qxF 'trustedusercakeys ${trust.paths.trustedCaKeys}'${revoked}; then`,
    `  ${reload}`,
    'else',
    `  rm -f ${trust.paths.dropIn}`,
    `  echo 'vault-ssh-ca: sshd refused the ${trust.environment} CA drop-in, or it is not in effect (sshd -t, sshd -T); sshd left unchanged' >&2`,
    '  exit 1',
    'fi',
    '',
  ].join('\n');
}

/** `#cloud-config` user-data for one environment's hosts. Throws when it would exceed EC2's 16 KB. */
export function renderCloudConfig(trust: HostTrust, options: HostTrustCloudConfigOptions = {}): string {
  const { krl, ...commands } = options;
  const { sshd, reload } = resolveCloudConfigOptions(commands);
  const text = [
    '#cloud-config',
    `# vault-ssh-ca: trust the ${trust.environment} SSH CA. Public keys only: user-data is readable on the instance.`,
    'write_files:',
    renderWriteFile(trust.paths.trustedCaKeys, renderTrustedCaKeys(trust)),
    ...renderPrincipalsFiles(trust).map((f) => renderWriteFile(f.path, f.content)),
    renderWriteFile(trust.paths.dropIn, renderSshdDropIn(trust, krl !== undefined ? { revokedKeys: krl.paths.krl } : {})),
    ...(krl !== undefined ? renderKrlRefreshFiles(krl).map((f) => renderWriteFile(f.path, f.content, f.mode)) : []),
    renderRuncmdScript((krl !== undefined ? renderKrlFirstBoot(krl) : '') + checkAndReload(trust, sshd, reload, krl)),
    '',
  ].join('\n');
  const size = Buffer.byteLength(text);
  if (size > EC2_USER_DATA_LIMIT) {
    throw new RequestError(
      `the ${trust.environment} user-data is ${size} bytes, over EC2's limit of ${EC2_USER_DATA_LIMIT} bytes: trust fewer CA keys or map fewer accounts` +
        (krl?.caCert !== undefined ? ', or give a shorter KRL CA bundle' : ''),
    );
  }
  return text;
}
