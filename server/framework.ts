// The logical layer between HTTP and backends, after Vault's sdk/framework: a backend is a table of
// paths (regex with named captures, the fields it knows, a handler per operation); `dispatch` finds
// the path, refuses unknown paths and operations with Vault's errors, coerces the fields, calls the
// handler and adds Vault's warnings about ignored and replaced parameters.

import type { IdentityEntitySnapshot } from '../core/policy/identity-template.js';
import { InternalError, RequestError, UnsupportedOperationError, UnsupportedPathError } from '../core/errors.js';
import { formatUnknownFieldsWarning, parseFields, type FieldSchema } from '../core/fields.js';
import type { Storage } from './storage/storage.js';
import type { MountEntry } from './sys/mount-table.js';
import type { TokenEntry } from './auth/token-store.js';

/** Vault's logical operations. */
export type Operation = 'read' | 'list' | 'update' | 'delete' | 'patch';

/** A request as a backend sees it. */
export interface LogicalRequest {
  readonly operation: Operation;
  /** Path inside the mount, e.g. `roles/dev`. */
  readonly path: string;
  /**
   * Body and query parameters, before coercion. Handlers read `fields`; a raw read is only for what
   * Vault itself reads raw (`d.Raw`: sys/capabilities' `token`, the body sys/wrapping/wrap wraps),
   * with a comment saying so.
   */
  readonly data: Readonly<Record<string, unknown>>;
  /** Named captures of the matched path pattern. */
  readonly captures: Readonly<Record<string, string>>;
  /** Coerced fields the path declares (present only when supplied). */
  readonly fields: ReadonlyMap<string, unknown>;
  /** The mount's own storage view. */
  readonly storage: Storage;
  readonly mount: MountEntry;
  /** The caller's token; undefined on unauthenticated paths called without one. */
  readonly token: TokenEntry | undefined;
  /** The token's identity entity, as identity templates see it; undefined when it has none. */
  readonly entity?: IdentityEntitySnapshot;
  /** The token string the caller presented (the token backend's lookup-self shows it as `id`). */
  readonly clientToken: string | undefined;
  /** The caller holds `sudo` on this path (root tokens do everywhere). */
  readonly sudo: boolean;
  /** The server's clock, Unix seconds. */
  readonly now: number;
  /** The caller's IP address (logins check `token_bound_cidrs` against it). */
  readonly remoteAddress?: string;
}

/** What a successful login grants; the server turns it into a token. */
export interface LoginGrant {
  /** The name within the auth method (username); the token's display name is `<mount>-<name>`. */
  readonly displayName: string;
  readonly policies: readonly string[];
  readonly metadata: Readonly<Record<string, string>>;
  /** Seconds; 0 = the mount's default. */
  readonly ttl: number;
  /** Seconds; 0 = the mount's maximum. */
  readonly maxTtl: number;
  readonly explicitMaxTtl: number;
  /** Seconds (`token_period`): the token is periodic; 0 or absent = not. */
  readonly period?: number;
  readonly numUses: number;
  readonly noDefaultPolicy: boolean;
  /** Where the token may be used from (`token_bound_cidrs`); empty = anywhere. */
  readonly boundCidrs?: readonly string[];
  /**
   * The identity alias the login maps to (Vault's `logical.Alias`): the server finds or creates the
   * alias (and its entity) under the auth mount's accessor and puts the entity's id on the token.
   */
  readonly alias?: LoginAlias;
}

/** A login's identity alias: its name, unique per auth mount (a username, a JWT claim), and metadata. */
export interface LoginAlias {
  readonly name: string;
  /** Alias metadata (a JWT role's `claim_mappings`); replaces the stored metadata on every login. */
  readonly metadata?: Readonly<Record<string, string>>;
}

