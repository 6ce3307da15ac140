// Critical options and extensions (reference §3.5). A non-empty request replaces the role's
// defaults and is checked against the allowed list (split on "," with no trimming, as Vault does);
// defaults are never filtered. `allowed_critical_options` empty = anything; `allowed_extensions`
// empty = nothing, `*` = anything.

import { RequestError } from '../errors.js';
import { formatGoList } from '../go-lists.js';
import type { CaRole } from '../role.js';
import { hasTemplate, renderIdentityTemplate, type Requester } from './requester.js';

/** Vault's warning when templated default extensions are skipped for a caller without an entity. */
export const SKIPPED_EXTENSIONS_WARNING =
  'default_extension templating enabled with at least one extension requiring identity templating. However, this request lacked identity entity information, causing one or more extensions to be skipped from the generated certificate.';

const notAllowed = (requested: Readonly<Record<string, string>>, allowedList: string): string[] => {
  const allowed = allowedList.split(',');
  return Object.keys(requested)
    .filter((name) => !allowed.includes(name))
    .sort();
};

/** The certificate's critical options. */
export function resolveCriticalOptions(
  role: CaRole,
  requested: Readonly<Record<string, string>>,
): Record<string, string> {
  if (Object.keys(requested).length === 0) return { ...role.defaultCriticalOptions };
  if (role.allowedCriticalOptions !== '') {
    const bad = notAllowed(requested, role.allowedCriticalOptions);
    if (bad.length > 0) throw new RequestError(`critical options not on allowed list: ${formatGoList(bad)}`);
  }
  return { ...requested };
}

/** The certificate's extensions, and a warning when templated defaults had to be skipped. */
export function resolveExtensions(
  role: CaRole,
  requested: Readonly<Record<string, string>>,
  requester: Requester,
): { extensions: Record<string, string>; warning?: string } {
  if (Object.keys(requested).length > 0) {
    if (role.allowedExtensions !== '*') {
      const bad = notAllowed(requested, role.allowedExtensions);
      if (bad.length > 0) throw new RequestError(`extensions ${formatGoList(bad)} are not on allowed list`);
    }
    return { extensions: { ...requested } };
  }
  if (!role.defaultExtensionsTemplate) return { extensions: { ...role.defaultExtensions } };
  const extensions: Record<string, string> = {};
  let skipped = false;
  for (const [name, value] of Object.entries(role.defaultExtensions)) {
    if (hasTemplate(value) && !requester.renderTemplate) {
      skipped = true;
      continue;
    }
    extensions[name] = renderIdentityTemplate(
      value,
      requester,
      (cause) => new RequestError(`template '${value}' could not be rendered -> ${cause}`),
    );
  }
  return skipped ? { extensions, warning: SKIPPED_EXTENSIONS_WARNING } : { extensions };
}
