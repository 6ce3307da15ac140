// The userpass auth method (reference §5.4): users with salted slow password hashes and token
// settings, and `login/:username`, with Vault's user lockout (after `threshold` failed logins within
// `counterReset` seconds the user gets "permission denied" without a password check for `duration`
// seconds; a good login resets the count). Lockout state lives in storage, so it survives restarts.
// Logins of one user run one at a time (issue 13): the lock check, the slow password check and the
// failure count are one step, so parallel guesses cannot outrun the threshold. A user's
// `token_bound_cidrs` limit where a login may come from, as in Vault.

import { PermissionDeniedError, RequestError } from '../../core/errors.js';
import { USERPASS_PASSWORD_FIELDS, USERPASS_POLICIES_FIELDS, USERPASS_USER_FIELDS } from '../../core/path-fields.js';
import { USERPASS_USERNAME_PATTERN, validateUserpassUserVault } from '../../core/userpass-user-spec.js';
import type { Backend, LogicalRequest, PathSpec } from '../framework.js';
import { KeyedLock } from '../keyed-lock.js';
import { getJson, putJson, type Storage } from '../storage/storage.js';
import { remoteAddrIsOk } from './bound-cidrs.js';
import { hashPassword, verifyPassword } from './password-hash.js';
import {
  DEFAULT_TOKEN_SETTINGS,
  grantOf,
  readTokenSettings,
  updateTokenSettings,
  validateTokenSettings,
  type TokenSettings,
} from './token-fields.js';

/** Vault's user-lockout settings of an auth mount (defaults: 5 attempts, 15 minutes, 15 minutes). */
export interface LockoutConfig {
  readonly threshold: number;
  /** Seconds a locked user stays locked. */
  readonly duration: number;
  /** Seconds without a failed attempt after which the count starts again. */
  readonly counterReset: number;
  readonly disabled: boolean;
}

export const DEFAULT_LOCKOUT: LockoutConfig = { threshold: 5, duration: 900, counterReset: 900, disabled: false };

interface StoredUser extends TokenSettings {
  readonly password_hash: string;
}

interface LockoutState {
  readonly failures: number;
  readonly last_failure: number;
  readonly locked_until: number;
}

const USERNAME = `(?<username>${USERPASS_USERNAME_PATTERN})`;
const userKey = (name: string) => `user/${name.toLowerCase()}`;
const lockoutKey = (name: string) => `lockout/${name.toLowerCase()}`;

const readUser = (storage: Storage, name: string) => getJson<StoredUser>(storage, userKey(name));

/** True when the user is locked out now. */
async function lockedOut(req: LogicalRequest, name: string, config: LockoutConfig): Promise<boolean> {
  if (config.disabled) return false;
  const state = await getJson<LockoutState>(req.storage, lockoutKey(name));
  return state !== undefined && state.locked_until > req.now;
}

/** Count a failed login; only called, under the user's lock, when the user was not locked. */
async function recordFailure(req: LogicalRequest, name: string, config: LockoutConfig): Promise<void> {
  if (config.disabled) return;
  const previous = await getJson<LockoutState>(req.storage, lockoutKey(name));
  // A lock that has ended, or failures older than the counter reset, start a new count.
  const stale = !previous || req.now - previous.last_failure >= config.counterReset || previous.locked_until > 0;
  const failures = (stale ? 0 : previous.failures) + 1;
  const lockedUntil = failures >= config.threshold ? req.now + config.duration : 0;
  await putJson(req.storage, lockoutKey(name), { failures, last_failure: req.now, locked_until: lockedUntil });
}

// Keys carry the mount's UUID (unique across servers in one process), so one lock serves every mount.
const loginLock = new KeyedLock();

