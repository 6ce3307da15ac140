// `auth/<jwt mount>/config` (Vault's jwt plugin, path_config.go): where the signing keys come from
// (exactly one of `jwks_url` or `jwt_validation_pubkeys`; OIDC discovery and `jwks_pairs` are not
// served here), `bound_issuer`, `default_role` and `jwt_supported_algs`. A write replaces the whole
// config, checks the JWKS URL by fetching it (or parses every PEM key) and drops the mount's cached
// keys. Reads show Vault's shape; this method stores no secret (no OIDC client secret).

import { RequestError } from '../../core/errors.js';
import type { FieldSchema } from '../../core/fields.js';
import { ASYMMETRIC_JWT_ALGS } from '../../core/jwt-claims.js';
import { fieldOf, type LogicalRequest, type PathSpec } from '../framework.js';
import { getJson, putJson, type Storage } from '../storage/storage.js';
import { X509Certificate } from 'node:crypto';
import { fetchJwks, type KeySourceConfig, type MountKeySets } from './jwt-jwks-cache.js';
import { parsePublicKeyPem } from './jwt-signature.js';

/** A stored JWT mount config. */
export interface JwtConfig extends KeySourceConfig {
  readonly jwt_supported_algs: readonly string[];
  readonly bound_issuer: string;
  readonly default_role: string;
  readonly namespace_in_state: boolean;
}

const CONFIG_KEY = 'config';

/** The config of a mount, or undefined before one was written. */
export const readJwtConfig = (storage: Storage): Promise<JwtConfig | undefined> =>
  getJson<JwtConfig>(storage, CONFIG_KEY);

/** `auth/<jwt mount>/config` fields. */
export const JWT_CONFIG_FIELDS: FieldSchema = {
  jwks_url: {
    type: 'string',
    description: 'JWKS URL whose keys verify token signatures (not with jwt_validation_pubkeys).',
  },
  jwks_ca_pem: { type: 'string', description: 'PEM CA certificates that verify the TLS connection to jwks_url.' },
  jwt_validation_pubkeys: {
    type: 'comma-string-slice',
    description: 'PEM public keys that verify token signatures locally (not with jwks_url).',
  },
  jwt_supported_algs: {
    type: 'comma-string-slice',
    description: 'Signing algorithms accepted (asymmetric only); empty accepts every supported one.',
  },
  bound_issuer: { type: 'string', description: "Value the tokens' iss claim must equal; empty accepts any." },
  default_role: { type: 'lowercase-string', description: 'Role used by logins that name none.' },
  oidc_discovery_url: { type: 'string', description: 'OIDC discovery URL (not supported by this server).' },
};

/** Go's x509.CertPool.AppendCertsFromPEM: true when at least one certificate parses. */
function hasCertificate(pem: string): boolean {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
  return blocks.some((block) => {
    try {
      new X509Certificate(block);
      return true;
    } catch {
      return false;
    }
  });
}

/** Vault's config checks, in its order; throws its messages. */
async function checkConfig(config: JwtConfig, discoveryUrl: string): Promise<void> {
  const sources = [discoveryUrl !== '', config.jwt_validation_pubkeys.length > 0, config.jwks_url !== ''];
  if (sources.filter(Boolean).length !== 1) {
    throw new RequestError(
      "exactly one of 'jwt_validation_pubkeys', 'jwks_url', 'jwks_pairs' or 'oidc_discovery_url' must be set",
    );
  }
  if (discoveryUrl !== '') {
    throw new RequestError(
      "'oidc_discovery_url' is not supported by this server: set 'jwks_url' or 'jwt_validation_pubkeys'",
    );
  }
  if (config.jwks_url !== '') {
    if (config.jwks_ca_pem !== '' && !hasCertificate(config.jwks_ca_pem))
      throw new RequestError('error checking jwks_ca_pem');
    try {
      await fetchJwks({ url: config.jwks_url, caPem: config.jwks_ca_pem });
    } catch {
      throw new RequestError(`error checking jwks URL ${config.jwks_url}`);
    }
  } else {
    for (const pem of config.jwt_validation_pubkeys) {
      try {
        parsePublicKeyPem(pem);
      } catch (e) {
        throw new RequestError(`error parsing public key: ${(e as Error).message}`);
      }
    }
  }
  const unsupported = config.jwt_supported_algs.find((alg) => !ASYMMETRIC_JWT_ALGS.includes(alg));
  if (unsupported !== undefined) {
    throw new RequestError(`invalid jwt_supported_algs: unsupported signing algorithm ${JSON.stringify(unsupported)}`);
  }
}

/** The read shape: Vault's fields, the OIDC ones at their empty values. */
function configToWire(c: JwtConfig): Record<string, unknown> {
  return {
    oidc_discovery_url: '',
    oidc_discovery_ca_pem: '',
    oidc_client_id: '',
    oidc_response_mode: '',
    oidc_response_types: [],
    default_role: c.default_role,
    jwt_validation_pubkeys: c.jwt_validation_pubkeys,
    jwt_supported_algs: c.jwt_supported_algs,
    jwks_url: c.jwks_url,
    jwks_pairs: [],
    jwks_ca_pem: c.jwks_ca_pem,
    bound_issuer: c.bound_issuer,
    provider_config: {},
    namespace_in_state: c.namespace_in_state,
    unsupported_critical_cert_extensions: [],
  };
}

/** The config path over the server's key sets (reset on every write). */
export function jwtConfigPath(keySets: MountKeySets): PathSpec {
  return {
    pattern: /^config\/?$/,
    fields: JWT_CONFIG_FIELDS,
    operations: {
      async read(req) {
        const config = await readJwtConfig(req.storage);
        return config ? { data: configToWire(config) } : undefined;
      },
      async update(req: LogicalRequest) {
        // Each write replaces the whole config (Vault builds it from the request alone).
        const existing = await readJwtConfig(req.storage);
        const config: JwtConfig = {
          jwks_url: fieldOf<string>(req, 'jwks_url') ?? '',
          jwks_ca_pem: fieldOf<string>(req, 'jwks_ca_pem') ?? '',
          jwt_validation_pubkeys: fieldOf<string[]>(req, 'jwt_validation_pubkeys') ?? [],
          jwt_supported_algs: fieldOf<string[]>(req, 'jwt_supported_algs') ?? [],
          bound_issuer: fieldOf<string>(req, 'bound_issuer') ?? '',
          default_role: fieldOf<string>(req, 'default_role') ?? '',
          namespace_in_state: existing?.namespace_in_state ?? true,
        };
        await checkConfig(config, fieldOf<string>(req, 'oidc_discovery_url') ?? '');
        await putJson(req.storage, CONFIG_KEY, config);
        keySets.reset(req.mount.uuid);
        return undefined;
      },
    },
  };
}
