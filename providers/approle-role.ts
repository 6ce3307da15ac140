// `AppRoleRole`: a role of an AppRole auth method (auth/<mount>/role/<name>): the secret ID rules of
// the machines that log in with it (bound, short-lived, few uses) and the policies and TTLs of the
// tokens they get. Replaces: `mount`, `name`. Every other input updates in place. Outputs: its inputs
// and `roleId` (Vault's UUID, not a secret on its own); `token` is secret. Enable the method with an
// `AuthMethod` of type `approle`.

import * as pulumi from '@pulumi/pulumi';
import { readAppRoleRoleId } from '../client/approle-api.js';
import { deleteAuthRole, readAuthRole, writeAuthRole } from '../client/auth-role-api.js';
import {
  appRoleRoleSpecFromWire,
  appRoleRoleSpecToWire,
  appRoleRoleWireFromRead,
  DEFAULT_APPROLE_AUTH_PATH,
  validateAppRoleRoleSpec,
  type AppRoleRoleSpec,
} from '../core/approle-role-spec.js';
import { connect, type ConnectionInputs } from './connection.js';
import { checkAuthRole, diffAuthRole } from './provider-kit.js';
import { resourceArgs, type ConnectionArgs } from './resource-kit.js';

/** What the AppRoleRole provider receives. */
export interface AppRoleRoleInputs extends ConnectionInputs, AppRoleRoleSpec {
  readonly mount?: string;
  readonly name: string;
}

/** Vault's role names (GenericNameRegex). */
const mountOf = (i: AppRoleRoleInputs) => i.mount ?? DEFAULT_APPROLE_AUTH_PATH;
/** The wire form of a spec, or undefined when it does not map (check reports why). */
const wireOf = (i: AppRoleRoleInputs): Record<string, unknown> | undefined => {
  try {
    return appRoleRoleSpecToWire(i);
  } catch {
    return undefined;
  }
};

/** Write the role and read its role_id: the outputs. */
async function writeRole(inputs: AppRoleRoleInputs): Promise<Record<string, unknown>> {
  const client = connect(inputs);
  await writeAuthRole(client, mountOf(inputs), inputs.name, appRoleRoleSpecToWire(inputs));
  const roleId = await readAppRoleRoleId(client, mountOf(inputs), inputs.name);
  return { ...inputs, roleId: roleId ?? '' };
}

/** The dynamic provider behind AppRoleRole (serialized into the stack's state). */
export const appRoleRoleProvider: pulumi.dynamic.ResourceProvider = {
  async check(_olds, news: AppRoleRoleInputs) {
    // Vault's refusals and our rules (core/approle-role-spec.ts), then the role's name.
    return { inputs: news, failures: checkAuthRole(validateAppRoleRoleSpec(news), news) };
  },
  async diff(_id, olds: AppRoleRoleInputs, news: AppRoleRoleInputs) {
    return diffAuthRole(
      {
        olds: { mount: mountOf(olds), name: olds.name.toLowerCase() },
        news: { mount: mountOf(news), name: news.name.toLowerCase() },
      },
      { olds: wireOf(olds), news: wireOf(news) },
      { olds, news },
    );
  },
  async create(inputs: AppRoleRoleInputs) {
    return { id: `auth/${mountOf(inputs)}/role/${inputs.name.toLowerCase()}`, outs: await writeRole(inputs) };
  },
  async read(id, props: AppRoleRoleInputs & { roleId?: string }) {
    const client = connect(props);
    const role = await readAuthRole(client, mountOf(props), props.name);
    if (!role) return {};
    const roleId = (await readAppRoleRoleId(client, mountOf(props), props.name)) ?? '';
    if (JSON.stringify(appRoleRoleWireFromRead(role)) === JSON.stringify(wireOf(props))) {
      return { id, props: { ...props, roleId } };
    }
    // Changed outside Pulumi: show what the backend holds, so the next update writes the program's role.
    return { id, props: { ...props, ...appRoleRoleSpecFromWire(role), roleId } };
  },
  async update(_id, _olds, news: AppRoleRoleInputs) {
    // Vault keeps the role_id of an existing role when the body names none.
    return { outs: await writeRole(news) };
  },
  async delete(_id, props: AppRoleRoleInputs) {
    await deleteAuthRole(connect(props), mountOf(props), props.name);
  },
};

/** Arguments of an AppRoleRole: its mount and name, and every AppRoleRoleSpec member. */
export interface AppRoleRoleArgs extends ConnectionArgs {
  /** The AppRole auth mount (an AuthMethod's `path`). Changing it replaces the role. @default - `approle` */
  readonly mount?: pulumi.Input<string>;
  /** Role name, what a secret ID is issued for. Changing it replaces the role. */
  readonly name: pulumi.Input<string>;
  /** Require a secret ID at login; only `true` is accepted. @default - true */
  readonly bindSecretId?: pulumi.Input<boolean>;
  /** CIDR blocks logins with its secret IDs may come from. @default - none: from any address */
  readonly secretIdBoundCidrs?: pulumi.Input<pulumi.Input<string>[]>;
  /** Logins each secret ID allows; 0 for unlimited. @default - 1 */
  readonly secretIdNumUses?: pulumi.Input<number>;
  /** Lifetime of its secret IDs. @default - 10 minutes (`"10m"`) */
  readonly secretIdTtl?: pulumi.Input<string | number>;
  /** Policies of its tokens (plus `default`). @default - none: tokens get `default` only */
  readonly tokenPolicies?: pulumi.Input<pulumi.Input<string>[]>;
  /** TTL of its tokens. @default - 15 minutes (`"15m"`) */
  readonly tokenTtl?: pulumi.Input<string | number>;
  /** Max TTL of its tokens. @default - 1 hour (`"1h"`) */
  readonly tokenMaxTtl?: pulumi.Input<string | number>;
  /** A hard cap on its tokens' lifetime. @default - none (`tokenMaxTtl` caps) */
  readonly tokenExplicitMaxTtl?: pulumi.Input<string | number>;
  /** Leave the `default` policy off its tokens. @default - false */
  readonly tokenNoDefaultPolicy?: pulumi.Input<boolean>;
  /** Uses of each token; 0 for unlimited. @default - 0 */
  readonly tokenNumUses?: pulumi.Input<number>;
  /** Renewal period of periodic tokens. @default - none */
  readonly tokenPeriod?: pulumi.Input<string | number>;
  /** `service`, `batch`, `default`, `default-service` or `default-batch`. @default - `default` */
  readonly tokenType?: pulumi.Input<string>;
  /** CIDR blocks its tokens may be used from. @default - none: from any address */
  readonly tokenBoundCidrs?: pulumi.Input<pulumi.Input<string>[]>;
}

/** An AppRole role (`auth/<mount>/role/<name>`). Outputs: its inputs, `roleId`; `token` is secret. */
export class AppRoleRole extends pulumi.dynamic.Resource {
  /** The role name. */
  declare readonly name: pulumi.Output<string>;
  /** The AppRole auth mount. */
  declare readonly mount: pulumi.Output<string>;
  /** The role_id machines log in with (with a secret ID). */
  declare readonly roleId: pulumi.Output<string>;

  constructor(name: string, args: AppRoleRoleArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      ...resourceArgs(
        appRoleRoleProvider,
        'AppRoleRole',
        name,
        { mount: DEFAULT_APPROLE_AUTH_PATH, ...args, roleId: undefined },
        opts,
      ),
    );
  }
}
