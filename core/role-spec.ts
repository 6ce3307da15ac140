// The role as infrastructure code declares it (Pulumi providers and CDKTF constructs alike): every
// CA-role field in camelCase with lists as arrays, our secure defaults, the checks that refuse
// insecure roles unless explicitly asked for, Vault's own validation, and the one mapping to the
// body Vault receives. Both front ends call these functions, so the same spec writes the same role.

import { toCamelCase } from './case.js';
import type { Issue } from './errors.js';
import type { AlgorithmSigner } from './role.js';
import { parseRoleWrite, validateRoleWrite } from './role.js';
import { rowsOf, type RoleField, type RoleKind, type SpecShape } from './role-fields.js';

/** A certificate-authority role (`key_type=ca`). Durations are Vault durations (`"1h"`, `3600`). */
export interface RoleSpec {
  /**
   * Principals user certificates may carry. `*` needs `allowWildcardPrincipals`.
   * @default - none: every user certificate is refused (`role is not configured to allow any principals`),
   * the default user's included
   */
  readonly allowedUsers?: readonly string[];
  /** Render `{{identity.…}}` templates in allowedUsers. @default - false: the names are literal */
  readonly allowedUsersTemplate?: boolean;
  /** Principal used when a request names none. @default - none: a request must name its principals */
  readonly defaultUser?: string;
  /** Render `{{identity.…}}` templates in defaultUser. @default - false: the name is literal */
  readonly defaultUserTemplate?: boolean;
  /**
   * Host certificate domains. `*` needs `allowWildcardPrincipals`.
   * @default - none: every host certificate is refused (`role is not configured to allow any principals`)
   */
  readonly allowedDomains?: readonly string[];
  /** Render `{{identity.…}}` templates in allowedDomains. @default - false: the domains are literal */
  readonly allowedDomainsTemplate?: boolean;
  /** The role signs user certificates. @default - true */
  readonly allowUserCertificates?: boolean;
  /** The role signs host certificates. @default - false: host certificates are refused */
  readonly allowHostCertificates?: boolean;
  /** A host principal may equal an allowed domain. @default - false: only subdomains, if allowSubdomains */
  readonly allowBareDomains?: boolean;
  /** A host principal may be a subdomain of an allowed domain. @default - false */
  readonly allowSubdomains?: boolean;
  /** TTL of a certificate whose request names none. @default - 30 minutes (`"30m"`) */
  readonly ttl?: string | number;
  /** Longest TTL a request may ask for. @default - 1 hour (`"1h"`) */
  readonly maxTtl?: string | number;
  /** Critical options users may request. @default - empty: any critical option may be requested (as Vault) */
  readonly allowedCriticalOptions?: readonly string[];
  /**
   * Critical options of a certificate whose request names none. See `allowReplaceableCriticalOptions`.
   * @default - none
   */
  readonly defaultCriticalOptions?: Readonly<Record<string, string>>;
  /** Extensions users may request (`*` for any). @default - empty: no extension may be requested */
  readonly allowedExtensions?: readonly string[];
  /**
   * Extensions of a certificate whose request names none.
   * @default - none, so no `permit-pty`: say `{ "permit-pty": "" }` for interactive roles
   */
  readonly defaultExtensions?: Readonly<Record<string, string>>;
  /** Render `{{identity.…}}` templates in defaultExtensions values. @default - false: the values are literal */
  readonly defaultExtensionsTemplate?: boolean;
  /** A request may set the certificate's key id. @default - false: keyIdFormat decides it */
  readonly allowUserKeyIds?: boolean;
  /** Key id template. @default - empty: Vault's `vault-{{token_display_name}}-{{public_key_hash}}` */
  readonly keyIdFormat?: string;
  /**
   * Key type → allowed sizes (`0` for any).
   * @default - ed25519, ECDSA P-256/P-384 and RSA 3072/4096 only (`DEFAULT_USER_KEY_LENGTHS`)
   */
  readonly allowedUserKeyLengths?: Readonly<Record<string, readonly number[]>>;
  /**
   * Signature algorithm of the CA. `ssh-rsa` (SHA-1) needs `allowSha1Signatures`.
   * @default - `"default"`: rsa-sha2-256 on RSA CAs, the key's own algorithm otherwise
   */
  readonly algorithmSigner?: AlgorithmSigner;
  /** How far before now certificates are valid from, for clock skew. @default - 30 seconds (`"30s"`) */
  readonly notBeforeDuration?: string | number;
  /**
   * Sign certificates without principals, which are valid for every account (CVE-2024-7594).
   * @default - false: a request that ends with no principal is refused
   */
  readonly allowEmptyPrincipals?: boolean;
  /** Opt in to `*` in allowedUsers or allowedDomains. Not sent to the backend. @default - false: `*` is refused */
  readonly allowWildcardPrincipals?: boolean;
  /**
   * Opt in to SHA-1 (`ssh-rsa`) CA signatures, which OpenSSH ≥ 8.2 refuses. Not sent.
   * @default - false: algorithmSigner `ssh-rsa` is refused
   */
  readonly allowSha1Signatures?: boolean;
  /**
   * Opt in to default critical options (`force-command`, `source-address`) that requesters can drop:
   * a request naming any critical option replaces all the defaults (as in Vault), which
   * `allowedCriticalOptions` cannot forbid. Not sent.
   * @default - false: such a role is refused
   */
  readonly allowReplaceableCriticalOptions?: boolean;
}

