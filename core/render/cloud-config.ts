// cloud-init user-data that makes a new instance trust its environment's CA: `write_files` puts the
// trusted keys, the principals files and the sshd drop-in in place (root-owned, 0644), then `runcmd`
// checks the whole sshd configuration (`sshd -t`) and that the drop-in is in effect (`sshd -T`)
// before reloading; if either check fails it removes the drop-in and leaves sshd as it was.
// User-data is readable from inside the instance, so it holds public keys only, and EC2 caps it at
// 16 KB.

import { RequestError } from '../errors.js';
import type { HostTrust } from './host-trust.js';
import { renderPrincipalsFiles, renderSshdDropIn, renderTrustedCaKeys } from './sshd-files.js';

/** EC2's limit on raw user-data, before base64. */
export const EC2_USER_DATA_LIMIT = 16_384;

/** How the instance checks and reloads sshd. */
export interface CloudConfigOptions {
  /** The sshd command used for `-t` and `-T`. @default '/usr/sbin/sshd' */
  readonly sshd?: string;
  /** Run once the checks pass. @default reload sshd.service, else ssh.service, if running */
  readonly reloadCommand?: string;
}

const DEFAULT_RELOAD = 'systemctl try-reload-or-restart sshd.service || systemctl try-reload-or-restart ssh.service';

/** `text` without its final newline, every line indented (a `|` block scalar restores one newline). */
const indent = (text: string, by: string) =>
  text
    .replace(/\n$/, '')
    .split('\n')
    .map((l) => (l === '' ? l : by + l))
    .join('\n');

function writeFile(path: string, content: string): string {
  return [
    `  - path: ${path}`,
    '    owner: root:root',
    "    permissions: '0644'",
    '    content: |',
    indent(content, '      '),
  ].join('\n');
}

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
  for (const [name, value] of Object.entries(options)) {
    if (typeof value !== 'string' || value.trim() === '' || /[\u0000-\u001f']/.test(value)) {
      throw new RequestError(`${name} must be a one-line command without single quotes`);
    }
  }
  const script = checkAndReload(trust, options.sshd ?? '/usr/sbin/sshd', options.reloadCommand ?? DEFAULT_RELOAD);
  const text = [
    '#cloud-config',
    `# vault-ssh-ca: trust the ${trust.environment} SSH CA. Public keys only: user-data is readable on the instance.`,
    'write_files:',
    writeFile(trust.paths.trustedCaKeys, renderTrustedCaKeys(trust)),
    ...renderPrincipalsFiles(trust).map((f) => writeFile(f.path, f.content)),
    writeFile(trust.paths.dropIn, renderSshdDropIn(trust)),
    'runcmd:',
    '  - - sh',
    '    - -c',
    '    - |',
    indent(script, '      '),
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
