// What `sshca report` reads from a backend (issue 21, point 2), as plain data: the SSH mounts with
// their CA keys and roles, the ACL policies' text, the identities that log in (userpass users, JWT/OIDC
// and AppRole roles, identity entities) with their policies, which paths the token could not read, and
// optionally the audit join of `sshca audit`. cli/report-snapshot.ts gathers it; core/report/ turns it
// into the access model and the page. Data only.

import type { AuditSign } from '../audit/audit-log.js';
import type { AuditReport } from '../audit/join.js';
import type { RotationIssuer } from '../rotation.js';

/** One role of an SSH mount, in Vault's read shape (`key_type`, `allowed_users`, `ttl` in seconds, …). */
export interface SnapshotRole {
  readonly name: string;
  readonly data: Readonly<Record<string, unknown>>;
}

/** One SSH secrets engine mount. */
export interface SnapshotMount {
  /** Without slashes: `ssh-dev`. */
  readonly path: string;
  readonly description: string;
  /** The mount's effective default lease TTL in seconds (what a role without `ttl` gets). */
  readonly defaultLeaseTtl: number;
  /** The mount's effective max lease TTL in seconds (what a role without `max_ttl` gets). */
  readonly maxLeaseTtl: number;
  /**
   * Its CA keys. With OpenBao's issuers API (and the embedded server) every issuer; on Vault, which
   * keeps one CA per mount, the one key, as a default issuer with id and name `""`. Empty: no CA.
   */
  readonly issuers: readonly RotationIssuer[];
  readonly roles: readonly SnapshotRole[];
  /**
   * Host accounts → the principals that may log in as them (the hosts' AuthorizedPrincipalsFile, as
   * `ssh_ca_trust_principals` gives it). Undefined: not given, so sshd's default holds: a certificate
   * logs in to the account named like one of its principals.
   */
  readonly hostPrincipals?: Readonly<Record<string, readonly string[]>>;
}

/** The auth methods whose identities the report lists. */
export type SubjectKind = 'userpass' | 'jwt' | 'oidc' | 'approle' | 'entity';

/** Who can log in: a userpass user, a JWT/OIDC or AppRole role, or an identity entity. */
export interface SnapshotSubject {
  readonly kind: SubjectKind;
  /** The auth method's path without slashes (`userpass`, `jwt`); '' for an entity. */
  readonly authPath: string;
  /** The user, role or entity name. */
  readonly name: string;
  /** The token policies its logins get (an entity's own policies, for an entity). */
  readonly policies: readonly string[];
  /** `token_no_default_policy`: its tokens lack the `default` policy. */
  readonly noDefaultPolicy: boolean;
  /** `token_ttl` in seconds; 0 = the auth method's default. */
  readonly tokenTtl: number;
  /** An entity's id (the audit log's `entity_id`); entities only. */
  readonly entityId?: string;
  /** What else binds it, shown as is: bound claims of a JWT role, an entity's aliases. */
  readonly detail?: string;
}

/** The audit log and sshd logs, joined (what `sshca audit` reports) plus every signing. */
export interface SnapshotAudit {
  /** Every signing the audit log shows (after --since and --mount). */
  readonly signs: readonly AuditSign[];
  readonly report: AuditReport;
  /** Where the lines came from, e.g. `audit.log`, `dev1=dev1.log`. */
  readonly sources: readonly string[];
}

/** Everything the report shows. */
export interface ReportSnapshot {
  /** The backend's address. */
  readonly backend: string;
  /** When it was read, ISO 8601. */
  readonly generatedAt: string;
  readonly mounts: readonly SnapshotMount[];
  /** ACL policy name → its text (those the token could read). */
  readonly policies: Readonly<Record<string, string>>;
  readonly subjects: readonly SnapshotSubject[];
  /** The API paths the token was refused (403): what the report cannot show. */
  readonly unreadable: readonly string[];
  readonly audit?: SnapshotAudit;
}
