// Getting a one-time password for `sshca creds` and `sshca ssh --otp`: the `creds` call with the
// backend's refusals turned into plain words (Vault's own text kept beside them), and the role
// lookup `vault ssh -mode=otp` does when no role is named.

import { createOtpCredential, lookupRolesForIp, readRole, type OtpCredential } from '../client/ssh-api.js';
import { isVaultApiError, type VaultClient } from '../client/vault-client.js';
import { RequestError } from '../core/errors.js';
import { invalidTokenError } from './auth.js';
import { noSuchMount } from './mount-errors.js';

/** What to ask for. */
export interface OtpRequest {
  readonly mount: string;
  readonly role: string;
  readonly ip: string;
  /** The account on the host; the role's default user when absent. */
  readonly username?: string;
  /** How the command line names the account, for the hint in a refusal. @default "--user" */
  readonly userHint?: string;
}

/** Vault's first error text (one `1 error occurred` wrapper removed). */
const vaultText = (errors: readonly string[]) => errors.join('; ').replace(/^1 error occurred:\n\t\* (.*)\n\n$/s, '$1');

/** The backend's refusal of a `creds` request, in plain words, then its own. */
function explain(req: OtpRequest, status: number, errors: readonly string[]): string {
  const vault = vaultText(errors);
  const where = `${req.mount}/creds/${req.role}`;
  const who = req.username ?? "the role's default user";
  let plain: string;
  if (status === 403)
    plain = `your token may not ask for one-time passwords on ${where}: it needs a policy with "update" on that path`;
  else if (/^Role ".*" not found$/.test(vault)) plain = `role ${req.role} does not exist on mount ${req.mount}`;
  else if (vault === 'Username is not present is allowed users list') {
    plain = `user ${who} is not allowed by role ${req.role}`;
  } else if (vault === 'Username has to be either in allowed users list or has to be a default username') {
    plain = `user ${who} is not allowed by role ${req.role}, which allows only its default user`;
  } else if (/^No default username registered/.test(vault)) {
    plain = `role ${req.role} has no default user: name the account with ${req.userHint ?? '--user'}`;
  } else if (/^Invalid IP /.test(vault)) plain = `${req.ip} is not an IP address`;
  else if (vault === 'Error validating IP: IP does not belong to role') {
    plain = `ip ${req.ip} is not in the cidr_list of role ${req.role} (or it is in its exclude_cidr_list)`;
  } else if (/^Error validating IP: invalid CIDR entry/.test(vault)) {
    plain = `role ${req.role} has a cidr_list entry the backend cannot read`;
  } else if (vault === 'key type unknown') {
    plain = `role ${req.role} is not an OTP role (for certificate roles use "sshca login" or "sshca ssh" without --otp)`;
  } else if (/no handler for route|unsupported path/.test(vault)) {
    plain = noSuchMount(req.mount);
  } else plain = `the backend refused a one-time password on ${where}`;
  return `${plain} (backend said: ${vault || `HTTP ${status}`})`;
}

/** Ask `<mount>/creds/<role>` for a one-time password; refusals become a RequestError in words. */
export async function requestOtp(client: VaultClient, req: OtpRequest): Promise<OtpCredential> {
  try {
    return await createOtpCredential(client, req.mount, req.role, {
      ip: req.ip,
      ...(req.username !== undefined ? { username: req.username } : {}),
    });
  } catch (e) {
    const invalid = invalidTokenError(e);
    if (invalid) throw invalid;
    // 500 only for a CA role ("key type unknown"): anything else of 5xx is the backend's own failure.
    if (isVaultApiError(e) && ((e.status >= 400 && e.status < 500) || vaultText(e.errors) === 'key type unknown')) {
      throw new RequestError(explain(req, e.status, e.errors));
    }
    throw e;
  }
}

/**
 * The one OTP role for `ip` on `mount`, found as `vault ssh -mode=otp` does without `-role`: the
 * roles `lookup` returns (cidr_list matches, then zero-address roles), each once; when there are
 * several, those that are not OTP roles are left out (a role the token may not read is kept).
 */
export async function findOtpRole(client: VaultClient, mount: string, ip: string): Promise<string> {
  let roles: string[];
  try {
    roles = [...new Set(await lookupRolesForIp(client, mount, ip))];
  } catch (e) {
    if (isVaultApiError(e) && e.status >= 400 && e.status < 500) {
      const vault = vaultText(e.errors);
      const plain =
        e.status === 403
          ? `your token may not look up roles on ${mount}/lookup: name the role with --role`
          : `cannot look up the roles for ${ip} on ${mount}`;
      throw new RequestError(`${plain} (backend said: ${vault || `HTTP ${e.status}`})`);
    }
    throw e;
  }
  if (roles.length > 1) {
    const types = await Promise.all(
      roles.map((r) =>
        readRole(client, mount, r).then(
          (d) => d?.key_type,
          () => undefined,
        ),
      ),
    );
    roles = roles.filter((_, i) => types[i] === undefined || types[i] === 'otp');
  }
  if (roles.length === 1) return roles[0]!;
  if (roles.length === 0) throw new RequestError(`no role of mount ${mount} covers ${ip}: name one with --role`);
  throw new RequestError(`several roles of mount ${mount} cover ${ip} (${roles.join(', ')}): choose one with --role`);
}
