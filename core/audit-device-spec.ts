// The one validator of an audit device (`sys/audit/:path`): Vault's own refusals that need no state,
// which the server answers as Vault does, plus our path rule that only the Pulumi surface applies (no
// CDKTF construct exists yet: issue 19). Issue 16, point 2.

import type { Issue } from './errors.js';
import { sanitizeMountPath } from './mount-path.js';

/** An audit device as enabled. */
export interface AuditDeviceSpec {
  /** Where the device is enabled, e.g. `file`. */
  readonly path: string;
  /** Device type. @default - none: refused, Vault needs one (the Pulumi resource sends `file`) */
  readonly type?: string;
  /** Device options as Vault names them (`file_path`, `mode`, …). @default - none */
  readonly options?: Readonly<Record<string, string>>;
}

/** The device types Vault has (builtin/audit). An array: it is serialized into Pulumi providers. */
const VAULT_AUDIT_TYPES: readonly string[] = ['file', 'socket', 'syslog'];

/**
 * Vault's own refusals of an audit device that need no state (the server answers the first with
 * 400; `path already in use` is checked before them, against the enabled devices): a path, a type,
 * a type Vault has, and for a file device `file_path` and an octal `mode`. Fields `path`, `type`,
 * `options`.
 */
export function validateAuditDeviceVault(spec: AuditDeviceSpec): Issue[] {
  if (sanitizeMountPath(spec.path) === '/') return [{ field: 'path', message: 'backend path must be specified' }];
  const type = spec.type ?? '';
  if (type === '') return [{ field: 'type', message: 'type is required' }];
  if (!VAULT_AUDIT_TYPES.includes(type)) return [{ field: 'type', message: `unknown backend type: "${type}"` }];
  if (type !== 'file') return [];
  const options = spec.options ?? {};
  if (options.file_path === undefined || options.file_path === '')
    return [{ field: 'options', message: 'file_path is required' }];
  if (options.mode !== undefined) {
    const mode = Number.parseInt(options.mode, 8);
    if (!Number.isInteger(mode) || mode < 0 || mode > 0o777)
      return [{ field: 'options', message: `unable to parse mode: ${options.mode}` }];
  }
  return [];
}

/** Our path rule: one segment of these characters. */
const AUDIT_PATH_SHAPE = /^[A-Za-z0-9_.-]+$/;

/**
 * Every problem of an audit device as the Pulumi surface sees it: our path rule (Vault takes any
 * path), then Vault's refusals (`validateAuditDeviceVault`).
 */
export function validateAuditDeviceSpec(spec: AuditDeviceSpec): Issue[] {
  const path = typeof spec.path === 'string' ? spec.path : '';
  const shape = AUDIT_PATH_SHAPE.test(path)
    ? []
    : [
        {
          field: 'path',
          message: `invalid audit device path ${JSON.stringify(spec.path)}: use letters, digits, _ . - (one segment)`,
        },
      ];
  return [...shape, ...validateAuditDeviceVault({ ...spec, path })];
}
