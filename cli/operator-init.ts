// `sshca operator init`: initialise a server started with `sshca serve --data-dir DIR --manual-init`
// (or any Vault or OpenBao) over HTTP, as `vault operator init` does: PUT sys/init, then print the
// unseal key shares and the initial root token, which the server keeps nowhere.

import { parseArgs } from 'node:util';
import { usageErrors } from './args.js';
import type { Command } from './command.js';
import { anonymousClient, bareBody, operatorFailure, parseCount } from './operator-api.js';

export const INIT_HELP = `Usage: sshca operator init [--key-shares N] [--key-threshold T] [--json] [--address URL]

Initialise a new server (PUT /v1/sys/init, no token needed): it makes the root key, splits it into N
unseal key shares of which any T open the seal, and answers them with the initial root token. They
are printed here once and kept nowhere else: hand each share to a different person.

  --key-shares N      how many unseal key shares (default 5)
  --key-threshold T   how many of them unseal (default 3)
  --json              print the server's JSON answer (keys, keys_base64, root_token)
  --address URL       the server (default: VAULT_ADDR or BAO_ADDR)

Examples:
  sshca serve --data-dir /var/lib/sshca --manual-init &
  export VAULT_ADDR=http://127.0.0.1:8200
  sshca operator init
  sshca operator init --key-shares 1 --key-threshold 1 --json   # one share, e.g. for a test
`;

/** What `vault operator init` tells the operator after the keys (in our words). */
function advice(shares: number, threshold: number): string {
  return `
The server is initialised with ${shares} unseal key share${shares === 1 ? '' : 's'}, of which ${threshold} unseal it. Give
each share to a different person and keep it safe: after every restart or seal, ${threshold} of them
must be entered ("sshca operator unseal") before the server answers anything else.

Neither the server nor its data directory keeps these shares or the root key: with fewer than
${threshold} of them the data stays sealed for good. Use the root token to set up auth methods and
policies, then revoke it.
`;
}

export const operatorInit: Command = {
  name: 'init',
  summary: 'initialise a new server: print the unseal key shares and the initial root token',
  help: INIT_HELP,
  async run(argv) {
    const { values } = usageErrors(() =>
      parseArgs({
        args: [...argv],
        strict: true,
        options: {
          'key-shares': { type: 'string' },
          'key-threshold': { type: 'string' },
          json: { type: 'boolean', default: false },
          address: { type: 'string' },
        },
      }),
    );
    const shares = parseCount(values['key-shares'], 'key-shares', 5);
    const threshold = parseCount(values['key-threshold'], 'key-threshold', 3);
    const client = anonymousClient(values.address);
    let body: string;
    try {
      const r = await client.call('PUT', 'sys/init', {
        anonymous: true,
        body: { secret_shares: shares, secret_threshold: threshold },
      });
      body = r?.body ?? '';
    } catch (e) {
      throw operatorFailure('Error initializing', e);
    }
    const answer = bareBody<{ keys?: string[]; keys_base64?: string[]; root_token?: string }>(body, 'sys/init');
    if (values.json) {
      process.stdout.write(`${JSON.stringify(answer, null, 2)}\n`);
      return 0;
    }
    const keys = answer.keys_base64 ?? answer.keys ?? [];
    const lines = keys.map((k, i) => `Unseal Key ${i + 1}: ${k}`);
    process.stdout.write(
      `${lines.join('\n')}\n\nInitial Root Token: ${answer.root_token ?? ''}\n${advice(keys.length, threshold)}`,
    );
    return 0;
  },
};
