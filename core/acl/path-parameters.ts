// Which parameters each path takes, for the paths this toolkit writes policies for: the SSH engine's
// paths under any mount, and the auth and sys paths users commonly constrain. Taken from the field
// schemas the embedded server itself uses, so the IaC validators and the server cannot disagree.
// Plain arrays and objects only: Pulumi serializes this into dynamic providers (a captured Set or
// Map breaks there).

import type { FieldSchema } from '../fields.js';
import { ISSUE_FIELDS } from '../issue.js';
import {
  CONFIG_CA_FIELDS,
  CONFIG_ZEROADDRESS_FIELDS,
  CREDS_FIELDS,
  LOOKUP_FIELDS,
  MOUNT_FIELDS,
  MOUNT_TUNE_FIELDS,
  POLICY_ACL_FIELDS,
  TOKEN_CREATE_FIELDS,
  USERPASS_PASSWORD_FIELDS,
  USERPASS_POLICIES_FIELDS,
  USERPASS_USER_FIELDS,
  VERIFY_FIELDS,
} from '../path-fields.js';
import { ROLE_FIELDS } from '../role.js';
import { SIGN_FIELDS } from '../sign.js';

/**
 * One path shape and the parameters it takes. The shape is written with `/` between segments:
 * `<mount>` is one SSH mount (a single segment outside `sys/`, `auth/`, `cubbyhole/`, `identity/`,
 * `audit/`, unless the caller names the mounts), `:name` is any one segment, `:name+` one or more.
 */
export interface PathParameters {
  readonly shape: string;
  /** Sorted parameter names. */
  readonly parameters: readonly string[];
}

const entry = (shape: string, schema: FieldSchema): PathParameters => ({
  shape,
  parameters: Object.keys(schema).sort(),
});

/** The SSH engine's paths (under `<mount>`) and the auth and sys paths, with their parameters. */
export const PATH_PARAMETERS: readonly PathParameters[] = [
  entry('<mount>/sign/:role', SIGN_FIELDS),
  entry('<mount>/issue/:role', ISSUE_FIELDS),
  entry('<mount>/creds/:role', CREDS_FIELDS),
  entry('<mount>/roles/:role', ROLE_FIELDS),
  entry('<mount>/config/ca', CONFIG_CA_FIELDS),
  entry('<mount>/config/zeroaddress', CONFIG_ZEROADDRESS_FIELDS),
  entry('<mount>/lookup', LOOKUP_FIELDS),
  entry('<mount>/verify', VERIFY_FIELDS),
  entry('auth/userpass/users/:name', USERPASS_USER_FIELDS),
  entry('auth/userpass/users/:name/password', USERPASS_PASSWORD_FIELDS),
  entry('auth/userpass/users/:name/policies', USERPASS_POLICIES_FIELDS),
  entry('auth/userpass/login/:name', USERPASS_PASSWORD_FIELDS),
  entry('auth/token/create', TOKEN_CREATE_FIELDS),
  entry('auth/token/create-orphan', TOKEN_CREATE_FIELDS),
  entry('sys/policies/acl/:name', POLICY_ACL_FIELDS),
  entry('sys/mounts/:path+', MOUNT_FIELDS),
  entry('sys/mounts/:path+/tune', MOUNT_TUNE_FIELDS),
];

/**
 * Path prefixes under which the table lists every path that takes parameters, so that a glob or
 * `+` pattern starting there cannot reach a path the table does not know. `<mount>/` stands for an
 * SSH mount. A pattern that could also reach other paths (`sys/*`, `auth/+/…`, `*`) is not judged.
 */
export const COMPLETE_PREFIXES: readonly string[] = [
  '<mount>/',
  'auth/userpass/',
  'auth/token/create',
  'sys/policies/acl/',
  'sys/mounts/',
];

/** First segments that are never a secrets-engine mount (Vault's protected mount prefixes). */
export const RESERVED_MOUNTS: readonly string[] = ['sys', 'auth', 'cubbyhole', 'identity', 'audit'];
