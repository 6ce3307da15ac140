// The SSH_ASKPASS program through which `sshca ssh --otp` types a one-time password into the system
// ssh, so that the OTP never appears on any command line.
//
// Why a file, and why this one: argv of every process is world-readable (/proc/<pid>/cmdline, ps),
// so the OTP cannot be an argument of ssh or of the askpass program. The environment is readable by
// the same user only, but ssh hands it on to everything it starts (ProxyCommand, LocalCommand, and to
// the remote side through SendEnv) and `ps e` prints it. An inherited fd does not reach the askpass
// program: ssh closes every fd above 2 when it starts (closefrom). A FIFO would leave the writer
// blocked whenever ssh never asks (unknown host key, connection refused). So: a 0600 file in a fresh
// 0700 directory (under TMPDIR), readable only by this user like ~/.vault-token itself, which the
// askpass script moves aside and removes as it reads it (so it is typed at most once), and the whole
// directory is removed when ssh exits.

import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * ssh runs SSH_ASKPASS for every prompt when SSH_ASKPASS_REQUIRE=force, with the prompt as its only
 * argument. A password prompt ("(user@host) Password: " from PAM through keyboard-interactive, or
 * "user@host's password: ") gets the OTP once; any other prompt, such as a new host key's yes/no,
 * is put to the terminal, and refused when there is none.
 */
export const ASKPASS_SCRIPT = `#!/bin/sh
# Written by sshca ssh --otp for one ssh run, and removed with it.
otp="\${0%/*}/otp"
case "$1" in
  *[Pp]assword*)
    mv "$otp" "$otp.typed" 2>/dev/null || exit 1
    cat "$otp.typed"
    rm -f "$otp.typed"
    ;;
  *)
    (true </dev/tty) 2>/dev/null || exit 1
    printf '%s' "$1" >/dev/tty
    IFS= read -r answer </dev/tty || exit 1
    printf '%s\\n' "$answer"
    ;;
esac
`;

/** An askpass program holding one OTP. */
export interface OtpAskpass {
  /** The private directory holding the script and the OTP file. */
  readonly dir: string;
  /** What to add to ssh's environment. */
  readonly env: { readonly SSH_ASKPASS: string; readonly SSH_ASKPASS_REQUIRE: 'force' };
  /** Whether ssh has asked for the password (the OTP has left its file). */
  typed(): boolean;
  /** Remove the directory and everything in it. Idempotent. */
  remove(): void;
}

/** Write the askpass script and the OTP (0600) into a new 0700 directory under `parent`. */
export function writeOtpAskpass(otp: string, parent: string = tmpdir()): OtpAskpass {
  const dir = mkdtempSync(join(parent, 'sshca-otp-'));
  chmodSync(dir, 0o700);
  const otpFile = join(dir, 'otp');
  // 'wx': a new file only; the umask can only narrow 0600.
  writeFileSync(otpFile, otp, { mode: 0o600, flag: 'wx' });
  const program = join(dir, 'askpass');
  writeFileSync(program, ASKPASS_SCRIPT, { mode: 0o700, flag: 'wx' });
  chmodSync(program, 0o700); // a umask such as 0177 would have taken the x bit
  let removed = false;
  return {
    dir,
    env: { SSH_ASKPASS: program, SSH_ASKPASS_REQUIRE: 'force' },
    typed: () => !existsSync(otpFile),
    remove() {
      if (removed) return;
      removed = true;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
