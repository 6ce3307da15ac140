// Typed calls for the SSH secrets engine: the CA (config/ca, public_key), roles, sign and issue, and
// one-time passwords (creds, lookup, config/zeroaddress); OpenBao's issuers (several CA keys on one
// mount, reference §2.16) and the detection of a backend that has them, for staged CA rotation.
// Role bodies use Vault's snake_case wire shape (see core/role.ts for the model and its mapper).

import { RequestError } from '../core/errors.js';
import {
  planRotationStage,
  resolveLongestTtl,
  resolveRotationStatus,
  retiredIssuerName,
  rotationRefusal,
  vaultRotationMessage,
  type LongestTtl,
  type RotationStage,
  type RotationStatus,
  type RotationStep,
} from '../core/rotation.js';
import { isVaultApiError, type VaultClient } from './vault-client.js';

/** Generate the CA inside the backend (the private key never leaves it); returns the public key line. */
export async function generateCa(
  client: VaultClient,
  mount: string,
  options: { readonly keyType?: string; readonly keyBits?: number } = {},
): Promise<string> {
  const r = await client.write<{ public_key: string }>(`${mount}/config/ca`, {
    generate_signing_key: true,
    key_type: options.keyType ?? 'ed25519',
    ...(options.keyBits !== undefined ? { key_bits: options.keyBits } : {}),
  });
  return r?.data?.public_key ?? '';
}

/** Import a CA key pair the user owns. */
export async function importCa(
  client: VaultClient,
  mount: string,
  keys: { readonly publicKey: string; readonly privateKey: string },
): Promise<void> {
  await client.write(`${mount}/config/ca`, {
    generate_signing_key: false,
    public_key: keys.publicKey,
    private_key: keys.privateKey,
  });
}

/** The CA public key from the unauthenticated `public_key` endpoint, byte for byte; undefined when none. */
export async function readCaPublicKey(client: VaultClient, mount: string): Promise<string | undefined> {
  return (await client.call('GET', `${mount}/public_key`, { idempotent: true, anonymous: true }))?.body;
}

/** Delete the mount's CA (hosts that trust it must be given the next one first). */
export const deleteCa = (client: VaultClient, mount: string): Promise<void> => client.delete(`${mount}/config/ca`);

/** Create or replace a role (full replace: omitted fields take Vault's defaults). */
export async function writeRole(
  client: VaultClient,
  mount: string,
  name: string,
  role: Readonly<Record<string, unknown>>,
): Promise<void> {
  await client.write(`${mount}/roles/${name}`, role, true);
}

/** A role in Vault's read shape, or undefined. */
export async function readRole(
  client: VaultClient,
  mount: string,
  name: string,
): Promise<Record<string, unknown> | undefined> {
  return (await client.read(`${mount}/roles/${name}`))?.data;
}

/** Role names of a mount. */
export const listRoles = (client: VaultClient, mount: string): Promise<string[]> => client.list(`${mount}/roles`);

/** Delete a role (absent roles are fine). */
export const deleteRole = (client: VaultClient, mount: string, name: string): Promise<void> =>
  client.delete(`${mount}/roles/${name}`);

/** A signed certificate. */
export interface SignedCertificate {
  readonly serialNumber: string;
  readonly signedKey: string;
  readonly warnings: readonly string[];
}

/** Sign a public key under a role. `params` are Vault's sign parameters (`valid_principals`, `ttl`, …). */
export async function signKey(
  client: VaultClient,
  mount: string,
  role: string,
  params: Readonly<Record<string, unknown>> & { readonly public_key: string },
): Promise<SignedCertificate> {
  const r = await client.write<{ serial_number: string; signed_key: string }>(`${mount}/sign/${role}`, params);
  return {
    serialNumber: r?.data?.serial_number ?? '',
    signedKey: r?.data?.signed_key ?? '',
    warnings: r?.warnings ?? [],
  };
}

/** Generate a key pair in the backend and sign it (Vault 1.12+ `issue`). */
export async function issueKey(
  client: VaultClient,
  mount: string,
  role: string,
  params: Readonly<Record<string, unknown>> = {},
): Promise<SignedCertificate & { readonly privateKey: string; readonly privateKeyType: string }> {
  const r = await client.write<{
    serial_number: string;
    signed_key: string;
    private_key: string;
    private_key_type: string;
  }>(`${mount}/issue/${role}`, params);
  const d = r?.data;
  return {
    serialNumber: d?.serial_number ?? '',
    signedKey: d?.signed_key ?? '',
    privateKey: d?.private_key ?? '',
    privateKeyType: d?.private_key_type ?? '',
    warnings: r?.warnings ?? [],
  };
}

