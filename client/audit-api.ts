// Typed call for Vault's audit hashing (reference §5.5): the HMAC an audit device would log for a
// value, so that a cleartext value (a certificate's serial) can be found in a hashed audit log
// without un-hashing anything (issue 21, point 1).

import { InternalError } from '../core/errors.js';
import type { VaultClient } from './vault-client.js';

/**
 * POST sys/audit-hash/:path → `hmac-sha256:<hex>` of `input` under the device at `devicePath`
 * (e.g. `file`; slashes around it are dropped). Needs `update` on sys/audit-hash/<path> (sudo in Vault).
 */
export async function hashAuditValue(client: VaultClient, devicePath: string, input: string): Promise<string> {
  const path = devicePath.replace(/^\/+|\/+$/g, '');
  const r = await client.write<{ hash?: string }>(`sys/audit-hash/${path}`, { input });
  const hash = r?.data?.hash ?? (JSON.parse(r?.body || '{}') as { hash?: string }).hash;
  if (typeof hash !== 'string') throw new InternalError(`the backend answered sys/audit-hash/${path} without a hash`);
  return hash;
}
