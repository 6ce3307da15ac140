// `SecretsMount`: an SSH secrets engine mounted at a path (sys/mounts), with its TTL tuning.
// Replaces: `path`, `type`. Updates in place: `description`, TTLs. Secret: `token`.
// Deleting it removes everything under the mount (its CA and roles) and leaves nothing behind.

import * as pulumi from '@pulumi/pulumi';
import { disableMount, enableMount, readMount, tuneMount } from '../client/sys-api.js';
import { parseDurationSeconds } from '../core/duration.js';
import type { Issue } from '../core/errors.js';
import { validateMountPath } from '../core/mount-path.js';
import { connect, type ConnectionInputs } from './connection.js';
import { checkFailures, defined, replacements } from './provider-kit.js';
import { resourceArgs, type ConnectionArgs } from './resource-kit.js';

/** Inputs as the provider sees them. */
export interface SecretsMountInputs extends ConnectionInputs {
  readonly path: string;
  readonly type?: string;
  readonly description?: string;
  readonly defaultLeaseTtl?: string | number;
  readonly maxLeaseTtl?: string | number;
}

const seconds = (v: string | number | undefined) => (v === undefined ? 0 : parseDurationSeconds(v));
const settings = (i: SecretsMountInputs) => ({
  description: i.description ?? '',
  defaultLeaseTtl: seconds(i.defaultLeaseTtl),
  maxLeaseTtl: seconds(i.maxLeaseTtl),
});

/** The dynamic provider behind SecretsMount (serialized into the stack's state). */
export const secretsMountProvider: pulumi.dynamic.ResourceProvider = {
  async check(_olds, news: SecretsMountInputs) {
    // Vault's refusals (a reserved path such as sys/) and our shape rule (core/mount-path.ts).
    const issues: Issue[] = validateMountPath(news.path, 'secrets');
    for (const field of ['defaultLeaseTtl', 'maxLeaseTtl'] as const) {
      try {
        seconds(news[field]);
      } catch (e) {
        issues.push({ field, message: `${field}: ${(e as Error).message}` });
      }
    }
    return { inputs: news, failures: checkFailures(issues) };
  },
  async diff(_id, olds: SecretsMountInputs, news: SecretsMountInputs) {
    const replaces = replacements({ ...olds, type: olds.type ?? 'ssh' }, { ...news, type: news.type ?? 'ssh' }, [
      'path',
      'type',
    ]);
    const changed =
      JSON.stringify(settings(olds)) !== JSON.stringify(settings(news)) ||
      olds.address !== news.address ||
      olds.token !== news.token;
    return { changes: replaces.length > 0 || changed, replaces, deleteBeforeReplace: replaces.length > 0 };
  },
  async create(inputs: SecretsMountInputs) {
    const client = connect(inputs);
    await enableMount(client, inputs.path, {
      type: inputs.type ?? 'ssh',
      description: inputs.description ?? '',
      ...(inputs.defaultLeaseTtl !== undefined ? { defaultLeaseTtl: inputs.defaultLeaseTtl } : {}),
      ...(inputs.maxLeaseTtl !== undefined ? { maxLeaseTtl: inputs.maxLeaseTtl } : {}),
    });
    const mount = await readMount(client, inputs.path);
    return { id: inputs.path, outs: { ...inputs, type: inputs.type ?? 'ssh', accessor: mount?.accessor ?? '' } };
  },
  async read(id, props: SecretsMountInputs & { accessor?: string }) {
    const mount = await readMount(connect(props), id);
    if (!mount) return {};
    const { default_lease_ttl, max_lease_ttl } = mount.config;
    return {
      id,
      props: defined({
        ...props,
        description: mount.description,
        defaultLeaseTtl:
          default_lease_ttl === seconds(props.defaultLeaseTtl) ? props.defaultLeaseTtl : default_lease_ttl,
        maxLeaseTtl: max_lease_ttl === seconds(props.maxLeaseTtl) ? props.maxLeaseTtl : max_lease_ttl,
        accessor: mount.accessor,
      }),
    };
  },
  async update(id, _olds, news: SecretsMountInputs) {
    const client = connect(news);
    await tuneMount(client, id, {
      description: news.description ?? '',
      defaultLeaseTtl: news.defaultLeaseTtl ?? 'system',
      maxLeaseTtl: news.maxLeaseTtl ?? 'system',
    });
    const mount = await readMount(client, id);
    return { outs: { ...news, type: news.type ?? 'ssh', accessor: mount?.accessor ?? '' } };
  },
  async delete(id, props: SecretsMountInputs) {
    await disableMount(connect(props), id);
  },
};

/** Arguments of a SecretsMount. */
export interface SecretsMountArgs extends ConnectionArgs {
  /** Mount path, e.g. `ssh-dev`. Changing it replaces the mount (and everything under it). */
  readonly path: pulumi.Input<string>;
  /** Engine type. Changing it replaces the mount. @default - `ssh` */
  readonly type?: pulumi.Input<string>;
  /** Shown by `vault secrets list`. @default - empty */
  readonly description?: pulumi.Input<string>;
  /** Vault duration, e.g. `"1h"`. @default - the system's default lease TTL (tuned back to it when removed) */
  readonly defaultLeaseTtl?: pulumi.Input<string | number>;
  /** Vault duration, e.g. `"24h"`. @default - the system's max lease TTL (tuned back to it when removed) */
  readonly maxLeaseTtl?: pulumi.Input<string | number>;
}

/** An SSH secrets engine mount (`sys/mounts/<path>`). Outputs: `path`, `type`, `accessor`; `token` is secret. */
export class SecretsMount extends pulumi.dynamic.Resource {
  /** The mount path. */
  declare readonly path: pulumi.Output<string>;
  /** The engine type. */
  declare readonly type: pulumi.Output<string>;
  /** The mount's accessor. */
  declare readonly accessor: pulumi.Output<string>;

  constructor(name: string, args: SecretsMountArgs, opts?: pulumi.CustomResourceOptions) {
    super(...resourceArgs(secretsMountProvider, 'SecretsMount', name, { ...args, accessor: undefined }, opts));
  }
}
