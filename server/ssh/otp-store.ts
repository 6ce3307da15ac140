// One-time passwords in a mount's storage, as Vault's SSH engine keeps them: only a salted SHA-256 of
// each OTP is stored (`otp/<hex sha256(salt + otp)>`, the salt a random UUID per mount under `salt`),
// with the user, ip and role it was issued for. Taking an OTP is atomic: two parallel `verify` calls
// with the same OTP serialise on it, and only the first finds it.

import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { KeyedLock } from '../keyed-lock.js';
import type { MountEntry } from '../sys/mount-table.js';
import { getJson, type Storage, putJson } from '../storage/storage.js';

/** What an OTP opens. */
export interface OtpEntry {
  readonly username: string;
  readonly ip: string;
  readonly role_name: string;
  /** Unix milliseconds when its lease ends; an OTP is refused from then on even before the lease is revoked. */
  readonly expire_time: number;
}

// Keys carry the mount's UUID (unique across servers in one process), so one lock serves them all.
const lock = new KeyedLock();
const salts = new WeakMap<MountEntry, string>();

/** The mount's salt, created once (under the lock, so parallel first requests agree on it). */
function saltOf(storage: Storage, mount: MountEntry): Promise<string> {
  const cached = salts.get(mount);
  if (cached !== undefined) return Promise.resolve(cached);
  return lock.run(`${mount.uuid}/salt`, async () => {
    let salt = await getJson<string>(storage, 'salt');
    if (salt === undefined) {
      salt = randomUUID();
      await putJson(storage, 'salt', salt);
    }
    salts.set(mount, salt);
    return salt;
  });
}

/** Vault's `salt.SaltID`: hex SHA-256 of salt + value. */
const saltedId = (salt: string, otp: string): string =>
  createHash('sha256')
    .update(salt + otp, 'utf8')
    .digest('hex');

/** hashicorp/go-uuid's format: 128 random bits as 8-4-4-4-12 lower-case hex (no version bits). */
function generateOtp(): string {
  const h = randomBytes(16).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** Store a new OTP for `entry`; returns the OTP (for the caller, once) and its salted id (for the lease). */
export async function createOtp(
  storage: Storage,
  mount: MountEntry,
  entry: OtpEntry,
): Promise<{ otp: string; saltedId: string }> {
  const salt = await saltOf(storage, mount);
  for (;;) {
    const otp = generateOtp();
    const id = saltedId(salt, otp);
    // A collision of 128 random bits is not expected; Vault checks anyway, and so do we.
    const stored = await lock.run(`${mount.uuid}/otp/${id}`, async () => {
      if (await storage.get(`otp/${id}`)) return false;
      await putJson(storage, `otp/${id}`, entry);
      return true;
    });
    if (stored) return { otp, saltedId: id };
  }
}

/** Take an OTP: the entry it opens, deleted in the same step; undefined when unknown, used or expired. */
export async function takeOtp(
  storage: Storage,
  mount: MountEntry,
  otp: string,
  now: number,
): Promise<OtpEntry | undefined> {
  const id = saltedId(await saltOf(storage, mount), otp);
  return lock.run(`${mount.uuid}/otp/${id}`, async () => {
    const entry = await getJson<OtpEntry>(storage, `otp/${id}`);
    if (!entry) return undefined;
    await storage.delete(`otp/${id}`);
    return entry.expire_time > now ? entry : undefined;
  });
}

/** Delete an OTP by its salted id (its lease was revoked or expired); absent is fine. */
export function deleteOtp(storage: Storage, mount: MountEntry, id: string): Promise<void> {
  return lock.run(`${mount.uuid}/otp/${id}`, () => storage.delete(`otp/${id}`));
}