/**
 * A credential from `<mount>/creds/<role>`, with its lease: a one-time password (OTP role), or, from a
 * backend in the legacy dynamic-key mode, a private key whose public half the backend installed on the
 * host (dynamic role).
 */
export interface SshCredential {
  readonly leaseId: string;
  /** Seconds until it expires (an OTP unused; a dynamic key is removed from the host then). */
  readonly leaseDuration: number;
  /** The OTP itself (type it as the SSH password, once), or the private key (PEM). */
  readonly key: string;
  readonly keyType: 'otp' | 'dynamic';
  readonly username: string;
  readonly ip: string;
  readonly port: number;
  readonly warnings: readonly string[];
}

/** Ask a role for a credential for `username` (default: the role's) on the host at `ip`. */
export async function createCredential(
  client: VaultClient,
  mount: string,
  role: string,
  params: { readonly ip: string; readonly username?: string },
): Promise<SshCredential> {
  const r = await client.write<{ key: string; key_type: string; username: string; ip: string; port: number }>(
    `${mount}/creds/${role}`,
    { ip: params.ip, ...(params.username !== undefined ? { username: params.username } : {}) },
  );
  const d = r?.data;
  return {
    leaseId: r?.lease?.id ?? '',
    leaseDuration: r?.lease?.duration ?? 0,
    key: d?.key ?? '',
    keyType: d?.key_type === 'dynamic' ? 'dynamic' : 'otp',
    username: d?.username ?? '',
    ip: d?.ip ?? '',
    port: Number(d?.port ?? 22),
    warnings: r?.warnings ?? [],
  };
}

/** The roles whose `cidr_list` holds `ip`, then the zero-address roles (`<mount>/lookup`). */
export async function lookupRolesForIp(client: VaultClient, mount: string, ip: string): Promise<string[]> {
  const r = await client.write<{ roles: string[] | null }>(`${mount}/lookup`, { ip });
  return r?.data?.roles ?? [];
}

/** Roles that may issue OTPs for any IP (`<mount>/config/zeroaddress`); undefined when never configured. */
export async function readZeroAddressRoles(client: VaultClient, mount: string): Promise<string[] | undefined> {
  return (await client.read<{ roles: string[] }>(`${mount}/config/zeroaddress`))?.data?.roles;
}

/** Replace the zero-address role list (every role must exist). */
export async function writeZeroAddressRoles(
  client: VaultClient,
  mount: string,
  roles: readonly string[],
): Promise<void> {
  await client.write(`${mount}/config/zeroaddress`, { roles: [...roles] }, true);
}

/** Remove the zero-address configuration. */
export const deleteZeroAddressRoles = (client: VaultClient, mount: string): Promise<void> =>
  client.delete(`${mount}/config/zeroaddress`);

/** One CA key of a mount with OpenBao's issuers API (`LIST <mount>/issuers`). */
export interface SshIssuer {
  readonly id: string;
  /** `""` when unnamed. */
  readonly name: string;
  readonly isDefault: boolean;
  readonly publicKey: string;
}

/**
 * Whether the backend keeps several CA keys on this mount (OpenBao 2.3+ or the embedded server:
 * `<mount>/config/issuers` answers, with a default or with `no default issuer currently configured`),
 * or only one (Vault: that path does not exist, 404 or "unsupported path").
 */
export async function detectIssuersApi(client: VaultClient, mount: string): Promise<boolean> {
  try {
    return (await client.read(`${mount}/config/issuers`)) !== undefined;
  } catch (e) {
    if (isVaultApiError(e) && e.status === 400 && e.errors.includes('no default issuer currently configured'))
      return true;
    if (
      isVaultApiError(e) &&
      (e.status === 404 || e.status === 405 || e.errors.some((m) => /unsupported path/.test(m)))
    ) {
      return false;
    }
    throw e;
  }
}

/** Every issuer of a mount (empty when none). */
export async function listIssuers(client: VaultClient, mount: string): Promise<SshIssuer[]> {
  const r = await client.call<{
    keys?: string[];
    key_info?: Record<string, { issuer_name: string; is_default: boolean; public_key: string }>;
  }>('GET', `${mount}/issuers`, { idempotent: true, query: { list: 'true' } });
  return (r?.data?.keys ?? []).map((id) => {
    const info = r?.data?.key_info?.[id];
    return {
      id,
      name: info?.issuer_name ?? '',
      isDefault: info?.is_default === true,
      publicKey: info?.public_key ?? '',
    };
  });
}

