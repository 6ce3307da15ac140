// `sshca ssh`: log in only when no valid certificate is at hand (or too little of its life is
// left), then run the system ssh with that key and certificate; with --otp, a one-time password
// typed through SSH_ASKPASS instead (ssh-otp.ts); with --dynamic, a key the backend installed on the
// host in the legacy dynamic-key mode (ssh-dynamic.ts).

import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import { UsageError } from '../core/errors.js';
import { normaliseMount, required, usageErrors } from './args.js';
import { defaultIdentityFile, existingCertificate } from './certificate-session.js';
import type { Command } from './command.js';
import { LOGIN_OPTIONS, LOGIN_OPTIONS_HELP, describeCertificate, loginWith } from './login.js';
import { sshWithDynamicKey } from './ssh-dynamic.js';
import { sshWithOtp } from './ssh-otp.js';

const HELP = `Usage: sshca ssh --mount MOUNT --role ROLE [options] -- [ssh options] [user@]host [command]
       sshca ssh --otp --mount MOUNT [--role ROLE] [auth options] -- [ssh options] [user@]host [command]
       sshca ssh --dynamic --mount MOUNT [--role ROLE] [--keep-key] [auth options] -- [ssh options] [user@]host [command]

Connect with a certificate, logging in first only when needed: when there is no certificate for the
key yet, it has expired, or less than --renew-at of its lifetime is left. Everything after "--" goes
to the system ssh, which gets -i <key> and -o CertificateFile=<key>-cert.pub.

With --otp, connect with a one-time password instead, as "vault ssh -mode=otp" does, to a host whose
PAM runs the OTP helper: the destination is read from the ssh arguments (user@host, -l user,
-p port, -o User=/Port=/HostName=, ssh://user@host:port), its name resolved to the IP the password
is issued for, and ssh types the password itself through SSH_ASKPASS (SSH_ASKPASS_REQUIRE=force;
no sshpass). The password never appears on a command line: it waits in a 0600 file of a private
temporary directory (under TMPDIR, which must allow running a script), is removed as ssh reads it,
and the directory when ssh exits. ssh gets -o PreferredAuthentications=keyboard-interactive,password
-o NumberOfPasswordPrompts=1, and the role's port (-p) and default user (-l) unless you give them.
Without --role, the mount's lookup finds the one role for the IP. A new host key's yes/no question
is asked on the terminal. Each password works once: run the command again for the next login.
User, port and host name are read from the command line only, not from ~/.ssh/config: give the
real host name or IP (a Host alias of ssh_config cannot be resolved) and -l/-p when they matter.

With --dynamic, connect with a dynamic key, as "vault ssh -mode=dynamic" did: only for a backend in
the legacy dynamic-key mode (sshca serve --legacy-dynamic-keys; Vault removed the mode in 1.13). The
destination and role are found as with --otp; the backend generates a key pair, installs the public
key in the account's authorized_keys through the host's admin account, and answers the private key,
which waits in a 0600 file of a private temporary directory while ssh runs (-i, IdentitiesOnly=yes).
When ssh exits the file is removed and the lease revoked, which removes the key from the host; with
--keep-key the key stays until its lease ends. Certificates need none of this: see the README's
"Dynamic keys (legacy)" section for moving off it.

Options:
${LOGIN_OPTIONS_HELP}
  --renew-at FRACTION    renew when less than this share of the lifetime is left (default 0.2)
  --otp                  log in with a one-time password from an OTP role (--principals, --ttl,
                         --key and --renew-at do not apply)
  --dynamic              log in with a dynamic key from a dynamic-key role (legacy mode; as --otp,
                         the certificate options do not apply)
  --keep-key             with --dynamic: leave the key on the host until its lease ends
  -h, --help             show this help

Exit codes: ssh's own; 1 when the certificate or password was refused by the backend, 2 bad command
line, 3 authentication failed; 255 (from ssh) when the host refused the login.

Examples:
  sshca ssh --mount ssh-dev --role developer --principals ubuntu -- ubuntu@10.0.1.5
  sshca ssh --mount ssh-prod --role emergency --method userpass --username alice -- -p 2222 root@db1 uptime
  sshca ssh --otp --mount ssh-otp --role otp -- ubuntu@10.0.1.5
  sshca ssh --otp --mount ssh-otp -- -l ubuntu web1.internal uptime
  sshca ssh --otp --mount ssh-otp --role otp -- ssh://ubuntu@10.0.1.5:2222
  sshca ssh --dynamic --mount ssh-legacy --role dynamic_key_role -- ubuntu@10.0.1.5
  SSHCA_PASSWORD=… sshca ssh --otp --method userpass --username alice --mount ssh-otp --role otp -- ubuntu@10.0.1.5
`;

export const sshCommand: Command = {
  name: 'ssh',
  summary: 'ssh with a certificate, logging in first when needed',
  help: HELP,
  async run(argv) {
    const { values, positionals } = usageErrors(
      () =>
        parseArgs({
          args: [...argv],
          strict: true,
          allowPositionals: true,
          options: {
            ...LOGIN_OPTIONS,
            'renew-at': { type: 'string' },
            otp: { type: 'boolean' },
            dynamic: { type: 'boolean' },
            'keep-key': { type: 'boolean' },
          },
        }),
      Number.MAX_SAFE_INTEGER,
    );
    if (positionals.length === 0) throw new UsageError('give the ssh destination after "--", e.g. -- ubuntu@host');
    const mount = normaliseMount(values.mount);
    if (mount !== undefined) values.mount = mount;
    if (values.otp && values.dynamic) throw new UsageError('give one of --otp and --dynamic');
    if (values['keep-key'] && !values.dynamic) throw new UsageError('--keep-key goes with --dynamic');
    if (values.otp || values.dynamic) {
      const mode = values.otp ? '--otp' : '--dynamic';
      const certOnly = (['principals', 'ttl', 'key', 'renew-at'] as const).filter((f) => values[f] !== undefined);
      if (certOnly.length > 0) {
        throw new UsageError(`--${certOnly[0]} is for certificates and does not apply with ${mode}`);
      }
      return values.otp
        ? sshWithOtp(values, positionals)
        : sshWithDynamicKey(values, positionals, values['keep-key'] === true);
    }
    const share = Number(values['renew-at'] ?? '0.2');
    if (!(share >= 0 && share < 1)) throw new UsageError('--renew-at must be a fraction between 0 and 1');
    const identityFile =
      values.key ?? defaultIdentityFile(required(values.mount, 'mount'), required(values.role, 'role'));
    const now = Math.floor(Date.now() / 1000);
    const current = existingCertificate(identityFile);
    const wanted =
      values.principals
        ?.split(',')
        .map((p) => p.trim())
        .filter(Boolean) ?? [];
    const life = current ? Number(current.validBefore - current.validAfter) : 0;
    const fresh =
      current !== undefined &&
      Number(current.validBefore) - now > share * life &&
      wanted.every((p) => current.principals.includes(p));
    if (!fresh) {
      const issued = await loginWith(values);
      process.stderr.write(`sshca: new certificate: ${describeCertificate(issued.certificate, now)}\n`);
    }
    const child = spawn('ssh', ['-i', identityFile, '-o', `CertificateFile=${identityFile}-cert.pub`, ...positionals], {
      stdio: 'inherit',
    });
    return new Promise<number>((resolve) => {
      child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
      child.on('error', () => resolve(127));
    });
  },
};
