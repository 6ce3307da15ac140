// `sshca creds`: ask an OTP role for a one-time password for one account on one host, and print it
// (the OTP, user, ip, port, lease id and expiry; --json for scripts). Authentication is the same as
// for `sshca login` (token, ~/.vault-token, userpass, a CI job's JWT).

import { parseArgs } from 'node:util';
import { formatGoDuration } from '../core/duration.js';
import { UsageError } from '../core/errors.js';
import { normaliseMount, required, usageErrors } from './args.js';
import { authenticate } from './auth.js';
import type { Command } from './command.js';
import { LOGIN_OPTIONS, LOGIN_OPTIONS_HELP, authOptionsOf } from './login.js';
import { requestCredential } from './ssh-credential.js';

/** The authentication options of `sshca login` (the certificate ones do not apply here). */
const AUTH_FLAGS = [
  'address',
  'token',
  'method',
  'username',
  'password-env',
  'jwt-env',
  'jwt-file',
  'jwt-role',
  'role-id',
  'role-id-file',
  'secret-id-env',
  'secret-id-file',
  'secret-id-wrapped',
  'auth-mount',
] as const;

const CREDS_OPTIONS = {
  mount: LOGIN_OPTIONS.mount,
  role: LOGIN_OPTIONS.role,
  address: LOGIN_OPTIONS.address,
  token: LOGIN_OPTIONS.token,
  method: LOGIN_OPTIONS.method,
  username: LOGIN_OPTIONS.username,
  'password-env': LOGIN_OPTIONS['password-env'],
  'auth-mount': LOGIN_OPTIONS['auth-mount'],
  'jwt-env': LOGIN_OPTIONS['jwt-env'],
  'jwt-file': LOGIN_OPTIONS['jwt-file'],
  'jwt-role': LOGIN_OPTIONS['jwt-role'],
  'role-id': LOGIN_OPTIONS['role-id'],
  'role-id-file': LOGIN_OPTIONS['role-id-file'],
  'secret-id-env': LOGIN_OPTIONS['secret-id-env'],
  'secret-id-file': LOGIN_OPTIONS['secret-id-file'],
  'secret-id-wrapped': LOGIN_OPTIONS['secret-id-wrapped'],
  ip: { type: 'string' },
  user: { type: 'string' },
  json: { type: 'boolean' },
} as const;

/** The entries of LOGIN_OPTIONS_HELP for `flags`, each with its continuation lines. */
function helpFor(flags: readonly string[]): string {
  const entries = LOGIN_OPTIONS_HELP.split(/\n(?= {2}--)/);
  return entries.filter((e) => flags.some((f) => e.startsWith(`  --${f} `))).join('\n');
}

const HELP = `Usage: sshca creds --mount MOUNT --role ROLE --ip IP [--user ACCOUNT] [options]

Ask an OTP role (key_type otp) for a one-time password that logs ACCOUNT in to the host at IP once,
through the host's PAM helper (vault-ssh-helper or the one this project ships in
ansible/roles/ssh_otp_helper). Prints the password with its user, ip, port, lease id and expiry.
It is spent by its first use, and expires unused at the end of its lease (revoke it earlier with
sys/leases/revoke and the lease id). "sshca ssh --otp" does all of this and types it for you.

Options:
  --mount MOUNT          SSH secrets engine mount, e.g. ssh-otp
  --role ROLE            the OTP role, e.g. otp
  --ip IP                the host's IP address as the host itself sees it (the helper accepts
                         only its own addresses, or its allowed_cidr_list behind NAT)
  --user ACCOUNT         the account on the host (default: the role's default_user)
${helpFor(AUTH_FLAGS)}
  --json                 print the credential as JSON (mount, role, key, key_type, username, ip,
                         port, lease_id, lease_duration, expires_at)
  -h, --help             show this help

Exit codes: 0 issued, 1 refused (role, user, ip or policy: the message says which, with the
backend's own words), 2 bad command line, 3 authentication failed.

Examples:
  sshca creds --mount ssh-otp --role otp --ip 10.0.1.5
  sshca creds --mount ssh-otp --role otp --ip 10.0.1.5 --user ubuntu --json
  SSHCA_PASSWORD=… sshca creds --method userpass --username alice --mount ssh-otp --role otp --ip 10.0.1.5
  OTP=$(sshca creds --mount ssh-otp --role otp --ip 10.0.1.5 --json | jq -r .key)
  sshca creds --method jwt --jwt-role dev-ci --jwt-env SSHCA_JWT --mount ssh-otp --role otp --ip 10.0.1.5
`;

export const credsCommand: Command = {
  name: 'creds',
  summary: 'get a one-time SSH password from an OTP role',
  help: HELP,
  async run(argv) {
    const { values } = usageErrors(() => parseArgs({ args: [...argv], strict: true, options: CREDS_OPTIONS }));
    const mount = required(normaliseMount(values.mount), 'mount');
    const role = required(values.role, 'role');
    const ip = required(values.ip, 'ip');
    // --username is the userpass login everywhere in sshca; the account on the host is --user.
    if (values.username !== undefined && values.method !== 'userpass') {
      throw new UsageError(
        '--username names the userpass user (with --method userpass); name the account on the host with --user',
      );
    }
    const { client } = await authenticate(authOptionsOf(values));
    const cred = await requestCredential(client, {
      kind: 'otp',
      mount,
      role,
      ip,
      ...(values.user !== undefined && values.user !== '' ? { username: values.user } : {}),
    });
    const now = Math.floor(Date.now() / 1000);
    const expiresAt = new Date((now + cred.leaseDuration) * 1000).toISOString().replace('.000Z', 'Z');
    if (values.json) {
      process.stdout.write(
        `${JSON.stringify({
          mount,
          role,
          key: cred.key,
          key_type: cred.keyType,
          username: cred.username,
          ip: cred.ip,
          port: cred.port,
          lease_id: cred.leaseId,
          lease_duration: cred.leaseDuration,
          expires_at: expiresAt,
        })}\n`,
      );
      return 0;
    }
    process.stdout.write(
      [
        `otp       ${cred.key}`,
        `user      ${cred.username}`,
        `ip        ${cred.ip}`,
        `port      ${cred.port}`,
        `lease id  ${cred.leaseId}`,
        `expires   ${expiresAt} (in ${formatGoDuration(cred.leaseDuration)}), or at its first use`,
        `Type it once as the password of: ssh -p ${cred.port} ${cred.username}@${cred.ip}`,
        '',
      ].join('\n'),
    );
    return 0;
  },
};
