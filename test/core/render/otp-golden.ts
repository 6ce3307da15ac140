// The shared OTP-host goldens: inputs in test/golden/otp-helper/specs.json, expected files beside
// them. The TypeScript renderers and the Ansible role ssh_otp_helper are both checked against these
// bytes. In user-data.yaml the helper's gzip+base64 line is a placeholder: zlib builds may compress
// differently (and the helper changes on its own); what the line inflates to is checked instead.

import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { OtpHelperSpec } from '../../../core/render/otp-helper.js';

export const OTP_GOLDEN_DIR = resolve(import.meta.dirname, '../../golden/otp-helper');

/** The golden specs by name. */
export const OTP_GOLDEN_SPECS: Readonly<Record<'tls' | 'dev', OtpHelperSpec>> = JSON.parse(
  readFileSync(join(OTP_GOLDEN_DIR, 'specs.json'), 'utf8'),
);

/** The golden file names, the same for every spec. */
export const OTP_GOLDEN_FILES = {
  config: 'config.hcl',
  pamInclude: 'sshca-otp',
  dropIn: '20-sshca-otp.conf',
  userData: 'user-data.yaml',
} as const;

/** A golden file of a spec, e.g. `otpGolden('tls', 'config.hcl')`. */
export const otpGolden = (spec: string, file: string): string => readFileSync(join(OTP_GOLDEN_DIR, spec, file), 'utf8');

/** What stands for the helper's content line in the user-data goldens. */
export const HELPER_PLACEHOLDER = 'content: <gzip+base64 of ansible/roles/ssh_otp_helper/files/vault-ssh-helper>';

/** User-data with the helper's content line replaced by the placeholder, and the bytes that line held. */
export function splitHelper(userData: string): { text: string; helper: Buffer } {
  const m = /^ {4}encoding: gz\+b64\n {4}content: ([A-Za-z0-9+/=]+)$/m.exec(userData);
  if (!m) throw new Error('no gz+b64 write_files entry in the user-data');
  return {
    text: userData.replace(`content: ${m[1]}`, HELPER_PLACEHOLDER),
    helper: gunzipSync(Buffer.from(m[1]!, 'base64')),
  };
}
