// Valid principals of a certificate (Vault ≥ 1.18 / 1.17.6 rules, reference §3.1): the request or
// the role's default user, parsed, sorted and de-duplicated, checked against the role's allowed
// users (user certificates) or allowed domains (host certificates). An empty result is refused unless
// the role explicitly allows it (CVE-2024-7594).

import { RequestError } from '../errors.js';
import type { CaRole } from '../role.js';
import { parseCommaList } from '../go-lists.js';
import type { CertType } from '../cert/certificate.js';
import { renderIdentityTemplate, type Requester } from './requester.js';

/** Vault's template renderer for principals: failures are 400s with Vault's text. */
function renderPrincipalTemplate(template: string, requester: Requester): string {
  return renderIdentityTemplate(
    template,
    requester,
    (cause) => new RequestError(`template '${template}' could not be rendered -> ${cause}`),
  );
}

function isAllowedHostPrincipal(role: CaRole, allowed: readonly string[], principal: string): boolean {
  return allowed.some(
    (d) => (principal === d && role.allowBareDomains) || (role.allowSubdomains && principal.endsWith(`.${d}`)),
  );
}

/**
 * The certificate's principals. `requested` is the request's `valid_principals`, or undefined when the
 * parameter was not supplied at all (then the default user applies).
 */
export function resolvePrincipals(
  role: CaRole,
  certType: CertType,
  requested: string | undefined,
  requester: Requester,
): string[] {
  const isHost = certType === 'host';
  const defaultPrincipal = isHost
    ? ''
    : role.defaultUserTemplate
      ? renderIdentityTemplate(
          // Vault answers 500 when the default user's template fails
          role.defaultUser,
          requester,
          (cause) => `template '${role.defaultUser}' could not be rendered -> ${cause}`,
        )
      : role.defaultUser;
  const allowedRaw = isHost ? role.allowedDomains : role.allowedUsers;
  const templated = isHost ? role.allowedDomainsTemplate : role.allowedUsersTemplate;
  let principals = parseCommaList(requested ?? defaultPrincipal);
  const allowed = parseCommaList(templated ? renderPrincipalTemplate(allowedRaw, requester) : allowedRaw);
  if (principals.length === 0 && defaultPrincipal !== '') principals = [defaultPrincipal];
  if (principals.length === 0) {
    if (role.allowEmptyPrincipals) return [];
    throw new RequestError('empty valid principals not allowed by role');
  }
  if (allowed.length === 0) throw new RequestError('role is not configured to allow any principals');
  if (allowedRaw === '*') return principals;
  for (const p of principals) {
    const ok = isHost ? isAllowedHostPrincipal(role, allowed, p) : allowed.includes(p);
    if (!ok) throw new RequestError(`${p} is not a valid value for valid_principals`);
  }
  return principals;
}
