// The local account that test logins use: created once (idempotently, safe when several vitest
// workers ask at the same time) with a home, /bin/sh, and an unlocked password field — sshd with
// `UsePAM no` refuses accounts whose password field is `!` ("account is locked").

import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Name of the test account. */
export const TEST_USER = 'sshca-test';

async function exists(): Promise<boolean> {
  try {
    await run('id', ['-u', TEST_USER]);
    return true;
  } catch {
    return false;
  }
}

/** Create the test account if needed and return its name. Needs root. */
export async function ensureTestUser(): Promise<string> {
  if (!(await exists())) {
    try {
      await run('useradd', ['--create-home', '--shell', '/bin/sh', TEST_USER]);
    } catch (e) {
      // Another worker may have created it in the meantime; anything else is a real failure.
      if (!(await exists())) throw new Error(`cannot create the test account ${TEST_USER}: ${(e as Error).message}`);
    }
  }
  await run('usermod', ['-p', '*', TEST_USER]);
  return TEST_USER;
}
