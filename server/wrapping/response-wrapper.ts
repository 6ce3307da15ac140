// Response wrapping as Vault does it (vault/wrapping.go, logical_system.go): a wrapped response is
// stored in the cubbyhole of a new single-use token with the `response-wrapping` policy, whose TTL
// is the wrapping TTL; the caller gets only `wrap_info`. The cubbyhole is readable by that token
// alone: the response is sealed with AES-256-GCM under a key derived from the token string, which
// the server never stores (only its SHA-256, as for every token), so neither storage nor a log can
// yield it. Unwrapping and rewrapping take the response and revoke the token under one per-token
// lock, so of any number of parallel unwraps exactly one succeeds; expiry is the token store's own.

import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { RequestError } from '../../core/errors.js';
import type { TokenEntry, TokenStore } from '../auth/token-store.js';
import { KeyedLock } from '../keyed-lock.js';
import { getJson, putJson, type Storage } from '../storage/storage.js';

/** The only policy of a wrapping token (Vault's `response-wrapping`, which no one can assign). */
export const RESPONSE_WRAPPING_POLICY = 'response-wrapping';

/** Vault's answer for a wrapping token that is unknown, used, expired or not a wrapping token (400). */
export const INVALID_WRAPPING_TOKEN = 'wrapping token is not valid or does not exist';

/** Vault's `consts.ErrInvalidWrappingToken`: a 400 with the plain message. */
export class InvalidWrappingTokenError extends RequestError {
  constructor() {
    super(INVALID_WRAPPING_TOKEN);
  }
}

/** Vault's `wrap_info` block, as the HTTP answer shows it. */
export interface WrapInfo {
  readonly token: string;
  readonly accessor: string;
  /** Seconds. */
  readonly ttl: number;
  /** RFC 3339 with fractional seconds, as Go's RFC3339Nano. */
  readonly creation_time: string;
  readonly creation_path: string;
  /** The accessor of the token inside, when the wrapped response created one (a login). */
  readonly wrapped_accessor?: string;
}

/** What `sys/wrapping/lookup` shows (Vault's `cubbyhole/wrapinfo`). */
export interface WrapLookup {
  readonly creation_ttl: number;
  readonly creation_time: string;
  readonly creation_path: string;
}

/** A response taken out of its cubbyhole (the wrapping token is gone by then). */
export interface Unwrapped extends WrapLookup {
  /** The wrapped HTTP answer, JSON text exactly as it would have been sent. */
  readonly response: string;
}

/** The stored cubbyhole: wrapinfo in clear (not secret), the response sealed to the token. */
interface Cubbyhole {
  readonly wrapinfo: WrapLookup;
  readonly iv: string;
  readonly tag: string;
  readonly sealed: string;
}

const CUBBYHOLES = 'sys/wrapping-cubbyhole/';

/** Go's RFC3339Nano in UTC: trailing zeros of the fraction dropped, no fraction when zero. */
export function rfc3339Nano(ms: number): string {
  return new Date(ms).toISOString().replace(/\.?0+Z$/, 'Z');
}

/** The cubbyhole key: only someone holding the token string can derive it. */
function keyOf(token: string, hash: string): Buffer {
  return Buffer.from(hkdfSync('sha256', Buffer.from(token, 'utf8'), Buffer.from(hash, 'hex'), 'sshca cubbyhole', 32));
}

function seal(token: string, hash: string, wrapinfo: WrapLookup, response: string): Cubbyhole {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keyOf(token, hash), iv);
  cipher.setAAD(Buffer.from(hash, 'hex'));
  const sealed = Buffer.concat([cipher.update(response, 'utf8'), cipher.final()]);
  return {
    wrapinfo,
    iv: iv.toString('base64'),
    tag: cipher.getAuthTag().toString('base64'),
    sealed: sealed.toString('base64'),
  };
}

function open(token: string, hash: string, box: Cubbyhole): string {
  const decipher = createDecipheriv('aes-256-gcm', keyOf(token, hash), Buffer.from(box.iv, 'base64'));
  decipher.setAAD(Buffer.from(hash, 'hex'));
  decipher.setAuthTag(Buffer.from(box.tag, 'base64'));
  return Buffer.concat([decipher.update(Buffer.from(box.sealed, 'base64')), decipher.final()]).toString('utf8');
}

