// `<mount>/config/ca` (submit, generate, read, delete the CA key) and the unauthenticated
// `<mount>/public_key`, with Vault's decision table and messages (reference §2.5–2.8).

import { RequestError } from '../../core/errors.js';
import { parseCaPrivateKey } from '../../core/keys/ca-key.js';
import { parseSshPublicKey } from '../../core/keys/public-key.js';
import { CONFIG_CA_FIELDS } from '../../core/path-fields.js';
import type { LogicalRequest, LogicalResponse, PathSpec } from '../framework.js';
import { deleteStoredCa, readStoredCa, writeStoredCa, type StoredCa } from './ca-store.js';
import { generateKeyPairAsync } from './generate-key-pair.js';

async function resolveSubmittedOrGenerated(req: LogicalRequest): Promise<{ ca: StoredCa; generated: boolean }> {
  const f = req.fields;
  const generateSet = f.has('generate_signing_key');
  const generate = (f.get('generate_signing_key') as boolean | undefined) ?? true;
  const publicKey = (f.get('public_key') as string | undefined) ?? '';
  const privateKey = (f.get('private_key') as string | undefined) ?? '';
  if (generateSet && generate && (publicKey !== '' || privateKey !== '')) {
    throw new RequestError('public_key and private_key must not be set when generate_signing_key is set to true');
  }
  if ((generateSet && !generate) || (publicKey !== '' && privateKey !== '')) {
    if (publicKey === '') throw new RequestError('missing public_key');
    if (privateKey === '') throw new RequestError('missing private_key');
    try {
      parseCaPrivateKey(privateKey);
    } catch (e) {
      throw new RequestError(`Unable to parse private_key as an SSH private key: ${(e as Error).message}`);
    }
    try {
      parseSshPublicKey(publicKey);
    } catch {
      throw new RequestError('Unable to parse public_key as an SSH public key: ssh: no key found');
    }
    return { ca: { public_key: publicKey, private_key: privateKey }, generated: false };
  }
  if (publicKey !== '' || privateKey !== '') {
    throw new RequestError(
      'only one of public_key and private_key set; both must be set to use, or both must be blank to auto-generate',
    );
  }
  const keyType = (f.get('key_type') as string | undefined) ?? 'ssh-rsa';
  const pair = await generateKeyPairAsync(keyType, (f.get('key_bits') as number | undefined) ?? 0);
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