/** A spec value in a field's spec shape, as the wire body carries it. */
const SHAPE_TO_WIRE: Readonly<Record<SpecShape, (v: unknown) => unknown>> = {
  value: (v) => v,
  list: (v) => ((v as readonly string[] | undefined) ?? []).join(','),
  map: (v) => ({ ...(v as Record<string, string> | undefined) }),
  'key-lengths': (v) =>
    Object.fromEntries(
      Object.entries((v as Record<string, readonly number[]> | undefined) ?? {}).map(([k, x]) => [k, [...x]]),
    ),
};

/**
 * The `POST <mount>/roles/<name>` body for a spec of a kind, from core/role-fields.ts: every field the
 * kind stores that specs declare, at the spec's value, else our secure default, else Vault's.
 */
export function specToWire(kind: RoleKind, spec: object): Record<string, unknown> {
  const values = spec as Readonly<Record<string, unknown>>;
  const wire: Record<string, unknown> = { key_type: kind };
  for (const [name, camel, row] of rowsOf(kind)) {
    if (!row.spec) continue;
    const v = values[camel] ?? row.secureDefault ?? (row.spec === 'value' ? row.vaultDefault : undefined);
    wire[name] = SHAPE_TO_WIRE[row.spec](v);
  }
  return wire;
}

/** A wire value read back from the backend, in a field's spec shape (a missing value: Vault's default). */
function specValueFromWire(row: RoleField, v: unknown): unknown {
  switch (row.spec) {
    case 'list':
      return splitList(v);
    case 'map':
      return { ...(v as Record<string, string> | undefined) };
    case 'key-lengths':
      return Object.fromEntries(
        Object.entries((v ?? {}) as Record<string, number | number[]>).map(([k, x]) => [k, Array.isArray(x) ? x : [x]]),
      );
    default:
      if (row.type === 'bool') return v === true;
      if (row.type === 'string') return String(v ?? row.vaultDefault);
      return Number(v ?? row.vaultDefault);
  }
}

/** A spec of a kind from a role as the backend reads it back (the inverse of specToWire). */
export function specFromWire(kind: RoleKind, data: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return Object.fromEntries(
    rowsOf(kind)
      .filter(([, , row]) => row.spec)
      .map(([name, camel, row]) => [camel, specValueFromWire(row, data[name])]),
  );
}

/** The `POST <mount>/roles/<name>` body for a spec, with our defaults applied. */
export const roleSpecToWire = (spec: RoleSpec): Record<string, unknown> => specToWire('ca', spec);

/** `*` in the named list fields without `allowWildcardPrincipals` (CA and OTP specs alike). */
export function wildcardIssues<F extends string>(
  spec: { readonly allowWildcardPrincipals?: boolean } & { readonly [K in F]?: readonly string[] },
  fields: readonly F[],
): Issue[] {
  if (spec.allowWildcardPrincipals) return [];
  return fields
    .filter((field) => spec[field]?.includes('*'))
    .map((field) => ({
      field,
      message: `${field} contains "*", which allows every principal: set allowWildcardPrincipals to mean it`,
    }));
}

/**
 * The critical options OpenSSH's sshd acts on. sshd refuses a certificate that carries any other
 * critical option ("unsupported critical option"), so a certificate can only lose a restriction
 * usefully by carrying these or none.
 */
export const SSHD_CRITICAL_OPTIONS: readonly string[] = ['force-command', 'source-address', 'verify-required'];

