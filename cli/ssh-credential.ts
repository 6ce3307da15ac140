// Getting a credential from `<mount>/creds/<role>` for `sshca creds`, `sshca ssh --otp` and
// `sshca ssh --dynamic`: a one-time password, or a dynamic key from a backend in the legacy mode. The
// `creds` call with the backend's refusals turned into plain words (Vault's own text kept beside
// them), and the role lookup `vault ssh` does when no role is named.

import { createCredential, lookupRolesForIp, readRole, type SshCredential } from '../client/ssh-api.js';
import { isVaultApiError, type VaultClient } from '../client/vault-client.js';
import { RequestError } from '../core/errors.js';
import { invalidTokenError } from './auth.js';
import { noSuchMount } from './mount-errors.js';

/** What to ask for. */
export interface CredentialRequest {
  /** The role's kind: a one-time password or a dynamic key. */
  readonly kind: SshCredential['keyType'];
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

/** A role of another kind than asked for, in words. */
function kindMismatch(req: CredentialRequest, keyType: string): string {
  const flag = req.kind === 'otp' ? '--otp' : '--dynamic';
  return keyType === 'ca'
    ? `role ${req.role} is a certificate role: use "sshca login" or "sshca ssh" without ${flag}`
    : keyType === 'otp'
      ? `role ${req.role} is an OTP role: use --otp`
      : `role ${req.role} is a dynamic-key role: use --dynamic`;
}

/** The backend's refusal of a `creds` request, in plain words, then its own. */
function explain(req: CredentialRequest, status: number, errors: readonly string[]): string {
  const vault = vaultText(errors);
  const where = `${req.mount}/creds/${req.role}`;
  const who = req.username ?? "the role's default user";
  let plain: string;
  const what = req.kind === 'otp' ? 'one-time passwords' : 'dynamic keys';
  if (status === 403)
    plain = `your token may not ask for ${what} on ${where}: it needs a policy with "update" on that path`;
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
    plain =
      req.kind === 'otp'
        ? `role ${req.role} is not an OTP role (for certificate roles use "sshca login" or "sshca ssh" without --otp)`
        : `role ${req.role} is not a dynamic-key role (for certificate roles use "sshca login" or "sshca ssh" without --dynamic)`;
  } else if (/^dynamic key type(s have been removed| roles are no longer supported)$/.test(vault)) {
    plain = `role ${req.role} is a dynamic-key role and the backend does not run the legacy dynamic-key mode (Vault 1.13 and later never do; sshca serve --legacy-dynamic-keys does)`;
  } else if (/no handler for route|unsupported path/.test(vault)) {
    plain = noSuchMount(req.mount);
  } else plain = `the backend refused ${req.kind === 'otp' ? 'a one-time password' : 'a dynamic key'} on ${where}`;
  return `${plain} (backend said: ${vault || `HTTP ${status}`})`;
}

/**
 * Ask `<mount>/creds/<role>` for a credential of `req.kind`; refusals become a RequestError in words,
 * and so does a role of the other kind (an OTP role asked for a dynamic key, or the other way round).
 */
export async function requestCredential(client: VaultClient, req: CredentialRequest): Promise<SshCredential> {
  let cred: SshCredential;
  try {
    cred = await createCredential(client, req.mount, req.role, {
      ip: req.ip,
      ...(req.username !== undefined ? { username: req.username } : {}),
    });
  } catch (e) {
    const invalid = invalidTokenError(e);
    if (invalid) throw invalid;
    // Vault checks the address before the key type, so a role of another kind (a CA role has no
    // cidr_list) is refused for the address: say what the role is when the token may read it.
    if (isVaultApiError(e) && vaultText(e.errors) === 'Error validating IP: IP does not belong to role') {
      const keyType = await readRole(client, req.mount, req.role).then(
        (d) => d?.key_type,
        () => undefined,
      );
      if (keyType !== undefined && keyType !== req.kind) throw new RequestError(kindMismatch(req, String(keyType)));
    }
    // 500 only for a CA role ("key type unknown") or a dynamic role on a backend without the mode.
    if (
      isVaultApiError(e) &&
      ((e.status >= 400 && e.status < 500) ||
        /^(key type unknown|dynamic key types have been removed)$/.test(vaultText(e.errors)))
    ) {
      throw new RequestError(explain(req, e.status, e.errors));
    }
    throw e;
  }
  if (cred.keyType !== req.kind) {
    throw new RequestError(
      cred.keyType === 'otp'
        ? `role ${req.role} is an OTP role: use --otp (a one-time password was issued and will expire unused)`
        : `role ${req.role} is a dynamic-key role: use --dynamic (lease ${cred.leaseId} removes its key from the host when it ends)`,
    );
  }
  return cred;
}

/**
 * The one role of `kind` for `ip` on `mount`, found as `vault ssh` does without `-role`: the roles
 * `lookup` returns (cidr_list matches, then zero-address roles), each once; when there are several,
 * those of another key type are left out (a role the token may not read is kept).
 */
export async function findCredentialRole(
  client: VaultClient,
  mount: string,
  ip: string,
  kind: SshCredential['keyType'],
): Promise<string> {
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
    roles = roles.filter((_, i) => types[i] === undefined || types[i] === kind);
  }
  if (roles.length === 1) return roles[0]!;
  if (roles.length === 0) throw new RequestError(`no role of mount ${mount} covers ${ip}: name one with --role`);
  throw new RequestError(`several roles of mount ${mount} cover ${ip} (${roles.join(', ')}): choose one with --role`);
}
