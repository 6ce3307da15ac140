// The dynamic provider of a role on an SSH mount (`<mount>/roles/<name>`), for one key type: CA roles
// (`SshRole`) and one-time-password roles (`SshOtpRole`) differ only in their spec's validator and
// mappers, given as a `RoleSpecKind` (core/role-kinds.ts). Replaces: `mount`, `name`; every other field updates in place
// (a role write replaces the whole role, as in Vault). `diff` compares normalised roles; `read`
// shows changes made outside Pulumi, and a role that is gone or now of another key type as gone.

import type * as pulumi from '@pulumi/pulumi';
import { deleteRole, readRole, writeRole } from '../client/ssh-api.js';
import type { Issue } from '../core/errors.js';
import type { RoleSpecKind } from '../core/role-kinds.js';
import { isValidRoleName } from '../core/role.js';
import { connect, type ConnectionInputs } from './connection.js';
import { checkFailures, defined, replacements, without } from './provider-kit.js';

/** Inputs of a role resource: where the role lives, and its spec. */
export type RoleInputs<S> = ConnectionInputs & S & { readonly mount: string; readonly name: string };

const NOT_ROLE_FIELDS = ['mount', 'name', 'address', 'token', '__provider'];

/** The dynamic provider for roles of one kind. */
export function roleProvider<S extends object>(kind: RoleSpecKind<S>): pulumi.dynamic.ResourceProvider {
  const specOf = (inputs: RoleInputs<S>): S => without(inputs, NOT_ROLE_FIELDS) as S;
  return {
    async check(_olds, news: RoleInputs<S>) {
      const issues: Issue[] = [];
      if (typeof news.mount !== 'string' || news.mount === '')
        issues.push({ field: 'mount', message: 'mount is required' });
      if (typeof news.name !== 'string' || !isValidRoleName(news.name)) {
        issues.push({
          field: 'name',
          message: `role name ${JSON.stringify(news.name)} must be letters, digits, _ - . @, not starting or ending with - . @`,
        });
      }
      issues.push(...kind.validate(specOf(news)));
      return { inputs: news, failures: checkFailures(issues) };
    },
    async diff(_id, olds: RoleInputs<S>, news: RoleInputs<S>) {
      const replaces = replacements(olds, news, ['mount', 'name']);
      const changed =
        kind.normalise(specOf(olds)) !== kind.normalise(specOf(news)) ||
        olds.address !== news.address ||
        olds.token !== news.token;
      return { changes: replaces.length > 0 || changed, replaces, deleteBeforeReplace: false };
    },
    async create(inputs: RoleInputs<S>) {
      await writeRole(connect(inputs), inputs.mount, inputs.name, kind.toWire(specOf(inputs)));
      return { id: `${inputs.mount}/roles/${inputs.name}`, outs: inputs };
    },
    async read(id, props: RoleInputs<S>) {
      const current = await readRole(connect(props), props.mount, props.name);
      if (!current || current.key_type !== kind.keyType) return {};
      const actual = kind.fromWire(current);
      if (kind.normalise(actual) === kind.normalise(specOf(props))) return { id, props };
      return { id, props: defined({ ...without(props, Object.keys(actual)), ...actual }) };
    },
    async update(_id, _olds, news: RoleInputs<S>) {
      await writeRole(connect(news), news.mount, news.name, kind.toWire(specOf(news)));
      return { outs: news };
    },
    async delete(_id, props: RoleInputs<S>) {
      await deleteRole(connect(props), props.mount, props.name);
    },
  };
}
