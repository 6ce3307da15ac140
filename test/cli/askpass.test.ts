// The SSH_ASKPASS program of `sshca ssh --otp`, run as ssh runs it (the prompt as its only argument,
// no terminal): a private directory and a 0600 OTP file, the OTP typed for a password prompt once,
// nothing for any other prompt, and nothing left after remove().

import { execFile } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeOtpAskpass } from '../../cli/askpass.js';
import { makeScratchDir, removeScratchDir } from '../helpers/scratch.js';

const OTP = '2f7e25a2-24c9-4b7b-0d35-27d5e5203a5c';
let scratch: string;

beforeAll(() => (scratch = makeScratchDir('askpass')));
afterAll(() => removeScratchDir(scratch));

/** Run the askpass program with `prompt`, detached from any terminal, as ssh does with no tty. */
const ask = (program: string, prompt: string) =>
  new Promise<{ code: number; stdout: string }>((done) => {
    execFile(program, [prompt], { encoding: 'utf8', detached: true } as never, (error, stdout) =>
      done({ code: error ? Number((error as { code?: number }).code) : 0, stdout: String(stdout) }),
    );
  });

describe('writeOtpAskpass', () => {
  it('keeps the OTP in a 0600 file of a 0700 directory and types it for one password prompt only', async () => {
    const a = writeOtpAskpass(OTP, scratch);
    expect(statSync(a.dir).mode & 0o777).toBe(0o700);
    expect(statSync(join(a.dir, 'otp')).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(a.dir, 'otp'), 'utf8')).toBe(OTP);
    expect(a.env).toEqual({ SSH_ASKPASS: join(a.dir, 'askpass'), SSH_ASKPASS_REQUIRE: 'force' });
    expect(a.typed()).toBe(false);

    // A host key question with no terminal: refused, and the OTP stays for the password prompt.
    expect(
      await ask(a.env.SSH_ASKPASS, 'Are you sure you want to continue connecting (yes/no/[fingerprint])? '),
    ).toEqual({
      code: 1,
      stdout: '',
    });
    expect(a.typed()).toBe(false);

    expect(await ask(a.env.SSH_ASKPASS, '(sshca-test@127.0.0.2) Password: ')).toEqual({ code: 0, stdout: OTP });
    expect(a.typed()).toBe(true);
    expect(await ask(a.env.SSH_ASKPASS, "sshca-test@127.0.0.2's password: ")).toEqual({ code: 1, stdout: '' });

    a.remove();
    expect(existsSync(a.dir)).toBe(false);
    a.remove(); // idempotent
  });
});
