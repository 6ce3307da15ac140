// "Who can reach what" (issue 21, point 2), from a backend snapshot: per environment (SSH mount) its CA
// keys and rotation stage, its roles with principals, host accounts, TTLs and extensions, and each
// identity → the policies that let it sign (or ask for an OTP) on each role. Which role an identity
// reaches is decided by the ACL code the embedded server enforces (core/acl), on the policies its
// tokens get (`default` too unless token_no_default_policy), so the report says what the backend
// would allow, not what a naming convention suggests. Pure.

import { compileAcl, type Acl } from '../acl/acl.js';
import { DEFAULT_POLICY } from '../acl/builtin-policies.js';
import { parsePolicy, type Policy } from '../acl/policy-document.js';
import { parseDurationSeconds } from '../duration.js';
import { fingerprint, parseSshPublicKey } from '../keys/public-key.js';
import { resolveLongestTtl, resolveRotationStatus, ROTATION_STAGE_TEXT, type RotationIssuer } from '../rotation.js';
import type { ReportSnapshot, SnapshotMount, SnapshotRole, SnapshotSubject } from './snapshot.js';

/** How a role is used: `sign`/`issue` a certificate, or `creds` for a one-time password. */
export type RoleEndpoint = 'sign' | 'issue' | 'creds';

/** One role of an environment, as people read it. */
export interface RoleView {
  readonly name: string;
  /** `ca`, `otp` or `dynamic` (Vault's `key_type`). */
  readonly keyType: string;
  /** For CA roles: `user`, `host` or `user, host`; '' for the others. */
  readonly certificates: string;
  /** The principals it may sign for (`allowed_users`; `allowed_domains` for host-only roles); `*` = any. */
  readonly principals: readonly string[];
  /** Principals contain identity templates (`allowed_users_template`). */
  readonly templated: boolean;
  readonly defaultUser: string;
  /** The host accounts its certificates (or passwords) log in to; `*` = any account. */
  readonly accounts: readonly string[];
  /** Whether the accounts come from the hosts' principals mapping or from sshd's default (account = principal). */
  readonly accountsFrom: 'host principals' | 'principal names' | 'none';
  /** Certificate lifetime without a requested TTL, and the most it may be, in seconds. */
  readonly ttl: number;
  readonly maxTtl: number;
  /** Extensions a request may ask for, and those given without asking. */
  readonly allowedExtensions: readonly string[];
  readonly defaultExtensions: readonly string[];
  /** OTP roles: the addresses passwords are given for. */
  readonly cidrList: readonly string[];
}

/** One CA key of an environment. */
export interface CaKeyView {
  readonly id: string;
  readonly name: string;
  /** `signing` (the default issuer), `staged`, `retired` or `other`. */
  readonly use: 'signing' | 'staged' | 'retired' | 'other';
  readonly algorithm: string;
  /** OpenSSH's `SHA256:…`, as `ssh-keygen -l` and sshd's log show it. */
  readonly fingerprint: string;
}

/** An identity that can use a role. */
export interface AccessGrant {
  readonly subject: SnapshotSubject;
  readonly role: RoleView;
  readonly endpoint: RoleEndpoint;
  /** The subject's policies that grant it (those that allow the path on their own). */
  readonly via: readonly string[];
}

/** One environment: an SSH mount. */
export interface EnvironmentView {
  readonly mount: string;
  readonly description: string;
  readonly caKeys: readonly CaKeyView[];
  /** 0 = steady, 1 and 2 = the rotation stage that ran (core/rotation.ts). */
  readonly rotationStage: 0 | 1 | 2;
  readonly rotationText: string;
  /** Stage 2: from when stage 3 may run, ISO 8601. */
  readonly stage3AllowedAt?: string;
  readonly roles: readonly RoleView[];
  readonly grants: readonly AccessGrant[];
}

