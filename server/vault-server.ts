// The embedded Vault-compatible server: Vault's request pipeline (resolve the mount, authenticate the
// token, check its ACL, audit, dispatch to the backend, turn logins into tokens) over HTTP or HTTPS.
// Tests use `handle` through a real listener on port 0.

import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse, Server } from 'node:http';
import type { AclDecision, AclOperation } from '../core/acl/acl.js';
import { InvalidTokenError, NotFoundError, PermissionDeniedError } from '../core/errors.js';
import type { IdentityEntitySnapshot } from '../core/policy/identity-template.js';
import { resolveTokenTtl } from '../core/token-ttl.js';
import { AuditBroker } from './audit/audit-broker.js';
import { CachedStorage } from './cached-storage.js';
import type { AuditRequest } from './audit/audit-entry.js';
import { allPolicies, authBlock, rfc3339 } from './auth/auth-block.js';
import { remoteAddrIsOk } from './auth/bound-cidrs.js';
import { effectiveTokenTtl, tokenBackend, tokenPolicies } from './auth/token-backend.js';
import { SYSTEM_MAX_TOKEN_TTL, TokenStore, type TokenEntry } from './auth/token-store.js';
import { approleBackend } from './auth/approle-backend.js';
import { jwtBackend } from './auth/jwt-backend.js';
import { DEFAULT_LOCKOUT, userpassBackend } from './auth/userpass-backend.js';
import {
  dispatch,
  matchPath,
  type Backend,
  type LoginGrant,
  type LogicalResponse,
  type Operation,
  type PathSpec,
} from './framework.js';
import { HttpListener, type TlsOptions } from './http/http-listener.js';
import { IDENTITY_MOUNT, identityBackend } from './identity/identity-backend.js';
import { IdentityStore, type StoredEntity } from './identity/identity-store.js';
import { ExpirationManager } from './leases/expiration-manager.js';
import { DEFAULT_REQUEST_LIMITS, type RequestLimits } from './http/json-limits.js';
import { parseRequest, type ParsedRequest } from './http/parse-request.js';
import { writeError, writeResult, type ServedResult } from './http/respond.js';
import { PolicyStore } from './policy-store.js';
import { sshBackendWith } from './ssh/ssh-backend.js';
import { kvBackend } from './kv/kv-backend.js';
import { storageView, getJson, putJson, type Storage } from './storage/storage.js';
import { MountTable, TOKEN_AUTH_MOUNT, effectiveTtls, mountStoragePrefix, type MountEntry } from './sys/mount-table.js';
import { sysBackend } from './sys/sys-backend.js';
import { wrappingPaths } from './sys/paths-wrapping.js';
import { ResponseWrapper } from './wrapping/response-wrapper.js';
import { checkWrappingRequest, wrapResult } from './wrapping/wrap-step.js';

/** Options for `VaultServer.open`. */
export interface VaultServerOptions {
  readonly storage: Storage;
  /** Reported by sys/health. */
  readonly version: string;
  /** Where operational messages go (never secrets). @default stderr */
  readonly log?: (line: string) => void;
  /** The clock in milliseconds (tests move it to expire tokens and lockouts). @default Date.now */
  readonly clock?: () => number;
  /** Request body limits (`max_request_size`, `max_json_*`). @default Vault's listener defaults */
  readonly limits?: Partial<RequestLimits>;
  /** More `sys/` paths (the seal's `sys/seal`, `sys/rotate`, `sys/key-status`). @default none */
  readonly sysPaths?: readonly PathSpec[];
  /**
   * Vault 1.12's removed dynamic-key mode in the SSH engine (`sshca serve --legacy-dynamic-keys`,
   * issue 23): `keys/:name`, `key_type=dynamic` roles, their creds and leases.
   * @default false: Vault ≥ 1.13's answers
   */
  readonly legacyDynamicKeys?: boolean;
  /**
   * The gap before the first retry of a lease whose revocation failed at expiry; it doubles after each.
   * @default 10 s, as Vault's (tests shorten it)
   */
  readonly revokeRetryBaseMs?: number;
}

export type { TlsOptions };

