// Certificate logins to real sshd hosts and the server's file audit log of the signing, for the
// `sshca audit` and `sshca report` end-to-end tests (test/e2e/audit.test.ts, test/e2e/report.test.ts).

import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { sshLogin } from './ssh-client.js';
import type { SshdHost } from './sshd.js';
import type { UserCertificate } from './user-cert.js';

/** Log in to `host` as `account` with `certificate`, expect success and wait for sshd's log of it. */
export async function logInWith(host: SshdHost, account: string, certificate: UserCertificate): Promise<void> {
  const from = host.log().length;
  const r = await sshLogin({
    host,
    user: account,
    identityFile: certificate.identityFile,
    certificateFile: certificate.certificateFile,
    command: 'true',
  });
  expect(r.code).toBe(0);
  await host.waitForLog(/Accepted publickey/, from);
}

/** The audit log's response entries to requests whose path matches `path`, in the log's order. */
export function auditResponses(auditLog: string, path: RegExp): any[] {
  return readFileSync(auditLog, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l))
    .filter((e) => e.type === 'response' && path.test(e.request.path));
}