/** Generate a new issuer inside the backend (`issuers/import/<name>`); it becomes the default only with `setDefault` (or when it is the first). */
export async function generateIssuer(
  client: VaultClient,
  mount: string,
  options: {
    readonly name: string;
    readonly keyType?: string;
    readonly keyBits?: number;
    readonly setDefault?: boolean;
  },
): Promise<SshIssuer> {
  const r = await client.write<{ issuer_id: string; issuer_name: string; public_key: string }>(
    `${mount}/issuers/import/${options.name}`,
    {
      generate_signing_key: true,
      key_type: options.keyType ?? 'ed25519',
      ...(options.keyBits !== undefined ? { key_bits: options.keyBits } : {}),
      set_default: options.setDefault === true,
    },
  );
  return {
    id: r?.data?.issuer_id ?? '',
    name: r?.data?.issuer_name ?? '',
    isDefault: options.setDefault === true,
    publicKey: r?.data?.public_key ?? '',
  };
}

/** Make an issuer (id or name) the mount's default: roles without `issuer_ref` sign with it. */
export async function setDefaultIssuer(client: VaultClient, mount: string, ref: string): Promise<void> {
  await client.write(`${mount}/config/issuers`, { default: ref }, true);
}

/** Rename an issuer (id or name). */
export async function renameIssuer(client: VaultClient, mount: string, ref: string, name: string): Promise<void> {
  await client.write(`${mount}/issuer/${ref}`, { issuer_name: name }, true);
}

/** Delete an issuer (id or name); absent issuers are fine. */
export const deleteIssuer = (client: VaultClient, mount: string, ref: string): Promise<void> =>
  client.delete(`${mount}/issuer/${ref}`);

/** The mount's effective max lease TTL in seconds (`sys/mounts/<mount>/tune`). */
export async function readMountMaxTtl(client: VaultClient, mount: string): Promise<number> {
  const r = await client.read<{ max_lease_ttl: number }>(`sys/mounts/${mount}/tune`);
  return Number(r?.data?.max_lease_ttl ?? 0);
}

/** The longest certificate lifetime of the mount's CA roles (the stage-3 rule of core/rotation.ts). */
export async function readLongestTtl(client: VaultClient, mount: string): Promise<LongestTtl> {
  const roles = [];
  for (const name of await listRoles(client, mount)) {
    const r = await readRole(client, mount, name);
    if (r) roles.push({ name, keyType: String(r.key_type ?? ''), maxTtl: Number(r.max_ttl ?? 0) });
  }
  return resolveLongestTtl(roles, await readMountMaxTtl(client, mount));
}

/** Where the rotation of a mount stands, read from the backend; refused (RequestError) on Vault. */
export async function readRotation(
  client: VaultClient,
  mount: string,
): Promise<{ readonly status: RotationStatus; readonly longest: LongestTtl }> {
  if (!(await detectIssuersApi(client, mount))) throw new RequestError(vaultRotationMessage(mount));
  const longest = await readLongestTtl(client, mount);
  return { status: resolveRotationStatus(await listIssuers(client, mount), longest.seconds), longest };
}

/**
 * Run one rotation stage on a mount with the issuers API, the one implementation behind `sshca rotate`
 * and the Pulumi SshCertificateAuthority's `rotation`: the stage is planned by core/rotation.ts
 * against the backend's state (a stage that already ran changes nothing), refused with `sshca
 * rotate`'s message (RequestError), else carried out. `now` gives Unix seconds.
 */
export async function runRotationStage(
  client: VaultClient,
  mount: string,
  stage: RotationStage,
  options: { readonly now: () => number; readonly keyType?: string },
): Promise<{
  readonly step: RotationStep;
  readonly status: RotationStatus;
  readonly longest: LongestTtl;
  readonly staged?: SshIssuer;
}> {
  const { status: before, longest } = await readRotation(client, mount);
  const { step, issues } = planRotationStage(before, stage, options.now(), longest);
  if (issues.length > 0) throw new RequestError(rotationRefusal(issues));
  let staged: SshIssuer | undefined;
  switch (step!.kind) {
    case 'stage1':
      staged = await generateIssuer(client, mount, {
        name: step!.stagedName,
        ...(options.keyType ? { keyType: options.keyType } : {}),
      });
      break;
    case 'stage2':
      // Switch first, then name the old key with a time taken after the switch: no certificate
      // of the old key is younger than that time, so stage 3's rule counts from a safe moment.
      await setDefaultIssuer(client, mount, step!.newId);
      await renameIssuer(client, mount, step!.oldId, retiredIssuerName(options.now()));
      await renameIssuer(client, mount, step!.newId, step!.activeName);
      break;
    case 'stage3':
      await deleteIssuer(client, mount, step!.retiredId);
      break;
    case 'nothing':
      break;
  }
  const status = resolveRotationStatus(await listIssuers(client, mount), longest.seconds);
  return { step: step!, status, longest, ...(staged ? { staged } : {}) };
}
