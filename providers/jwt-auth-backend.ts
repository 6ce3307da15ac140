// `JwtAuthBackend`: a JWT auth method (sys/auth/<path>, type jwt) and its config
// (auth/<path>/config): where the CI platform's signing keys come from (`jwksUrl`, trusted through
// `jwksCaPem`, or `jwtValidationPubkeys`), the issuer job tokens must name, the default role.
// Replaces: `path`, `description`. The config updates in place (a write replaces it whole).
// Deleting it disables the method: every token its logins issued is revoked, its roles removed.
// Outputs: `path`, `accessor` (for identity aliases); `token` is secret.

import * as pulumi from '@pulumi/pulumi';
import { disableAuth, enableAuth, listAuthMethods } from '../client/access-api.js';
import { readJwtConfig, writeJwtConfig } from '../client/jwt-api.js';
import {
  DEFAULT_JWT_AUTH_PATH,
  jwtAuthBackendConfigFromRead,
  jwtAuthBackendConfigToWire,
  validateJwtAuthBackendSpec,
  type JwtAuthBackendSpec,
} from '../core/jwt-auth-backend-spec.js';
import { connect, type ConnectionInputs } from './connection.js';
import { checkFailures, replacements } from './provider-kit.js';
import { resourceArgs, type ConnectionArgs } from './resource-kit.js';

/** What the JwtAuthBackend provider receives. */
export interface JwtAuthBackendInputs extends ConnectionInputs, JwtAuthBackendSpec {}

const pathOf = (i: JwtAuthBackendInputs) => i.path ?? DEFAULT_JWT_AUTH_PATH;

/** The dynamic provider behind JwtAuthBackend (serialized into the stack's state). */
export const jwtAuthBackendProvider: pulumi.dynamic.ResourceProvider = {
  async check(_olds, news: JwtAuthBackendInputs) {
    // Vault's refusals and our rules (core/jwt-auth-backend-spec.ts), named by this resource's inputs.
    return { inputs: news, failures: checkFailures(validateJwtAuthBackendSpec(news)) };
  },
  async diff(_id, olds: JwtAuthBackendInputs, news: JwtAuthBackendInputs) {
    const replaces = replacements(
      { path: pathOf(olds), description: olds.description ?? '' },
      { path: pathOf(news), description: news.description ?? '' },
      ['path', 'description'],
    );
    const changed =
      JSON.stringify(jwtAuthBackendConfigToWire(olds)) !== JSON.stringify(jwtAuthBackendConfigToWire(news)) ||
      olds.address !== news.address ||
      olds.token !== news.token;
    return { changes: replaces.length > 0 || changed, replaces, deleteBeforeReplace: replaces.length > 0 };
  },
  async create(inputs: JwtAuthBackendInputs) {
    const client = connect(inputs);
    const path = pathOf(inputs);
    await enableAuth(client, path, { type: 'jwt', description: inputs.description ?? '' });
    try {
      await writeJwtConfig(client, path, jwtAuthBackendConfigToWire(inputs));
    } catch (e) {
      // A refused config leaves no half-made method behind.
      await disableAuth(client, path);
      throw e;
    }
    const accessor = (await listAuthMethods(client))[`${path}/`]?.accessor ?? '';
    return { id: path, outs: { ...inputs, path, accessor } };
  },
  async read(id, props: JwtAuthBackendInputs & { accessor?: string }) {
    const client = connect(props);
    const path = pathOf(props);
    const method = (await listAuthMethods(client))[`${path}/`];
    if (!method || method.type !== 'jwt') return {};
    const config = await readJwtConfig(client, path);
    const actual = config ? jwtAuthBackendConfigFromRead(config) : jwtAuthBackendConfigFromRead({});
    const same = JSON.stringify(actual) === JSON.stringify(jwtAuthBackendConfigToWire(props));
    return {
      id,
      props: {
        ...props,
        accessor: method.accessor,
        ...(method.description !== (props.description ?? '') ? { description: method.description } : {}),
        ...(same
          ? {}
          : {
              jwksUrl: actual.jwks_url,
              jwksCaPem: actual.jwks_ca_pem,
              jwtValidationPubkeys: actual.jwt_validation_pubkeys,
              boundIssuer: actual.bound_issuer,
              defaultRole: actual.default_role,
            }),
      },
    };
  },
  async update(_id, olds: { accessor?: string }, news: JwtAuthBackendInputs) {
    await writeJwtConfig(connect(news), pathOf(news), jwtAuthBackendConfigToWire(news));
    return { outs: { ...news, path: pathOf(news), accessor: olds.accessor ?? '' } };
  },
  async delete(_id, props: JwtAuthBackendInputs) {
    await disableAuth(connect(props), pathOf(props));
  },
};

/** Arguments of a JwtAuthBackend. */
export interface JwtAuthBackendArgs extends ConnectionArgs {
  /** Where it is mounted under auth/. Changing it replaces the method. @default - `jwt` */
  readonly path?: pulumi.Input<string>;
  /** Shown by `vault auth list`. Changing it replaces the method. @default - empty */
  readonly description?: pulumi.Input<string>;
  /**
   * The CI platform's JWKS URL, e.g. `https://gitlab.example.com/oauth/discovery/keys`; https
   * (http only on loopback). Updates in place.
   * @default - none: give it or `jwtValidationPubkeys`
   */
  readonly jwksUrl?: pulumi.Input<string>;
  /** PEM CA certificates that verify the TLS connection to `jwksUrl`. @default - the system's CAs */
  readonly jwksCaPem?: pulumi.Input<string>;
  /** PEM public keys that verify job tokens locally. @default - none: give them or `jwksUrl` */
  readonly jwtValidationPubkeys?: pulumi.Input<readonly pulumi.Input<string>[]>;
  /** The `iss` job tokens must carry, e.g. `https://gitlab.example.com`. Updates in place. */
  readonly boundIssuer: pulumi.Input<string>;
  /** The role of logins that name none. @default - none: a login names its role */
  readonly defaultRole?: pulumi.Input<string>;
}

/** A JWT auth method and its config (`sys/auth/<path>`, `auth/<path>/config`). Outputs: `path`, `accessor`; `token` is secret. */
export class JwtAuthBackend extends pulumi.dynamic.Resource {
  /** Where it is mounted under auth/. */
  declare readonly path: pulumi.Output<string>;
  /** The method's accessor, for identity aliases. */
  declare readonly accessor: pulumi.Output<string>;

  constructor(name: string, args: JwtAuthBackendArgs, opts?: pulumi.CustomResourceOptions) {
    super(...resourceArgs(jwtAuthBackendProvider, 'JwtAuthBackend', name, { ...args, accessor: undefined }, opts));
  }
}
