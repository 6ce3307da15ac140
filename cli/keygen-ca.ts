// `sshca keygen-ca`: generate a CA key pair into local files (private key 0600, public key 0644),
// with Vault's key_type/key_bits rules. The folder is created (0700) when missing, and writing the
// private key into a git work tree that does not ignore it draws a warning on stderr.

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { generateKeyPair } from '../server/ssh/generate-key-pair.js';
import { usageErrors } from './args.js';
import type { Command } from './command.js';
import { writeFileAtomic } from './files.js';
import { RequestError, UsageError } from '../core/errors.js';

/** The git work tree holding `dir` (a `.git` folder, or file for linked work trees, in it or above), if any. */
function gitWorkTreeOf(dir: string): string | undefined {
  for (let d = resolve(dir); ; d = dirname(d)) {
    if (existsSync(join(d, '.git'))) return d;
    if (dirname(d) === d) return undefined;
  }
}

/**
 * A warning when `keyFile` lies in a git work tree and git does not ignore it (`git check-ignore`;
 * without a working git it is taken as not ignored); undefined otherwise.
 */
function gitWarning(keyFile: string): string | undefined {
  const path = resolve(keyFile);
  const root = gitWorkTreeOf(dirname(path));
  if (root === undefined) return undefined;
  try {
    execFileSync('git', ['-C', root, 'check-ignore', '-q', '--', path], { stdio: 'ignore' });
    return undefined; // exit 0: ignored
  } catch {
    // exit 1 (not ignored), or no git at all
  }
  const folder = relative(root, dirname(path));
  const entry = folder === '' ? relative(root, path) : `${folder}/`;
  return (
    `warning: the private key ${keyFile} is inside the git work tree ${root} and git does not ignore it: ` +
    `add "${entry}" to ${join(root, '.gitignore')} so that it is never committed`
  );
}

const HELP = `Usage: sshca keygen-ca --out FILE [--key-type TYPE] [--key-bits N] [--force]

Generate an SSH certificate authority key pair into local files: FILE (private key, mode 0600)
and FILE.pub (public key, mode 0644). Hosts trust the public key through sshd's TrustedUserCAKeys.
A missing folder is created (mode 0700). Writing FILE inside a git work tree that does not ignore it
prints a warning on stderr: a CA private key must never be committed.

Options:
  --out FILE        where to write the private key; the public key goes to FILE.pub
  --key-type TYPE   ed25519 (default), rsa, ec, or an OpenSSH name such as ecdsa-sha2-nistp384
  --key-bits N      rsa: 2048, 3072 or 4096 (default 4096; below 2048 is refused);
                    ec: 256 (default), 384 or 521
  --force           replace existing files
  -h, --help        show this help

Ed25519 is the default: small, fast, and accepted by every OpenSSH since 6.5. Prefer it unless a
host runs an OpenSSH that predates it.

Examples:
  sshca keygen-ca --out ca/dev-ca
  sshca keygen-ca --out ca/prod-ca --key-type rsa --key-bits 4096
`;

export const keygenCaCommand: Command = {
  name: 'keygen-ca',
  summary: 'generate a CA key pair into local files',
  help: HELP,
  run(argv) {
    const { values } = usageErrors(() =>
      parseArgs({
        args: [...argv],
        strict: true,
        options: {
          out: { type: 'string' },
          'key-type': { type: 'string', default: 'ed25519' },
          'key-bits': { type: 'string', default: '0' },
          force: { type: 'boolean', default: false },
        },
      }),
    );
    if (!values.out) throw new UsageError('missing required option --out');
    if (!/^[0-9]+$/.test(values['key-bits'])) {
      throw new UsageError(`--key-bits must be a whole number, got ${JSON.stringify(values['key-bits'])}`);
    }
    const pair = generateKeyPair(values['key-type'], Number(values['key-bits']));
    const overwrite = values.force;
    try {
      mkdirSync(dirname(values.out), { recursive: true, mode: 0o700 });
    } catch (e) {
      throw new RequestError(`cannot create the folder of ${values.out}: ${(e as Error).message}`, { cause: e });
    }
    writeFileAtomic(`${values.out}.pub`, pair.publicKey, { mode: 0o644, overwrite });
    writeFileAtomic(values.out, pair.privateKey, { mode: 0o600, overwrite });
    const warning = gitWarning(values.out);
    if (warning !== undefined) process.stderr.write(`sshca keygen-ca: ${warning}\n`);
    process.stdout.write(
      `Generated ${pair.caKey.algorithm} CA key (${pair.caKey.bits} bits)\n` +
        `  private key: ${values.out} (mode 0600, keep it secret)\n` +
        `  public key:  ${values.out}.pub (give it to hosts as TrustedUserCAKeys)\n`,
    );
    return 0;
  },
};
