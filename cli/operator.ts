// `sshca operator`: Vault's operator commands against a running server (init, unseal, seal, status,
// rotate), so that a reader of Vault's guides can do every step without the vault binary, and
// `migrate` for a data directory. Each subcommand lives in its own file (cli/operator-*.ts); this
// one only assembles their help and dispatches.

import { UsageError } from '../core/errors.js';
import type { Command } from './command.js';
import { INIT_HELP, operatorInit } from './operator-init.js';
import { MIGRATE_HELP, operatorMigrate } from './operator-migrate.js';
import { ROTATE_HELP, operatorRotate } from './operator-rotate.js';
import { SEAL_HELP, operatorSeal } from './operator-seal.js';
import { STATUS_HELP, operatorStatus } from './operator-status.js';
import { UNSEAL_HELP, operatorUnseal } from './operator-unseal.js';

const SUBCOMMANDS: readonly Command[] = [
  operatorInit,
  operatorUnseal,
  operatorStatus,
  operatorSeal,
  operatorRotate,
  operatorMigrate,
];

const names = SUBCOMMANDS.map((s) => s.name);
const width = Math.max(...names.map((n) => n.length));

const HELP = `Usage: sshca operator <subcommand> [options]

Vault's "vault operator" steps for a server behind the seal, such as
"sshca serve --data-dir DIR --manual-init" (they work against Vault and OpenBao too), over HTTP at
--address or VAULT_ADDR / BAO_ADDR:

${SUBCOMMANDS.map((s) => `  ${s.name.padEnd(width)}  ${s.summary}`).join('\n')}

The first start of a new server, as Vault's guides do it with "vault operator init" and
"vault operator unseal":

  sshca serve --data-dir /var/lib/sshca --manual-init &
  export VAULT_ADDR=http://127.0.0.1:8200
  sshca operator init          # 5 unseal key shares and the root token, printed once
  sshca operator unseal        # three times, three different shares (asked without echo)
  sshca operator status        # exit 0 unsealed, 2 sealed

Options of every subcommand:
  -h, --help   show this help

${[INIT_HELP, UNSEAL_HELP, STATUS_HELP, SEAL_HELP, ROTATE_HELP, MIGRATE_HELP].join('\n')}`;

export const operatorCommand: Command = {
  name: 'operator',
  summary: 'init, unseal, seal, status, rotate a server behind the seal; migrate a data directory',
  help: HELP,
  async run(argv) {
    const [sub, ...rest] = argv;
    const subcommand = SUBCOMMANDS.find((s) => s.name === sub);
    if (!subcommand) {
      throw new UsageError(
        sub === undefined
          ? `missing subcommand: one of ${names.join(', ')}`
          : `unknown subcommand ${JSON.stringify(sub)}: one of ${names.join(', ')}`,
      );
    }
    return subcommand.run(rest);
  },
};
