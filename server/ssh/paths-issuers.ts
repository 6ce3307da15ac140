// OpenBao's multi-issuer SSH API (reference §2.16, not in Vault): `issuers` (list),
// `issuers/import[/:issuer_name]` (generate or submit a key pair), `issuer/:issuer_ref` (read,
// rename, delete), the unauthenticated `issuer/:issuer_ref/public_key` and `config/issuers` (the
// default issuer). Several CA keys on one mount are what a staged rotation needs (issue 20, point 2):
// hosts trust the old and the new key while roles sign with the default one.

import { randomUUID } from 'node:crypto';
import { RequestError } from '../../core/errors.js';
import { CONFIG_CA_FIELDS } from '../../core/path-fields.js';
import type { LogicalRequest, LogicalResponse, PathSpec } from '../framework.js';
import {
  DEFAULT_REF,
  deleteIssuer,
  listIssuers,
  migrateLegacyCa,
  readDefaultIssuerId,
  readIssuer,
  resolveIssuerRef,
  withIssuerLock,
  writeDefaultIssuerId,
  writeIssuer,
  type IssuerEntry,
} from './ca-store.js';
import { resolveSubmittedOrGenerated } from './paths-config-ca.js';
import { readRole } from './paths-roles.js';

/** OpenBao's `framework.GenericNameRegex`. */
const ISSUER_NAME = String.raw`\w(?:(?:[\w\-.]+)?\w)?`;
const ISSUER_NAME_RE = new RegExp(`^${ISSUER_NAME}$`);

const issuerData = (i: IssuerEntry) => ({ issuer_id: i.id, issuer_name: i.name, public_key: i.public_key });

/** OpenBao's `getIssuerName`: `""` is allowed (unnamed); the other rules refuse with its texts. */
async function checkIssuerName(req: LogicalRequest, raw: string, self?: IssuerEntry): Promise<string> {
  const name = raw.trim();
  if (name === '') return '';
  if (name === DEFAULT_REF) throw new RequestError("reserved keyword 'default' can not be used as issuer name");
  if (!ISSUER_NAME_RE.test(name)) throw new RequestError('issuer name contained invalid characters');
  const taken = (await listIssuers(req.storage)).find((i) => i.name === name);
  if (taken && taken.id !== self?.id) throw new RequestError('issuer name already in use');
  return name;
}

/** OpenBao's `addWarningOnDereferencing`: roles that still name `ref`. */
async function dereferenceWarnings(req: LogicalRequest, ref: string): Promise<string[]> {
  let inUse = 0;
  for (const name of (await req.storage.list('roles/')).filter((k) => !k.endsWith('/'))) {
    const role = await readRole(req.storage, name);
    if (role?.issuerRef === ref) inUse++;
  }
  return inUse > 0 ? [`${inUse} roles reference '${ref}'`] : [];
}

const issuerRefOf = (req: LogicalRequest): string => req.captures.issuer_ref!;

export const issuersListPath: PathSpec = {
  pattern: /^issuers\/?$/,
  fields: {
    after: { type: 'string', description: 'Optional entry to begin listing after, not required to exist.' },
    limit: { type: 'int', description: 'Optional number of entries to return; defaults to all entries.' },
  },
  operations: {
    async list(req) {
      await migrateLegacyCa(req.storage, req.mount);
      const after = (req.fields.get('after') as string | undefined) ?? '';
      const limit = (req.fields.get('limit') as number | undefined) ?? 0;
      let issuers = (await listIssuers(req.storage)).filter((i) => after === '' || i.id > after);
      if (limit > 0) issuers = issuers.slice(0, limit);
      if (issuers.length === 0) return undefined;
      const defaultId = await readDefaultIssuerId(req.storage);
      return {
        data: {
          keys: issuers.map((i) => i.id),
          key_info: Object.fromEntries(
            issuers.map((i) => [i.id, { issuer_name: i.name, is_default: i.id === defaultId, public_key: i.public_key }]),
          ),
        },
      };
    },
  },
};

const importSpec = (pattern: RegExp): PathSpec => ({
  pattern,
  fields: {
    ...CONFIG_CA_FIELDS,
    issuer_name: { type: 'string', description: 'Issuer name.' },
    set_default: {
      type: 'bool',
      description: 'If true, this issuer will be set as the default issuer for performing operations.',
    },
  },
  operations: {
    async update(req) {
      const { ca } = await resolveSubmittedOrGenerated(req);
      return withIssuerLock(req.storage, req.mount, async () => {
        const existing = (await listIssuers(req.storage)).find((i) => i.public_key.trim() === ca.public_key.trim());
        if (existing) {
          return {
            data: issuerData(existing),
            warnings: ['An issuer with the provided public key already exists, returning the existing issuer'],
          };
        }
        // A name in the path wins over one in the body (the framework warns that it replaced it).
        const rawName = req.captures.issuer_name ?? (req.fields.get('issuer_name') as string | undefined) ?? '';
        const name = await checkIssuerName(req, rawName);
        const issuer: IssuerEntry = { id: randomUUID(), name, ...ca, version: 1 };
        await writeIssuer(req.storage, issuer);
        // The first issuer becomes the default regardless of set_default.
        if (req.fields.get('set_default') === true || (await readDefaultIssuerId(req.storage)) === '') {
          await writeDefaultIssuerId(req.storage, issuer.id);
        }
        return { data: issuerData(issuer) };
      });
    },
  },
});

