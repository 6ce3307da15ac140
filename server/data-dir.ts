// A durable server in a data directory (`sshca serve --data-dir`, and the demo's out/server): file
// storage under DIR/storage behind the barrier (server/barrier/), served by the sealable front.
//
// A new directory is initialised for convenience with one unseal key share, kept in DIR/unseal-key
// (0600), and a root token in DIR/root-token (0600); every start unseals with DIR/unseal-key when it
// is there. That protects copies of DIR/storage alone (backups, a stolen disk image of that folder),
// not a reader of the whole directory. With `manualInit` a new directory stays uninitialised (Vault's
// `sys/init` and `sys/unseal` over HTTP) and nothing secret is written to DIR. An unencrypted
// directory from an earlier version is refused until `sshca operator migrate` has converted it.

import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { RequestError } from '../core/errors.js';
import { generateToken } from './auth/token-store.js';
import { KEYRING_KEY } from './barrier/barrier-storage.js';
import { decodeKey } from './barrier/seal.js';
import { SealableServer } from './seal/sealable-server.js';
import { FileStorage } from './storage/file-storage.js';
import type { Storage } from './storage/storage.js';
import type { VaultServerOptions } from './vault-server.js';

/** The unseal key share file of a conveniently initialised data directory. */
export const UNSEAL_KEY_FILE = 'unseal-key';

/** Options for `openDataDir`. */
export interface DataDirOptions extends Omit<VaultServerOptions, 'storage' | 'sysPaths'> {
  /** Leave a new directory uninitialised (init and unseal over HTTP). @default initialise with DIR/unseal-key */
  readonly manualInit?: boolean;
  /** Shares to unseal with, and where they came from (for messages). @default DIR/unseal-key when present */
  readonly unseal?: { readonly shares: readonly Buffer[]; readonly source: string };
}

/** The server, the root token file, and the token when this start created it (undefined on later starts). */
export interface DurableServer {
  readonly server: SealableServer;
  readonly tokenFile: string;
  readonly createdRootToken: string | undefined;
  /** A line for stderr when the server unsealed itself with the key kept in DIR. */
  readonly notice: string | undefined;
}

/** Parse unseal key shares, one per line (or comma-separated), hex or base64; `source` names them in errors. */
export function parseShares(text: string, source: string): Buffer[] {
  const items = text
    .split(/[\n,]/)
    .map((s) => s.trim())
    .filter((s) => s !== '' && !s.startsWith('#'));
  if (items.length === 0) throw new RequestError(`${source} holds no unseal key share`);
  return items.map((item, i) => {
    const share = decodeKey(item);
    if (!share) throw new RequestError(`share ${i + 1} of ${source} is not a hex or base64 unseal key share`);
    return share;
  });
}

/** Read an unseal key file, refusing one that others may read (it must be 0600 or tighter). */
export function readUnsealKeyFile(path: string): Buffer[] {
  let mode: number;
  try {
    mode = statSync(path).mode & 0o777;
  } catch (e) {
    throw new RequestError(`cannot read the unseal key file ${path}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  if ((mode & 0o077) !== 0) {
    throw new RequestError(
      `refusing the unseal key file ${path}: its mode is ${mode.toString(8).padStart(4, '0')}, others may read it; run "chmod 600 ${path}"`,
    );
  }
  return parseShares(readFileSync(path, 'utf8'), path);
}

/** Whether physical storage holds entries from before the barrier (no seal configuration, some data). */
export async function holdsUnencryptedEntries(physical: Storage): Promise<boolean> {
  const top = await physical.list('');
  if (top.some((k) => k !== 'core/')) return true;
  // A keyring alone is what an initialisation interrupted before its seal configuration leaves.
  return (await physical.list('core/')).some((k) => `core/${k}` !== KEYRING_KEY);
}

/** How to run `sshca operator migrate` on `dir`, for messages. */
const migrateHint = (dir: string): string => `sshca operator migrate --data-dir ${dir}`;

/** Open (creating and initialising if needed) a durable server in `dir`; `writeSecret` writes 0600 files atomically. */
export async function openDataDir(
  dir: string,
  options: DataDirOptions,
  writeSecret: (path: string, content: string) => void,
  rootTokenId?: string,
): Promise<DurableServer> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const { manualInit, unseal, ...serverOptions } = options;
  const physical = new FileStorage(join(dir, 'storage'));
  const server = await SealableServer.open({ ...serverOptions, physical });
  const tokenFile = join(dir, 'root-token');
  const keyFile = join(dir, UNSEAL_KEY_FILE);
  if (server.sealState.configuration?.migrating) {
    throw new RequestError(
      `the migration of ${dir} did not finish: run "${migrateHint(dir)}" again, with the server stopped`,
    );
  }
  if (!server.initialized) {
    if (await holdsUnencryptedEntries(physical)) {
      throw new RequestError(
        `${dir} is an unencrypted data directory from an earlier sshca: stop the server and run "${migrateHint(dir)}" once`,
      );
    }
    if (manualInit) return { server, tokenFile, createdRootToken: undefined, notice: undefined };
    await server.initialize(1, 1, {
      createRoot: false,
      onShares: (shares) => writeSecret(keyFile, shares.map((s) => `${s.toString('hex')}\n`).join('')),
    });
  }
  const source = unseal ?? (existsSync(keyFile) ? { shares: readUnsealKeyFile(keyFile), source: keyFile } : undefined);
  if (!source) return { server, tokenFile, createdRootToken: undefined, notice: undefined };
  try {
    await server.unsealWith(source.shares);
  } catch (e) {
    throw new RequestError(`cannot unseal ${dir} with ${source.source}: ${(e as Error).message}`, { cause: e });
  }
  const notice =
    unseal === undefined
      ? `sshca serve: unsealed with ${keyFile}, which lies beside the data it protects (it guards copies of ${join(dir, 'storage')} only); for real protection keep the key elsewhere (--unseal-key-file, SSHCA_UNSEAL_KEY) or unseal by hand, and delete ${keyFile}`
      : undefined;
  const tokens = server.server!.tokens;
  let createdRootToken: string | undefined;
  if (!(await tokens.initialized())) {
    // The file first: a crash between the two steps then leaves a file whose token a restart replaces,
    // never a stored root token that nobody has.
    createdRootToken = rootTokenId ?? generateToken();
    writeSecret(tokenFile, `${createdRootToken}\n`);
    await tokens.createRoot(createdRootToken);
  }
  return { server, tokenFile, createdRootToken, notice };
}

/** The root token kept in a data directory. */
export const readRootToken = (dir: string): string => readFileSync(join(dir, 'root-token'), 'utf8').trim();
