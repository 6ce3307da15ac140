// `<mount>/sign/:role` and `<mount>/issue/:role`: certificates under a role with Vault's processing
// order and messages (reference §2.9–2.10). The request is built from the fields the framework
// coerced with SIGN_FIELDS / ISSUE_FIELDS; the clock, serial, nonce and (for issue) the key pair come
// from here; the policy lives in core. The signing key is the role's issuer (`issuer_ref`, default
// `default`: server/ssh/ca-store.ts); a mount with one CA answers as Vault, and `issuer_id` is added
// (as OpenBao does) once the mount holds several issuers or the role names one.

import { isRequestError, isSshCaError, RequestError } from '../../core/errors.js';
import { checkIssueRequest, ISSUE_FIELDS, issueRequestFromFields, issueWithKeyPair } from '../../core/issue.js';
import { SIGN_FIELDS, signRequestFromFields, signWithRole, type SignInput } from '../../core/sign.js';
import type { Role } from '../../core/role.js';
import { IDENTITY_TEMPLATE_ERRORS, renderIdentityTemplateString } from '../../core/policy/identity-template.js';
import type { Requester } from '../../core/policy/requester.js';
import type { LogicalRequest, PathSpec } from '../framework.js';
import { effectiveTtls } from '../sys/mount-table.js';
import { cachedIssuerIds, caKeyOf, DEFAULT_REF, migrateLegacyCa, readIssuer, resolveIssuerRef } from './ca-store.js';
import { generateKeyPairAsync } from './generate-key-pair.js';
import { randomBytesPooled } from './random-pool.js';
import { readRole, ROLE_NAME, type StoredRole } from './paths-roles.js';

/**
 * Who signs: the token's display name and, when the token has an identity entity, Vault's identity
 * templates rendered against it (without one, templates stay literal, as in Vault).
 */
function requesterOf(req: LogicalRequest): Requester {
  const displayName = req.token?.displayName ?? '';
  const entity = req.entity;
  if (!req.token?.entityId) return { displayName };
  return {
    displayName,
    renderTemplate: (template) => {
      // framework.PopulateIdentityTemplate: an entity id that resolves to nothing
      if (!entity) throw new Error(IDENTITY_TEMPLATE_ERRORS.noEntityFound);
      return renderIdentityTemplateString(template, entity, req.now);
    },
  };
}

/** The role's issuer: its key, its id for the answer, or OpenBao's refusal for after the policy checks. */
interface RoleIssuer {
  readonly ca?: SignInput['ca'];
  readonly issuerId?: string;
  readonly refusal?: string;
}

async function roleIssuer(req: LogicalRequest, role: StoredRole): Promise<RoleIssuer> {
  await migrateLegacyCa(req.storage, req.mount);
  const ref = role.issuerRef ?? DEFAULT_REF;
  const ids = await cachedIssuerIds(req.storage);
  // No CA at all: Vault's 500 `failed to read CA private key`, from core.
  if (ids.length === 0 && ref === DEFAULT_REF) return {};
  let id: string;
  try {
    id = await resolveIssuerRef(req.storage, ref);
  } catch (e) {
    if (isRequestError(e)) return { refusal: e.message };
    throw e;
  }
  const issuer = await readIssuer(req.storage, id);
  if (!issuer) return { refusal: `unable to find issuer for reference: ${ref}` };
  const answerId = ids.length > 1 || ref !== DEFAULT_REF;
  return { ca: caKeyOf(issuer, req.mount), ...(answerId ? { issuerId: issuer.id } : {}) };
}

/**
 * Sign with core, turning core's "no CA" into OpenBao's refusal when the role's issuer could not be
 * resolved: core checks the request first, so the refusal comes at OpenBao's step (after the policy).
 */
function withIssuer<T>(issuer: RoleIssuer, sign: () => T): T {
  try {
    return sign();
  } catch (e) {
    if (issuer.refusal !== undefined && isSshCaError(e) && e.message === 'failed to read CA private key') {
      throw new RequestError(issuer.refusal);
    }
    throw e;
  }
}

async function signingContext(
  req: LogicalRequest,
  role: Role,
  issuer: RoleIssuer,
): Promise<Omit<SignInput, 'request'>> {
  return {
    roleName: req.captures.role!,
    role,
    mount: effectiveTtls(req.mount),
    requester: requesterOf(req),
    ca: issuer.ca,
    now: Math.floor(Date.now() / 1000),
    serial: randomBytesPooled(8).readBigUInt64BE(0),
    nonce: randomBytesPooled(32),
  };
}

export const signPath: PathSpec = {
  pattern: new RegExp(`^sign/(?<role>${ROLE_NAME})$`),
  fields: SIGN_FIELDS,
  operations: {
    async update(req) {
      const role = await readRole(req.storage, req.captures.role!);
      if (!role) throw new RequestError(`Unknown role: ${req.captures.role}`);
      const request = signRequestFromFields(req.fields);
      const issuer = await roleIssuer(req, role);
      const context = await signingContext(req, role, issuer);
      const result = withIssuer(issuer, () => signWithRole({ ...context, request }));
      return {
        data: {
          serial_number: result.serialNumber,
          signed_key: result.signedKey,
          ...(issuer.issuerId ? { issuer_id: issuer.issuerId } : {}),
        },
        warnings: result.warnings,
      };
    },
  },
};

export const issuePath: PathSpec = {
  pattern: new RegExp(`^issue/(?<role>${ROLE_NAME})$`),
  fields: ISSUE_FIELDS,
  operations: {
    async update(req) {
      const role = await readRole(req.storage, req.captures.role!);
      if (!role) throw new RequestError(`unknown role: ${req.captures.role}`);
      const request = issueRequestFromFields(req.fields);
      checkIssueRequest(role, request);
      // Generated here, off the event loop, and handed to core (which draws no randomness).
      const pair = await generateKeyPairAsync(request.keyType, request.keyBits);
      const issuer = await roleIssuer(req, role);
      const context = await signingContext(req, role, issuer);
      const result = withIssuer(issuer, () => issueWithKeyPair({ ...context, request }, pair));
      return {
        data: {
          serial_number: result.serialNumber,
          signed_key: result.signedKey,
          private_key: result.privateKey,
          private_key_type: result.privateKeyType,
          ...(issuer.issuerId ? { issuer_id: issuer.issuerId } : {}),
        },
        warnings: result.warnings,
      };
    },
  },
};
