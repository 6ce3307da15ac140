// `AuditDevice`: an audit device (`vault_audit`), the CDKTF twin of the Pulumi resource of the same
// name, with the same validator (core/audit-device-spec.ts): a file device needs `file_path`.

import { Audit } from '@cdktf/provider-vault/lib/audit/index.js';
import { Construct } from 'constructs';
import { validateAuditDeviceSpec } from '../core/audit-device-spec.js';
import { validateWith } from './validation.js';

/** Props of an AuditDevice. */
export interface AuditDeviceProps {
  /** Where the device is enabled, e.g. `file`. */
  readonly path: string;
  /** Device type. @default - `file` (then `options.file_path` is required) */
  readonly type?: string;
  /** Shown by `vault audit list`. @default - empty */
  readonly description?: string;
  /** Device options as Vault names them: `file_path`, `log_raw`, `hmac_accessor`, `prefix`, `mode`. */
  readonly options: Readonly<Record<string, string>>;
}

/** An audit device (`vault_audit`, construct id `device`). */
export class AuditDevice extends Construct {
  /** The `vault_audit` resource. */
  readonly device: Audit;

  constructor(scope: Construct, id: string, props: AuditDeviceProps) {
    super(scope, id);
    const type = props.type ?? 'file';
    validateWith(this, () => validateAuditDeviceSpec({ ...props, type }));
    this.device = new Audit(this, 'device', {
      path: props.path,
      type,
      options: { ...props.options },
      ...(props.description ? { description: props.description } : {}),
    });
  }
}
