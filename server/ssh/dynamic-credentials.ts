// Credentials of the legacy dynamic-key mode (Vault 1.12's `key_type=dynamic`; issue 23): `creds/:role`
// on such a role generates an RSA key pair off the event loop, installs its public key for the account
// on the host through the role's admin account (dynamic-host.ts), and answers the private key with a
// renewable lease, in Vault 1.12's shape. The lease keeps what uninstalling needs — never the private
// key — and revoking it (by id or prefix, at expiry, or by disabling the mount) uninstalls the key;
// when that fails the lease stays, and expiry tries again with doubling gaps until the lease is marked
// irrevocable (server/leases/expiration-manager.ts).
//
// Beyond Vault: the host's key must match the role's `known_hosts` pins unless the role says
// `insecure_ignore_host_key=true` (then the answer carries a warning); RSA keys are 2048 bits or more.

import { dynamicKeyLine, hasHostKeyPins, isSafeAccountName } from '../../core/dynamic-keys.js';
import { InternalError, RequestError } from '../../core/errors.js';
import type { OtpCredentialPlan } from '../../core/otp.js';
import type { DynamicRole } from '../../core/role.js';
import type { LogicalRequest, LogicalResponse } from '../framework.js';
import { changeAuthorizedKey } from './dynamic-host.js';
import { generateKeyPairAsync } from './generate-key-pair.js';
import { readAdminKey } from './paths-keys.js';

/** The warning a credential answer carries when its role does not check host keys. */
export const INSECURE_HOST_KEY_WARNING =
  "insecure_ignore_host_key is set on this role: the host's key was not checked, so the key may have been " +
  'installed on, and the admin key shown to, an impostor. Pin the host keys with known_hosts.';

/** What a dynamic key's lease keeps to uninstall it (Vault's internal data, plus the pins). */
export interface DynamicKeyLeaseData {
  readonly admin_user: string;
  readonly username: string;
  readonly ip: string;
  readonly port: number;
  readonly host_key_name: string;
  /** The installed authorized_keys line (options included), public. */
  readonly dynamic_public_key: string;
  readonly install_script: string;
  readonly key_option_specs: string;
  readonly known_hosts: string;
  readonly insecure_ignore_host_key: boolean;
}

const isLeaseData = (internal: Readonly<Record<string, unknown>>): boolean =>
  typeof internal.dynamic_public_key === 'string' && typeof internal.host_key_name === 'string';

/**
 * Issue a dynamic key for a `creds` request that passed Vault's username and ip checks (`plan`).
 * `ttl` is the lease's TTL in seconds.
 */
export async function issueDynamicCredential(
  req: Pick<LogicalRequest, 'storage'>,
  roleName: string,
  role: DynamicRole,
  plan: OtpCredentialPlan,
  ttl: number,
): Promise<LogicalResponse> {
  if (!role.insecureIgnoreHostKey && !hasHostKeyPins(role.knownHosts)) {
    throw new RequestError(
      `role ${JSON.stringify(roleName)} pins no host keys, so this server will not log in to ${plan.ip}: ` +
        "set the role's known_hosts to the hosts' known_hosts lines (ssh-keyscan -p PORT HOST) or to an " +
        '@cert-authority line of their host CA, or set insecure_ignore_host_key=true to connect unchecked as Vault 1.12 did',
    );
  }
  if (!isSafeAccountName(plan.username)) {
    throw new RequestError(
      `username ${JSON.stringify(plan.username)} is not an account name: use letters, digits, _ . - (at most 32)`,
    );
  }
  const adminKey = await readAdminKey(req.storage, role.key);
  if (adminKey === undefined) throw new InternalError(`key ${JSON.stringify(role.key)} not found`);
  const pair = await generateKeyPairAsync('rsa', role.keyBits);
  const keyLine = dynamicKeyLine(pair.publicKey, role.keyOptionSpecs);
  try {
    await changeAuthorizedKey(
      {
        ip: plan.ip,
        port: role.port,
        adminUser: role.adminUser,
        adminKey,
        knownHosts: role.knownHosts,
        insecureIgnoreHostKey: role.insecureIgnoreHostKey,
      },
      { action: 'install', username: plan.username, keyLine, installScript: role.installScript },
    );
  } catch (e) {
    throw new InternalError(`failed to add public key to authorized_keys file in target: ${(e as Error).message}`);
  }
  const internal: DynamicKeyLeaseData = {
    admin_user: role.adminUser,
    username: plan.username,
    ip: plan.ip,
    port: role.port,
    host_key_name: role.key,
    dynamic_public_key: keyLine,
    install_script: role.installScript,
    key_option_specs: role.keyOptionSpecs,
    known_hosts: role.knownHosts,
    insecure_ignore_host_key: role.insecureIgnoreHostKey,
  };
  return {
    data: { key: pair.privateKey, key_type: 'dynamic', username: plan.username, ip: plan.ip, port: role.port },
    secret: { ttl, renewable: true, internal: { ...internal } },
    ...(role.insecureIgnoreHostKey ? { warnings: [INSECURE_HOST_KEY_WARNING] } : {}),
  };
}

/**
 * Revoke a dynamic key's lease: uninstall its line from the account's authorized_keys. Throws (and the
 * lease stays) when the admin key is gone or the host cannot be reached; the message holds no secret.
 * Those are RequestErrors because Vault answers a failed `sys/leases/revoke` with a 400 carrying the
 * backend's message (logical_system.go's handleError), which the operator needs to act on.
 * Leases of other secrets are not its business (false).
 */
export async function revokeDynamicCredential(
  req: Pick<LogicalRequest, 'storage'>,
  internal: Readonly<Record<string, unknown>>,
): Promise<boolean> {
  if (!isLeaseData(internal)) return false;
  const data = internal as unknown as DynamicKeyLeaseData;
  const adminKey = await readAdminKey(req.storage, data.host_key_name);
  if (adminKey === undefined) throw new RequestError(`key ${JSON.stringify(data.host_key_name)} not found`);
  try {
    await changeAuthorizedKey(
      {
        ip: data.ip,
        port: data.port,
        adminUser: data.admin_user,
        adminKey,
        knownHosts: data.known_hosts,
        insecureIgnoreHostKey: data.insecure_ignore_host_key,
      },
      {
        action: 'uninstall',
        username: data.username,
        keyLine: data.dynamic_public_key,
        installScript: data.install_script,
      },
    );
  } catch (e) {
    throw new RequestError(`error removing public key from authorized_keys file in target: ${(e as Error).message}`);
  }
  return true;
}
