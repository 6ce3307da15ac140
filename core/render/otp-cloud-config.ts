// cloud-init user-data for OTP hosts: `write_files` installs vault-ssh-helper (gzip+base64: the
// helper alone is larger than EC2's 16 KB once written out), its config, the CA bundle if any, the PAM
// include and, deferred to the final stage so that sshd never starts with it unchecked, the sshd
// drop-in. Then `runcmd` runs the installed helper's -verify-only against the backend, checks the
// whole sshd configuration (`sshd -t`) and its effective values (`sshd -T`), and only then adds the
// `@include` line to the sshd PAM service and reloads sshd; any failed check removes the drop-in and
// leaves PAM and sshd as they were. The file contents are those of the Ansible role ssh_otp_helper.
// User-data is readable on the instance: it holds no secret (the helper needs no token).

import { gzipSync } from 'node:zlib';
import { RequestError } from '../errors.js';
import {
  EC2_USER_DATA_LIMIT,
  renderRuncmdScript,
  renderWriteFile,
  resolveCloudConfigOptions,
  type CloudConfigOptions,
} from './cloud-config-parts.js';
import {
  otpHelperArgs,
  otpPamIncludeLine,
  renderOtpHelperConfig,
  renderOtpPamInclude,
  renderOtpSshdDropIn,
  type OtpHelper,
} from './otp-helper.js';

/** How the instance checks and reloads sshd: the same options as the certificate hosts' user-data. */
export type OtpCloudConfigOptions = CloudConfigOptions;

/** gzip level 9; the bytes may differ between zlib builds, what they inflate to never does. */
function writeGzip(path: string, content: Uint8Array, permissions: string): string {
  return [
    `  - path: ${path}`,
    '    owner: root:root',
    `    permissions: '${permissions}'`,
    '    encoding: gz+b64',
    `    content: ${gzipSync(content, { level: 9 }).toString('base64')}`,
  ].join('\n');
}

/** The runcmd script: check with the helper and sshd, then enable PAM and reload, or roll back. */
function checkAndEnable(otp: OtpHelper, sshd: string, reload: string): string {
  const { paths } = otp;
  const verify = [paths.helper, '-verify-only', ...otpHelperArgs(otp)].join(' ');
  const tmp = `${paths.pamService}.sshca-otp.tmp`;
  return [
    `if ! ${verify}; then`,
    `  rm -f ${paths.dropIn}`,
    `  echo 'vault-ssh-ca: ${paths.helper} -verify-only failed: the backend did not answer; PAM and sshd left unchanged' >&2`,
    '  exit 1',
    'fi',
    `has() { printf '%s\\n' "$effective" | grep -qxE "$1"; }`,
    `if ${sshd} -t && effective=$(${sshd} -T) && has 'usepam yes' && has 'kbdinteractiveauthentication yes' &&`,
    "  has 'pubkeyauthentication yes' && has 'passwordauthentication no' &&",
    "  has 'authenticationmethods (any|.*keyboard-interactive.*)'; then",
    `  line='${otpPamIncludeLine(otp)}'`,
    `  if ! grep -qxF "$line" ${paths.pamService}; then`,
    // Before the first auth line, as the role's lineinfile does; at the end if there is none.
    `    awk -v line="$line" '!done && /^[ \\t]*(@include[ \\t]+common-auth|-?auth[ \\t])/ { print line; done = 1 } { print } END { if (!done) print line }' \\`,
    `      ${paths.pamService} > ${tmp} && chmod 0644 ${tmp} && mv -f ${tmp} ${paths.pamService} || exit 1`,
    '  fi',
    `  ${reload}`,
    'else',
    `  rm -f ${paths.dropIn}`,
    `  echo 'vault-ssh-ca: sshd refused the OTP drop-in, or it is not in effect (sshd -t, sshd -T); PAM and sshd left unchanged' >&2`,
    '  exit 1',
    'fi',
    '',
  ].join('\n');
}

/**
 * `#cloud-config` user-data for OTP hosts, given the helper's bytes (the file the Ansible role ships).
 * Throws when it would exceed EC2's 16 KB.
 */
export function renderOtpCloudConfig(otp: OtpHelper, helper: Uint8Array, options: OtpCloudConfigOptions = {}): string {
  const { sshd, reload } = resolveCloudConfigOptions(options);
  const text = [
    '#cloud-config',
    `# vault-ssh-ca: one-time-password SSH logins checked by ${otp.vaultAddr} (mount ${otp.mount}). No secret: user-data is readable on the instance.`,
    'write_files:',
    writeGzip(otp.paths.helper, helper, '0755'),
    renderWriteFile(otp.paths.config, renderOtpHelperConfig(otp)),
    ...(otp.caCert !== '' ? [renderWriteFile(otp.paths.caCert, otp.caCert)] : []),
    renderWriteFile(otp.paths.pamInclude, renderOtpPamInclude(otp)),
    // Deferred to the final stage, just before runcmd checks it: sshd never starts with it unchecked.
    renderWriteFile(otp.paths.dropIn, renderOtpSshdDropIn(otp), '0644', true),
    renderRuncmdScript(checkAndEnable(otp, sshd, reload)),
    '',
  ].join('\n');
  const size = Buffer.byteLength(text);
  if (size > EC2_USER_DATA_LIMIT) {
    throw new RequestError(
      `the OTP user-data is ${size} bytes, over EC2's limit of ${EC2_USER_DATA_LIMIT} bytes: leave out the CA bundle (ca_cert) or ship the helper another way (the Ansible role ssh_otp_helper)`,
    );
  }
  return text;
}
