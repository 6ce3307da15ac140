// Reading what `sshca report` shows from a backend (issue 21, point 2), with any token: a path the
// token is refused (403) is noted and left out, so a narrow token still gets a page that says what it
// could not see; any other failure stops the report. Works on the embedded server, OpenBao (every
// issuer of a mount) and Vault (one CA per mount, read from the public_key endpoint).

import { listAuthMethods, readPolicy, readUserpassUser } from '../client/access-api.js';
import { readIdentityEntity } from '../client/identity-api.js';
import { listAuthRoles, readAuthRole } from '../client/auth-role-api.js';
import { detectIssuersApi, listIssuers, listRoles, readCaPublicKey, readRole } from '../client/ssh-api.js';
import { listMounts, readMountTune } from '../client/sys-api.js';
import { isVaultApiError, type VaultClient } from '../client/vault-client.js';
import { parseDurationSeconds } from '../core/duration.js';
import { UsageError } from '../core/errors.js';
import { invalidTokenError } from './auth.js';
import type { RotationIssuer } from '../core/rotation.js';
import type {
  ReportSnapshot,
  SnapshotMount,
  SnapshotRole,
  SnapshotSubject,
  SubjectKind,
} from '../core/report/snapshot.js';

/** Vault's system default lease TTL (768h), what a mount whose tune cannot be read is assumed to have. */
const SYSTEM_TTL = 768 * 3600;

