// `sshca operator unseal`: give the server one unseal key share (PUT sys/unseal), as
// `vault operator unseal` does, and print the seal status; at the threshold the server opens. The
// share comes from the prompt (no echo), from standard input when that is no terminal, or from the
// command line, where it lands in the shell's history.

import { readSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { UsageError } from '../core/errors.js';
import { usageErrors } from './args.js';
import type { Command } from './command.js';
import { anonymousClient, bareBody, operatorFailure, renderSealStatus, type SealStatus } from './operator-api.js';
import { readSecret } from './prompt.js';

export const UNSEAL_HELP = `Usage: sshca operator unseal [KEY | -] [--reset] [--json] [--address URL]

Give the server one unseal key share (PUT /v1/sys/unseal, no token needed) and print the seal
status: "Unseal Progress 1/3" counts the shares given so far; at the threshold "Sealed false" and
the server answers again. Run it once per share, each by the person who holds it.

The share is asked for without echo when standard input is a terminal; otherwise it is read, one
line, from standard input (also with "-"). Prefer those: a KEY on the command line lands in the
shell's history and, while the command runs, in the process list.

  --reset         forget the shares given so far (progress back to 0) instead
  --json          print the server's JSON answer
  --address URL   the server (default: VAULT_ADDR or BAO_ADDR)

Examples:
  sshca operator unseal                     # Unseal Key (will be hidden):
  sshca operator unseal < /media/usb/share-2
  sshca operator unseal --reset
`;

/** One line from a standard input that is no terminal, read a byte at a time so that what follows stays for the next command. */
function readLineFromStdin(): string {
  const byte = Buffer.alloc(1);
  const bytes: number[] = [];
  for (;;) {
    let n: number;
    try {
      n = readSync(0, byte, 0, 1, null);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN') {
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
        continue;
      }
      if (code === 'EOF') break;
      throw e;
    }
    if (n === 0 || byte[0] === 0x0a) break;
    bytes.push(byte[0]!);
  }
  return Buffer.from(bytes).toString('utf8').trim();
}

/** The share: the argument, else the prompt on a terminal, else a line of standard input. */
async function readShare(arg: string | undefined): Promise<string> {
  if (arg !== undefined && arg !== '-') return arg.trim();
  if (arg === undefined && process.stdin.isTTY) {
    return (await readSecret('Unseal Key (will be hidden): ', 'run in a terminal')).trim();
  }
  return readLineFromStdin();
}

export const operatorUnseal: Command = {
  name: 'unseal',
  summary: 'give the server one unseal key share; print the seal status',
  help: UNSEAL_HELP,
  async run(argv) {
    const { values, positionals } = usageErrors(
      () =>
        parseArgs({
          args: [...argv],
          strict: true,
          allowPositionals: true,
          options: {
            reset: { type: 'boolean', default: false },
            json: { type: 'boolean', default: false },
            address: { type: 'string' },
          },
        }),
      1,
    );
    if (values.reset && positionals.length > 0) throw new UsageError('--reset takes no KEY');
    const client = anonymousClient(values.address);
    let body: { key: string } | { reset: true };
    if (values.reset) body = { reset: true };
    else {
      const key = await readShare(positionals[0]);
      if (key === '') {
        throw new UsageError('no unseal key: type it at the prompt, give it on standard input, or as the argument KEY');
      }
      body = { key };
    }
    let status: SealStatus;
    try {
      const r = await client.call('PUT', 'sys/unseal', { anonymous: true, body });
      status = bareBody<SealStatus>(r?.body, 'sys/unseal');
    } catch (e) {
      throw operatorFailure(values.reset ? 'Error resetting unseal process' : 'Error unsealing', e);
    }
    process.stdout.write(values.json ? `${JSON.stringify(status, null, 2)}\n` : renderSealStatus(status));
    return 0;
  },
};
