// The one validator of a mount path: where a secrets engine (`sys/mounts/:path`) or an auth method
// (`sys/auth/:path`) is enabled. Vault's own refusals (vault/mount.go, vault/auth.go), which the
// server answers as Vault does, plus our secure default that only the Pulumi and CDKTF surfaces apply
// (issue 16, point 2).

import type { Issue } from './errors.js';

/** Which mount table a path is for: secrets engines (`sys/mounts`) or auth methods (`sys/auth`). */
export type MountTableKind = 'secrets' | 'auth';

/**
 * Vault's `protectedMounts` (vault/mount.go): no secrets engine may be mounted at or under these.
 * An array, not a Set: it is serialized into Pulumi providers (docs/architecture.md).
 */
export const PROTECTED_MOUNT_PREFIXES: readonly string[] = ['audit/', 'auth/', 'sys/', 'cubbyhole/', 'identity/'];

/**
 * A mount path as Vault's `sanitizePath` makes it, before any check: no leading slash, one trailing
 * slash. Every leading and trailing slash goes (Vault's HTTP layer has already collapsed `//`, ours
 * has not), so `sys/mounts//cubbyhole` is `cubbyhole/` and meets the protected-prefix check.
 */
export const sanitizeMountPath = (path: string): string => `${path.replace(/^\/+|\/+$/g, '')}/`;

/**
 * Vault's own refusals of a mount path, the ones the server answers (400, the first one): the empty
 * path, a protected prefix for a secrets engine, the token method's path for an auth method. The
 * field is `path`.
 */
export function validateMountPathVault(path: string, kind: MountTableKind): Issue[] {
  const sanitized = sanitizeMountPath(path);
  if (sanitized === '/') return [{ field: 'path', message: 'cannot mount "/"' }];
  if (kind === 'secrets' && PROTECTED_MOUNT_PREFIXES.some((p) => sanitized.startsWith(p)))
    return [{ field: 'path', message: `cannot mount "${sanitized}"` }];
  if (kind === 'auth' && sanitized === 'token/')
    return [{ field: 'path', message: 'token credential backend cannot be instantiated' }];
  return [];
}

/** Our secure default: path segments of these characters, no empty segment, no slash at either end. */
const MOUNT_PATH_SHAPE = /^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/;

/**
 * Every problem of a mount path as the Pulumi and CDKTF surfaces see it: required, Vault's refusals
 * (`validateMountPathVault`), then our shape rule, which Vault does not have (it accepts `a b/` or
 * `/x/`) and the server therefore does not apply. The field is `path`.
 */
export function validateMountPath(path: unknown, kind: MountTableKind): Issue[] {
  if (typeof path !== 'string' || path === '')
    return [{ field: 'path', message: 'a mount path is required, e.g. "ssh-dev"' }];
  const issues = validateMountPathVault(path, kind);
  if (!MOUNT_PATH_SHAPE.test(path))
    issues.push({
      field: 'path',
      message: `invalid mount path ${JSON.stringify(path)}: use segments of letters, digits, _ . - separated by /, without a leading or trailing /`,
    });
  return issues;
}

/**
 * The SSH mount an IaC resource names under `mount` or under a deprecated old name (`backend`,
 * `path`, `mountPath`, given as `alias` with its value), else `fallback`; with the issue (field
 * `mount`) when both names are given, or neither and there is no fallback.
 */
export function resolveMountAlias(
  mount: string | undefined,
  alias: { readonly name: string; readonly value: string | undefined },
  fallback?: string,
): { mount: string; issues: Issue[] } {
  if (mount !== undefined && alias.value !== undefined) {
    const both = `mount ${JSON.stringify(mount)}, ${alias.name} ${JSON.stringify(alias.value)}`;
    const message = `give mount or the deprecated ${alias.name}, not both (${both}): remove ${alias.name}`;
    return { mount, issues: [{ field: 'mount', message }] };
  }
  const resolved = mount ?? alias.value ?? fallback;
  if (resolved === undefined || resolved === '')
    return {
      mount: '',
      issues: [{ field: 'mount', message: 'mount is required: the SSH mount path, e.g. "ssh-dev"' }],
    };
  return { mount: resolved, issues: [] };
}
