// `sshca ssh --otp`: what `vault ssh -mode=otp` does. Find the destination among the ssh arguments,
// resolve its IP, get a one-time password for that IP and account (finding the role through
// `lookup` when none is named), and run the system ssh, which gets the OTP from an SSH_ASKPASS
// program (see askpass.ts: never on a command line) and asks for no other kind of authentication.

import { UsageError } from '../core/errors.js';
import { required } from './args.js';
import { writeOtpAskpass } from './askpass.js';
import { authenticate } from './auth.js';
import { authOptionsOf, type LoginValues } from './login.js';
import { findCredentialRole, requestCredential } from './ssh-credential.js';
import { resolveIp, runSsh, sshHasTagOption } from './ssh-process.js';
import { parseSshDestination } from './ssh-destination.js';

/** `sshca ssh --otp` with its parsed options and the ssh arguments (what follows `--`). */
export async function sshWithOtp(values: LoginValues, sshArgs: readonly string[]): Promise<number> {
  const mount = required(values.mount, 'mount');
  const dest = parseSshDestination(sshArgs, { tagOption: await sshHasTagOption(sshArgs) });
  if (dest.options.batchmode?.toLowerCase() === 'yes') {
    throw new UsageError('-o BatchMode=yes turns off the password prompt that --otp answers: leave it out');
  }
  const ip = await resolveIp(dest.connectHost);
  const { client } = await authenticate(authOptionsOf(values));
  const role = values.role || (await findCredentialRole(client, mount, ip, 'otp'));
  const cred = await requestCredential(client, {
    kind: 'otp',
    mount,
    role,
    ip,
    ...(dest.user !== undefined ? { username: dest.user } : {}),
    userHint: 'user@host (or -l user) in the ssh arguments',
  });
  process.stderr.write(
    `sshca: one-time password from ${mount}/creds/${role} for ${cred.username}@${cred.ip} (lease ${cred.leaseId})\n`,
  );
  const askpass = writeOtpAskpass(cred.key);
  const removeAtExit = () => askpass.remove();
  process.on('exit', removeAtExit);
  try {
    // ssh keeps the first value it reads, so these come before the user's own arguments; -p and -l
    // only when the user gave none (without a user: the role's default user, as the OTP is for it).
    // ssh resolves the destination itself, so known_hosts and @cert-authority patterns match the
    // name as usual; a name with several addresses may reach one the OTP is not for (refused).
    const { code, signalled } = await runSsh(
      [
        '-o',
        'PreferredAuthentications=keyboard-interactive,password',
        '-o',
        'NumberOfPasswordPrompts=1',
        ...(dest.port === undefined ? ['-p', String(cred.port)] : []),
        ...(dest.user === undefined ? ['-l', cred.username] : []),
        ...sshArgs,
      ],
      askpass.env,
    );
    if (code === 255 && askpass.typed() && !signalled) {
      process.stderr.write(
        'sshca: ssh failed after the one-time password was typed (the host refused it, or the connection broke); ' +
          'an OTP works once: run the command again for a new one\n',
      );
    }
    return code;
  } finally {
    askpass.remove();
    process.off('exit', removeAtExit);
  }
}
