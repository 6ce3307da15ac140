// The revocation that IaC declares (issue 20, point 1): one serial, key ID or public key of an SSH
// mount, with a reason. One validator for both surfaces: the Pulumi `SshRevocation` (its `check`) and
// the CDKTF `SshRevocations` (synthesis, once per entry). The same rules as `sshca revoke`'s options:
// exactly one of serial / keyId / publicKey; a serial is decimal or 0x<hex> in 1..2^64-1 (OpenSSH
// cannot revoke serial 0); a key ID is non-empty without NUL; a public key is a key, not a certificate.

import { RequestError, type Issue } from './errors.js';
import { formatAuthorizedKey, parseSshPublicKey } from './keys/public-key.js';
import type { RevocationRecord } from './krl/revocations.js';

/** One revocation as IaC declares it. */
export interface RevocationSpec {
  /** Certificate serial: decimal, or `0x<hex>` as Vault's `serial_number`. */
  readonly serial?: string | number;
  /** Certificate key ID: every certificate of that identity, from every CA key of the mount. */
  readonly keyId?: string;
  /** `<algorithm> <base64> [comment]` of a key revoked outright (certified or not). */
  readonly publicKey?: string;
  /** Why (kept with the record). */
  readonly reason?: string;
}

/** What a record revokes, before who and when: the part `findRevocation` compares. */
export type RevocationCandidate = Pick<RevocationRecord, 'type' | 'serial' | 'key_id' | 'public_key' | 'ca_key'>;

const U64_MAX = (1n << 64n) - 1n;

/** A serial as a decimal string, or undefined when it is not one of 1..2^64-1 (decimal or 0x<hex>). */
export function revocationSerial(value: string | number): string | undefined {
  const text = String(value);
  if (!/^\d+$/.test(text) && !/^0x[0-9a-f]+$/i.test(text)) return undefined;
  const n = BigInt(text);
  return n >= 1n && n <= U64_MAX ? n.toString(10) : undefined;
}

/** Problems of one declared revocation; `at` prefixes field names (e.g. `revocations[2].`). */
export function validateRevocationSpec(spec: RevocationSpec, at = ''): Issue[] {
  const given = (['serial', 'keyId', 'publicKey'] as const).filter((k) => spec[k] !== undefined);
  if (given.length !== 1) {
    return [
      {
        field: `${at}${given[1] ?? 'serial'}`,
        message:
          given.length === 0
            ? `${at ? `${at.replace(/\.$/, '')}: ` : ''}say what is revoked: serial, keyId or publicKey`
            : `${at ? `${at.replace(/\.$/, '')}: ` : ''}give only one of ${given.join(', ')}`,
      },
    ];
  }
  const issues: Issue[] = [];
  if (spec.serial !== undefined && revocationSerial(spec.serial) === undefined) {
    issues.push({
      field: `${at}serial`,
      message: `${at}serial must be a decimal (as ssh-keygen -L shows it) or 0x<hex> between 1 and 2^64-1 (OpenSSH cannot revoke serial 0), got ${JSON.stringify(spec.serial)}`,
    });
  }
  if (spec.keyId !== undefined && (typeof spec.keyId !== 'string' || spec.keyId === '' || spec.keyId.includes('\0'))) {
    issues.push({ field: `${at}keyId`, message: `${at}keyId must be a non-empty key ID without NUL` });
  }
  if (spec.publicKey !== undefined) {
    const text = String(spec.publicKey).trim();
    if (/-cert-v01@openssh\.com$/.test(text.split(/\s+/)[0] ?? '')) {
      issues.push({ field: `${at}publicKey`, message: `${at}publicKey is a certificate: revoke its serial instead` });
    } else {
      try {
        parseSshPublicKey(text);
      } catch (e) {
        issues.push({ field: `${at}publicKey`, message: `${at}publicKey: ${(e as Error).message}` });
      }
    }
  }
  if (spec.reason !== undefined && typeof spec.reason !== 'string') {
    issues.push({ field: `${at}reason`, message: `${at}reason must be a string` });
  }
  return issues;
}

