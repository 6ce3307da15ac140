// The local account that test logins use: created once with a home and /bin/sh, and with an
// unlocked password field, because sshd with `UsePAM no` refuses an account whose password field is
// `!` ("account is locked"). Several vitest workers may ask at the same time: useradd and usermod
// then fail on the /etc/passwd lock or on "already exists", so every step is retried.

import { execFile } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Name of the test account. */
export const TEST_USER = 'sshca-test';

const ATTEMPTS = 20;

async function succeeds(file: string, args: string[]): Promise<boolean> {
  try {
    await run(file, args);
    return true;
  } catch {
    return false;
  }
}

/** Repeat `step` until `done` holds, pausing between attempts; fail with the last error. */
async function retry(what: string, done: () => Promise<boolean>, step: () => Promise<unknown>): Promise<void> {
  let last: unknown;
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    if (await done()) return;
    try {
      await step();
    } catch (e) {
      last = e;
      await sleep(50 + Math.floor(Math.random() * 100));
    }
  }
  if (await done()) return;
  const detail =
    last === undefined ? 'it reported success but did not take effect' : (last as { stderr?: string }).stderr || last;
  throw new Error(`cannot ${what} for the test account ${TEST_USER}: ${detail}`);
}

/**
 * Create the test account if it is missing, unlock its password field, and return its name.
 * Idempotent and safe to call from several processes at once. Needs root.
 */
export async function ensureTestUser(): Promise<string> {
  if (process.getuid?.() !== 0) throw new Error(`creating the test account ${TEST_USER} needs root`);
  await retry(
    'run useradd',
    () => succeeds('id', ['-u', TEST_USER]),
    () => run('useradd', ['--create-home', '--shell', '/bin/sh', TEST_USER]),
  );
  await retry(
    "set the password field to '*'",
    async () => (await run('getent', ['shadow', TEST_USER])).stdout.split(':')[1] === '*',
    () => run('usermod', ['-p', '*', TEST_USER]),
  );
  return TEST_USER;
}