/** Secrets engines by mount type, for a server's options. */
const secretBackends = (options: Pick<VaultServerOptions, 'legacyDynamicKeys'>): Readonly<Record<string, Backend>> => ({
  ssh: sshBackendWith({ legacyDynamicKeys: options.legacyDynamicKeys ?? false }),
  kv: kvBackend,
});

/** Where a path leads. */
interface Route {
  readonly mount: MountEntry | undefined;
  readonly backend: Backend | undefined;
  /** The path inside the mount. */
  readonly inMount: string;
  /** The full mount path as Vault names it (`ssh/`, `auth/userpass/`). */
  readonly mountPoint: string;
}

/** The token's entity as identity templates see it, when the token has one. */
function entitySnapshot(
  token: TokenEntry | undefined,
  entity: StoredEntity | undefined,
  identity: IdentityStore,
): IdentityEntitySnapshot | undefined {
  return token && entity && token.entityId === entity.id ? identity.snapshot(entity.id) : undefined;
}

/** A running embedded server. */
export class VaultServer {
  private readonly http = new HttpListener((req, res) => this.handle(req, res));
  /** Each mount's storage view, one object per mount for this server (ca-store keeps per-mount state on it). */
  private readonly views = new Map<string, Storage>();
  private readonly authBackends: Readonly<Record<string, Backend>>;
  /** The `identity/` backend (entities and aliases). */
  private readonly identityBackend: Backend;
  private limits: RequestLimits = DEFAULT_REQUEST_LIMITS;
  /** Wrapping tokens and their cubbyholes (response wrapping). */
  private wrapper!: ResponseWrapper;

  private constructor(
    private readonly storage: Storage,
    readonly mounts: MountTable,
    readonly auth: MountTable,
    readonly tokens: TokenStore,
    readonly policies: PolicyStore,
    readonly audit: AuditBroker,
    readonly expiration: ExpirationManager,
    readonly identity: IdentityStore,
    private readonly sys: Backend,
    /** Secrets engines by mount type. */
    private readonly secretBackends: Readonly<Record<string, Backend>>,
    private readonly log: (line: string) => void,
    private readonly clock: () => number,
  ) {
    this.authBackends = {
      token: tokenBackend(
        tokens,
        (name) => policies.exists(name),
        (entityId) => identity.policiesOf(entityId),
      ),
      userpass: userpassBackend((req) => {
        const c = req.mount.config.user_lockout_config;
        return c
          ? {
              threshold: c.lockout_threshold,
              duration: c.lockout_duration,
              counterReset: c.lockout_counter_reset,
              disabled: c.lockout_disable,
            }
          : DEFAULT_LOCKOUT;
      }),
      jwt: jwtBackend('jwt'),
      oidc: jwtBackend('oidc'),
      approle: approleBackend(),
    };
    this.identityBackend = identityBackend(identity);
  }

  /** Load state from storage and return a server ready to handle requests. */
  static async open(options: VaultServerOptions): Promise<VaultServer> {
    const { version } = options;
    // Every read and write of this server goes through its own read cache (the server is the only
    // writer of its storage, so the cache is write-through and never stale).
    const storage = new CachedStorage(options.storage);
    const clock = options.clock ?? Date.now;
    const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
    const mounts = new MountTable(storage);
    const auth = new MountTable(storage, 'core/auth', TOKEN_AUTH_MOUNT);
    await mounts.load();
    await auth.load();
    let clusterId = await getJson<string>(storage, 'core/cluster-id');
    if (!clusterId) {
      clusterId = randomUUID();
      await putJson(storage, 'core/cluster-id', clusterId);
    }
    const tokens = await TokenStore.open(storage, clock, log);
    const policies = await PolicyStore.open(storage);
    const audit = await AuditBroker.load(storage, log);
    const backends = secretBackends(options);
    const expiration = await ExpirationManager.open(
      storage,
      async (lease) => {
        const mount = mounts.all().find((m) => m.accessor === lease.mount_accessor);
        const backend = mount && backends[mount.type];
        if (mount && backend?.revokeSecret) {
          await backend.revokeSecret(
            { storage: storageView(storage, mountStoragePrefix(mount)), mount },
            lease.internal,
          );
        }
      },
      clock,
      log,
      options.revokeRetryBaseMs,
    );
    const wrapper = await ResponseWrapper.open(storage, tokens, clock);
    const identity = await IdentityStore.open(storage, clock, (accessor) => {
      const authMount = auth.all().find((m) => m.accessor === accessor);
      if (authMount) return { type: authMount.type, path: `auth/${authMount.path}` };
      const mount = mounts.all().find((m) => m.accessor === accessor);
      return mount ? { type: mount.type, path: mount.path } : undefined;
    });
    const sysCore = sysBackend({
      mounts,
      auth,
      storage,
      tokens,
      policies,
      audit,
      expiration,
      version,
      clusterId,
      identityPolicies: (entityId) => identity.policiesOf(entityId),
    });
    const sys = { ...sysCore, paths: [...sysCore.paths, ...wrappingPaths(wrapper), ...(options.sysPaths ?? [])] };
    const server = new VaultServer(
      storage,
      mounts,
      auth,
      tokens,
      policies,
      audit,
      expiration,
      identity,
      sys,
      backends,
      log,
      clock,
    );
    server.limits = { ...DEFAULT_REQUEST_LIMITS, ...options.limits };
    server.wrapper = wrapper;
    return server;
  }

