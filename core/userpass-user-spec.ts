// The one validator of a userpass user write (`auth/<mount>/users/:username`): Vault's own refusals,
// which the server answers as Vault does, plus our password rule that only the Pulumi surface applies
// (no CDKTF construct exists yet: issue 19). Issue 16, point 2.

import type { Issue } from './errors.js';
import { parseFields } from './fields.js';
import { USERPASS_USER_FIELDS } from './path-fields.js';

/** A userpass user in camelCase, as the IaC surfaces take it. */
export interface UserpassUserSpec {
  /** The login name; Vault lower-cases it. */
  readonly username: string;
  /** The password. @default - none: refused, a new user needs one */
  readonly password?: string;
  /** Policies of the tokens its logins get. @default - none: tokens get `default` only */
  readonly tokenPolicies?: readonly string[];
  /** TTL of its login tokens, a Vault duration. @default - the mount's default TTL */
  readonly tokenTtl?: string | number;
  /** Max TTL of its login tokens, a Vault duration. @default - the mount's max TTL */
  readonly tokenMaxTtl?: string | number;
}

/**
 * The usernames Vault's `users/:username` and `login/:username` routes match (a name outside them
 * is `unsupported path`, 404): a word character at both ends, `_ . @ -` between.
 */
export const USERPASS_USERNAME_PATTERN = '\\w(?:[\\w.@-]*\\w)?';

/** Our password rule, on top of Vault's (which takes any non-empty password). */
export const MIN_PASSWORD_LENGTH = 8;

/**
 * Vault's own refusal in the handler of a user write: a new user without a password
 * (`missing password`, 400). `exists` says whether the user is there already (an update may leave
 * the password out). Field `password`.
 */
export function validateUserpassUserVault(user: {
  readonly password: string | undefined;
  readonly exists: boolean;
}): Issue[] {
  return !user.exists && (user.password === undefined || user.password === '')
    ? [{ field: 'password', message: 'missing password' }]
    : [];
}

/** The token settings of a spec on the wire, as Vault's field schema takes them. */
const wireTokenFields = (spec: UserpassUserSpec): Record<string, unknown> => ({
  ...(spec.tokenPolicies !== undefined ? { token_policies: spec.tokenPolicies } : {}),
  ...(spec.tokenTtl !== undefined ? { token_ttl: spec.tokenTtl } : {}),
  ...(spec.tokenMaxTtl !== undefined ? { token_max_ttl: spec.tokenMaxTtl } : {}),
});

/**
 * Every problem of a user the Pulumi surface creates: a username Vault's routes match, each token
 * setting through Vault's field coercion (the server's framework runs the same, with the same
 * message), Vault's `missing password`, then our rule of at least eight characters. Fields are the
 * wire names (`username`, `token_ttl`, `password`, …).
 */
export function validateUserpassUserSpec(spec: UserpassUserSpec): Issue[] {
  const issues: Issue[] = [];
  if (typeof spec.username !== 'string' || !new RegExp(`^${USERPASS_USERNAME_PATTERN}$`).test(spec.username))
    issues.push({
      field: 'username',
      message: `invalid username ${JSON.stringify(spec.username)}: use letters, digits, _ . @ -, starting and ending with a letter, digit or _`,
    });
  for (const [field, value] of Object.entries(wireTokenFields(spec))) {
    try {
      parseFields(USERPASS_USER_FIELDS, { [field]: value });
    } catch (e) {
      issues.push({ field, message: (e as Error).message });
    }
  }
  const password = typeof spec.password === 'string' ? spec.password : undefined;
  issues.push(...validateUserpassUserVault({ password, exists: false }));
  if (password !== undefined && password !== '' && password.length < MIN_PASSWORD_LENGTH)
    issues.push({ field: 'password', message: `password must be at least ${MIN_PASSWORD_LENGTH} characters` });
  return issues;
}
