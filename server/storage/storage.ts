// The storage interface the embedded server writes through (Vault's physical/logical storage in
// miniature): keys are `/`-separated paths, values are bytes, `list` returns immediate children
// (folders with a trailing `/`). Implementations: in-memory (tests, dev mode) and durable files.

/** Key-value storage with Vault's list semantics. */
export interface Storage {
  get(key: string): Promise<Buffer | undefined>;
  /** Resolves only when the value is durable (for durable implementations). */
  put(key: string, value: Buffer): Promise<void>;
  delete(key: string): Promise<void>;
  /** Immediate children of `prefix` (which ends with `/` or is empty), sorted; folders end with `/`. */
  list(prefix: string): Promise<string[]>;
}

/** A view of a storage under a fixed prefix (each mount sees only its own keys). */
export function storageView(storage: Storage, prefix: string): Storage {
  return {
    get: (key) => storage.get(prefix + key),
    put: (key, value) => storage.put(prefix + key, value),
    delete: (key) => storage.delete(prefix + key),
    list: (p) => storage.list(prefix + p),
  };
}

/** Delete every key under `prefix`, depth first. */
export async function deletePrefix(storage: Storage, prefix: string): Promise<void> {
  for (const child of await storage.list(prefix)) {
    if (child.endsWith('/')) await deletePrefix(storage, prefix + child);
    else await storage.delete(prefix + child);
  }
}

/** Read a JSON value, or undefined when the key is absent. */
export async function getJson<T>(storage: Storage, key: string): Promise<T | undefined> {
  const raw = await storage.get(key);
  return raw === undefined ? undefined : (JSON.parse(raw.toString('utf8')) as T);
}

/** Write a JSON value. */
export function putJson(storage: Storage, key: string, value: unknown): Promise<void> {
  return storage.put(key, Buffer.from(JSON.stringify(value), 'utf8'));
}

/** Immediate children shared by both implementations: from a sorted list of full keys under `prefix`. */
export function childrenOf(keys: Iterable<string>, prefix: string): string[] {
  const out = new Set<string>();
  for (const key of keys) {
    if (!key.startsWith(prefix)) continue;
    const rest = key.slice(prefix.length);
    const slash = rest.indexOf('/');
    out.add(slash < 0 ? rest : rest.slice(0, slash + 1));
  }
  return [...out].sort();
}
