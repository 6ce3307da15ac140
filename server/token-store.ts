// Tokens of the embedded server. For now only root tokens exist (policies come later). Tokens are
// stored as SHA-256 hashes, never in clear, and compared in constant time.

import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { getJson, putJson, type Storage } from './storage/storage.js';

/** What the server knows about a token. */
export interface TokenEntry {
  readonly displayName: string;
  readonly policies: readonly string[];
  readonly accessor: string;
  readonly creationTime: number;
}

interface StoredToken {
  readonly hash: string;
  readonly display_name: string;
  readonly policies: string[];
  readonly accessor: string;
  readonly creation_time: number;
}

const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** A new token in Vault's service-token format: `hvs.` + 24 random base62 characters. */
export function generateToken(): string {
  const bytes = randomBytes(48);
  let out = '';
  for (const b of bytes) {
    if (b < 248) out += BASE62[b % 62];
    if (out.length === 24) break;
  }
  return `hvs.${out}`;
}

const hashToken = (token: string): Buffer => createHash('sha256').update(token, 'utf8').digest();

/** Token storage and lookup. */
export class TokenStore {
  constructor(private readonly storage: Storage) {}

  /** Store a root token (given, or freshly generated) and return it. */
  async createRoot(id?: string): Promise<string> {
    const token = id ?? generateToken();
    const hash = hashToken(token).toString('hex');
    const stored: StoredToken = {
      hash,
      display_name: 'root',
      policies: ['root'],
      accessor: randomUUID().replace(/-/g, '').slice(0, 24),
      creation_time: Math.floor(Date.now() / 1000),
    };
    await putJson(this.storage, `core/tokens/${hash}`, stored);
    return token;
  }

  /** True when at least one token exists (the server was initialised). */
  async initialized(): Promise<boolean> {
    return (await this.storage.list('core/tokens/')).length > 0;
  }

  /** The entry for a presented token, or undefined. */
  async lookup(token: string): Promise<TokenEntry | undefined> {
    if (token === '') return undefined;
    const hash = hashToken(token);
    const stored = await getJson<StoredToken>(this.storage, `core/tokens/${hash.toString('hex')}`);
    if (!stored || !timingSafeEqual(Buffer.from(stored.hash, 'hex'), hash)) return undefined;
    return {
      displayName: stored.display_name,
      policies: stored.policies,
      accessor: stored.accessor,
      creationTime: stored.creation_time,
    };
  }
}