/** Whether a token entry is a wrapping token (exactly the `response-wrapping` policy). */
export const isWrappingToken = (entry: TokenEntry | undefined): entry is TokenEntry =>
  entry !== undefined && entry.policies.length === 1 && entry.policies[0] === RESPONSE_WRAPPING_POLICY;

/** Wrapping tokens and their cubbyholes. */
export class ResponseWrapper {
  private readonly lock = new KeyedLock();

  /**
   * @param clock - Unix milliseconds (the server's clock)
   */
  constructor(
    private readonly storage: Storage,
    private readonly tokens: TokenStore,
    private readonly clock: () => number,
  ) {}

  /**
   * Open the wrapper over a storage, first dropping the cubbyholes whose token is gone (expired or
   * revoked while the server was down): they could not be opened anyway.
   */
  static async open(storage: Storage, tokens: TokenStore, clock: () => number): Promise<ResponseWrapper> {
    const wrapper = new ResponseWrapper(storage, tokens, clock);
    for (const hash of await storage.list(CUBBYHOLES)) {
      if (!(await tokens.byHash(hash))) await storage.delete(CUBBYHOLES + hash);
    }
    return wrapper;
  }

  /**
   * Store `response` (the JSON answer) in the cubbyhole of a new wrapping token living `ttl` seconds
   * and return the `wrap_info` for it.
   */
  async wrap(
    response: string,
    spec: { readonly ttl: number; readonly creationPath: string; readonly wrappedAccessor?: string },
  ): Promise<WrapInfo> {
    const nowMs = this.clock();
    const { token, entry } = await this.tokens.create({
      displayName: '',
      policies: [RESPONSE_WRAPPING_POLICY],
      numUses: 1,
      ttl: spec.ttl,
      explicitMaxTtl: spec.ttl,
      renewable: false,
      path: spec.creationPath,
    });
    const creationTime = rfc3339Nano(nowMs);
    const wrapinfo: WrapLookup = {
      creation_ttl: spec.ttl,
      creation_time: creationTime,
      creation_path: spec.creationPath,
    };
    try {
      await putJson(this.storage, CUBBYHOLES + entry.hash, seal(token, entry.hash, wrapinfo, response));
    } catch (e) {
      // As Vault: a token whose cubbyhole could not be written is revoked at once.
      await this.tokens.revoke(entry);
      throw e;
    }
    return {
      token,
      accessor: entry.accessor,
      ttl: spec.ttl,
      creation_time: creationTime,
      creation_path: spec.creationPath,
      ...(spec.wrappedAccessor ? { wrapped_accessor: spec.wrappedAccessor } : {}),
    };
  }

  /** The live wrapping token entry for a token string, if it is one (Vault's `validateWrappingToken`). */
  async validate(token: string): Promise<TokenEntry | undefined> {
    const entry = await this.tokens.lookup(token);
    return isWrappingToken(entry) ? entry : undefined;
  }

  /** The wrapping properties of a token without using it; undefined when it is not a live wrapping token. */
  async lookup(token: string): Promise<WrapLookup | undefined> {
    const entry = await this.validate(token);
    if (!entry) return undefined;
    return (await getJson<Cubbyhole>(this.storage, CUBBYHOLES + entry.hash))?.wrapinfo;
  }

  /**
   * Take the wrapped response out and revoke the token: the token's single use. Undefined when the
   * token is not (or no longer) a live wrapping token; of parallel calls exactly one gets the response.
   */
  async unwrap(token: string): Promise<Unwrapped | undefined> {
    const first = await this.validate(token);
    if (!first) return undefined;
    return this.lock.run(first.hash, async () => {
      // Re-read under the lock: a parallel unwrap may have taken it meanwhile.
      const entry = await this.validate(token);
      const box = entry && (await getJson<Cubbyhole>(this.storage, CUBBYHOLES + entry.hash));
      if (!entry || !box) return undefined;
      const response = open(token, entry.hash, box);
      // The token goes first: once it is gone nobody can unwrap again, even after a crash here.
      await this.tokens.revoke(entry);
      await this.storage.delete(CUBBYHOLES + entry.hash);
      return { ...box.wrapinfo, response };
    });
  }

  /** Whether a cubbyhole is still stored for a token hash (tests check that nothing is left behind). */
  async hasCubbyhole(hash: string): Promise<boolean> {
    return (await this.storage.get(CUBBYHOLES + hash)) !== undefined;
  }
}
