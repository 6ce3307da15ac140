// `sshca operator seal`: seal a running server (PUT sys/seal, a token with sudo on sys/seal), as
// `vault operator seal` does. From then on it answers 503 "Vault is sealed" until it is unsealed again.

import type { Command } from './command.js';
import { operatorFailure, tokenClientFrom } from './operator-api.js';

export const SEAL_HELP = `Usage: sshca operator seal [--token TOKEN] [--address URL]

Seal the server now (PUT /v1/sys/seal): it forgets its keys and answers every request but sys/init,
sys/unseal, sys/seal-status and sys/health with 503 "Vault is sealed" until enough unseal key
shares are given again ("sshca operator unseal"). Needs a token with sudo on sys/seal (root).

  --token TOKEN   the token (default: VAULT_TOKEN or BAO_TOKEN, else ~/.vault-token)
  --address URL   the server (default: VAULT_ADDR or BAO_ADDR)

Example:
  VAULT_TOKEN=hvs.… sshca operator seal
`;

export const operatorSeal: Command = {
  name: 'seal',
  summary: 'seal the server now (token with sudo)',
  help: SEAL_HELP,
  async run(argv) {
    const client = await tokenClientFrom(argv);
    try {
      await client.write('sys/seal', {});
    } catch (e) {
      throw operatorFailure('Error sealing', e);
    }
    process.stdout.write('Success! Vault is sealed.\n');
    return 0;
  },
};
