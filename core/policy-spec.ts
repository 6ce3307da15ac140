// The one validator of an ACL policy write (`sys/policies/acl/:name`, legacy `sys/policy/:name`):
// Vault's own refusals, which the server answers as Vault does, plus our naming rule that only the
// Pulumi and CDKTF surfaces apply; and the parameter-constraint warnings both IaC surfaces show
// (issue 16, point 2; warnings: issue 14).

import { validateParameterConstraints } from './acl/parameter-warnings.js';
import { parsePolicy, type Policy } from './acl/policy-document.js';
import type { Issue } from './errors.js';

/** A policy as written: its name and its document (HCL or JSON, optionally base64). */
export interface PolicySpec {
  /** The policy name; Vault lower-cases it. */
  readonly name: string;
  /** The document. */
  readonly policy: string;
}

/** Vault's `immutablePolicies` (vault/policy_store.go): policies nobody may write. */
const IMMUTABLE_POLICIES: readonly string[] = ['root', 'response-wrapping'];

/**
 * Vault's own refusals of a policy write, in Vault's order: an empty document (`'<parameter>'
 * parameter not supplied or empty`, naming `rules` on the legacy path), a document that does not
 * parse (`failed to parse policy: …`), an immutable name (`cannot update "root" policy`). Fields
 * `policy` and `name`. The server answers the first with 400.
 */
export function validatePolicyVault(spec: PolicySpec, parameter: 'policy' | 'rules' = 'policy'): Issue[] {
  return parsedPolicy(spec, parameter).issues;
}

/** The issues of a write and, when the document parses, the parsed policy. */
function parsedPolicy(spec: PolicySpec, parameter: 'policy' | 'rules'): { issues: Issue[]; parsed?: Policy } {
  // Whitespace only counts as empty, as the server has always answered.
  if (spec.policy.trim() === '')
    return { issues: [{ field: 'policy', message: `'${parameter}' parameter not supplied or empty` }] };
  const name = spec.name.toLowerCase();
  let parsed: Policy;
  try {
    parsed = parsePolicy(name, spec.policy);
  } catch (e) {
    return { issues: [{ field: 'policy', message: (e as Error).message }] };
  }
  if (IMMUTABLE_POLICIES.includes(name))
    return { issues: [{ field: 'name', message: `cannot update "${name}" policy` }], parsed };
  return { issues: [], parsed };
}

/** Our naming rule: a name Vault keeps as given (lower case) and that reads well in a path. */
const POLICY_NAME = /^[a-z0-9][a-z0-9_.@-]*$/;

/**
 * Every problem of a policy as the Pulumi and CDKTF surfaces see it: our naming rule (Vault accepts
 * any name and lower-cases it; we refuse what it would change, so the name in the program is the
 * name in Vault), then Vault's refusals (`validatePolicyVault`).
 */
export function validatePolicySpec(spec: PolicySpec): Issue[] {
  const issues: Issue[] = [];
  if (typeof spec.name !== 'string' || !POLICY_NAME.test(spec.name))
    issues.push({
      field: 'name',
      message: `invalid policy name ${JSON.stringify(spec.name)}: use lower-case letters, digits, _ . @ -, starting with a letter or digit`,
    });
  return [...issues, ...validatePolicyVault({ name: String(spec.name ?? ''), policy: String(spec.policy ?? '') })];
}

/**
 * Warnings (never refusals: Vault accepts such a policy) for parameter constraints that name a
 * parameter the path does not take (issue 14). None when the document does not parse.
 */
export function policyWarnings(spec: PolicySpec): string[] {
  const { parsed } = parsedPolicy({ name: String(spec.name ?? ''), policy: String(spec.policy ?? '') }, 'policy');
  return parsed ? validateParameterConstraints(parsed.rules).map((w) => w.message) : [];
}