export interface SnapshotOptions {
  /** Only these SSH mounts; undefined = every SSH mount of sys/mounts. */
  readonly mounts?: readonly string[];
  /** Per mount: host account → principals (the hosts' `ssh_ca_trust_principals`). */
  readonly hostPrincipals?: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>>;
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const strings = (v: unknown): string[] =>
  (Array.isArray(v) ? v.map(String) : str(v).split(',')).map((s) => s.trim()).filter((s) => s !== '');
const seconds = (v: unknown): number => {
  try {
    return v === undefined || v === null || v === '' ? 0 : parseDurationSeconds(v);
  } catch {
    return 0;
  }
};

/** Read the backend; `now` is the snapshot's time. */
export async function readReportSnapshot(
  client: VaultClient,
  backend: string,
  options: SnapshotOptions,
  now: Date,
): Promise<Omit<ReportSnapshot, 'audit'>> {
  const unreadable: string[] = [];
  /** `fn()`, or `fallback` when the token is refused `path` (noted once). */
  const tolerant = async <T>(path: string, fallback: T, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (e) {
      // A refusal is noted; a token the backend does not know is not a narrow token (exit 3).
      if (isVaultApiError(e) && e.status === 403 && invalidTokenError(e) === undefined) {
        if (!unreadable.includes(path)) unreadable.push(path);
        return fallback;
      }
      throw e;
    }
  };

  // SSH mounts.
  const all = await tolerant('sys/mounts', undefined, () => listMounts(client));
  let paths: string[];
  if (options.mounts && options.mounts.length > 0) {
    for (const m of options.mounts) {
      const type = all?.[`${m}/`]?.type;
      if (all && type === undefined) throw new UsageError(`--mount ${m}: the backend has no mount ${m}`);
      if (type !== undefined && type !== 'ssh')
        throw new UsageError(`--mount ${m}: ${m} is a ${type} mount, not an SSH mount`);
    }
    paths = [...options.mounts];
  } else if (all) {
    paths = Object.entries(all)
      .filter(([, info]) => info.type === 'ssh')
      .map(([p]) => p.replace(/\/+$/, ''))
      .sort();
  } else {
    throw new UsageError('the token may not read sys/mounts: name the SSH mounts with --mount');
  }

  const mounts: SnapshotMount[] = [];
  for (const path of paths) {
    const tune = await tolerant(`sys/mounts/${path}/tune`, undefined, () => readMountTune(client, path));
    const names = await tolerant(`${path}/roles`, [] as string[], () => listRoles(client, path));
    const roles: SnapshotRole[] = [];
    for (const name of names) {
      const data = await tolerant(`${path}/roles/${name}`, undefined, () => readRole(client, path, name));
      if (data) roles.push({ name, data });
    }
    let issuers: RotationIssuer[];
    if (await tolerant(`${path}/config/issuers`, false, () => detectIssuersApi(client, path))) {
      issuers = await tolerant(`${path}/issuers`, [] as RotationIssuer[], () => listIssuers(client, path));
    } else {
      const key = await readCaPublicKey(client, path);
      issuers = key ? [{ id: '', name: '', isDefault: true, publicKey: key.trim() }] : [];
    }
    const hostPrincipals = options.hostPrincipals?.[path];
    mounts.push({
      path,
      description: str(all?.[`${path}/`]?.description ?? tune?.description),
      defaultLeaseTtl: tune?.default_lease_ttl || SYSTEM_TTL,
      maxLeaseTtl: tune?.max_lease_ttl || SYSTEM_TTL,
      issuers,
      roles,
      ...(hostPrincipals ? { hostPrincipals } : {}),
    });
  }

  // ACL policies.
  const policies: Record<string, string> = {};
  for (const name of await tolerant('sys/policies/acl', [] as string[], () => client.list('sys/policies/acl'))) {
    const text = await tolerant(`sys/policies/acl/${name}`, undefined, () => readPolicy(client, name));
    if (text !== undefined) policies[name] = text;
  }

  // Who logs in: users and roles of the auth methods, identity entities.
  const subjects: SnapshotSubject[] = [];
  const methods = await tolerant('sys/auth', {}, () => listAuthMethods(client));
  const subject = (kind: SubjectKind, authPath: string, name: string, d: Record<string, unknown>, detail?: string) =>
    subjects.push({
      kind,
      authPath,
      name,
      policies: strings(d.token_policies ?? d.policies),
      noDefaultPolicy: d.token_no_default_policy === true,
      tokenTtl: seconds(d.token_ttl),
      ...(detail ? { detail } : {}),
    });
  for (const [slashed, info] of Object.entries(methods).sort(([a], [b]) => a.localeCompare(b))) {
    const authPath = slashed.replace(/\/+$/, '');
    if (info.type === 'userpass') {
      for (const user of await tolerant(`auth/${authPath}/users`, [] as string[], () =>
        client.list(`auth/${authPath}/users`),
      )) {
        const d = await tolerant(`auth/${authPath}/users/${user}`, undefined, () =>
          readUserpassUser(client, authPath, user),
        );
        if (d) subject('userpass', authPath, user, d);
      }
    } else if (info.type === 'jwt' || info.type === 'oidc' || info.type === 'approle') {
      for (const role of await tolerant(`auth/${authPath}/role`, [] as string[], () =>
        listAuthRoles(client, authPath),
      )) {
        const d = await tolerant(`auth/${authPath}/role/${role}`, undefined, () =>
          readAuthRole(client, authPath, role),
        );
        if (!d) continue;
        const bound =
          d.bound_claims && typeof d.bound_claims === 'object'
            ? Object.entries(d.bound_claims as Record<string, unknown>)
            : [];
        const detail = [
          ...(strings(d.bound_audiences).length > 0 ? [`aud ${strings(d.bound_audiences).join(', ')}`] : []),
          ...bound.map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('|') : String(v)}`),
          ...(str(d.user_claim) ? [`user claim ${str(d.user_claim)}`] : []),
        ].join('; ');
        subject(info.type, authPath, role, d, detail);
      }
    }
  }
  for (const id of await tolerant('identity/entity/id', [] as string[], () => client.list('identity/entity/id'))) {
    const d = await tolerant(`identity/entity/id/${id}`, undefined, () => readIdentityEntity(client, id));
    // An entity without policies of its own adds nothing to its aliases' logins: not an identity here.
    if (!d || strings(d.policies).length === 0) continue;
    const aliases = Array.isArray(d.aliases) ? (d.aliases as Record<string, unknown>[]) : [];
    const detail = aliases
      .map((a) => `${str(a.mount_path).replace(/\/+$/, '') || str(a.mount_type)}: ${str(a.name)}`)
      .join('; ');
    subjects.push({
      kind: 'entity',
      authPath: '',
      name: str(d.name) || id,
      entityId: id,
      policies: strings(d.policies),
      noDefaultPolicy: true,
      tokenTtl: 0,
      ...(detail ? { detail: `aliases ${detail}` } : {}),
    });
  }

  return { backend, generatedAt: now.toISOString(), mounts, policies, subjects, unreadable };
}
