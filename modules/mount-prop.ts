// The SSH mount a construct works on, from `mount` (the name both surfaces use, as Vault's API does)
// or a deprecated old name: `backend` on roles (the Terraform attribute's name), `path` on
// SshCertificateAuthority and `mountPath` on SshEnvironment (their names before issue 16, point 5).

import type { Issue } from '../core/errors.js';
import { resolveMountAlias } from '../core/mount-path.js';

/** The props that name the SSH mount: `mount`, or its deprecated old name `backend`. */
export interface MountProps {
  /**
   * The SSH mount path (or a reference to it), e.g. `ssh-dev`. Required: give it, or the deprecated
   * `backend`, not both.
   * @default - none: the deprecated `backend` names the mount; one of the two is required
   */
  readonly mount?: string;
  /**
   * @deprecated use `mount` (same value, the name Vault's API and the Pulumi resources use).
   * @default - none: `mount` names the mount
   */
  readonly backend?: string;
}

/**
 * The mount `props` name under `mount` or the deprecated `alias`, and the issues when they name both,
 * or none and there is no `fallback` (core/mount-path.ts).
 */
export function resolveMount(
  props: { readonly mount?: string | undefined },
  alias = 'backend',
  fallback?: string,
): { mount: string; issues: Issue[] } {
  const value = (props as Readonly<Record<string, unknown>>)[alias] as string | undefined;
  return resolveMountAlias(props.mount, { name: alias, value }, fallback);
}
