// The one validator and the spec ⇄ wire mapper of a JWT auth method (`sys/auth/<path>` of type jwt
// and its `auth/<path>/config`, issue 18, point 3): Vault's own refusals with the server's messages,
// then our stricter defaults, which only the Pulumi and CDKTF surfaces apply: the keys that admit
// jobs come over https (http only on loopback), and tokens must name the expected issuer.

import type { Issue } from './errors.js';
import { validateMountPath } from './mount-path.js';

/** A JWT auth method in camelCase, as the IaC surfaces take it. */
export interface JwtAuthBackendSpec {
  /** Where it is mounted under auth/. @default - `jwt` */
  readonly path?: string;
  /** Shown by `vault auth list`. @default - empty */
  readonly description?: string;
  /**
   * The JWKS URL of the CI platform, e.g. `https://gitlab.example.com/oauth/discovery/keys`
   * (`https://token.actions.githubusercontent.com/.well-known/jwks` for GitHub).
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

/** The default mount path of a JWT auth method. */
export const DEFAULT_JWT_AUTH_PATH = 'jwt';

/** Hosts a plain-http JWKS URL may name: this machine only. */
const LOOPBACK = /^(127(?:\.\d{1,3}){3}|localhost|\[::1\])$/;

/**
 * Every problem of a JWT auth method the IaC surfaces create, fields in camelCase: the mount path
 * (Vault's and our shape rule), Vault's config refusals (exactly one key source; a CA PEM with no
 * certificate), then our rules (https JWKS URL, PEM public keys, a bound issuer).
 */
export function validateJwtAuthBackendSpec(spec: JwtAuthBackendSpec): Issue[] {
  const issues: Issue[] = validateMountPath(spec.path ?? DEFAULT_JWT_AUTH_PATH, 'auth');
  const url = spec.jwksUrl ?? '';
  const keys = spec.jwtValidationPubkeys ?? [];
  if ((url !== '') === keys.length > 0) {
    issues.push({
      field: 'jwksUrl',
      message: "exactly one of 'jwt_validation_pubkeys', 'jwks_url', 'jwks_pairs' or 'oidc_discovery_url' must be set",
    });
  }
  if (url !== '' && (spec.jwksCaPem ?? '') !== '' && !/-----BEGIN CERTIFICATE-----/.test(spec.jwksCaPem!)) {
    issues.push({ field: 'jwksCaPem', message: 'error checking jwks_ca_pem' });
  }
  if (url !== '') {
    let parsed: URL | undefined;
    try {
      parsed = new URL(url);
    } catch {
      parsed = undefined;
    }
    if (!parsed || !(parsed.protocol === 'https:' || (parsed.protocol === 'http:' && LOOPBACK.test(parsed.hostname)))) {
      issues.push({
        field: 'jwksUrl',
        message: `invalid jwksUrl ${JSON.stringify(url)}: use an https:// URL (http:// only for a loopback address): the keys that admit jobs must not travel in clear`,
      });
    }
  }
  keys.forEach((pem, i) => {
    if (!/^\s*-----BEGIN PUBLIC KEY-----[\s\S]+-----END PUBLIC KEY-----\s*$/.test(pem)) {
      issues.push({
        field: 'jwtValidationPubkeys',
        message: `jwtValidationPubkeys[${i}] is not a PEM public key (-----BEGIN PUBLIC KEY-----)`,
      });
    }
  });
  if (typeof spec.boundIssuer !== 'string' || spec.boundIssuer === '') {
    issues.push({
      field: 'boundIssuer',
      message:
        'give boundIssuer, the iss job tokens must carry (e.g. https://gitlab.example.com): without it any issuer the keys sign for is accepted',
    });
  }
  return issues;
}

/**
 * The `auth/<path>/config` body of a valid spec: every field, so a write replaces the whole config.
 * PEM keys are trimmed, as Vault's comma-separated list type stores them.
 */
export function jwtAuthBackendConfigToWire(spec: JwtAuthBackendSpec): Record<string, unknown> {
  return {
    jwks_url: spec.jwksUrl ?? '',
    jwks_ca_pem: spec.jwksCaPem ?? '',
    jwt_validation_pubkeys: (spec.jwtValidationPubkeys ?? []).map((pem) => pem.trim()),
    bound_issuer: spec.boundIssuer,
    default_role: spec.defaultRole ?? '',
  };
}

/** A config as Vault reads it back, in the form `jwtAuthBackendConfigToWire` writes. */
export function jwtAuthBackendConfigFromRead(data: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return {
    jwks_url: data.jwks_url ?? '',
    jwks_ca_pem: data.jwks_ca_pem ?? '',
    jwt_validation_pubkeys: Array.isArray(data.jwt_validation_pubkeys) ? [...data.jwt_validation_pubkeys] : [],
    bound_issuer: data.bound_issuer ?? '',
    default_role: data.default_role ?? '',
  };
}