/** How the role-write check names the two fields (snake_case on the wire, camelCase in a RoleSpec). */
export interface CriticalOptionFieldNames {
  readonly defaults: string;
  readonly allowed: string;
}

/**
 * Issue 13, finding 10: why a role's default critical options can be dropped, or undefined when
 * they cannot. With the semantics of resolveCriticalOptions (core/policy/options.ts, as in Vault) a request naming any critical option
 * replaces all the defaults, and `allowed_critical_options` only limits which names a request may
 * use: empty allows any name, so a default `force-command` or `source-address` is dropped by asking
 * for any option, and a listed option the requester may set (`force-command` itself included)
 * replaces it with the requester's own value. No value of the field forbids asking; the defaults
 * hold only when every allowed name is one sshd refuses, because then every certificate that lacks
 * them is rejected by sshd.
 *
 * @param allowedList - the comma list as stored (split on `,` with no trimming, as Vault does)
 */
export function replaceableDefaultCriticalOptions(
  defaults: Readonly<Record<string, string>>,
  allowedList: string,
  names: CriticalOptionFieldNames,
): string | undefined {
  const kept = Object.keys(defaults)
    .filter((n) => SSHD_CRITICAL_OPTIONS.includes(n))
    .sort();
  if (kept.length === 0) return undefined;
  const allowed = allowedList === '' ? [] : allowedList.split(',');
  const requestable = allowed.filter((n) => SSHD_CRITICAL_OPTIONS.includes(n));
  if (allowed.length > 0 && requestable.length === 0) return undefined;
  const how =
    allowed.length === 0
      ? `${names.allowed} is empty, which lets a requester ask for any critical option`
      : `${names.allowed} lets a requester ask for ${requestable.join(', ')}`;
  return (
    `${names.defaults} ${kept.join(', ')} can be dropped: a request that asks for any critical option replaces ` +
    `all the defaults, and ${how}. No ${names.allowed} value forbids asking; list in it only names sshd refuses ` +
    `in a certificate (not ${SSHD_CRITICAL_OPTIONS.join(', ')}), or enforce the restriction on the host ` +
    '(sshd_config ForceCommand, or command="…" in the AuthorizedPrincipalsFile)'
  );
}

/** Every problem with a spec: our secure-default checks, then Vault's validation; fields in camelCase. */
export function validateRoleSpec(spec: RoleSpec): Issue[] {
  const issues: Issue[] = wildcardIssues(spec, ['allowedUsers', 'allowedDomains']);
  if (spec.algorithmSigner === 'ssh-rsa' && !spec.allowSha1Signatures) {
    issues.push({
      field: 'algorithmSigner',
      message:
        'algorithmSigner "ssh-rsa" signs with SHA-1, which OpenSSH 8.2 and later refuse: set allowSha1Signatures to mean it',
    });
  }
  const replaceable = replaceableDefaultCriticalOptions(
    spec.defaultCriticalOptions ?? {},
    (spec.allowedCriticalOptions ?? []).join(','),
    { defaults: 'defaultCriticalOptions', allowed: 'allowedCriticalOptions' },
  );
  if (replaceable && !spec.allowReplaceableCriticalOptions) {
    issues.push({
      field: 'allowedCriticalOptions',
      message: `${replaceable}; or set allowReplaceableCriticalOptions to mean it`,
    });
  }
  const users = spec.allowUserCertificates ?? true;
  if (users && (spec.allowedUsers ?? []).length === 0 && !spec.defaultUser && !spec.allowEmptyPrincipals) {
    issues.push({ field: 'allowedUsers', message: 'a user-certificate role needs allowedUsers or a defaultUser' });
  }
  for (const issue of validateRoleWrite(roleSpecToWire(spec))) {
    issues.push({ field: toCamelCase(issue.field), message: issue.message });
  }
  return issues;
}

/** A Vault comma list as read back, as an array (items trimmed, empty ones dropped). */
export const splitList = (v: unknown): string[] =>
  String(v ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');

/** A spec from a role as the backend reads it back (the inverse of roleSpecToWire). */
export const roleSpecFromWire = (data: Readonly<Record<string, unknown>>): RoleSpec =>
  specFromWire('ca', data) as RoleSpec;

/** The role a spec writes, normalised (durations in seconds, lists canonical): equal specs, equal JSON. */
export const normalisedRole = (spec: RoleSpec): string => JSON.stringify(parseRoleWrite(roleSpecToWire(spec)));
