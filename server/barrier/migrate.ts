// `sshca operator migrate`: encrypt an unencrypted data directory (made by sshca before the barrier)
// in place. The seal configuration, marked `migrating`, and the keyring are written first, with the
// unseal key share kept in DIR/unseal-key before either; then every entry that is not yet a barrier
// value (the version byte and a successful decryption tell) is rewritten through the barrier, each
// write atomic; then the mark is cleared. A crash at any point leaves a directory this resumes.

import { join } from 'node:path';
import { RequestError } from '../../core/errors.js';
import { holdsUnencryptedEntries, readUnsealKeyFile, UNSEAL_KEY_FILE } from '../data-dir.js';
import { FileStorage } from '../storage/file-storage.js';
import type { Storage } from '../storage/storage.js';
import { termOf } from './aead.js';
import { KEYRING_KEY, SEAL_CONFIG_KEY } from './barrier-storage.js';
import { Seal } from './seal.js';

/** What a migration did. */
export interface MigrationReport {
  /** Entries encrypted by this run. */
  readonly encrypted: number;
  /** Entries a previous, interrupted run had already encrypted. */
  readonly alreadyEncrypted: number;
  /** Whether this run resumed an interrupted one. */
  readonly resumed: boolean;
  readonly keyFile: string;
}

/** Every key under `prefix`, depth first. */
async function allKeys(storage: Storage, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const child of await storage.list(prefix)) {
    if (child.endsWith('/')) out.push(...(await allKeys(storage, prefix + child)));
    else out.push(prefix + child);
  }
  return out;
}

/** Encrypt the data directory `dir` in place (the server must be stopped). */
export async function migrateDataDir(
  dir: string,
  writeSecret: (path: string, content: string) => void,
  now: number,
): Promise<MigrationReport> {
  const physical = new FileStorage(join(dir, 'storage'));
  const seal = await Seal.load(physical);
  const keyFile = join(dir, UNSEAL_KEY_FILE);
  const config = seal.configuration;
  if (config && !config.migrating) throw new RequestError(`${dir} is already encrypted: nothing to migrate`);
  const resumed = config !== undefined;
  if (!config) {
    if (!(await holdsUnencryptedEntries(physical))) {
      throw new RequestError(`${dir} holds no data to migrate: start it with "sshca serve --data-dir ${dir}"`);
    }
    await seal.initialize(1, 1, now, {
      migrating: true,
      onShares: (shares) => writeSecret(keyFile, shares.map((s) => `${s.toString('hex')}\n`).join('')),
    });
  }
  for (const share of readUnsealKeyFile(keyFile)) if (seal.sealed) await seal.submit(share);
  const barrier = seal.barrier;
  if (!barrier) throw new RequestError(`the key in ${keyFile} does not unseal ${dir}`);
  let encrypted = 0;
  let alreadyEncrypted = 0;
  for (const key of await allKeys(physical)) {
    if (key === SEAL_CONFIG_KEY || key === KEYRING_KEY) continue;
    const raw = await physical.get(key);
    if (raw === undefined) continue;
    if (termOf(raw) !== undefined) {
      try {
        await barrier.get(key);
        alreadyEncrypted++;
        continue;
      } catch {
        // Not a value of this barrier: an old entry that happens to start with the version byte.
      }
    }
    await barrier.put(key, raw);
    encrypted++;
  }
  const { migrating: _done, ...finished } = seal.configuration!;
  await seal.updateConfig(finished);
  seal.seal();
  return { encrypted, alreadyEncrypted, resumed, keyFile };
}
