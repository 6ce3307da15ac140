// A folder for the README's "Audit" and "Access report" blocks (test/readme-audit.test.ts,
// test/readme-report.test.ts): the test server's file audit device writing vault_audit.log in it, and
// web1-auth.log holding one sshd login, a minute ago, with a certificate testuser had signed there.

import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { requestOk } from './user-cert.js';
import { mountSshCa, type TestServer } from './vault-server.js';

/** The login web1-auth.log holds. */
export interface AuditedLogin {
  /** The certificate's serial, in decimal. */
  readonly serial: string;
  /** When sshd accepted it, to the second. */
  readonly when: Date;
}

/**
 * Make `folder` and set up `server`: the file audit device, mount ssh-dev with role developer
 * (user ubuntu), policy ssh-access signing with it, userpass user testuser (password pw) holding that
 * policy; then sign `folder`/id.pub as testuser and write web1-auth.log with the login.
 */
export async function setUpAuditedLogin(server: TestServer, folder: string): Promise<AuditedLogin> {
  mkdirSync(folder, { recursive: true });
  const ok = (path: string, body: unknown, token?: string | null) => requestOk(server, 'POST', path, body, token);
  await ok('/v1/sys/audit/file', { type: 'file', options: { file_path: join(folder, 'vault_audit.log') } });
  await mountSshCa(server, 'ssh-dev', {
    developer: { key_type: 'ca', allow_user_certificates: true, allowed_users: 'ubuntu', default_user: 'ubuntu' },
  });
  await ok('/v1/sys/policies/acl/ssh-access', {
    policy: 'path "ssh-dev/sign/developer" { capabilities = ["update"] }',
  });
  await ok('/v1/sys/auth/userpass', { type: 'userpass' });
  await ok('/v1/auth/userpass/users/testuser', { password: 'pw', token_policies: 'ssh-access' });
  const token = (await ok('/v1/auth/userpass/login/testuser', { password: 'pw' }, null)).json.auth.client_token;
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', '', '-f', join(folder, 'id')]);
  const signed = await ok(
    '/v1/ssh-dev/sign/developer',
    { public_key: readFileSync(join(folder, 'id.pub'), 'utf8') },
    token,
  );
  const serial = BigInt(`0x${signed.json.data.serial_number}`).toString();
  // An auth.log line as sshd writes it, a minute ago (syslog: no year, read as UTC).
  const when = new Date(Math.floor(Date.now() / 1000) * 1000 - 60_000);
  const stamp = `${when.toUTCString().slice(8, 11)} ${String(when.getUTCDate()).padStart(2, ' ')} ${when.toISOString().slice(11, 19)}`;
  writeFileSync(
    join(folder, 'web1-auth.log'),
    `${stamp} web1 sshd[4242]: Accepted publickey for ubuntu from 10.0.0.7 port 50122 ssh2: ED25519-CERT SHA256:AbC ID developer (serial ${serial}) CA ED25519 SHA256:DeF\n`,
  );
  return { serial, when };
}
