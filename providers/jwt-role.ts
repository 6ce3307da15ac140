// `JwtRole`: a role of a JWT auth method (auth/<mount>/role/<name>): which job tokens it admits
// (bound audiences, subject and claims), which claim names the job's identity alias, and the
// policies and TTLs of the tokens its logins get. Replaces: `mount`, `name`. Every other input
// updates in place. Outputs: its inputs; `token` is secret.

import * as pulumi from '@pulumi/pulumi';
import { deleteAuthRole, readAuthRole, writeAuthRole } from '../client/auth-role-api.js';
import { DEFAULT_JWT_AUTH_PATH } from '../core/jwt-auth-backend-spec.js';
import {
  jwtRoleSpecFromWire,
  jwtRoleSpecToWire,
  jwtRoleWireFromRead,
  validateJwtRoleSpec,
  type BoundClaimValue,
  type JwtRoleSpec,
} from '../core/jwt-role-spec.js';
import { connect, type ConnectionInputs } from './connection.js';
import { checkAuthRole, diffAuthRole } from './provider-kit.js';
import { resourceArgs, type ConnectionArgs } from './resource-kit.js';

/** What the JwtRole provider receives. */
export interface JwtRoleInputs extends ConnectionInputs, JwtRoleSpec {
  readonly mount?: string;
  readonly name: string;
}

/** Vault's role names (GenericNameRegex). */
const mountOf = (i: JwtRoleInputs) => i.mount ?? DEFAULT_JWT_AUTH_PATH;
/** The wire form of a spec, or undefined when it does not map (check reports why). */
const wireOf = (i: JwtRoleInputs): Record<string, unknown> | undefined => {
  try {
    return jwtRoleSpecToWire(i);
  } catch {
    return undefined;
  }
};

/** The dynamic provider behind JwtRole (serialized into the stack's state). */
export const jwtRoleProvider: pulumi.dynamic.ResourceProvider = {
  async check(_olds, news: JwtRoleInputs) {
    // Vault's refusals and our rules (core/jwt-role-spec.ts), then the role's name.
    return { inputs: news, failures: checkAuthRole(validateJwtRoleSpec(news), news) };
  },
  async diff(_id, olds: JwtRoleInputs, news: JwtRoleInputs) {
    return diffAuthRole(
      {
        olds: { mount: mountOf(olds), name: olds.name.toLowerCase() },
        news: { mount: mountOf(news), name: news.name.toLowerCase() },
      },
      { olds: wireOf(olds), news: wireOf(news) },
      { olds, news },
    );
  },
  async create(inputs: JwtRoleInputs) {
    await writeAuthRole(connect(inputs), mountOf(inputs), inputs.name, jwtRoleSpecToWire(inputs));
    return { id: `auth/${mountOf(inputs)}/role/${inputs.name.toLowerCase()}`, outs: inputs };
  },
  async read(id, props: JwtRoleInputs) {
    const role = await readAuthRole(connect(props), mountOf(props), props.name);
    if (!role) return {};
    if (JSON.stringify(jwtRoleWireFromRead(role)) === JSON.stringify(wireOf(props))) return { id, props };
    // Changed outside Pulumi: show what the backend holds, so the next update writes the program's role.
    return { id, props: { ...props, ...jwtRoleSpecFromWire(role) } };
  },
  async update(_id, _olds, news: JwtRoleInputs) {
    await writeAuthRole(connect(news), mountOf(news), news.name, jwtRoleSpecToWire(news));
    return { outs: news };
  },
  async delete(_id, props: JwtRoleInputs) {
    await deleteAuthRole(connect(props), mountOf(props), props.name);
  },
};

/** Arguments of a JwtRole: its mount and name, and every JwtRoleSpec member. */
export interface JwtRoleArgs extends ConnectionArgs {
  /** The JWT auth mount (a JwtAuthBackend's `path`). Changing it replaces the role. @default - `jwt` */
  readonly mount?: pulumi.Input<string>;
  /** Role name, what a login names (`sshca login --jwt-role`). Changing it replaces the role. */
  readonly name: pulumi.Input<string>;
  /** The role type; only JWT logins are managed here. @default - `jwt` */
  readonly roleType?: pulumi.Input<'jwt'>;
  /** Audiences (`aud`) a job token must name. @default - none: tokens that name an audience are refused */
  readonly boundAudiences?: pulumi.Input<pulumi.Input<string>[]>;
  /** The `sub` a job token must carry. @default - any subject: then `boundClaims` must bind the job */
  readonly boundSubject?: pulumi.Input<string>;
  /**
   * Claims and the value, or list of values, each must have, e.g.
   * `{ project_path: 'infra/deploy', ref: 'main', ref_type: 'branch' }`.
   * @default - none: then `boundSubject` must bind the job
   */
  readonly boundClaims?: pulumi.Input<Record<string, BoundClaimValue>>;
  /** How `boundClaims` values match: `string` (exactly) or `glob`. @default - `string` */
  readonly boundClaimsType?: pulumi.Input<'string' | 'glob'>;
  /** Allow a `*` in a glob bound claim. @default - false: a glob bound claim with `*` is refused */
  readonly allowWildcardBoundClaims?: pulumi.Input<boolean>;
  /** The claim whose value names the job's identity alias, e.g. `project_path`. */
  readonly userClaim: pulumi.Input<string>;
  /** Claims copied into the alias metadata, claim → key. @default - none */
  readonly claimMappings?: pulumi.Input<Record<string, string>>;
  /** Policies of its tokens (plus `default`). @default - none: tokens get `default` only */
  readonly tokenPolicies?: pulumi.Input<pulumi.Input<string>[]>;
  /** TTL of its tokens, a Vault duration. @default - 15 minutes (`"15m"`) */
  readonly tokenTtl?: pulumi.Input<string | number>;
  /** Max TTL of its tokens. @default - 1 hour (`"1h"`) */
  readonly tokenMaxTtl?: pulumi.Input<string | number>;
  /** A hard cap on its tokens' lifetime. @default - none (`tokenMaxTtl` caps) */
  readonly tokenExplicitMaxTtl?: pulumi.Input<string | number>;
  /** CIDR blocks its tokens may be used from. @default - none: from any address */
  readonly tokenBoundCidrs?: pulumi.Input<pulumi.Input<string>[]>;
  /** Leeway on `exp`; -1 for none. @default - Vault's 150 seconds (sent as 0) */
  readonly expirationLeeway?: pulumi.Input<string | number>;
  /** Leeway on `nbf`; -1 for none. @default - Vault's 150 seconds (sent as 0) */
  readonly notBeforeLeeway?: pulumi.Input<string | number>;
  /** Clock skew allowed on `exp`, `nbf`, `iat`; -1 for none. @default - Vault's 60 seconds (sent as 0) */
  readonly clockSkewLeeway?: pulumi.Input<string | number>;
}

/** A JWT auth role (`auth/<mount>/role/<name>`). Outputs: its inputs; `token` is secret. */
export class JwtRole extends pulumi.dynamic.Resource {
  /** The role name. */
  declare readonly name: pulumi.Output<string>;
  /** The JWT auth mount. */
  declare readonly mount: pulumi.Output<string>;

  constructor(name: string, args: JwtRoleArgs, opts?: pulumi.CustomResourceOptions) {
    super(...resourceArgs(jwtRoleProvider, 'JwtRole', name, { mount: DEFAULT_JWT_AUTH_PATH, ...args }, opts));
  }
}
