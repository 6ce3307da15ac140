// The mount's CA keys in storage, as OpenBao's multi-issuer SSH engine keeps them (reference §2.16):
// one entry per issuer under `config/issuer/<uuid>` holding both halves (so a crash can never leave
// half a CA), the public key byte for byte as submitted or generated, and `config/issuers` naming the
// default issuer. A mount written before issuers existed kept one `config/ca_bundle`; it is migrated
// into the default issuer the first time the mount is used (as OpenBao migrates on upgrade). Writes
// that read, decide and write back run one at a time per mount (server/keyed-lock.ts), so concurrent
// imports never lose an issuer. Parsed private keys are cached per issuer.

import { randomUUID } from 'node:crypto';
import { parseCaPrivateKey, type CaKey } from '../../core/keys/ca-key.js';
import { RequestError } from '../../core/errors.js';
import { KeyedLock } from '../keyed-lock.js';
import type { MountEntry } from '../sys/mount-table.js';
import { getJson, putJson, type Storage } from '../storage/storage.js';

const LEGACY_CA_KEY = 'config/ca_bundle';
const ISSUER_PREFIX = 'config/issuer/';
const ISSUERS_CONFIG = 'config/issuers';

/** The `default` issuer reference (OpenBao's `defaultRef`). */
export const DEFAULT_REF = 'default';
export const NO_DEFAULT_ISSUER = 'no default issuer currently configured';
export const unknownIssuerRef = (ref: string): string => `unable to find issuer for reference: ${ref}`;

/** A stored issuer (OpenBao's `issuerEntry`). */
export interface IssuerEntry {
  readonly id: string;
  /** `""` when unnamed. */
  readonly name: string;
  readonly public_key: string;
  readonly private_key: string;
  readonly version: 1;
}

/** The stored CA key pair of the pre-issuer layout. */
interface LegacyCa {
  readonly public_key: string;
  readonly private_key: string;
}

/**
 * What this process knows about one mount's issuers, kept on the mount's storage view: the server
 * keeps one view object per mount (VaultServer.storageOf), so the state is per server and per mount,
 * and two servers in one process (tests start many, on copies of one data directory too) never share
 * it. A view made for one call only gets a state of its own that nothing else sees: still correct.
 */
interface IssuerState {
  /** Issuer writes of the mount run one at a time. */
  readonly lock: KeyedLock;
  /** The legacy CA has been looked for. */
  migrated: boolean;
  /**
   * The issuer ids, sorted, so that signing does not list storage on every request (a list walks
   * the storage's keys: measured at 13 % of sign throughput). Every change of the issuers runs under
   * withIssuerLock, which drops them when it ends; a list that began before the change ended is not
   * kept (the generation moved on).
   */
  ids: readonly string[] | undefined;
  generation: number;
}

const states = new WeakMap<Storage, IssuerState>();

function stateOf(storage: Storage): IssuerState {
  let state = states.get(storage);
  if (!state) states.set(storage, (state = { lock: new KeyedLock(), migrated: false, ids: undefined, generation: 0 }));
  return state;
}

function forgetIssuerIds(state: IssuerState): void {
  state.generation++;
  state.ids = undefined;
}

/** The mount's issuer ids, sorted, from the cache or storage. */
export async function cachedIssuerIds(storage: Storage): Promise<readonly string[]> {
  const state = stateOf(storage);
  if (state.ids) return state.ids;
  const generation = state.generation;
  const ids = await listIssuerIds(storage);
  if (state.generation === generation) state.ids = ids;
  return ids;
}

/** Run `work` under the mount's issuer lock, after migrating a legacy CA; the cached ids are dropped after. */
export async function withIssuerLock<T>(storage: Storage, mount: MountEntry, work: () => Promise<T>): Promise<T> {
  await migrateLegacyCa(storage, mount);
  const state = stateOf(storage);
  return state.lock.run(mount.uuid, async () => {
    try {
      return await work();
    } finally {
      forgetIssuerIds(state);
    }
  });
}

