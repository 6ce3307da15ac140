// `sshca operator rotate`: add a key term to the barrier (PUT sys/rotate, a token with sudo), as
// `vault operator rotate` does, and print the new term from GET sys/key-status. New writes use the
// new term; values written before stay readable under theirs.

import type { Command } from './command.js';
import { operatorFailure, renderTable, tokenClientFrom } from './operator-api.js';

export const ROTATE_HELP = `Usage: sshca operator rotate [--token TOKEN] [--address URL]

Rotate the barrier's encryption key (PUT /v1/sys/rotate): a new key term encrypts everything written
from now on; older terms stay in the keyring to read what they wrote. Prints the new term and when
it was installed (GET /v1/sys/key-status). Needs a token with sudo on sys/rotate (root). The unseal
key shares do not change.

  --token TOKEN   the token (default: VAULT_TOKEN or BAO_TOKEN, else ~/.vault-token)
  --address URL   the server (default: VAULT_ADDR or BAO_ADDR)

Example:
  sshca operator rotate
`;

export const operatorRotate: Command = {
  name: 'rotate',
  summary: "rotate the barrier's encryption key (token with sudo)",
  help: ROTATE_HELP,
  async run(argv) {
    const client = await tokenClientFrom(argv);
    try {
      await client.write('sys/rotate', {});
    } catch (e) {
      throw operatorFailure('Error rotating key', e);
    }
    let status: { term?: number; install_time?: string } | undefined;
    try {
      status = (await client.read<{ term?: number; install_time?: string }>('sys/key-status'))?.data;
    } catch (e) {
      throw operatorFailure('Error reading key status', e);
    }
    process.stdout.write(
      `Success! Rotated key\n\n${renderTable(
        [
          ['Key Term', String(status?.term ?? '')],
          ['Install Time', status?.install_time ?? ''],
        ],
        false,
      )}`,
    );
    return 0;
  },
};
