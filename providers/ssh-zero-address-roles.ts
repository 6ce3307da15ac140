// `SshZeroAddressRoles`: the zero-address list of an SSH mount (`<mount>/config/zeroaddress`), the
// roles that issue one-time passwords for every IP whatever their cidr_list says. One per mount: a
// write replaces the whole list. Vault refuses a list naming a role that does not exist, so the
// resource depends on the roles it lists (SshEnvironment says so with `dependsOn`; roles passed as
// another resource's `name` output carry the dependency themselves). Replaces: `mount`; `roles`
// updates in place. `read` shows the list as the backend holds it.

import * as pulumi from '@pulumi/pulumi';
import { deleteZeroAddressRoles, readZeroAddressRoles, writeZeroAddressRoles } from '../client/ssh-api.js';
import type { Issue } from '../core/errors.js';
import { validateZeroAddressRoles, zeroAddressRolesToWire } from '../core/role-spec-otp.js';
import { connect, type ConnectionInputs } from './connection.js';
import { checkFailures, replacements } from './provider-kit.js';
import { resourceArgs, type ConnectionArgs } from './resource-kit.js';

/** What the SshZeroAddressRoles provider receives. */
export interface SshZeroAddressRolesInputs extends ConnectionInputs {
  readonly mount: string;
  readonly roles: readonly string[];
}

const listed = (inputs: SshZeroAddressRolesInputs): string[] => zeroAddressRolesToWire(inputs.roles ?? []).roles;

/** The dynamic provider behind SshZeroAddressRoles (serialized into the stack's state). */
export const sshZeroAddressRolesProvider: pulumi.dynamic.ResourceProvider = {
  async check(_olds, news: SshZeroAddressRolesInputs) {
    const issues: Issue[] = [];
    if (typeof news.mount !== 'string' || news.mount === '')
      issues.push({ field: 'mount', message: 'mount is required' });
    issues.push(...validateZeroAddressRoles(Array.isArray(news.roles) ? news.roles : []));
    return { inputs: news, failures: checkFailures(issues) };
  },
  async diff(_id, olds: SshZeroAddressRolesInputs, news: SshZeroAddressRolesInputs) {
    const replaces = replacements(olds, news, ['mount']);
    const changed =
      JSON.stringify(listed(olds)) !== JSON.stringify(listed(news)) ||
      olds.address !== news.address ||
      olds.token !== news.token;
    return { changes: replaces.length > 0 || changed, replaces, deleteBeforeReplace: false };
  },
  async create(inputs: SshZeroAddressRolesInputs) {
    await writeZeroAddressRoles(connect(inputs), inputs.mount, listed(inputs));
    return { id: `${inputs.mount}/config/zeroaddress`, outs: inputs };
  },
  async read(id, props: SshZeroAddressRolesInputs) {
    const roles = await readZeroAddressRoles(connect(props), props.mount);
    if (roles === undefined) return {};
    if (JSON.stringify(zeroAddressRolesToWire(roles).roles) === JSON.stringify(listed(props))) return { id, props };
    return { id, props: { ...props, roles } };
  },
  async update(_id, _olds, news: SshZeroAddressRolesInputs) {
    await writeZeroAddressRoles(connect(news), news.mount, listed(news));
    return { outs: news };
  },
  async delete(_id, props: SshZeroAddressRolesInputs) {
    await deleteZeroAddressRoles(connect(props), props.mount);
  },
};

/** Arguments of an SshZeroAddressRoles. */
export interface SshZeroAddressRolesArgs extends ConnectionArgs {
  /** The SSH mount. Changing it replaces the list. */
  readonly mount: pulumi.Input<string>;
  /** Roles of the mount that issue OTPs for every IP (each must exist; written sorted, duplicates dropped). */
  readonly roles: pulumi.Input<readonly pulumi.Input<string>[]>;
}

/** The zero-address list of an SSH mount (one per mount). */
export class SshZeroAddressRoles extends pulumi.dynamic.Resource {
  declare readonly mount: pulumi.Output<string>;
  declare readonly roles: pulumi.Output<string[]>;

  constructor(name: string, args: SshZeroAddressRolesArgs, opts?: pulumi.CustomResourceOptions) {
    super(...resourceArgs(sshZeroAddressRolesProvider, 'SshZeroAddressRoles', name, args, opts));
  }
}