/** What a handler answers; `undefined` means no content (204, or 404 for reads and lists). */
export interface LogicalResponse {
  readonly data?: Record<string, unknown> | null;
  readonly warnings?: readonly string[];
  /** A raw body instead of the JSON envelope (e.g. `public_key`). */
  readonly raw?: { readonly status: number; readonly contentType: string; readonly body: string };
  /** Status for handlers that answer with their own JSON (sys/health), or another 2xx for the envelope (202). */
  readonly status?: number;
  /** Emit `data` as the whole body, without the envelope (sys/health). */
  readonly bare?: boolean;
  /** A login: the server creates the token and answers with Vault's `auth` block. */
  readonly login?: LoginGrant;
  /** An `auth` block made by the token backend itself (create, renew). */
  readonly auth?: Record<string, unknown>;
  /** A secret with a lease: the server registers it and answers with the lease (Vault's `Secret`). */
  readonly secret?: {
    /** Seconds. */
    readonly ttl: number;
    readonly renewable: boolean;
    /** What revoking it needs; stored with the lease, never returned. */
    readonly internal: Readonly<Record<string, unknown>>;
  };
  /** The registered lease, as the envelope shows it (set by the server from `secret`). */
  readonly lease?: { readonly id: string; readonly duration: number; readonly renewable: boolean };
}

export type Handler = (req: LogicalRequest) => Promise<LogicalResponse | undefined>;

/** One path of a backend. */
export interface PathSpec {
  /** Anchored pattern over the in-mount path; named groups become captures. */
  readonly pattern: RegExp;
  readonly fields: FieldSchema;
  readonly operations: Partial<Record<Operation, Handler>>;
  /** Operations that work without a token (Vault's `Unauthenticated` paths). */
  readonly unauthenticated?: readonly Operation[];
  /** Root-protected: every operation needs the `sudo` capability too. */
  readonly sudo?: boolean;
  /** Whether the target exists: a write then needs `update`, else `create` (Vault's ExistenceCheck). */
  readonly exists?: (req: Pick<LogicalRequest, 'storage' | 'captures'>) => Promise<boolean>;
}

/** A backend: its type (for `mount_type`), its path table, and how it revokes the secrets it leased. */
export interface Backend {
  readonly type: string;
  readonly paths: readonly PathSpec[];
  readonly revokeSecret?: (
    req: Pick<LogicalRequest, 'storage' | 'mount'>,
    internal: Readonly<Record<string, unknown>>,
  ) => Promise<void>;
}

/** Vault's wrapped error text (hashicorp/go-multierror) for ACL and internal failures. */
export const multiError = (message: string): string => `1 error occurred:\n\t* ${message}\n\n`;

/** Find the path spec for an in-mount path. */
export function matchPath(
  backend: Backend,
  path: string,
): { spec: PathSpec; captures: Record<string, string> } | undefined {
  for (const spec of backend.paths) {
    const m = spec.pattern.exec(path);
    if (m) return { spec, captures: { ...(m.groups ?? {}) } };
  }
  return undefined;
}

/** A coerced field, or undefined when the request did not supply it (Vault's `d.GetOk`). */
export const fieldOf = <T>(req: Pick<LogicalRequest, 'fields'>, name: string): T | undefined =>
  req.fields.get(name) as T | undefined;

/** The supplied coerced fields among `names`, as a record (absent names are left out). */
export function suppliedFields(req: Pick<LogicalRequest, 'fields'>, names: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(names.filter((n) => req.fields.has(n)).map((n) => [n, req.fields.get(n)]));
}

/** Run a request through a backend's path table. */
export async function dispatch(
  backend: Backend,
  req: Omit<LogicalRequest, 'fields' | 'captures'>,
  /** The path's match when the caller has already looked it up. */
  matched: ReturnType<typeof matchPath> = matchPath(backend, req.path),
): Promise<LogicalResponse | undefined> {
  const match = matched;
  if (!match) throw new UnsupportedPathError();
  const handler = match.spec.operations[req.operation];
  if (!handler) throw new UnsupportedOperationError();
  const body = { ...req.data };
  const replaced = Object.keys(match.captures)
    .filter((k) => k in body)
    .sort();
  for (const k of Object.keys(match.captures)) delete body[k];
  let parsed;
  try {
    parsed = parseFields(match.spec.fields, body);
  } catch (e) {
    throw e instanceof RequestError ? e : new InternalError((e as Error).message);
  }
  const response = await handler({ ...req, data: body, captures: match.captures, fields: parsed.values });
  if (!response || response.raw || response.bare) return response;
  const warnings = [...(response.warnings ?? [])];
  const ignored = formatUnknownFieldsWarning(parsed.unknown);
  if (ignored) warnings.push(ignored);
  if (replaced.length > 0) {
    warnings.push(
      `Endpoint replaced the value of these parameters with the values captured from the endpoint's path: [${replaced.join(' ')}]`,
    );
  }
  return { ...response, warnings };
}
