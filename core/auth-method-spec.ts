// The one validator of an auth method (`sys/auth/:path`) as the IaC surfaces declare it: the mount
// path's rules (core/mount-path.ts, Vault's refusals and our shape) and a type. The server answers the
// path part itself (validateMountPathVault); Pulumi's AuthMethod and CDKTF's AuthMethod run all of it.

import type { Issue } from './errors.js';
import { validateMountPath } from './mount-path.js';

/** An auth method in camelCase, as the IaC surfaces take it. */
export interface AuthMethodSpec {
  /** Where it is enabled, e.g. `userpass`. */
  readonly path: string;
  /** Its type, e.g. `userpass` or `jwt`. */
  readonly type: string;
}

/** Every problem of an auth method spec; fields `path`, `type`. */
export function validateAuthMethodSpec(spec: AuthMethodSpec): Issue[] {
  const issues = validateMountPath(spec.path, 'auth');
  if (typeof spec.type !== 'string' || spec.type === '')
    issues.push({ field: 'type', message: 'type is required, e.g. "userpass"' });
  return issues;
}
