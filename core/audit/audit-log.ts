// The certificates a backend signed, as its file audit device logged them (issue 21, point 1): the
// `response` entries of successful `<mount>/sign/<role>` and `<mount>/issue/<role>` requests, with the
// caller's auth block. Vault HMACs every string of request and response data (`serial_number`,
// `signed_key`, `valid_principals`, a string `ttl`) unless the device logs raw or the mount lists the
// key in audit_non_hmac_*; such values are kept as logged (`hmac-sha256:…`) and joined by hashing the
// cleartext through sys/audit-hash, never by un-hashing. Pure: no I/O.

/** One certificate the audit log shows signed. */
export interface AuditSign {
  /** The response entry's time. */
  readonly time: string;
  readonly requestId: string;
  /** The mount, without slashes: `ssh-dev`. */
  readonly mount: string;
  readonly role: string;
  /** The request path, `ssh-dev/sign/developer`. */
  readonly path: string;
  /** Vault's `serial_number` (lower-case hex) or its HMAC, as logged. */
  readonly serialNumber: string;
  /** The token's display name, e.g. `userpass-testuser`; `root` for a root token. */
  readonly displayName: string;
  /** The auth method, from the display name (`userpass`, `jwt`, …; `token` when it names none). */
  readonly authMethod: string;
  /** The user as the auth method names it (metadata `username`, `role`, else the display name's rest). */
  readonly user: string;
  readonly policies: readonly string[];
  readonly tokenAccessor: string;
  /** '' when the token has no entity. */
  readonly entityId: string;
  readonly remoteAddress: string;
  /** Requested principals when logged in clear; undefined when hashed or not requested. */
  readonly principals?: readonly string[];
  /** Requested TTL when logged in clear (a number of seconds or a duration). */
  readonly ttl?: string | number;
  /** Requested key ID when logged in clear. */
  readonly keyId?: string;
}

/** The audit log read: signed certificates, and how many lines were not audit entries. */
export interface AuditLog {
  readonly signs: AuditSign[];
  readonly badLines: number;
}

const SIGN_PATH = /^(.+)\/(sign|issue)\/([^/]+)$/;
const isHashed = (v: unknown): boolean => typeof v === 'string' && v.startsWith('hmac-sha256:');
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** The signing answers of an audit log (JSON lines, optionally behind the device's `prefix`). */
export function parseAuditLog(text: string): AuditLog {
  const signs: AuditSign[] = [];
  let badLines = 0;
  for (const raw of text.split('\n')) {
    if (raw.trim() === '') continue;
    const start = raw.indexOf('{');
    let entry: any;
    try {
      entry = JSON.parse(raw.slice(Math.max(start, 0)));
    } catch {
      badLines++;
      continue;
    }
    if (entry?.type !== 'response' || (entry.error ?? '') !== '') continue;
    const path = str(entry.request?.path);
    const m = SIGN_PATH.exec(path);
    const data = entry.response?.data;
    if (!m || typeof data?.serial_number !== 'string') continue;
    const auth = entry.auth ?? {};
    const displayName = str(auth.display_name);
    const dash = displayName.indexOf('-');
    const metadata = (auth.metadata ?? {}) as Record<string, unknown>;
    const req = (entry.request?.data ?? {}) as Record<string, unknown>;
    const principals = req.valid_principals;
    const ttl = req.ttl;
    signs.push({
      time: str(entry.time),
      requestId: str(entry.request?.id),
      mount: m[1]!.replace(/^\/+|\/+$/g, ''),
      role: m[3]!,
      path,
      serialNumber: data.serial_number,
      displayName,
      authMethod: dash > 0 ? displayName.slice(0, dash) : 'token',
      user: str(metadata.username) || str(metadata.role) || (dash > 0 ? displayName.slice(dash + 1) : displayName),
      policies: Array.isArray(auth.policies) ? auth.policies.map(String) : [],
      tokenAccessor: str(auth.accessor),
      entityId: str(auth.entity_id),
      remoteAddress: str(entry.request?.remote_address),
      ...(typeof principals === 'string' && principals !== '' && !isHashed(principals)
        ? { principals: principals.split(',').map((p) => p.trim()).filter(Boolean) }
        : Array.isArray(principals) && !principals.some(isHashed)
          ? { principals: principals.map(String) }
          : {}),
      ...((typeof ttl === 'number' || (typeof ttl === 'string' && ttl !== '')) && !isHashed(ttl) ? { ttl } : {}),
      ...(typeof req.key_id === 'string' && req.key_id !== '' && !isHashed(req.key_id) ? { keyId: req.key_id } : {}),
    });
  }
  return { signs, badLines };
}

/** Whether a logged value is an HMAC (so it must be joined through sys/audit-hash). */
export const isAuditHash = isHashed;
