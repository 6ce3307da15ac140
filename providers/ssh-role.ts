// `SshRole`: a CA role of an SSH mount (`<mount>/roles/<name>`), every field in camelCase (see
// core/role-spec.ts for the fields and our secure defaults). Replaces: `mount`, `name`. Every other
// field updates in place (a role write replaces the whole role, as in Vault). `check` runs the same
// validators as the server and the CDKTF constructs; `diff` compares normalised roles, so "1h" and
// 3600 are equal; `read` shows changes made to the role outside Pulumi.

import * as pulumi from '@pulumi/pulumi';
import { deleteRole, readRole, writeRole } from '../client/ssh-api.js';
import type { Issue } from '../core/errors.js';
import { isValidRoleName } from '../core/role.js';
import {
  normalisedRole,
  roleSpecFromWire,
  roleSpecToWire,
  validateRoleSpec,
  type RoleSpec,
} from '../core/role-spec.js';
import { connect, type ConnectionInputs } from './connection.js';
import { checkFailures, defined, replacements, without } from './provider-kit.js';
import { connectionInputs, type ConnectionArgs } from './resource-kit.js';

export interface SshRoleInputs extends ConnectionInputs, RoleSpec {
  readonly mount: string;
  readonly name: string;
}

const NOT_ROLE_FIELDS = ['mount', 'name', 'address', 'token', '__provider'];
const specOf = (inputs: SshRoleInputs): RoleSpec => without(inputs, NOT_ROLE_FIELDS) as RoleSpec;

export const sshRoleProvider: pulumi.dynamic.ResourceProvider = {
  async check(_olds, news: SshRoleInputs) {
    const issues: Issue[] = [];
    if (typeof news.mount !== 'string' || news.mount === '')
      issues.push({ field: 'mount', message: 'mount is required' });
    if (typeof news.name !== 'string' || !isValidRoleName(news.name)) {
      issues.push({
        field: 'name',
        message: `role name ${JSON.stringify(news.name)} must be letters, digits, _ - . @, not starting or ending with - . @`,
      });
    }
    issues.push(...validateRoleSpec(specOf(news)));
    return { inputs: news, failures: checkFailures(issues) };
  },
  async diff(_id, olds: SshRoleInputs, news: SshRoleInputs) {
    const replaces = replacements(olds, news, ['mount', 'name']);
    const changed =
      normalisedRole(specOf(olds)) !== normalisedRole(specOf(news)) ||
      olds.address !== news.address ||
      olds.token !== news.token;
    return { changes: replaces.length > 0 || changed, replaces, deleteBeforeReplace: false };
  },
  async create(inputs: SshRoleInputs) {
    await writeRole(connect(inputs), inputs.mount, inputs.name, roleSpecToWire(specOf(inputs)));
    return { id: `${inputs.mount}/roles/${inputs.name}`, outs: inputs };
  },
  async read(id, props: SshRoleInputs) {
    const current = await readRole(connect(props), props.mount, props.name);
    if (!current) return {};
    const actual = roleSpecFromWire(current);
    if (normalisedRole(actual) === normalisedRole(specOf(props))) return { id, props };
    return { id, props: defined({ ...without(props, Object.keys(actual)), ...actual }) };
  },
  async update(_id, _olds, news: SshRoleInputs) {
    await writeRole(connect(news), news.mount, news.name, roleSpecToWire(specOf(news)));
    return { outs: news };
  },
  async delete(_id, props: SshRoleInputs) {
    await deleteRole(connect(props), props.mount, props.name);
  },
};

/** Arguments of an SshRole: the mount, the name, and the role's fields. */
export type SshRoleArgs = ConnectionArgs & {
  /** The SSH mount. Changing it replaces the role. */
  readonly mount: pulumi.Input<string>;
  /** Role name, used in `<mount>/sign/<name>`. Changing it replaces the role. */
  readonly name: pulumi.Input<string>;
} & { readonly [K in keyof RoleSpec]?: pulumi.Input<NonNullable<RoleSpec[K]>> };

/** A CA role on an SSH mount. */
export class SshRole extends pulumi.dynamic.Resource {
  declare readonly mount: pulumi.Output<string>;
  declare readonly name: pulumi.Output<string>;

  constructor(name: string, args: SshRoleArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      sshRoleProvider,
      name,
      { ...args, ...connectionInputs(args) },
      { ...opts, additionalSecretOutputs: ['token'] },
      'vault-ssh-ca',
      'SshRole',
    );
  }
}
