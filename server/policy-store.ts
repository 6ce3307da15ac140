// ACL policies of the embedded server: stored as their text (what `vault policy read` shows), with
// the built-in `default` policy written on first start and `root` implicit; compiled ACLs cached
// per set of policy names and dropped whenever a policy changes.

import { RequestError } from '../core/errors.js';
import { compileAcl, type Acl } from '../core/acl/acl.js';
import { DEFAULT_POLICY_TEXT } from '../core/acl/builtin-policies.js';
import { parsePolicy, type Policy } from '../core/acl/policy-document.js';
import { getJson, putJson, type Storage } from './storage/storage.js';

const PREFIX = 'core/policies/';

interface StoredPolicy {
  readonly name: string;
  readonly policy: string;
}

/** Policy storage and compiled ACLs. */
export class PolicyStore {
  private readonly cache = new Map<string, Acl>();
  /** Moves on every write and delete: an ACL compiled from texts read before a change is not kept. */
  private generation = 0;

  private constructor(private readonly storage: Storage) {}

  /** Open the store, writing Vault's `default` policy if it is not there yet. */
  static async open(storage: Storage): Promise<PolicyStore> {
    const store = new PolicyStore(storage);
    if (!(await store.read('default')))
      await putJson(storage, `${PREFIX}default`, { name: 'default', policy: DEFAULT_POLICY_TEXT });
    return store;
  }

  /** Names of stored policies plus `root`, sorted. */
  async list(): Promise<string[]> {
    const names = (await this.storage.list(PREFIX)).filter((n) => !n.endsWith('/'));
    return [...names, 'root'].sort();
  }

  /** A policy's text, or undefined. `root` has no text. */
  async read(name: string): Promise<string | undefined> {
    return (await getJson<StoredPolicy>(this.storage, PREFIX + name))?.policy;
  }

  async exists(name: string): Promise<boolean> {
    return name === 'root' || (await this.read(name)) !== undefined;
  }

  /** Parse (refusing a bad document with Vault's error) and store a policy, base64 decoded as Vault does. */
  async write(name: string, text: string): Promise<void> {
    // Vault's immutable policies: root, and the one wrapping tokens carry (which the server provides).
    if (name === 'root' || name === 'response-wrapping') throw new RequestError(`cannot update "${name}" policy`);
    const { raw } = parsePolicy(name, text);
    try {
      await putJson(this.storage, PREFIX + name, { name, policy: raw } satisfies StoredPolicy);
    } finally {
      this.generation++;
      this.cache.clear();
    }
  }

  async delete(name: string): Promise<void> {
    if (name === 'root') throw new RequestError('cannot delete "root" policy');
    if (name === 'default') throw new RequestError('cannot delete default policy');
    try {
      await this.storage.delete(PREFIX + name);
    } finally {
      this.generation++;
      this.cache.clear();
    }
  }

  /** The ACL of a token with these policies (policies that no longer exist grant nothing). */
  async acl(names: readonly string[]): Promise<Acl> {
    const key = [...names].sort().join('\n');
    let acl = this.cache.get(key);
    if (!acl) {
      const generation = this.generation;
      const policies: Policy[] = [];
      for (const name of names) {
        if (name === 'root') continue;
        const text = await this.read(name);
        if (text !== undefined) policies.push(parsePolicy(name, text, { base64: false }));
      }
      acl = compileAcl(policies, { root: names.includes('root') });
      if (this.generation === generation) this.cache.set(key, acl);
    }
    return acl;
  }
}
