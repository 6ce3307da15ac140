// `sys/wrapping/*` (Vault's logical_system.go): wrap arbitrary data, unwrap (the wrapping token as
// X-Vault-Token, or in `token` with another token), look up a wrapping token without using it
// (unauthenticated, as in Vault), and rewrap (a new token for the same response; the old one dies).
// The token was validated before the ACL (wrapping/wrap-step.ts); a parallel request may still have
// used it since, which is answered as an invalid token.

import type { FieldSchema } from '../../core/fields.js';
import type { LogicalRequest, PathSpec } from '../framework.js';
import { InvalidWrappingTokenError, type ResponseWrapper } from '../wrapping/response-wrapper.js';
import type { WrappableResult } from '../wrapping/wrap-step.js';

/** The parameter of unwrap, lookup and rewrap. */
const TOKEN_FIELDS: FieldSchema = {
  token: { type: 'string', description: "The wrapping token (default: the request's own token)." },
};

/** The wrapping token a request names: `token` in the body, else the client token. */
const tokenOf = (req: LogicalRequest): string => {
  const inBody = req.fields.get('token');
  return typeof inBody === 'string' && inBody !== '' ? inBody : (req.clientToken ?? '');
};

/** The `sys/wrapping/*` paths over a response wrapper. */
export function wrappingPaths(wrapper: ResponseWrapper): PathSpec[] {
  return [
    {
      pattern: /^wrapping\/wrap$/,
      fields: {},
      operations: {
        async update(req): Promise<WrappableResult> {
          // Deliberately raw: Vault's wrap path declares no fields and wraps its FieldData's Raw, the
          // body exactly as sent, with no schema to coerce it.
          return { data: { ...req.data }, wrap: { required: true, arbitraryInput: true } };
        },
      },
    },
    {
      pattern: /^wrapping\/unwrap$/,
      fields: TOKEN_FIELDS,
      operations: {
        async update(req): Promise<WrappableResult> {
          const got = await wrapper.unwrap(tokenOf(req));
          if (!got) throw new InvalidWrappingTokenError();
          // The body is the wrapped answer verbatim; data and auth are there for the audit log, which
          // HMACs them like any response.
          const inner = JSON.parse(got.response) as { data?: Record<string, unknown> | null; auth?: unknown };
          return {
            raw: { status: 200, contentType: 'application/json', body: got.response },
            data: inner.data ?? null,
            ...(inner.auth && typeof inner.auth === 'object' ? { auth: inner.auth as Record<string, unknown> } : {}),
          };
        },
      },
    },
    {
      pattern: /^wrapping\/lookup$/,
      fields: TOKEN_FIELDS,
      unauthenticated: ['update'],
      operations: {
        async update(req) {
          const info = await wrapper.lookup(tokenOf(req));
          if (!info) throw new InvalidWrappingTokenError();
          return { data: { ...info } };
        },
      },
    },
    {
      pattern: /^wrapping\/rewrap$/,
      fields: TOKEN_FIELDS,
      operations: {
        async update(req): Promise<WrappableResult> {
          const got = await wrapper.unwrap(tokenOf(req));
          if (!got) throw new InvalidWrappingTokenError();
          return {
            data: { response: got.response },
            wrap: { ttl: got.creation_ttl, creationPath: got.creation_path, response: got.response },
          };
        },
      },
    },
  ];
}
