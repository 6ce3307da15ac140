// Who asks for a certificate: the token's display name (for the key id) and, when the token
// belongs to an identity entity, a renderer for Vault identity templates (`{{identity.entity.…}}`).

import { InternalError, type SshCaError } from '../errors.js';

/** The caller of a sign request, as far as certificate contents depend on it. */
export interface Requester {
  /** Token display name: `root`, `token-<name>`, `userpass-<user>`; may be empty. */
  readonly displayName: string;
  /**
   * Renders one identity template for the caller's entity; absent when the token has no entity, in
   * which case templates stay literal (as in Vault). Throws an Error whose message is the cause.
   */
  readonly renderTemplate?: (template: string) => string;
}

const TEMPLATE_MARKER = /\{\{.+?\}\}/;

/** True when `s` contains a `{{…}}` template marker. */
export const hasTemplate = (s: string): boolean => TEMPLATE_MARKER.test(s);

/**
 * Render `template` for the requester when it contains markers and the requester has an entity;
 * otherwise return it unchanged. `wrap` turns a failure cause into the error to throw.
 */
export function renderIdentityTemplate(
  template: string,
  requester: Requester,
  wrap: (cause: string) => SshCaError | string,
): string {
  if (!hasTemplate(template) || !requester.renderTemplate) return template;
  try {
    return requester.renderTemplate(template);
  } catch (e) {
    const wrapped = wrap((e as Error).message);
    throw typeof wrapped === 'string' ? new InternalError(wrapped) : wrapped;
  }
}
