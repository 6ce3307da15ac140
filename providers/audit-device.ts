// `AuditDevice`: a file audit device (sys/audit). Vault cannot change a device in place, so every
// input replaces it (and a re-enabled device gets a new salt, so its hashes change).

import * as pulumi from '@pulumi/pulumi';
import { disableAudit, enableAudit, listAuditDevices } from '../client/access-api.js';
import { validateAuditDeviceSpec } from '../core/audit-device-spec.js';
import { connect, type ConnectionInputs } from './connection.js';
import { checkFailures, replacements } from './provider-kit.js';
import { resourceArgs, type ConnectionArgs } from './resource-kit.js';

/** What the AuditDevice provider receives. */
export interface AuditDeviceInputs extends ConnectionInputs {
  readonly path: string;
  readonly type?: string;
  readonly description?: string;
  readonly options: Readonly<Record<string, string>>;
}

/** The dynamic provider behind AuditDevice (serialized into the stack's state). */
export const auditDeviceProvider: pulumi.dynamic.ResourceProvider = {
  async check(_olds, news: AuditDeviceInputs) {
    // Our path rule and Vault's refusals (core/audit-device-spec.ts).
    const issues = validateAuditDeviceSpec({ ...news, type: news.type ?? 'file' });
    return { inputs: news, failures: checkFailures(issues) };
  },
  async diff(_id, olds: AuditDeviceInputs, news: AuditDeviceInputs) {
    const norm = (i: AuditDeviceInputs) => ({ ...i, type: i.type ?? 'file', description: i.description ?? '' });
    const replaces = replacements(norm(olds), norm(news), ['path', 'type', 'description', 'options']);
    const changed = olds.address !== news.address || olds.token !== news.token;
    return { changes: replaces.length > 0 || changed, replaces, deleteBeforeReplace: replaces.length > 0 };
  },
  async create(inputs: AuditDeviceInputs) {
    await enableAudit(connect(inputs), inputs.path, {
      type: inputs.type ?? 'file',
      description: inputs.description ?? '',
      options: inputs.options,
    });
    return { id: inputs.path, outs: inputs };
  },
  async read(id, props: AuditDeviceInputs) {
    const device = (await listAuditDevices(connect(props)))[`${props.path}/`];
    return device
      ? { id, props: { ...props, type: device.type, description: device.description, options: device.options } }
      : {};
  },
  async update(_id, _olds, news: AuditDeviceInputs) {
    return { outs: news };
  },
  async delete(_id, props: AuditDeviceInputs) {
    await disableAudit(connect(props), props.path);
  },
};

/** Arguments of an AuditDevice. Every input replaces the device. */
export interface AuditDeviceArgs extends ConnectionArgs {
  /** Where the device is enabled, e.g. `file`. */
  readonly path: pulumi.Input<string>;
  /** Device type. @default - `file` (then `options.file_path` is required) */
  readonly type?: pulumi.Input<string>;
  /** Shown by `vault audit list`. @default - empty */
  readonly description?: pulumi.Input<string>;
  /** Device options as Vault names them: `file_path`, `log_raw`, `hmac_accessor`, `prefix`, `mode`. */
  readonly options: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

/** A file audit device (`sys/audit/<path>`). Outputs: its inputs; `token` is secret. */
export class AuditDevice extends pulumi.dynamic.Resource {
  /** Where the device is enabled. */
  declare readonly path: pulumi.Output<string>;

  constructor(name: string, args: AuditDeviceArgs, opts?: pulumi.CustomResourceOptions) {
    super(...resourceArgs(auditDeviceProvider, 'AuditDevice', name, args, opts));
  }
}
