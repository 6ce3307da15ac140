// `<mount>/sign/:role` and `<mount>/issue/:role`: certificates under a role with Vault's processing
// order and messages (reference §2.9–2.10). The request is built from the fields the framework
// coerced with SIGN_FIELDS / ISSUE_FIELDS; the clock, serial, nonce and (for issue) the key pair come
// from here; the policy lives in core.

import { RequestError } from '../../core/errors.js';
import { checkIssueRequest, ISSUE_FIELDS, issueRequestFromFields, issueWithKeyPair } from '../../core/issue.js';
import { SIGN_FIELDS, signRequestFromFields, signWithRole, type SignInput } from '../../core/sign.js';
import type { Role } from '../../core/role.js';
import { IDENTITY_TEMPLATE_ERRORS, renderIdentityTemplateString } from '../../core/policy/identity-template.js';
import type { Requester } from '../../core/policy/requester.js';
import type { LogicalRequest, PathSpec } from '../framework.js';
import { effectiveTtls } from '../sys/mount-table.js';
import { loadCaKey } from './ca-store.js';
import { generateKeyPairAsync } from './generate-key-pair.js';
import { randomBytesPooled } from './random-pool.js';
import { readRole, ROLE_NAME } from './paths-roles.js';

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

async function signingContext(req: LogicalRequest, role: Role): Promise<Omit<SignInput, 'request'>> {
  return {
    roleName: req.captures.role!,
    role,
    mount: effectiveTtls(req.mount),
    requester: requesterOf(req),
    ca: await loadCaKey(req.storage, req.mount),
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
      const result = signWithRole({ ...(await signingContext(req, role)), request });
      return {
        data: { serial_number: result.serialNumber, signed_key: result.signedKey },
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
      const result = issueWithKeyPair({ ...(await signingContext(req, role)), request }, pair);
      return {
        data: {
          serial_number: result.serialNumber,
          signed_key: result.signedKey,
          private_key: result.privateKey,
          private_key_type: result.privateKeyType,
        },
        warnings: result.warnings,
      };
    },
  },
};