  /** Answer one HTTP request. */
  readonly handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const head = req.method === 'HEAD';
    try {
      const parsed = await parseRequest(req, this.limits);
      if (parsed.operation === undefined) {
        res.writeHead(204, { Allow: 'GET, LIST, POST, PUT, DELETE, PATCH, HEAD, OPTIONS' });
        res.end();
        return;
      }
      await this.serve(parsed, parsed.operation, res, head);
    } catch (e) {
      writeError(res, e, head, this.log);
    }
  };

  private route(path: string): Route {
    if (path.startsWith('auth/')) {
      const rest = path.slice('auth/'.length);
      const mount = this.auth.find(rest);
      return {
        mount,
        backend: mount && this.authBackends[mount.type],
        inMount: mount ? rest.slice(Math.min(mount.path.length, rest.length)) : '',
        mountPoint: mount ? `auth/${mount.path}` : '',
      };
    }
    if (path === 'identity' || path.startsWith('identity/')) {
      return {
        mount: IDENTITY_MOUNT,
        backend: this.identityBackend,
        inMount: path.slice(Math.min(IDENTITY_MOUNT.path.length, path.length)),
        mountPoint: IDENTITY_MOUNT.path,
      };
    }
    const mount = this.mounts.find(path);
    return {
      mount,
      backend: mount && (mount.type === 'system' ? this.sys : this.secretBackends[mount.type]),
      inMount: mount ? path.slice(Math.min(mount.path.length, path.length)) : '',
      mountPoint: mount?.path ?? '',
    };
  }

  private storageOf(mount: MountEntry): Storage {
    if (mount.type === 'system' || mount.type === 'token') return this.storage;
    let view = this.views.get(mount.uuid);
    if (!view) this.views.set(mount.uuid, (view = storageView(this.storage, mountStoragePrefix(mount))));
    return view;
  }

  private async serve(parsed: ParsedRequest, operation: Operation, res: ServerResponse, head: boolean): Promise<void> {
    const requestId = randomUUID();
    const { path, data, clientToken } = parsed;
    const now = Math.floor(this.clock() / 1000);
    const { mount, backend, inMount, mountPoint } = this.route(path);
    const matched = backend ? matchPath(backend, inMount) : undefined;
    const spec = matched?.spec;
    const open = spec?.unauthenticated?.includes(operation) === true;
    let token = clientToken !== undefined ? await this.tokens.lookup(clientToken) : undefined;
    const entity = token?.entityId !== undefined ? this.identity.entity(token.entityId) : undefined;
    const identityPolicies = entity && !entity.disabled ? entity.policies : [];
    // Built only when a device will log it: this runs on every request. sys/health is not audited,
    // as in Vault (load balancers poll it).
    const auditRequest: AuditRequest | undefined =
      this.audit.active && path !== 'sys/health'
        ? {
            id: requestId,
            operation,
            mountType: mount?.type ?? '',
            mountPoint,
            mountAccessor: mount?.accessor ?? '',
            path,
            data,
            remoteAddress: parsed.remoteAddress,
            remotePort: parsed.remotePort,
            rawBody: parsed.rawBody,
            auth:
              token && clientToken !== undefined
                ? {
                    clientToken,
                    accessor: token.accessor,
                    displayName: token.displayName,
                    policies: allPolicies(token.policies, identityPolicies),
                    tokenPolicies: token.policies,
                    identityPolicies,
                    entityId: token.entityId ?? '',
                    metadata: token.meta,
                    tokenTtl: token.creationTtl,
                    tokenIssueTime: rfc3339(token.issueTime) ?? '',
                  }
                : undefined,
          }
        : undefined;
    if (auditRequest) await this.audit.logRequest(auditRequest);
    let result: ServedResult | undefined;
    try {
      let sudo = false;
      let aclDecision: AclDecision | undefined;
      // Response wrapping: wrapping tokens are validated before the ACL, as in Vault; one that
      // unwraps itself is allowed by its own policy alone.
      const selfUnwrap = await checkWrappingRequest(this.wrapper, { path, data, clientToken, token, open });
      if (!open && !selfUnwrap) {
        // As Vault: a token presented but unknown (never issued, revoked, expired) adds `invalid token`.
        if (!token) throw clientToken ? new InvalidTokenError() : new PermissionDeniedError();
        if (token.entityId !== undefined && (!entity || entity.disabled)) throw new PermissionDeniedError();
        // As Vault: bound CIDRs bind every token but a non-expiring root token, before its use counts.
        if (token.boundCidrs && token.creationTtl !== 0 && !remoteAddrIsOk(parsed.remoteAddress, token.boundCidrs)) {
          throw new PermissionDeniedError();
        }
        const acl = await this.policies.acl(allPolicies(token.policies, identityPolicies));
        let capability: AclOperation = operation;
        if (operation === 'update' && spec?.exists && mount) {
          const exists = await spec.exists({ storage: this.storageOf(mount), captures: matched!.captures });
          capability = exists ? 'update' : 'create';
        }
        // One decision (Vault's AllowOperation): capability, wrapping TTL bounds, parameter constraints, sudo.
        aclDecision = acl.decide(path, capability, data, {
          sudo: spec?.sudo === true,
          ...(parsed.wrapTtl !== undefined ? { wrapTtl: parsed.wrapTtl } : {}),
        });
        sudo = aclDecision.sudo;
        if (!aclDecision.allowed) throw new PermissionDeniedError();
        token = await this.tokens.use(token);
        if (!token) throw new PermissionDeniedError();
      }
      const snapshot = entitySnapshot(token, entity, this.identity);
      if (!mount || !backend) throw new NotFoundError(`no handler for route "${path}". route entry not found.`);
      result = await dispatch(
        backend,
        {
          operation,
          path: inMount,
          data,
          storage: this.storageOf(mount),
          mount,
          token,
          ...(snapshot ? { entity: snapshot } : {}),
          clientToken,
          sudo,
          now,
          remoteAddress: parsed.remoteAddress,
        },
        matched,
      );
      if (result?.login) result = { ...result, auth: await this.issueLoginToken(result.login, mount, path) };
      if (result?.secret) result = { ...result, lease: await this.registerLease(result.secret, mount, path) };
      result = await wrapResult(this.wrapper, result, {
        requestedTtl: parsed.wrapTtl,
        path,
        requestId,
        mountType: mount.type,
        isList: operation === 'list',
      });
    } catch (e) {
      if (auditRequest) await this.audit.logResponse(auditRequest, { error: (e as Error).message });
      throw e;
    }
    if (auditRequest) {
      const { client_token: newToken, accessor: newAccessor, ...newAuth } = result?.auth ?? {};
      await this.audit.logResponse(auditRequest, {
        data: result?.data ?? null,
        ...(result?.warnings ? { warnings: result.warnings } : {}),
        ...(result?.lease ? { leaseId: result.lease.id } : {}),
        ...(result?.wrapInfo ? { wrapInfo: result.wrapInfo } : {}),
        ...(result?.auth ? { auth: { ...newAuth, clientToken: String(newToken), accessor: String(newAccessor) } } : {}),
      });
    }
    writeResult(
      res,
      {
        requestId,
        path,
        mountType: mount.type,
        emptyIs404: operation === 'read' || operation === 'list',
        isList: operation === 'list',
        head,
      },
      result,
    );
  }

  /** Register a leased secret; its TTL stays within the mount's maximum lease TTL. */
  private async registerLease(
    secret: NonNullable<LogicalResponse['secret']>,
    mount: MountEntry,
    path: string,
  ): Promise<NonNullable<LogicalResponse['lease']>> {
    const ttl = Math.min(secret.ttl, effectiveTtls(mount).maxLeaseTtl);
    const lease = await this.expiration.register({
      path,
      mountAccessor: mount.accessor,
      ttl,
      renewable: secret.renewable,
      internal: secret.internal,
      maxTtl: effectiveTtls(mount).maxLeaseTtl,
    });
    return { id: lease.lease_id, duration: ttl, renewable: lease.renewable };
  }

  /** Create the token a login grants and return Vault's `auth` block for it. */
  private async issueLoginToken(grant: LoginGrant, mount: MountEntry, path: string): Promise<Record<string, unknown>> {
    let entity: StoredEntity | undefined;
    if (grant.alias) {
      entity = await this.identity.loginEntity({
        mountAccessor: mount.accessor,
        mountType: mount.type,
        mountPath: `auth/${mount.path}`,
        name: grant.alias.name,
        ...(grant.alias.metadata ? { metadata: grant.alias.metadata } : {}),
      });
      if (entity.disabled) throw new PermissionDeniedError();
    }
    const policies = tokenPolicies(grant.policies, grant.noDefaultPolicy);
    const period = grant.period ?? 0;
    let explicitMaxTtl: number;
    let ttl: number;
    if (period > 0) {
      // A periodic token (token_period): it lives for its period, capped by the mount's max TTL, and
      // each renewal resets it to the period; only an explicit max TTL ends it (Vault's CalculateTTL).
      explicitMaxTtl = grant.explicitMaxTtl;
      const mountMaxTtl = effectiveTtls(mount).maxLeaseTtl || SYSTEM_MAX_TOKEN_TTL;
      const now = Math.floor(this.clock() / 1000);
      ttl = resolveTokenTtl({
        increment: 0,
        ttl: grant.ttl,
        period,
        backendMaxTtl: grant.maxTtl,
        explicitMaxTtl,
        mountMaxTtl,
        mountDefaultTtl: mountMaxTtl,
        startTime: now,
        now,
      }).ttl;
    } else {
      explicitMaxTtl = grant.explicitMaxTtl || grant.maxTtl || mount.config.max_lease_ttl;
      ttl = effectiveTokenTtl(
        grant.ttl,
        explicitMaxTtl,
        policies,
        mount.config.default_lease_ttl || SYSTEM_MAX_TOKEN_TTL,
      );
    }
    const { token, entry } = await this.tokens.create({
      // As Vault: `<mount>-<name>`, without the dash when the method names no one (AppRole: `approle`).
      displayName: `${mount.path.replace(/\/$/, '').replace(/\//g, '-')}-${grant.displayName}`.replace(/-$/, ''),
      policies,
      meta: grant.metadata,
      numUses: grant.numUses,
      ...(grant.boundCidrs ? { boundCidrs: grant.boundCidrs } : {}),
      ttl,
      explicitMaxTtl,
      ...(period > 0 ? { period } : {}),
      path,
      ...(entity ? { entityId: entity.id } : {}),
    });
    return authBlock(token, entry, ttl, entity?.policies ?? []);
  }

  /** Serve on `host:port` (port 0 = any free port); resolves with the address once listening. */
  listen(host: string, port: number, tls?: TlsOptions): Promise<{ server: Server; url: string }> {
    return this.http.listen(host, port, tls);
  }

  /** Close the listener and every open connection. */
  async close(server: Server): Promise<void> {
    this.expiration.stop();
    await this.tokens.stop();
    await this.http.close(server);
  }
}
