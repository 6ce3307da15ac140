// `sshca operator migrate`: encrypt, in place, a data directory that an earlier sshca wrote
// unencrypted, so that `sshca serve --data-dir` opens it behind the barrier (issue 22).

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { RequestError } from '../core/errors.js';
import { migrateDataDir } from '../server/barrier/migrate.js';
import { required, usageErrors } from './args.js';
import type { Command } from './command.js';
import { writeFileAtomic } from './files.js';

export const MIGRATE_HELP = `Usage: sshca operator migrate --data-dir DIR

Encrypt a data directory written by an sshca from before the barrier (plain files under DIR/storage,
the CA private keys among them) so that "sshca serve --data-dir DIR" opens it. Stop every server
using DIR first: this command cannot tell whether one still runs.

It keeps every entry (mounts, CA keys, roles, policies, tokens, users, leases) and re-writes each one
encrypted with AES-256-GCM under a new keyring, one atomic write at a time. The keyring is sealed
with a new unseal key of one share, kept in DIR/unseal-key (0600), from which "sshca serve" unseals
itself at every start; DIR/root-token stays as it was. If it is interrupted (a crash, Ctrl-C), run it
again: it resumes where it stopped. Move DIR/unseal-key elsewhere afterwards for real protection
(see "sshca serve --help").

  --data-dir DIR   the data directory to convert

Example:
  sshca operator migrate --data-dir /var/lib/sshca
  sshca serve --data-dir /var/lib/sshca
`;

export const operatorMigrate: Command = {
  name: 'migrate',
  summary: 'encrypt a data directory an earlier sshca wrote unencrypted (server stopped)',
  help: MIGRATE_HELP,
  async run(argv) {
    const { values } = usageErrors(() =>
      parseArgs({ args: [...argv], strict: true, options: { 'data-dir': { type: 'string' } } }),
    );
    const dir = required(values['data-dir'], 'data-dir');
    if (!existsSync(join(dir, 'storage')))
      throw new RequestError(`${dir} is not a data directory: it has no storage/ folder`);
    const report = await migrateDataDir(
      dir,
      (path, content) => writeFileAtomic(path, content, { mode: 0o600, overwrite: true }),
      Date.now(),
    );
    const say = (s: string) => process.stdout.write(`${s}\n`);
    say(
      `${report.resumed ? 'Resumed and finished' : 'Migrated'} ${dir}: ${report.encrypted} entr${report.encrypted === 1 ? 'y' : 'ies'} encrypted` +
        (report.alreadyEncrypted > 0 ? `, ${report.alreadyEncrypted} already encrypted by the interrupted run` : ''),
    );
    say(`Unseal key: ${report.keyFile} (0600); "sshca serve --data-dir ${dir}" unseals with it at every start.`);
    say('For real protection keep that key elsewhere: see "sshca serve --help".');
    return 0;
  },
};