/**
 * What a valid spec revokes, given the mount's CA key (`<algorithm> <base64>`): serials and key IDs
 * are of that CA; a public key has no CA (`ca_key` ""), and is refused (RequestError) when it is the
 * CA key. `caKey` may be omitted for a public key only.
 */
export function revocationCandidate(
  spec: RevocationSpec,
  caKey: string | undefined,
  mount: string,
): RevocationCandidate {
  const ca = caKey ? formatAuthorizedKey(parseSshPublicKey(caKey.trim()).blob) : '';
  if (spec.publicKey === undefined && ca === '') throw new RequestError(`mount ${mount} has no CA key`);
  if (spec.serial !== undefined) return { type: 'serial', serial: revocationSerial(spec.serial)!, ca_key: ca };
  if (spec.keyId !== undefined) return { type: 'key_id', key_id: spec.keyId, ca_key: ca };
  const line = formatAuthorizedKey(parseSshPublicKey(String(spec.publicKey).trim()).blob);
  if (line === ca) {
    throw new RequestError(
      `publicKey is the CA key of ${mount}: revoking it would refuse every certificate of the mount; rotate the CA instead`,
    );
  }
  return { type: 'public_key', public_key: line, ca_key: '' };
}

const keyLine = (text: string) => formatAuthorizedKey(parseSshPublicKey(text.trim()).blob);

/**
 * Problems of a whole declared list (the CDKTF `SshRevocations`): each entry through
 * {@link validateRevocationSpec}, then the list's rules: serials and key IDs need the CA key, a public
 * key must not be it, nothing twice. A CA key that is a reference (resolved at apply) is not parsed.
 */
export function validateRevocationListSpec(
  props: {
    readonly mount: string;
    readonly caPublicKey?: string;
    readonly revocations: readonly RevocationSpec[];
  },
  options: { readonly caKeyReferenced?: boolean } = {},
): Issue[] {
  const issues: Issue[] = [];
  if (props.mount.replace(/^\/+|\/+$/g, '') === '')
    issues.push({ field: 'mount', message: 'mount must name the SSH mount, e.g. ssh-dev' });
  const literalCa = props.caPublicKey !== undefined && options.caKeyReferenced !== true;
  let ca: string | undefined;
  if (literalCa) {
    try {
      ca = keyLine(props.caPublicKey!);
    } catch (e) {
      issues.push({ field: 'caPublicKey', message: `caPublicKey: ${(e as Error).message}` });
    }
  }
  const seen: string[] = [];
  props.revocations.forEach((r, i) => {
    const at = `revocations[${i}].`;
    const own = validateRevocationSpec(r, at);
    issues.push(...own);
    if (own.length > 0) return;
    if (r.publicKey === undefined && props.caPublicKey === undefined) {
      issues.push({
        field: `${at}${r.serial !== undefined ? 'serial' : 'keyId'}`,
        message: `${at}${r.serial !== undefined ? 'serial' : 'keyId'} needs caPublicKey (the mount's CA key)`,
      });
    }
    if (r.publicKey !== undefined && ca !== undefined && keyLine(r.publicKey) === ca) {
      issues.push({
        field: `${at}publicKey`,
        message: `${at}publicKey is the CA key of ${props.mount}: revoking it would refuse every certificate of the mount; rotate the CA instead`,
      });
    }
    const id =
      r.serial !== undefined
        ? `serial ${revocationSerial(r.serial)}`
        : r.keyId !== undefined
          ? `key ID ${r.keyId}`
          : `key ${keyLine(r.publicKey!)}`;
    if (seen.includes(id))
      issues.push({
        field: `revocations[${i}]`,
        message: `revocations[${i}] repeats revocations[${seen.indexOf(id)}] (${id.split(' ').slice(0, -1).join(' ')})`,
      });
    seen.push(id);
  });
  return issues;
}
