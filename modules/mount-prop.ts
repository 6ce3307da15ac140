// The SSH mount a construct works on, from `mount` (the name both surfaces use, as Vault's API does)
// or the deprecated `backend` (the Terraform attribute's name, used here before issue 16, point 5).

import type { Issue } from '../core/errors.js';

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

/** The mount `props` name, and the issues when they name none or both. */
export function resolveMount(props: MountProps): { mount: string; issues: Issue[] } {
  if (props.mount !== undefined && props.backend !== undefined)
    return {
      mount: props.mount,
      issues: [
        {
          field: 'mount',
          message: `give mount or the deprecated backend, not both (mount ${JSON.stringify(props.mount)}, backend ${JSON.stringify(props.backend)}): remove backend`,
        },
      ],
    };
  const mount = props.mount ?? props.backend;
  if (mount === undefined || mount === '')
    return {
      mount: '',
      issues: [{ field: 'mount', message: 'mount is required: the SSH mount path, e.g. "ssh-dev"' }],
    };
  return { mount, issues: [] };
}
