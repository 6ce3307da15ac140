// `<mount>/config/ca` (submit, generate, read, delete the CA key) and the unauthenticated
// `<mount>/public_key`, with Vault's decision table and messages (reference §2.5–2.8).

import { validateCaSpec, type CaSpec } from '../../core/ca-spec.js';
import { InternalError, RequestError } from '../../core/errors.js';
import { CONFIG_CA_FIELDS } from '../../core/path-fields.js';
import type { LogicalRequest, LogicalResponse, PathSpec } from '../framework.js';
import { deleteStoredCa, readStoredCa, writeStoredCa, type StoredCa } from './ca-store.js';
import { generateKeyPairAsync } from './generate-key-pair.js';

async function resolveSubmittedOrGenerated(req: LogicalRequest): Promise<{ ca: StoredCa; generated: boolean }> {
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
  if (await readStoredCa(req.storage)) {
    throw new RequestError('keys are already configured; delete them before reconfiguring');
  }
  await writeStoredCa(req.storage, ca);
  return generated ? { data: { public_key: ca.public_key } } : undefined;
}

export const configCaPath: PathSpec = {
  pattern: /^config\/ca$/,
  fields: CONFIG_CA_FIELDS,
  operations: {
    update: writeCa,
    async read(req) {
      const ca = await readStoredCa(req.storage);
      if (!ca) throw new RequestError("keys haven't been configured yet");
      return { data: { public_key: ca.public_key } };
    },
    async delete(req) {
      await deleteStoredCa(req.storage);
      return undefined;
    },
  },
};

export const publicKeyPath: PathSpec = {
  pattern: /^public_key$/,
  fields: {},
  unauthenticated: ['read', 'list'],
  operations: {
    async read(req) {
      const ca = await readStoredCa(req.storage);
      if (!ca) return undefined;
      return { raw: { status: 200, contentType: 'text/plain', body: ca.public_key } };
    },
  },
};
