// `SshOtpRole`: a one-time-password role of an SSH mount (`<mount>/roles/<name>`, `key_type=otp`),
// fields in camelCase (see core/role-spec-otp.ts for them and our checks). Replaces: `mount`, `name`.
// Every other field updates in place. `check` runs the same validators as the server and the CDKTF
// construct; `read` shows changes made outside Pulumi (providers/role-provider.ts).

import * as pulumi from '@pulumi/pulumi';
import { OTP_ROLE_KIND } from '../core/role-kinds.js';
import type { OtpRoleSpec } from '../core/role-spec-otp.js';
import { roleProvider, type RoleInputs } from './role-provider.js';
import { resourceArgs, type ConnectionArgs } from './resource-kit.js';

/** What the SshOtpRole provider receives: connection, mount, name and the OTP role's fields. */
export type SshOtpRoleInputs = RoleInputs<OtpRoleSpec>;

/** The dynamic provider behind SshOtpRole (serialized into the stack's state). */
export const sshOtpRoleProvider: pulumi.dynamic.ResourceProvider = roleProvider(OTP_ROLE_KIND);

/** Arguments of an SshOtpRole: the mount, the name, and the role's fields. */
export type SshOtpRoleArgs = ConnectionArgs & {
  /** The SSH mount. Changing it replaces the role. */
  readonly mount: pulumi.Input<string>;
  /** Role name, used in `<mount>/creds/<name>`. Changing it replaces the role. */
  readonly name: pulumi.Input<string>;
  /** Account an OTP is for when the request names none. Required. */
  readonly defaultUser: pulumi.Input<string>;
  // Mapped over `Omit<…>` (not `Exclude<keyof …>`) so each field keeps OtpRoleSpec's TSDoc and @default.
} & {
  readonly [K in keyof Omit<OtpRoleSpec, 'defaultUser'>]?: pulumi.Input<
    NonNullable<Omit<OtpRoleSpec, 'defaultUser'>[K]>
  >;
};

/** A one-time-password role on an SSH mount. Outputs: its inputs; `token` is secret. */
export class SshOtpRole extends pulumi.dynamic.Resource {
  /** The SSH mount. */
  declare readonly mount: pulumi.Output<string>;
  /** The role name. */
  declare readonly name: pulumi.Output<string>;

  constructor(name: string, args: SshOtpRoleArgs, opts?: pulumi.CustomResourceOptions) {
    super(...resourceArgs(sshOtpRoleProvider, 'SshOtpRole', name, args, opts));
  }
}
