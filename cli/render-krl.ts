// `sshca render --format krl`: the OpenSSH key revocation list (KRL) of one SSH mount, from the
// revocations `sshca revoke` records in the backend's KV version 2 secret, against the mount's CA
// public key (and any --ca-key, e.g. the next CA during a rotation). The KRL version is the KV
// secret's version and the generation date its creation time, so rendering the same state twice
// gives the same bytes. Written atomically, 0644, for sshd's RevokedKeys.

import { RequestError, UsageError } from '../core/errors.js';
import { renderKrl } from '../core/krl/krl.js';
import { planKrl } from '../core/krl/revocations.js';
import { normaliseMount, required } from './args.js';
import { readText, writeFileAtomic } from './files.js';
import { fetchCaPublicKey } from './host-ca.js';
import { DEFAULT_KV_MOUNT, backendClient, readRevocations } from './revoke.js';

/** The options this format reads (the others are refused). */
export const KRL_OPTIONS = ['format', 'mount', 'address', 'kv-mount', 'ca-key', 'out'] as const;

/** This format's part of `sshca render --help`. */
export const KRL_HELP = `KRL options (krl):
  --mount MOUNT                the SSH mount whose revocations (sshca revoke) to render (required)
  --out FILE                   where to write the KRL (required: it is binary); atomically, 0644
  --kv-mount KV_MOUNT          KV version 2 mount holding the revocations (default ${DEFAULT_KV_MOUNT})
  --ca-key FILE                another CA public key of the mount (repeatable): key-ID revocations
                               apply to it too, e.g. the next CA during a rotation
  Needs a token (VAULT_TOKEN) that may read KV_MOUNT/data/revocations/MOUNT. Check the file with
  ssh-keygen -Q -f FILE CERT.pub; sshd uses it with "RevokedKeys FILE".`;

type Values = Record<string, string | boolean | string[] | undefined>;


/** Unix seconds of a KV RFC 3339 time ("" → 0). */
const secondsOf = (time: string): bigint => (time === '' ? 0n : BigInt(Math.floor(Date.parse(time) / 1000)));

/** Render the mount's KRL to --out; returns the line to print. */
export async function renderKrlFile(values: Values): Promise<string> {
  const given = Object.keys(values).filter(
    (k) => values[k] !== undefined && !(KRL_OPTIONS as readonly string[]).includes(k),
  );
  if (given.length > 0)
    throw new UsageError(`${given.map((n) => `--${n}`).join(', ')} cannot be used with --format krl`);
  const mount = required(normaliseMount(values.mount as string | undefined), 'mount');
  const out = values.out as string | undefined;
  if (out === undefined || out === '-') {
    throw new UsageError('--format krl needs --out FILE (a KRL is binary), e.g. --out revoked_keys');
  }
  const kvMount = normaliseMount(values['kv-mount'] as string | undefined, 'kv-mount') ?? DEFAULT_KV_MOUNT;
  const address = values.address as string | undefined;
  const extra = ((values['ca-key'] as string[] | undefined) ?? []).map((f) => readText(f, 'CA public key'));
  const caKeys = [await fetchCaPublicKey(mount, address), ...extra];
  const { records, version, createdTime } = await readRevocations(backendClient(address), kvMount, mount);
  let krl: Buffer;
  try {
    krl = renderKrl(
      planKrl(records, { caKeys, krlVersion: BigInt(version), generatedDate: secondsOf(createdTime), comment: '' }),
    );
  } catch (e) {
    throw new RequestError(`cannot render the KRL of ${mount}: ${(e as Error).message}`);
  }
  writeFileAtomic(out, krl, { mode: 0o644, overwrite: true });
  return `wrote ${out}: ${records.length} revocation(s) of ${mount}, KRL version ${version}\n`;
}
