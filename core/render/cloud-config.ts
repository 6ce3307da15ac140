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
import { renderPrincipalsFiles, renderSshdDropIn, renderTrustedCaKeys } from './sshd-files.js';

export { EC2_USER_DATA_LIMIT, type CloudConfigOptions } from './cloud-config-parts.js';

/** The runcmd script: check, then reload or roll back. */
function checkAndReload(trust: HostTrust, sshd: string, reload: string): string {
  return [
    `if ${sshd} -t && ${sshd} -T | grep -qxF 'trustedusercakeys ${trust.paths.trustedCaKeys}'; then`,
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
export function renderCloudConfig(trust: HostTrust, options: CloudConfigOptions = {}): string {
  const { sshd, reload } = resolveCloudConfigOptions(options);
  const text = [
    '#cloud-config',
    `# vault-ssh-ca: trust the ${trust.environment} SSH CA. Public keys only: user-data is readable on the instance.`,
    'write_files:',
    renderWriteFile(trust.paths.trustedCaKeys, renderTrustedCaKeys(trust)),
    ...renderPrincipalsFiles(trust).map((f) => renderWriteFile(f.path, f.content)),
    renderWriteFile(trust.paths.dropIn, renderSshdDropIn(trust)),
    renderRuncmdScript(checkAndReload(trust, sshd, reload)),
    '',
  ].join('\n');
  const size = Buffer.byteLength(text);
  if (size > EC2_USER_DATA_LIMIT) {
    throw new RequestError(
      `the ${trust.environment} user-data is ${size} bytes, over EC2's limit of ${EC2_USER_DATA_LIMIT} bytes: trust fewer CA keys or map fewer accounts`,
    );
  }
  return text;
}
