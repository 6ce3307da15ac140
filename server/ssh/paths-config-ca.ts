// `<mount>/config/ca` (submit, generate, read, delete the CA key) and the unauthenticated
// `<mount>/public_key`, with Vault's decision table and messages (reference §2.5–2.8). The CA is the
// mount's default issuer (server/ssh/ca-store.ts): a single-CA mount answers exactly as Vault does,
// and DELETE purges every issuer as OpenBao does (with OpenBao's warning when there were several).

import { validateCaSpec, type CaSpec } from '../../core/ca-spec.js';
import { InternalError, RequestError } from '../../core/errors.js';
import { CONFIG_CA_FIELDS } from '../../core/path-fields.js';
import type { LogicalRequest, LogicalResponse, PathSpec } from '../framework.js';
import {
  deleteIssuer,
  listIssuerIds,
  migrateLegacyCa,
  readDefaultIssuer,
  withIssuerLock,
  writeDefaultIssuerId,
  writeIssuer,
} from './ca-store.js';
import { randomUUID } from 'node:crypto';
import { generateKeyPairAsync } from './generate-key-pair.js';

/** A CA key pair as stored: authorized_keys text and private key PEM. */
export interface CaKeyPair {
  readonly public_key: string;
  readonly private_key: string;
}

/** The key pair a config/ca-style request submits or asks to generate, with Vault's rules and texts. */
export async function resolveSubmittedOrGenerated(req: LogicalRequest): Promise<{ ca: CaKeyPair; generated: boolean }> {
  const f = req.fields;
  const spec: CaSpec = {
    keyType: (f.get('key_type') as string | undefined) ?? 'ssh-rsa',
    keyBits: (f.get('key_bits') as number | undefined) ?? 0,
    publicKey: (f.get('public_key') as string | undefined) ?? '',
    privateKey: (f.get('private_key') as string | undefined) ?? '',
    ...(f.has('generate_signing_key') ? { generateSigningKey: f.get('generate_signing_key') as boolean } : {}),
  };
  // Vault answers only the first problem; a refused key type or size fails its key generation (500).
  const [first] = validateCaSpec(spec);
  if (first) {
    if (first.field === 'key_type' || first.field === 'key_bits') throw new InternalError(first.message);
    throw new RequestError(first.message);
  }
  if (spec.publicKey !== '') {
    return { ca: { public_key: spec.publicKey!, private_key: spec.privateKey! }, generated: false };
  }
  const pair = await generateKeyPairAsync(spec.keyType!, spec.keyBits!);
  // Stored as PKCS#8/PKCS#1/SEC1 PEM, which node:crypto loads directly (fast, full RSA CRT parameters).
  const pem = String(pair.caKey.privateKey.export({ type: 'pkcs8', format: 'pem' }));
  return { ca: { public_key: pair.publicKey, private_key: pem }, generated: true };
}

async function writeCa(req: LogicalRequest): Promise<LogicalResponse | undefined> {
  const { ca, generated } = await resolveSubmittedOrGenerated(req);
  return withIssuerLock(req.storage, req.mount, async () => {
    // Vault's answer while any CA key exists (OpenBao would add an issuer: use issuers/import for that).
    if ((await listIssuerIds(req.storage)).length > 0) {
      throw new RequestError('keys are already configured; delete them before reconfiguring');
    }
    const id = randomUUID();
    await writeIssuer(req.storage, { id, name: '', ...ca, version: 1 });
    await writeDefaultIssuerId(req.storage, id);
    return generated ? { data: { public_key: ca.public_key } } : undefined;
  });
}

export const configCaPath: PathSpec = {
  pattern: /^config\/ca$/,
  fields: CONFIG_CA_FIELDS,
  operations: {
    update: writeCa,
    async read(req) {
      await migrateLegacyCa(req.storage, req.mount);
      const ca = await readDefaultIssuer(req.storage);
      if (!ca) throw new RequestError("keys haven't been configured yet");
      return { data: { public_key: ca.public_key } };
    },
    async delete(req) {
      return withIssuerLock(req.storage, req.mount, async () => {
        const ids = await listIssuerIds(req.storage);
        for (const id of ids) await deleteIssuer(req.storage, id);
        // One CA: Vault's 204. Several: OpenBao's purge warning.
        return ids.length > 1
          ? { data: null, warnings: [`Deleted ${ids.length} issuers, including default issuer if configured.`] }
          : undefined;
      });
    },
  },
};

export const publicKeyPath: PathSpec = {
  pattern: /^public_key$/,
  fields: {},
  unauthenticated: ['read', 'list'],
  operations: {
    async read(req) {
      await migrateLegacyCa(req.storage, req.mount);
      const ca = await readDefaultIssuer(req.storage);
      if (!ca) return undefined;
      return { raw: { status: 200, contentType: 'text/plain', body: ca.public_key } };
    },
  },
};