/** Move a pre-issuer `config/ca_bundle` into a default issuer (once per mount and process). */
export async function migrateLegacyCa(storage: Storage, mount: MountEntry): Promise<void> {
  const state = stateOf(storage);
  if (state.migrated) return;
  await state.lock.run(mount.uuid, async () => {
    if (state.migrated) return;
    const legacy = await getJson<LegacyCa>(storage, LEGACY_CA_KEY);
    if (legacy) {
      const id = randomUUID();
      await writeIssuer(storage, {
        id,
        name: '',
        public_key: legacy.public_key,
        private_key: legacy.private_key,
        version: 1,
      });
      await writeDefaultIssuerId(storage, id);
      await storage.delete(LEGACY_CA_KEY);
      forgetIssuerIds(state);
    }
    state.migrated = true;
  });
}

export const writeIssuer = (storage: Storage, issuer: IssuerEntry): Promise<void> =>
  putJson(storage, ISSUER_PREFIX + issuer.id, issuer);

export const readIssuer = (storage: Storage, id: string): Promise<IssuerEntry | undefined> =>
  id === '' ? Promise.resolve(undefined) : getJson<IssuerEntry>(storage, ISSUER_PREFIX + id);

/** Issuer ids, sorted. */
export async function listIssuerIds(storage: Storage): Promise<string[]> {
  return (await storage.list(ISSUER_PREFIX)).filter((k) => !k.endsWith('/'));
}

/** Every issuer, in id order. */
export async function listIssuers(storage: Storage): Promise<IssuerEntry[]> {
  const out: IssuerEntry[] = [];
  for (const id of await listIssuerIds(storage)) {
    const issuer = await readIssuer(storage, id);
    if (issuer) out.push(issuer);
  }
  return out;
}

/** The default issuer's id, `""` when none is set. */
export async function readDefaultIssuerId(storage: Storage): Promise<string> {
  return (await getJson<{ default: string }>(storage, ISSUERS_CONFIG))?.default ?? '';
}

export const writeDefaultIssuerId = (storage: Storage, id: string): Promise<void> =>
  putJson(storage, ISSUERS_CONFIG, { default: id });

/** The default issuer, or undefined when none is set (or it is gone). */
export async function readDefaultIssuer(storage: Storage): Promise<IssuerEntry | undefined> {
  return readIssuer(storage, await readDefaultIssuerId(storage));
}

/** Delete an issuer; returns whether it was the default (which is then unset). */
export async function deleteIssuer(storage: Storage, id: string): Promise<boolean> {
  const wasDefault = (await readDefaultIssuerId(storage)) === id;
  if (wasDefault) await writeDefaultIssuerId(storage, '');
  await storage.delete(ISSUER_PREFIX + id);
  return wasDefault;
}

/**
 * OpenBao's `resolveIssuerReference`: `default` → the default issuer's id, else an id, else a name.
 * Unknown references and an unset default are user errors with OpenBao's texts.
 */
export async function resolveIssuerRef(storage: Storage, ref: string): Promise<string> {
  if (ref === DEFAULT_REF) {
    const id = await readDefaultIssuerId(storage);
    if (id === '') throw new RequestError(NO_DEFAULT_ISSUER);
    return id;
  }
  if (ref.length === 36 && (await readIssuer(storage, ref))) return ref;
  const byName = (await listIssuers(storage)).find((i) => i.name === ref);
  if (byName) return byName.id;
  throw new RequestError(unknownIssuerRef(ref));
}

const parsed = new WeakMap<object, Map<string, { pem: string; key: CaKey }>>();

/** An issuer's key ready to sign; `cacheOwner` scopes the parsed-key cache. */
export function caKeyOf(issuer: IssuerEntry, cacheOwner: object): CaKey {
  let cache = parsed.get(cacheOwner);
  if (!cache) parsed.set(cacheOwner, (cache = new Map()));
  const hit = cache.get(issuer.id);
  if (hit && hit.pem === issuer.private_key) return hit.key;
  const key = parseCaPrivateKey(issuer.private_key);
  cache.set(issuer.id, { pem: issuer.private_key, key });
  return key;
}
