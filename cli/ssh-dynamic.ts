// `sshca ssh --dynamic`: what `vault ssh -mode=dynamic` did, for a backend in the legacy dynamic-key
// mode (`sshca serve --legacy-dynamic-keys`, or Vault before 1.13). Find the destination among the
// ssh arguments, resolve its IP, ask the role for a dynamic key (the backend installs its public half
// in the account's authorized_keys through the host's admin account), run the system ssh with the
// private key from a private temporary file, and when ssh exits remove the file and revoke the lease,
// which removes the key from the host (unless --keep-key).

import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { revokeLease } from '../client/sys-api.js';
import { required } from './args.js';
import { authenticate } from './auth.js';
import { authOptionsOf, type LoginValues } from './login.js';
import { findCredentialRole, requestCredential } from './ssh-credential.js';
import { parseSshDestination } from './ssh-destination.js';
import { resolveIp, runSsh, sshHasTagOption } from './ssh-process.js';

const say = (line: string) => process.stderr.write(`sshca: ${line}\n`);

/** `sshca ssh --dynamic` with its parsed options and the ssh arguments (what follows `--`). */
export async function sshWithDynamicKey(
  values: LoginValues,
  sshArgs: readonly string[],
  keepKey: boolean,
): Promise<number> {
  const mount = required(values.mount, 'mount');
  const dest = parseSshDestination(sshArgs, { tagOption: await sshHasTagOption(sshArgs) });
  const ip = await resolveIp(dest.connectHost);
  const { client } = await authenticate(authOptionsOf(values));
  const role = values.role || (await findCredentialRole(client, mount, ip, 'dynamic'));
  const cred = await requestCredential(client, {
    kind: 'dynamic',
    mount,
    role,
    ip,
    ...(dest.user !== undefined ? { username: dest.user } : {}),
    userHint: 'user@host (or -l user) in the ssh arguments',
  });
  say(
    `dynamic key from ${mount}/creds/${role} installed for ${cred.username}@${cred.ip} (lease ${cred.leaseId}, ${cred.leaseDuration}s); ` +
      (keepKey
        ? 'it stays on the host until the lease ends (--keep-key)'
        : 'it is removed from the host when ssh exits'),
  );
  for (const w of cred.warnings) say(`warning: ${w}`);
  const dir = mkdtempSync(join(tmpdir(), 'sshca-dynamic-'));
  chmodSync(dir, 0o700);
  const keyFile = join(dir, 'id_rsa');
  const cleanUp = () => rmSync(dir, { recursive: true, force: true });
  process.on('exit', cleanUp);
  try {
    writeFileSync(keyFile, cred.key.endsWith('\n') ? cred.key : `${cred.key}\n`, { mode: 0o600 });
    // ssh keeps the first value it reads: the key and IdentitiesOnly come first; -p and -l only when
    // the user gave none (without a user: the account the key was installed for).
    const { code } = await runSsh([
      '-i',
      keyFile,
      '-o',
      'IdentitiesOnly=yes',
      ...(dest.port === undefined ? ['-p', String(cred.port)] : []),
      ...(dest.user === undefined ? ['-l', cred.username] : []),
      ...sshArgs,
    ]);
    return code;
  } finally {
    cleanUp();
    process.off('exit', cleanUp);
    if (!keepKey) {
      try {
        await revokeLease(client, cred.leaseId);
      } catch (e) {
        say(
          `could not revoke lease ${cred.leaseId} (${(e as Error).message.split('\n')[0]}): the key stays on the host until the backend removes it at the lease's end (${cred.leaseDuration}s at most; if the host is unreachable then too, the lease is kept and needs revoking again)`,
        );
      }
    }
  }
}
