// The header of an OpenSSH key revocation list (PROTOCOL.krl): magic, format version, KRL version,
// generation date, flags, comment. Enough to tell which version of a mount's revocations a host has
// (`sshca drift`, issue 20 point 3): `sshca render --format krl` writes the KV secret's version as the
// KRL version. Pure.

import { WireReader } from '../keys/wire.js';

const KRL_MAGIC = Buffer.from('SSHKRL\n\0', 'latin1');

/** What a KRL's header says. */
export interface KrlHeader {
  /** The file format's version (1). */
  readonly formatVersion: number;
  /** The KRL's own version (`ssh-keygen -z`; the KV secret's version for `sshca render --format krl`). */
  readonly krlVersion: bigint;
  /** When it was generated, seconds since 1970-01-01 UTC. */
  readonly generatedDate: bigint;
  readonly flags: bigint;
  readonly comment: string;
}

/** Parse a KRL's header; throws an Error saying what is wrong when `bytes` is not a KRL. */
export function parseKrlHeader(bytes: Buffer): KrlHeader {
  if (bytes.length < KRL_MAGIC.length || !bytes.subarray(0, KRL_MAGIC.length).equals(KRL_MAGIC)) {
    throw new Error('not an OpenSSH KRL (no SSHKRL magic)');
  }
  try {
    const r = new WireReader(bytes.subarray(KRL_MAGIC.length));
    const formatVersion = r.uint32();
    const krlVersion = r.uint64();
    const generatedDate = r.uint64();
    const flags = r.uint64();
    r.bytes(); // reserved
    const comment = r.string();
    return { formatVersion, krlVersion, generatedDate, flags, comment };
  } catch (e) {
    throw new Error(`truncated KRL header: ${(e as Error).message}`);
  }
}
