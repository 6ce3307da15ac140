// `sshca operator status`: the seal status of a server (GET sys/seal-status, no token), printed and
// with exit codes as `vault status`: 0 unsealed, 2 sealed, 1 no answer or an error.

import { parseArgs } from 'node:util';
import { usageErrors } from './args.js';
import type { Command } from './command.js';
import {
  anonymousClient,
  fetchSealStatus,
  operatorFailure,
  renderSealStatus,
  type SealStatus,
} from './operator-api.js';

export const STATUS_HELP = `Usage: sshca operator status [--json] [--address URL]

Print whether the server is initialised and sealed, its shares and threshold, the unseal progress,
its version and storage type (GET /v1/sys/seal-status, no token needed). Exit code, as "vault status":
0 unsealed, 2 sealed (or not initialised), 1 no answer or an error.

  --json          print the server's JSON answer
  --address URL   the server (default: VAULT_ADDR or BAO_ADDR)

Examples:
  sshca operator status
  sshca operator status >/dev/null; [ $? -eq 2 ] && echo "sealed: run sshca operator unseal"
`;

export const operatorStatus: Command = {
  name: 'status',
  summary: 'print the seal status (exit 0 unsealed, 2 sealed)',
  help: STATUS_HELP,
  async run(argv) {
    const { values } = usageErrors(() =>
      parseArgs({
        args: [...argv],
        strict: true,
        options: { json: { type: 'boolean', default: false }, address: { type: 'string' } },
      }),
    );
    const client = anonymousClient(values.address);
    let status: SealStatus;
    try {
      status = await fetchSealStatus(client);
    } catch (e) {
      throw operatorFailure('Error checking seal status', e);
    }
    process.stdout.write(values.json ? `${JSON.stringify(status, null, 2)}\n` : renderSealStatus(status));
    return status.sealed ? 2 : 0;
  },
};