/** The userpass backend; `lockout` gives the mount's lockout settings. */
export function userpassBackend(lockout: (req: LogicalRequest) => LockoutConfig): Backend {
  async function write(req: LogicalRequest) {
    const name = req.captures.username!.toLowerCase();
    const existing = await readUser(req.storage, name);
    const password = req.fields.get('password') as string | undefined;
    const [refused] = validateUserpassUserVault({ password, exists: existing !== undefined });
    if (refused) throw new RequestError(refused.message);
    const settings = updateTokenSettings(existing ?? DEFAULT_TOKEN_SETTINGS, req.fields);
    const invalid = validateTokenSettings(settings);
    if (invalid) throw new RequestError(invalid);
    const password_hash = password ? await hashPassword(password) : existing!.password_hash;
    await putJson(req.storage, userKey(name), { ...settings, password_hash } satisfies StoredUser);
    return undefined;
  }

  const paths: PathSpec[] = [
    {
      pattern: /^users\/?$/,
      fields: {},
      operations: {
        async list(req) {
          const keys = (await req.storage.list('user/')).filter((k) => !k.endsWith('/'));
          return { data: { keys } };
        },
      },
    },
    {
      pattern: new RegExp(`^users/${USERNAME}/password$`),
      fields: USERPASS_PASSWORD_FIELDS,
      exists: async (req) => (await readUser(req.storage, req.captures.username!)) !== undefined,
      operations: {
        async update(req) {
          const user = await readUser(req.storage, req.captures.username!);
          if (!user) throw new RequestError('username does not exist');
          const password = req.fields.get('password') as string | undefined;
          if (!password) throw new RequestError('missing password');
          await putJson(req.storage, userKey(req.captures.username!), {
            ...user,
            password_hash: await hashPassword(password),
          });
          return undefined;
        },
      },
    },
    {
      pattern: new RegExp(`^users/${USERNAME}/policies$`),
      fields: USERPASS_POLICIES_FIELDS,
      exists: async (req) => (await readUser(req.storage, req.captures.username!)) !== undefined,
      operations: {
        async update(req) {
          const user = await readUser(req.storage, req.captures.username!);
          if (!user) throw new RequestError('username does not exist');
          await putJson(req.storage, userKey(req.captures.username!), {
            ...user,
            ...updateTokenSettings(user, req.fields),
          });
          return undefined;
        },
      },
    },
    {
      pattern: new RegExp(`^users/${USERNAME}$`),
      fields: USERPASS_USER_FIELDS,
      exists: async (req) => (await readUser(req.storage, req.captures.username!)) !== undefined,
      operations: {
        update: write,
        async read(req) {
          const user = await readUser(req.storage, req.captures.username!);
          return user ? { data: readTokenSettings(user) } : undefined;
        },
        async delete(req) {
          await req.storage.delete(userKey(req.captures.username!));
          await req.storage.delete(lockoutKey(req.captures.username!));
          return undefined;
        },
      },
    },
    {
      pattern: new RegExp(`^login/${USERNAME}$`),
      fields: USERPASS_PASSWORD_FIELDS,
      unauthenticated: ['update'],
      operations: {
        async update(req) {
          const name = req.captures.username!.toLowerCase();
          const password = (req.fields.get('password') as string | undefined) ?? '';
          if (password === '') throw new RequestError('missing password');
          const config = lockout(req);
          // Held across the slow hash: guesses for one user are checked one at a time, each after the
          // previous one was counted, so no more than the threshold are ever checked per lockout.
          return loginLock.run(`${req.mount.uuid}/${name}`, async () => {
            if (await lockedOut(req, name, config)) throw new PermissionDeniedError();
            const user = await readUser(req.storage, name);
            if (!(await verifyPassword(password, user?.password_hash)) || !user) {
              await recordFailure(req, name, config);
              throw new RequestError('invalid username or password');
            }
            // After the password, as Vault checks it: neither a failure nor a good login for the count.
            if (user.token_bound_cidrs.length > 0 && !remoteAddrIsOk(req.remoteAddress, user.token_bound_cidrs)) {
              throw new PermissionDeniedError();
            }
            await req.storage.delete(lockoutKey(name));
            // As Vault's userpass: the identity alias is the (lower-cased) username.
            return { login: { ...grantOf(user, name, { username: name }), alias: { name } } };
          });
        },
      },
    },
  ];
  return { type: 'userpass', paths };
}
