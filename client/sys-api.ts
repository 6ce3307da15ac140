// Typed calls for Vault's system endpoints the toolkit needs: health and secrets-engine mounts.

import type { VaultClient } from './vault-client.js';

/** `sys/health` as Vault answers it. */
export interface HealthStatus {
  readonly status: number;
  readonly initialized: boolean;
  readonly sealed: boolean;
  readonly standby: boolean;
  readonly version: string;
  readonly cluster_name?: string;
}

/** One mount as `sys/mounts` lists it. */
export interface MountInfo {
  readonly type: string;
  readonly description: string;
  readonly accessor: string;
  readonly config: { readonly default_lease_ttl: number; readonly max_lease_ttl: number };
  readonly [key: string]: unknown;
}

/** TTL settings of a mount: Vault durations (`"1h"`, `3600`); `"system"` resets on tune. */
export interface MountTtlInput {
  readonly defaultLeaseTtl?: string | number;
  readonly maxLeaseTtl?: string | number;
}

const ttlBody = (t: MountTtlInput) => ({
  ...(t.defaultLeaseTtl !== undefined ? { default_lease_ttl: t.defaultLeaseTtl } : {}),
  ...(t.maxLeaseTtl !== undefined ? { max_lease_ttl: t.maxLeaseTtl } : {}),
});

/** GET sys/health (unauthenticated); standby and sealed answers are statuses, not errors. */
export async function readHealth(client: VaultClient): Promise<HealthStatus> {
  const r = await client.call('GET', 'sys/health', {
    idempotent: true,
    anonymous: true,
    acceptStatuses: [429, 472, 473, 501, 503],
  });
  const body = JSON.parse(r?.body ?? '{}') as Omit<HealthStatus, 'status'>;
  return { ...body, status: r?.status ?? 0 };
}

/** Enable a secrets engine (default type `ssh`) at `path`. */
export async function enableMount(
  client: VaultClient,
  path: string,
  options: MountTtlInput & { readonly type?: string; readonly description?: string } = {},
): Promise<void> {
  await client.write(`sys/mounts/${path}`, {
    type: options.type ?? 'ssh',
    description: options.description ?? '',
    config: ttlBody(options),
  });
}

/** Disable the mount at `path` (its roles and CA are deleted with it). Absent mounts are fine. */
export const disableMount = (client: VaultClient, path: string): Promise<void> => client.delete(`sys/mounts/${path}`);

/** Every mount, keyed by path with a trailing slash. */
export async function listMounts(client: VaultClient): Promise<Record<string, MountInfo>> {
  return ((await client.read<Record<string, MountInfo>>('sys/mounts'))?.data ?? {}) as Record<string, MountInfo>;
}

/** The mount at `path`, or undefined. */
export async function readMount(client: VaultClient, path: string): Promise<MountInfo | undefined> {
  return (await client.read<MountInfo>(`sys/mounts/${path}`))?.data;
}

/** Effective TTLs (seconds) and description of a mount. */
export async function readMountTune(
  client: VaultClient,
  path: string,
): Promise<{ default_lease_ttl: number; max_lease_ttl: number; description: string } | undefined> {
  return (
    await client.read<{ default_lease_ttl: number; max_lease_ttl: number; description: string }>(
      `sys/mounts/${path}/tune`,
    )
  )?.data;
}

/** Change a mount's TTLs or description. */
export async function tuneMount(
  client: VaultClient,
  path: string,
  options: MountTtlInput & { readonly description?: string },
): Promise<void> {
  const body = {
    ...ttlBody(options),
    ...(options.description !== undefined ? { description: options.description } : {}),
  };
  await client.write(`sys/mounts/${path}/tune`, body, true);
}

/** Revoke a lease now (`sys/leases/revoke`): the backend undoes what it granted (an OTP, a dynamic key). */
export async function revokeLease(client: VaultClient, leaseId: string): Promise<void> {
  await client.write('sys/leases/revoke', { lease_id: leaseId });
}
