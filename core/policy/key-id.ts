// The certificate's key id (reference §3.3): the request's `key_id` if the role allows it,
// otherwise the role's `key_id_format` (default `vault-{{token_display_name}}-{{public_key_hash}}`).
// The key id is what sshd logs, so it names the requester.

import { RequestError } from '../errors.js';
import type { CaRole } from '../role.js';
import type { Requester } from './requester.js';

/** Resolve the key id; `publicKeyHash` is the hex SHA-256 of the subject key blob. */
export function resolveKeyId(
  role: CaRole,
  roleName: string,
  requestedKeyId: string,
  requester: Requester,
  publicKeyHash: string,
): string {
  if (requestedKeyId !== '') {
    if (!role.allowUserKeyIds) throw new RequestError('setting key_id is not allowed by role');
    return requestedKeyId;
  }
  const format =
    role.keyIdFormat !== ''
      ? role.keyIdFormat
      : requester.displayName === ''
        ? 'vault-{{public_key_hash}}'
        : 'vault-{{token_display_name}}-{{public_key_hash}}';
  return format
    .replaceAll('{{token_display_name}}', requester.displayName)
    .replaceAll('{{role_name}}', roleName)
    .replaceAll('{{public_key_hash}}', publicKeyHash);
}