/** What the report shows about access. */
export interface AccessModel {
  readonly environments: readonly EnvironmentView[];
  /** Identities none of whose policies reach any SSH role. */
  readonly withoutAccess: readonly SnapshotSubject[];
  /** Things the report could not work out, said plainly (unreadable paths, unparsable policies). */
  readonly notes: readonly string[];
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const list = (v: unknown): string[] =>
  (Array.isArray(v) ? v.map(String) : str(v).split(',')).map((s) => s.trim()).filter((s) => s !== '');
const seconds = (v: unknown): number => {
  if (v === undefined || v === null || v === '') return 0;
  try {
    return parseDurationSeconds(v);
  } catch {
    return 0;
  }
};

function caKeys(issuers: readonly RotationIssuer[], status: ReturnType<typeof resolveRotationStatus>): CaKeyView[] {
  const use = (i: RotationIssuer): CaKeyView['use'] =>
    i === status.current ? 'signing' : i === status.staged ? 'staged' : i === status.retired ? 'retired' : 'other';
  const order = ['signing', 'staged', 'retired', 'other'];
  return issuers
    .map((i) => {
      let algorithm = '';
      let print = '';
      try {
        const key = parseSshPublicKey(i.publicKey.trim());
        algorithm = key.algorithm;
        print = fingerprint(key.blob);
      } catch {
        print = '(unreadable public key)';
      }
      return { id: i.id, name: i.name, use: use(i), algorithm, fingerprint: print };
    })
    .sort((a, b) => order.indexOf(a.use) - order.indexOf(b.use));
}

function roleView(mount: SnapshotMount, role: SnapshotRole): RoleView {
  const d = role.data;
  const keyType = str(d.key_type);
  const user = d.allow_user_certificates === true;
  const host = d.allow_host_certificates === true;
  const hostOnly = keyType === 'ca' && host && !user;
  const principals = hostOnly ? list(d.allowed_domains) : list(d.allowed_users);
  const defaultUser = str(d.default_user);
  const wanted =
    keyType === 'ca' ? (hostOnly ? [] : principals) : [...new Set([defaultUser, ...principals].filter(Boolean))];
  let accounts: string[] = [];
  let accountsFrom: RoleView['accountsFrom'] = 'none';
  if (!hostOnly) {
    // The principals mapping is for certificates: a one-time password logs in to the account it names.
    if (mount.hostPrincipals && keyType === 'ca') {
      accountsFrom = 'host principals';
      accounts = Object.entries(mount.hostPrincipals)
        .filter(([, ps]) => wanted.includes('*') || ps.some((p) => wanted.includes(p)))
        .map(([account]) => account);
    } else {
      accountsFrom = 'principal names';
      accounts = wanted;
    }
  }
  const defaults = d.default_extensions;
  return {
    name: role.name,
    keyType,
    certificates: keyType === 'ca' ? [user ? 'user' : '', host ? 'host' : ''].filter(Boolean).join(', ') : '',
    principals: keyType === 'ca' ? principals : wanted,
    templated: d.allowed_users_template === true && principals.some((p) => p.includes('{{')),
    defaultUser,
    accounts,
    accountsFrom,
    ttl: seconds(d.ttl) || mount.defaultLeaseTtl,
    maxTtl: seconds(d.max_ttl) || mount.maxLeaseTtl,
    allowedExtensions: list(d.allowed_extensions),
    defaultExtensions:
      defaults !== null && typeof defaults === 'object' ? Object.keys(defaults as Record<string, unknown>).sort() : [],
    cidrList: list(d.cidr_list),
  };
}

const ENDPOINTS: Readonly<Record<string, readonly RoleEndpoint[]>> = {
  ca: ['sign', 'issue'],
  otp: ['creds'],
  dynamic: ['creds'],
};

/** The access model of a snapshot. */
export function resolveAccessModel(snapshot: ReportSnapshot): AccessModel {
  const notes = snapshot.unreadable.map((p) => `not readable with this token: ${p}`);
  const parsed = new Map<string, Policy>();
  for (const [name, text] of Object.entries(snapshot.policies)) {
    try {
      parsed.set(name, parsePolicy(name, text, { base64: false }));
    } catch (e) {
      notes.push(`policy ${name} cannot be parsed: ${(e as Error).message}`);
    }
  }
  const missing = new Set<string>();
  const aclOf = (names: readonly string[]): Acl =>
    compileAcl(
      names.flatMap((n) => (parsed.has(n) ? [parsed.get(n)!] : [])),
      { root: names.includes('root') },
    );
  const single = new Map<string, Acl>();
  const soloAcl = (name: string): Acl => {
    if (!single.has(name)) single.set(name, aclOf([name]));
    return single.get(name)!;
  };
  const subjects = snapshot.subjects.map((subject) => {
    const names = [...new Set([...subject.policies, ...(subject.noDefaultPolicy ? [] : [DEFAULT_POLICY])])];
    for (const n of names) if (n !== 'root' && !parsed.has(n) && !(n in snapshot.policies)) missing.add(n);
    return { subject, names, acl: aclOf(names) };
  });
  for (const n of [...missing].sort())
    notes.push(`policy ${n} is held but could not be read: its paths are not counted`);

  const reached = new Set<SnapshotSubject>();
  const environments = snapshot.mounts.map((mount): EnvironmentView => {
    const roles = [...mount.roles].sort((a, b) => a.name.localeCompare(b.name)).map((r) => roleView(mount, r));
    const grants: AccessGrant[] = [];
    for (const role of roles) {
      for (const endpoint of ENDPOINTS[role.keyType] ?? []) {
        const path = `${mount.path}/${endpoint}/${role.name}`;
        for (const { subject, names, acl } of subjects) {
          if (!acl.allows(path, 'update')) continue;
          reached.add(subject);
          grants.push({ subject, role, endpoint, via: names.filter((n) => soloAcl(n).allows(path, 'update')) });
        }
      }
    }
    const longest = resolveLongestTtl(
      mount.roles.map((r) => ({ name: r.name, keyType: str(r.data.key_type), maxTtl: seconds(r.data.max_ttl) })),
      mount.maxLeaseTtl,
    );
    const status = resolveRotationStatus(mount.issuers, longest.seconds);
    return {
      mount: mount.path,
      description: mount.description,
      caKeys: caKeys(mount.issuers, status),
      rotationStage: status.stage,
      rotationText: mount.issuers.length === 0 ? 'no CA key configured' : ROTATION_STAGE_TEXT[status.stage],
      ...(status.stage3AllowedAt !== undefined
        ? { stage3AllowedAt: new Date(status.stage3AllowedAt * 1000).toISOString().replace('.000Z', 'Z') }
        : {}),
      roles,
      grants,
    };
  });
  return { environments, withoutAccess: snapshot.subjects.filter((s) => !reached.has(s)), notes };
}
