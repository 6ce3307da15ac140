// An OTP host for the end-to-end tests of the Ansible role ssh_otp_helper and of the OTP user-data:
// the embedded server with an ssh mount and one OTP role for the test account, and a real sshd under
// a PAM service of its own (OTP_TEST_PAM_SERVICE) whose config first Includes
// `<dir>/etc/ssh/sshd_config.d/*.conf`, then turns keyboard-interactive and PAM off (sshd keeps the
// first value it reads), so that only a drop-in written there can turn them on. A user certificate
// checks that certificate logins keep working. Also where such a host's OTP files go when they live
// under a scratch directory, and the role's variables for those paths.

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { generateKeyPair } from '../../server/ssh/generate-key-pair.js';
import { DEFAULT_OTP_HELPER_PATHS, type OtpHelperPaths } from '../../core/render/otp-helper.js';
import { sshLogin, type SshResult } from './ssh-client.js';
import { startSshdHosts, stopAll, type SshdHost } from './sshd.js';
import { ensureTestUser } from './test-user.js';
import { issueUserCertificate } from './user-cert.js';
import { startTestServer, type TestServer } from './vault-server.js';

/** The test sshd's PAM service before the role or the user-data: Debian's /etc/pam.d/sshd, shortened. */
export const OTP_TEST_PAM_SERVICE = [
  "# PAM service of the vault-ssh-ca OTP test sshd, like Debian's /etc/pam.d/sshd.",
  '# Standard Un*x authentication.',
  '@include common-auth',
  'account required pam_unix.so',
  'session required pam_unix.so',
  '',
].join('\n');

/** What to start. */
export interface OtpTestHostOptions {
  /** The sshd host's name. */
  readonly name: string;
  /** Its loopback address; the OTPs are issued for it. */
  readonly address: string;
  /** The ssh mount, with one OTP role `role` (default user: the test account, cidr_list 127.0.0.0/8). */
  readonly mount: string;
  readonly role: string;
}

/** A running OTP host and its backend. */
export interface OtpTestHost {
  readonly server: TestServer;
  /** The local account OTPs and the certificate log in as. */
  readonly account: string;
  readonly host: SshdHost;
  /** A fresh OTP for the host's address, checked to be for the account on port 22. */
  issueOtp(): Promise<string>;
  /** `id -un` over a certificate login. */
  certificateLogin(): Promise<SshResult>;
  /** Stop sshd (by its pid) and the server. */
  close(): Promise<void>;
}

/** Start the server and the sshd host of `o`, with scratch files in `dir`. */
export async function startOtpTestHost(dir: string, o: OtpTestHostOptions): Promise<OtpTestHost> {
  const account = await ensureTestUser();
  const server = await startTestServer();
  let host: SshdHost | undefined;
  try {
    expect((await server.request('POST', `/v1/sys/mounts/${o.mount}`, { type: 'ssh' })).status).toBe(204);
    const role = await server.request('POST', `/v1/${o.mount}/roles/${o.role}`, {
      key_type: 'otp',
      default_user: account,
      cidr_list: '127.0.0.0/8',
    });
    expect(role.status).toBe(204);
    const ca = generateKeyPair('ed25519', 0);
    mkdirSync(join(dir, 'etc/ssh/sshd_config.d'), { recursive: true, mode: 0o755 });
    [host] = await startSshdHosts([
      {
        name: o.name,
        address: o.address,
        trustedUserCaKeys: [ca.publicKey],
        principals: { [account]: ['otp-engineer'] },
        extraConfig: [
          `Include ${join(dir, 'etc/ssh/sshd_config.d')}/*.conf`,
          'KbdInteractiveAuthentication no',
          'UsePAM no',
        ],
        pam: { content: OTP_TEST_PAM_SERVICE },
      },
    ]);
    const sshd = host!;
    const cert = issueUserCertificate(dir, ca, ['otp-engineer']);
    return {
      server,
      account,
      host: sshd,
      async issueOtp() {
        const r = await server.request('POST', `/v1/${o.mount}/creds/${o.role}`, { ip: o.address });
        expect(r.status).toBe(200);
        expect(r.json.data).toMatchObject({ ip: o.address, key_type: 'otp', port: 22, username: account });
        return r.json.data.key as string;
      },
      certificateLogin: () =>
        sshLogin({
          host: sshd,
          user: account,
          identityFile: cert.identityFile,
          certificateFile: cert.certificateFile,
          command: 'id -un',
        }),
      async close() {
        await stopAll([sshd]);
        await server.close();
      },
    };
  } catch (e) {
    if (host) await stopAll([host]);
    await server.close();
    throw e;
  }
}

/** The default OTP paths (DEFAULT_OTP_HELPER_PATHS) moved under `root`, e.g. `<root>/etc/pam.d/sshd`. */
export function otpPathsUnder(root: string): OtpHelperPaths {
  const entries = Object.entries(DEFAULT_OTP_HELPER_PATHS).map(([key, path]) => [key, join(root, path)]);
  return Object.fromEntries(entries) as unknown as OtpHelperPaths;
}

/** The Ansible role ssh_otp_helper's path variables for `paths` (the CA bundle's goes with the bundle). */
export function otpPathVars(paths: OtpHelperPaths): Record<string, string> {
  return {
    ssh_otp_helper_path: paths.helper,
    ssh_otp_helper_config_path: paths.config,
    ssh_otp_helper_pam_service_path: paths.pamService,
    ssh_otp_helper_pam_include_path: paths.pamInclude,
    ssh_otp_helper_dropin_path: paths.dropIn,
  };
}