/** `issuers/import` (name in the body, or none) and `issuers/import/:issuer_name`. */
export const issuersImportPath = importSpec(/^issuers\/import$/);
export const issuersImportNamedPath = importSpec(new RegExp(`^issuers/import/(?<issuer_name>${ISSUER_NAME})$`));

export const issuerPublicKeyPath: PathSpec = {
  pattern: new RegExp(`^issuer/(?<issuer_ref>${ISSUER_NAME})/public_key$`),
  fields: {},
  unauthenticated: ['read'],
  operations: {
    async read(req) {
      await migrateLegacyCa(req.storage, req.mount);
      const issuer = await readIssuer(req.storage, await resolveIssuerRef(req.storage, issuerRefOf(req)));
      if (!issuer) throw new RequestError(`unable to find issuer for reference: ${issuerRefOf(req)}`);
      return { raw: { status: 200, contentType: 'text/plain', body: issuer.public_key } };
    },
  },
};

export const issuerPath: PathSpec = {
  pattern: new RegExp(`^issuer/(?<issuer_ref>${ISSUER_NAME})$`),
  fields: { issuer_name: { type: 'string', description: 'Issuer name.' } },
  operations: {
    async read(req) {
      await migrateLegacyCa(req.storage, req.mount);
      const issuer = await readIssuer(req.storage, await resolveIssuerRef(req.storage, issuerRefOf(req)));
      return issuer ? { data: issuerData(issuer) } : undefined;
    },
    async update(req) {
      return withIssuerLock(req.storage, req.mount, async (): Promise<LogicalResponse> => {
        const issuer = await readIssuer(req.storage, await resolveIssuerRef(req.storage, issuerRefOf(req)));
        if (!issuer) throw new RequestError(`unable to find issuer for reference: ${issuerRefOf(req)}`);
        const name = await checkIssuerName(req, (req.fields.get('issuer_name') as string | undefined) ?? '', issuer);
        if (name === issuer.name) return { data: issuerData(issuer) };
        const renamed = { ...issuer, name };
        await writeIssuer(req.storage, renamed);
        const warnings = issuer.name === '' ? [] : await dereferenceWarnings(req, issuer.name);
        return { data: issuerData(renamed), ...(warnings.length > 0 ? { warnings } : {}) };
      });
    },
    async delete(req) {
      return withIssuerLock(req.storage, req.mount, async (): Promise<LogicalResponse | undefined> => {
        const ref = issuerRefOf(req);
        let id: string;
        try {
          id = await resolveIssuerRef(req.storage, ref);
        } catch {
          return undefined; // as if deleted
        }
        const issuer = await readIssuer(req.storage, id);
        if (!issuer) return undefined;
        const warnings = [
          ...(issuer.name !== '' ? await dereferenceWarnings(req, issuer.name) : []),
          ...(await dereferenceWarnings(req, issuer.id)),
        ];
        if (await deleteIssuer(req.storage, id)) {
          warnings.push(
            `Deleted issuer ${id} (via issuer_ref ${ref}); this was configured as the default issuer. Operations without an explicit issuer will not work until a new default is configured.`,
            ...(await dereferenceWarnings(req, DEFAULT_REF)),
          );
        }
        return warnings.length > 0 ? { data: null, warnings } : undefined;
      });
    },
  },
};

export const configIssuersPath: PathSpec = {
  pattern: /^config\/issuers$/,
  fields: { default: { type: 'string', description: 'Reference (name or identifier) to the default issuer.' } },
  operations: {
    async read(req) {
      await migrateLegacyCa(req.storage, req.mount);
      const id = await readDefaultIssuerId(req.storage);
      if (id === '') throw new RequestError('no default issuer currently configured');
      return { data: { default: id } };
    },
    async update(req) {
      return withIssuerLock(req.storage, req.mount, async () => {
        const ref = ((req.fields.get('default') as string | undefined) ?? '').trim();
        if (ref === '' || ref === DEFAULT_REF) {
          throw new RequestError("invalid issuer specification; must be non-empty and can't be 'default'.");
        }
        const id = await resolveIssuerRef(req.storage, ref);
        if ((await readDefaultIssuerId(req.storage)) === id) {
          return { data: { default: id }, warnings: ['The default issuer is already set to the specified issuer.'] };
        }
        await writeDefaultIssuerId(req.storage, id);
        return { data: { default: id } };
      });
    },
  },
};
