// `JwtAuthBackend`: a `vault_jwt_auth_backend` (the JWT auth method and its config in one resource),
// the CDKTF twin of the Pulumi `JwtAuthBackend` (issue 18): where the CI platform's signing keys come
// from, the issuer job tokens must name, the default role. Checked at synthesis by the same
// validator (core/jwt-auth-backend-spec.ts).

import { JwtAuthBackend as VaultJwtAuthBackend } from '@cdktf/provider-vault/lib/jwt-auth-backend/index.js';
import { Construct } from 'constructs';
import { DEFAULT_JWT_AUTH_PATH, validateJwtAuthBackendSpec } from '../core/jwt-auth-backend-spec.js';
import { validateWith } from './validation.js';

/** Props of a JwtAuthBackend. */
export interface JwtAuthBackendProps {
  /** Where it is mounted under auth/ (the provider replaces the method on a change). @default - `jwt` */
  readonly path?: string;
  /** Shown by `vault auth list`. @default - empty */
  readonly description?: string;
  /**
   * The CI platform's JWKS URL, e.g. `https://gitlab.example.com/oauth/discovery/keys`; https (http
   * only on loopback).
   * @default - none: give it or `jwtValidationPubkeys`
   */
  readonly jwksUrl?: string;
  /** PEM CA certificates that verify the TLS connection to `jwksUrl`. @default - the system's CAs */
  readonly jwksCaPem?: string;
  /** PEM public keys that verify job tokens locally. @default - none: give them or `jwksUrl` */
  readonly jwtValidationPubkeys?: readonly string[];
  /** The `iss` job tokens must carry, e.g. `https://gitlab.example.com`. */
  readonly boundIssuer: string;
  /** The role of logins that name none. @default - none: a login names its role */
  readonly defaultRole?: string;
}

/** A JWT auth method with its config (construct id `backend`). */
export class JwtAuthBackend extends Construct {
  /** The `vault_jwt_auth_backend` resource. */
  readonly backend: VaultJwtAuthBackend;
  /** Where it is mounted under auth/ (a Terraform reference). */
  readonly path: string;
  /** The method's accessor, for identity aliases (a Terraform reference). */
  readonly accessor: string;

  constructor(scope: Construct, id: string, props: JwtAuthBackendProps) {
    super(scope, id);
    validateWith(this, () => validateJwtAuthBackendSpec(props));
    this.backend = new VaultJwtAuthBackend(this, 'backend', {
      path: props.path ?? DEFAULT_JWT_AUTH_PATH,
      type: 'jwt',
      ...(props.description ? { description: props.description } : {}),
      ...(props.jwksUrl ? { jwksUrl: props.jwksUrl } : {}),
      ...(props.jwksCaPem ? { jwksCaPem: props.jwksCaPem } : {}),
      ...(props.jwtValidationPubkeys?.length ? { jwtValidationPubkeys: [...props.jwtValidationPubkeys] } : {}),
      boundIssuer: props.boundIssuer,
      ...(props.defaultRole ? { defaultRole: props.defaultRole } : {}),
    });
    this.path = this.backend.path;
    this.accessor = this.backend.accessor;
  }
}
