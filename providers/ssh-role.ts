// `SshRole`: a CA role of an SSH mount (`<mount>/roles/<name>`), every field in camelCase (see
// core/role-spec.ts for the fields and our secure defaults). Replaces: `mount`, `name`. Every other
// field updates in place (a role write replaces the whole role, as in Vault). `check` runs the same
// validators as the server and the CDKTF constructs; `diff` compares normalised roles, so "1h" and
// 3600 are equal; `read` shows changes made to the role outside Pulumi (providers/role-provider.ts).

import * as pulumi from '@pulumi/pulumi';
import { CA_ROLE_KIND } from '../core/role-kinds.js';
import type { RoleSpec } from '../core/role-spec.js';
import { roleProvider, type RoleInputs } from './role-provider.js';
import { resourceArgs, type ConnectionArgs } from './resource-kit.js';

/** What the SshRole provider receives: connection, mount, name and the CA role's fields. */
export type SshRoleInputs = RoleInputs<RoleSpec>;

/** The dynamic provider behind SshRole (serialized into the stack's state). */
export const sshRoleProvider: pulumi.dynamic.ResourceProvider = roleProvider(CA_ROLE_KIND);

/** Arguments of an SshRole: the mount, the name, and the role's fields. */
export type SshRoleArgs = ConnectionArgs & {
  /** The SSH mount. Changing it replaces the role. */
  readonly mount: pulumi.Input<string>;
  /** Role name, used in `<mount>/sign/<name>`. Changing it replaces the role. */
  readonly name: pulumi.Input<string>;
} & { readonly [K in keyof RoleSpec]?: pulumi.Input<NonNullable<RoleSpec[K]>> };

/** A CA role on an SSH mount. Outputs: its inputs; `token` is secret. */
export class SshRole extends pulumi.dynamic.Resource {
  /** The SSH mount. */
  declare readonly mount: pulumi.Output<string>;
  /** The role name. */
  declare readonly name: pulumi.Output<string>;

  constructor(name: string, args: SshRoleArgs, opts?: pulumi.CustomResourceOptions) {
    super(...resourceArgs(sshRoleProvider, 'SshRole', name, args, opts));
  }
}
